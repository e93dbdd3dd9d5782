/**
 * Writes one backup file: a consistent copy of the live database, checked, then put in place
 * atomically. Safe while the appliance runs (the copy has its own read-only connection and the
 * appliance keeps writing), and what is at `target` afterwards is always a whole, checked backup:
 * the copy is written under a hidden partial name, fsynced, and only then renamed.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { copyFiles, copyOnWorker, type CopyReport } from "./copy-worker";

/** A backup that could not be made; the message names the file and the reason, for a terminal or the Jobs page. */
export class BackupError extends Error {}

/** A backup that was written. */
export interface WrittenBackup {
  /** Where it is. */
  path: string;
  bytes: number;
  /** Schema version (`PRAGMA user_version`) of the database it copies. */
  schemaVersion: number;
  /** Copy, check and rename, in ms. */
  durationMs: number;
  /** The worker's timings (copy with fsync; integrity check). */
  copyMs: number;
  checkMs: number;
}

/** Partial files of this process that are being written now (so cleanup of stale ones spares them). */
const inProgress = new Set<string>();

/** A partial file's name: hidden, never matching a backup name, with the writer's process id. */
const PARTIAL_NAME = /^\..+\.haulbox-partial-(\d+)(-journal)?$/;

/**
 * Copies the database file `database` to `target` (which must not exist), checks the copy with
 * `PRAGMA integrity_check` and its schema version against the live one, fsyncs it and renames it
 * into place. Throws a BackupError, leaving nothing at `target`, when any step fails.
 */
export async function writeBackup(options: { database: string; target: string; signal?: AbortSignal }): Promise<WrittenBackup> {
  const { database, target, signal } = options;
  const started = performance.now();
  if (!existsSync(database)) throw new BackupError(`there is no database at ${database}: nothing to back up`);
  if (existsSync(target)) throw new BackupError(`${target} already exists: choose another name or remove it first`);
  const dir = dirname(target);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new BackupError(`cannot create the backup folder ${dir}: ${(error as Error).message}`);
  }
  removeStalePartials(dir);
  const partial = join(dir, `.${basename(target)}.haulbox-partial-${process.pid}`);
  inProgress.add(partial);
  try {
    for (const path of copyFiles(partial)) rmSync(path, { force: true });
    let report: CopyReport;
    try {
      report = await copyOnWorker({ source: database, target: partial }, signal);
    } catch (error) {
      throw new BackupError(`cannot copy ${database} to ${target}: ${(error as Error).message}`);
    }
    const problems = report.integrity.filter((line) => line !== "ok");
    if (problems.length || !report.integrity.length) {
      throw new BackupError(`the copy of ${database} failed its integrity check (${problems.slice(0, 3).join("; ") || "no answer"}); nothing was kept. The live database may be damaged: stop Haulbox and run \`sqlite3 ${database} "PRAGMA integrity_check"\``);
    }
    if (report.copyVersion !== report.sourceVersion) {
      throw new BackupError(`the copy of ${database} is at schema version ${report.copyVersion} but the database is at ${report.sourceVersion}; nothing was kept`);
    }
    if (signal?.aborted) throw new BackupError(`the backup to ${target} was stopped: ${(signal.reason as Error)?.message ?? "aborted"}`);
    // Another backup may have taken the name meanwhile (two runs in one second): never replace one.
    if (existsSync(target)) throw new BackupError(`${target} appeared while the copy was written; this copy was not kept`);
    renameSync(partial, target);
    syncFolder(dir);
    return { path: target, bytes: report.bytes, schemaVersion: report.sourceVersion, durationMs: performance.now() - started, copyMs: report.copyMs, checkMs: report.checkMs };
  } finally {
    inProgress.delete(partial);
    for (const path of copyFiles(partial)) rmSync(path, { force: true });
  }
}

/** Makes a rename in `dir` durable (a power cut after it must not bring back the old name). */
export function syncFolder(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, "r");
    fsyncSync(fd);
  } catch {
    // Some filesystems (network shares, FAT on a USB stick) refuse fsync on a folder; the file itself is synced.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Deletes partial copies left by a backup process that died (power cut, kill -9); spares ones being written. */
function removeStalePartials(dir: string): void {
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = Number(PARTIAL_NAME.exec(name)?.[1]);
    if (!pid) continue;
    const path = join(dir, name);
    if (inProgress.has(path.replace(/-journal$/, ""))) continue;
    if (pid !== process.pid && processAlive(pid)) continue;
    rmSync(path, { force: true });
  }
}

/** True when a process with this id exists (ours or another user's). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
