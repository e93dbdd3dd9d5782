/**
 * Puts a backup in place of the data folder's database, with Haulbox stopped.
 *
 * Nothing is lost whatever happens: the backup is copied into the data folder and checked there
 * first (so a refused or half-copied file never replaces anything), the current database is kept
 * beside it as `haulbox.db.before-restore-YYYYMMDD-HHMMSS` with its write-ahead log folded in, and
 * only then is the checked copy renamed into place. An older backup is migrated at the next start.
 */
import { chmodSync, chownSync, closeSync, copyFileSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { databasePath } from "../db/open";
import { backupFileName } from "./backup-files";
import { takeExclusive } from "./database-lock";
import { checkSqliteFile, inspectHaulboxDatabase, NotRestorable, type DatabaseFacts } from "./inspect-database";
import { syncFolder } from "./write-backup";

/** A restore that was refused or failed; nothing was changed. The message is one line for the terminal. */
export class RestoreRefused extends Error {}

/** What a restore did. */
export interface RestoreResult extends DatabaseFacts {
  /** The database file now in place. */
  database: string;
  /** Where the replaced database (and its -wal, -shm or -journal, if any were left) went; empty when there was none. */
  keptAside: string[];
}

/** The files SQLite keeps for one database: the file, its write-ahead log and index, a rollback journal. */
const COMPANIONS = ["", "-wal", "-shm", "-journal"];

/**
 * Restores `backup` into `dataDir` (created if missing). Refuses, changing nothing, when the file is
 * not a usable Haulbox database or the current database is open in another process (the appliance).
 */
export function restoreDatabase(options: { backup: string; dataDir: string; at: number }): RestoreResult {
  const backup = resolve(options.backup);
  const live = databasePath(resolve(options.dataDir));
  const refuse = (reason: string) => new RestoreRefused(`${backup}: ${reason}; nothing was changed`);
  if (backup === live) throw refuse(`is the database in use itself (${live})`);
  try {
    checkSqliteFile(backup);
  } catch (error) {
    if (error instanceof NotRestorable) throw refuse(error.message);
    throw error;
  }
  // Changes still in a -wal beside the file are not in it: copying the file alone would lose them.
  const sideLog = `${backup}-wal`;
  if (existsSync(sideLog) && statSync(sideLog).size > 0) {
    throw refuse(`${sideLog} beside it holds changes that are not in the file yet: restore a file made by \`haulbox backup\`, or open this one once with sqlite3 to fold them in`);
  }
  mkdirSync(resolve(options.dataDir), { recursive: true });

  const access = existsSync(live) ? takeExclusive(live) : null;
  if (access?.status === "in_use") {
    throw new RestoreRefused(`${live} is in use: Haulbox is running on this data folder (or another haulbox command has the database open). Stop the service first (systemctl stop haulbox, or docker stop), then run restore again; nothing was changed`);
  }
  const staged = join(resolve(options.dataDir), `.haulbox.db.restore-${process.pid}`);
  const removeStaged = () => COMPANIONS.forEach((suffix) => rmSync(staged + suffix, { force: true }));
  let held = access?.status === "held" ? access.db : null;
  try {
    removeStaged();
    try {
      copyFileSync(backup, staged);
      syncFile(staged);
    } catch (error) {
      throw new RestoreRefused(`cannot copy ${backup} into ${options.dataDir}: ${(error as Error).message}; nothing was changed`);
    }
    // Checked in the data folder: exactly the bytes that go into place, and a backup that is a
    // WAL-mode file gets its (empty) -wal/-shm here, not beside the operator's file.
    let facts: DatabaseFacts;
    try {
      facts = inspectHaulboxDatabase(staged);
    } catch (error) {
      if (error instanceof NotRestorable) throw refuse(error.message);
      throw error;
    }
    COMPANIONS.slice(1).forEach((suffix) => rmSync(staged + suffix, { force: true }));
    matchOwner(staged, live);

    if (held) {
      // Fold the write-ahead log into the file, so the copy kept aside is whole on its own.
      try {
        held.exec("PRAGMA wal_checkpoint(TRUNCATE)");
      } catch {
        // A damaged database may refuse; its -wal is then kept aside beside it, unchanged.
      }
      held.close();
      held = null;
      // With the file held exclusively no one had it open: a -shm left by an earlier crash or a
      // read-only reader is only a stale index, not data, and would just sit beside the copy kept aside.
      rmSync(`${live}-shm`, { force: true });
    }
    // Companions without their database too: a stray -wal beside the restored file would be replayed into it.
    const moves = COMPANIONS.some((suffix) => existsSync(live + suffix)) ? keepAside(live, options.at) : [];
    try {
      renameSync(staged, live);
    } catch (error) {
      for (const move of moves) renameSync(move.to, move.from);
      throw new RestoreRefused(`cannot put the backup in place at ${live}: ${(error as Error).message}; the database was left as it was`);
    }
    syncFolder(resolve(options.dataDir));
    return { ...facts, database: live, keptAside: moves.map((move) => move.to) };
  } finally {
    held?.close();
    removeStaged();
  }
}

/** Renames the database and its companions to `<name>.before-restore-YYYYMMDD-HHMMSS[-N]` (UTC); returns the renames. */
function keepAside(live: string, at: number): { from: string; to: string }[] {
  const stamp = backupFileName(at).replace(/^haulbox-|\.db$/g, "");
  let base = `${live}.before-restore-${stamp}`;
  for (let n = 2; COMPANIONS.some((suffix) => existsSync(base + suffix)); n++) base = `${live}.before-restore-${stamp}-${n}`;
  const moves: { from: string; to: string }[] = [];
  for (const suffix of COMPANIONS) {
    if (!existsSync(live + suffix)) continue;
    renameSync(live + suffix, base + suffix);
    moves.push({ from: live + suffix, to: base + suffix });
  }
  return moves;
}

/** Flushes a file to disk. */
function syncFile(path: string): void {
  const fd = openSync(path, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Run as root (sudo haulbox restore), the copy would belong to root and the service, running as
 * its own user, could not write it: give it the owner and mode of the database it replaces (or of
 * the data folder when there is none).
 */
function matchOwner(staged: string, live: string): void {
  if (process.getuid?.() !== 0) return;
  const model = existsSync(live) ? statSync(live) : statSync(resolve(live, ".."));
  try {
    chownSync(staged, model.uid, model.gid);
    if (existsSync(live)) chmodSync(staged, model.mode & 0o777);
  } catch {
    // Not fatal: the restored file is whole; the operator may need to chown it.
  }
}
