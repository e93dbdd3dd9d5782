/**
 * A truck's fuel economy measured from its own telemetry, for costing loads at what the truck
 * really burns rather than a brochure figure.
 *
 * The inputs are the engine's lifetime counters (J1939 SPN 245 total vehicle distance and SPN 250
 * total fuel used, stored as `odometer_km` and `fuel_used_l`). Counters only grow, but in the
 * field they reset (an ECU swap, a gateway that restarts at 0), step backwards (a stale value
 * replayed) or jump (a corrupted frame, a unit mix-up). So the series is read as a chain of steps
 * between consecutive samples that carry both counters, newest first, and a step is used only
 * when both counters moved forward by an amount a heavy truck could manage in the time between
 * the samples (a one-sample spike thus costs the two steps around it, a few miles at most). The
 * walk stops once `lastMiles` are covered. The result falls back to the configured MPG, saying
 * why, when too few miles were measured or the figure is implausible.
 *
 * Only samples with both counters are used: distance and fuel must cover exactly the same
 * interval, or a sample interval of error at each end would tilt the figure on short windows.
 * A J1939 gateway publishes its readings as one snapshot (one `readings` row), so samples from
 * such a truck carry both.
 */
import { kmToMiles, litresToGallons, milesToKm, mpgFromDistanceAndFuel } from "./units";
import { groupThousands } from "./money";

/** One telemetry sample: UTC epoch ms and the lifetime counters, when the sample has them. */
export interface CounterSample {
  ts: number;
  odometer_km?: number | null;
  fuel_used_l?: number | null;
}

/** Settings for `measuredMpg`. */
export interface MeasuredMpgOptions {
  /** The MPG to use when the telemetry cannot be trusted (the truck's configured figure). */
  configuredMpg: number;
  /** Distance to measure over, counting back from the newest sample (default 1000 mi). */
  lastMiles?: number;
  /** Least distance a measurement needs (default 200 mi): shorter windows swing with terrain and idling. */
  minMiles?: number;
}

/** A truck's MPG and where it came from. */
export interface MpgEstimate {
  mpg: number;
  source: "measured" | "configured";
  /** Miles measured (0 when none could be). */
  miles: number;
  /** Gallons burnt over those miles. */
  gallons: number;
  /** In plain words, for the owner: what was measured, or why the configured figure is used. */
  reason: string;
}

/** Plausible band for a loaded or empty class 8 tractor; outside it the counters are wrong, not the truck. */
export const PLAUSIBLE_MPG = { min: 3, max: 15 } as const;
/** Fastest average speed believed between two samples, km/h (about 100 mph). */
const MAX_SPEED_KMH = 160;
/** Fastest fuel burn believed between two samples, L/h: a 600 hp diesel at full load burns about 110. */
const MAX_BURN_LPH = 200;
// Slack for counter resolution between close samples: J1939 counts distance in 0.125 km and fuel in 0.5 L.
const DISTANCE_SLACK_KM = 1;
const FUEL_SLACK_L = 2;

/** Miles or gallons for a reason text: thousands commas, `decimals` places. */
function formatAmount(value: number, decimals: number): string {
  const [whole, fraction] = value.toFixed(decimals).split(".");
  const grouped = groupThousands(whole!);
  return fraction ? `${grouped}.${fraction}` : grouped;
}

/** An MPG figure for a reason text: up to two decimals, no trailing zeros ("6.5", "7"). */
function formatMpg(mpg: number): string {
  return String(Math.round(mpg * 100) / 100);
}

/** Throws a RangeError naming the option unless it is a finite number above (or at) the floor. */
function checkOption(name: string, value: number, floor: number, inclusive: boolean): void {
  if (typeof value !== "number" || !Number.isFinite(value) || (inclusive ? value < floor : value <= floor)) {
    throw new RangeError(`measuredMpg: ${name} must be a number ${inclusive ? "of at least" : "greater than"} ${floor}, got ${value}`);
  }
}

/** A finite counter value, or null for missing, NaN or infinite. */
function counter(value: number | null | undefined): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

/**
 * The truck's MPG over its last `lastMiles` (default 1000) of telemetry, walking back from the
 * newest sample. `samples` must be in time order, oldest first. Steps where a counter went
 * backwards (a reset) or jumped further than the time allows are skipped and counted in the
 * reason. Falls back to `configuredMpg` when fewer than `minMiles` (default 200) were measured,
 * no fuel was recorded, or the result is outside 3–15 mpg.
 */
export function measuredMpg(samples: readonly CounterSample[], options: MeasuredMpgOptions): MpgEstimate {
  const { configuredMpg, lastMiles = 1000, minMiles = 200 } = options;
  checkOption("configuredMpg", configuredMpg, 0, false);
  checkOption("lastMiles", lastMiles, 0, false);
  checkOption("minMiles", minMiles, 0, true);
  if (minMiles > lastMiles) throw new RangeError(`measuredMpg: minMiles (${minMiles}) must not exceed lastMiles (${lastMiles})`);
  if (!Array.isArray(samples)) throw new RangeError("measuredMpg: samples must be an array");
  for (let i = 1; i < samples.length; i++) {
    if (!(samples[i]!.ts >= samples[i - 1]!.ts)) {
      throw new RangeError(`measuredMpg: samples must be in time order, oldest first; sample ${i} (ts ${samples[i]!.ts}) comes before sample ${i - 1} (ts ${samples[i - 1]!.ts})`);
    }
  }

  const paired = samples.flatMap((s) => {
    const km = counter(s.odometer_km);
    const litres = counter(s.fuel_used_l);
    return km === null || litres === null ? [] : [{ ts: s.ts, km, litres }];
  });

  const lastKm = milesToKm(lastMiles);
  let km = 0;
  let litres = 0;
  let resets = 0;
  let jumps = 0;
  for (let i = paired.length - 1; i > 0 && km < lastKm; i--) {
    const newer = paired[i]!;
    const older = paired[i - 1]!;
    const stepKm = newer.km - older.km;
    const stepLitres = newer.litres - older.litres;
    if (stepKm < 0 || stepLitres < 0) {
      resets++;
      continue;
    }
    const hours = (newer.ts - older.ts) / 3_600_000;
    if (stepKm > MAX_SPEED_KMH * hours + DISTANCE_SLACK_KM || stepLitres > MAX_BURN_LPH * hours + FUEL_SLACK_L) {
      jumps++;
      continue;
    }
    km += stepKm;
    litres += stepLitres;
  }

  const miles = kmToMiles(km);
  const gallons = litresToGallons(litres);
  const skipped = [resets > 0 ? `${resets} counter ${resets === 1 ? "reset" : "resets"}` : "", jumps > 0 ? `${jumps} impossible ${jumps === 1 ? "jump" : "jumps"}` : ""].filter(Boolean);
  const skippedNote = skipped.length > 0 ? ` (skipped ${skipped.join(" and ")})` : "";
  const fallback = (why: string): MpgEstimate => ({
    mpg: configuredMpg,
    source: "configured",
    miles,
    gallons,
    reason: `${why}: using the configured ${formatMpg(configuredMpg)} mpg${skippedNote}`,
  });

  if (paired.length < 2) return fallback(paired.length === 0 ? "no samples with both odometer and fuel counters" : "only one sample with both odometer and fuel counters");
  if (miles < minMiles) return fallback(`only ${formatAmount(miles, 0)} mi of fuel data, less than the ${formatAmount(minMiles, 0)} mi needed`);
  const mpg = mpgFromDistanceAndFuel(km, litres);
  if (mpg === null) return fallback(`no fuel counted over ${formatAmount(miles, 0)} mi`);
  if (mpg < PLAUSIBLE_MPG.min || mpg > PLAUSIBLE_MPG.max) {
    return fallback(`measured ${formatAmount(mpg, 1)} mpg over ${formatAmount(miles, 0)} mi is outside the ${PLAUSIBLE_MPG.min}–${PLAUSIBLE_MPG.max} mpg a heavy truck gets`);
  }
  return {
    mpg,
    source: "measured",
    miles,
    gallons,
    reason: `measured over the last ${formatAmount(miles, 0)} mi: ${formatAmount(gallons, 1)} gal${skippedNote}`,
  };
}
