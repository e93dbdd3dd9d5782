/** Everything the web app needs, built once by the server (or by a test) and passed to `buildApp`. */
import type { Database } from "bun:sqlite";
import type { Auth } from "./auth/service";
import type { ConfigStore } from "./config/store";
import type { Logger } from "./log";
import type { Metrics } from "./metrics/registry";
import type { PluginHost } from "./plugins/host";
import type { Scheduler } from "./scheduler/scheduler";
import type { Fleet } from "./telemetry/fleet";
import type { TelemetryEvents } from "./ingest/events";
import type { Ingest } from "./ingest/service";
import type { Loads } from "./loads/service";

export interface AppDeps {
  config: ConfigStore;
  db: Database;
  log: Logger;
  auth: Auth;
  /** Prometheus registry: features add counters, gauges, histograms or scrape-time collectors (see src/metrics/registry.ts). */
  metrics: Metrics;
  /** Runs the configured sources through their plugins; status for the Sources page and API (src/plugins/host.ts). */
  host: PluginHost;
  /** Named cron jobs with last-run status (src/scheduler/scheduler.ts). */
  scheduler: Scheduler;
  /** Vehicles and their devices (src/telemetry/fleet.ts). */
  fleet: Fleet;
  /** Committed telemetry, published after each batch for live pages (src/ingest/events.ts). */
  telemetryEvents: TelemetryEvents;
  /** Telemetry ingest: batch writer, router to decode sources, MQTT transport (src/ingest/service.ts). */
  ingest: Ingest;
  /** Loads, brokers, lane rates, matching and the load lifecycle (src/loads/service.ts). */
  loads: Loads;
  /** When the process started (epoch ms), for /healthz uptime. */
  startedAt: number;
}
