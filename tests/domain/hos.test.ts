/**
 * Hours-of-service feasibility against schedules worked out by hand from 49 CFR 395.3(a) (11 h
 * driving, 14-h window, 30-min break after 8 h of driving, 10-h reset; summarised on FMCSA's
 * "Summary of Hours of Service Regulations" page). Every trip starts on Tuesday 2024-01-09 in
 * Chicago, which is on CST (UTC−6) all January, so the local times in the comments are the
 * times in the reasons.
 */
import { describe, expect, test } from "bun:test";
import {
  DEFAULT_PICKUP_GRACE_MS,
  FMCSA_PROPERTY_RULES,
  freshClock,
  reachPickup,
  simulateDrive,
  type HosClock,
  type PickupQuery,
} from "../../src/domain/hos";

const MINUTE = 60_000;
const HOUR = 3_600_000;

/** Epoch ms of a Chicago wall-clock time in January 2024 (CST, UTC−6). */
const cst = (dateTime: string): number => Date.parse(`${dateTime}:00-06:00`);

const NOW = cst("2024-01-09T06:00"); // Tue 06:00

interface PickupCase {
  name: string;
  query: Partial<PickupQuery> & Pick<PickupQuery, "miles" | "avgSpeedMph" | "pickupEarliest">;
  arriveAt: number;
  feasible: boolean;
  waitMs: number;
  lateByMs: number;
  breaks: number;
  resets: number;
  reason: string;
}

const cases: PickupCase[] = [
  {
    // 110 mi / 55 mph = 2 h → Tue 08:00, inside Tue 07:00–12:00.
    name: "short hop with a fresh clock",
    query: { miles: 110, avgSpeedMph: 55, pickupEarliest: cst("2024-01-09T07:00"), pickupLatest: cst("2024-01-09T12:00") },
    arriveAt: cst("2024-01-09T08:00"),
    feasible: true,
    waitMs: 0,
    lateByMs: 0,
    breaks: 0,
    resets: 0,
    reason: "reaches pickup Tue 08:00 with no break needed",
  },
  {
    // 480 mi / 60 mph = 8 h exactly: the break is due only before driving on, so none → Tue 14:00.
    name: "exactly 8 h of driving needs no break",
    query: { miles: 480, avgSpeedMph: 60, pickupEarliest: cst("2024-01-09T14:00"), pickupLatest: cst("2024-01-09T16:00") },
    arriveAt: cst("2024-01-09T14:00"),
    feasible: true,
    waitMs: 0,
    lateByMs: 0,
    breaks: 0,
    resets: 0,
    reason: "reaches pickup Tue 14:00 with no break needed",
  },
  {
    // 481 mi / 60 mph = 8 h 1 min: drive 06:00–14:00, break 14:00–14:30, drive 1 min → 14:31.
    name: "8 h 1 min of driving gets a break after the 8th hour",
    query: { miles: 481, avgSpeedMph: 60, pickupEarliest: cst("2024-01-09T14:00"), pickupLatest: cst("2024-01-09T16:00") },
    arriveAt: cst("2024-01-09T14:31"),
    feasible: true,
    waitMs: 0,
    lateByMs: 0,
    breaks: 1,
    resets: 0,
    reason: "reaches pickup Tue 14:31 with one 30-min break",
  },
  {
    // 600 mi / 55 mph = 10.909 h = 10 h 54 min 32.727 s (39 272 727 ms): drive 06:00–14:00, break
    // 14:00–14:30, drive 2 h 54 min 32.727 s → 17:24:32.727 (shown rounded up, 17:25). 10.9 h of
    // driving is under 11, and 11 h 25 min on duty is under 14.
    name: "600 mi at 55 mph: one break, inside the 11 and the 14",
    query: { miles: 600, avgSpeedMph: 55, pickupEarliest: cst("2024-01-09T17:00"), pickupLatest: cst("2024-01-09T19:00") },
    arriveAt: NOW + 11 * HOUR + 24 * MINUTE + 32_727,
    feasible: true,
    waitMs: 0,
    lateByMs: 0,
    breaks: 1,
    resets: 0,
    reason: "reaches pickup Tue 17:25 with one 30-min break",
  },
  {
    // 700 mi / 55 mph = 12.727 h = 12 h 43 min 38.182 s (45 818 182 ms): drive 06:00–14:00, break
    // 14:00–14:30, drive 3 h to 17:30 (11 h used), reset 17:30–Wed 03:30, drive the last
    // 1 h 43 min 38.182 s → Wed 05:13:38.182. The window opens Wed 06:00: wait 46 min 21.818 s.
    name: "700 mi at 55 mph: a 10-h reset on the way, then a wait",
    query: { miles: 700, avgSpeedMph: 55, pickupEarliest: cst("2024-01-10T06:00"), pickupLatest: cst("2024-01-10T08:00") },
    arriveAt: cst("2024-01-10T05:13") + 38_182,
    feasible: true,
    waitMs: 46 * MINUTE + 21_818,
    lateByMs: 0,
    breaks: 1,
    resets: 1,
    reason: "reaches pickup Wed 05:14 with one 10-h reset and one 30-min break; waits 46 min for the window to open (Wed 06:00)",
  },
  {
    // The same run against a window closing Wed 02:00: Wed 05:13:38.182 is 3 h 13 min 38.182 s
    // late, shown rounded up as 3 h 14 min (Wed 05:14 − 02:00).
    name: "700 mi at 55 mph: the reset makes it late",
    query: { miles: 700, avgSpeedMph: 55, pickupEarliest: cst("2024-01-09T20:00"), pickupLatest: cst("2024-01-10T02:00") },
    arriveAt: cst("2024-01-10T05:13") + 38_182,
    feasible: false,
    waitMs: 0,
    lateByMs: 3 * HOUR + 13 * MINUTE + 38_182,
    breaks: 1,
    resets: 1,
    reason: "needs one 10-h reset and one 30-min break on the way; arrives Wed 05:14, 3 h 14 min after the window closes (Wed 02:00)",
  },
  {
    // On duty since Mon 20:00 with 9 h driven, 1 h since the last break. 165 mi / 55 mph = 3 h.
    // Left at 06:00: 2 h of the 11, window to 10:00, 7 h to the next break. Drive 06:00–08:00,
    // reset 08:00–18:00, drive 1 h → Tue 19:00, 5 h after the window closes at 14:00.
    name: "driver with 9 h already driven runs out of the 11 and resets",
    query: {
      clock: { drivingMsSinceReset: 9 * HOUR, windowStartedAt: cst("2024-01-08T20:00"), drivingMsSinceBreak: 1 * HOUR },
      miles: 165,
      avgSpeedMph: 55,
      pickupEarliest: cst("2024-01-09T12:00"),
      pickupLatest: cst("2024-01-09T14:00"),
    },
    arriveAt: cst("2024-01-09T19:00"),
    feasible: false,
    waitMs: 0,
    lateByMs: 5 * HOUR,
    breaks: 0,
    resets: 1,
    reason: "needs one 10-h reset on the way; arrives Tue 19:00, 5 h after the window closes (Tue 14:00)",
  },
  {
    // Same driver, 110 mi / 55 mph = 2 h: ends at 08:00 with exactly 11 h driven, no reset.
    name: "driver with 9 h already driven uses exactly the last 2 h",
    query: {
      clock: { drivingMsSinceReset: 9 * HOUR, windowStartedAt: cst("2024-01-08T20:00"), drivingMsSinceBreak: 1 * HOUR },
      miles: 110,
      avgSpeedMph: 55,
      pickupEarliest: cst("2024-01-09T08:00"),
      pickupLatest: cst("2024-01-09T10:00"),
    },
    arriveAt: cst("2024-01-09T08:00"),
    feasible: true,
    waitMs: 0,
    lateByMs: 0,
    breaks: 0,
    resets: 0,
    reason: "reaches pickup Tue 08:00 with no break needed",
  },
  {
    // Window opened Mon 17:00, 13 h ago, so it closes Tue 07:00; 5 h driven (6 h of the 11 left).
    // 110 mi / 55 mph = 2 h: drive 06:00–07:00, reset 07:00–17:00, drive 1 h → Tue 18:00.
    name: "window already 13 h old closes before the 11 runs out",
    query: {
      clock: { drivingMsSinceReset: 5 * HOUR, windowStartedAt: cst("2024-01-08T17:00"), drivingMsSinceBreak: 0 },
      miles: 110,
      avgSpeedMph: 55,
      pickupEarliest: cst("2024-01-09T17:00"),
      pickupLatest: cst("2024-01-09T20:00"),
    },
    arriveAt: cst("2024-01-09T18:00"),
    feasible: true,
    waitMs: 0,
    lateByMs: 0,
    breaks: 0,
    resets: 1,
    reason: "reaches pickup Tue 18:00 with one 10-h reset",
  },
  {
    // 2 h hop → Tue 08:00; the window opens 10:00: wait 2 h.
    name: "arrival before the window opens waits",
    query: { miles: 110, avgSpeedMph: 55, pickupEarliest: cst("2024-01-09T10:00"), pickupLatest: cst("2024-01-09T12:00") },
    arriveAt: cst("2024-01-09T08:00"),
    feasible: true,
    waitMs: 2 * HOUR,
    lateByMs: 0,
    breaks: 0,
    resets: 0,
    reason: "reaches pickup Tue 08:00 with no break needed; waits 2 h for the window to open (Tue 10:00)",
  },
  {
    // 600 mi run (Tue 17:24:32.727, above) against a window closing 15:00: 2 h 24 min 32.727 s
    // late, shown rounded up as 2 h 25 min.
    name: "late arrival after a break",
    query: { miles: 600, avgSpeedMph: 55, pickupEarliest: cst("2024-01-09T09:00"), pickupLatest: cst("2024-01-09T15:00") },
    arriveAt: NOW + 11 * HOUR + 24 * MINUTE + 32_727,
    feasible: false,
    waitMs: 0,
    lateByMs: 2 * HOUR + 24 * MINUTE + 32_727,
    breaks: 1,
    resets: 0,
    reason: "needs one 30-min break on the way; arrives Tue 17:25, 2 h 25 min after the window closes (Tue 15:00)",
  },
  {
    // 2 h hop → 08:00 against a window closing 07:15: late by distance alone, 45 min.
    name: "late arrival with no HOS stop",
    query: { miles: 110, avgSpeedMph: 55, pickupEarliest: cst("2024-01-09T06:30"), pickupLatest: cst("2024-01-09T07:15") },
    arriveAt: cst("2024-01-09T08:00"),
    feasible: false,
    waitMs: 0,
    lateByMs: 45 * MINUTE,
    breaks: 0,
    resets: 0,
    reason: "arrives Tue 08:00 with no break needed, 45 min after the window closes (Tue 07:15)",
  },
  {
    // No closing time: on time until 07:00 + 2 h grace = 09:00; arriving 08:00 is fine.
    name: "missing pickupLatest: on time within the default 2 h grace",
    query: { miles: 110, avgSpeedMph: 55, pickupEarliest: cst("2024-01-09T07:00") },
    arriveAt: cst("2024-01-09T08:00"),
    feasible: true,
    waitMs: 0,
    lateByMs: 0,
    breaks: 0,
    resets: 0,
    reason: "reaches pickup Tue 08:00 with no break needed",
  },
  {
    // A 30-min grace closes the window at 07:30; arriving 08:00 is 30 min late.
    name: "missing pickupLatest: late past a 30-min grace",
    query: { miles: 110, avgSpeedMph: 55, pickupEarliest: cst("2024-01-09T07:00"), pickupLatest: null, pickupGraceMs: 30 * MINUTE },
    arriveAt: cst("2024-01-09T08:00"),
    feasible: false,
    waitMs: 0,
    lateByMs: 30 * MINUTE,
    breaks: 0,
    resets: 0,
    reason: "arrives Tue 08:00 with no break needed, 30 min after the window closes (Tue 07:30)",
  },
  {
    // A 15-min pre-trip inspection first: 06:00–06:15, then 2 h → 08:15.
    name: "pre-trip on-duty time delays departure",
    query: { miles: 110, avgSpeedMph: 55, pickupEarliest: cst("2024-01-09T08:00"), pickupLatest: cst("2024-01-09T10:00"), onDutyBeforeMs: 15 * MINUTE },
    arriveAt: cst("2024-01-09T08:15"),
    feasible: true,
    waitMs: 0,
    lateByMs: 0,
    breaks: 0,
    resets: 0,
    reason: "reaches pickup Tue 08:15 with no break needed",
  },
];

describe("reachPickup: hand-worked trips", () => {
  for (const c of cases) {
    test(c.name, () => {
      const result = reachPickup({ now: NOW, clock: freshClock(), ...c.query });
      expect(result.arriveAt).toBe(c.arriveAt);
      expect(result.feasible).toBe(c.feasible);
      expect(result.waitMs).toBe(c.waitMs);
      expect(result.lateByMs).toBe(c.lateByMs);
      expect(result.breaks).toBe(c.breaks);
      expect(result.resets).toBe(c.resets);
      expect(result.reason).toBe(c.reason);
    });
  }

  test("driving time is distance over speed, in whole ms", () => {
    // 600 / 55 h = 39 272 727.27… ms.
    expect(reachPickup({ now: NOW, clock: freshClock(), miles: 600, avgSpeedMph: 55, pickupEarliest: NOW }).drivingMs).toBe(39_272_727);
  });

  test("the 700-mile stops, to the minute", () => {
    const result = reachPickup({ now: NOW, clock: freshClock(), miles: 700, avgSpeedMph: 55, pickupEarliest: cst("2024-01-10T06:00") });
    expect(result.stops).toEqual([
      { kind: "break", cause: "break-due", startAt: cst("2024-01-09T14:00"), endAt: cst("2024-01-09T14:30") },
      { kind: "reset", cause: "driving-limit", startAt: cst("2024-01-09T17:30"), endAt: cst("2024-01-10T03:30") },
    ]);
    // After the reset the new window opened at 03:30 and 1 h 43 min 38.182 s has been driven.
    expect(result.clockAtArrival).toEqual({
      drivingMsSinceReset: HOUR + 43 * MINUTE + 38_182,
      windowStartedAt: cst("2024-01-10T03:30"),
      drivingMsSinceBreak: HOUR + 43 * MINUTE + 38_182,
    });
  });

  test("the 13-h-old window forces a duty-window reset at 07:00", () => {
    const result = reachPickup({
      now: NOW,
      clock: { drivingMsSinceReset: 5 * HOUR, windowStartedAt: cst("2024-01-08T17:00"), drivingMsSinceBreak: 0 },
      miles: 110,
      avgSpeedMph: 55,
      pickupEarliest: cst("2024-01-09T17:00"),
    });
    expect(result.stops).toEqual([{ kind: "reset", cause: "duty-window", startAt: cst("2024-01-09T07:00"), endAt: cst("2024-01-09T17:00") }]);
  });

  test("a missing pickupLatest closes the window after the default grace", () => {
    const result = reachPickup({ now: NOW, clock: freshClock(), miles: 0, avgSpeedMph: 55, pickupEarliest: cst("2024-01-09T07:00") });
    expect(DEFAULT_PICKUP_GRACE_MS).toBe(2 * HOUR);
    expect(result.windowClosesAt).toBe(cst("2024-01-09T09:00"));
  });

  test("zero miles: already there, no stop even with no hours left", () => {
    const outOfHours: HosClock = { drivingMsSinceReset: 11 * HOUR, windowStartedAt: NOW - 14 * HOUR, drivingMsSinceBreak: 3 * HOUR };
    const result = reachPickup({ now: NOW, clock: outOfHours, miles: 0, avgSpeedMph: 55, pickupEarliest: NOW });
    expect(result.arriveAt).toBe(NOW);
    expect(result.drivingMs).toBe(0);
    expect(result.stops).toEqual([]);
    expect(result.reason).toBe("reaches pickup Tue 06:00 with no break needed");
  });
});

describe("reachPickup: on-duty work before setting off", () => {
  // 8 h driven since a break, window open since 21:00: the next minute of driving needs a break.
  const breakDue: HosClock = { drivingMsSinceReset: 8 * HOUR, windowStartedAt: NOW - 9 * HOUR, drivingMsSinceBreak: 8 * HOUR };
  const oneHourHop = { miles: 55, avgSpeedMph: 55, pickupEarliest: NOW };

  test("30 min of on-duty work counts as the break (on duty not driving qualifies since 2020)", () => {
    // Work 06:00–06:30, drive 1 h → 07:30, no break inserted.
    const result = reachPickup({ now: NOW, clock: breakDue, ...oneHourHop, onDutyBeforeMs: 30 * MINUTE });
    expect(result.arriveAt).toBe(cst("2024-01-09T07:30"));
    expect(result.breaks).toBe(0);
  });

  test("15 min of work is not a break, so one follows it", () => {
    // Work 06:00–06:15, break 06:15–06:45, drive 1 h → 07:45.
    const result = reachPickup({ now: NOW, clock: breakDue, ...oneHourHop, onDutyBeforeMs: 15 * MINUTE });
    expect(result.arriveAt).toBe(cst("2024-01-09T07:45"));
    expect(result.stops).toEqual([{ kind: "break", cause: "break-due", startAt: cst("2024-01-09T06:15"), endAt: cst("2024-01-09T06:45") }]);
  });

  test("a rested driver's window opens with the work, not with the driving", () => {
    const result = reachPickup({ now: NOW, clock: freshClock(), ...oneHourHop, onDutyBeforeMs: 15 * MINUTE });
    expect(result.clockAtArrival.windowStartedAt).toBe(NOW);
  });

  test("a driver out of hours rests first and does the pre-trip after", () => {
    // Window opened 14 h ago (closed now): reset 06:00–16:00, pre-trip 16:00–16:15, drive 1 h → 17:15.
    const closed: HosClock = { drivingMsSinceReset: 6 * HOUR, windowStartedAt: NOW - 14 * HOUR, drivingMsSinceBreak: 2 * HOUR };
    const result = reachPickup({ now: NOW, clock: closed, ...oneHourHop, onDutyBeforeMs: 15 * MINUTE });
    expect(result.stops).toEqual([{ kind: "reset", cause: "duty-window", startAt: NOW, endAt: cst("2024-01-09T16:00") }]);
    expect(result.arriveAt).toBe(cst("2024-01-09T17:15"));
    expect(result.clockAtArrival.windowStartedAt).toBe(cst("2024-01-09T16:00"));
  });
});

describe("reachPickup: times in the reason", () => {
  const hop = { clock: freshClock(), miles: 110, avgSpeedMph: 55 };

  test("in a caller-supplied zone", () => {
    // Tue 08:00 CST is 09:00 in New York (EST).
    const result = reachPickup({ now: NOW, ...hop, pickupEarliest: NOW, timeZone: "America/New_York" });
    expect(result.reason).toBe("reaches pickup Tue 09:00 with no break needed");
  });

  test("across the spring-forward change (2024-03-10 02:00 CST → 03:00 CDT)", () => {
    // Sat 23:00 CST (05:00 UTC) + 4 h = 09:00 UTC = Sun 04:00 CDT (UTC−5), not 03:00.
    const saturdayNight = Date.parse("2024-03-09T23:00:00-06:00");
    const result = reachPickup({ now: saturdayNight, ...hop, miles: 220, pickupEarliest: saturdayNight, pickupLatest: saturdayNight + 5 * HOUR });
    expect(result.arriveAt).toBe(Date.parse("2024-03-10T09:00:00Z"));
    expect(result.reason).toBe("reaches pickup Sun 04:00 with no break needed");
  });

  test("a late arrival under a minute still says so", () => {
    // Arrive 08:00, window closed 07:59:40: 20 s late, shown as a minute; the closing time is
    // rounded down to 07:59 so it never looks later than it is.
    const result = reachPickup({ now: NOW, ...hop, pickupEarliest: NOW, pickupLatest: cst("2024-01-09T07:59") + 40_000 });
    expect(result.lateByMs).toBe(20_000);
    expect(result.feasible).toBe(false);
    expect(result.reason).toBe("arrives Tue 08:00 with no break needed, 1 min after the window closes (Tue 07:59)");
  });
});

describe("simulateDrive", () => {
  test("11 h from fresh: one break, ends exactly at the driving limit", () => {
    // Drive 0–8 h, break 8–8.5 h, drive 3 h → 11.5 h after the start.
    const result = simulateDrive(NOW, freshClock(), 11 * HOUR);
    expect(result.endAt).toBe(NOW + 11.5 * HOUR);
    expect(result.stops).toEqual([{ kind: "break", cause: "break-due", startAt: NOW + 8 * HOUR, endAt: NOW + 8.5 * HOUR }]);
    expect(result.clock).toEqual({ drivingMsSinceReset: 11 * HOUR, windowStartedAt: NOW, drivingMsSinceBreak: 3 * HOUR });
  });

  test("11 h 1 min from fresh: the last minute comes after a reset", () => {
    // As above to 11.5 h, reset 11.5–21.5 h, drive 1 min → 21 h 31 min.
    const result = simulateDrive(NOW, freshClock(), 11 * HOUR + MINUTE);
    expect(result.endAt).toBe(NOW + 21.5 * HOUR + MINUTE);
    expect(result.stops.map((stop) => [stop.kind, stop.cause])).toEqual([
      ["break", "break-due"],
      ["reset", "driving-limit"],
    ]);
    expect(result.clock).toEqual({ drivingMsSinceReset: MINUTE, windowStartedAt: NOW + 21.5 * HOUR, drivingMsSinceBreak: MINUTE });
  });

  test("the 14-h window binds before the 11", () => {
    // On duty 10 h ago with 2 h driven: the window closes in 4 h. Drive 4 h, reset 4–14 h, drive 1 h → 15 h.
    const clock: HosClock = { drivingMsSinceReset: 2 * HOUR, windowStartedAt: NOW - 10 * HOUR, drivingMsSinceBreak: 2 * HOUR };
    const result = simulateDrive(NOW, clock, 5 * HOUR);
    expect(result.endAt).toBe(NOW + 15 * HOUR);
    expect(result.stops).toEqual([{ kind: "reset", cause: "duty-window", startAt: NOW + 4 * HOUR, endAt: NOW + 14 * HOUR }]);
  });

  test("a break the window would close during becomes the reset", () => {
    // Break due now, window closes in 20 min: a break would leave no driving time, so reset at once
    // (0–10 h) and drive 1 h → 11 h, not break + reset → 11.5 h.
    const clock: HosClock = { drivingMsSinceReset: 8 * HOUR, windowStartedAt: NOW - 13 * HOUR - 40 * MINUTE, drivingMsSinceBreak: 8 * HOUR };
    const result = simulateDrive(NOW, clock, HOUR);
    expect(result.endAt).toBe(NOW + 11 * HOUR);
    expect(result.stops).toEqual([{ kind: "reset", cause: "duty-window", startAt: NOW, endAt: NOW + 10 * HOUR }]);
  });

  test("40 h of driving across four shifts", () => {
    // Each full shift: 8 h + 30-min break + 3 h = 11.5 h, then a 10-h reset: 21.5 h per 11 h driven.
    // Three full shifts end at 11.5, 33 and 54.5 h, their resets at 21.5, 43 and 64.5 h; the last
    // 7 h need no break → 71.5 h.
    const result = simulateDrive(NOW, freshClock(), 40 * HOUR);
    expect(result.endAt).toBe(NOW + 71.5 * HOUR);
    expect(result.stops.map((stop) => stop.kind)).toEqual(["break", "reset", "break", "reset", "break", "reset"]);
  });

  test("no driving changes nothing, and a rested driver's window stays closed", () => {
    const result = simulateDrive(NOW, freshClock(), 0);
    expect(result).toEqual({ endAt: NOW, stops: [], clock: freshClock() });
  });

  test("the rules are a parameter: a 4-h break interval gives two breaks in 9 h", () => {
    // Drive 4, break, 4, break, 1 → 10 h.
    const rules = { ...FMCSA_PROPERTY_RULES, drivingBeforeBreakMs: 4 * HOUR };
    const result = simulateDrive(NOW, freshClock(), 9 * HOUR, rules);
    expect(result.endAt).toBe(NOW + 10 * HOUR);
    expect(result.stops.map((stop) => stop.startAt - NOW)).toEqual([4 * HOUR, 8.5 * HOUR]);
  });

  test("the federal limits are 11, 14, 8, 30 min and 10, and cannot be changed", () => {
    expect(FMCSA_PROPERTY_RULES).toEqual({
      maxDrivingMs: 11 * HOUR,
      dutyWindowMs: 14 * HOUR,
      drivingBeforeBreakMs: 8 * HOUR,
      breakMs: 30 * MINUTE,
      resetMs: 10 * HOUR,
    });
    expect(Object.isFrozen(FMCSA_PROPERTY_RULES)).toBe(true);
  });
});

describe("bad input throws a RangeError naming the field", () => {
  const good: PickupQuery = { now: NOW, clock: freshClock(), miles: 100, avgSpeedMph: 55, pickupEarliest: NOW, pickupLatest: NOW + HOUR };
  const badQueries: [string, Partial<PickupQuery>, RegExp][] = [
    ["negative miles", { miles: -1 }, /^miles must be 0 or more, got -1$/],
    ["NaN miles", { miles: Number.NaN }, /^miles must be a finite number, got NaN$/],
    ["zero speed", { avgSpeedMph: 0 }, /^avgSpeedMph must be above 0, got 0$/],
    ["negative speed", { avgSpeedMph: -55 }, /^avgSpeedMph must be above 0/],
    ["NaN speed", { avgSpeedMph: Number.NaN }, /^avgSpeedMph must be a finite number/],
    ["NaN now", { now: Number.NaN }, /^now must be a finite number/],
    ["infinite pickupEarliest", { pickupEarliest: Number.POSITIVE_INFINITY }, /^pickupEarliest must be a finite number/],
    ["pickupLatest before pickupEarliest", { pickupLatest: NOW - 1 }, /^pickupLatest .* is before pickupEarliest/],
    ["negative onDutyBeforeMs", { onDutyBeforeMs: -1 }, /^onDutyBeforeMs must be 0 or more/],
    ["negative pickupGraceMs", { pickupGraceMs: -1, pickupLatest: undefined }, /^pickupGraceMs must be 0 or more/],
    ["unknown time zone", { timeZone: "Mars/Olympus_Mons" }, /^timeZone must be an IANA time zone .*"Mars\/Olympus_Mons"/],
    ["zero rule", { rules: { ...FMCSA_PROPERTY_RULES, drivingBeforeBreakMs: 0 } }, /^rules\.drivingBeforeBreakMs must be above 0/],
    ["negative clock driving", { clock: { drivingMsSinceReset: -1, windowStartedAt: NOW, drivingMsSinceBreak: 0 } }, /^clock\.drivingMsSinceReset must be 0 or more/],
    [
      "more driving since the break than since the reset",
      { clock: { drivingMsSinceReset: HOUR, windowStartedAt: NOW - HOUR, drivingMsSinceBreak: 2 * HOUR } },
      /^clock\.drivingMsSinceBreak .* exceeds clock\.drivingMsSinceReset/,
    ],
    [
      "driving with no window open",
      { clock: { drivingMsSinceReset: HOUR, windowStartedAt: null, drivingMsSinceBreak: HOUR } },
      /^clock\.windowStartedAt is null .* but clock\.drivingMsSinceReset is above 0$/,
    ],
    [
      "window opening in the future",
      { clock: { drivingMsSinceReset: 0, windowStartedAt: NOW + 1, drivingMsSinceBreak: 0 } },
      /^clock\.windowStartedAt .* is after the start time/,
    ],
  ];
  for (const [name, change, message] of badQueries) {
    test(name, () => {
      expect(() => reachPickup({ ...good, ...change })).toThrow(RangeError);
      expect(() => reachPickup({ ...good, ...change })).toThrow(message);
    });
  }

  test("simulateDrive checks its own arguments", () => {
    expect(() => simulateDrive(NOW, freshClock(), -1)).toThrow(/^drivingMs must be 0 or more/);
    expect(() => simulateDrive(NOW, freshClock(), Number.POSITIVE_INFINITY)).toThrow(/^drivingMs must be a finite number/);
    expect(() => simulateDrive(Number.NaN, freshClock(), HOUR)).toThrow(/^start must be a finite number/);
    expect(() => simulateDrive(NOW, freshClock(), HOUR, { ...FMCSA_PROPERTY_RULES, maxDrivingMs: Number.NaN })).toThrow(
      /^rules\.maxDrivingMs must be a finite number/,
    );
  });
});
