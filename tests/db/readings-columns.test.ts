/**
 * The `readings` table has a column per reading name (migration 0005): every name in READINGS must
 * have its column, or the ingest writer's statement fails at start. And a database written before
 * 0005 (one row per name) keeps every reading through the migration, merged per vehicle and time.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { tempDir } from "../helpers/app";
import { openDatabase } from "../../src/db/open";
import { migrate } from "../../src/db/migrate";
import { migrations } from "../../src/db/migrations";
import { READING_NAMES } from "../../src/ingest/records";

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function fresh() {
  const dir = tempDir("haulbox-readings-");
  dirs.push(dir);
  return openDatabase(dir);
}

describe("readings columns", () => {
  test("the readings table has exactly vehicle_id, ts and one column per reading name", () => {
    const db = fresh();
    migrate(db);
    const columns = (db.query("PRAGMA table_info(readings)").all() as { name: string }[]).map((column) => column.name);
    expect(columns).toEqual(["vehicle_id", "ts", ...READING_NAMES]);
    db.close();
  });

  test("readings stored one row per name before migration 0005 are all there after it", () => {
    const db = fresh();
    const before0005 = migrations.findIndex((migration) => migration.name === "readings_wide");
    migrate(db, migrations.slice(0, before0005));
    db.query("INSERT INTO vehicles (id, unit, name, created_at, updated_at) VALUES (1, '101', '101', 0, 0)").run();
    const insert = db.query("INSERT INTO readings (vehicle_id, name_id, ts, value) VALUES (?, ?, ?, ?)");
    // The 0003 layout: name_id is the index into the names as they were then (unchanged since).
    const old: [number, number, number][] = [];
    READING_NAMES.forEach((_, nameId) => old.push([nameId, 1_700_000_000_000, nameId * 10.5]));
    old.push([0, 1_700_000_060_000, 123.25], [8, 1_700_000_061_000, 88]);
    for (const [nameId, ts, value] of old) insert.run(1, nameId, ts, value);
    migrate(db);
    const rows = db.query("SELECT * FROM readings ORDER BY ts").all() as Record<string, number | null>[];
    expect(rows).toHaveLength(3);
    expect(rows[0]).toEqual({ vehicle_id: 1, ts: 1_700_000_000_000, ...Object.fromEntries(READING_NAMES.map((name, i) => [name, i * 10.5])) });
    expect(rows[1]).toMatchObject({ ts: 1_700_000_060_000, odometer_km: 123.25, coolant_c: null });
    expect(rows[2]).toMatchObject({ ts: 1_700_000_061_000, odometer_km: null, coolant_c: 88 });
    db.close();
  });
});
