/**
 * A backup into the backups folder, as the nightly job and `haulbox backup` without `--to` make
 * it: a new `haulbox-YYYYMMDD-HHMMSS.db`, then the oldest beyond `keep` deleted.
 */
import { chownSync, mkdirSync, statSync } from "node:fs";
import { basename, dirname } from "node:path";
import { formatDuration } from "../scheduler/guarded-call";
import { newBackupPath } from "./backup-files";
import { pruneBackups, type RetentionResult } from "./retention";
import { BackupError, writeBackup, type WrittenBackup } from "./write-backup";

/** A backup in the folder and what retention did after it. */
export interface FolderBackup extends RetentionResult {
  backup: WrittenBackup;
  dir: string;
}

/** Writes a new backup of `database` into `dir` (named for `at`, UTC) and keeps the newest `keep`. */
export async function backupIntoFolder(options: { database: string; dir: string; keep: number; at: number; signal?: AbortSignal }): Promise<FolderBackup> {
  const created = ensureFolder(options.dir);
  const backup = await writeBackup({ database: options.database, target: newBackupPath(options.dir, options.at), signal: options.signal });
  ownLikeDatabase(options.database, [...created, backup.path]);
  // Retention runs only after a good backup: a failing one never eats into the ones kept.
  const retention = pruneBackups(options.dir, options.keep, backup.path);
  return { backup, dir: options.dir, ...retention };
}

/** Creates `dir` if needed; returns the folders made, outermost first. */
function ensureFolder(dir: string): string[] {
  let first: string | undefined;
  try {
    first = mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new BackupError(`cannot create the backup folder ${dir}: ${(error as Error).message}`);
  }
  if (!first) return [];
  const created = [dir];
  for (let parent = dirname(dir); created[0] !== first && parent !== dirname(parent); parent = dirname(parent)) created.unshift(parent);
  return created;
}

/**
 * Run as root (sudo haulbox backup), a backups folder made now would belong to root and the
 * service, running as its own user, could never write its nightly backup there or delete old ones:
 * what was made gets the database file's owner.
 */
function ownLikeDatabase(database: string, paths: string[]): void {
  if (process.getuid?.() !== 0) return;
  const { uid, gid } = statSync(database);
  for (const path of paths) {
    try {
      chownSync(path, uid, gid);
    } catch {
      // Not fatal: the backup is whole; only a later run by the service might lack permission.
    }
  }
}

/** "1.2 MB", "448.7 MB", "2.1 GB" (decimal units, as `ls -h --si` and disk makers count). */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ["kB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = -1;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** One line for the Jobs page and the log: file, size, time, how many are kept. */
export function folderBackupSummary(result: FolderBackup): string {
  const { backup } = result;
  const deleted = result.deleted.length ? `, ${result.deleted.length} older deleted` : "";
  return `${basename(backup.path)}: ${formatBytes(backup.bytes)}, schema ${backup.schemaVersion}, integrity ok, in ${formatDuration(backup.durationMs)}; ${result.kept.length} kept in ${result.dir}${deleted}`;
}
