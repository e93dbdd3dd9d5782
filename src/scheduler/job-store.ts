/** Keeps each job's last-run status in the `job_state` table so it survives a restart. */
import type { Database } from "bun:sqlite";

/** How a job run ended; `skipped` means a tick came while the previous run was still going. */
export type JobRunStatus = "ok" | "failed" | "timed_out" | "skipped";

/** The persisted part of a job's status (times are UTC epoch ms). */
export interface JobRecord {
  lastStartedAt: number | null;
  lastFinishedAt: number | null;
  lastStatus: JobRunStatus | null;
  lastError: string | null;
  /** What the last successful run reported (a job's `run` may return one line), else null. */
  lastSummary: string | null;
  lastDurationMs: number | null;
  runs: number;
  failures: number;
  skipped: number;
}

/** A fresh record for a job that never ran. */
export function emptyJobRecord(): JobRecord {
  return { lastStartedAt: null, lastFinishedAt: null, lastStatus: null, lastError: null, lastSummary: null, lastDurationMs: null, runs: 0, failures: 0, skipped: 0 };
}

/** Where job status is kept; the scheduler works without one (memory only) in unit tests. */
export interface JobStateStore {
  load(name: string): JobRecord | null;
  save(name: string, record: JobRecord, now: number): void;
}

interface JobRow {
  last_started_at: number | null;
  last_finished_at: number | null;
  last_status: JobRunStatus | null;
  last_error: string | null;
  last_summary: string | null;
  last_duration_ms: number | null;
  runs: number;
  failures: number;
  skipped: number;
}

/** The `job_state` table (migration 0002; last_summary from 0014). */
export class SqliteJobStateStore implements JobStateStore {
  constructor(private readonly db: Database) {}

  load(name: string): JobRecord | null {
    const row = this.db.query("SELECT last_started_at, last_finished_at, last_status, last_error, last_summary, last_duration_ms, runs, failures, skipped FROM job_state WHERE name = ?").get(name) as JobRow | null;
    if (!row) return null;
    return {
      lastStartedAt: row.last_started_at,
      lastFinishedAt: row.last_finished_at,
      lastStatus: row.last_status,
      lastError: row.last_error,
      lastSummary: row.last_summary,
      lastDurationMs: row.last_duration_ms,
      runs: row.runs,
      failures: row.failures,
      skipped: row.skipped,
    };
  }

  save(name: string, record: JobRecord, now: number): void {
    this.db
      .query(
        `INSERT INTO job_state (name, last_started_at, last_finished_at, last_status, last_error, last_summary, last_duration_ms, runs, failures, skipped, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET last_started_at = excluded.last_started_at, last_finished_at = excluded.last_finished_at,
           last_status = excluded.last_status, last_error = excluded.last_error, last_summary = excluded.last_summary, last_duration_ms = excluded.last_duration_ms,
           runs = excluded.runs, failures = excluded.failures, skipped = excluded.skipped, updated_at = excluded.updated_at`,
      )
      .run(name, record.lastStartedAt, record.lastFinishedAt, record.lastStatus, record.lastError, record.lastSummary, record.lastDurationMs, record.runs, record.failures, record.skipped, now);
  }
}
