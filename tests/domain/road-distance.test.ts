/**
 * Road distance estimate: great-circle miles against published city-pair figures, the circuity
 * factor applied as written (worked by hand), a sanity check of the default factor against a
 * routed drive, and the errors bad input gets.
 */
import { describe, expect, test } from "bun:test";
import { EARTH_RADIUS_KM } from "../../src/domain/geo";
import { checkLatLon, estimateRoadKm, estimateRoadMiles, greatCircleMiles, US_CIRCUITY_FACTOR } from "../../src/domain/road-distance";

const CHICAGO = { lat: 41.8781, lon: -87.6298 };
const DALLAS = { lat: 32.7767, lon: -96.797 };
const BOSTON = { lat: 42.3601, lon: -71.0589 };

describe("greatCircleMiles", () => {
  test("Chicago → Dallas ≈ 803 mi, as distance calculators publish it (within 0.5 %)", () => {
    expect(Math.abs(greatCircleMiles(CHICAGO, DALLAS) - 803) / 803).toBeLessThan(0.005);
  });

  test("a quarter meridian is π/2 · R, in miles (R = 6371.0088 km, 1 mi = 1.609344 km)", () => {
    // π/2 × 6371.0088 / 1.609344 = 6218.40 mi, worked by hand.
    expect(greatCircleMiles({ lat: 0, lon: 0 }, { lat: 90, lon: 0 })).toBeCloseTo(((Math.PI / 2) * EARTH_RADIUS_KM) / 1.609344, 9);
    expect(greatCircleMiles({ lat: 0, lon: 0 }, { lat: 90, lon: 0 })).toBeCloseTo(6218.4, 1);
  });

  test("zero for the same point, and the same both ways", () => {
    expect(greatCircleMiles(DALLAS, DALLAS)).toBe(0);
    expect(greatCircleMiles(CHICAGO, DALLAS)).toBeCloseTo(greatCircleMiles(DALLAS, CHICAGO), 9);
  });
});

describe("estimateRoadKm / estimateRoadMiles", () => {
  test("the default factor is the US 1.20", () => {
    expect(US_CIRCUITY_FACTOR).toBe(1.2);
  });

  test("estimate = great circle × factor (Chicago → Dallas: 804.65 mi × 1.2 = 965.58 mi)", () => {
    expect(estimateRoadMiles(CHICAGO, DALLAS)).toBeCloseTo(greatCircleMiles(CHICAGO, DALLAS) * 1.2, 9);
    expect(estimateRoadMiles(CHICAGO, DALLAS)).toBeCloseTo(965.58, 1);
    expect(estimateRoadKm(CHICAGO, DALLAS)).toBeCloseTo(965.58 * 1.609344, 0);
  });

  test.each([1, 1.1, 1.35, 2.5, 3])("factor %p scales the great-circle distance linearly", (factor) => {
    expect(estimateRoadKm(CHICAGO, DALLAS, factor)).toBeCloseTo(estimateRoadKm(CHICAGO, DALLAS, 1) * factor, 9);
  });

  test("factor 1 is the great circle itself", () => {
    expect(estimateRoadMiles(CHICAGO, DALLAS, 1)).toBeCloseTo(greatCircleMiles(CHICAGO, DALLAS), 9);
  });

  test("the default lands within 10 % of a routed drive: Boston → Dallas ≈ 1750 mi (C. Wolfram, 'Efficiency of Road Networks', 2021)", () => {
    expect(Math.abs(estimateRoadMiles(BOSTON, DALLAS) - 1750) / 1750).toBeLessThan(0.1);
  });

  test("zero for the same point", () => {
    expect(estimateRoadKm(CHICAGO, CHICAGO)).toBe(0);
  });
});

describe("bad input is named", () => {
  test.each([0.9, 0, -1.2, 3.01, 120, Number.NaN, Number.POSITIVE_INFINITY])("circuity factor %p throws", (factor) => {
    expect(() => estimateRoadKm(CHICAGO, DALLAS, factor)).toThrow(`circuity factor must be a number from 1 to 3 (road ÷ straight-line distance), got ${factor}`);
  });

  test("a coordinate out of range names the point and the axis", () => {
    expect(() => estimateRoadKm({ lat: 95, lon: 0 }, DALLAS)).toThrow("origin latitude must be a number from -90 to 90, got 95");
    expect(() => estimateRoadMiles(CHICAGO, { lat: 30, lon: Number.NaN })).toThrow("destination longitude must be a number from -180 to 180, got NaN");
    expect(() => greatCircleMiles(CHICAGO, { lat: 30, lon: -181 })).toThrow("destination longitude must be a number from -180 to 180, got -181");
    expect(() => checkLatLon({ lat: Number.POSITIVE_INFINITY, lon: 0 }, "point")).toThrow("point latitude must be a number from -90 to 90, got Infinity");
  });

  test("the edges of the valid range are accepted", () => {
    expect(() => checkLatLon({ lat: -90, lon: 180 }, "point")).not.toThrow();
    expect(() => checkLatLon({ lat: 90, lon: -180 }, "point")).not.toThrow();
  });
});
