/** The job scheduler on a manual clock: cron ticks, overlap protection, timeouts, overrides, status that survives a restart. */
import { afterEach, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { ManualClock } from "../../src/scheduler/clock";
import { Scheduler, type JobDefinition } from "../../src/scheduler/scheduler";
import { SqliteJobStateStore } from "../../src/scheduler/job-store";
import { migrate } from "../../src/db/migrate";
import { configureConnection } from "../../src/db/open";
import { createLogger } from "../../src/log";
import type { Config } from "../../src/config/schema";

/** 2025-01-06 12:00:00 UTC, a Monday. */
const START = Date.UTC(2025, 0, 6, 12, 0, 0);
const MINUTE = 60_000;

type JobsConfig = Pick<Config, "timezone" | "jobs">;

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

function setup(options: { config?: JobsConfig; db?: Database; clock?: ManualClock } = {}) {
  const clock = options.clock ?? new ManualClock(START);
  const lines: string[] = [];
  const log = createLogger({ level: "debug", write: (line) => lines.push(line) });
  let config: JobsConfig = options.config ?? { timezone: "UTC", jobs: {} };
  const scheduler = new Scheduler({ config: () => config, log, clock, store: options.db ? new SqliteJobStateStore(options.db) : undefined, stopGraceMs: 20 });
  return {
    clock,
    scheduler,
    lines,
    setConfig(next: JobsConfig) {
      config = next;
      scheduler.apply();
    },
  };
}

function job(overrides: Partial<JobDefinition> & Pick<JobDefinition, "run">): JobDefinition {
  return { name: "tick", description: "A test job.", schedule: "* * * * *", timeoutSeconds: 30, ...overrides };
}

let running: Scheduler[] = [];
afterEach(async () => {
  await Promise.all(running.map((s) => s.stop()));
  running = [];
});

describe("Scheduler", () => {
  test("runs a job at each cron tick and records its last run", async () => {
    const { clock, scheduler } = setup();
    running.push(scheduler);
    const ranAt: number[] = [];
    scheduler.register(job({ run: (ctx) => void ranAt.push(ctx.scheduledAt) }));
    scheduler.start();
    expect(scheduler.status("tick")!.nextRunAt).toBe(START + MINUTE);
    await clock.advance(3 * MINUTE);
    expect(ranAt).toEqual([START + MINUTE, START + 2 * MINUTE, START + 3 * MINUTE]);
    const status = scheduler.status("tick")!;
    expect(status).toMatchObject({ runs: 3, failures: 0, skipped: 0, lastStatus: "ok", lastError: null, running: false, enabled: true, schedule: "* * * * *" });
    expect(status.lastStartedAt).toBe(START + 3 * MINUTE);
    expect(status.lastFinishedAt).toBe(START + 3 * MINUTE);
    expect(status.nextRunAt).toBe(START + 4 * MINUTE);
  });

  test("overlap: a tick while the previous run is still going is skipped and counted", async () => {
    const { clock, scheduler } = setup();
    running.push(scheduler);
    const gate = deferred();
    let starts = 0;
    scheduler.register(job({ timeoutSeconds: 600, run: () => (++starts === 1 ? gate.promise : undefined) }));
    scheduler.start();
    await clock.advance(MINUTE);
    expect(scheduler.status("tick")!.running).toBe(true);
    await clock.advance(2 * MINUTE);
    expect(starts).toBe(1);
    expect(scheduler.status("tick")).toMatchObject({ runs: 1, skipped: 2, lastStatus: "skipped", running: true });
    gate.resolve();
    await clock.advance(0);
    expect(scheduler.status("tick")).toMatchObject({ lastStatus: "ok", running: false });
    await clock.advance(MINUTE);
    expect(starts).toBe(2);
    expect(scheduler.status("tick")).toMatchObject({ runs: 2, skipped: 2, lastStatus: "ok" });
  });

  test("timeout: the run is marked timed_out, its signal aborted, and it blocks new runs until it really returns", async () => {
    const { clock, scheduler } = setup();
    running.push(scheduler);
    const gate = deferred();
    const signals: AbortSignal[] = [];
    scheduler.register(
      job({
        timeoutSeconds: 10,
        run: (ctx) => {
          signals.push(ctx.signal);
          return signals.length === 1 ? gate.promise : undefined; // the first run ignores its signal
        },
      }),
    );
    scheduler.start();
    await clock.advance(MINUTE + 9_999);
    expect(scheduler.status("tick")!.lastStatus).toBeNull();
    await clock.advance(1);
    expect(signals[0]!.aborted).toBe(true);
    expect(scheduler.status("tick")).toMatchObject({ lastStatus: "timed_out", lastError: "timed out after 10 s", failures: 1, lastDurationMs: 10_000, running: true });
    await clock.advance(MINUTE);
    expect(signals).toHaveLength(1);
    expect(scheduler.status("tick")).toMatchObject({ skipped: 1, lastStatus: "skipped" });
    gate.resolve();
    await clock.advance(MINUTE);
    expect(signals).toHaveLength(2);
    expect(scheduler.status("tick")).toMatchObject({ lastStatus: "ok", runs: 2, failures: 1, running: false });
  });

  test("a job that throws is recorded as failed and keeps its schedule; other jobs are unaffected", async () => {
    const { clock, scheduler } = setup();
    running.push(scheduler);
    let healthyRuns = 0;
    scheduler.register(job({ name: "broken", run: () => { throw new Error("disk full"); } }));
    scheduler.register(job({ name: "healthy", run: () => void healthyRuns++ }));
    scheduler.start();
    await clock.advance(2 * MINUTE);
    expect(scheduler.status("broken")).toMatchObject({ lastStatus: "failed", lastError: "disk full", runs: 2, failures: 2 });
    expect(scheduler.status("healthy")).toMatchObject({ lastStatus: "ok", runs: 2, failures: 0 });
    expect(healthyRuns).toBe(2);
  });

  test("config overrides schedule, enabled and timeout; a reload re-arms the job", async () => {
    const { clock, scheduler, setConfig } = setup({ config: { timezone: "UTC", jobs: { tick: { schedule: "*/5 * * * *", timeout_seconds: 2 } } } });
    running.push(scheduler);
    let runs = 0;
    scheduler.register(job({ run: () => void runs++ }));
    scheduler.start();
    expect(scheduler.status("tick")).toMatchObject({ schedule: "*/5 * * * *", timeoutSeconds: 2, nextRunAt: START + 5 * MINUTE });
    await clock.advance(5 * MINUTE);
    expect(runs).toBe(1);
    setConfig({ timezone: "UTC", jobs: { tick: { enabled: false } } });
    expect(scheduler.status("tick")).toMatchObject({ enabled: false, nextRunAt: null, schedule: "* * * * *", timeoutSeconds: 30 });
    await clock.advance(10 * MINUTE);
    expect(runs).toBe(1);
    setConfig({ timezone: "UTC", jobs: {} });
    await clock.advance(MINUTE);
    expect(runs).toBe(2);
  });

  test("schedules are read in the configured timezone", () => {
    const { scheduler } = setup({ config: { timezone: "America/Chicago", jobs: {} } });
    running.push(scheduler);
    scheduler.register(job({ name: "morning", schedule: "0 6 * * *", run: () => {} }));
    scheduler.start();
    // 06:00 in Chicago in January (CST, UTC−6) is 12:00 UTC; at 12:00 UTC exactly that tick is now, so the next is tomorrow's.
    expect(new Date(scheduler.status("morning")!.nextRunAt!).toISOString()).toBe("2025-01-07T12:00:00.000Z");
  });

  test("runNow runs at once, and is skipped while a run is going", async () => {
    const { scheduler } = setup();
    running.push(scheduler);
    const gate = deferred();
    let calls = 0;
    scheduler.register(job({ run: () => (++calls === 1 ? gate.promise : undefined) }));
    scheduler.start();
    const first = scheduler.runNow("tick");
    expect(await scheduler.runNow("tick")).toEqual({ status: "skipped", error: null, durationMs: 0 });
    gate.resolve();
    expect((await first).status).toBe("ok");
    expect(calls).toBe(1);
    await expect(scheduler.runNow("nope")).rejects.toThrow('unknown job "nope"');
  });

  test("stop() disarms every timer and aborts running jobs", async () => {
    const { clock, scheduler } = setup();
    let signal: AbortSignal | undefined;
    scheduler.register(job({ run: (ctx) => new Promise<void>((resolve) => { signal = ctx.signal; ctx.signal.addEventListener("abort", () => resolve()); }) }));
    scheduler.start();
    await clock.advance(MINUTE);
    expect(signal?.aborted).toBe(false);
    await scheduler.stop();
    expect(signal?.aborted).toBe(true);
    expect(clock.pendingTimers()).toBe(0);
    expect(scheduler.status("tick")).toMatchObject({ lastStatus: "failed", nextRunAt: null });
    expect(scheduler.status("tick")!.lastError).toContain("interrupted");
  });

  test("refuses duplicate names and bad definitions", () => {
    const { scheduler } = setup();
    scheduler.register(job({ run: () => {} }));
    expect(() => scheduler.register(job({ run: () => {} }))).toThrow("registered twice");
    expect(() => scheduler.register(job({ name: "Bad Name", run: () => {} }))).toThrow("lowercase");
    expect(() => scheduler.register(job({ name: "bad-cron", schedule: "every 5 min", run: () => {} }))).toThrow();
  });

  test("last-run status survives a restart (job_state table)", async () => {
    const db = new Database(":memory:", { strict: true });
    configureConnection(db);
    migrate(db);
    const first = setup({ db });
    first.scheduler.register(job({ run: () => { throw new Error("no network"); } }));
    first.scheduler.start();
    await first.clock.advance(MINUTE);
    await first.scheduler.stop();

    const second = setup({ db, clock: new ManualClock(START + 10 * MINUTE) });
    running.push(second.scheduler);
    second.scheduler.register(job({ run: () => {} }));
    expect(second.scheduler.status("tick")).toMatchObject({ runs: 1, failures: 1, lastStatus: "failed", lastError: "no network", lastStartedAt: START + MINUTE });
    db.close();
  });
});

describe("summaries and settings from a config section", () => {
  test("a run's returned line is its summary, kept across a restart; a failed run has none", async () => {
    const db = new Database(":memory:");
    configureConnection(db);
    migrate(db);
    const first = setup({ db });
    running.push(first.scheduler);
    let fail = false;
    first.scheduler.register(job({ run: () => (fail ? Promise.reject(new Error("disk full")) : `copied ${first.clock.now() - START} ms in`) }));
    first.scheduler.start();
    await first.clock.advance(MINUTE);
    expect(first.scheduler.status("tick")).toMatchObject({ lastStatus: "ok", lastSummary: `copied ${MINUTE} ms in` });
    await first.scheduler.stop();

    const second = setup({ db, clock: new ManualClock(START + 10 * MINUTE) });
    running.push(second.scheduler);
    second.scheduler.register(job({ run: () => (fail ? Promise.reject(new Error("disk full")) : undefined) }));
    expect(second.scheduler.status("tick")!.lastSummary).toBe(`copied ${MINUTE} ms in`);
    fail = true;
    second.scheduler.start();
    await second.clock.advance(MINUTE);
    expect(second.scheduler.status("tick")).toMatchObject({ lastStatus: "failed", lastError: "disk full", lastSummary: null });
    db.close();
  });

  test("settings() gives the schedule and on/off, read again when the config changes; jobs.<name> still wins", async () => {
    const { clock, scheduler, setConfig } = setup();
    running.push(scheduler);
    let section = { schedule: "*/10 * * * *", enabled: true };
    let runs = 0;
    scheduler.register(job({ settings: () => section, run: () => void runs++ }));
    scheduler.start();
    expect(scheduler.status("tick")).toMatchObject({ schedule: "*/10 * * * *", enabled: true, nextRunAt: START + 10 * MINUTE });
    await clock.advance(10 * MINUTE);
    expect(runs).toBe(1);
    section = { schedule: "*/10 * * * *", enabled: false };
    setConfig({ timezone: "UTC", jobs: {} });
    expect(scheduler.status("tick")).toMatchObject({ enabled: false, nextRunAt: null });
    await clock.advance(30 * MINUTE);
    expect(runs).toBe(1);
    section = { schedule: "0 * * * *", enabled: true };
    setConfig({ timezone: "UTC", jobs: {} });
    expect(scheduler.status("tick")).toMatchObject({ schedule: "0 * * * *", nextRunAt: START + 60 * MINUTE });
    setConfig({ timezone: "UTC", jobs: { tick: { schedule: "*/5 * * * *" } } });
    expect(scheduler.status("tick")!.schedule).toBe("*/5 * * * *");
  });
});

describe("core jobs", () => {
  test("every built-in job has a unique name, a description and a valid schedule", async () => {
    const { CORE_JOBS, coreJobNames } = await import("../../src/scheduler/jobs");
    const { Cron } = await import("croner");
    expect(coreJobNames()).toContain("session-cleanup");
    expect(new Set(coreJobNames()).size).toBe(CORE_JOBS.length);
    for (const job of CORE_JOBS) {
      expect(job.description).toMatch(/^[A-Z].*\.$/);
      expect(() => new Cron(job.schedule, { paused: true })).not.toThrow();
    }
  });
});
