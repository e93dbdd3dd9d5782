/**
 * Matching one truck against a handful of loads, every figure worked out by hand below.
 *
 * The truck is free at 40°N 90°W at 06:00 CST (12:00 UTC) on Fri 2026-11-20, with a fresh
 * hours-of-service clock, 6.5 mpg; costs: diesel $3.75/gal (PADD 2), maintenance 20.2 ¢/mi,
 * tires 4.6 ¢/mi, nothing else per mile, $150 a day fixed, driver 65 ¢ on every mile; 50 mph;
 * 2 h to load and 2 h to unload; circuity 1.2.
 *
 * Load A: pickup at 41°N 90°W (IL) 08:00–10:00 CST, 600 posted miles, $2,000, van, low-risk broker.
 * - Deadhead: 1° of latitude on the R = 6371.0088 km sphere = 111.19508 km = 69.09342 mi;
 *   × 1.2 = 82.912 → 82.9 mi. Total 682.9 mi.
 * - Time: 82.9 mi at 50 mph = 1.658 h → at the shipper 07:39:29, loads 08:00–10:00 (the 2 h on
 *   duty count as the 30-min break), drives 8 h to 18:00, breaks to 18:30, drives the 1.342 h of
 *   its 11 h that are left to 19:50:31, rests 10 h to 05:50:31, drives the last 2.658 h to 08:30
 *   Sat, unloads to 10:30. Free 06:00 Fri → empty 10:30 Sat = 28.5 h = 1.1875 → 1.19 days.
 * - Fuel 682.9 × 375 ÷ 6.5 = 39,398.08 → $393.98; maintenance 682.9 × 20.2 = 13,794.58 →
 *   $137.95; tires 682.9 × 4.6 = 3,141.34 → $31.41; other $0; fixed 1.19 × 15,000 = $178.50;
 *   driver 682.9 × 65 = 44,388.5 → $443.89 (half a cent rounds up). Costs $1,185.73;
 *   net $2,000 − $1,185.73 = $814.27; all-in 200,000 ÷ 682.9 = 292.87 → 293 ¢/mi; loaded
 *   200,000 ÷ 600 = 333.33 → 333 ¢/mi.
 * - Score: $814.27 ÷ 1.19 days = $684.27 a day → 68 points; nothing else applies → 68.
 */
import { describe, expect, test } from "bun:test";
import { matchLoad, equipmentFits, type MatchLoad, type MatchSettings, type MatchTruck } from "../../src/domain/matching";
import { freshClock } from "../../src/domain/hos";

const T0 = Date.UTC(2026, 10, 20, 12, 0, 0); // 06:00 CST
const CST = (hours: number) => T0 + (hours - 6) * 3_600_000;

const truck: MatchTruck = {
  id: 7,
  equipment: ["V"],
  at: { lat: 40, lon: -90 },
  availableAt: T0,
  clock: freshClock(),
  mpg: 6.5,
  mpgNote: "configured",
  preferences: { maxDeadheadMiles: 300, minRpmAllInCents: null, preferredStates: [], avoidedStates: ["FL"], maxWeightLb: 45_000, homeBy: null },
};

const settings: MatchSettings = {
  circuity: 1.2,
  avgSpeedMph: 50,
  variable: { maintenanceCentsPerMile: 20.2, tiresCentsPerMile: 4.6, otherCentsPerMile: 0 },
  fixedCentsPerDay: 15_000,
  driverPay: { kind: "per_mile", centsPerMile: 65, paidMiles: "all" },
  dieselCentsPerGallon: (region) => (region === "2" ? 375 : 420),
  handlingMs: 2 * 3_600_000,
  timeZone: "America/Chicago",
  now: T0,
};

const loadA: MatchLoad = {
  id: 1,
  origin: { lat: 41, lon: -90, state: "IL" },
  destination: { lat: 32.78, lon: -96.8, state: "TX" },
  pickupEarliest: CST(8),
  pickupLatest: CST(10),
  deliveryEarliest: null,
  deliveryLatest: null,
  equipment: "V",
  weightLb: 40_000,
  rateCents: 200_000,
  postedMiles: 600,
  laneMedianRpmCents: null,
  laneNote: null,
  broker: { name: "Prairie Freight", risk: 12, level: "low" },
};

describe("matchLoad", () => {
  test("load A: every figure of the breakdown to the cent, the times, and the score", () => {
    const match = matchLoad(truck, loadA, settings);
    expect(match).toMatchObject({
      truck_id: 7,
      load_id: 1,
      deadhead_miles: 82.9,
      loaded_miles: 600,
      total_miles: 682.9,
      revenue_cents: 200_000,
      revenue_estimated: false,
      fuel_cost_cents: 39_398,
      variable_cost_cents: 13_795 + 3_141,
      fixed_cost_cents: 17_850,
      driver_pay_cents: 44_389,
      net_cents: 81_427,
      rpm_all_in_cents: 293,
      rpm_loaded_cents: 333,
      hos_feasible: true,
      pickup_at: CST(8),
      empty_at: CST(24 + 10.5),
      trip_days: 1.19,
      diesel_cents_per_gallon: 375,
      score: 68,
    });
    expect(match.breakdown.map((line) => [line.key, line.cents])).toEqual([
      ["fuel", 39_398],
      ["maintenance", 13_795],
      ["tires", 3_141],
      ["other", 0],
      ["fixed", 17_850],
      ["driver_pay", 44_389],
    ]);
    expect(match.reasons.filter((reason) => reason.points !== 0)).toEqual([{ text: "Nets $814.27 over 1.19 days ($684 a day)", effect: "good", points: 68 }]);
    expect(match.reasons.at(-1)!.effect).toBe("info");
  });

  test("each preference and risk moves the score by its documented points, with a reason", () => {
    const score = (load: Partial<MatchLoad>, prefs: Partial<MatchTruck["preferences"]> = {}) => matchLoad({ ...truck, preferences: { ...truck.preferences, ...prefs } }, { ...loadA, ...load }, settings);
    expect(score({}, { preferredStates: ["TX"] }).score).toBe(78);
    expect(score({ destination: { ...loadA.destination, state: "FL" } }).score).toBe(38);
    expect(score({}, { maxDeadheadMiles: 50 }).score).toBe(48);
    expect(score({}, { minRpmAllInCents: 300 }).score).toBe(48);
    expect(score({ broker: { name: "Quickhaul", risk: 71, level: "high" } }).score).toBe(48);
    expect(score({ broker: { name: "Quickhaul", risk: 50, level: "medium" } }).score).toBe(60);
    expect(score({ broker: { name: "New Co", risk: null, level: "unknown" } }).score).toBe(65);
    expect(score({}, { homeBy: CST(24 + 9) }).score).toBe(43);
    const avoided = score({ destination: { ...loadA.destination, state: "FL" } });
    expect(avoided.reasons).toContainEqual({ text: "Delivers in FL, a state this driver avoids", effect: "bad", points: -30 });
  });

  test("no posted rate: revenue from the lane median, flagged estimated, 5 points off", () => {
    const match = matchLoad(truck, { ...loadA, rateCents: null, laneMedianRpmCents: 250, laneNote: "41 loads in 30 days" }, settings);
    // 250 ¢ × 600 mi = $1,500; net $1,500 − $1,185.73 = $314.27; ÷ 1.19 = $264.09/day → 26 − 5 = 21.
    expect(match).toMatchObject({ revenue_cents: 150_000, revenue_estimated: true, net_cents: 31_427, score: 21 });
    expect(match.reasons).toContainEqual({ text: "No posted rate: revenue estimated at the lane median $2.50/mi (41 loads in 30 days)", effect: "bad", points: -5 });
    // Without a lane rate either there is nothing to go on: blocked.
    expect(matchLoad(truck, { ...loadA, rateCents: null }, settings).score).toBe(0);
  });

  test("loads the truck cannot take or reach score 0 with a blocking reason; the ranking follows the score", () => {
    const reefer = matchLoad(truck, { ...loadA, id: 2, equipment: "R" }, settings);
    expect(reefer.score).toBe(0);
    expect(reefer.reasons[0]).toEqual({ text: "Needs R equipment; this truck has V", effect: "blocking", points: 0 });
    const heavy = matchLoad(truck, { ...loadA, id: 3, weightLb: 47_000 }, settings);
    expect(heavy.reasons[0]!.text).toBe("Weighs 47,000 lb, over this truck's 45,000 lb");
    // The window closes at 07:00, before the truck can get there (07:39).
    const missed = matchLoad(truck, { ...loadA, id: 4, pickupEarliest: CST(6.5), pickupLatest: CST(7) }, settings);
    expect(missed).toMatchObject({ hos_feasible: false, score: 0 });
    expect(missed.reasons[0]!.text).toStartWith("Cannot make the pickup under hours of service:");
    const cheap = matchLoad(truck, { ...loadA, id: 5, rateCents: 150_000 }, settings);
    const ranked = [reefer, heavy, missed, cheap, matchLoad(truck, loadA, settings)].sort((a, b) => b.score - a.score).map((match) => match.load_id);
    expect(ranked.slice(0, 2)).toEqual([1, 5]);
  });

  test("combination equipment codes accept either trailer", () => {
    expect(equipmentFits(["R"], "VR")).toBe(true);
    expect(equipmentFits(["SD"], "FSD")).toBe(true);
    expect(equipmentFits(["V"], "FSD")).toBe(false);
    expect(equipmentFits(["VR"], "V")).toBe(false);
  });
});
