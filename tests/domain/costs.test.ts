/**
 * Trip cost model: every cost line worked by hand (the comments show the arithmetic), per-mile vs
 * percentage driver pay, the lines adding up exactly to the cost and the net with no rounding
 * drift, the cost floor, and the errors for bad input.
 */
import { describe, expect, test } from "bun:test";
import { breakEvenCents, tripCost, type TripCostBasis, type TripCostInput } from "../../src/domain/costs";

// A dry-van run: 112 mi deadhead + 500 mi loaded = 612 mi, $1,850, 6.5 mpg, diesel $3.759/gal,
// maintenance 20 ¢/mi, tires 4.5 ¢/mi, other 3 ¢/mi, $150/day fixed for 2 days, driver 60 ¢/mi on all miles.
const base: TripCostInput = {
  deadheadMiles: 112,
  loadedMiles: 500,
  revenueCents: 185000,
  mpg: 6.5,
  dieselCentsPerGallon: 375.9,
  variable: { maintenanceCentsPerMile: 20, tiresCentsPerMile: 4.5, otherCentsPerMile: 3 },
  fixedCentsPerDay: 15000,
  tripDays: 2,
  driverPay: { kind: "per_mile", centsPerMile: 60, paidMiles: "all" },
};

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

describe("tripCost: per-mile driver pay on all miles", () => {
  const cost = tripCost(base);

  test("every line, worked by hand", () => {
    expect(cost.breakdown).toEqual([
      // 612 × 375.9 = 230,050.8; ÷ 6.5 = 35,392.43 ¢ → $353.92 (94.1538 gal)
      { key: "fuel", label: "Fuel", cents: 35392, how: "612 mi ÷ 6.5 mpg = 94.15 gal × $3.759/gal" },
      // 612 × 20 = 12,240
      { key: "maintenance", label: "Maintenance", cents: 12240, how: "612 mi × $0.20/mi" },
      // 612 × 4.5 = 2,754
      { key: "tires", label: "Tires", cents: 2754, how: "612 mi × $0.045/mi" },
      // 612 × 3 = 1,836
      { key: "other", label: "Other per-mile costs", cents: 1836, how: "612 mi × $0.03/mi" },
      // 2 × 15,000 = 30,000
      { key: "fixed", label: "Fixed costs", cents: 30000, how: "2 days × $150.00/day" },
      // 612 × 60 = 36,720
      { key: "driver_pay", label: "Driver pay", cents: 36720, how: "612 mi × $0.60/mi" },
    ]);
  });

  test("totals, net and rates per mile", () => {
    expect(cost.totalMiles).toBe(612);
    expect(cost.fuelGallons).toBeCloseTo(612 / 6.5, 12);
    expect(cost.fuelCents).toBe(35392);
    expect(cost.variableCents).toBe(12240 + 2754 + 1836); // 16,830
    expect(cost.fixedCents).toBe(30000);
    expect(cost.driverPayCents).toBe(36720);
    // 35,392 + 16,830 + 30,000 + 36,720 = 118,942
    expect(cost.costCents).toBe(118942);
    // 185,000 − 118,942 = 66,058
    expect(cost.netCents).toBe(66058);
    // 185,000 / 612 = 302.29 → 302; 185,000 / 500 = 370
    expect(cost.rpmAllInCents).toBe(302);
    expect(cost.rpmLoadedCents).toBe(370);
  });

  test("the cost floor is the sum of the lines", () => {
    expect(breakEvenCents(base)).toBe(118942);
  });
});

describe("tripCost: per-mile driver pay on loaded miles only", () => {
  const cost = tripCost({ ...base, driverPay: { kind: "per_mile", centsPerMile: 60, paidMiles: "loaded" } });

  test("the driver is paid 500 × 60 = 30,000; the other lines do not change", () => {
    expect(cost.breakdown.at(-1)).toEqual({ key: "driver_pay", label: "Driver pay", cents: 30000, how: "500 loaded mi × $0.60/mi" });
    expect(cost.fuelCents).toBe(35392);
    // 35,392 + 16,830 + 30,000 + 30,000 = 112,222; net 185,000 − 112,222 = 72,778
    expect(cost.costCents).toBe(112222);
    expect(cost.netCents).toBe(72778);
  });
});

describe("tripCost: percentage driver pay", () => {
  const percent: TripCostInput = { ...base, driverPay: { kind: "percent", percent: 28 } };
  const cost = tripCost(percent);

  test("the driver gets 28 % of the revenue: 0.28 × 185,000 = 51,800", () => {
    expect(cost.breakdown.at(-1)).toEqual({ key: "driver_pay", label: "Driver pay", cents: 51800, how: "28% of $1,850.00 revenue" });
    expect(cost.driverPayCents).toBe(51800);
    // 35,392 + 16,830 + 30,000 + 51,800 = 134,022; net 50,978
    expect(cost.costCents).toBe(134022);
    expect(cost.netCents).toBe(50978);
  });

  test("the cost floor accounts for the driver's share growing with the revenue", () => {
    // Costs before the driver: 35,392 + 16,830 + 30,000 = 82,222. Net is R − 82,222 − round(0.28 R).
    // 82,222 / 0.72 = 114,197.2. At R = 114,197 the driver gets round(31,975.16) = 31,975 and
    // net = 114,197 − 82,222 − 31,975 = 0; at 114,196 the driver gets round(31,974.88) = 31,975
    // too and net = −1. So the floor is 114,197.
    const { revenueCents: _, ...basis } = percent;
    expect(breakEvenCents(basis)).toBe(114197);
    expect(tripCost({ ...percent, revenueCents: 114197 }).netCents).toBe(0);
    expect(tripCost({ ...percent, revenueCents: 114196 }).netCents).toBe(-1);
  });

  test("0 % pays the driver nothing and the floor is the other costs", () => {
    const none = { ...base, driverPay: { kind: "percent", percent: 0 } } as const;
    expect(tripCost(none).driverPayCents).toBe(0);
    expect(breakEvenCents(none)).toBe(82222);
  });
});

describe("the lines add up exactly: each is rounded once", () => {
  // 613 mi, all loaded, at 7 mpg and $4.00/gal, with rates that leave half cents on most lines.
  const halfCents: TripCostInput = {
    deadheadMiles: 0,
    loadedMiles: 613,
    revenueCents: 200000,
    mpg: 7,
    dieselCentsPerGallon: 400,
    variable: { maintenanceCentsPerMile: 17.5, tiresCentsPerMile: 4.5, otherCentsPerMile: 0.5 },
    fixedCentsPerDay: 12345.5,
    tripDays: 1,
    driverPay: { kind: "per_mile", centsPerMile: 55.5, paidMiles: "all" },
  };
  const cost = tripCost(halfCents);

  test("each line rounds half away from zero on its own", () => {
    expect(cost.breakdown.map((line) => line.cents)).toEqual([
      35029, // 613 × 400 / 7 = 35,028.57
      10728, // 613 × 17.5 = 10,727.5
      2759, // 613 × 4.5 = 2,758.5
      307, // 613 × 0.5 = 306.5
      12346, // 1 × 12,345.5
      34022, // 613 × 55.5 = 34,021.5
    ]);
    expect(cost.breakdown[4]!.how).toBe("1 day × $123.455/day");
  });

  test("cost is the sum of the rounded lines (95,191), not the rounded sum of exact lines (95,188)", () => {
    expect(cost.costCents).toBe(95191);
    expect(cost.netCents).toBe(200000 - 95191);
    expect(cost.rpmAllInCents).toBe(326); // 200,000 / 613 = 326.26
    expect(cost.rpmAllInCents).toBe(cost.rpmLoadedCents);
  });

  test("the same holds for many generated trips", () => {
    // A small linear congruential generator, so a failure can be replayed.
    let seed = 12345;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 500; i++) {
      const input: TripCostInput = {
        deadheadMiles: Math.round(next() * 300 * 10) / 10,
        loadedMiles: 1 + Math.round(next() * 2500 * 10) / 10,
        revenueCents: Math.round(next() * 800000),
        mpg: 4 + next() * 6,
        dieselCentsPerGallon: 300 + Math.round(next() * 3000) / 10,
        variable: { maintenanceCentsPerMile: next() * 30, tiresCentsPerMile: next() * 8, otherCentsPerMile: next() * 10 },
        fixedCentsPerDay: Math.round(next() * 30000),
        tripDays: Math.round(next() * 10) / 2,
        driverPay: next() < 0.5 ? { kind: "percent", percent: Math.round(next() * 40) } : { kind: "per_mile", centsPerMile: 40 + Math.round(next() * 40), paidMiles: next() < 0.5 ? "all" : "loaded" },
      };
      const c = tripCost(input);
      for (const line of c.breakdown) expect(Number.isSafeInteger(line.cents)).toBe(true);
      expect(sum(c.breakdown.map((line) => line.cents))).toBe(c.costCents);
      expect(c.fuelCents + c.variableCents + c.fixedCents + c.driverPayCents).toBe(c.costCents);
      expect(input.revenueCents - sum(c.breakdown.map((line) => line.cents))).toBe(c.netCents);

      // The floor breaks even, and a cent less does not.
      const { revenueCents: _, ...basis } = input;
      const floor = breakEvenCents(basis);
      expect(tripCost({ ...input, revenueCents: floor }).netCents).toBeGreaterThanOrEqual(0);
      if (floor > 0) expect(tripCost({ ...input, revenueCents: floor - 1 }).netCents).toBeLessThan(0);
    }
  });
});

describe("how texts an owner can follow", () => {
  test("fractional days, thousands separators and a deadhead-only leg", () => {
    const cost = tripCost({ ...base, deadheadMiles: 600, loadedMiles: 1012.5, tripDays: 1.5 });
    // 1,612.5 × 375.9 = 606,138.75; ÷ 6.5 = 93,252.12 → 93,252
    expect(cost.breakdown[0]).toEqual({ key: "fuel", label: "Fuel", cents: 93252, how: "1,612.5 mi ÷ 6.5 mpg = 248.08 gal × $3.759/gal" });
    // 1.5 × 15,000 = 22,500
    expect(cost.breakdown[4]).toEqual({ key: "fixed", label: "Fixed costs", cents: 22500, how: "1.5 days × $150.00/day" });
  });

  test("zero revenue is allowed (what would this empty move cost?) and loses the full cost", () => {
    const cost = tripCost({ ...base, revenueCents: 0 });
    expect(cost.netCents).toBe(-118942);
    expect(cost.rpmAllInCents).toBe(0);
  });
});

describe("bad input is refused with the field named", () => {
  const cases: [name: string, change: Partial<TripCostInput>, message: string][] = [
    ["no loaded miles", { loadedMiles: 0 }, "trip cost: loadedMiles must be a number greater than 0, got 0"],
    ["negative deadhead", { deadheadMiles: -3 }, "trip cost: deadheadMiles must be a number at least 0, got -3"],
    ["zero mpg", { mpg: 0 }, "trip cost: mpg must be a number greater than 0, got 0"],
    ["diesel price missing", { dieselCentsPerGallon: Number.NaN }, "trip cost: dieselCentsPerGallon must be a number greater than 0, got NaN"],
    ["revenue in fractional cents", { revenueCents: 1850.5 }, "trip cost: revenueCents must be a whole number of cents at least 0, got 1850.5"],
    ["negative revenue", { revenueCents: -1 }, "trip cost: revenueCents must be a whole number of cents at least 0, got -1"],
    ["negative tires rate", { variable: { maintenanceCentsPerMile: 20, tiresCentsPerMile: -1, otherCentsPerMile: 3 } }, "trip cost: variable.tiresCentsPerMile must be a number at least 0, got -1"],
    ["days as text", { tripDays: "2" as unknown as number }, 'trip cost: tripDays must be a number at least 0, got "2"'],
    ["100 % driver pay", { driverPay: { kind: "percent", percent: 100 } }, "trip cost: driverPay.percent must be a number at least 0 and below 100, got 100"],
    ["unknown pay kind", { driverPay: { kind: "weekly" } as unknown as TripCostInput["driverPay"] }, 'trip cost: driverPay.kind must be "per_mile" or "percent", got "weekly"'],
    ["unknown paid miles", { driverPay: { kind: "per_mile", centsPerMile: 60, paidMiles: "empty" } as unknown as TripCostInput["driverPay"] }, 'trip cost: driverPay.paidMiles must be "all" or "loaded", got "empty"'],
  ];
  test.each(cases)("%s", (_name, change, message) => {
    expect(() => tripCost({ ...base, ...change })).toThrow(message);
  });

  test("breakEvenCents checks its input too", () => {
    const { revenueCents: _, ...basis } = base;
    expect(() => breakEvenCents({ ...basis, mpg: -6 } as TripCostBasis)).toThrow("trip cost: mpg must be a number greater than 0, got -6");
  });
});
