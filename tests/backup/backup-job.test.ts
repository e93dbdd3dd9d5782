/**
 * The scheduled backup job inside the app, driven by the scheduler on a manual clock: it runs at
 * backups.schedule, keeps exactly backups.keep files (and never touches other files), reports on
 * the Jobs API and in /metrics, copies on a worker thread so the event loop keeps turning, and a
 * run that times out or fails is reported without leaving a partial file or touching the backups
 * already kept.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { testApp, type TestApp } from "../helpers/app";
import { ManualClock } from "../../src/scheduler/clock";
import { Database } from "bun:sqlite";
import { fillPositions } from "./database-contents";

/** 2025-01-06 12:00:00 UTC. */
const START = Date.UTC(2025, 0, 6, 12, 0, 0);
const HOUR = 3_600_000;

let t: TestApp;
const clock = new ManualClock(START);
let backupsDir: string;

beforeAll(async () => {
  // Hourly backups; the every-minute jobs off, so advancing hours runs only what this test is about.
  const yaml = 'backups:\n  schedule: "0 * * * *"\n  keep: 2\njobs:\n  trips:\n    enabled: false\n  loads-expire:\n    enabled: false\n';
  t = await testApp({ yaml, clock });
  backupsDir = t.deps.config.current().backups.dir;
  const vehicles = [1, 2, 3, 4].map((n) => t.deps.fleet.createVehicle({ unit: `B-${n}` }).id);
  // About 30 MB: big enough that the copy and its check take a few hundred ms each.
  fillPositions(t.deps.db, { vehicles, perVehicle: 150_000, endMs: START });
  // Files that are not backups, in the same folder: retention must leave them alone.
  mkdirSync(backupsDir, { recursive: true });
  for (const name of ["notes.txt", "haulbox-latest.db", "haulbox.db", "haulbox-20240101-000000.db.keep"]) writeFileSync(join(backupsDir, name), name);
});
afterAll(() => t.cleanup());

/** Scrapes /metrics into `series → value`. */
async function scrape(): Promise<Map<string, number>> {
  const response = await t.request("GET", "/metrics", { token: t.token("viewer") });
  expect(response.status).toBe(200);
  const samples = new Map<string, number>();
  for (const line of (await response.text()).split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const space = line.lastIndexOf(" ");
    samples.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return samples;
}

/** Advances the clock to the next tick and waits (real time) until the job's run has finished. */
async function nextTick(): Promise<void> {
  const runs = t.deps.scheduler.status("backup")!.runs;
  await clock.advanceTo(t.deps.scheduler.status("backup")!.nextRunAt!);
  for (let i = 0; i < 600 && (t.deps.scheduler.status("backup")!.running || t.deps.scheduler.status("backup")!.runs === runs); i++) await Bun.sleep(10);
  expect(t.deps.scheduler.status("backup")).toMatchObject({ running: false, runs: runs + 1 });
}

describe("the backup job", () => {
  test("is scheduled from backups.schedule; before any run, /metrics shows no backups", async () => {
    expect(t.deps.scheduler.status("backup")).toMatchObject({ schedule: "0 * * * *", enabled: true, nextRunAt: START + HOUR, runs: 0 });
    const samples = await scrape();
    expect(samples.get("haulbox_backups_kept")).toBe(0);
    expect(samples.get("haulbox_backup_last_success_timestamp_seconds")).toBe(0);
    expect(samples.get("haulbox_backup_failures_total")).toBe(0);
  });

  test("runs on its ticks off the main thread and keeps exactly backups.keep backups, touching nothing else", async () => {
    const realStart = Date.now();
    // Timers on the main thread while the job runs: with the copy on this thread they would stall
    // for the whole VACUUM INTO; on the worker they keep firing.
    let maxGap = 0;
    let last = performance.now();
    const ticker = setInterval(() => {
      const now = performance.now();
      maxGap = Math.max(maxGap, now - last);
      last = now;
    }, 5);
    try {
      await nextTick();
    } finally {
      clearInterval(ticker);
    }
    const written = t.logLines.map((line) => JSON.parse(line)).find((entry) => entry.msg === "backup written");
    expect(written).toMatchObject({ file: join(backupsDir, "haulbox-20250106-130000.db"), kept: 1, deleted: [] });
    // On the main thread the longest gap would be at least the longest SQLite call (VACUUM INTO or
    // the integrity check, 150–250 ms each here); on a machine so fast that they take under 50 ms
    // the timers cannot tell the difference, and only the rest of this test counts.
    const longestCall = Math.max(written.copy_ms, written.check_ms);
    if (longestCall >= 50) expect(maxGap).toBeLessThan(longestCall * 0.75);

    await nextTick();
    await nextTick();
    const names = readdirSync(backupsDir).sort();
    expect(names).toEqual(["haulbox-20240101-000000.db.keep", "haulbox-20250106-140000.db", "haulbox-20250106-150000.db", "haulbox-latest.db", "haulbox.db", "notes.txt"]);
    const newest = join(backupsDir, "haulbox-20250106-150000.db");
    // A whole copy (tests/backup/backup-restore.test.ts compares every row under concurrent writes).
    const copy = new Database(newest, { readonly: true });
    expect(copy.query("SELECT count(*) AS n FROM positions").get()).toEqual({ n: 600_000 });
    expect(copy.query("PRAGMA user_version").get()).toEqual(t.deps.db.query("PRAGMA user_version").get());
    copy.close();

    const status = t.deps.scheduler.status("backup")!;
    expect(status).toMatchObject({ runs: 3, failures: 0, lastStatus: "ok" });
    const api = (await (await t.request("GET", "/api/v1/jobs", { token: t.token("viewer") })).json()) as { data: { name: string; last_summary: string | null }[] };
    const summary = api.data.find((job) => job.name === "backup")!.last_summary!;
    expect(summary).toStartWith("haulbox-20250106-150000.db: ");
    expect(summary).toContain(" MB, schema ");
    expect(summary).toContain(`; 2 kept in ${backupsDir}, 1 older deleted`);

    const samples = await scrape();
    expect(samples.get("haulbox_backups_kept")).toBe(2);
    expect(samples.get("haulbox_backup_last_size_bytes")).toBe(statSync(newest).size);
    const finishedAt = samples.get("haulbox_backup_last_success_timestamp_seconds")!;
    expect(finishedAt).toBeGreaterThanOrEqual(Math.floor(realStart / 1000));
    expect(finishedAt).toBeLessThanOrEqual(Date.now() / 1000);
    expect(samples.get("haulbox_backup_last_duration_seconds")).toBeGreaterThan(0);
    expect(samples.get("haulbox_backup_failures_total")).toBe(0);
    expect(samples.get('haulbox_job_runs_total{job="backup"}')).toBe(3);
    expect(samples.get('haulbox_job_last_run_ok{job="backup"}')).toBe(1);
  });

  test("a run past its timeout is abandoned: its unfinished copy is removed once the worker lets go, and the backups kept stay", async () => {
    writeFileSync(join(t.dataDir, "missing.yaml"), `data_dir: ${t.dataDir}\nbackups:\n  enabled: false\n  keep: 2\njobs:\n  backup:\n    timeout_seconds: 1\n  trips:\n    enabled: false\n  loads-expire:\n    enabled: false\n`);
    expect(await t.deps.config.reload()).toEqual({ ok: true });
    expect(t.deps.scheduler.status("backup")).toMatchObject({ enabled: false, nextRunAt: null });
    const run = t.deps.scheduler.runNow("backup");
    await Bun.sleep(30); // the worker is copying now
    await clock.advance(1000);
    expect(await run).toMatchObject({ status: "timed_out", error: "timed out after 1 s" });
    // VACUUM INTO cannot be interrupted: the worker stops when it returns, then its files go.
    const unfinished = () => readdirSync(backupsDir).filter((name) => name.includes("haulbox-partial"));
    for (let i = 0; i < 500 && unfinished().length; i++) await Bun.sleep(10);
    expect(unfinished()).toEqual([]);
    expect(readdirSync(backupsDir).filter((name) => name.startsWith("haulbox-2025")).sort()).toEqual(["haulbox-20250106-140000.db", "haulbox-20250106-150000.db"]);
    expect((await scrape()).get("haulbox_backup_failures_total")).toBe(1);
  });

  test("a failing run is reported on the Jobs API and in /metrics, and the backups kept stay", async () => {
    // Point backups.dir below a plain file: the folder cannot be made.
    const blocker = join(t.dataDir, "blocker");
    writeFileSync(blocker, "not a folder");
    writeFileSync(join(t.dataDir, "missing.yaml"), `data_dir: ${t.dataDir}\nbackups:\n  dir: ${join(blocker, "backups")}\n  schedule: "0 * * * *"\n  keep: 2\n`);
    expect(await t.deps.config.reload()).toEqual({ ok: true });
    const result = await t.deps.scheduler.runNow("backup");
    expect(result.status).toBe("failed");
    expect(result.error).toStartWith(`cannot create the backup folder ${join(blocker, "backups")}: `);
    expect(t.deps.scheduler.status("backup")).toMatchObject({ lastStatus: "failed", lastSummary: null, failures: 2 });
    const samples = await scrape();
    expect(samples.get("haulbox_backup_failures_total")).toBe(2);
    expect(samples.get('haulbox_job_last_run_ok{job="backup"}')).toBe(0);
    expect(readdirSync(backupsDir).filter((name) => name.startsWith("haulbox-2025")).sort()).toEqual(["haulbox-20250106-140000.db", "haulbox-20250106-150000.db"]);
    expect(existsSync(join(blocker, "backups"))).toBe(false);
  });
});
