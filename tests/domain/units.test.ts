/**
 * Unit conversions against the exact published factors (1 mi = 1.609344 km, 1 ft = 0.3048 m,
 * 1 US gal = 3.785411784 L, 1 kn = 1.852 km/h, °F = °C × 9/5 + 32), round trips, and the
 * timestamp helpers the decoders lean on.
 */
import { describe, expect, test } from "bun:test";
import {
  UNIT_CONVERSIONS,
  celsiusToFahrenheit,
  celsiusToKelvin,
  epochMsFromSecondsOrMillis,
  epochSecondsToMs,
  fahrenheitToCelsius,
  feetToMetres,
  gallonsToLitres,
  gphToLph,
  isoToEpochMs,
  kelvinToCelsius,
  kmPerLitreFromLitresPer100Km,
  kmPerLitreFromMpg,
  kmToMiles,
  kmhToKnots,
  kmhToMph,
  kmhToMps,
  knotsToKmh,
  litresPer100KmFromKmPerLitre,
  litresToGallons,
  lphToGph,
  metresToFeet,
  milesToKm,
  mpgFromDistanceAndFuel,
  mpgFromKmPerLitre,
  mphToKmh,
  mpsToKmh,
} from "../../src/domain/units";

type Case = [name: string, fn: (v: number) => number, input: number, expected: number];

const cases: Case[] = [
  ["milesToKm 1", milesToKm, 1, 1.609344],
  ["milesToKm 500", milesToKm, 500, 804.672],
  ["kmToMiles 1.609344", kmToMiles, 1.609344, 1],
  ["kmToMiles 100", kmToMiles, 100, 62.13711922373339],
  ["feetToMetres 1", feetToMetres, 1, 0.3048],
  ["feetToMetres 5280 (a mile)", feetToMetres, 5280, 1609.344],
  ["metresToFeet 0.3048", metresToFeet, 0.3048, 1],
  ["mphToKmh 1", mphToKmh, 1, 1.609344],
  ["mphToKmh 65", mphToKmh, 65, 104.60736],
  ["kmhToMph 104.60736", kmhToMph, 104.60736, 65],
  ["knotsToKmh 1", knotsToKmh, 1, 1.852],
  ["knotsToKmh 10", knotsToKmh, 10, 18.52],
  ["kmhToKnots 1.852", kmhToKnots, 1.852, 1],
  ["mpsToKmh 1", mpsToKmh, 1, 3.6],
  ["mpsToKmh 25", mpsToKmh, 25, 90],
  ["kmhToMps 90", kmhToMps, 90, 25],
  ["gallonsToLitres 1", gallonsToLitres, 1, 3.785411784],
  ["gallonsToLitres 150 (a saddle tank)", gallonsToLitres, 150, 567.8117676],
  ["litresToGallons 3.785411784", litresToGallons, 3.785411784, 1],
  ["gphToLph 1", gphToLph, 1, 3.785411784],
  ["lphToGph 3.785411784", lphToGph, 3.785411784, 1],
  ["fahrenheitToCelsius 32", fahrenheitToCelsius, 32, 0],
  ["fahrenheitToCelsius 212", fahrenheitToCelsius, 212, 100],
  ["fahrenheitToCelsius -40", fahrenheitToCelsius, -40, -40],
  ["fahrenheitToCelsius 195 (coolant)", fahrenheitToCelsius, 195, 90.55555555555556],
  ["celsiusToFahrenheit 0", celsiusToFahrenheit, 0, 32],
  ["celsiusToFahrenheit 100", celsiusToFahrenheit, 100, 212],
  ["celsiusToFahrenheit 37", celsiusToFahrenheit, 37, 98.6],
  ["kelvinToCelsius 273.15", kelvinToCelsius, 273.15, 0],
  ["celsiusToKelvin 0", celsiusToKelvin, 0, 273.15],
  // 1 km/L = 3.785411784 / 1.609344 mpg
  ["mpgFromKmPerLitre 1", mpgFromKmPerLitre, 1, 3.785411784 / 1.609344],
  ["mpgFromKmPerLitre 2.55 (a loaded tractor)", mpgFromKmPerLitre, 2.55, (2.55 * 3.785411784) / 1.609344],
  ["kmPerLitreFromMpg 6.5", kmPerLitreFromMpg, 6.5, (6.5 * 1.609344) / 3.785411784],
  ["litresPer100KmFromKmPerLitre 2.5", litresPer100KmFromKmPerLitre, 2.5, 40],
  ["kmPerLitreFromLitresPer100Km 40", kmPerLitreFromLitresPer100Km, 40, 2.5],
];

describe("conversions use the exact factors", () => {
  test.each(cases)("%s", (_name, fn, input, expected) => {
    expect(fn(input)).toBeCloseTo(expected, 10);
  });

  test("0 maps to 0 for every linear conversion", () => {
    for (const fn of [milesToKm, kmToMiles, mphToKmh, knotsToKmh, mpsToKmh, gallonsToLitres, litresToGallons, gphToLph, feetToMetres, mpgFromKmPerLitre]) expect(fn(0)).toBe(0);
  });

  test("round trips come back", () => {
    for (const v of [0.001, 1, 6.5, 88.3, 1234.5678, 1_000_000]) {
      expect(kmToMiles(milesToKm(v))).toBeCloseTo(v, 9);
      expect(litresToGallons(gallonsToLitres(v))).toBeCloseTo(v, 9);
      expect(kmhToKnots(knotsToKmh(v))).toBeCloseTo(v, 9);
      expect(kmhToMph(mphToKmh(v))).toBeCloseTo(v, 9);
      expect(kmhToMps(mpsToKmh(v))).toBeCloseTo(v, 9);
      expect(metresToFeet(feetToMetres(v))).toBeCloseTo(v, 9);
      expect(lphToGph(gphToLph(v))).toBeCloseTo(v, 9);
      expect(fahrenheitToCelsius(celsiusToFahrenheit(v))).toBeCloseTo(v, 9);
      expect(kelvinToCelsius(celsiusToKelvin(v))).toBeCloseTo(v, 9);
      expect(kmPerLitreFromMpg(mpgFromKmPerLitre(v))).toBeCloseTo(v, 9);
    }
  });

  test("mpg from a trip's distance and fuel", () => {
    // 650 miles on 100 gallons is 6.5 mpg, whatever the units inside.
    expect(mpgFromDistanceAndFuel(milesToKm(650), gallonsToLitres(100))).toBeCloseTo(6.5, 10);
    expect(mpgFromDistanceAndFuel(100, 0)).toBeNull();
  });
});

describe("UNIT_CONVERSIONS", () => {
  test("the first unit of each quantity is the house unit (identity)", () => {
    for (const [quantity, units] of Object.entries(UNIT_CONVERSIONS)) {
      const first = Object.values(units)[0] as (v: number) => number;
      expect(first(123.25), quantity).toBe(123.25);
    }
  });

  test.each([
    ["speed", "mph", 60, 96.56064],
    ["speed", "knots", 10, 18.52],
    ["speed", "mps", 10, 36],
    ["length", "ft", 1000, 304.8],
    ["length", "km", 1.5, 1500],
    ["length", "mi", 1, 1609.344],
    ["distance", "mi", 100, 160.9344],
    ["distance", "m", 2500, 2.5],
    ["temperature", "f", 212, 100],
    ["temperature", "k", 300, 26.85],
    ["volume", "gal", 10, 37.85411784],
    ["fuel_rate", "gph", 2, 7.570823568],
    ["fuel_economy", "mpg", 6.5, (6.5 * 1.609344) / 3.785411784],
    ["fuel_economy", "l_per_100km", 35, 100 / 35],
    ["duration", "min", 90, 1.5],
    ["duration", "s", 7200, 2],
    ["percent", "ratio", 0.42, 42],
    ["voltage", "mv", 13800, 13.8],
  ] as const)("%s %s %d", (quantity, unit, input, expected) => {
    const fn = (UNIT_CONVERSIONS[quantity] as Record<string, (v: number) => number>)[unit]!;
    expect(fn(input)).toBeCloseTo(expected, 9);
  });
});

describe("timestamps", () => {
  test("epoch seconds and milliseconds are told apart by magnitude", () => {
    expect(epochMsFromSecondsOrMillis(1_714_572_191)).toBe(1_714_572_191_000);
    expect(epochMsFromSecondsOrMillis(1_714_572_191.5)).toBe(1_714_572_191_500);
    expect(epochMsFromSecondsOrMillis(1_714_572_191_123)).toBe(1_714_572_191_123);
    expect(epochSecondsToMs(1.0004)).toBe(1000);
  });

  test.each([
    ["2024-05-01T14:03:11Z", Date.UTC(2024, 4, 1, 14, 3, 11)],
    ["2024-05-01T14:03:11.123Z", Date.UTC(2024, 4, 1, 14, 3, 11, 123)],
    ["2024-05-01T14:03:11.123456Z", Date.UTC(2024, 4, 1, 14, 3, 11, 123)],
    ["2024-05-01T14:03:11+02:00", Date.UTC(2024, 4, 1, 12, 3, 11)],
    ["2024-05-01T14:03:11-0500", Date.UTC(2024, 4, 1, 19, 3, 11)],
    ["2024-05-01T14:03:11-05", Date.UTC(2024, 4, 1, 19, 3, 11)],
    ["2024-05-01 14:03:11", Date.UTC(2024, 4, 1, 14, 3, 11)],
    ["2024-05-01T14:03", Date.UTC(2024, 4, 1, 14, 3)],
    ["2024-05-01", Date.UTC(2024, 4, 1)],
    ["2024-02-29T00:00:00Z", Date.UTC(2024, 1, 29)],
  ])("isoToEpochMs(%p)", (text, expected) => {
    expect(isoToEpochMs(text)).toBe(expected);
  });

  test.each(["", "yesterday", "2024-13-01T00:00:00Z", "2024-02-30T00:00:00Z", "2023-02-29T00:00:00Z", "2024-05-01T24:00:00Z", "2024-05-01T14:61:00Z", "2024-05-01T14:03:11+25:00", "1714572191", "2024-5-1", "2024-05-01T14:03:11Zjunk"])("isoToEpochMs(%p) is null", (text) => {
    expect(isoToEpochMs(text)).toBeNull();
  });
});
