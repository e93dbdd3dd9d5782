/**
 * Builds the plugin host and the scheduler for an appliance (the server and testApp share this):
 * persistence in the database, the built-in jobs, /metrics series, and config reloads applied to
 * both. `startRuntime` starts them; stop them with `scheduler.stop()` and `host.stop()` before the
 * database is closed.
 */
import type { Database } from "bun:sqlite";
import type { Auth } from "../auth/service";
import type { ConfigStore } from "../config/store";
import type { Logger } from "../log";
import { Metrics, type MetricFamily } from "../metrics/registry";
import { backupMetrics } from "../backup/backup-metrics";
import type { Clock } from "../scheduler/clock";
import { SqliteJobStateStore } from "../scheduler/job-store";
import { registerCoreJobs } from "../scheduler/jobs";
import { Scheduler } from "../scheduler/scheduler";
import { PluginHost, type HostSinks } from "./host";
import type { PluginCatalog } from "./registry";
import { SqliteSourceStateStore } from "./source-store";
import { Fleet } from "../telemetry/fleet";
import { TelemetryEvents } from "../ingest/events";
import { Ingest } from "../ingest/service";
import { Loads } from "../loads/service";
import { geocode } from "../geo/gazetteer";
import { watchTruckMoves } from "../engines/truck-moves";

/** What the runtime is built from. */
export interface RuntimeOptions {
  config: ConfigStore;
  db: Database;
  log: Logger;
  auth: Auth;
  metrics?: Metrics;
  /** The plugin catalog whose resolver loaded `config` (so external plugins match the running config). */
  catalog: PluginCatalog;
  /** Where results go; later features (ingest, loads) pass theirs. */
  sinks?: HostSinks;
  clock?: Clock;
  /** How long stopping waits for calls in progress (real ms). */
  stopGraceMs?: number;
}

/** The plugin host, scheduler and telemetry services of one appliance. */
export interface Runtime {
  host: PluginHost;
  scheduler: Scheduler;
  fleet: Fleet;
  telemetryEvents: TelemetryEvents;
  ingest: Ingest;
  loads: Loads;
  /** The engine's first build, due right after start (cancelled by a stop before it ran). */
  warmUpTimer?: ReturnType<typeof setTimeout>;
}

/** Creates (but does not start) the host and scheduler, and wires reloads and metrics. */
export function createRuntime(options: RuntimeOptions): Runtime {
  const { config, db, log, auth } = options;
  // The host hands plugins the ingest's provisioning, and the ingest routes to the host's decoders.
  let ingest: Ingest | null = null;
  const loads = new Loads({ db, config: () => config.current(), geocode, log: log.child({ component: "loads" }) });
  const host = new PluginHost({
    services: { provisionDemoDevice: async (spec) => (ingest ? ingest.provisionDemoDevice(spec) : null) },
    registry: () => options.catalog.current(),
    log,
    // Load-board polls go to the load store (which scores what changed); a test may pass its own sinks.
    sinks: {
      loadboard: (batch) => {
        loads.ingest(batch);
      },
      ...options.sinks,
    },
    store: new SqliteSourceStateStore(db),
    clock: options.clock,
    secrets: () => config.secrets,
    stopGraceMs: options.stopGraceMs,
  });
  const scheduler = new Scheduler({ config: () => config.current(), log, store: new SqliteJobStateStore(db), clock: options.clock, stopGraceMs: options.stopGraceMs });
  // Without a registry (unit tests), the jobs' series go to one nobody scrapes.
  const metrics = options.metrics ?? new Metrics();
  registerCoreJobs(scheduler, { auth, db, log, config, loads, metrics });
  if (options.metrics) {
    registerRuntimeMetrics(options.metrics, { host, scheduler });
    // From the start, not only after the first backup: a fresh install shows 0 backups kept.
    backupMetrics(options.metrics, () => config.current().backups.dir);
  }
  config.onChange((next) => {
    host.apply(next).catch((error) => log.error("applying the new sources failed", { error: error as Error }));
    scheduler.apply();
    // Costs, matching settings or the time zone may have changed: every score depends on them.
    loads.engine.rescoreAll();
  });
  const fleet = new Fleet(db);
  const telemetryEvents = new TelemetryEvents();
  ingest = new Ingest({ config, db, log, host, fleet, events: telemetryEvents, metrics: options.metrics });
  watchTruckMoves(telemetryEvents, loads.engine, log);
  return { host, scheduler, fleet, telemetryEvents, ingest, loads };
}

/** Starts the ingest (so the demo fleet finds its broker), every source of the config in force, and every job. */
export async function startRuntime(runtime: Runtime, config: ConfigStore): Promise<void> {
  await runtime.ingest.start();
  await runtime.host.start(config.current());
  runtime.scheduler.start();
  // Score every open load for every truck once the server is up, before anyone opens a page
  // (at 200 000 open loads this takes seconds; a page would otherwise wait for it).
  runtime.warmUpTimer = setTimeout(() => runtime.loads.warmUp(), 0);
}

/** Stops jobs and sources (shutdown), jobs first so none starts a source call on the way out. */
export async function stopRuntime(runtime: Runtime): Promise<void> {
  clearTimeout(runtime.warmUpTimer);
  await runtime.scheduler.stop();
  await runtime.host.stop();
  // Last: the sources have stopped publishing; write what is queued before the database closes.
  await runtime.ingest.stop();
}

/** Per-source and per-job series for /metrics, read from live status at scrape time. */
export function registerRuntimeMetrics(metrics: Metrics, { host, scheduler }: Pick<Runtime, "host" | "scheduler">): void {
  metrics.registerCollector(() => {
    const sources = host.list();
    const jobs = scheduler.list();
    const seconds = (ms: number | null) => (ms === null ? 0 : ms / 1000);
    const perSource = (name: string, help: string, type: MetricFamily["type"], value: (s: (typeof sources)[number]) => number): MetricFamily => ({
      name,
      help,
      type,
      samples: sources.map((source) => ({ labels: { source: source.id, plugin: source.plugin }, value: value(source) })),
    });
    const perJob = (name: string, help: string, type: MetricFamily["type"], value: (j: (typeof jobs)[number]) => number): MetricFamily => ({
      name,
      help,
      type,
      samples: jobs.map((job) => ({ labels: { job: job.name }, value: value(job) })),
    });
    return [
      perSource("haulbox_source_runs_total", "Polls, sends and push batches per source (lifetime, kept across restarts).", "counter", (s) => s.runs),
      perSource("haulbox_source_failures_total", "Failed runs per source.", "counter", (s) => s.failures),
      perSource("haulbox_source_items_total", "Records or loads received, or messages sent, per source.", "counter", (s) => s.items),
      perSource("haulbox_source_skipped_total", "Scheduled polls skipped because the previous one was still running.", "counter", (s) => s.skipped),
      perSource("haulbox_source_failing", "1 while the source is failing, else 0.", "gauge", (s) => (s.state === "failing" ? 1 : 0)),
      perSource("haulbox_source_last_success_timestamp_seconds", "When the source last succeeded (Unix seconds; 0 for never).", "gauge", (s) => seconds(s.lastSuccessAt)),
      perJob("haulbox_job_runs_total", "Runs per job.", "counter", (j) => j.runs),
      perJob("haulbox_job_failures_total", "Failed or timed-out runs per job.", "counter", (j) => j.failures),
      perJob("haulbox_job_skipped_total", "Runs skipped because the previous run was still going.", "counter", (j) => j.skipped),
      perJob("haulbox_job_running", "1 while the job runs.", "gauge", (j) => (j.running ? 1 : 0)),
      perJob("haulbox_job_last_run_ok", "1 when the job's last run succeeded, else 0.", "gauge", (j) => (j.lastStatus === "ok" ? 1 : 0)),
    ].filter((family) => family.samples.length > 0);
  });
}
