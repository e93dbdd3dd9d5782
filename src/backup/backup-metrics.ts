/**
 * Backup series for /metrics. What is on disk is read at scrape time (how many backups are kept,
 * when the newest was finished and its size), so the numbers survive a restart and count backups
 * made by hand with `haulbox backup` too; an alert like "newest backup older than 26 h" then means
 * exactly that. The last run's duration and the failures are counted by the job in this process.
 */
import type { Counter, Gauge, Metrics } from "../metrics/registry";
import { listBackups } from "./backup-files";
import type { FolderBackup } from "./backup-folder";

/** The backup job's own series, plus the scrape-time view of the backups folder. */
export class BackupMetrics {
  private readonly duration: Gauge;
  private readonly failures: Counter;

  constructor(metrics: Metrics, backupsDir: () => string) {
    this.duration = metrics.gauge("haulbox_backup_last_duration_seconds", "How long the last backup job run in this process took to copy, check and store, in seconds.");
    this.failures = metrics.counter("haulbox_backup_failures_total", "Backup job runs that failed (copy, check or disk), since start.");
    this.failures.inc(undefined, 0); // present at 0 from the start, so rate() and alerts see the series
    metrics.registerCollector(() => {
      const files = listBackups(backupsDir());
      const newest = files.at(-1);
      return [
        { name: "haulbox_backups_kept", help: "Backup files in the backups folder.", type: "gauge", samples: [{ value: files.length }] },
        { name: "haulbox_backup_last_success_timestamp_seconds", help: "When the newest backup in the backups folder was finished (Unix seconds; 0 for none).", type: "gauge", samples: [{ value: newest ? Math.floor(newest.modifiedAt / 1000) : 0 }] },
        { name: "haulbox_backup_last_size_bytes", help: "Size of the newest backup in the backups folder, in bytes (0 for none).", type: "gauge", samples: [{ value: newest?.bytes ?? 0 }] },
      ];
    });
  }

  /** Records a good run. */
  succeeded(result: FolderBackup): void {
    this.duration.set(undefined, result.backup.durationMs / 1000);
  }

  /** Records a failed run. */
  failed(): void {
    this.failures.inc();
  }
}

const byRegistry = new WeakMap<Metrics, BackupMetrics>();

/** The backup metrics of a registry, created (and its collector registered) on first use. */
export function backupMetrics(metrics: Metrics, backupsDir: () => string): BackupMetrics {
  let found = byRegistry.get(metrics);
  if (!found) byRegistry.set(metrics, (found = new BackupMetrics(metrics, backupsDir)));
  return found;
}
