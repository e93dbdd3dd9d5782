/**
 * The job scheduler: named jobs on cron expressions (croner), in the configured timezone, each
 * overridable under `jobs.<name>` in the YAML (schedule, enabled, timeout_seconds).
 *
 * Protections, the same as for polling plugin sources:
 * - overlap: a tick that comes while the previous run is still going is skipped and counted;
 *   a run abandoned at its timeout still counts as going until its code really returns, so a job
 *   that ignores its AbortSignal can never run twice at once (the skips show it on the Sources page);
 * - timeout: the run's AbortSignal is aborted and the run is recorded as `timed_out`;
 * - a job that throws is recorded as `failed` with its message; nothing else is affected.
 * Last-run status is kept in the database (job_state) so it survives a restart.
 */
import type { Config } from "../config/schema";
import type { Logger } from "../log";
import { systemClock, type Clock } from "./clock";
import { CronPattern, CronTrigger } from "./cron";
import { guardedCall } from "./guarded-call";
import { emptyJobRecord, type JobRecord, type JobRunStatus, type JobStateStore } from "./job-store";

/** What a job's `run` receives. */
export interface JobContext {
  /** The job's name. */
  name: string;
  /** Aborted at the job's timeout or at shutdown: long jobs should check it and stop. */
  signal: AbortSignal;
  /** A logger tagged with the job name. */
  log: Logger;
  /** The tick this run belongs to (epoch ms); for a manual run, the time it was asked for. */
  scheduledAt: number;
  /** Why it runs: its schedule, or someone pressed "Run now". */
  trigger: "schedule" | "manual";
}

/** A job as its feature registers it; the YAML can override schedule, enabled and timeout. */
export interface JobDefinition {
  /** Unique name, lowercase with dashes (`session-cleanup`); the key under `jobs:` in the YAML. */
  name: string;
  /** One sentence for the Sources page. */
  description: string;
  /** Default cron expression. */
  schedule: string;
  /** Default timeout in seconds. */
  timeoutSeconds: number;
  /** Default on/off (true when omitted). */
  enabled?: boolean;
  /**
   * For a job whose schedule and on/off live in a config section of their own (`backups:`): read
   * at every (re)arm, so a reload applies them; they replace `schedule` and `enabled` above.
   */
  settings?: () => { schedule: string; enabled: boolean };
  /** The work. Throwing marks the run failed; a returned string is the run's summary on the Jobs page. */
  run(ctx: JobContext): void | string | Promise<void | string>;
}

/** A job's settings and last-run status, as the API and the page show it. */
export interface JobStatus extends JobRecord {
  name: string;
  description: string;
  /** The cron expression in force (the YAML's override, else the default). */
  schedule: string;
  timezone: string;
  enabled: boolean;
  timeoutSeconds: number;
  /** True while a run is going, including one abandoned at its timeout that has not returned yet. */
  running: boolean;
  nextRunAt: number | null;
}

/** What a manual run reports back. */
export interface JobRunResult {
  status: JobRunStatus;
  error: string | null;
  durationMs: number;
}

/** Pattern a job name must match. */
export const JOB_NAME_PATTERN = /^[a-z][a-z0-9-]{0,62}$/;

interface JobEntry {
  definition: JobDefinition;
  record: JobRecord;
  trigger: CronTrigger | null;
  /** Settled when the current run's code has really returned (not only when we stopped waiting). */
  busy: Promise<void> | null;
  /** Fingerprint of the schedule settings the trigger was armed with. */
  armedWith: string;
}

/** Options for a Scheduler. */
export interface SchedulerOptions {
  /** The config in force (timezone and `jobs:` overrides are read from it). */
  config: () => Pick<Config, "timezone" | "jobs">;
  log: Logger;
  /** Persistence for last-run status; memory only when omitted. */
  store?: JobStateStore;
  clock?: Clock;
  /** How long stop() waits for running jobs to return after aborting them (real ms; default 5000). */
  stopGraceMs?: number;
}

/** Runs registered jobs on their schedules with overlap protection, timeouts and status. */
export class Scheduler {
  private readonly jobs = new Map<string, JobEntry>();
  private readonly clock: Clock;
  private readonly log: Logger;
  private started = false;
  private shutdown = new AbortController();

  constructor(private readonly options: SchedulerOptions) {
    this.clock = options.clock ?? systemClock();
    this.log = options.log.child({ component: "scheduler" });
  }

  /** Adds a job; throws on a duplicate name or an invalid default schedule (programming errors). */
  register(definition: JobDefinition): void {
    if (!JOB_NAME_PATTERN.test(definition.name)) throw new Error(`job name ${JSON.stringify(definition.name)} must be lowercase letters, digits and dashes`);
    if (this.jobs.has(definition.name)) throw new Error(`job ${definition.name} is registered twice`);
    if (!(definition.timeoutSeconds > 0)) throw new Error(`job ${definition.name} needs a positive timeoutSeconds`);
    new CronPattern(definition.schedule); // throws on a bad default
    let record = emptyJobRecord();
    try {
      record = this.options.store?.load(definition.name) ?? record;
    } catch (error) {
      this.log.warn("cannot read the saved status of a job", { job: definition.name, error: (error as Error).message });
    }
    this.jobs.set(definition.name, { definition, record, trigger: null, busy: null, armedWith: "" });
    if (this.started) this.arm(this.jobs.get(definition.name)!);
  }

  /** Names of every registered job, sorted. */
  names(): string[] {
    return [...this.jobs.keys()].sort();
  }

  /** Arms every job's schedule. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.shutdown = new AbortController();
    for (const entry of this.jobs.values()) this.arm(entry);
  }

  /** Re-reads overrides and timezone (after a config reload) and re-arms jobs whose schedule changed. */
  apply(): void {
    if (!this.started) return;
    for (const entry of this.jobs.values()) {
      const settings = this.settingsOf(entry.definition);
      if (JSON.stringify([settings.schedule, settings.timezone, settings.enabled]) !== entry.armedWith) this.arm(entry);
    }
  }

  /** Disarms every schedule, aborts running jobs and waits briefly for them to return. */
  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    for (const entry of this.jobs.values()) {
      entry.trigger?.stop();
      entry.trigger = null;
      entry.armedWith = "";
    }
    this.shutdown.abort(new Error("Haulbox is stopping"));
    const busy = [...this.jobs.values()].map((entry) => entry.busy).filter((p): p is Promise<void> => p !== null);
    if (!busy.length) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.options.stopGraceMs ?? 5000)));
    await Promise.race([Promise.all(busy), grace]);
    clearTimeout(timer);
  }

  /** Runs a job now (the "Run now" button); skipped when it is still running. Throws for an unknown name. */
  async runNow(name: string): Promise<JobRunResult> {
    const entry = this.jobs.get(name);
    if (!entry) throw new Error(`unknown job ${JSON.stringify(name)}`);
    return this.runJob(entry, this.clock.now(), "manual");
  }

  /** Status of every job, sorted by name. */
  list(): JobStatus[] {
    return this.names().map((name) => this.status(name)!);
  }

  /** Status of one job, or undefined. */
  status(name: string): JobStatus | undefined {
    const entry = this.jobs.get(name);
    if (!entry) return undefined;
    const settings = this.settingsOf(entry.definition);
    return {
      ...entry.record,
      name,
      description: entry.definition.description,
      schedule: settings.schedule,
      timezone: settings.timezone,
      enabled: settings.enabled,
      timeoutSeconds: settings.timeoutMs / 1000,
      running: entry.busy !== null,
      nextRunAt: entry.trigger?.nextRunAt() ?? null,
    };
  }

  private settingsOf(definition: JobDefinition) {
    const config = this.options.config();
    const override = config.jobs?.[definition.name] ?? {};
    const own = definition.settings?.();
    return {
      schedule: override.schedule ?? own?.schedule ?? definition.schedule,
      timezone: config.timezone || "UTC",
      enabled: override.enabled ?? own?.enabled ?? definition.enabled ?? true,
      timeoutMs: (override.timeout_seconds ?? definition.timeoutSeconds) * 1000,
    };
  }

  private arm(entry: JobEntry): void {
    entry.trigger?.stop();
    entry.trigger = null;
    const settings = this.settingsOf(entry.definition);
    entry.armedWith = JSON.stringify([settings.schedule, settings.timezone, settings.enabled]);
    if (!settings.enabled) return;
    try {
      const pattern = new CronPattern(settings.schedule, settings.timezone);
      entry.trigger = new CronTrigger(pattern, this.clock, (scheduledAt) => void this.runJob(entry, scheduledAt, "schedule"));
      entry.trigger.start();
    } catch (error) {
      // The config loader validates expressions and timezones, so this is a safety net only.
      this.log.error("cannot schedule job", { job: entry.definition.name, schedule: settings.schedule, error: (error as Error).message });
    }
  }

  private save(entry: JobEntry): void {
    try {
      this.options.store?.save(entry.definition.name, entry.record, this.clock.now());
    } catch (error) {
      this.log.warn("cannot save the status of a job", { job: entry.definition.name, error: (error as Error).message });
    }
  }

  private async runJob(entry: JobEntry, scheduledAt: number, trigger: "schedule" | "manual"): Promise<JobRunResult> {
    const name = entry.definition.name;
    const log = this.log.child({ job: name });
    if (entry.busy) {
      entry.record.skipped++;
      entry.record.lastStatus = "skipped";
      this.save(entry);
      log.warn("job is still running; this run is skipped", { trigger });
      return { status: "skipped", error: null, durationMs: 0 };
    }
    const settings = this.settingsOf(entry.definition);
    const startedAt = this.clock.now();
    entry.record.lastStartedAt = startedAt;
    entry.record.runs++;
    this.save(entry);
    log.debug("job started", { trigger });

    const call = guardedCall((signal) => entry.definition.run({ name, signal, log, scheduledAt, trigger }), {
      timeoutMs: settings.timeoutMs,
      clock: this.clock,
      parent: this.shutdown.signal,
    });
    const busy: Promise<void> = call
      .then((outcome) => outcome.settled)
      .finally(() => {
        if (entry.busy === busy) entry.busy = null;
      });
    entry.busy = busy;
    const outcome = await call;

    const status: JobRunStatus = outcome.status === "ok" ? "ok" : outcome.status === "timed_out" ? "timed_out" : "failed";
    const error = outcome.status === "ok" ? null : outcome.status === "cancelled" ? `interrupted: ${outcome.error.message}` : outcome.error.message;
    entry.record.lastFinishedAt = this.clock.now();
    entry.record.lastStatus = status;
    entry.record.lastError = error;
    entry.record.lastSummary = outcome.status === "ok" && typeof outcome.value === "string" ? outcome.value : null;
    entry.record.lastDurationMs = outcome.durationMs;
    if (status !== "ok") entry.record.failures++;
    this.save(entry);
    if (status === "ok") log.debug("job finished", { duration_ms: outcome.durationMs, ...(entry.record.lastSummary ? { summary: entry.record.lastSummary } : {}) });
    else log.warn(status === "timed_out" ? "job timed out" : "job failed", { error, duration_ms: outcome.durationMs });
    return { status, error, durationMs: outcome.durationMs };
  }
}
