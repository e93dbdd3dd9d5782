/**
 * Trips and daily distance over a real migrated database with seeded positions and readings: each
 * end rule (ignition off, standing over 10 minutes, data gap between fixes and before the horizon),
 * a speed-only phone tracker, odometer versus GPS distance (negative and absurd odometer jumps
 * rejected), GPS glitches skipped, an open trip continued by the next run, idempotency (a second
 * run changes nothing; many small runs equal one big run), and a trip across midnight in
 * America/Chicago split into that zone's calendar days.
 */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import type { Database } from "bun:sqlite";
import { openDatabase } from "../../src/db/open";
import { migrate } from "../../src/db/migrate";
import { Fleet } from "../../src/telemetry/fleet";
import type { ReadingName } from "../../src/ingest/records";
import { insertReading } from "../helpers/telemetry";
import { EARTH_RADIUS_KM } from "../../src/domain/geo";
import { localDay, SETTLE_MS, splitByDay, updateTrips } from "../../src/telemetry/trips";
import { tempDir } from "../helpers/app";

const MIN = 60_000;
/** 2025-06-10 12:00 UTC. */
const T0 = Date.UTC(2025, 5, 10, 12, 0, 0);
const LAT = 41;
/** Degrees of longitude per km along the parallel LAT. */
const LON_PER_KM = 1 / ((Math.PI / 180) * EARTH_RADIUS_KM * Math.cos((LAT * Math.PI) / 180));

let dir: string;
let db: Database;
let fleet: Fleet;

beforeEach(() => {
  dir = tempDir("haulbox-trips-");
  db = openDatabase(dir);
  migrate(db);
  fleet = new Fleet(db, () => T0);
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

function vehicle(unit = "101"): number {
  return fleet.createVehicle({ unit }).id;
}

function fix(v: number, ts: number, lon: number, kmh: number | null, lat = LAT): void {
  db.query("INSERT INTO positions (vehicle_id, ts, lat_e6, lon_e6, speed_dkmh) VALUES (?, ?, ?, ?, ?)").run(v, ts, Math.round(lat * 1e6), Math.round(lon * 1e6), kmh === null ? null : Math.round(kmh * 10));
}

function reading(v: number, name: ReadingName, ts: number, value: number): void {
  insertReading(db, v, name, ts, value);
}

/**
 * Drives east at `kmh` with a fix every minute from `start` for `minutes` fixes; returns the
 * longitude reached. `reportSpeed: false` leaves speed out, like a phone tracker that sends none.
 */
function drive(v: number, start: number, minutes: number, kmh: number, lon: number, options: { reportSpeed?: boolean; odometer?: { km: number; perKm: number } } = {}): number {
  for (let i = 0; i < minutes; i++) {
    lon += (kmh / 60) * LON_PER_KM;
    fix(v, start + i * MIN, lon, options.reportSpeed === false ? null : kmh);
    if (options.odometer) {
      options.odometer.km += (kmh / 60) * options.odometer.perKm;
      reading(v, "odometer_km", start + i * MIN, options.odometer.km);
    }
  }
  return lon;
}

/** Standing fixes every minute at `lon`. */
function stand(v: number, start: number, minutes: number, lon: number, kmh: number | null = 0): void {
  for (let i = 0; i < minutes; i++) fix(v, start + i * MIN, lon, kmh);
}

interface TripRow {
  id: number;
  vehicle_id: number;
  start_ts: number;
  end_ts: number | null;
  start_lat: number;
  start_lon: number;
  end_lat: number;
  end_lon: number;
  start_odometer_km: number | null;
  end_odometer_km: number | null;
  distance_km: number;
  distance_source: string;
}

function trips(v: number): TripRow[] {
  return db.query("SELECT * FROM trips WHERE vehicle_id = ? ORDER BY start_ts").all(v) as TripRow[];
}

function days(v: number): Record<string, number> {
  const rows = db.query("SELECT day, distance_km FROM vehicle_days WHERE vehicle_id = ? ORDER BY day").all(v) as { day: string; distance_km: number }[];
  return Object.fromEntries(rows.map((row) => [row.day, row.distance_km]));
}

/** Runs the job as if at `now` (the settled horizon is now − SETTLE_MS). */
function run(now: number, timeZone = "UTC", maxRows?: number) {
  return updateTrips(db, { timeZone, now, maxRows });
}

describe("trip boundaries", () => {
  test("ignition on then movement starts the trip at ignition-on; ignition off ends it; GPS lag after off starts nothing", async () => {
    const v = vehicle();
    const lon0 = -93;
    reading(v, "ignition", T0, 1);
    stand(v, T0, 3, lon0); // warm-up, T0 .. T0+2
    const lon1 = drive(v, T0 + 3 * MIN, 30, 60, lon0); // T0+3 .. T0+32, 1 km a minute
    reading(v, "ignition", T0 + 33 * MIN, 0);
    fix(v, T0 + 33 * MIN + 20_000, lon1, 12); // speed still reported after the key is off
    stand(v, T0 + 34 * MIN, 20, lon1);
    const stats = await run(T0 + 2 * 60 * MIN);
    expect(stats).toMatchObject({ vehicles: 1, closed: 1, open: 0 });
    const [trip, ...rest] = trips(v);
    expect(rest).toEqual([]);
    expect(trip).toMatchObject({ start_ts: T0, end_ts: T0 + 33 * MIN, distance_source: "gps", start_odometer_km: null });
    expect(trip!.start_lon).toBeCloseTo(lon0, 5);
    expect(trip!.end_lon).toBeCloseTo(lon1, 5);
    expect(trip!.distance_km).toBeCloseTo(30, 1);
  });

  test("ignition on long before moving (idling) starts the trip at the movement, not at the key", async () => {
    const v = vehicle();
    reading(v, "ignition", T0, 1);
    stand(v, T0, 20, -93);
    drive(v, T0 + 20 * MIN, 10, 60, -93);
    reading(v, "ignition", T0 + 30 * MIN, 0);
    await run(T0 + 60 * MIN);
    expect(trips(v).map((t) => [t.start_ts, t.end_ts])).toEqual([[T0 + 20 * MIN, T0 + 30 * MIN]]);
  });

  test("standing more than 10 minutes ends the trip at the time it stopped; a 5-minute stop does not", async () => {
    const v = vehicle();
    let lon = drive(v, T0, 10, 60, -93); // T0 .. T0+9
    stand(v, T0 + 10 * MIN, 5, lon); // traffic: T0+10 .. T0+14
    lon = drive(v, T0 + 15 * MIN, 5, 60, lon); // T0+15 .. T0+19
    stand(v, T0 + 20 * MIN, 15, lon); // parked: T0+20 .. T0+34
    drive(v, T0 + 35 * MIN, 10, 60, lon); // T0+35 .. T0+44
    stand(v, T0 + 45 * MIN, 15, lon + 10 * LON_PER_KM);
    await run(T0 + 2 * 60 * MIN);
    const rows = trips(v);
    expect(rows.map((t) => [t.start_ts, t.end_ts])).toEqual([
      [T0, T0 + 20 * MIN],
      [T0 + 35 * MIN, T0 + 45 * MIN],
    ]);
    // 10 + 5 km driven, minus the first fix's own kilometre (no fix before it to start from); the
    // second trip counts the hop from where it stood to its first moving fix.
    expect(rows[0]!.distance_km).toBeCloseTo(14, 1);
    expect(rows[0]!.end_lon).toBeCloseTo(lon, 5);
    expect(rows[1]!.distance_km).toBeCloseTo(10, 1);
  });

  test("a data gap over 30 minutes ends the trip at the last fix before it", async () => {
    const v = vehicle();
    const lon = drive(v, T0, 10, 60, -93); // last fix T0+9
    drive(v, T0 + 50 * MIN, 10, 60, lon + 40 * LON_PER_KM);
    await run(T0 + 62 * MIN + SETTLE_MS - 2 * MIN);
    const rows = trips(v);
    expect(rows.map((t) => [t.start_ts, t.end_ts])).toEqual([
      [T0, T0 + 9 * MIN],
      [T0 + 50 * MIN, null],
    ]);
    // The 40 km gap is not counted in either trip.
    expect(rows[0]!.distance_km).toBeCloseTo(9, 1);
  });

  test("data that stops closes the trip once the horizon is 30 minutes past the last fix, not before", async () => {
    const v = vehicle();
    drive(v, T0, 10, 60, -93); // last fix T0+9
    await run(T0 + 9 * MIN + 20 * MIN + SETTLE_MS);
    expect(trips(v).map((t) => t.end_ts)).toEqual([null]);
    await run(T0 + 9 * MIN + 31 * MIN + SETTLE_MS);
    expect(trips(v).map((t) => t.end_ts)).toEqual([T0 + 9 * MIN]);
  });

  test("a phone tracker without ignition or reported speed goes by implied speed alone", async () => {
    const v = vehicle();
    const lon = drive(v, T0, 15, 72, -93, { reportSpeed: false }); // 1.2 km a minute
    stand(v, T0 + 15 * MIN, 15, lon, null);
    await run(T0 + 60 * MIN);
    const rows = trips(v);
    // The first fix has no previous one to imply a speed from: the trip starts at the second,
    // from where the first put it.
    expect(rows.map((t) => [t.start_ts, t.end_ts, t.distance_source])).toEqual([[T0 + MIN, T0 + 15 * MIN, "gps"]]);
    expect(rows[0]!.distance_km).toBeCloseTo(14 * 1.2, 1);
  });
});

describe("distance", () => {
  test("the odometer wins when it brackets the trip; its per-day share follows", async () => {
    const v = vehicle();
    reading(v, "ignition", T0, 1);
    reading(v, "odometer_km", T0, 100_000);
    stand(v, T0, 2, -93);
    const lon = drive(v, T0 + 2 * MIN, 30, 60, -93, { odometer: { km: 100_000, perKm: 1.05 } });
    reading(v, "ignition", T0 + 32 * MIN, 0);
    stand(v, T0 + 32 * MIN, 5, lon);
    await run(T0 + 60 * MIN);
    const [trip] = trips(v);
    expect(trip).toMatchObject({ distance_source: "odometer", start_odometer_km: 100_000, start_ts: T0, end_ts: T0 + 32 * MIN });
    expect(trip!.end_odometer_km).toBeCloseTo(100_031.5, 6);
    expect(trip!.distance_km).toBeCloseTo(31.5, 6);
    expect(days(v)["2025-06-10"]).toBeCloseTo(31.5, 6);
  });

  test("an odometer that goes backwards or jumps faster than 150 km/h is ignored for GPS", async () => {
    const backwards = vehicle("201");
    const jump = vehicle("202");
    for (const [v, end] of [
      [backwards, 99_990],
      [jump, 100_500],
    ] as const) {
      reading(v, "odometer_km", T0, 100_000);
      drive(v, T0, 30, 60, -93);
      reading(v, "odometer_km", T0 + 29 * MIN, end);
      stand(v, T0 + 30 * MIN, 12, -93 + 30 * LON_PER_KM);
    }
    await run(T0 + 60 * MIN);
    for (const v of [backwards, jump]) {
      const [trip] = trips(v);
      expect(trip!.distance_source).toBe("gps");
      expect(trip!.distance_km).toBeCloseTo(29, 1);
    }
  });

  test("GPS glitches implying over 200 km/h are skipped, and do not become the end position", async () => {
    const clean = vehicle("301");
    const glitchy = vehicle("302");
    for (const v of [clean, glitchy]) {
      const lon = drive(v, T0, 20, 60, -93);
      stand(v, T0 + 20 * MIN, 12, lon);
    }
    // Replace two fixes of the second truck with jumps 50 km north (3000 km/h).
    db.query("UPDATE positions SET lat_e6 = lat_e6 + 450000 WHERE vehicle_id = ? AND ts IN (?, ?)").run(glitchy, T0 + 5 * MIN, T0 + 12 * MIN);
    db.query("UPDATE positions SET lat_e6 = lat_e6 + 450000 WHERE vehicle_id = ? AND ts = ?").run(glitchy, T0 + 31 * MIN);
    await run(T0 + 60 * MIN);
    const [a] = trips(clean);
    const [b] = trips(glitchy);
    expect(b!.distance_km).toBeCloseTo(a!.distance_km, 6);
    expect(b!.end_lat).toBeCloseTo(LAT, 5);
    expect([b!.start_ts, b!.end_ts]).toEqual([a!.start_ts, a!.end_ts]);
  });

  test("a run of glitches longer than the re-anchor limit means the reference was wrong: the track resumes", async () => {
    const v = vehicle();
    drive(v, T0, 2, 60, -93);
    // The second fix is far off; the rest of the track continues from the first.
    db.query("UPDATE positions SET lat_e6 = lat_e6 + 900000 WHERE vehicle_id = ? AND ts = ?").run(v, T0 + MIN);
    drive(v, T0 + 2 * MIN, 20, 60, -93 + 2 * LON_PER_KM);
    await run(T0 + 60 * MIN);
    const [trip] = trips(v);
    // Fix 0 → fix 2 (2 km) then 19 one-km hops; the bad fix is never counted.
    expect(trip!.distance_km).toBeCloseTo(21, 1);
  });
});

describe("runs", () => {
  test("an open trip is stored with end_ts null and continued by the next run", async () => {
    const v = vehicle();
    let lon = drive(v, T0, 21, 60, -93); // T0 .. T0+20
    await run(T0 + 20 * MIN + SETTLE_MS);
    const [open] = trips(v);
    expect(open).toMatchObject({ start_ts: T0, end_ts: null });
    expect(open!.distance_km).toBeCloseTo(20, 1);
    expect(open!.end_lon).toBeCloseTo(lon, 5);
    expect(days(v)["2025-06-10"]).toBeCloseTo(20, 1);

    lon = drive(v, T0 + 21 * MIN, 20, 60, lon); // T0+21 .. T0+40
    stand(v, T0 + 41 * MIN, 12, lon);
    await run(T0 + 2 * 60 * MIN);
    const after = trips(v);
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ id: open!.id, start_ts: T0, end_ts: T0 + 41 * MIN });
    expect(after[0]!.distance_km).toBeCloseTo(40, 1);
    expect(days(v)["2025-06-10"]).toBeCloseTo(40, 1);
  });

  test("a second run over the same data changes nothing", async () => {
    const v = vehicle();
    reading(v, "ignition", T0, 1);
    const lon = drive(v, T0, 30, 60, -93);
    reading(v, "ignition", T0 + 30 * MIN, 0);
    drive(v, T0 + 60 * MIN, 10, 50, lon); // still open at the end
    const now = T0 + 70 * MIN + SETTLE_MS;
    await run(now);
    const first = { trips: trips(v), days: days(v) };
    const stats = await run(now);
    expect(stats.events).toBe(0);
    expect({ trips: trips(v), days: days(v) }).toEqual(first);
    await run(now + 30_000);
    expect({ trips: trips(v), days: days(v) }).toEqual(first);
  });

  test("many small runs (and runs capped at a few rows) give the same trips and days as one run", async () => {
    const seed = (v: number) => {
      reading(v, "ignition", T0, 1);
      reading(v, "odometer_km", T0, 5000);
      let lon = drive(v, T0 + MIN, 25, 60, -93, { odometer: { km: 5000, perKm: 1 } });
      stand(v, T0 + 26 * MIN, 7, lon);
      lon = drive(v, T0 + 33 * MIN, 10, 80, lon);
      reading(v, "ignition", T0 + 43 * MIN, 0);
      reading(v, "ignition", T0 + 60 * MIN, 1);
      lon = drive(v, T0 + 61 * MIN, 30, 70, lon, { reportSpeed: false });
      stand(v, T0 + 91 * MIN, 15, lon);
      drive(v, T0 + 140 * MIN, 10, 60, lon);
    };
    const once = vehicle("401");
    const stepwise = vehicle("402");
    const capped = vehicle("403");
    seed(once);
    seed(stepwise);
    seed(capped);
    const end = T0 + 4 * 60 * MIN;
    // A watermark at the end hides a vehicle from the runs until it is deleted.
    const hide = (v: number) => db.query("INSERT INTO trip_state (vehicle_id, processed_ts, walker, updated_at) VALUES (?, ?, '{}', 0)").run(v, end);
    const show = (v: number) => db.query("DELETE FROM trip_state WHERE vehicle_id = ?").run(v);
    hide(once);
    hide(capped);
    for (let now = T0; now <= end; now += 3 * MIN + 7_000) await run(now);
    show(capped);
    const capRuns: number[] = [];
    for (let i = 0; i < 200; i++) capRuns.push((await run(end, "UTC", 7)).events);
    show(once);
    expect((await run(end)).events).toBeGreaterThan(100);
    const shape = (v: number) => trips(v).map(({ id: _id, vehicle_id: _vehicle, ...rest }) => rest);
    expect(shape(once).length).toBeGreaterThanOrEqual(3);
    expect(shape(stepwise)).toEqual(shape(once));
    expect(shape(capped)).toEqual(shape(once));
    expect(days(stepwise)).toEqual(days(once));
    expect(days(capped)).toEqual(days(once));
    // The cap really split the walk into many runs, and they caught up.
    expect(capRuns.filter((events) => events > 0).length).toBeGreaterThan(10);
    expect(capRuns.at(-1)).toBe(0);
  });
});

describe("miles per day", () => {
  test("a trip across midnight in America/Chicago is split between that zone's two days by its positions", async () => {
    const v = vehicle();
    // 2025-06-11 00:00 CDT is 05:00 UTC. Drive 23:40 → 00:19 local at 60 km/h, then park.
    const midnight = Date.UTC(2025, 5, 11, 5, 0, 0);
    const lon = drive(v, midnight - 20 * MIN, 40, 60, -93);
    stand(v, midnight + 20 * MIN, 12, lon);
    await run(midnight + 2 * 60 * MIN, "America/Chicago");
    const [trip] = trips(v);
    expect(trip!.distance_km).toBeCloseTo(39, 1);
    const perDay = days(v);
    expect(Object.keys(perDay)).toEqual(["2025-06-10", "2025-06-11"]);
    // Hops ending 23:41 … 00:00 are the old day's 20 km; 00:01 … 00:19 the new day's 19.
    expect(perDay["2025-06-10"]).toBeCloseTo(20, 1);
    expect(perDay["2025-06-11"]).toBeCloseTo(19, 1);
    expect(perDay["2025-06-10"]! + perDay["2025-06-11"]!).toBeCloseTo(trip!.distance_km, 9);
  });

  test("several trips in a day add up; an odometer trip across midnight is split in its GPS proportions", async () => {
    const v = vehicle();
    const midnight = Date.UTC(2025, 5, 11, 5, 0, 0);
    let lon = drive(v, midnight - 3 * 60 * MIN, 10, 60, -93);
    stand(v, midnight - 170 * MIN, 12, lon);
    lon = drive(v, midnight - 30 * MIN, 60, 60, lon, { odometer: { km: 1000, perKm: 1.1 } });
    stand(v, midnight + 30 * MIN, 12, lon);
    await run(midnight + 2 * 60 * MIN, "America/Chicago");
    const rows = trips(v);
    expect(rows.map((t) => t.distance_source)).toEqual(["gps", "odometer"]);
    expect(rows[1]!.distance_km).toBeCloseTo(64.9, 6);
    const perDay = days(v);
    // Second trip: 30 of its 59 GPS km before midnight, scaled to the odometer's 59 × 1.1 km (its
    // first reading is sent with its first moving fix).
    // (Hops differ by millimetres: positions are stored in whole microdegrees.)
    expect(perDay["2025-06-10"]).toBeCloseTo(rows[0]!.distance_km + (64.9 * 30) / 59, 3);
    expect(perDay["2025-06-11"]).toBeCloseTo((64.9 * 29) / 59, 3);
    expect(perDay["2025-06-10"]! + perDay["2025-06-11"]!).toBeCloseTo(rows[0]!.distance_km + 64.9, 9);
  });

  test("calendar days follow the zone's DST changes", () => {
    // 2025-03-09 is 23 hours long in Chicago (02:00 CST → 03:00 CDT).
    const start = Date.UTC(2025, 2, 9, 6, 0, 0); // 00:00 CST
    expect(localDay(start - 1, "America/Chicago")).toBe("2025-03-08");
    expect(localDay(start, "America/Chicago")).toBe("2025-03-09");
    const into: Record<string, number> = {};
    splitByDay(start - 60 * MIN, start + 23 * 60 * MIN + 60 * MIN, 25, "America/Chicago", into);
    expect(into).toEqual({ "2025-03-08": 1, "2025-03-09": 23, "2025-03-10": 1 });
  });
});
