/**
 * PADD table against EIA's definition as the weekly diesel survey lists it (eia.gov/petroleum/gasdiesel,
 * "Definitions, Sources and Explanatory Notes"; the same lists appear in DOE's regional diesel
 * notes and Wikipedia's "Petroleum Administration for Defense Districts"), written out here by
 * district so a wrong cell in the table shows as a wrong district. Then lookups and bad input.
 */
import { describe, expect, test } from "bun:test";
import { PADD_IDS, PADD_NAMES, PADD_OF_STATE, paddOfState, type PaddId } from "../../src/domain/padd";

// EIA's lists, by district, in EIA's wording and order.
const EIA_DISTRICTS: [PaddId, string, string[]][] = [
  ["1A", "New England", ["Connecticut", "Maine", "Massachusetts", "New Hampshire", "Rhode Island", "Vermont"]],
  ["1B", "Central Atlantic", ["Delaware", "District of Columbia", "Maryland", "New Jersey", "New York", "Pennsylvania"]],
  ["1C", "Lower Atlantic", ["Florida", "Georgia", "North Carolina", "South Carolina", "Virginia", "West Virginia"]],
  ["2", "Midwest", ["Illinois", "Indiana", "Iowa", "Kansas", "Kentucky", "Michigan", "Minnesota", "Missouri", "Nebraska", "North Dakota", "South Dakota", "Ohio", "Oklahoma", "Tennessee", "Wisconsin"]],
  ["3", "Gulf Coast", ["Alabama", "Arkansas", "Louisiana", "Mississippi", "New Mexico", "Texas"]],
  ["4", "Rocky Mountain", ["Colorado", "Idaho", "Montana", "Utah", "Wyoming"]],
  ["5", "West Coast", ["Alaska", "Arizona", "California", "Hawaii", "Nevada", "Oregon", "Washington"]],
];

// USPS codes of the names above, written out independently of src/geo/states.ts.
const POSTAL: Record<string, string> = {
  Connecticut: "CT", Maine: "ME", Massachusetts: "MA", "New Hampshire": "NH", "Rhode Island": "RI", Vermont: "VT",
  Delaware: "DE", "District of Columbia": "DC", Maryland: "MD", "New Jersey": "NJ", "New York": "NY", Pennsylvania: "PA",
  Florida: "FL", Georgia: "GA", "North Carolina": "NC", "South Carolina": "SC", Virginia: "VA", "West Virginia": "WV",
  Illinois: "IL", Indiana: "IN", Iowa: "IA", Kansas: "KS", Kentucky: "KY", Michigan: "MI", Minnesota: "MN", Missouri: "MO",
  Nebraska: "NE", "North Dakota": "ND", "South Dakota": "SD", Ohio: "OH", Oklahoma: "OK", Tennessee: "TN", Wisconsin: "WI",
  Alabama: "AL", Arkansas: "AR", Louisiana: "LA", Mississippi: "MS", "New Mexico": "NM", Texas: "TX",
  Colorado: "CO", Idaho: "ID", Montana: "MT", Utah: "UT", Wyoming: "WY",
  Alaska: "AK", Arizona: "AZ", California: "CA", Hawaii: "HI", Nevada: "NV", Oregon: "OR", Washington: "WA",
};

describe("PADD table", () => {
  for (const [id, name, states] of EIA_DISTRICTS) {
    test(`PADD ${id} ${name}: ${states.length} states`, () => {
      expect(PADD_NAMES[id]).toBe(name);
      for (const state of states) expect(`${state} → ${PADD_OF_STATE[POSTAL[state]!]}`).toBe(`${state} → ${id}`);
      const inTable = Object.entries(PADD_OF_STATE).filter(([, padd]) => padd === id).map(([code]) => code).sort();
      expect(inTable).toEqual(states.map((state) => POSTAL[state]!).sort());
    });
  }

  test("covers the 50 states and DC exactly once, and names every id", () => {
    expect(Object.keys(PADD_OF_STATE)).toHaveLength(51);
    expect(new Set(Object.values(PADD_OF_STATE))).toEqual(new Set(PADD_IDS));
    expect(Object.keys(PADD_NAMES).sort()).toEqual([...PADD_IDS].sort());
  });

  test("California stays in PADD 5 (EIA's separate California series is not a district)", () => {
    expect(paddOfState("CA")).toBe("5");
  });
});

describe("paddOfState", () => {
  test.each([
    ["TX", "3"],
    ["tx", "3"],
    [" ny ", "1B"],
    ["Wv", "1C"],
    ["DC", "1B"],
    ["ok", "2"],
    ["NM", "3"],
  ])("%p → %p", (code, padd) => {
    expect(paddOfState(code)).toBe(padd as PaddId);
  });

  test.each(["PR", "VI", "GU", "AS", "MP"])("territory %p has no weekly diesel price → null", (code) => {
    expect(paddOfState(code)).toBeNull();
  });

  test.each(["XX", "", "Texas", "T", "TEX", "constructor", "__proto__"])("%p is not a state code and throws, naming it", (code) => {
    expect(() => paddOfState(code)).toThrow(`"${code}" is not a US state postal code`);
  });
});
