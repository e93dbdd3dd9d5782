/**
 * Great-circle distance: the Rosetta Code haversine reference (exact to the digit once its radius
 * is swapped for ours), published city-pair distances within the 0.5 % a sphere may differ from
 * the ellipsoid, and the sphere's own identities (zero, symmetry, quarter meridian, antipodes).
 */
import { describe, expect, test } from "bun:test";
import { distanceKm, EARTH_RADIUS_KM, haversineKm } from "../../src/domain/geo";

describe("haversineKm", () => {
  test("matches the Rosetta Code reference (BNA → LAX, 2887.2599506071106 km with R = 6372.8 km)", () => {
    // The reference uses another radius; distance scales linearly with R, so rescale ours.
    const km = haversineKm(36.12, -86.67, 33.94, -118.4);
    expect((km * 6372.8) / EARTH_RADIUS_KM).toBeCloseTo(2887.2599506071106, 6);
  });

  // City centres and the great-circle distances distance calculators publish for them (km).
  const cityPairs: [string, [number, number], [number, number], number][] = [
    ["New York → Los Angeles", [40.7128, -74.006], [34.0522, -118.2437], 3936],
    ["London → Paris", [51.5074, -0.1278], [48.8566, 2.3522], 344],
    ["Chicago → Dallas", [41.8781, -87.6298], [32.7767, -96.797], 1290],
    ["Sydney → Tokyo", [-33.8688, 151.2093], [35.6762, 139.6503], 7823],
  ];
  for (const [name, a, b, published] of cityPairs) {
    test(`${name} ≈ ${published} km (within 0.5 %)`, () => {
      const km = haversineKm(a[0], a[1], b[0], b[1]);
      expect(Math.abs(km - published) / published).toBeLessThan(0.005);
    });
  }

  test("identities of the sphere", () => {
    expect(haversineKm(40, -90, 40, -90)).toBe(0);
    expect(haversineKm(10, 20, -30, 140)).toBeCloseTo(haversineKm(-30, 140, 10, 20), 9);
    expect(haversineKm(0, 0, 90, 0)).toBeCloseTo((Math.PI / 2) * EARTH_RADIUS_KM, 6);
    // Antipodes: half the circumference, not NaN from rounding past asin's domain.
    expect(haversineKm(45, 10, -45, -170)).toBeCloseTo(Math.PI * EARTH_RADIUS_KM, 6);
    // One degree of longitude on the equator.
    expect(haversineKm(0, 0, 0, 1)).toBeCloseTo((Math.PI / 180) * EARTH_RADIUS_KM, 9);
  });

  test("short hops between GPS fixes keep their precision (10 m north)", () => {
    const dLat = 0.01 / ((Math.PI / 180) * EARTH_RADIUS_KM);
    expect(haversineKm(41.5, -93.6, 41.5 + dLat, -93.6)).toBeCloseTo(0.01, 9);
  });

  test("distanceKm takes points", () => {
    expect(distanceKm({ lat: 36.12, lon: -86.67 }, { lat: 33.94, lon: -118.4 })).toBe(haversineKm(36.12, -86.67, 33.94, -118.4));
  });
});
