/**
 * Telemetry retention over a real migrated database: old positions and readings thinned to exactly
 * the first row of each vehicle-minute, with each reading name keeping the first value it had in
 * that minute even when it arrived in a later row, also across chunk boundaries; recent
 * rows, faults and trips untouched; a second run finds nothing to do; dead letters and redelivery
 * guards pruned by age; an aborted run reports itself incomplete. Also: the trips and retention
 * jobs are registered with valid schedules, run through their job entries, and are documented in
 * config.example.yaml.
 */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { readFileSync, rmSync } from "node:fs";
import { resolve } from "node:path";
import type { Database } from "bun:sqlite";
import { openDatabase } from "../../src/db/open";
import { migrate } from "../../src/db/migrate";
import { Fleet } from "../../src/telemetry/fleet";
import { insertReading } from "../helpers/telemetry";
import { runRetention, SEEN_KEEP_MS } from "../../src/telemetry/retention";
import { CORE_JOBS, type CoreJobDeps } from "../../src/scheduler/jobs";
import { CronPattern } from "../../src/scheduler/cron";
import { createLogger } from "../../src/log";
import { tempDir } from "../helpers/app";

const MIN = 60_000;
const DAY = 86_400_000;
const NOW = Date.UTC(2025, 5, 10, 8, 30, 0);

let dir: string;
let db: Database;
let fleet: Fleet;

beforeEach(() => {
  dir = tempDir("haulbox-retention-");
  db = openDatabase(dir);
  migrate(db);
  fleet = new Fleet(db, () => NOW);
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Positions every `stepMs` for `minutes` minutes from `start`. */
function seedPositions(v: number, start: number, minutes: number, stepMs: number): void {
  const insert = db.query("INSERT INTO positions (vehicle_id, ts, lat_e6, lon_e6, speed_dkmh) VALUES (?, ?, 41000000, -93000000, 500)");
  db.transaction(() => {
    for (let ts = start; ts < start + minutes * MIN; ts += stepMs) insert.run(v, ts);
  })();
}

/**
 * The odometer every `stepMs`, and the fuel level 5 s after each odometer reading (so in rows of
 * their own); each value different. Returns what thinning must keep: per minute, the first row's
 * time, the minute's first odometer and its first fuel level.
 */
function seedReadings(v: number, start: number, minutes: number, stepMs: number): { ts: number; odometer_km: number; fuel_level_pct: number }[] {
  const minutesKept = new Map<number, { ts: number; odometer_km: number | null; fuel_level_pct: number | null }>();
  const keep = (ts: number, name: "odometer_km" | "fuel_level_pct", value: number) => {
    const minute = Math.floor(ts / MIN);
    const kept = minutesKept.get(minute) ?? minutesKept.set(minute, { ts, odometer_km: null, fuel_level_pct: null }).get(minute)!;
    kept[name] ??= value;
  };
  db.transaction(() => {
    for (let ts = start; ts < start + minutes * MIN; ts += stepMs) {
      const odometer = 100_000 + (ts - start) / 1000;
      const fuel = 90 - (ts - start) / 100_000;
      insertReading(db, v, "odometer_km", ts, odometer);
      insertReading(db, v, "fuel_level_pct", ts + 5000, fuel);
      keep(ts, "odometer_km", odometer);
      keep(ts + 5000, "fuel_level_pct", fuel);
    }
  })();
  return [...minutesKept.values()] as { ts: number; odometer_km: number; fuel_level_pct: number }[];
}

const count = (sql: string, ...args: number[]) => (db.query(`SELECT count(*) AS n FROM ${sql}`).get(...args) as { n: number }).n;

describe("thinning", () => {
  for (const chunkRows of [10_000, 7]) {
    test(`rows older than retention_days keep exactly the first of each vehicle-minute; recent rows stay (chunks of ${chunkRows})`, async () => {
      const a = fleet.createVehicle({ unit: "101" }).id;
      const b = fleet.createVehicle({ unit: "102" }).id;
      // 100 days ago: a fix every 10 s for 30 minutes, starting 20 s into a minute, for both trucks.
      const old = Math.floor((NOW - 100 * DAY) / MIN) * MIN + 20_000;
      const recent = NOW - 2 * DAY;
      const expectedReadings = new Map<number, ReturnType<typeof seedReadings>>();
      for (const v of [a, b]) {
        seedPositions(v, old, 30, 10_000);
        seedPositions(v, recent, 10, 10_000);
        expectedReadings.set(v, seedReadings(v, old, 30, 15_000));
        seedReadings(v, recent, 10, 15_000);
      }
      const stats = await runRetention(db, { retentionDays: 90, deadLetterDays: 30, now: NOW, chunkRows });
      expect(stats.complete).toBe(true);
      for (const v of [a, b]) {
        const kept = db.query("SELECT ts FROM positions WHERE vehicle_id = ? AND ts < ? ORDER BY ts").all(v, NOW - 90 * DAY) as { ts: number }[];
        // Fixes at :20 :30 :40 :50 of the first minute, then :00 … :50 of the next 29 and :00, :10
        // of the 31st: kept are the :20 fix, then each following minute's :00 fix.
        const minute = Math.floor(old / MIN) * MIN;
        expect(kept.map((row) => row.ts)).toEqual([old, ...Array.from({ length: 30 }, (_, i) => minute + (i + 1) * MIN)]);
        expect(count("positions WHERE vehicle_id = ? AND ts >= ?", v, recent)).toBe(60);
        // One row per minute, holding each name's first value of that minute (the fuel level came
        // 5 s after the odometer, in a row that was deleted: its value moved into the kept row).
        const keptReadings = db.query("SELECT ts, odometer_km, fuel_level_pct FROM readings WHERE vehicle_id = ? AND ts < ? ORDER BY ts").all(v, NOW - 90 * DAY);
        expect(keptReadings).toHaveLength(31);
        expect(keptReadings).toEqual(expectedReadings.get(v)!);
        expect(count("readings WHERE vehicle_id = ? AND ts >= ?", v, recent)).toBe(80);
      }
      // 180 fixes → 31 kept per truck; 120 odometer + 120 fuel rows → 31 kept.
      expect(stats.positionsDeleted).toBe(2 * (180 - 31));
      expect(stats.readingsDeleted).toBe(2 * (240 - 31));

      // The next night has nothing new to thin; it does not even revisit the thinned day.
      const again = await runRetention(db, { retentionDays: 90, deadLetterDays: 30, now: NOW + 60_000, chunkRows });
      expect(again).toMatchObject({ positionsDeleted: 0, readingsDeleted: 0, complete: true });
    });
  }

  test("faults and trips are kept forever", async () => {
    const v = fleet.createVehicle({ unit: "101" }).id;
    const ancient = NOW - 3000 * DAY;
    db.query("INSERT INTO faults (vehicle_id, source_address, spn, fmi, oc, cm, lamp_mil, lamp_red_stop, lamp_amber_warning, lamp_protect, first_seen, last_seen, cleared_at) VALUES (?, 0, 100, 1, 1, 0, 'on', 'off', 'off', 'off', ?, ?, ?)").run(v, ancient, ancient, ancient);
    db.query("INSERT INTO trips (vehicle_id, start_ts, end_ts, distance_km) VALUES (?, ?, ?, 10)").run(v, ancient, ancient + MIN);
    db.query("INSERT INTO vehicle_days (vehicle_id, day, distance_km) VALUES (?, '2017-01-01', 10)").run(v);
    await runRetention(db, { retentionDays: 1, deadLetterDays: 1, now: NOW });
    expect([count("faults"), count("trips"), count("vehicle_days")]).toEqual([1, 1, 1]);
  });
});

describe("pruning", () => {
  test("dead letters older than dead_letter_days and redelivery guards older than 24 h are deleted", async () => {
    const dead = db.query("INSERT INTO dead_letters (received_at, payload, payload_bytes, reason) VALUES (?, 'x', 1, 'junk')");
    for (let i = 0; i < 25; i++) dead.run(NOW - 31 * DAY - i);
    for (let i = 0; i < 5; i++) dead.run(NOW - 29 * DAY - i);
    const seen = db.query("INSERT INTO ingest_seen (hash, received_at) VALUES (?, ?)");
    for (let i = 0; i < 40; i++) seen.run(new Uint8Array([i, 1, 2, 3]), i % 2 ? NOW - SEEN_KEEP_MS - 1 : NOW - SEEN_KEEP_MS + 60_000);
    const stats = await runRetention(db, { retentionDays: 90, deadLetterDays: 30, now: NOW, chunkRows: 6 });
    expect(stats).toMatchObject({ deadLettersDeleted: 25, seenDeleted: 20, complete: true });
    expect(count("dead_letters")).toBe(5);
    expect(count("ingest_seen WHERE received_at < ?", NOW - SEEN_KEEP_MS)).toBe(0);
    expect(count("ingest_seen")).toBe(20);
  });

  test("an aborted run stops between chunks and says so; the next run finishes the job", async () => {
    const dead = db.query("INSERT INTO dead_letters (received_at, payload, payload_bytes, reason) VALUES (?, 'x', 1, 'junk')");
    for (let i = 0; i < 30; i++) dead.run(NOW - 40 * DAY);
    const controller = new AbortController();
    controller.abort();
    const stats = await runRetention(db, { retentionDays: 90, deadLetterDays: 30, now: NOW, chunkRows: 10, signal: controller.signal });
    expect(stats.complete).toBe(false);
    expect(count("dead_letters")).toBeGreaterThan(0);
    await runRetention(db, { retentionDays: 90, deadLetterDays: 30, now: NOW, chunkRows: 10 });
    expect(count("dead_letters")).toBe(0);
  });
});

describe("jobs", () => {
  const example = readFileSync(resolve(import.meta.dir, "../../config.example.yaml"), "utf8");

  test("trips and telemetry-retention are built-in jobs with valid schedules, documented in config.example.yaml", () => {
    const byName = new Map(CORE_JOBS.map((job) => [job.name, job]));
    expect(byName.get("trips")?.schedule).toBe("* * * * *");
    expect(byName.get("telemetry-retention")?.schedule).toBe("30 3 * * *");
    for (const job of CORE_JOBS) {
      expect(() => new CronPattern(job.schedule, "America/Chicago")).not.toThrow();
      expect(job.timeoutSeconds).toBeGreaterThan(0);
      expect(example).toContain(`#   ${job.name}:\n`);
      // A job configured by its own section (backup → backups:) shows its schedule there.
      if (job.settingsIn) expect(example).toContain(`# ${job.settingsIn.section}:\n`);
      expect(example).toContain(job.settingsIn ? `#   schedule: "${job.schedule}"` : `#     schedule: "${job.schedule}"`);
    }
    // The every-minute job must finish well inside its minute.
    expect(byName.get("trips")!.timeoutSeconds).toBeLessThan(60);
  });

  test("the job entries read the config, do the work and log their counts", async () => {
    const v = fleet.createVehicle({ unit: "101" }).id;
    seedPositions(v, Math.floor((NOW - 100 * DAY) / MIN) * MIN, 2, 10_000);
    const lines: string[] = [];
    const log = createLogger({ level: "debug", write: (line) => lines.push(line) });
    const config = { timezone: "America/Chicago", telemetry: { retention_days: 90, dead_letter_days: 30 } };
    const deps = { db, log, config: { current: () => config } } as unknown as CoreJobDeps;
    const ctx = (name: string) => ({ name, signal: new AbortController().signal, log: log.child({ job: name }), scheduledAt: NOW, trigger: "manual" as const });
    for (const name of ["trips", "telemetry-retention"]) await CORE_JOBS.find((job) => job.name === name)!.run(ctx(name), deps);
    expect(count("positions")).toBe(2);
    const retention = lines.map((line) => JSON.parse(line)).find((entry) => entry.msg === "telemetry retention");
    expect(retention).toMatchObject({ positions_deleted: 10, readings_deleted: 0, dead_letters_deleted: 0, seen_deleted: 0, complete: true });
    expect(count("trip_state")).toBe(1);
  });
});
