/**
 * Seeding telemetry rows directly, for tests that need stored history without the ingest path.
 * Readings are one row per vehicle and time with a column per name (migration 0005), so a reading
 * joins its time's row; as in the ingest writer, a name already stored at that time keeps its value.
 */
import type { Database } from "bun:sqlite";
import { READING_NAMES, type ReadingName } from "../../src/ingest/records";

/** Stores one reading. */
export function insertReading(db: Database, vehicleId: number, name: ReadingName, ts: number, value: number): void {
  if (!READING_NAMES.includes(name)) throw new Error(`unknown reading ${name}`);
  db.query(`INSERT INTO readings (vehicle_id, ts, ${name}) VALUES (?, ?, ?) ON CONFLICT (vehicle_id, ts) DO UPDATE SET ${name} = coalesce(${name}, excluded.${name})`).run(vehicleId, ts, value);
}
