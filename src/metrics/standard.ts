/** Scrape-time metrics every appliance exposes: process memory and uptime, database size, build info. */
import { statSync } from "node:fs";
import type { Database } from "bun:sqlite";
import type { MetricFamily, Metrics } from "./registry";

/** Size of a file in bytes, 0 when it does not exist (no WAL yet, in-memory database). */
function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** Bytes the database occupies on disk: the main file plus its write-ahead log. */
export function databaseSizeBytes(db: Database): number {
  const file = db.filename;
  if (!file || file === ":memory:") return 0;
  return fileSize(file) + fileSize(`${file}-wal`);
}

/** What the standard collector needs to know. */
export interface StandardMetricsSource {
  db: Database;
  version: string;
  commit: string;
  /** When the process started (epoch ms). */
  startedAt: number;
}

const registered = new WeakSet<Metrics>();

/** Registers the process, database and build collectors once per registry. */
export function registerStandardMetrics(metrics: Metrics, source: StandardMetricsSource): void {
  if (registered.has(metrics)) return;
  registered.add(metrics);
  metrics.registerCollector((): MetricFamily[] => {
    const memory = process.memoryUsage();
    return [
      { name: "process_resident_memory_bytes", help: "Resident memory size in bytes.", type: "gauge", samples: [{ value: memory.rss }] },
      { name: "process_heap_bytes", help: "JavaScript heap in use, in bytes.", type: "gauge", samples: [{ value: memory.heapUsed }] },
      { name: "process_start_time_seconds", help: "Start time of the process since the Unix epoch, in seconds.", type: "gauge", samples: [{ value: Math.floor(source.startedAt / 1000) }] },
      { name: "haulbox_database_size_bytes", help: "Size of the SQLite database on disk (main file plus write-ahead log), in bytes.", type: "gauge", samples: [{ value: databaseSizeBytes(source.db) }] },
      { name: "haulbox_build_info", help: "Version and commit of the running build; the value is always 1.", type: "gauge", samples: [{ labels: { version: source.version, commit: source.commit }, value: 1 }] },
    ];
  });
}
