/**
 * Money: the one rounding rule (half away from zero, including products that binary floating
 * point puts a hair below the half), dollar formatting, rates per mile, and reading amounts out of
 * what brokers and drivers write. Expected values are worked by hand in the comments.
 */
import { describe, expect, test } from "bun:test";
import { formatCents, formatRateCents, mulCents, parseMoney, ratePerMileCents, roundCents } from "../../src/domain/money";

describe("roundCents: half away from zero", () => {
  test.each([
    [2.5, 3],
    [-2.5, -3],
    [2.4999, 2],
    [-2.4999, -2],
    [2.5001, 3],
    [0.5, 1],
    [-0.5, -1],
    [0.4, 0],
    [1234567.5, 1234568],
    [7, 7],
  ])("%p → %p", (exact, expected) => {
    expect(roundCents(exact)).toBe(expected);
  });

  test("never returns −0 (it would print as a negative zero)", () => {
    expect(Object.is(roundCents(-0.4), 0)).toBe(true);
    expect(Object.is(roundCents(-0), 0)).toBe(true);
  });

  test("rejects a non-finite amount", () => {
    expect(() => roundCents(Number.NaN)).toThrow(/finite number of cents, got NaN/);
    expect(() => roundCents(Infinity)).toThrow(/got Infinity/);
  });
});

describe("mulCents", () => {
  test.each([
    // 28 % of $1,850.00 = $518.00
    [185000, 0.28, 51800],
    // 1005 × 0.5 = 502.5 → 503; the negative mirrors it
    [1005, 0.5, 503],
    [-1005, 0.5, -503],
    // On paper 45 × 0.7 = 31.5 → 32, but in binary floating point 45 * 0.7 = 31.499999999999996,
    // which Math.round would take down to 31.
    [45, 0.7, 32],
    // 100 × 0.145 = 14.5 → 15 (binary: 14.499999999999998)
    [100, 0.145, 15],
    // 25 × 0.58 = 14.5 → 15 (binary: 14.499999999999998)
    [25, 0.58, 15],
    [185000, 0, 0],
    [185000, 1, 185000],
    [3, 1 / 3, 1],
  ])("%p × %p = %p", (cents, factor, expected) => {
    expect(mulCents(cents, factor)).toBe(expected);
  });

  test("rejects fractional cents and a non-finite factor, naming which", () => {
    expect(() => mulCents(12.5, 2)).toThrow("mulCents: cents must be a whole number of cents, got 12.5");
    expect(() => mulCents(100, Number.NaN)).toThrow("mulCents: factor must be a finite number, got NaN");
  });
});

describe("ratePerMileCents", () => {
  test.each([
    // $1,850 over 612 mi = 302.287… ¢/mi → 302
    [185000, 612, 302],
    // $1,850 over 500 loaded mi = 370 exactly
    [185000, 500, 370],
    // $1,000 over 400 mi = 250
    [100000, 400, 250],
    // 105 ¢ over 2 mi = 52.5 → 53 (half away from zero)
    [105, 2, 53],
    [0, 100, 0],
  ])("%p ¢ over %p mi = %p ¢/mi", (total, miles, expected) => {
    expect(ratePerMileCents(total, miles)).toBe(expected);
  });

  test("rejects zero, negative or missing miles", () => {
    expect(() => ratePerMileCents(185000, 0)).toThrow("ratePerMileCents: miles must be a number greater than 0, got 0");
    expect(() => ratePerMileCents(185000, -5)).toThrow(/got -5/);
    expect(() => ratePerMileCents(185000, Number.NaN)).toThrow(/got NaN/);
    expect(() => ratePerMileCents(1.5, 10)).toThrow(/totalCents must be a whole number of cents/);
  });
});

describe("formatCents", () => {
  test.each([
    [185000, "$1,850.00"],
    [-1250, "\u2212$12.50"],
    [0, "$0.00"],
    [5, "$0.05"],
    [99, "$0.99"],
    [100, "$1.00"],
    [123456789, "$1,234,567.89"],
    [100000000, "$1,000,000.00"],
    [-5, "\u2212$0.05"],
  ])("%p → %p", (cents, text) => {
    expect(formatCents(cents)).toBe(text);
  });

  test.each([
    [185000, "$1,850"],
    // $1,850.50 → $1,851 and −$12.50 → −$13 (half away from zero)
    [185050, "$1,851"],
    [185049, "$1,850"],
    [-1250, "\u2212$13"],
    // −$0.40 rounds to nothing: no minus sign on a zero
    [-40, "$0"],
  ])("without cents: %p → %p", (cents, text) => {
    expect(formatCents(cents, { withCents: false })).toBe(text);
  });

  test("uses the minus sign, not a hyphen", () => {
    expect(formatCents(-1250).codePointAt(0)).toBe(0x2212);
  });

  test("rejects fractional or non-finite cents", () => {
    expect(() => formatCents(12.5)).toThrow("formatCents: cents must be a whole number of cents, got 12.5");
    expect(() => formatCents(Number.NaN)).toThrow(/got NaN/);
  });
});

describe("formatRateCents", () => {
  test.each([
    [210, "mi", "$2.10/mi"],
    [375.9, "gal", "$3.759/gal"],
    [17.5, "mi", "$0.175/mi"],
    [4.25, "mi", "$0.0425/mi"],
    [60, "mi", "$0.60/mi"],
    [15000, "day", "$150.00/day"],
    [250000, "day", "$2,500.00/day"],
    // A third of a cent shows four decimals, no more.
    [1 / 3, "mi", "$0.0033/mi"],
    [-210, "mi", "\u2212$2.10/mi"],
  ])("%p ¢ per %s → %p", (cents, unit, text) => {
    expect(formatRateCents(cents, unit)).toBe(text);
  });
});

describe("parseMoney", () => {
  const amounts: [text: string, cents: number, kind: "total" | "per_mile", matched: string][] = [
    ["best I can do is 1,850", 185000, "total", "1,850"],
    ["$1,850", 185000, "total", "$1,850"],
    ["1850", 185000, "total", "1850"],
    ["1,850.50", 185050, "total", "1,850.50"],
    ["$1,850.5", 185050, "total", "$1,850.5"],
    ["1.85k", 185000, "total", "1.85k"],
    ["2K all in", 200000, "total", "2K"],
    ["$2.10/mi", 210, "per_mile", "$2.10/mi"],
    ["2.10 per mile", 210, "per_mile", "2.10 per mile"],
    ["paying 2.25 a mile", 225, "per_mile", "2.25 a mile"],
    ["$2.35 / mile", 235, "per_mile", "$2.35 / mile"],
    ["3.05 rpm", 305, "per_mile", "3.05 rpm"],
    ["52 cpm", 52, "per_mile", "52 cpm"],
    ["52¢/mi", 52, "per_mile", "52¢/mi"],
    ["1500 USD", 150000, "total", "1500 USD"],
    ["$ 900", 90000, "total", "$ 900"],
    ["$0", 0, "total", "$0"],
    ["$1,850, final offer", 185000, "total", "$1,850"],
    // 1.23456 thousand dollars is $1,234.56: five decimals are fine with a k.
    ["1.23456k", 123456, "total", "1.23456k"],
    // Miles, weights, a date, a time, a road and a load number are not money; the pay is.
    ["pickup 10/12 at 5:30 pm, I-80, 45,000 lbs, 925 miles, load #12345, pay 2,100", 210000, "total", "2,100"],
    // "40k lbs" is a weight; "2k" is the amount.
    ["40k lbs for 2k", 200000, "total", "2k"],
    // A dollar-marked amount beats the bare number of miles.
    ["can do $1,850 for 612", 185000, "total", "$1,850"],
    ["rate 1850 in 30 days", 185000, "total", "1850"],
    ["same 1,850 as 1850", 185000, "total", "1,850"],
  ];
  test.each(amounts)("%p → %p (%s)", (text, cents, kind, matched) => {
    expect(parseMoney(text)).toEqual({ cents, kind, matched });
  });

  const refusals: [text: string, reason: RegExp][] = [
    ["no money here", /no dollar amount found in “no money here”/],
    ["", /no dollar amount found/],
    ["925 miles, 45,000 lbs", /no dollar amount found/],
    ["1,850 or 1,900", /more than one amount in the text \(“1,850”, “1,900”\): say which one/],
    ["$1,850, that's $3.02/mi", /more than one amount.*“\$1,850”, “\$3.02\/mi”/],
    ["1,85", /“1,85” has commas that are not thousands separators/],
    ["$18,50.00", /“\$18,50.00” has commas that are not thousands separators/],
    ["$1.855", /“\$1.855” is not a usable amount: it has fractions of a cent/],
    ["52.5 cpm", /“52.5 cpm” is not a usable amount: it has fractions of a cent/],
    ["1.234567k", /fractions of a cent/],
    ["99999999999999999", /too large to be a freight amount/],
  ];
  test.each(refusals)("%p → null because %p", (text, reason) => {
    const parsed = parseMoney(text);
    expect(parsed.cents).toBeNull();
    expect("reason" in parsed && parsed.reason).toMatch(reason);
  });

  test("a long text is shortened in the reason", () => {
    const parsed = parseMoney("call me back about the load ".repeat(5));
    expect("reason" in parsed && parsed.reason.length).toBeLessThan(100);
    expect("reason" in parsed && parsed.reason).toContain("…");
  });
});
