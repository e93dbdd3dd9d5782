/**
 * The appliance's built-in jobs. Later features (retention, backups, lane-rate refresh) add an
 * entry here; its name becomes the key its owner can override under `jobs:` in the YAML.
 */
import type { AppDeps } from "../deps";
import type { JobContext, JobDefinition, Scheduler } from "./scheduler";

/** What a core job may use: the app's services, never the request context. */
export type CoreJobDeps = Pick<AppDeps, "auth" | "db" | "log" | "config">;

/** A built-in job: a JobDefinition whose `run` also receives the app's services. */
export interface CoreJob extends Omit<JobDefinition, "run"> {
  run(ctx: JobContext, deps: CoreJobDeps): void | Promise<void>;
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
];

/** Registers the built-in jobs with a scheduler. */
export function registerCoreJobs(scheduler: Scheduler, deps: CoreJobDeps): void {
  for (const job of CORE_JOBS) scheduler.register({ ...job, run: (ctx) => job.run(ctx, deps) });
}

/** Names of the built-in jobs: the keys allowed under `jobs:` in the YAML. */
export function coreJobNames(): string[] {
  return CORE_JOBS.map((job) => job.name);
}
