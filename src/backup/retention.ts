/** Keeps the newest N backups in a folder and deletes the older ones (backup files only). */
import { rmSync } from "node:fs";
import { listBackups, type BackupFile } from "./backup-files";

/** What retention left and removed. */
export interface RetentionResult {
  kept: BackupFile[];
  deleted: BackupFile[];
}

/**
 * Deletes the oldest backups in `dir` beyond the newest `keep`. `protect` (the backup just written)
 * is never deleted, even if a clock set back made its name sort among the old ones.
 */
export function pruneBackups(dir: string, keep: number, protect?: string): RetentionResult {
  if (!Number.isInteger(keep) || keep < 1) throw new Error(`keep must be a whole number of at least 1 (got ${keep})`);
  const all = listBackups(dir);
  const newestFirst = [...all].reverse();
  const kept = new Set(newestFirst.slice(0, keep));
  const protectedFile = all.find((file) => file.path === protect);
  if (protectedFile && !kept.has(protectedFile)) {
    // Make room for it by dropping the oldest of the ones that would have stayed.
    const oldestKept = newestFirst.slice(0, keep).at(-1)!;
    kept.delete(oldestKept);
    kept.add(protectedFile);
  }
  const deleted: BackupFile[] = [];
  for (const file of all) {
    if (kept.has(file)) continue;
    rmSync(file.path, { force: true });
    deleted.push(file);
  }
  return { kept: all.filter((file) => kept.has(file)), deleted };
}
