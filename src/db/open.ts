/** Opens the appliance's SQLite database with the pragmas every connection needs. */
import { Database } from "bun:sqlite";
import { mkdirSync } from "node:fs";
import { join } from "node:path";

/** File name of the database inside the data directory. */
export const DATABASE_FILE = "haulbox.db";

/** Path of the database file for a data directory. */
export function databasePath(dataDir: string): string {
  return join(dataDir, DATABASE_FILE);
}

/**
 * Opens (creating if needed) the database in `dataDir`: WAL so readers never block the writer,
 * synchronous=NORMAL (a process crash loses nothing committed), foreign keys on, and a busy
 * timeout so a second process (the CLI beside a running appliance) waits instead of failing.
 */
export function openDatabase(dataDir: string, options: { readonly?: boolean } = {}): Database {
  if (!options.readonly) mkdirSync(dataDir, { recursive: true });
  const db = new Database(databasePath(dataDir), options.readonly ? { readonly: true, strict: true } : { create: true, strict: true });
  configureConnection(db);
  return db;
}

/** Applies the connection pragmas (also used for in-memory test databases). */
export function configureConnection(db: Database): void {
  db.exec("PRAGMA busy_timeout = 5000");
  db.exec("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA synchronous = NORMAL");
  db.exec("PRAGMA foreign_keys = ON");
  // The default 2 MiB page cache thrashes under telemetry: one batch touches hundreds of places in
  // readings and positions. 32 MiB (filled only as pages are used) more than doubled ingest in
  // bench/ingest.ts; small next to what a Raspberry Pi has.
  db.exec("PRAGMA cache_size = -32768");
}

/** Writes the WAL back into the main file and truncates it (clean shutdown, backups). */
export function checkpoint(db: Database): { busy: number; log: number; checkpointed: number } {
  const row = db.query("PRAGMA wal_checkpoint(TRUNCATE)").get() as Record<string, number>;
  return { busy: row.busy ?? 0, log: row.log ?? 0, checkpointed: row.checkpointed ?? 0 };
}
