-- Last-run status of plugin sources and scheduled jobs, so the Sources page and the counters
-- survive a restart. One row per source id / job name; times are UTC epoch milliseconds.

CREATE TABLE source_state (
  source_id TEXT PRIMARY KEY,
  -- The plugin the counters belong to: a source id reused for another plugin starts again from zero.
  plugin TEXT NOT NULL,
  last_run_at INTEGER,
  last_success_at INTEGER,
  last_error TEXT,
  last_error_at INTEGER,
  consecutive_failures INTEGER NOT NULL DEFAULT 0,
  runs INTEGER NOT NULL DEFAULT 0,
  failures INTEGER NOT NULL DEFAULT 0,
  items INTEGER NOT NULL DEFAULT 0,
  skipped INTEGER NOT NULL DEFAULT 0,
  updated_at INTEGER NOT NULL
);

CREATE TABLE job_state (
  name TEXT PRIMARY KEY,
  last_started_at INTEGER,
  last_finished_at INTEGER,
  last_status TEXT CHECK (last_status IN ('ok', 'failed', 'timed_out', 'skipped')),
  last_error TEXT,
  last_duration_ms INTEGER,
  runs INTEGER NOT NULL DEFAULT 0,
  failures INTEGER NOT NULL DEFAULT 0,
  skipped INTEGER NOT NULL DEFAULT 0,
  updated_at INTEGER NOT NULL
);
