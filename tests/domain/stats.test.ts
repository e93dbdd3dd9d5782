/**
 * Weighted percentiles (SAS PROC UNIVARIATE's weighted definition, Hyndman & Fan type 2 when the
 * weights are equal) on small sets worked by hand, against R's documented `quantile(type = 2)`
 * results, and against the "repeat each value w times" reading of whole-number weights.
 */
import { describe, expect, test } from "bun:test";
import { weightedMedian, weightedPercentile, weightedPercentiles, type WeightedValue } from "../../src/domain/stats";

const unweighted = (...values: number[]): WeightedValue[] => values.map((value) => ({ value, weight: 1 }));

describe("weightedPercentile", () => {
  // [name, samples, percent, expected]. W is the total weight, the target is p × W; the running
  // sum of sorted weights either lands on the target (average the value there and the next) or
  // passes it (take the value that passes it).
  const cases: [string, WeightedValue[], number, number][] = [
    // R: quantile(1:4, type = 2) → 1.5 2.5 3.5 for 25/50/75 %.
    ["1..4 p25: target 1 lands after x1 → (1+2)/2", unweighted(1, 2, 3, 4), 25, 1.5],
    ["1..4 median: target 2 lands after x2 → (2+3)/2", unweighted(1, 2, 3, 4), 50, 2.5],
    ["1..4 p75: target 3 lands after x3 → (3+4)/2", unweighted(1, 2, 3, 4), 75, 3.5],
    // R: quantile(1:5, type = 2) → 2 3 4.
    ["1..5 p25: target 1.25 passed by x2", unweighted(1, 2, 3, 4, 5), 25, 2],
    ["1..5 median: target 2.5 passed by x3", unweighted(1, 2, 3, 4, 5), 50, 3],
    ["1..5 p75: target 3.75 passed by x4", unweighted(1, 2, 3, 4, 5), 75, 4],
    ["order of input does not matter", unweighted(4, 1, 3, 2), 50, 2.5],
    ["one value is every percentile", unweighted(245), 75, 245],
    // 200 ×1, 250 ×3, 300 ×1: W = 5, running sums 1, 4, 5.
    ["own load ×3: median target 2.5 passed by 250", [{ value: 200, weight: 1 }, { value: 250, weight: 3 }, { value: 300, weight: 1 }], 50, 250],
    ["own load ×3: p25 target 1.25 passed by 250", [{ value: 200, weight: 1 }, { value: 250, weight: 3 }, { value: 300, weight: 1 }], 25, 250],
    ["own load ×3: p20 target 1 lands after 200 → 225", [{ value: 200, weight: 1 }, { value: 250, weight: 3 }, { value: 300, weight: 1 }], 20, 225],
    ["own load ×3: p80 target 4 lands after 250 → 275", [{ value: 200, weight: 1 }, { value: 250, weight: 3 }, { value: 300, weight: 1 }], 80, 275],
    // The same three rates unweighted: median 250 too, but p75 target 2.25 is passed by 300.
    ["same rates unweighted: p75 is 300", unweighted(200, 250, 300), 75, 300],
    // A heavy own load pulls the median: 180, 190, 200 board (×1) and 260 own (×3): W = 6,
    // target 3; running sums 1, 2, 3 land on it after 200 → (200 + 260) / 2. Unweighted it is 195.
    ["heavy own load: median target 3 lands after 200 → 230", [...unweighted(180, 190, 200), { value: 260, weight: 3 }], 50, 230],
    ["same rates unweighted: median (190+200)/2", unweighted(180, 190, 200, 260), 50, 195],
    // Fractional weights: 10 ×0.5, 20 ×1.5, W = 2.
    ["fractional weights: median target 1 passed by 20", [{ value: 10, weight: 0.5 }, { value: 20, weight: 1.5 }], 50, 20],
    ["fractional weights: p25 target 0.5 lands after 10 → 15", [{ value: 10, weight: 0.5 }, { value: 20, weight: 1.5 }], 25, 15],
    // A zero weight counts for nothing and is not "the next value": (1 + 3) / 2, not (1 + 2) / 2.
    ["zero weight is skipped when averaging", [{ value: 1, weight: 1 }, { value: 2, weight: 0 }, { value: 3, weight: 1 }], 50, 2],
    ["ties", unweighted(5, 5, 5, 7), 50, 5],
    ["p0 is the minimum", unweighted(3, 1, 2), 0, 1],
    ["p100 is the maximum", unweighted(3, 1, 2), 100, 3],
    ["p100 with a tie at the top", unweighted(1, 2, 2), 100, 2],
  ];
  for (const [name, samples, percent, expected] of cases) {
    test(name, () => {
      expect(weightedPercentile(samples, percent)).toBe(expected);
    });
  }

  test("running sums that miss the target by float rounding still count as landing on it", () => {
    // Ten values of weight 0.1: 0.1 + 0.1 + 0.1 is 0.30000000000000004, the p30 target is 0.3.
    // Equal weights must give type 2's answer for np = 3: (x3 + x4) / 2.
    const tenths = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((value) => ({ value, weight: 0.1 }));
    expect(weightedPercentile(tenths, 30)).toBe(3.5);
    expect(weightedPercentile(unweighted(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 30)).toBe(3.5);
  });

  test("whole-number weights equal the unweighted percentile of the repeated list", () => {
    const weighted: WeightedValue[] = [
      { value: 212, weight: 1 },
      { value: 305, weight: 3 },
      { value: 187, weight: 1 },
      { value: 240, weight: 3 },
      { value: 199, weight: 1 },
      { value: 268, weight: 2 },
    ];
    const repeated = weighted.flatMap(({ value, weight }) => Array.from({ length: weight }, () => ({ value, weight: 1 })));
    for (let percent = 0; percent <= 100; percent += 5) {
      expect(weightedPercentile(weighted, percent)).toBe(weightedPercentile(repeated, percent));
    }
  });

  test("scaling every weight changes nothing", () => {
    const samples: WeightedValue[] = [{ value: 1, weight: 1 }, { value: 4, weight: 2 }, { value: 9, weight: 1 }];
    const scaled = samples.map((s) => ({ ...s, weight: s.weight * 7.5 }));
    for (const percent of [10, 25, 50, 75, 90]) expect(weightedPercentile(scaled, percent)).toBe(weightedPercentile(samples, percent));
  });

  const errors: [string, WeightedValue[], number, RegExp][] = [
    ["empty list", [], 50, /no values/],
    ["NaN value", [{ value: Number.NaN, weight: 1 }], 50, /value 0 is NaN/],
    ["infinite value", [{ value: 1, weight: 1 }, { value: Infinity, weight: 1 }], 50, /value 1 is Infinity/],
    ["negative weight", [{ value: 1, weight: -1 }], 50, /weight 0 is -1.*not negative/],
    ["NaN weight", [{ value: 1, weight: Number.NaN }], 50, /weight 0 is NaN/],
    ["all weights zero", [{ value: 1, weight: 0 }, { value: 2, weight: 0 }], 50, /all weights are zero/],
    ["percent above 100", unweighted(1), 101, /101 is outside 0–100/],
    ["percent below 0", unweighted(1), -5, /-5 is outside 0–100/],
    ["percent NaN", unweighted(1), Number.NaN, /NaN is outside 0–100/],
  ];
  for (const [name, samples, percent, message] of errors) {
    test(`rejects ${name}`, () => {
      expect(() => weightedPercentile(samples, percent)).toThrow(message);
    });
  }
});

describe("weightedPercentiles and weightedMedian", () => {
  test("quartiles of 1..4 in one call", () => {
    expect(weightedPercentiles(unweighted(4, 3, 2, 1), [25, 50, 75])).toEqual([1.5, 2.5, 3.5]);
  });
  test("a bad percent among several is named", () => {
    expect(() => weightedPercentiles(unweighted(1, 2), [50, 150])).toThrow(/150 is outside/);
  });
  test("median of an odd and an even count", () => {
    expect(weightedMedian(unweighted(300, 100, 200))).toBe(200);
    expect(weightedMedian(unweighted(300, 100, 200, 400))).toBe(250);
  });
});
