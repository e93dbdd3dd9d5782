/**
 * Is this file a Haulbox database this build can use? `haulbox restore` asks before it replaces
 * anything: a SQLite file, sound by SQLite's own integrity check, with the tables Haulbox's
 * migrations create up to its schema version, and not newer than this build knows.
 */
import { Database } from "bun:sqlite";
import { closeSync, openSync, readSync, statSync } from "node:fs";
import { LATEST_VERSION, migrate, NewerDatabaseError, schemaVersion } from "../db/migrate";
import { migrations } from "../db/migrations";

/** Why a file cannot be restored, as the end of a sentence that starts with its name. */
export class NotRestorable extends Error {}

/** What a usable database file holds. */
export interface DatabaseFacts {
  /** `PRAGMA user_version`. */
  schemaVersion: number;
  bytes: number;
  /** Number of tables. */
  tables: number;
}

/** The first 16 bytes of every SQLite 3 database file. */
const SQLITE_HEADER = "SQLite format 3\0";

/** How many integrity problems to quote (the check can list a hundred). */
const PROBLEMS_SHOWN = 3;

/** Refuses (throws NotRestorable) unless `path` is a regular file starting with the SQLite header. Cheap: reads 16 bytes. */
export function checkSqliteFile(path: string): number {
  let bytes: number;
  try {
    const stat = statSync(path);
    if (stat.isDirectory()) throw new NotRestorable("is a folder, not a database file");
    if (!stat.isFile()) throw new NotRestorable("is not a regular file");
    bytes = stat.size;
  } catch (error) {
    if (error instanceof NotRestorable) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new NotRestorable(code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : (error as Error).message);
  }
  if (bytes === 0) throw new NotRestorable("is empty, not a SQLite database");
  const header = Buffer.alloc(SQLITE_HEADER.length);
  let fd: number | undefined;
  try {
    fd = openSync(path, "r");
    readSync(fd, header, 0, header.length, 0);
  } catch (error) {
    throw new NotRestorable(`cannot be read: ${(error as Error).message}`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  if (header.toString("latin1") !== SQLITE_HEADER) throw new NotRestorable("is not a SQLite database (it does not start with the SQLite file header)");
  return bytes;
}

/**
 * Checks a database file completely and returns its facts, or throws NotRestorable saying why:
 * not SQLite, damaged (integrity check), not a Haulbox database (schema version 0, or tables its
 * version should have are missing), or written by a newer Haulbox. Opens it read-only.
 */
export function inspectHaulboxDatabase(path: string): DatabaseFacts {
  const bytes = checkSqliteFile(path);
  let db: Database;
  try {
    db = new Database(path, { readonly: true });
  } catch (error) {
    throw new NotRestorable(`cannot be opened as a SQLite database: ${(error as Error).message}`);
  }
  try {
    let version: number;
    let tables: Set<string>;
    try {
      version = schemaVersion(db);
      tables = new Set((db.query("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((row) => row.name));
    } catch (error) {
      throw new NotRestorable(`is damaged: ${(error as Error).message}`);
    }
    if (version === 0) {
      const listed = [...tables].slice(0, 5).join(", ");
      throw new NotRestorable(`is not a Haulbox database (schema version 0${tables.size ? `; its tables: ${listed}${tables.size > 5 ? ", …" : ""}` : ", no tables"})`);
    }
    // A newer database is checked for the oldest tables only: later migrations may have changed the rest.
    const missing = [...tablesAtVersion(version > LATEST_VERSION ? 1 : version)].filter((name) => !tables.has(name));
    if (missing.length) throw new NotRestorable(`is not a Haulbox database: at schema version ${version} it should have the table${missing.length === 1 ? "" : "s"} ${missing.slice(0, 5).join(", ")}${missing.length > 5 ? ", …" : ""}`);
    if (version > LATEST_VERSION) throw new NotRestorable(new NewerDatabaseError(version, LATEST_VERSION).message);
    let problems: string[];
    try {
      problems = (db.query("PRAGMA integrity_check").all() as Record<string, unknown>[]).map((row) => String(Object.values(row)[0])).filter((line) => line !== "ok");
    } catch (error) {
      throw new NotRestorable(`is damaged: ${(error as Error).message}`);
    }
    if (problems.length) throw new NotRestorable(`is damaged: SQLite's integrity check found ${problems.length === 1 ? "a problem" : `${problems.length}${problems.length >= 100 ? "+" : ""} problems`}: ${problems.slice(0, PROBLEMS_SHOWN).join("; ")}`);
    return { schemaVersion: version, bytes, tables: tables.size };
  } finally {
    db.close();
  }
}

const tablesByVersion = new Map<number, Set<string>>();

/** The tables Haulbox's migrations create up to `version`, found by running them on an empty in-memory database. */
export function tablesAtVersion(version: number): Set<string> {
  let tables = tablesByVersion.get(version);
  if (!tables) {
    const scratch = new Database(":memory:");
    try {
      migrate(scratch, migrations.slice(0, version));
      tables = new Set((scratch.query("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((row) => row.name));
    } finally {
      scratch.close();
    }
    tablesByVersion.set(version, tables);
  }
  return tables;
}
