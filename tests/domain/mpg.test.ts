/**
 * Measured MPG from J1939 lifetime counters: a clean series, a window that stops at `lastMiles`,
 * counter resets, a one-sample spike, too little data, implausible figures, samples missing a
 * counter, and bad input. The series are built in whole miles and gallons (12 mi and 1.5 gal a
 * step, 12 minutes apart: 60 mph at 8 mpg) converted to the km and litres the counters hold, so
 * the expected figures can be worked by hand.
 */
import { describe, expect, test } from "bun:test";
import { measuredMpg, type CounterSample } from "../../src/domain/mpg";
import { gallonsToLitres, milesToKm } from "../../src/domain/units";

const T0 = Date.UTC(2024, 4, 1, 6, 0, 0);
const MINUTE = 60_000;

interface Counters {
  ts: number;
  miles: number;
  gallons: number;
}

/** `steps` samples after `from`, each `miles` and `gallons` further and `minutes` later. */
function drive(from: Counters, steps: number, miles: number, gallons: number, minutes = 12): Counters[] {
  const out: Counters[] = [];
  let at = from;
  for (let i = 0; i < steps; i++) {
    at = { ts: at.ts + minutes * MINUTE, miles: at.miles + miles, gallons: at.gallons + gallons };
    out.push(at);
  }
  return out;
}

/** Counters as the telemetry stores them (km and litres). */
function toSamples(series: Counters[]): CounterSample[] {
  return series.map((c) => ({ ts: c.ts, odometer_km: milesToKm(c.miles), fuel_used_l: gallonsToLitres(c.gallons) }));
}

const start: Counters = { ts: T0, miles: 250_000, gallons: 40_000 };

describe("a clean series", () => {
  // 200 steps of 12 mi on 1.5 gal: 8 mpg.
  const series = [start, ...drive(start, 200, 12, 1.5)];

  test("measures the last 1,000 mi: 84 steps of 12 mi = 1,008 mi on 126 gal = 8 mpg", () => {
    const estimate = measuredMpg(toSamples(series), { configuredMpg: 6.5 });
    expect(estimate.source).toBe("measured");
    expect(estimate.mpg).toBeCloseTo(8, 9);
    expect(estimate.miles).toBeCloseTo(1008, 6);
    expect(estimate.gallons).toBeCloseTo(126, 6);
    expect(estimate.reason).toBe("measured over the last 1,008 mi: 126.0 gal");
  });

  test("lastMiles sets the window: 500 mi takes 42 steps = 504 mi", () => {
    const estimate = measuredMpg(toSamples(series), { configuredMpg: 6.5, lastMiles: 500 });
    expect(estimate.miles).toBeCloseTo(504, 6);
    expect(estimate.gallons).toBeCloseTo(63, 6);
  });

  test("older driving outside the window does not count", () => {
    // 100 steps at 4 mpg (3 gal per 12 mi), then 100 at 8 mpg: the last 1,008 mi are all at 8.
    const old = [start, ...drive(start, 100, 12, 3)];
    const recent = drive(old.at(-1)!, 100, 12, 1.5);
    const estimate = measuredMpg(toSamples([...old, ...recent]), { configuredMpg: 6.5 });
    expect(estimate.mpg).toBeCloseTo(8, 9);

    // With a 2,000 mi window it reaches back: 100 steps at 8 (1,200 mi, 150 gal) and 67 steps
    // at 4 (804 mi, 201 gal) → 2,004 mi on 351 gal = 5.709 mpg.
    const wide = measuredMpg(toSamples([...old, ...recent]), { configuredMpg: 6.5, lastMiles: 2000 });
    expect(wide.miles).toBeCloseTo(2004, 6);
    expect(wide.gallons).toBeCloseTo(351, 6);
    expect(wide.mpg).toBeCloseTo(2004 / 351, 9);
  });

  test("samples carrying one counter only are passed over; the pairs around them still measure", () => {
    const samples = toSamples(series).map((s, i) => (i % 2 === 1 ? { ts: s.ts, odometer_km: s.odometer_km } : s));
    const estimate = measuredMpg(samples, { configuredMpg: 6.5 });
    // Steps are now 24 mi on 3 gal: 42 of them = 1,008 mi on 126 gal.
    expect(estimate.mpg).toBeCloseTo(8, 9);
    expect(estimate.miles).toBeCloseTo(1008, 6);
  });

  test("a parked truck (counters still for two days) changes nothing", () => {
    const before = [start, ...drive(start, 50, 12, 1.5)];
    const parked = { ...before.at(-1)!, ts: before.at(-1)!.ts + 2 * 24 * 60 * MINUTE };
    const after = drive(parked, 50, 12, 1.5);
    const estimate = measuredMpg(toSamples([...before, parked, ...after]), { configuredMpg: 6.5 });
    expect(estimate.mpg).toBeCloseTo(8, 9);
    expect(estimate.miles).toBeCloseTo(1008, 6);
  });
});

describe("counter glitches", () => {
  test("a counter reset (ECU swap) is skipped and the window reaches one step further", () => {
    const before = [start, ...drive(start, 100, 12, 1.5)];
    // Both counters restart near zero, 12 minutes later.
    const restarted: Counters = { ts: before.at(-1)!.ts + 12 * MINUTE, miles: 0.5, gallons: 0.1 };
    const after = [restarted, ...drive(restarted, 40, 12, 1.5)];
    const estimate = measuredMpg(toSamples([...before, ...after]), { configuredMpg: 6.5 });
    // 40 steps after the reset + 44 before it = 84 steps of 12 mi; the step across is dropped.
    expect(estimate.source).toBe("measured");
    expect(estimate.miles).toBeCloseTo(1008, 6);
    expect(estimate.mpg).toBeCloseTo(8, 9);
    expect(estimate.reason).toBe("measured over the last 1,008 mi: 126.0 gal (skipped 1 counter reset)");
  });

  test("only the fuel counter going backwards is a reset too", () => {
    const before = [start, ...drive(start, 100, 12, 1.5)];
    const fuelReset: Counters = { ts: before.at(-1)!.ts + 12 * MINUTE, miles: before.at(-1)!.miles + 12, gallons: 3 };
    const after = [fuelReset, ...drive(fuelReset, 40, 12, 1.5)];
    const estimate = measuredMpg(toSamples([...before, ...after]), { configuredMpg: 6.5 });
    expect(estimate.mpg).toBeCloseTo(8, 9);
    expect(estimate.reason).toContain("(skipped 1 counter reset)");
  });

  test("a one-sample odometer spike is an impossible jump in and a backward step out", () => {
    const series = [start, ...drive(start, 200, 12, 1.5)];
    const samples = toSamples(series);
    // 5,000 km more than the truck could drive in 12 minutes.
    samples[180] = { ...samples[180]!, odometer_km: samples[180]!.odometer_km! + 5000 };
    const estimate = measuredMpg(samples, { configuredMpg: 6.5 });
    expect(estimate.mpg).toBeCloseTo(8, 9);
    // The two steps around the spike are dropped, so the walk takes two more: still 84 used.
    expect(estimate.miles).toBeCloseTo(1008, 6);
    expect(estimate.reason).toBe("measured over the last 1,008 mi: 126.0 gal (skipped 1 counter reset and 1 impossible jump)");
  });

  test("a fuel jump beyond 200 L/h is skipped", () => {
    const samples = toSamples([start, ...drive(start, 200, 12, 1.5)]);
    // +500 L in 12 minutes is 2,500 L/h.
    for (let i = 190; i < samples.length; i++) samples[i] = { ...samples[i]!, fuel_used_l: samples[i]!.fuel_used_l! + 500 };
    const estimate = measuredMpg(samples, { configuredMpg: 6.5 });
    expect(estimate.mpg).toBeCloseTo(8, 9);
    expect(estimate.reason).toContain("(skipped 1 impossible jump)");
  });

  test("a fast but possible step (a gap in the data while driving) is kept", () => {
    // 480 mi in 8 hours is 60 mph: nothing arrived, but the counters cover it.
    const first = [start, ...drive(start, 50, 12, 1.5)];
    const gap = drive(first.at(-1)!, 1, 480, 60, 8 * 60);
    const rest = drive(gap[0]!, 50, 12, 1.5);
    const estimate = measuredMpg(toSamples([...first, ...gap, ...rest]), { configuredMpg: 6.5 });
    // 50 steps (600 mi) + the gap (480 mi) = 1,080 mi on 135 gal = 8 mpg.
    expect(estimate.miles).toBeCloseTo(1080, 6);
    expect(estimate.mpg).toBeCloseTo(8, 9);
    expect(estimate.reason).not.toContain("skipped");
  });
});

describe("falling back to the configured MPG", () => {
  test("too little data: 6 steps of 12 mi = 72 mi", () => {
    const estimate = measuredMpg(toSamples([start, ...drive(start, 6, 12, 1.5)]), { configuredMpg: 6.5 });
    expect(estimate).toMatchObject({ mpg: 6.5, source: "configured" });
    expect(estimate.miles).toBeCloseTo(72, 6);
    expect(estimate.gallons).toBeCloseTo(9, 6);
    expect(estimate.reason).toBe("only 72 mi of fuel data, less than the 200 mi needed: using the configured 6.5 mpg");
  });

  test("minMiles is a setting: 72 mi is enough when 50 are asked for", () => {
    const estimate = measuredMpg(toSamples([start, ...drive(start, 6, 12, 1.5)]), { configuredMpg: 6.5, minMiles: 50 });
    expect(estimate.source).toBe("measured");
    expect(estimate.mpg).toBeCloseTo(8, 9);
  });

  test("too good to be true: 12 mi on 0.5 gal is 24 mpg", () => {
    const estimate = measuredMpg(toSamples([start, ...drive(start, 100, 12, 0.5)]), { configuredMpg: 6.5 });
    expect(estimate).toMatchObject({ mpg: 6.5, source: "configured" });
    expect(estimate.reason).toBe("measured 24.0 mpg over 1,008 mi is outside the 3–15 mpg a heavy truck gets: using the configured 6.5 mpg");
  });

  test("too bad to be true: 12 mi on 6 gal is 2 mpg", () => {
    const estimate = measuredMpg(toSamples([start, ...drive(start, 100, 12, 6)]), { configuredMpg: 7 });
    expect(estimate.reason).toBe("measured 2.0 mpg over 1,008 mi is outside the 3–15 mpg a heavy truck gets: using the configured 7 mpg");
  });

  test("the fuel counter never moved", () => {
    const estimate = measuredMpg(toSamples([start, ...drive(start, 100, 12, 0)]), { configuredMpg: 6.5 });
    expect(estimate.reason).toBe("no fuel counted over 1,008 mi: using the configured 6.5 mpg");
    expect(estimate.gallons).toBe(0);
  });

  test("no samples, one sample, or no sample with both counters", () => {
    expect(measuredMpg([], { configuredMpg: 6.5 }).reason).toBe("no samples with both odometer and fuel counters: using the configured 6.5 mpg");
    expect(measuredMpg(toSamples([start]), { configuredMpg: 6.5 }).reason).toBe("only one sample with both odometer and fuel counters: using the configured 6.5 mpg");
    const odometerOnly = toSamples([start, ...drive(start, 100, 12, 1.5)]).map((s) => ({ ts: s.ts, odometer_km: s.odometer_km, fuel_used_l: null }));
    const estimate = measuredMpg(odometerOnly, { configuredMpg: 6.5 });
    expect(estimate).toEqual({ mpg: 6.5, source: "configured", miles: 0, gallons: 0, reason: "no samples with both odometer and fuel counters: using the configured 6.5 mpg" });
  });

  test("every counter going backwards leaves nothing to measure", () => {
    const backwards = toSamples([start, ...drive(start, 10, -12, -1.5)]);
    const estimate = measuredMpg(backwards, { configuredMpg: 6.5 });
    expect(estimate.source).toBe("configured");
    expect(estimate.reason).toBe("only 0 mi of fuel data, less than the 200 mi needed: using the configured 6.5 mpg (skipped 10 counter resets)");
  });
});

describe("bad input", () => {
  test("samples out of time order", () => {
    const samples = toSamples([start, ...drive(start, 3, 12, 1.5)]);
    [samples[1], samples[2]] = [samples[2]!, samples[1]!];
    expect(() => measuredMpg(samples, { configuredMpg: 6.5 })).toThrow(/samples must be in time order, oldest first; sample 2 \(ts \d+\) comes before sample 1/);
  });

  test.each([
    ["zero configured mpg", { configuredMpg: 0 }, "measuredMpg: configuredMpg must be a number greater than 0, got 0"],
    ["no configured mpg", { configuredMpg: Number.NaN }, "measuredMpg: configuredMpg must be a number greater than 0, got NaN"],
    ["zero window", { configuredMpg: 6.5, lastMiles: 0 }, "measuredMpg: lastMiles must be a number greater than 0, got 0"],
    ["negative minimum", { configuredMpg: 6.5, minMiles: -1 }, "measuredMpg: minMiles must be a number of at least 0, got -1"],
    ["minimum above the window", { configuredMpg: 6.5, lastMiles: 100, minMiles: 200 }, "measuredMpg: minMiles (200) must not exceed lastMiles (100)"],
  ])("%s", (_name, options, message) => {
    expect(() => measuredMpg([], options)).toThrow(message);
  });
});
