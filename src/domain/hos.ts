/**
 * FMCSA hours-of-service feasibility for property-carrying drivers: can this driver reach a
 * pickup inside its window without breaking the federal limits, where must they stop on the way,
 * and why — in words a dispatcher reads. Pure functions over UTC epoch milliseconds, no I/O.
 *
 * Modelled, from 49 CFR 395.3(a) as amended by the 2020 final rule (85 FR 33396, effective
 * 2020-09-29):
 * - (a)(1) a shift starts after 10 consecutive hours off duty, and 10 consecutive hours off duty
 *   reset both limits below;
 * - (a)(2) no driving after the 14th hour since coming on duty; time off duty inside those 14
 *   hours does not extend them;
 * - (a)(3)(i) at most 11 hours of driving in that window;
 * - (a)(3)(ii) no driving once 8 hours of driving have accumulated without an interruption of 30
 *   consecutive minutes; any non-driving time (off duty, sleeper berth, on duty not driving)
 *   counts as that interruption.
 *
 * Not modelled: the 60-hour/7-day and 70-hour/8-day limits and the 34-hour restart (395.3(b),
 * (c)); the sleeper-berth split (395.1(g)); the adverse-driving-conditions extension (395.1(b));
 * the short-haul exceptions (395.1(e), (o)); credit for an off-duty period already under way at
 * the start (a driver 7 h into a rest is treated as needing a full 10-h reset if one is forced);
 * and whether the driver has hours left for loading and the loaded leg after reaching the pickup.
 *
 * Stops are placed greedily: drive as long as the rules allow, then take whichever stop they
 * force. That is how drivers run and it is a legal schedule, so "feasible" is never wrong; it can
 * be up to 30 min pessimistic when a break buys only a little driving before a reset that would
 * have come anyway.
 */
import { dateFormatter } from "./date-format";

const MS_PER_MINUTE = 60_000;
const MS_PER_HOUR = 3_600_000;

/** Limits of an hours-of-service rule set, every duration in milliseconds. */
export interface HosRules {
  /** Driving allowed between two resets (395.3(a)(3)(i)). */
  maxDrivingMs: number;
  /** Time after coming on duty past which no driving is allowed, off-duty time included (395.3(a)(2)). */
  dutyWindowMs: number;
  /** Cumulative driving allowed without a qualifying break (395.3(a)(3)(ii)). */
  drivingBeforeBreakMs: number;
  /** Length of the non-driving period that counts as that break (395.3(a)(3)(ii)). */
  breakMs: number;
  /** Consecutive off-duty time that restores the driving limit and opens a new window (395.3(a)(1)). */
  resetMs: number;
}

/** The federal property-carrying limits: 11 h driving, 14-h window, break after 8 h, 30-min break, 10-h reset. */
export const FMCSA_PROPERTY_RULES: Readonly<HosRules> = Object.freeze({
  maxDrivingMs: 11 * MS_PER_HOUR,
  dutyWindowMs: 14 * MS_PER_HOUR,
  drivingBeforeBreakMs: 8 * MS_PER_HOUR,
  breakMs: 30 * MS_PER_MINUTE,
  resetMs: 10 * MS_PER_HOUR,
});

/**
 * A driver's hours-of-service state at one moment, as the ELD or the duty log says. The caller
 * folds history into it: a driver who has since been off duty 10 h gets `freshClock()`, one who
 * has since had a 30-min break gets `drivingMsSinceBreak: 0`.
 */
export interface HosClock {
  /** Driving done since the last 10-h reset. */
  drivingMsSinceReset: number;
  /** When the current 14-h window opened (epoch ms), or null when the driver is rested and not yet on duty. */
  windowStartedAt: number | null;
  /** Driving done since the last qualifying 30-min break (or reset). */
  drivingMsSinceBreak: number;
}

/** The clock of a driver who has just had a full reset and has not come on duty yet. */
export function freshClock(): HosClock {
  return { drivingMsSinceReset: 0, windowStartedAt: null, drivingMsSinceBreak: 0 };
}

/** A stop the rules force on the way. */
export interface HosStop {
  kind: "break" | "reset";
  /** The limit that forced it: 8 h without a break, the 11-h driving limit, or the 14-h window. */
  cause: "break-due" | "driving-limit" | "duty-window";
  /** Epoch ms. */
  startAt: number;
  /** Epoch ms. */
  endAt: number;
}

/** Where a drive ends under the rules: the arrival time, the stops on the way, the clock afterwards. */
export interface DriveSimulation {
  /** When the last minute of driving ends (epoch ms). */
  endAt: number;
  stops: HosStop[];
  clock: HosClock;
}

/**
 * Drive `drivingMs` of wheel time from `start`, inserting each break and reset at the latest legal
 * moment. Throws a RangeError naming the field for a non-finite time, negative driving, a clock
 * that cannot exist, or rules with a non-positive limit.
 */
export function simulateDrive(start: number, clock: HosClock, drivingMs: number, rules: HosRules = FMCSA_PROPERTY_RULES): DriveSimulation {
  requireFinite("start", start);
  requireAtLeastZero("drivingMs", drivingMs);
  validateRules(rules);
  validateClock(clock, start);

  let at = start;
  let state: HosClock = { ...clock };
  let remainingMs = drivingMs;
  const stops: HosStop[] = [];
  const takeReset = (cause: HosStop["cause"]) => {
    stops.push({ kind: "reset", cause, startAt: at, endAt: at + rules.resetMs });
    at += rules.resetMs;
    state = freshClock();
  };

  while (remainingMs > 0) {
    // A rested driver's window opens when they start driving.
    const windowEndsAt = (state.windowStartedAt ?? at) + rules.dutyWindowMs;
    const drivingLeftMs = rules.maxDrivingMs - state.drivingMsSinceReset;
    const untilBreakMs = rules.drivingBeforeBreakMs - state.drivingMsSinceBreak;

    if (drivingLeftMs <= 0) {
      takeReset("driving-limit");
    } else if (windowEndsAt <= at) {
      takeReset("duty-window");
    } else if (untilBreakMs <= 0) {
      if (windowEndsAt <= at + rules.breakMs) {
        // The window would close during the break, so a reset must follow it; the reset alone
        // also satisfies the break, and taking it now arrives a break's length earlier.
        takeReset("duty-window");
      } else {
        stops.push({ kind: "break", cause: "break-due", startAt: at, endAt: at + rules.breakMs });
        at += rules.breakMs;
        state.drivingMsSinceBreak = 0;
      }
    } else {
      const legMs = Math.min(remainingMs, drivingLeftMs, untilBreakMs, windowEndsAt - at);
      state.windowStartedAt ??= at;
      state.drivingMsSinceReset += legMs;
      state.drivingMsSinceBreak += legMs;
      remainingMs -= legMs;
      at += legMs;
    }
  }
  return { endAt: at, stops, clock: state };
}

/** A truck–load question: can this driver, at this clock, reach this pickup in time? */
export interface PickupQuery {
  /** Epoch ms the driver can set off (or start the pre-trip work). */
  now: number;
  clock: HosClock;
  /** Road miles to the pickup. */
  miles: number;
  /** Average moving speed over those miles. */
  avgSpeedMph: number;
  /** Epoch ms the pickup window opens. */
  pickupEarliest: number;
  /** Epoch ms the pickup window closes; when missing, it closes `pickupGraceMs` after it opens. */
  pickupLatest?: number | null;
  /**
   * On-duty, not-driving work before setting off (pre-trip inspection, fuelling), ms; default 0.
   * It opens the 14-h window if the driver is rested, and counts as the break when 30 min or more.
   */
  onDutyBeforeMs?: number;
  /** How long after `pickupEarliest` a pickup with no `pickupLatest` still counts as on time; default 2 h. */
  pickupGraceMs?: number;
  /** IANA time zone for the times in `reason`; default America/Chicago. */
  timeZone?: string;
  rules?: HosRules;
}

/** The answer for one truck–load pair, with the reason in plain English. */
export interface PickupReach {
  feasible: boolean;
  /** Epoch ms the driver reaches the pickup. */
  arriveAt: number;
  /** Epoch ms the window closes (`pickupLatest`, or `pickupEarliest` plus the grace). */
  windowClosesAt: number;
  /** Time spent waiting for the window to open; 0 when arriving inside or after it. */
  waitMs: number;
  /** How long after the window closes the driver arrives; 0 when on time. */
  lateByMs: number;
  /** Wheel time for the distance at the average speed. */
  drivingMs: number;
  /** Number of 30-min breaks inserted. */
  breaks: number;
  /** Number of 10-h resets inserted. */
  resets: number;
  stops: HosStop[];
  /** The driver's clock on arrival, to continue with the loaded leg. */
  clockAtArrival: HosClock;
  /** For a dispatcher, e.g. "reaches pickup Tue 14:10 with one 30-min break". */
  reason: string;
}

/** Default grace for a pickup with no closing time: two hours after it opens. */
export const DEFAULT_PICKUP_GRACE_MS = 2 * MS_PER_HOUR;
/** Default IANA zone for the times in a reason (US Central). */
export const DEFAULT_TIME_ZONE = "America/Chicago";

/**
 * Whether the driver reaches the pickup by the time its window closes under the rules, when, with
 * which stops, and why in words. A pickup with no closing time is taken as on time up to
 * `pickupGraceMs` (2 h) after it opens: when the shipper gave only an appointment time, the end of
 * their day is not known, and a driver more than a couple of hours past the appointment risks
 * being turned away. Throws a RangeError naming the field for bad input.
 */
export function reachPickup(query: PickupQuery): PickupReach {
  const { now, miles, avgSpeedMph, pickupEarliest } = query;
  const onDutyBeforeMs = query.onDutyBeforeMs ?? 0;
  const pickupGraceMs = query.pickupGraceMs ?? DEFAULT_PICKUP_GRACE_MS;
  const rules = query.rules ?? FMCSA_PROPERTY_RULES;
  requireFinite("now", now);
  requireAtLeastZero("miles", miles);
  requireFinite("avgSpeedMph", avgSpeedMph);
  if (avgSpeedMph <= 0) throw new RangeError(`avgSpeedMph must be above 0, got ${avgSpeedMph}`);
  requireFinite("pickupEarliest", pickupEarliest);
  requireAtLeastZero("onDutyBeforeMs", onDutyBeforeMs);
  requireAtLeastZero("pickupGraceMs", pickupGraceMs);
  let windowClosesAt = pickupEarliest + pickupGraceMs;
  if (query.pickupLatest !== undefined && query.pickupLatest !== null) {
    requireFinite("pickupLatest", query.pickupLatest);
    if (query.pickupLatest < pickupEarliest) {
      throw new RangeError(`pickupLatest (${query.pickupLatest}) is before pickupEarliest (${pickupEarliest})`);
    }
    windowClosesAt = query.pickupLatest;
  }
  validateRules(rules);
  validateClock(query.clock, now);
  const formatTime = timeFormatter(query.timeZone ?? DEFAULT_TIME_ZONE);

  // Whole milliseconds keep every later time an integer epoch ms.
  const drivingMs = Math.round((miles / avgSpeedMph) * MS_PER_HOUR);

  let departAt = now;
  let clock: HosClock = { ...query.clock };
  const stops: HosStop[] = [];
  if (onDutyBeforeMs > 0) {
    // A driver with no legal driving left once the work is done rests first and does the
    // pre-trip after, so the work opens the new window rather than burning the old one.
    const windowEndsAt = (clock.windowStartedAt ?? departAt) + rules.dutyWindowMs;
    const outOfHours = clock.drivingMsSinceReset >= rules.maxDrivingMs || windowEndsAt <= departAt + onDutyBeforeMs;
    if (drivingMs > 0 && outOfHours) {
      const cause = clock.drivingMsSinceReset >= rules.maxDrivingMs ? "driving-limit" : "duty-window";
      stops.push({ kind: "reset", cause, startAt: departAt, endAt: departAt + rules.resetMs });
      departAt += rules.resetMs;
      clock = freshClock();
    }
    clock.windowStartedAt ??= departAt;
    if (onDutyBeforeMs >= rules.breakMs) clock.drivingMsSinceBreak = 0;
    departAt += onDutyBeforeMs;
  }
  const drive = simulateDrive(departAt, clock, drivingMs, rules);
  stops.push(...drive.stops);

  const arriveAt = drive.endAt;
  const waitMs = Math.max(0, pickupEarliest - arriveAt);
  const lateByMs = Math.max(0, arriveAt - windowClosesAt);
  const breaks = stops.filter((stop) => stop.kind === "break").length;
  const resets = stops.length - breaks;
  const feasible = lateByMs === 0;

  const stopList = describeStops(breaks, resets, rules);
  let reason: string;
  if (feasible) {
    reason = `reaches pickup ${formatTime(arriveAt, "ceil")} ${stopList ? `with ${stopList}` : "with no break needed"}`;
    if (waitMs > 0) reason += `; waits ${formatDuration(waitMs, "floor")} for the window to open (${formatTime(pickupEarliest, "ceil")})`;
  } else {
    const late = `${formatDuration(lateByMs, "ceil")} after the window closes (${formatTime(windowClosesAt, "floor")})`;
    reason = stopList
      ? `needs ${stopList} on the way; arrives ${formatTime(arriveAt, "ceil")}, ${late}`
      : `arrives ${formatTime(arriveAt, "ceil")} with no break needed, ${late}`;
  }

  return { feasible, arriveAt, windowClosesAt, waitMs, lateByMs, drivingMs, breaks, resets, stops, clockAtArrival: drive.clock, reason };
}

function requireFinite(field: string, value: number): void {
  if (typeof value !== "number" || !Number.isFinite(value)) throw new RangeError(`${field} must be a finite number, got ${String(value)}`);
}

function requireAtLeastZero(field: string, value: number): void {
  requireFinite(field, value);
  if (value < 0) throw new RangeError(`${field} must be 0 or more, got ${value}`);
}

function validateRules(rules: HosRules): void {
  // A zero limit would make the schedule stop for ever without driving a minute.
  for (const field of ["maxDrivingMs", "dutyWindowMs", "drivingBeforeBreakMs", "breakMs", "resetMs"] as const) {
    requireFinite(`rules.${field}`, rules[field]);
    if (rules[field] <= 0) throw new RangeError(`rules.${field} must be above 0, got ${rules[field]}`);
  }
}

function validateClock(clock: HosClock, at: number): void {
  requireAtLeastZero("clock.drivingMsSinceReset", clock.drivingMsSinceReset);
  requireAtLeastZero("clock.drivingMsSinceBreak", clock.drivingMsSinceBreak);
  // A reset is also a break, so there cannot be more driving since the last break than since the last reset.
  if (clock.drivingMsSinceBreak > clock.drivingMsSinceReset) {
    throw new RangeError(
      `clock.drivingMsSinceBreak (${clock.drivingMsSinceBreak}) exceeds clock.drivingMsSinceReset (${clock.drivingMsSinceReset})`,
    );
  }
  if (clock.windowStartedAt === null) {
    if (clock.drivingMsSinceReset > 0) {
      throw new RangeError("clock.windowStartedAt is null (rested) but clock.drivingMsSinceReset is above 0");
    }
    return;
  }
  requireFinite("clock.windowStartedAt", clock.windowStartedAt);
  if (clock.windowStartedAt > at) throw new RangeError(`clock.windowStartedAt (${clock.windowStartedAt}) is after the start time (${at})`);
}

const WEEKDAY_TIME: Intl.DateTimeFormatOptions = { weekday: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" };

/**
 * "Tue 14:10" in the zone. Arrivals and window openings round up and closings round down, so a
 * time off the minute is never shown more favourable than it is.
 */
function timeFormatter(timeZone: string): (epochMs: number, rounding: "ceil" | "floor") => string {
  let format: Intl.DateTimeFormat;
  try {
    format = dateFormatter("en-US", timeZone, WEEKDAY_TIME);
  } catch {
    throw new RangeError(`timeZone must be an IANA time zone such as "America/Chicago", got "${timeZone}"`);
  }
  const zoned = format;
  return (epochMs, rounding) => {
    const parts = zoned.formatToParts(Math[rounding](epochMs / MS_PER_MINUTE) * MS_PER_MINUTE);
    const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? "";
    return `${part("weekday")} ${part("hour")}:${part("minute")}`;
  };
}

/**
 * "3 h 20 min", "46 min", "2 h". Lateness rounds up and waiting rounds down, so both agree with
 * the times shown when the window opens and closes on a minute.
 */
function formatDuration(ms: number, rounding: "floor" | "ceil"): string {
  const totalMinutes = Math[rounding](ms / MS_PER_MINUTE);
  if (totalMinutes === 0) return "under a minute";
  const hours = Math.floor(totalMinutes / 60);
  const minutes = totalMinutes % 60;
  if (hours === 0) return `${minutes} min`;
  return minutes === 0 ? `${hours} h` : `${hours} h ${minutes} min`;
}

const COUNT_WORDS = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];

/** "one 10-h reset and two 30-min breaks", or "" when there are none. */
function describeStops(breaks: number, resets: number, rules: HosRules): string {
  const phrase = (count: number, lengthMs: number, noun: string) =>
    `${COUNT_WORDS[count] ?? String(count)} ${lengthLabel(lengthMs)} ${noun}${count === 1 ? "" : "s"}`;
  const parts: string[] = [];
  if (resets > 0) parts.push(phrase(resets, rules.resetMs, "reset"));
  if (breaks > 0) parts.push(phrase(breaks, rules.breakMs, "break"));
  return parts.join(" and ");
}

/** A stop length as an adjective: "10-h", "30-min". */
function lengthLabel(ms: number): string {
  return ms % MS_PER_HOUR === 0 ? `${ms / MS_PER_HOUR}-h` : `${Math.round(ms / MS_PER_MINUTE)}-min`;
}
