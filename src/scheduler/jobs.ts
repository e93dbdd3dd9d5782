/**
 * The appliance's built-in jobs. Later features (retention, backups, lane-rate refresh) add an
 * entry here; its name becomes the key its owner can override under `jobs:` in the YAML (or, for
 * a job with `settingsIn`, the options of its own section, like `backups.schedule`).
 */
import type { AppDeps } from "../deps";
import type { Config } from "../config/schema";
import { runBackupJob } from "../backup/backup-job";
import { runRetention } from "../telemetry/retention";
import { updateTrips } from "../telemetry/trips";
import type { JobContext, JobDefinition, Scheduler } from "./scheduler";

/** What a core job may use: the app's services, never the request context. */
export type CoreJobDeps = Pick<AppDeps, "auth" | "db" | "log" | "config" | "loads" | "metrics">;

/** A built-in job: a JobDefinition whose `run` also receives the app's services. */
export interface CoreJob extends Omit<JobDefinition, "run" | "settings"> {
  /**
   * For a job whose schedule and on/off are options of a config section (`backups:`): that
   * section's name, and how to read them. `jobs.<name>` may then set only timeout_seconds.
   */
  settingsIn?: { section: string; read(config: Config): { schedule: string; enabled: boolean } };
  run(ctx: JobContext, deps: CoreJobDeps): void | string | Promise<void | string>;
}

/** Every built-in job, in the order the Jobs table lists them. */
export const CORE_JOBS: CoreJob[] = [
  {
    name: "session-cleanup",
    description: "Deletes expired login sessions.",
    schedule: "0 * * * *",
    timeoutSeconds: 60,
    run(ctx, deps) {
      const removed = deps.auth.sessions.purgeExpired();
      if (removed) ctx.log.info("expired sessions deleted", { count: removed });
    },
  },
  {
    name: "trips",
    description: "Derives trips and miles per truck per day from new positions and ignition readings.",
    schedule: "* * * * *",
    timeoutSeconds: 50,
    async run(ctx, deps) {
      const stats = await updateTrips(deps.db, { timeZone: deps.config.current().timezone, signal: ctx.signal });
      // Every minute: log only runs that changed something, so the log is not one line a minute.
      if (stats.closed || stats.events) ctx.log.debug("trips updated", { ...stats });
      if (stats.closed) ctx.log.info("trips ended", { count: stats.closed, open: stats.open });
    },
  },
  {
    name: "telemetry-retention",
    description: "Thins positions and readings older than the retention period to one a minute and deletes old dead letters and redelivery guards.",
    schedule: "30 3 * * *",
    timeoutSeconds: 3600,
    async run(ctx, deps) {
      const { retention_days, dead_letter_days } = deps.config.current().telemetry;
      const stats = await runRetention(deps.db, { retentionDays: retention_days, deadLetterDays: dead_letter_days, signal: ctx.signal });
      ctx.log.info("telemetry retention", {
        positions_deleted: stats.positionsDeleted,
        readings_deleted: stats.readingsDeleted,
        dead_letters_deleted: stats.deadLettersDeleted,
        seen_deleted: stats.seenDeleted,
        thinned_before: new Date(stats.thinnedBefore).toISOString(),
        complete: stats.complete,
      });
    },
  },
  {
    name: "backup",
    description: "Writes a checked copy of the database into the backups folder and deletes the oldest beyond backups.keep.",
    schedule: "15 2 * * *",
    timeoutSeconds: 3600,
    settingsIn: { section: "backups", read: (config) => ({ schedule: config.backups.schedule, enabled: config.backups.enabled }) },
    run: (ctx, deps) => runBackupJob(ctx, deps),
  },
  {
    name: "fuel-prices",
    description: "Fetches EIA's weekly retail diesel prices per PADD region when costs.diesel.source is eia, and rescores every load.",
    schedule: "0 7 * * 2",
    timeoutSeconds: 60,
    async run(ctx, deps) {
      if (deps.loads.costs.current().costs.diesel.source !== "eia") {
        ctx.log.debug("diesel prices come from the config (costs.diesel.source: fixed): nothing to fetch");
        return;
      }
      const result = await deps.loads.diesel.refresh(ctx.signal);
      for (const problem of result.problems) ctx.log.warn("EIA diesel prices", { problem });
      ctx.log.info("diesel prices fetched from EIA", { regions: result.stored });
      deps.loads.engine.rescoreAll();
    },
  },
  {
    name: "loads-expire",
    description: "Expires open loads whose pickup window has passed or whose board took them down, and drops them from the matches.",
    schedule: "*/5 * * * *",
    timeoutSeconds: 60,
    run(ctx, deps) {
      const expired = deps.loads.expireStale();
      if (expired) ctx.log.info("loads expired", { count: expired });
    },
  },
];

/** Registers the built-in jobs with a scheduler. */
export function registerCoreJobs(scheduler: Scheduler, deps: CoreJobDeps): void {
  for (const { settingsIn, ...job } of CORE_JOBS) {
    scheduler.register({ ...job, settings: settingsIn && (() => settingsIn.read(deps.config.current())), run: (ctx) => job.run(ctx, deps) });
  }
}

/** Jobs whose schedule and on/off are set in a config section of their own: job name → section. */
export function coreJobSettingsSections(): Record<string, string> {
  return Object.fromEntries(CORE_JOBS.flatMap((job) => (job.settingsIn ? [[job.name, job.settingsIn.section]] : [])));
}

/** Names of the built-in jobs: the keys allowed under `jobs:` in the YAML. */
export function coreJobNames(): string[] {
  return CORE_JOBS.map((job) => job.name);
}
