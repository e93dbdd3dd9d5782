/**
 * The demo fleet: its corridors against what the real interstates are (inside the US, waypoints
 * close enough to follow the road, lengths within 15 % of the highway), the fleet model over a
 * simulated day and a half (deterministic, on its corridor, legal speeds, fuel and mpg that add up,
 * totals that only grow, hours-of-service breaks and rests, faults that raise and clear), the
 * frames it publishes decoded back by the real J1939 decoder, and the plugin publishing to a
 * throwaway aedes broker on a loopback port.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { join } from "node:path";
import { Value } from "@sinclair/typebox/value";
import { Aedes } from "aedes";
import mqtt from "mqtt";
import { createLogger } from "../../src/log";
import { definitionProblems } from "../../src/plugins/define";
import type { DeviceCredentials, DemoDeviceSpec, PushContext, TelemetryPushInstance } from "../../src/plugins/types";
import { recordProblem, type Dm1Record, type ReadingRecord, type TelemetryRecord } from "../../src/ingest/records";
import { J1939Decoder } from "../../src/domain/j1939/decode";
import { parseFrame } from "../../src/domain/j1939/frame";
import { EQUIPMENT_CODES } from "../../src/telemetry/fleet";
import { CORRIDORS, distanceKm, distanceToRouteKm, pointAt, routeOf } from "./corridors";
import { BREAK_AFTER_S, createFleet, fleetAnchorMs, SIM_DAY_MS, FAULTS, GOVERNOR_KMH, KMPL_PER_MPG, REST_AFTER_S, truckProfiles, vinCheckDigit, type TruckSnapshot } from "./fleet";
import plugin, { demoDeviceSpec, truckPayload, type GatewayPayload } from "./index";
import j1939Plugin from "../telemetry-j1939/index";
import type { TelemetryDecodeInstance } from "../../src/plugins/types";

const START = Date.UTC(2025, 5, 2, 13, 0, 0);
const MPG_OF = (km: number, litres: number) => km / litres / KMPL_PER_MPG;

describe("corridors", () => {
  test("at least eight interstates, each with a unique id", () => {
    expect(CORRIDORS.length).toBeGreaterThanOrEqual(8);
    expect(new Set(CORRIDORS.map((c) => c.id)).size).toBe(CORRIDORS.length);
  });

  test("every waypoint lies inside the continental US bounding box", () => {
    for (const corridor of CORRIDORS) {
      for (const w of corridor.waypoints) {
        expect(w.lat, `${corridor.id} ${w.place}`).toBeGreaterThan(24.4);
        expect(w.lat, `${corridor.id} ${w.place}`).toBeLessThan(49.4);
        expect(w.lon, `${corridor.id} ${w.place}`).toBeGreaterThan(-124.8);
        expect(w.lon, `${corridor.id} ${w.place}`).toBeLessThan(-66.9);
      }
    }
  });

  test("consecutive waypoints are under 150 km apart, and typically 30–80 km (the line follows the road at zoom 6)", () => {
    for (const corridor of CORRIDORS) {
      const gaps = corridor.waypoints.slice(1).map((w, i) => distanceKm(corridor.waypoints[i]!, w));
      for (const [i, gap] of gaps.entries()) expect(gap, `${corridor.id} before ${corridor.waypoints[i + 1]!.place}`).toBeLessThan(150);
      const median = [...gaps].sort((a, b) => a - b)[Math.floor(gaps.length / 2)]!;
      expect(median, corridor.id).toBeGreaterThan(25);
      expect(median, corridor.id).toBeLessThan(80);
    }
  });

  // Road miles of the real interstates between the same ends (state-by-state interstate mileage);
  // the polylines cut corners, so they come out a few percent short.
  const REAL_MILES: Record<string, number> = { i40: 1890, i10: 1553, i35: 998, i80: 1585, i95: 944, i75: 730, i70: 1092, i5: 1135, i81: 506 };

  test("corridor lengths are within 15 % of the real highway", () => {
    for (const corridor of CORRIDORS) {
      const realKm = REAL_MILES[corridor.id]! * 1.609344;
      expect(realKm, `${corridor.id} has a reference length`).toBeGreaterThan(0);
      const lengthKm = routeOf(corridor).lengthKm;
      expect(Math.abs(lengthKm - realKm) / realKm, `${corridor.id}: ${lengthKm.toFixed(0)} km vs ${realKm.toFixed(0)} km`).toBeLessThan(0.15);
    }
  });

  test("a point at a waypoint's distance is that waypoint, heading the way of travel", () => {
    const route = routeOf(CORRIDORS.find((c) => c.id === "i40")!);
    const amarillo = route.corridor.waypoints.findIndex((w) => w.place === "Amarillo, TX");
    const east = pointAt(route, route.cumulativeKm[amarillo]! + 1, 1);
    expect(east.lat).toBeCloseTo(35.19, 1);
    expect(east.lon).toBeCloseTo(-101.82, 1);
    expect(east.headingDeg).toBeGreaterThan(60);
    expect(east.headingDeg).toBeLessThan(120);
    expect(pointAt(route, route.cumulativeKm[amarillo]! + 1, -1).headingDeg).toBeGreaterThan(240);
    expect(pointAt(route, -5, 1)).toMatchObject({ lat: route.corridor.waypoints[0]!.lat, lon: route.corridor.waypoints[0]!.lon });
  });
});

describe("truck profiles", () => {
  test("realistic units, makes, VINs with a correct check digit, equipment, tanks and mpg", () => {
    const profiles = truckProfiles(50, 7);
    expect(new Set(profiles.map((p) => p.unit)).size).toBe(50);
    expect(new Set(profiles.map((p) => p.vin)).size).toBe(50);
    expect(new Set(profiles.map((p) => p.make))).toEqual(new Set(["Freightliner", "Peterbilt", "Kenworth", "Volvo", "International", "Mack"]));
    expect(new Set(profiles.map((p) => p.corridorId)).size).toBe(CORRIDORS.length);
    for (const p of profiles) {
      expect(p.vin).toMatch(/^[A-HJ-NPR-Z0-9]{17}$/);
      expect(p.vin[8]).toBe(vinCheckDigit(p.vin));
      expect(p.mpg).toBeGreaterThanOrEqual(6.2);
      expect(p.mpg).toBeLessThanOrEqual(7.2);
      expect([1136, 908, 757]).toContain(p.tankL);
      for (const code of p.equipment) expect(EQUIPMENT_CODES as readonly string[]).toContain(code);
      expect(p.cruiseKmh / 1.609344).toBeGreaterThanOrEqual(65);
      expect(p.cruiseKmh / 1.609344).toBeLessThanOrEqual(69.1);
      expect(p.homeBase).toMatch(/^[A-Z][A-Za-z. ]+, [A-Z]{2}$/);
      expect(p.homeBase).not.toMatch(/Bridge|exit|junction/i);
      expect(p.year).toBeGreaterThanOrEqual(2019);
    }
  });

  test("a truck is the same whatever the fleet size (units and vehicles stay put when trucks is raised)", () => {
    expect(truckProfiles(3, 9)).toEqual(truckProfiles(10, 9).slice(0, 3));
  });

  test("the VIN check digit matches a published example", () => {
    // The worked example in 49 CFR 565 guidance: 1M8GDM9AXKP042788 has check digit X.
    expect(vinCheckDigit("1M8GDM9AXKP042788")).toBe("X");
  });

  test("demo device specs are valid for the fleet service", () => {
    const spec = demoDeviceSpec(truckProfiles(1, 1)[0]!, "demo-");
    expect(spec.device_id).toBe("demo-7101");
    expect(spec.device_id).toMatch(/^[a-z0-9_-]+$/);
    expect(spec.vehicle).toMatchObject({ unit: "7101", year: expect.any(Number), tank_l: expect.any(Number), mpg: expect.any(Number) });
  });
});

/** Runs a fleet and keeps every truck's snapshot each simulated minute. */
function run(options: { trucks?: number; seed?: number; hours: number; faultEveryMinutes?: number }): TruckSnapshot[][] {
  const fleet = createFleet({ trucks: options.trucks ?? 6, seed: options.seed ?? 1, timeScale: 1, faultEveryMinutes: options.faultEveryMinutes ?? 20, startMs: START });
  const samples: TruckSnapshot[][] = [fleet.snapshot(START)];
  for (let minute = 1; minute <= options.hours * 60; minute++) {
    const now = START + minute * 60_000;
    fleet.advanceTo(now);
    samples.push(fleet.snapshot(now));
  }
  return samples;
}

describe("fleet model", () => {
  const HOURS = 36;
  const samples = run({ hours: HOURS, trucks: 8, seed: 3 });
  const trucks = samples[0]!.length;
  const series = (i: number) => samples.map((sample) => sample[i]!);

  test("is deterministic: same seed and times, same fleet; stepping in one call or many, same state", () => {
    const a = createFleet({ trucks: 4, seed: 11, timeScale: 30, faultEveryMinutes: 5, startMs: START });
    const b = createFleet({ trucks: 4, seed: 11, timeScale: 30, faultEveryMinutes: 5, startMs: START });
    for (let t = 1; t <= 600; t++) a.advanceTo(START + t * 1000);
    b.advanceTo(START + 600_000);
    expect(b.snapshot(START + 600_000)).toEqual(a.snapshot(START + 600_000));
    const c = createFleet({ trucks: 4, seed: 12, timeScale: 30, faultEveryMinutes: 5, startMs: START });
    c.advanceTo(START + 600_000);
    expect(c.snapshot(START + 600_000)).not.toEqual(a.snapshot(START + 600_000));
  });

  test("a fresh fleet shows moving, idle and off trucks at once", () => {
    const status = samples[0]!.map((t) => (t.speedKmh >= 5 ? "moving" : t.ignition ? "idle" : "off"));
    expect(new Set(status)).toEqual(new Set(["moving", "idle", "off"]));
    expect(status.filter((s) => s === "moving").length).toBeGreaterThanOrEqual(trucks / 2);
  });

  test("trucks stay on their corridor (within 1 km of the polyline, GPS scatter included)", () => {
    const routes = new Map(CORRIDORS.map((c) => [c.id, routeOf(c)]));
    for (let i = 0; i < trucks; i++) {
      for (const t of series(i)) expect(distanceToRouteKm(routes.get(t.profile.corridorId)!, t)).toBeLessThan(1);
    }
  });

  test("speeds stay within the governor and slow to city speeds through metros", () => {
    const routes = new Map(CORRIDORS.map((c) => [c.id, routeOf(c)]));
    let cruising = 0;
    for (let i = 0; i < trucks; i++) {
      for (const t of series(i)) {
        expect(t.speedKmh).toBeGreaterThanOrEqual(0);
        expect(t.speedKmh).toBeLessThanOrEqual(GOVERNOR_KMH);
        expect(Math.abs(t.gpsSpeedKmh - t.speedKmh)).toBeLessThan(1.5);
        const inMetro = routes.get(t.profile.corridorId)!.metroZones.some((z) => t.routeKm > z.fromKm + 2 && t.routeKm < z.toKm - 2);
        if (inMetro) expect(t.speedKmh).toBeLessThanOrEqual(89);
        if (t.speedKmh > 100) cruising++;
        if (t.activity !== "driving") expect(t.speedKmh).toBe(0);
      }
    }
    // Most of the driving is at 62–70 mph.
    const driving = samples.flat().filter((t) => t.activity === "driving").length;
    expect(cruising / driving).toBeGreaterThan(0.6);
  });

  test("totals only grow: odometer, engine hours, fuel used", () => {
    for (let i = 0; i < trucks; i++) {
      const s = series(i);
      for (let k = 1; k < s.length; k++) {
        expect(s[k]!.odometerKm).toBeGreaterThanOrEqual(s[k - 1]!.odometerKm);
        expect(s[k]!.engineHours).toBeGreaterThanOrEqual(s[k - 1]!.engineHours);
        expect(s[k]!.fuelUsedL).toBeGreaterThanOrEqual(s[k - 1]!.fuelUsedL);
      }
    }
  });

  test("fuel in the tank falls by what the engine burned, except at a fuel stop", () => {
    for (let i = 0; i < trucks; i++) {
      const s = series(i);
      for (let k = 1; k < s.length; k++) {
        const [a, b] = [s[k - 1]!, s[k]!];
        const tankDelta = ((b.fuelLevelPct - a.fuelLevelPct) / 100) * a.profile.tankL;
        if (a.activity === "fuel" || b.activity === "fuel") continue;
        expect(tankDelta).toBeLessThanOrEqual(0);
        expect(Math.abs(-tankDelta - (b.fuelUsedL - a.fuelUsedL))).toBeLessThan(0.01);
      }
    }
  });

  test("mpg from the model's own distance and fuel is 5–8 while driving, near the truck's configured mpg", () => {
    const results: string[] = [];
    for (let i = 0; i < trucks; i++) {
      const s = series(i);
      let km = 0;
      let litres = 0;
      for (let k = 1; k < s.length; k++) {
        if (s[k - 1]!.activity !== "driving" || s[k]!.activity !== "driving") continue;
        km += s[k]!.odometerKm - s[k - 1]!.odometerKm;
        litres += s[k]!.fuelUsedL - s[k - 1]!.fuelUsedL;
      }
      const mpg = MPG_OF(km, litres);
      results.push(`${s[0]!.profile.unit}: ${mpg.toFixed(2)} mpg (configured ${s[0]!.profile.mpg})`);
      expect(mpg).toBeGreaterThan(5);
      expect(mpg).toBeLessThan(8);
      expect(Math.abs(mpg - s[0]!.profile.mpg)).toBeLessThan(0.6);
      // Overall, idling included, still a plausible truck.
      const all = MPG_OF(s.at(-1)!.odometerKm - s[0]!.odometerKm, s.at(-1)!.fuelUsedL - s[0]!.fuelUsedL);
      expect(all).toBeGreaterThan(5);
      expect(all).toBeLessThan(8);
    }
    console.log(`simulated mpg while driving: ${results.join("; ")}`);
  });

  test("engine: rpm matches speed, idles near 650, coolant warm, charging voltage when running, 12.6 V when off", () => {
    // Minutes since each truck last had the coolant fault: the engine takes a while to cool back down.
    // Minutes since the engine was started: a cold engine needs ~20 minutes to reach its thermostat band.
    const sinceHot = samples[0]!.map(() => Infinity);
    const sinceStart = samples[0]!.map(() => Infinity);
    const tracked = samples.flatMap((sample) =>
      sample.map((truck) => {
        const i = truck.profile.index;
        sinceHot[i] = truck.dtcs.some((d) => d.spn === 110) ? 0 : sinceHot[i]! + 1;
        sinceStart[i] = truck.ignition ? sinceStart[i]! + 1 : 0;
        return { truck, hotAgo: sinceHot[i]!, runningFor: sinceStart[i]! };
      }),
    );
    for (const { truck: t, hotAgo, runningFor } of tracked) {
      if (!t.ignition) {
        expect(t.rpm).toBe(0);
        expect(t.fuelRateLph).toBe(0);
        expect(t.batteryV).toBeGreaterThanOrEqual(12.5);
        expect(t.batteryV).toBeLessThanOrEqual(12.7);
        continue;
      }
      expect(t.batteryV).toBeGreaterThanOrEqual(13.75);
      expect(t.batteryV).toBeLessThanOrEqual(14.25);
      if (t.speedKmh === 0) {
        expect(t.rpm).toBeGreaterThanOrEqual(630);
        expect(t.rpm).toBeLessThanOrEqual(670);
        expect(t.fuelRateLph).toBeGreaterThanOrEqual(3);
        expect(t.fuelRateLph).toBeLessThanOrEqual(4);
      }
      if (t.speedKmh > 100) {
        expect(t.rpm).toBeGreaterThanOrEqual(1200);
        expect(t.rpm).toBeLessThanOrEqual(1500);
        // From the engine brake (fuel cut) to full power accelerating a loaded truck.
        expect(t.fuelRateLph).toBeGreaterThanOrEqual(1);
        expect(t.fuelRateLph).toBeLessThanOrEqual(95);
        if (hotAgo > 30 && runningFor > 30) {
          expect(t.coolantC).toBeGreaterThanOrEqual(85);
          expect(t.coolantC).toBeLessThanOrEqual(95);
        }
      }
    }
  });

  test("hours of service: never more than 8 h driving without a 30-minute stop, never 11 h without the rest; rests are long and engine-off", () => {
    let breaks = 0;
    let rests = 0;
    for (let i = 0; i < trucks; i++) {
      const s = series(i);
      let sinceBreakMin = 0;
      let stopMin = 0;
      for (let k = 1; k < s.length; k++) {
        const t = s[k]!;
        if (t.activity === "driving") {
          if (stopMin >= 30) sinceBreakMin = 0;
          stopMin = 0;
          sinceBreakMin++;
          // The model starts some trucks part-way into their day, so only the limit is checked here.
          expect(sinceBreakMin).toBeLessThanOrEqual(BREAK_AFTER_S / 60 + 5);
        } else {
          stopMin++;
          if (t.activity !== s[k - 1]!.activity && t.activity === "break") breaks++;
          if (t.activity !== s[k - 1]!.activity && t.activity === "rest") rests++;
        }
      }
      // A rest lasts 10 h and the engine is off for nearly all of it.
      const restSamples = s.filter((t) => t.activity === "rest");
      if (restSamples.length > 600) expect(restSamples.filter((t) => !t.ignition).length / restSamples.length).toBeGreaterThan(0.9);
    }
    expect(breaks).toBeGreaterThan(0);
    expect(rests).toBeGreaterThan(0);
    expect(REST_AFTER_S).toBe(11 * 3600);
  });

  test("a truck that has driven 8 hours takes a break", () => {
    // Truck 0 of seed 3 starts rolling; follow it until its first break and check what came before.
    const s = series(0);
    const firstStop = s.findIndex((t) => t.activity !== "driving");
    expect(firstStop).toBeGreaterThan(0);
    const kind = s[firstStop]!.activity;
    expect(["break", "rest", "fuel", "dock"]).toContain(kind);
    const breakAt = s.findIndex((t, k) => k > 0 && t.activity === "break" && s[k - 1]!.activity === "driving");
    expect(breakAt).toBeGreaterThan(0);
    const breakLength = s.slice(breakAt).findIndex((t) => t.activity !== "break");
    expect(breakLength).toBeGreaterThanOrEqual(30);
    expect(breakLength).toBeLessThanOrEqual(36);
    // Idling through the break: the dashboard shows it idle, not off.
    expect(s[breakAt + 10]!.ignition).toBe(true);
  });

  test("fuel stops happen below a quarter tank and fill it", () => {
    const fuelled = samples.flat().filter((t) => t.activity === "fuel");
    expect(fuelled.length).toBeGreaterThan(0);
    for (let i = 0; i < trucks; i++) {
      const s = series(i);
      for (let k = 1; k < s.length; k++) {
        if (s[k - 1]!.activity === "fuel" && s[k]!.activity !== "fuel") expect(s[k]!.fuelLevelPct).toBeGreaterThan(90);
        if (s[k - 1]!.activity !== "fuel" && s[k]!.activity === "fuel") expect(s[k - 1]!.fuelLevelPct).toBeLessThan(26);
        expect(s[k]!.fuelLevelPct).toBeGreaterThan(10);
      }
    }
  });

  test("faults raise with the right lamps and clear again, about every fault_every_minutes", () => {
    let raised = 0;
    let cleared = 0;
    for (let i = 0; i < trucks; i++) {
      const s = series(i);
      let activeSince = -1;
      for (let k = 1; k < s.length; k++) {
        const [a, b] = [s[k - 1]!, s[k]!];
        if (b.dtcs.length) {
          const spec = FAULTS.find((f) => f.dtcs.length === b.dtcs.length && f.dtcs.every((d) => b.dtcs.some((x) => x.spn === d.spn && x.fmi === d.fmi)))!;
          expect(spec).toBeDefined();
          for (const [lamp, state] of Object.entries(spec.lamps)) expect(b.lamps[lamp as keyof typeof b.lamps]).toBe(state!);
          for (const dtc of b.dtcs) expect(dtc.oc).toBeGreaterThanOrEqual(1);
        } else {
          expect(b.lamps).toEqual({ mil: "off", red_stop: "off", amber_warning: "off", protect: "off" });
        }
        if (!a.dtcs.length && b.dtcs.length) {
          raised++;
          activeSince = k;
          expect(b.ignition).toBe(true);
        }
        if (a.dtcs.length && !b.dtcs.length) {
          cleared++;
          // Clears within 0.5–1.5 × 20 minutes.
          expect(k - activeSince).toBeGreaterThanOrEqual(9);
          expect(k - activeSince).toBeLessThanOrEqual(31);
        }
      }
    }
    const expected = (HOURS * 60) / 20;
    expect(raised).toBeGreaterThan(expected * 0.6);
    expect(raised).toBeLessThan(expected * 1.4);
    expect(cleared).toBeGreaterThanOrEqual(raised - trucks);
    // The oil pressure fault lights the red stop lamp.
    expect(FAULTS.find((f) => f.dtcs[0]!.spn === 100)!.lamps.red_stop).toBe("on");
  });

  test("the coolant fault shows in the coolant temperature", () => {
    const hot = samples.flat().filter((t) => t.ignition && t.dtcs.some((d) => d.spn === 110 && d.fmi === 16));
    expect(hot.length).toBeGreaterThan(0);
    expect(Math.max(...hot.map((t) => t.coolantC))).toBeGreaterThan(100);
  });

  test("fault_every_minutes 0 means no faults", () => {
    expect(run({ hours: 3, faultEveryMinutes: 0 }).flat().every((t) => t.dtcs.length === 0)).toBe(true);
  });

  test("time_scale compresses the day: an hour of real time at 60× is 60 simulated hours", () => {
    const fleet = createFleet({ trucks: 2, seed: 1, timeScale: 60, faultEveryMinutes: 20, startMs: START });
    const before = fleet.snapshot(START)[0]!.odometerKm;
    fleet.advanceTo(START + 3_600_000);
    expect(fleet.simSeconds).toBe(60 * 3600);
    const driven = fleet.snapshot(START + 3_600_000)[0]!.odometerKm - before;
    // 60 h with two rests of 10 h: roughly 33–45 h of driving.
    expect(driven).toBeGreaterThan(2500);
    expect(driven).toBeLessThan(5500);
  });

  test("a new simulated day starts afresh on totals no lower than where the last day ended", () => {
    for (const timeScale of [1, 60]) {
      const day = SIM_DAY_MS / timeScale;
      const anchor = fleetAnchorMs(START, timeScale);
      expect(fleetAnchorMs(anchor + day - 1, timeScale)).toBe(anchor);
      expect(fleetAnchorMs(anchor + day, timeScale)).toBe(anchor + day);
      const ending = createFleet({ trucks: 12, seed: 5, timeScale, faultEveryMinutes: 20, startMs: anchor });
      ending.advanceTo(anchor + day - 1);
      const first = ending.snapshot(anchor + day - 1);
      const restarted = createFleet({ trucks: 12, seed: 5, timeScale, faultEveryMinutes: 20, startMs: anchor + day }).snapshot(anchor + day);
      for (let i = 0; i < 12; i++) {
      expect(restarted[i]!.odometerKm).toBeGreaterThanOrEqual(first[i]!.odometerKm);
      expect(restarted[i]!.engineHours).toBeGreaterThanOrEqual(first[i]!.engineHours);
      expect(restarted[i]!.fuelUsedL).toBeGreaterThanOrEqual(first[i]!.fuelUsedL);
      }
    }
  });
});

/** Decodes a payload's frames with the real decoder, as the telemetry-j1939 source would. */
function decodePayload(payload: GatewayPayload, decoder = new J1939Decoder()): TelemetryRecord[] {
  const output = decoder.decode(payload.frames.map((line, i) => parseFrame(line, `frames[${i}]`)), payload.ts);
  expect(output.rejections).toEqual([]);
  expect(output.unknownPgns).toBe(0);
  return output.records;
}

const reading = (records: TelemetryRecord[], name: string) => (records.find((r) => r.type === "reading" && r.name === name) as ReadingRecord | undefined)?.value;

describe("published frames", () => {
  const fleet = createFleet({ trucks: 6, seed: 2, timeScale: 1, faultEveryMinutes: 20, startMs: START });
  fleet.advanceTo(START + 90_000);
  const now = START + 90_000;
  const trucks = fleet.snapshot(now);

  test("decode back to the model's values at J1939 resolution", () => {
    for (const truck of trucks) {
      const payload = truckPayload(truck, now, true);
      const records = decodePayload(payload);
      for (const record of records) expect(recordProblem(record)).toBeNull();
      expect(reading(records, "engine_rpm")).toBeCloseTo(truck.rpm, 0);
      expect(Math.abs(reading(records, "wheel_speed_kmh")! - truck.speedKmh)).toBeLessThanOrEqual(1 / 512);
      expect(reading(records, "coolant_c")).toBe(Math.round(truck.coolantC));
      expect(Math.abs(reading(records, "fuel_level_pct")! - truck.fuelLevelPct)).toBeLessThanOrEqual(0.2);
      expect(Math.abs(reading(records, "fuel_rate_lph")! - truck.fuelRateLph)).toBeLessThanOrEqual(0.025);
      expect(Math.abs(reading(records, "fuel_economy_kmpl")! - truck.economyKmpl)).toBeLessThanOrEqual(1 / 1024);
      expect(Math.abs(reading(records, "fuel_used_l")! - truck.fuelUsedL)).toBeLessThanOrEqual(0.25);
      expect(Math.abs(reading(records, "odometer_km")! - truck.odometerKm)).toBeLessThanOrEqual(truck.profile.highResOdometer ? 0.0025 : 0.0625);
      expect(Math.abs(reading(records, "engine_hours")! - truck.engineHours)).toBeLessThanOrEqual(0.025);
      expect(Math.abs(reading(records, "battery_v")! - truck.batteryV)).toBeLessThanOrEqual(0.025);
      const dm1 = records.find((r) => r.type === "dm1") as Dm1Record;
      expect(dm1).toMatchObject({ source_address: 0, lamps: truck.lamps, faults: [] });
      expect(payload.gps).toEqual({ lat: truck.lat, lon: truck.lon, speed_kmh: truck.gpsSpeedKmh, heading: truck.headingDeg });
    }
  });

  test("an engine-off truck reports engine speed 0 so it shows as off, not idling", () => {
    const off = trucks.find((t) => !t.ignition)!;
    expect(reading(decodePayload(truckPayload(off, now, false)), "engine_rpm")).toBe(0);
  });

  test("DM1 only when asked; two codes go out by BAM and decode to both codes with their lamps", () => {
    const truck = trucks[0]!;
    expect(truckPayload(truck, now, false).frames.some((line) => line.startsWith("18FECA"))).toBe(false);
    const spec = FAULTS.find((f) => f.id === "def_inducement")!;
    const faulty: TruckSnapshot = { ...truck, lamps: { mil: "on", red_stop: "off", amber_warning: "slow_flash", protect: "off" }, dtcs: spec.dtcs.map((d, i) => ({ ...d, oc: i + 2 })) };
    const payload = truckPayload(faulty, now, true);
    // TP.CM BAM (PGN 60416 to global, priority 7) announcing DM1, then two TP.DT packets.
    const cm = payload.frames.find((line) => line.startsWith("1CECFF00#20"))!;
    expect(cm).toBe("1CECFF00#200A0002FFCAFE00");
    expect(payload.frames.filter((line) => line.startsWith("1CEBFF00#")).length).toBe(2);
    const dm1 = decodePayload(payload).find((r) => r.type === "dm1") as Dm1Record;
    expect(dm1.lamps).toEqual(faulty.lamps);
    expect(dm1.faults).toEqual([
      { spn: 3364, fmi: 4, oc: 2, cm: 0 },
      { spn: 5246, fmi: 0, oc: 3, cm: 0 },
    ]);
  });

  test("every payload of a simulated day decodes without a rejection", () => {
    const day = createFleet({ trucks: 6, seed: 4, timeScale: 1, faultEveryMinutes: 10, startMs: START });
    const decoders = new Map<number, J1939Decoder>();
    let dm1WithCodes = 0;
    for (let minute = 0; minute <= 24 * 60; minute += 3) {
      const at = START + minute * 60_000;
      day.advanceTo(at);
      for (const truck of day.snapshot(at)) {
        const decoder = decoders.get(truck.profile.index) ?? new J1939Decoder();
        decoders.set(truck.profile.index, decoder);
        const records = decodePayload(truckPayload(truck, at, true), decoder);
        for (const record of records) expect(recordProblem(record)).toBeNull();
        if (records.some((r) => r.type === "dm1" && r.faults.length)) dm1WithCodes++;
      }
    }
    expect(dm1WithCodes).toBeGreaterThan(0);
  });
});

describe("through the telemetry-j1939 source", () => {
  test("both default to the same topic", () => {
    expect((Value.Default(plugin.configSchema, {}) as { topic: string }).topic).toBe((Value.Default(j1939Plugin.configSchema, {}) as { topic: string }).topic);
  });

  test("a payload decodes to a position, every reading and DM1, as the ingest would store them", async () => {
    const decoder = (await j1939Plugin.create({
      sourceId: "j1939",
      options: Value.Default(j1939Plugin.configSchema, {}) as never,
      log: createLogger({ write: () => {} }),
      signal: new AbortController().signal,
      services: { provisionDemoDevice: async () => null },
    })) as TelemetryDecodeInstance;
    const fleet = createFleet({ trucks: 3, seed: 1, timeScale: 1, faultEveryMinutes: 20, startMs: START });
    for (const truck of fleet.snapshot(START)) {
      const payload = truckPayload(truck, START, true);
      const device = `demo-${truck.profile.unit}`;
      const result = decoder.decode({ sourceId: "j1939", deviceId: device, topic: `fleet/${device}/can`, payload: new TextEncoder().encode(JSON.stringify(payload)), receivedAt: START + 50 });
      for (const record of result.records) expect(recordProblem(record)).toBeNull();
      expect(result.records.find((r) => r.type === "position")).toMatchObject({ ts: START, lat: truck.lat, lon: truck.lon, speed_kmh: truck.gpsSpeedKmh, heading_deg: truck.headingDeg });
      const names = new Set(result.records.flatMap((r) => (r.type === "reading" ? [r.name] : [])));
      expect(names).toEqual(new Set(["engine_rpm", "wheel_speed_kmh", "coolant_c", "fuel_level_pct", "fuel_rate_lph", "fuel_economy_kmpl", "fuel_used_l", "odometer_km", "engine_hours", "battery_v"]));
      expect(result.records.filter((r) => r.type === "dm1").length).toBe(1);
    }
    await decoder.stop?.();
  });
});

describe("plugin definition", () => {
  test("is a valid push plugin with the documented defaults; unknown keys are refused", () => {
    expect(definitionProblems(plugin)).toEqual([]);
    expect(plugin.kind).toBe("telemetry");
    expect(plugin.mode).toBe("push");
    expect(plugin.name).toBe("telemetry-sim");
    expect(Value.Default(plugin.configSchema, {})).toEqual({ trucks: 6, interval_seconds: 2, time_scale: 1, fault_every_minutes: 20, seed: 1, topic: "fleet/{device}/can", device_prefix: "demo-" });
    expect(Value.Check(plugin.configSchema, { ...Value.Default(plugin.configSchema, {}) as object, extra: 1 })).toBe(false);
    expect(Value.Check(plugin.configSchema, { ...Value.Default(plugin.configSchema, {}) as object, trucks: 51 })).toBe(false);
    expect(Value.Check(plugin.configSchema, { ...Value.Default(plugin.configSchema, {}) as object, interval_seconds: 0.1 })).toBe(false);
    expect(Value.Check(plugin.configSchema, { ...Value.Default(plugin.configSchema, {}) as object, topic: "fleet/can" })).toBe(false);
  });

  test("every option says what it is in a sentence", () => {
    for (const [key, option] of Object.entries(plugin.configSchema.properties)) expect((option as { description?: string }).description, key).toMatch(/^[A-Z].*\.$/);
  });

  test("the sample YAML in sample.yaml is the one in the README", () => {
    const sample = readFileSync(join(import.meta.dir, "sample.yaml"), "utf8").trim();
    expect(readFileSync(join(import.meta.dir, "README.md"), "utf8")).toContain(sample);
  });
});

/** A throwaway aedes broker on a free loopback port that remembers who logged in. */
async function startBroker() {
  const logins: Array<{ clientId: string; username: string; password: string }> = [];
  const broker = await Aedes.createBroker({
    authenticate(client, username, password, done) {
      logins.push({ clientId: client.id, username: username ?? "", password: password ? Buffer.from(password).toString() : "" });
      done(null, true);
    },
  });
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    broker.handle(socket as never);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `mqtt://127.0.0.1:${port}`,
    broker,
    logins,
    /** Drops every connection and stops listening (the broker "goes away"). */
    async kill() {
      await new Promise<void>((resolve) => server.close(() => resolve()) && sockets.forEach((socket) => socket.destroy()));
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
      await new Promise<void>((resolve) => broker.close(() => resolve()));
    },
  };
}

/** Creates the plugin with options and a fake provisioning service pointing at `url` (or none). */
async function createSim(options: Record<string, unknown>, url: string | null) {
  const provisioned: DemoDeviceSpec[] = [];
  const abort = new AbortController();
  const instance = (await plugin.create({
    sourceId: "demo-fleet",
    options: Value.Default(plugin.configSchema, options) as never,
    log: createLogger({ write: () => {} }),
    signal: abort.signal,
    services: {
      provisionDemoDevice: async (spec): Promise<DeviceCredentials | null> => {
        provisioned.push(spec);
        return url ? { device_id: spec.device_id, vehicle_id: provisioned.length, mqtt_url: url, username: spec.device_id, password: `secret-${spec.device_id}` } : null;
      },
    },
  })) as TelemetryPushInstance;
  const errors: string[] = [];
  const push: PushContext = {
    sourceId: "demo-fleet",
    log: createLogger({ write: () => {} }),
    signal: new AbortController().signal,
    emit: async () => ({ ok: true, accepted: 0 }),
    reportError: (error) => errors.push((error as Error).message),
    reportOk: () => {},
  };
  return { instance, push, errors, provisioned, abort };
}

describe("publishing over MQTT", () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  test("without the MQTT ingest, start fails with what to turn on", async () => {
    const { instance, push } = await createSim({ trucks: 2 }, null);
    await expect(Promise.resolve(instance.start(push))).rejects.toThrow("the demo fleet needs the MQTT ingest (mqtt.enabled)");
  });

  test("each truck logs in as its device and publishes QoS 1 JSON to its topic at the interval, the first within a second", async () => {
    const broker = await startBroker();
    cleanups.push(() => broker.close());
    const watcher = await mqtt.connectAsync(broker.url, { protocolVersion: 4, clientId: "watcher" });
    cleanups.push(() => watcher.endAsync(true));
    const received: Array<{ topic: string; at: number; qos: number; body: GatewayPayload }> = [];
    watcher.on("message", (topic, payload, packet) => received.push({ topic, at: Date.now(), qos: packet.qos, body: JSON.parse(payload.toString()) }));
    await watcher.subscribeAsync("fleet/+/can", { qos: 1 });

    const { instance, push, errors, provisioned } = await createSim({ trucks: 3, interval_seconds: 0.25 }, broker.url);
    const startedAt = Date.now();
    await instance.start(push);
    cleanups.push(async () => void (await instance.stop?.()));
    await Bun.sleep(1300);

    expect(provisioned.map((spec) => spec.device_id)).toEqual(["demo-7101", "demo-7102", "demo-7103"]);
    expect(provisioned[0]!.vehicle).toMatchObject({ unit: "7101", make: expect.any(String), vin: expect.stringMatching(/^[A-HJ-NPR-Z0-9]{17}$/) });
    expect(broker.logins.filter((l) => l.clientId !== "watcher")).toEqual(provisioned.map((spec) => ({ clientId: spec.device_id, username: spec.device_id, password: `secret-${spec.device_id}` })));
    for (const spec of provisioned) {
      const mine = received.filter((m) => m.topic === `fleet/${spec.device_id}/can`);
      expect(mine[0]!.at - startedAt).toBeLessThan(1000);
      // 1.3 s at 0.25 s: the first message plus about five more.
      expect(mine.length).toBeGreaterThanOrEqual(4);
      expect(mine.length).toBeLessThanOrEqual(8);
      for (const m of mine) {
        expect(m.qos).toBe(1);
        expect(Object.keys(m.body).sort()).toEqual(["frames", "gps", "ts"]);
        expect(m.body.ts).toBeGreaterThanOrEqual(startedAt);
        expect(m.body.ts).toBeLessThanOrEqual(Date.now());
        expect(Object.keys(m.body.gps).sort()).toEqual(["heading", "lat", "lon", "speed_kmh"]);
        for (const line of m.body.frames) expect(line).toMatch(/^[0-9A-F]{8}#([0-9A-F]{2}){1,8}$/);
      }
      const gaps = mine.slice(1).map((m, i) => m.at - mine[i]!.at);
      expect(gaps.reduce((a, b) => a + b, 0) / gaps.length).toBeGreaterThan(150);
      expect(gaps.reduce((a, b) => a + b, 0) / gaps.length).toBeLessThan(400);
      // The first message carries DM1 (lamps for the dashboard); the next ones within 10 s do not.
      const decoder = new J1939Decoder();
      expect(decodePayload(mine[0]!.body, decoder).some((r) => r.type === "dm1")).toBe(true);
      expect(decodePayload(mine[1]!.body, decoder).some((r) => r.type === "dm1")).toBe(false);
    }
    expect(errors).toEqual([]);

    // Every fix is a plausible position (which trucks are rolling depends on the time of day).
    for (const m of received) expect(recordProblem({ type: "position", ts: m.body.ts, lat: m.body.gps.lat, lon: m.body.gps.lon, speed_kmh: m.body.gps.speed_kmh, heading_deg: m.body.gps.heading })).toBeNull();

    await instance.stop?.();
    const count = received.length;
    await Bun.sleep(400);
    expect(received.length).toBe(count);
    expect(broker.broker.connectedClients).toBe(1);
  });

  test("a broker that goes away is reported, not thrown; stop ends the retries", async () => {
    const broker = await startBroker();
    cleanups.push(() => broker.close());
    const { instance, push, errors } = await createSim({ trucks: 2, interval_seconds: 0.2 }, broker.url);
    await instance.start(push);
    await broker.kill();
    const deadline = Date.now() + 6000;
    while (!errors.length && Date.now() < deadline) await Bun.sleep(50);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]).toMatch(/^demo truck 710[12]: /);
    await instance.stop?.();
  }, 10_000);

  test("a broker that refuses the login fails start with the reason", async () => {
    const broker = await Aedes.createBroker({ authenticate: (_client, _u, _p, done) => done(Object.assign(new Error("bad secret"), { returnCode: 4 }), false) });
    const server = createServer(broker.handle as never);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    cleanups.push(async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => broker.close(() => resolve()));
    });
    const { instance, push } = await createSim({ trucks: 1 }, `mqtt://127.0.0.1:${(server.address() as { port: number }).port}`);
    await expect(Promise.resolve(instance.start(push))).rejects.toThrow(/a demo truck could not connect/);
  });

  test("aborting the source's signal stops publishing", async () => {
    const broker = await startBroker();
    cleanups.push(() => broker.close());
    const { instance, push, abort } = await createSim({ trucks: 1, interval_seconds: 0.2 }, broker.url);
    await instance.start(push);
    abort.abort();
    await Bun.sleep(300);
    expect(broker.broker.connectedClients).toBe(0);
  });
});
