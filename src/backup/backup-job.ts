/** The scheduled backup job's work: a backup of the live database into `backups.dir`, with retention, metrics and a summary. */
import type { Database } from "bun:sqlite";
import type { ConfigStore } from "../config/store";
import type { Metrics } from "../metrics/registry";
import type { JobContext } from "../scheduler/scheduler";
import { backupIntoFolder, folderBackupSummary } from "./backup-folder";
import { backupMetrics } from "./backup-metrics";

/** Runs one backup; returns the summary line the Jobs page shows. Throws (the run fails) with the reason. */
export async function runBackupJob(ctx: JobContext, deps: { db: Database; config: ConfigStore; metrics: Metrics }): Promise<string> {
  const { backups } = deps.config.current();
  const metrics = backupMetrics(deps.metrics, () => deps.config.current().backups.dir);
  try {
    // The file the appliance itself has open, so the copy is of exactly the database in use.
    const result = await backupIntoFolder({ database: deps.db.filename, dir: backups.dir, keep: backups.keep, at: ctx.scheduledAt, signal: ctx.signal });
    metrics.succeeded(result);
    ctx.log.info("backup written", {
      file: result.backup.path,
      size_bytes: result.backup.bytes,
      ms: Math.round(result.backup.durationMs),
      copy_ms: Math.round(result.backup.copyMs),
      check_ms: Math.round(result.backup.checkMs),
      schema_version: result.backup.schemaVersion,
      kept: result.kept.length,
      deleted: result.deleted.map((file) => file.name),
    });
    return folderBackupSummary(result);
  } catch (error) {
    metrics.failed();
    throw error;
  }
}
