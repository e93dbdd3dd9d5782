/**
 * Backup files in a backups folder: how a new one is named and which files are backups.
 *
 * Names are `haulbox-YYYYMMDD-HHMMSS.db` in UTC (a DST change never makes two nights share a name,
 * and names sort in time order); a second backup within the same second gets `-2`, `-3`… Only files
 * with exactly this shape count as backups, so retention can never delete anything else that lives
 * in the folder (an operator's own copies, a `haulbox.db` when the folder is the data folder).
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/** A backup's file name: its UTC time and, for a second one in the same second, a sequence number. */
export const BACKUP_NAME = /^haulbox-(\d{8})-(\d{6})(?:-(\d+))?\.db$/;

/** A backup file found in a folder. */
export interface BackupFile {
  /** Full path. */
  path: string;
  /** File name, e.g. haulbox-20251129-021500.db. */
  name: string;
  /** Size in bytes. */
  bytes: number;
  /** Last modification (when the copy was finished), epoch ms. */
  modifiedAt: number;
}

/** `haulbox-YYYYMMDD-HHMMSS.db` for a moment (UTC), with `-N` for the Nth backup in that second. */
export function backupFileName(at: number, sequence = 1): string {
  const iso = new Date(at).toISOString(); // 2025-11-29T02:15:00.000Z
  const stamp = `${iso.slice(0, 10).replaceAll("-", "")}-${iso.slice(11, 19).replaceAll(":", "")}`;
  return `haulbox-${stamp}${sequence > 1 ? `-${sequence}` : ""}.db`;
}

/** A path in `dir` for a new backup taken at `at` that no file uses yet. */
export function newBackupPath(dir: string, at: number): string {
  for (let sequence = 1; ; sequence++) {
    const path = join(dir, backupFileName(at, sequence));
    if (!existsSync(path)) return path;
  }
}

/** Sort key of a backup name: time stamp, then sequence (so `…-021500.db` comes before `…-021500-2.db`). */
function orderKey(name: string): [string, number] {
  const match = BACKUP_NAME.exec(name)!;
  return [`${match[1]}${match[2]}`, Number(match[3] ?? 1)];
}

/** The backups in `dir`, oldest first; an empty list when the folder does not exist yet. */
export function listBackups(dir: string): BackupFile[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const found: BackupFile[] = [];
  for (const name of names) {
    if (!BACKUP_NAME.test(name)) continue;
    const path = join(dir, name);
    try {
      const stat = statSync(path);
      if (stat.isFile()) found.push({ path, name, bytes: stat.size, modifiedAt: stat.mtimeMs });
    } catch {
      // Deleted between the listing and the stat (another backup's retention): not there any more.
    }
  }
  return found.sort((a, b) => {
    const [stampA, seqA] = orderKey(a.name);
    const [stampB, seqB] = orderKey(b.name);
    return stampA < stampB ? -1 : stampA > stampB ? 1 : seqA - seqB;
  });
}
