/**
 * Append-only numbered migrations tracked with PRAGMA user_version. Each runs in its own
 * transaction; a failure names the migration and leaves the database at the previous version.
 */
import type { Database } from "bun:sqlite";
import { migrations, type Migration } from "./migrations";

/** Highest schema version this build knows. */
export const LATEST_VERSION = migrations.length;

/** The database's current schema version. */
export function schemaVersion(db: Database): number {
  return (db.query("PRAGMA user_version").get() as { user_version: number }).user_version;
}

/** Raised when the database was written by a newer Haulbox than this one. */
export class NewerDatabaseError extends Error {
  constructor(readonly found: number, readonly known: number) {
    super(`the database is at schema version ${found}, but this Haulbox only knows up to ${known}: it was written by a newer version. Install that version again (or restore a backup made by this one); refusing to open it.`);
  }
}

/** Applies every pending migration in order; returns the ones applied. Safe to call again. */
export function migrate(db: Database, list: Migration[] = migrations): Migration[] {
  checkMigrationList(list);
  const current = schemaVersion(db);
  if (current > list.length) throw new NewerDatabaseError(current, list.length);
  const applied: Migration[] = [];
  for (const migration of list.slice(current)) {
    try {
      db.transaction(() => {
        if (typeof migration.up === "string") db.exec(migration.up);
        else migration.up(db);
        db.exec(`PRAGMA user_version = ${migration.version}`);
      })();
    } catch (error) {
      throw new Error(`migration ${String(migration.version).padStart(4, "0")}_${migration.name} failed: ${(error as Error).message}`);
    }
    applied.push(migration);
  }
  return applied;
}

/** Refuses a list with gaps or misnumbering: versions must be 1, 2, 3… in order. */
function checkMigrationList(list: Migration[]) {
  list.forEach((migration, index) => {
    if (migration.version !== index + 1) throw new Error(`migration list is broken: entry ${index} has version ${migration.version}, expected ${index + 1}`);
  });
}
