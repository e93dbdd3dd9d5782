/**
 * A backup into the backups folder, as the nightly job and `haulbox backup` without `--to` make
 * it: a new `haulbox-YYYYMMDD-HHMMSS.db`, then the oldest beyond `keep` deleted.
 */
import { basename } from "node:path";
import { formatDuration } from "../scheduler/guarded-call";
import { newBackupPath } from "./backup-files";
import { pruneBackups, type RetentionResult } from "./retention";
import { writeBackup, type WrittenBackup } from "./write-backup";

/** A backup in the folder and what retention did after it. */
export interface FolderBackup extends RetentionResult {
  backup: WrittenBackup;
  dir: string;
}

/** Writes a new backup of `database` into `dir` (named for `at`, UTC) and keeps the newest `keep`. */
export async function backupIntoFolder(options: { database: string; dir: string; keep: number; at: number; signal?: AbortSignal }): Promise<FolderBackup> {
  const backup = await writeBackup({ database: options.database, target: newBackupPath(options.dir, options.at), signal: options.signal });
  // Retention runs only after a good backup: a failing one never eats into the ones kept.
  const retention = pruneBackups(options.dir, options.keep, backup.path);
  return { backup, dir: options.dir, ...retention };
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
