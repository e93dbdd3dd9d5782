/**
 * Telemetry retention, run nightly by the `telemetry-retention` job:
 * - positions and readings older than `telemetry.retention_days` are thinned to one a minute: the
 *   first row of each vehicle-minute is kept, the rest deleted (for readings, a name the kept row
 *   lacks takes the first value of it that minute had, so no reading name loses its minute).
 *   Tracks, charts and trips still work on minute data, and the table stops growing with the fix
 *   rate. Boundaries are whole UTC minutes, so a minute is never half thinned;
 * - dead letters older than `telemetry.dead_letter_days` are deleted;
 * - `ingest_seen` rows older than SEEN_KEEP_MS are deleted: they only guard against QoS 1
 *   redeliveries, which come within minutes of the original.
 * Faults, trips and daily distances are kept forever.
 *
 * Everything is deleted in transactions of at most CHUNK_ROWS rows with an event-loop turn between
 * them, so the ingest writer (same process, same connection) is never held up for more than one
 * chunk. Thinning resumes from a watermark (`retention_state.thinned_before`): each night only
 * reads the one day that newly crossed the retention line, not the whole thinned history. Tables
 * are walked in primary-key order (vehicle, then time) by seeking from key to key, which needs no
 * index beyond the primary keys ingest already maintains.
 */
import type { Database } from "bun:sqlite";
import { READING_NAMES, type ReadingName } from "../ingest/records";

/** Most rows looked at (and so at most deleted) in one transaction. */
export const CHUNK_ROWS = 10_000;
/** How long a redelivery guard is kept (ms). */
export const SEEN_KEEP_MS = 24 * 3_600_000;
const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** What one retention run removed. */
export interface RetentionStats {
  positionsDeleted: number;
  readingsDeleted: number;
  deadLettersDeleted: number;
  seenDeleted: number;
  /** Raw rows older than this (epoch ms) are now one a minute. */
  thinnedBefore: number;
  /** False when the run was aborted before the end (the next run picks up). */
  complete: boolean;
}

export interface RetentionOptions {
  retentionDays: number;
  deadLetterDays: number;
  now?: number;
  chunkRows?: number;
  signal?: AbortSignal;
}

/** Yields to the event loop between chunks so ingest transactions can run. */
const breathe = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** Runs every retention step; each step commits chunk by chunk, so an abort keeps what was done. */
export async function runRetention(db: Database, options: RetentionOptions): Promise<RetentionStats> {
  const now = options.now ?? Date.now();
  const chunk = options.chunkRows ?? CHUNK_ROWS;
  const signal = options.signal;
  const cutoff = Math.floor((now - options.retentionDays * DAY_MS) / MINUTE_MS) * MINUTE_MS;
  const stats: RetentionStats = { positionsDeleted: 0, readingsDeleted: 0, deadLettersDeleted: 0, seenDeleted: 0, thinnedBefore: cutoff, complete: false };

  const from = (db.query("SELECT value FROM retention_state WHERE name = 'thinned_before'").get() as { value: number } | null)?.value ?? 0;
  if (cutoff > from) {
    stats.positionsDeleted = await thinPositions(db, from, cutoff, chunk, signal);
    if (signal?.aborted) return stats;
    stats.readingsDeleted = await thinReadings(db, from, cutoff, chunk, signal);
    if (signal?.aborted) return stats;
    db.query("INSERT INTO retention_state (name, value) VALUES ('thinned_before', ?1) ON CONFLICT (name) DO UPDATE SET value = ?1").run(cutoff);
  } else stats.thinnedBefore = from;

  stats.deadLettersDeleted = await deleteInChunks(db, "DELETE FROM dead_letters WHERE id IN (SELECT id FROM dead_letters WHERE received_at < ? LIMIT ?)", now - options.deadLetterDays * DAY_MS, chunk, signal);
  if (signal?.aborted) return stats;
  stats.seenDeleted = await pruneSeen(db, now - SEEN_KEEP_MS, chunk, signal);
  stats.complete = !signal?.aborted;
  return stats;
}

/**
 * Keeps the first position of each vehicle-minute in [from, to). Per vehicle, rows are read
 * CHUNK_ROWS at a time in key order and the extras of each minute deleted in the same transaction;
 * the minute of the last kept row carries over between chunks.
 */
async function thinPositions(db: Database, from: number, to: number, chunk: number, signal?: AbortSignal): Promise<number> {
  const nextVehicle = db.query("SELECT vehicle_id FROM positions WHERE vehicle_id > ? ORDER BY vehicle_id LIMIT 1");
  const rows = db.query("SELECT ts FROM positions WHERE vehicle_id = ? AND ts >= ? AND ts < ? ORDER BY ts LIMIT ?");
  const remove = db.query("DELETE FROM positions WHERE vehicle_id = ? AND ts = ?");
  let deleted = 0;
  let vehicle = -Infinity;
  for (;;) {
    const next = nextVehicle.get(vehicle) as { vehicle_id: number } | null;
    if (!next) break;
    vehicle = next.vehicle_id;
    deleted += await thinSeries(
      db,
      (cursor) => rows.all(vehicle, cursor, to, chunk) as { ts: number }[],
      (row, first) => first || remove.run(vehicle, row.ts),
      () => {},
      from,
      chunk,
      signal,
    );
    if (signal?.aborted) break;
  }
  return deleted;
}

/**
 * Thins readings in [from, to) to one row per vehicle-minute, losing no name: the first row of each
 * minute is kept, and a name it lacks takes the first value later rows of that minute had. The
 * kept row is read and written in the same chunk transactions as the deletions.
 */
async function thinReadings(db: Database, from: number, to: number, chunk: number, signal?: AbortSignal): Promise<number> {
  const columns = READING_NAMES.join(", ");
  const nextVehicle = db.query("SELECT vehicle_id FROM readings WHERE vehicle_id > ? ORDER BY vehicle_id LIMIT 1");
  const rows = db.query(`SELECT ts, ${columns} FROM readings WHERE vehicle_id = ? AND ts >= ? AND ts < ? ORDER BY ts LIMIT ?`);
  const remove = db.query("DELETE FROM readings WHERE vehicle_id = ? AND ts = ?");
  const update = db.query(`UPDATE readings SET ${READING_NAMES.map((name) => `${name} = ?`).join(", ")} WHERE vehicle_id = ? AND ts = ?`);
  let deleted = 0;
  let vehicle = -Infinity;
  for (;;) {
    const next = nextVehicle.get(vehicle) as { vehicle_id: number } | null;
    if (!next) break;
    vehicle = next.vehicle_id;
    let kept: ReadingRow | null = null;
    let keptChanged = false;
    const vehicleId = vehicle;
    deleted += await thinSeries(
      db,
      (cursor) => rows.all(vehicleId, cursor, to, chunk) as ReadingRow[],
      (row, first) => {
        if (first) {
          kept = row as ReadingRow;
          return;
        }
        remove.run(vehicleId, row.ts);
        for (const name of READING_NAMES) {
          if (kept![name] === null && (row as ReadingRow)[name] !== null) {
            kept![name] = (row as ReadingRow)[name];
            keptChanged = true;
          }
        }
      },
      () => {
        if (!kept || !keptChanged) return;
        update.run(...READING_NAMES.map((name) => kept![name]), vehicleId, kept.ts);
        keptChanged = false;
      },
      from,
      chunk,
      signal,
    );
    if (signal?.aborted) break;
  }
  return deleted;
}

/** A `readings` row: its time and a column per reading name. */
type ReadingRow = { ts: number } & Record<ReadingName, number | null>;

/**
 * Thins one time series: `read(cursor)` gives up to `chunk` rows with ts ≥ cursor in order, `visit`
 * sees each with `first` true for the first row of its minute (kept) and false for the others (to
 * delete), and `endChunk` runs before each chunk's transaction commits. Returns the rows deleted.
 */
async function thinSeries<Row extends { ts: number }>(
  db: Database,
  read: (cursor: number) => Row[],
  visit: (row: Row, first: boolean) => void,
  endChunk: () => void,
  from: number,
  chunk: number,
  signal?: AbortSignal,
): Promise<number> {
  let deleted = 0;
  let cursor = from;
  let keptMinute = -1;
  for (;;) {
    let last = cursor;
    let count = 0;
    db.transaction(() => {
      const batch = read(cursor);
      count = batch.length;
      for (const row of batch) {
        const minute = Math.floor(row.ts / MINUTE_MS);
        if (minute === keptMinute) {
          visit(row, false);
          deleted++;
        } else {
          endChunk();
          keptMinute = minute;
          visit(row, true);
        }
        last = row.ts;
      }
      endChunk();
    })();
    if (count < chunk || signal?.aborted) break;
    cursor = last + 1;
    await breathe();
  }
  return deleted;
}

/** Runs a `DELETE … LIMIT ?` statement (cutoff, limit) until it deletes fewer than a chunk. */
async function deleteInChunks(db: Database, text: string, cutoff: number, chunk: number, signal?: AbortSignal): Promise<number> {
  const statement = db.query(text);
  let deleted = 0;
  for (;;) {
    const changes = statement.run(cutoff, chunk).changes;
    deleted += changes;
    if (changes < chunk || signal?.aborted) break;
    await breathe();
  }
  return deleted;
}

/**
 * Deletes redelivery guards older than `cutoff`. The table has no index on received_at (one would
 * cost every ingest insert), so it is walked once in hash order, a chunk per transaction.
 */
async function pruneSeen(db: Database, cutoff: number, chunk: number, signal?: AbortSignal): Promise<number> {
  const first = db.query("SELECT hash, received_at FROM ingest_seen ORDER BY hash LIMIT ?");
  const after = db.query("SELECT hash, received_at FROM ingest_seen WHERE hash > ? ORDER BY hash LIMIT ?");
  const remove = db.query("DELETE FROM ingest_seen WHERE hash = ?");
  let deleted = 0;
  let cursor: Uint8Array | null = null;
  for (;;) {
    let count = 0;
    db.transaction(() => {
      const rows = (cursor ? after.all(cursor, chunk) : first.all(chunk)) as { hash: Uint8Array; received_at: number }[];
      count = rows.length;
      for (const row of rows) {
        if (row.received_at < cutoff) {
          remove.run(row.hash);
          deleted++;
        }
        cursor = row.hash;
      }
    })();
    if (count < chunk || signal?.aborted) break;
    await breathe();
  }
  return deleted;
}
