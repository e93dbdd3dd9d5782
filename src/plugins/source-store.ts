/** Keeps each source's last-run status and counters in the `source_state` table so they survive a restart. */
import type { Database } from "bun:sqlite";

/** The persisted part of a source's status (times are UTC epoch ms; counters are lifetime totals). */
export interface SourceRecord {
  /** When the last poll, send or push batch started. */
  lastRunAt: number | null;
  /** When the last successful one finished. */
  lastSuccessAt: number | null;
  lastError: string | null;
  lastErrorAt: number | null;
  /** Failures since the last success; drives the retry delay. */
  consecutiveFailures: number;
  /** Polls, sends and push batches, plus failed create/start attempts. */
  runs: number;
  failures: number;
  /** Records or loads received, or messages sent. */
  items: number;
  /** Scheduled polls skipped because the previous one was still running. */
  skipped: number;
}

/** A fresh record for a source that never ran. */
export function emptySourceRecord(): SourceRecord {
  return { lastRunAt: null, lastSuccessAt: null, lastError: null, lastErrorAt: null, consecutiveFailures: 0, runs: 0, failures: 0, items: 0, skipped: 0 };
}

/** Where source status is kept; the host works without one (memory only) in unit tests. */
export interface SourceStateStore {
  /** The saved record of a source, or null when none was saved or it belonged to another plugin. */
  load(sourceId: string, plugin: string): SourceRecord | null;
  save(sourceId: string, plugin: string, record: SourceRecord, now: number): void;
}

interface SourceRow {
  plugin: string;
  last_run_at: number | null;
  last_success_at: number | null;
  last_error: string | null;
  last_error_at: number | null;
  consecutive_failures: number;
  runs: number;
  failures: number;
  items: number;
  skipped: number;
}

/** The `source_state` table (migration 0002). */
export class SqliteSourceStateStore implements SourceStateStore {
  constructor(private readonly db: Database) {}

  load(sourceId: string, plugin: string): SourceRecord | null {
    const row = this.db
      .query("SELECT plugin, last_run_at, last_success_at, last_error, last_error_at, consecutive_failures, runs, failures, items, skipped FROM source_state WHERE source_id = ?")
      .get(sourceId) as SourceRow | null;
    // A source id reused for a different plugin starts from zero rather than inheriting counters.
    if (!row || row.plugin !== plugin) return null;
    return {
      lastRunAt: row.last_run_at,
      lastSuccessAt: row.last_success_at,
      lastError: row.last_error,
      lastErrorAt: row.last_error_at,
      consecutiveFailures: row.consecutive_failures,
      runs: row.runs,
      failures: row.failures,
      items: row.items,
      skipped: row.skipped,
    };
  }

  save(sourceId: string, plugin: string, record: SourceRecord, now: number): void {
    this.db
      .query(
        `INSERT INTO source_state (source_id, plugin, last_run_at, last_success_at, last_error, last_error_at, consecutive_failures, runs, failures, items, skipped, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (source_id) DO UPDATE SET plugin = excluded.plugin, last_run_at = excluded.last_run_at, last_success_at = excluded.last_success_at,
           last_error = excluded.last_error, last_error_at = excluded.last_error_at, consecutive_failures = excluded.consecutive_failures,
           runs = excluded.runs, failures = excluded.failures, items = excluded.items, skipped = excluded.skipped, updated_at = excluded.updated_at`,
      )
      .run(sourceId, plugin, record.lastRunAt, record.lastSuccessAt, record.lastError, record.lastErrorAt, record.consecutiveFailures, record.runs, record.failures, record.items, record.skipped, now);
  }
}
