/**
 * Takes a database file for this process alone, or finds out that someone else has it open.
 *
 * `haulbox restore` must not swap the file under a running appliance. SQLite's own file locks say
 * exactly that: every connection to a WAL database holds a shared lock on the file for as long as it
 * is open (the appliance always opens it in WAL mode), so an exclusive lock is granted only when no
 * appliance, `haulbox backup` or other command has the file open. This works for any data folder
 * and listen address, with no lock file to go stale after a crash.
 */
import { Database } from "bun:sqlite";

/** How long to wait for a short-lived command (`haulbox user list`) to let go before calling the file in use. */
const WAIT_MS = 1000;

/** The outcome of trying to take a database. */
export type ExclusiveAccess =
  /** Taken: nobody else can open it until `db` is closed. */
  | { status: "held"; db: Database }
  /** Another connection has it open. */
  | { status: "in_use" }
  /** Not readable as a SQLite database (garbage, damaged header): no lock can tell, and nothing could be using it either. */
  | { status: "unreadable"; reason: string };

/** Tries to take `path` exclusively (it must exist). */
export function takeExclusive(path: string): ExclusiveAccess {
  let db: Database;
  try {
    db = new Database(path, { readwrite: true, create: false });
  } catch (error) {
    return { status: "unreadable", reason: (error as Error).message };
  }
  try {
    db.exec(`PRAGMA busy_timeout = ${WAIT_MS}`);
    // In WAL mode, exclusive locking mode makes the first access take an exclusive lock on the file
    // and keep it; in rollback mode, BEGIN EXCLUSIVE takes it and the locking mode keeps it after COMMIT.
    db.exec("PRAGMA locking_mode = EXCLUSIVE");
    db.exec("BEGIN EXCLUSIVE");
    db.exec("COMMIT");
    return { status: "held", db };
  } catch (error) {
    db.close();
    const code = (error as { code?: string }).code ?? "";
    if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")) return { status: "in_use" };
    return { status: "unreadable", reason: (error as Error).message };
  }
}
