/**
 * `haulbox backup [--to PATH]`: a consistent, checked copy of the database, on demand. Safe while
 * the appliance runs: it opens the database file itself, read-only, and the appliance keeps writing.
 * Without --to it goes into the backups folder (backups.dir) and the oldest beyond backups.keep
 * are deleted, like the nightly job's; with --to it is written exactly there and nothing is deleted.
 */
import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "./index";
import { databasePath } from "../db/open";
import { newBackupPath } from "../backup/backup-files";
import { backupIntoFolder, formatBytes } from "../backup/backup-folder";
import { BackupError, writeBackup, type WrittenBackup } from "../backup/write-backup";
import { formatDuration } from "../scheduler/guarded-call";
import { CommandFailed, loadConfiguredConfig, parseCommonArgs } from "./args";

/** The line that says what was written. */
function writtenLine(backup: WrittenBackup): string {
  return `backup written: ${backup.path} (${formatBytes(backup.bytes)}, schema version ${backup.schemaVersion}, integrity ok) in ${formatDuration(backup.durationMs)}`;
}

/** `--to DIR/` or an existing folder means "a new backup file in there"; anything else is the file itself. */
function targetFor(to: string, at: number): string {
  const path = resolve(to);
  const isFolder = /[\\/]$/.test(to) || (existsSync(path) && statSync(path).isDirectory());
  return isFolder ? newBackupPath(path, at) : path;
}

export const backupCommand: Command = {
  summary: "Write a consistent, checked copy of the database (safe while Haulbox runs)",
  usage:
    "haulbox backup [--to PATH] [--config FILE] [--data-dir DIR]\n\n" +
    "Without --to, writes haulbox-YYYYMMDD-HHMMSS.db into the backups folder (backups.dir, by default\n" +
    "<data_dir>/backups) and deletes the oldest beyond backups.keep. --to FILE writes exactly that file\n" +
    "(it must not exist); --to FOLDER/ writes a new haulbox-….db there. Nothing is deleted with --to.",
  async run(args) {
    const { values, positionals } = parseCommonArgs(args, { to: { type: "string" } });
    if (positionals.length) throw new CommandFailed(`haulbox backup: unexpected argument ${JSON.stringify(positionals[0])} (use --to PATH)`, 2);
    if (values.to === "") throw new CommandFailed("haulbox backup: --to needs a file or folder", 2);
    const { config } = await loadConfiguredConfig(values);
    const database = databasePath(config.data_dir);
    const at = Date.now();
    try {
      if (values.to !== undefined) {
        console.log(writtenLine(await writeBackup({ database, target: targetFor(values.to, at) })));
        return 0;
      }
      const result = await backupIntoFolder({ database, dir: config.backups.dir, keep: config.backups.keep, at });
      console.log(writtenLine(result.backup));
      const deleted = result.deleted.length ? ` (${result.deleted.length} older deleted: ${result.deleted.map((file) => file.name).join(", ")})` : "";
      console.log(`${result.kept.length} backup${result.kept.length === 1 ? "" : "s"} kept in ${result.dir} (backups.keep: ${config.backups.keep})${deleted}`);
      return 0;
    } catch (error) {
      if (error instanceof BackupError) throw new CommandFailed(`haulbox backup: ${error.message}`, 1);
      throw error;
    }
  },
};
