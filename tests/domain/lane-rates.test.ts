/**
 * Lane rates on hand-worked sets: which observations are rejected and why, which window each
 * observation falls in (edges included), the ZIP3 → state roll-up when a lane is thin, weighted
 * quartiles (worked with the definition in src/domain/stats.ts: sort, running sum of weights
 * against p × W), trend words, confidence sentences, and the estimate for a load without a rate.
 *
 * Every observation below is 100 loaded miles unless said otherwise, so its rate in cents is its
 * rate per mile × 100 and the per-mile numbers can be read straight off the test.
 */
import { describe, expect, test } from "bun:test";
import {
  DAY_MS,
  confidenceLevel,
  estimateLaneRate,
  laneRates,
  marketOf,
  observationProblem,
  screenObservations,
  type LanePlace,
  type LaneQuery,
  type RateObservation,
} from "../../src/domain/lane-rates";

const NOW = Date.UTC(2026, 5, 30, 12, 0, 0);

const CHICAGO_606: LanePlace = { zip: "60601", state: "IL" };
const JOLIET_604: LanePlace = { zip: "60435", state: "IL" };
const DALLAS_752: LanePlace = { zip: "75201", state: "TX" };
const ADDISON_750: LanePlace = { zip: "75001", state: "TX" };
const ILLINOIS: LanePlace = { state: "IL" };
const TEXAS: LanePlace = { state: "TX" };

/** ZIP3 query 606 → 752, dry van. */
const ZIP_QUERY: LaneQuery = { origin: CHICAGO_606, destination: DALLAS_752, equipment: "V" };
/** State query IL → TX, dry van. */
const STATE_QUERY: LaneQuery = { origin: ILLINOIS, destination: TEXAS, equipment: "V" };

/** A board posting on 606 → 752 (V), `daysAgo` before NOW, at `centsPerMile` over 100 miles. */
function seen(daysAgo: number, centsPerMile: number, extra: Partial<RateObservation> = {}): RateObservation {
  return {
    ts: NOW - daysAgo * DAY_MS,
    origin: CHICAGO_606,
    destination: DALLAS_752,
    equipment: "V",
    rate_cents: Math.round(centsPerMile * 100),
    loaded_miles: 100,
    own: false,
    ...extra,
  };
}

describe("observationProblem", () => {
  // [name, observation, reason it is rejected (null: accepted)]
  const cases: [string, RateObservation, RegExp | null][] = [
    ["an ordinary posting", seen(1, 250), null],
    ["exactly 50 ¢/mi is kept (the floor is inclusive)", seen(1, 50), null],
    ["exactly $20/mi is kept (the ceiling is inclusive)", seen(1, 2000), null],
    ["a ZIP3-only place", seen(1, 250, { origin: { zip: "606", state: "IL" } }), null],
    ["no ZIP, state only", seen(1, 250, { origin: ILLINOIS, destination: TEXAS }), null],
    ["zero loaded miles", seen(1, 250, { loaded_miles: 0 }), /^loaded_miles must be more than 0, got 0$/],
    ["negative loaded miles", seen(1, 250, { loaded_miles: -12 }), /loaded_miles must be more than 0, got -12/],
    ["NaN loaded miles", seen(1, 250, { loaded_miles: Number.NaN }), /loaded_miles must be more than 0, got NaN/],
    // $150 over 310 mi is 48.4 ¢/mi: a partial-load price or a typo.
    ["48.4 ¢/mi is below the floor", seen(1, 0, { rate_cents: 15_000, loaded_miles: 310 }), /^rate 48\.4 ¢\/mi \(15000 ¢ over 310 mi\) is below the floor of 50 ¢\/mi$/],
    // $450 flat over 12 mi is 3750 ¢/mi.
    ["$37.50/mi is above the ceiling", seen(1, 0, { rate_cents: 45_000, loaded_miles: 12 }), /^rate 3750\.0 ¢\/mi \(45000 ¢ over 12 mi\) is above the ceiling of 2000 ¢\/mi$/],
    ["just above the ceiling", seen(1, 0, { rate_cents: 200_010, loaded_miles: 100 }), /rate 2000\.1 ¢\/mi .* above the ceiling/],
    ["rate of 0", seen(1, 0, { rate_cents: 0 }), /rate_cents must be a whole number of cents above 0, got 0/],
    ["fractional cents", seen(1, 0, { rate_cents: 25_000.5 }), /rate_cents must be a whole number of cents above 0, got 25000.5/],
    ["lower-case state", seen(1, 250, { origin: { state: "il" } }), /^origin\.state must be a two-letter upper-case state code, got "il"$/],
    ["four-digit ZIP", seen(1, 250, { destination: { zip: "7520", state: "TX" } }), /^destination\.zip must be 5 digits \(or a 3-digit prefix\), got "7520"$/],
    ["no equipment", seen(1, 250, { equipment: " " }), /equipment code is missing/],
    ["no time", seen(1, 250, { ts: Number.NaN }), /ts must be UTC epoch milliseconds, got NaN/],
    ["own not a boolean", seen(1, 250, { own: "yes" as unknown as boolean }), /own must be true or false, got "yes"/],
  ];
  for (const [name, observation, reason] of cases) {
    test(name, () => {
      const problem = observationProblem(observation);
      if (reason === null) expect(problem).toBeNull();
      else expect(problem).toMatch(reason);
    });
  }

  test("the rate band is a parameter", () => {
    expect(observationProblem(seen(1, 60), { minRateCentsPerMile: 75 })).toMatch(/60\.0 ¢\/mi .* below the floor of 75 ¢\/mi/);
    expect(observationProblem(seen(1, 900), { maxRateCentsPerMile: 800 })).toMatch(/above the ceiling of 800 ¢\/mi/);
    expect(() => observationProblem(seen(1, 250), { minRateCentsPerMile: 500, maxRateCentsPerMile: 400 })).toThrow(
      /maxRateCentsPerMile must be above minRateCentsPerMile \(500\), got 400/,
    );
  });
});

describe("screenObservations", () => {
  test("splits accepted from rejected and keeps each reason with its observation", () => {
    const good = seen(1, 250);
    const noMiles = seen(1, 250, { loaded_miles: 0 });
    const flatFee = seen(1, 0, { rate_cents: 45_000, loaded_miles: 12 });
    const { accepted, rejected } = screenObservations([good, noMiles, flatFee]);
    expect(accepted).toEqual([good]);
    expect(rejected.map((r) => r.observation)).toEqual([noMiles, flatFee]);
    expect(rejected[0].reason).toMatch(/loaded_miles/);
    expect(rejected[1].reason).toMatch(/ceiling/);
  });

  test("rejected observations do not skew the statistics", () => {
    const clean = [240, 245, 250, 255, 260].map((rate) => seen(2, rate));
    const withJunk = [...clean, seen(2, 0, { rate_cents: 45_000, loaded_miles: 12 }), seen(2, 0, { rate_cents: 1_000, loaded_miles: 900 }), seen(2, 250, { loaded_miles: 0 })];
    const report = laneRates(withJunk, ZIP_QUERY, { now: NOW });
    expect(report.last30Days.reports).toBe(5);
    expect(report.last30Days.medianCentsPerMile).toBe(250);
    expect(report.last30Days.p75CentsPerMile).toBe(255);
  });
});

describe("marketOf", () => {
  test("ZIP3 prefix, state, and no ZIP3 without a ZIP", () => {
    expect(marketOf(CHICAGO_606, "zip3")).toBe("606");
    expect(marketOf({ zip: "606", state: "IL" }, "zip3")).toBe("606");
    expect(marketOf(CHICAGO_606, "state")).toBe("IL");
    expect(marketOf(ILLINOIS, "zip3")).toBeNull();
  });
});

describe("windows", () => {
  // One posting per age, rates rising with age so each window's quartiles show which were counted.
  // The window of d days is (now − d days, now]: exactly 7, 30 and 90 days old is already out.
  const ages: [number, number][] = [
    [-1, 900], // a day in the future: in no window
    [0, 195], // at now: in every window
    [1, 200],
    [6.9, 210],
    [7, 220],
    [29, 230],
    [30, 240],
    [31, 250],
    [89, 260],
    [90, 270],
    [120, 280],
  ];
  const observations = ages.map(([daysAgo, rate]) => seen(daysAgo, rate, { origin: ILLINOIS, destination: TEXAS }));
  const report = laneRates(observations, STATE_QUERY, { now: NOW });

  test("7 days: 195, 200, 210 (p25 target 0.75 → 195, median 1.5 → 200, p75 2.25 → 210)", () => {
    expect(report.last7Days).toMatchObject({ days: 7, reports: 3, p25CentsPerMile: 195, medianCentsPerMile: 200, p75CentsPerMile: 210 });
  });
  test("30 days: 195 … 230, five reports (targets 1.25, 2.5, 3.75 → 200, 210, 220)", () => {
    expect(report.last30Days).toMatchObject({ days: 30, reports: 5, p25CentsPerMile: 200, medianCentsPerMile: 210, p75CentsPerMile: 220 });
  });
  test("90 days: 195 … 260, eight reports (targets 2, 4, 6 land on boundaries → 205, 225, 245)", () => {
    expect(report.last90Days).toMatchObject({ days: 90, reports: 8, p25CentsPerMile: 205, medianCentsPerMile: 225, p75CentsPerMile: 245 });
  });
  test("a lane with nothing recent has counts of 0 and no rates", () => {
    const old = laneRates([seen(200, 250)], ZIP_QUERY, { now: NOW });
    expect(old.last90Days).toMatchObject({ reports: 0, ownReports: 0, weightedReports: 0, p25CentsPerMile: null, medianCentsPerMile: null, p75CentsPerMile: null });
  });
});

describe("weights and rounding", () => {
  // Board 200, 200 and own 300: with own ×3, W = 5, median target 2.5 is passed by 300.
  const mixed = [seen(3, 200), seen(4, 200), seen(5, 300, { own: true })];

  test("own loads count three times by default", () => {
    const window = laneRates(mixed, ZIP_QUERY, { now: NOW, minReports: 1 }).last30Days;
    expect(window).toMatchObject({ reports: 3, ownReports: 1, weightedReports: 5, medianCentsPerMile: 300, p25CentsPerMile: 200 });
  });
  test("the own weight is a parameter (1: median of 200, 200, 300 is 200)", () => {
    const window = laneRates(mixed, ZIP_QUERY, { now: NOW, minReports: 1, ownWeight: 1 }).last30Days;
    expect(window).toMatchObject({ reports: 3, weightedReports: 3, medianCentsPerMile: 200 });
  });
  test("rates are rounded once at the end, halves away from zero", () => {
    // 200 and 201 ¢/mi: the median is 200.5 → 201. 250.5 and 250.5 (2505 ¢ over 10 mi) → 251.
    expect(laneRates([seen(1, 200), seen(2, 201)], ZIP_QUERY, { now: NOW, minReports: 1 }).last30Days.medianCentsPerMile).toBe(201);
    const halves = [seen(1, 0, { rate_cents: 2505, loaded_miles: 10 }), seen(2, 0, { rate_cents: 2505, loaded_miles: 10 })];
    expect(laneRates(halves, ZIP_QUERY, { now: NOW, minReports: 1 }).last30Days.medianCentsPerMile).toBe(251);
  });
});

describe("ZIP3 → state roll-up", () => {
  const zip3Lane = [seen(1, 300), seen(2, 300), seen(3, 300), seen(4, 300)];
  const otherZip3sSameStates = [
    seen(1, 200, { origin: JOLIET_604, destination: ADDISON_750 }),
    seen(2, 200, { origin: JOLIET_604, destination: DALLAS_752 }),
    seen(3, 200, { origin: CHICAGO_606, destination: ADDISON_750 }),
  ];
  const noZips = [seen(1, 200, { origin: ILLINOIS, destination: TEXAS }), seen(2, 200, { origin: ILLINOIS, destination: TEXAS })];
  const elsewhere = [
    seen(1, 999, { destination: { zip: "30301", state: "GA" } }), // another state lane
    seen(1, 999, { equipment: "R" }), // reefer on the same lane
    seen(1, 999, { equipment: "VR" }), // van-or-reefer posting: its own lane
  ];

  test("4 reports on 606 → 752 are fewer than 5: the answer is IL → TX with all 9", () => {
    const report = laneRates([...zip3Lane, ...otherZip3sSameStates, ...noZips, ...elsewhere], ZIP_QUERY, { now: NOW });
    expect(report.last30Days).toMatchObject({
      lane: { level: "state", origin: "IL", destination: "TX", equipment: "V" },
      rolledUp: true,
      zip3Reports: 4,
      reports: 9,
      // Four 300s and five 200s: median target 4.5 is passed by the fifth 200.
      medianCentsPerMile: 200,
      p75CentsPerMile: 300,
    });
    expect(report.basis).toBe("Lane IL → TX (V), by state: 606 → 752 had only 4 reports in the last 30 days, fewer than the 5 needed.");
  });

  test("a fifth report on 606 → 752 makes the ZIP3 lane answer, with only its own reports", () => {
    const report = laneRates([...zip3Lane, seen(5, 310), ...otherZip3sSameStates, ...noZips, ...elsewhere], ZIP_QUERY, { now: NOW });
    expect(report.last30Days).toMatchObject({
      lane: { level: "zip3", origin: "606", destination: "752", equipment: "V" },
      rolledUp: false,
      zip3Reports: null,
      reports: 5,
      medianCentsPerMile: 300,
    });
    expect(report.basis).toBe("Lane 606 → 752 (V), by 3-digit ZIP.");
  });

  test("minReports is a parameter: at 4 the ZIP3 lane already answers", () => {
    const report = laneRates([...zip3Lane, ...otherZip3sSameStates], ZIP_QUERY, { now: NOW, minReports: 4 });
    expect(report.last30Days.lane.level).toBe("zip3");
    expect(report.last30Days.reports).toBe(4);
  });

  test("each window picks its own level: thin last week rolls up, the month does not", () => {
    const older = [seen(10, 280), seen(12, 280), seen(14, 280)];
    const report = laneRates([...zip3Lane, ...older, ...otherZip3sSameStates], ZIP_QUERY, { now: NOW });
    // Last 7 days: four ZIP3 reports (thin) → state: 4 + 3 others.
    expect(report.last7Days).toMatchObject({ lane: { level: "state" }, rolledUp: true, zip3Reports: 4, reports: 7 });
    // Last 30 days: seven ZIP3 reports → ZIP3.
    expect(report.last30Days).toMatchObject({ lane: { level: "zip3" }, rolledUp: false, reports: 7 });
    expect(report.last90Days).toMatchObject({ lane: { level: "zip3" }, reports: 7 });
  });

  test("the thin test counts reports, not weights: 2 own loads (weight 6) are still 2 reports", () => {
    const report = laneRates([seen(1, 300, { own: true }), seen(2, 300, { own: true }), ...noZips], ZIP_QUERY, { now: NOW });
    expect(report.last30Days).toMatchObject({ lane: { level: "state" }, zip3Reports: 2, reports: 4, weightedReports: 8 });
  });

  test("a query without a ZIP at one end answers by state without calling it a roll-up", () => {
    const report = laneRates([...zip3Lane, ...noZips], { origin: CHICAGO_606, destination: TEXAS, equipment: "V" }, { now: NOW });
    expect(report.last30Days).toMatchObject({ lane: { level: "state", origin: "IL", destination: "TX" }, rolledUp: false, zip3Reports: null, reports: 6 });
    expect(report.basis).toBe("Lane IL → TX (V), by state, as one end has no ZIP.");
  });

  test("an empty ZIP3 lane says it had no reports", () => {
    const report = laneRates(noZips, ZIP_QUERY, { now: NOW });
    expect(report.basis).toBe("Lane IL → TX (V), by state: 606 → 752 had no reports in the last 30 days, fewer than the 5 needed.");
  });
});

describe("trend", () => {
  /** Three reports at `earlier` ¢/mi in days 8–30 and three at `recent` in the last 7 days (state lane). */
  const lane = (earlier: number[], recent: number[]) => [
    ...earlier.map((rate, i) => seen(10 + i, rate, { origin: ILLINOIS, destination: TEXAS })),
    ...recent.map((rate, i) => seen(1 + i, rate, { origin: ILLINOIS, destination: TEXAS })),
  ];
  // [name, earlier rates, recent rates, direction, change %, text]
  const cases: [string, number[], number[], string, number | null, string][] = [
    ["212 against 200 is up 6 %", [200, 200, 200], [212, 212, 212], "up", 6, "up 6 %"],
    ["190 against 200 is down 5 %", [200, 200, 200], [190, 190, 190], "down", -5, "down 5 %"],
    ["204 against 200 (+2 %) is flat", [200, 200, 200], [204, 204, 204], "flat", 2, "flat"],
    ["196 against 200 (−2 %) is flat", [200, 200, 200], [196, 196, 196], "flat", -2, "flat"],
    ["the same median is flat at 0 %", [190, 200, 210], [200, 200, 200], "flat", 0, "flat"],
    // 2.5 % rounds away from zero to 3, which is outside ±2: the word agrees with the number.
    ["205 against 200 (+2.5 %) rounds to up 3 %", [200, 200, 200], [205, 205, 205], "up", 3, "up 3 %"],
    ["195 against 200 (−2.5 %) rounds to down 3 %", [200, 200, 200], [195, 195, 195], "down", -3, "down 3 %"],
    ["medians, not means: an outlier does not move it", [200, 200, 200], [206, 206, 1900], "up", 3, "up 3 %"],
    ["2 recent reports are not enough", [200, 200, 200], [250, 250], "not enough data", null, "not enough data"],
    ["2 earlier reports are not enough", [200, 200], [250, 250, 250], "not enough data", null, "not enough data"],
    ["no reports at all", [], [], "not enough data", null, "not enough data"],
  ];
  for (const [name, earlier, recent, direction, changePercent, text] of cases) {
    test(name, () => {
      const trend = laneRates(lane(earlier, recent), STATE_QUERY, { now: NOW }).trend;
      expect(trend).toMatchObject({ direction, changePercent, text, recentReports: recent.length, earlierReports: earlier.length });
    });
  }

  test("reports its two medians", () => {
    const trend = laneRates(lane([200, 200, 200], [212, 212, 212]), STATE_QUERY, { now: NOW }).trend;
    expect(trend).toMatchObject({ recentMedianCentsPerMile: 212, earlierMedianCentsPerMile: 200 });
  });

  test("a report exactly 7 days old is in the earlier half; 30 days old is in neither", () => {
    const observations = [
      ...lane([200, 200], [212, 212, 212]),
      seen(7, 200, { origin: ILLINOIS, destination: TEXAS }),
      seen(30, 100, { origin: ILLINOIS, destination: TEXAS }),
    ];
    const trend = laneRates(observations, STATE_QUERY, { now: NOW }).trend;
    expect(trend).toMatchObject({ recentReports: 3, earlierReports: 3, text: "up 6 %" });
  });

  test("own loads are weighted in the trend's medians too", () => {
    // Recent 200, 200 board and 260 own: W = 5, target 2.5 passed by 260 → +30 % on 200.
    const observations = [...lane([200, 200, 200], [200, 200]), seen(1, 260, { origin: ILLINOIS, destination: TEXAS, own: true })];
    expect(laneRates(observations, STATE_QUERY, { now: NOW }).trend.text).toBe("up 30 %");
  });

  test("the flat band and the minimum reports are parameters", () => {
    const trend = laneRates(lane([200, 200, 200], [212, 212, 212]), STATE_QUERY, { now: NOW, flatPercent: 6 }).trend;
    expect(trend.text).toBe("flat");
    const thin = laneRates(lane([200], [212]), STATE_QUERY, { now: NOW, minTrendReports: 1 }).trend;
    expect(thin.text).toBe("up 6 %");
  });

  test("follows the 30-day window's level", () => {
    // Five ZIP3 reports in 30 days (3 earlier at 200, 2 recent at 260) and three same-state reports
    // at 100 in the last week: the ZIP3 lane answers, so the 100s are not in the trend.
    const observations = [seen(10, 200), seen(11, 200), seen(12, 200), seen(1, 260), seen(2, 260), ...[1, 2, 3].map((d) => seen(d, 100, { origin: JOLIET_604 }))];
    const report = laneRates(observations, ZIP_QUERY, { now: NOW });
    expect(report.last30Days.lane.level).toBe("zip3");
    expect(report.trend).toMatchObject({ recentReports: 2, earlierReports: 3, text: "not enough data" });
    expect(laneRates(observations, ZIP_QUERY, { now: NOW, minTrendReports: 2 }).trend.text).toBe("up 30 %");
  });
});

describe("confidence", () => {
  /** `total` reports on the state lane within 30 days, the first `own` of them the fleet's. */
  const reports = (total: number, own = 0) =>
    Array.from({ length: total }, (_, i) => seen(1 + (i % 28), 250, { origin: ILLINOIS, destination: TEXAS, own: i < own }));
  // [reports, own, level, sentence]
  const cases: [number, number, string, string][] = [
    [0, 0, "none", "No reports in the last 30 days: there is no lane rate to go on."],
    [1, 0, "none", "Only 1 report in the last 30 days: treat this as a rough guide."],
    [2, 1, "none", "Only 2 reports in the last 30 days: treat this as a rough guide."],
    [3, 0, "low", "Only 3 reports in the last 30 days: treat this as a rough guide."],
    [7, 2, "low", "Only 7 reports in the last 30 days: treat this as a rough guide."],
    [8, 0, "medium", "Based on 8 loads in the last 30 days."],
    [19, 1, "medium", "Based on 19 loads in the last 30 days (1 of them yours)."],
    [20, 0, "high", "Based on 20 loads in the last 30 days."],
    [41, 12, "high", "Based on 41 loads in the last 30 days (12 of them yours)."],
  ];
  for (const [total, own, level, sentence] of cases) {
    test(`${total} reports (${own} own) → ${level}`, () => {
      const confidence = laneRates(reports(total, own), STATE_QUERY, { now: NOW }).confidence;
      expect(confidence).toEqual({ level: level as never, reports: total, ownReports: own, sentence });
    });
  }

  test("reports older than 30 days do not count", () => {
    const old = Array.from({ length: 30 }, () => seen(45, 250, { origin: ILLINOIS, destination: TEXAS }));
    const confidence = laneRates([...old, ...reports(2)], STATE_QUERY, { now: NOW }).confidence;
    expect(confidence).toMatchObject({ level: "none", reports: 2 });
  });

  test("thresholds are parameters", () => {
    const thresholds = { high: 10, medium: 5, low: 2 };
    expect(laneRates(reports(5), STATE_QUERY, { now: NOW, confidenceReports: thresholds }).confidence.level).toBe("medium");
    expect(confidenceLevel(10, thresholds)).toBe("high");
    expect(confidenceLevel(1, thresholds)).toBe("none");
    expect(confidenceLevel(20)).toBe("high");
    expect(confidenceLevel(19)).toBe("medium");
  });
});

describe("estimateLaneRate", () => {
  test("the 30-day median when that window has enough reports, and revenue from the unrounded rate", () => {
    // 200 ×3 and 201 ×3: W = 6, median target 3 lands after the last 200 → 200.5 ¢/mi.
    // Revenue over 333 mi: 200.5 × 333 = 66 766.5 → 66 767 ¢ (the rounded 201 × 333 would be 66 933).
    const observations = [seen(1, 200), seen(2, 200), seen(3, 200), seen(4, 201), seen(5, 201), seen(6, 201)];
    const estimate = estimateLaneRate(observations, { ...ZIP_QUERY, loaded_miles: 333 }, { now: NOW });
    expect(estimate).toEqual({
      rateCentsPerMile: 201,
      revenueCents: 66_767,
      days: 30,
      lane: { level: "zip3", origin: "606", destination: "752", equipment: "V" },
      reports: 6,
      // 6 reports in 30 days: at least 3 → "low".
      confidence: "low",
      note: "median of 6 reports on 606 → 752 (V) in the last 30 days",
    });
  });

  test("falls back to 90 days when the last 30 are thin", () => {
    // 2 reports in 30 days at 300 (state lane, as the ZIP3 lane is thin too); 6 in 90 days: 300, 300, 220 ×4.
    const observations = [seen(1, 300), seen(2, 300), seen(40, 220), seen(50, 220), seen(60, 220), seen(70, 220)];
    const estimate = estimateLaneRate(observations, ZIP_QUERY, { now: NOW });
    expect(estimate).toMatchObject({ rateCentsPerMile: 220, revenueCents: null, days: 90, reports: 6, lane: { level: "zip3" } });
  });

  test("uses the thin 90-day window rather than nothing", () => {
    const estimate = estimateLaneRate([seen(60, 240)], { ...ZIP_QUERY, loaded_miles: 800 }, { now: NOW });
    expect(estimate).toMatchObject({ rateCentsPerMile: 240, revenueCents: 192_000, days: 90, reports: 1, lane: { level: "state" } });
    expect(estimate?.note).toBe("median of 1 report on IL → TX (V) in the last 90 days");
  });

  test("null when the lane has nothing in 90 days", () => {
    expect(estimateLaneRate([seen(91, 240), seen(1, 240, { equipment: "F" })], ZIP_QUERY, { now: NOW })).toBeNull();
  });

  test("rejects a load with bad miles", () => {
    expect(() => estimateLaneRate([], { ...ZIP_QUERY, loaded_miles: 0 }, { now: NOW })).toThrow(/loaded_miles must be more than 0 when given, got 0/);
  });
});

describe("bad queries and options", () => {
  const cases: [string, () => unknown, RegExp][] = [
    ["now missing", () => laneRates([], ZIP_QUERY, { now: Number.NaN }), /now must be UTC epoch milliseconds, got NaN/],
    ["state spelled out", () => laneRates([], { ...ZIP_QUERY, origin: { state: "Illinois" } }, { now: NOW }), /query\.origin\.state must be a two-letter upper-case state code, got "Illinois"/],
    ["ZIP+4", () => laneRates([], { ...ZIP_QUERY, destination: { zip: "75201-1234", state: "TX" } }, { now: NOW }), /query\.destination\.zip must be 5 digits/],
    ["no equipment", () => laneRates([], { ...ZIP_QUERY, equipment: "" }, { now: NOW }), /query\.equipment code is missing/],
    ["minReports 0", () => laneRates([], ZIP_QUERY, { now: NOW, minReports: 0 }), /minReports must be a whole number of at least 1, got 0/],
    ["ownWeight 0", () => laneRates([], ZIP_QUERY, { now: NOW, ownWeight: 0 }), /ownWeight must be a number above 0, got 0/],
    ["negative flat band", () => laneRates([], ZIP_QUERY, { now: NOW, flatPercent: -1 }), /flatPercent must be a number of at least 0, got -1/],
    ["fractional trend minimum", () => laneRates([], ZIP_QUERY, { now: NOW, minTrendReports: 2.5 }), /minTrendReports must be a whole number of at least 1, got 2.5/],
    [
      "confidence thresholds out of order",
      () => laneRates([], ZIP_QUERY, { now: NOW, confidenceReports: { high: 5, medium: 8, low: 3 } }),
      /confidenceReports must rise from low to high, got low 3, medium 8, high 5/,
    ],
  ];
  for (const [name, run, message] of cases) {
    test(name, () => {
      expect(run).toThrow(message);
    });
  }
});
