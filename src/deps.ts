/** Everything the web app needs, built once by the server (or by a test) and passed to `buildApp`. */
import type { Database } from "bun:sqlite";
import type { Auth } from "./auth/service";
import type { ConfigStore } from "./config/store";
import type { Logger } from "./log";
import type { Metrics } from "./metrics/registry";

export interface AppDeps {
  config: ConfigStore;
  db: Database;
  log: Logger;
  auth: Auth;
  /** Prometheus registry: features add counters, gauges, histograms or scrape-time collectors (see src/metrics/registry.ts). */
  metrics: Metrics;
  /** When the process started (epoch ms), for /healthz uptime. */
  startedAt: number;
}
