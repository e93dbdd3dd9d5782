/**
 * US states and territories: postal code, FIPS code and name; state names and codes as people write
 * them → postal code; and point → state, so a truck's GPS fix can be priced at its PADD's diesel.
 *
 * Point → state is a point-in-polygon test on the Census Bureau's 2017 cartographic state boundaries
 * as us-atlas ships them (states-10m.json: TopoJSON, 1:10,000,000, quantized to about 0.004° of
 * longitude by 0.0009° of latitude and simplified). That is plenty for a fuel-price region, but a
 * point within a kilometre or two of a border or shoreline can land in the neighbour or offshore:
 * it is not for surveying or legal state-line questions. The shapes are parsed on the first call,
 * not at import, so they cost nothing until a position needs them.
 *
 * FIPS codes are the Census Bureau's state codes (ANSI INCITS 38); the table covers the 50 states,
 * DC and the five inhabited territories that us-atlas draws.
 */
import { readFileSync } from "node:fs";
import { feature } from "topojson-client";
import type { Topology } from "topojson-specification";
import statesTopologyFile from "us-atlas/states-10m.json" with { type: "file" };
import { paddOfState, type PaddId } from "../domain/padd";
import { checkLatLon } from "../domain/road-distance";

/** A state, DC or territory. */
export interface UsState {
  /** USPS two-letter code, e.g. "TX". */
  code: string;
  /** Census FIPS state code, two digits, e.g. "48". */
  fips: string;
  name: string;
  /** True for the territories (no state government, no weekly EIA diesel price). */
  territory: boolean;
}

const row = (code: string, fips: string, name: string, territory = false): UsState => ({ code, fips, name, territory });

/** The 50 states, DC and the inhabited territories, by postal code. */
export const US_STATES: readonly UsState[] = [
  row("AL", "01", "Alabama"), row("AK", "02", "Alaska"), row("AZ", "04", "Arizona"), row("AR", "05", "Arkansas"),
  row("CA", "06", "California"), row("CO", "08", "Colorado"), row("CT", "09", "Connecticut"), row("DE", "10", "Delaware"),
  row("DC", "11", "District of Columbia"), row("FL", "12", "Florida"), row("GA", "13", "Georgia"), row("HI", "15", "Hawaii"),
  row("ID", "16", "Idaho"), row("IL", "17", "Illinois"), row("IN", "18", "Indiana"), row("IA", "19", "Iowa"),
  row("KS", "20", "Kansas"), row("KY", "21", "Kentucky"), row("LA", "22", "Louisiana"), row("ME", "23", "Maine"),
  row("MD", "24", "Maryland"), row("MA", "25", "Massachusetts"), row("MI", "26", "Michigan"), row("MN", "27", "Minnesota"),
  row("MS", "28", "Mississippi"), row("MO", "29", "Missouri"), row("MT", "30", "Montana"), row("NE", "31", "Nebraska"),
  row("NV", "32", "Nevada"), row("NH", "33", "New Hampshire"), row("NJ", "34", "New Jersey"), row("NM", "35", "New Mexico"),
  row("NY", "36", "New York"), row("NC", "37", "North Carolina"), row("ND", "38", "North Dakota"), row("OH", "39", "Ohio"),
  row("OK", "40", "Oklahoma"), row("OR", "41", "Oregon"), row("PA", "42", "Pennsylvania"), row("RI", "44", "Rhode Island"),
  row("SC", "45", "South Carolina"), row("SD", "46", "South Dakota"), row("TN", "47", "Tennessee"), row("TX", "48", "Texas"),
  row("UT", "49", "Utah"), row("VT", "50", "Vermont"), row("VA", "51", "Virginia"), row("WA", "53", "Washington"),
  row("WV", "54", "West Virginia"), row("WI", "55", "Wisconsin"), row("WY", "56", "Wyoming"),
  row("AS", "60", "American Samoa", true), row("GU", "66", "Guam", true), row("MP", "69", "Northern Mariana Islands", true),
  row("PR", "72", "Puerto Rico", true), row("VI", "78", "U.S. Virgin Islands", true),
];

const STATE_BY_CODE = new Map(US_STATES.map((state) => [state.code, state]));
const STATE_BY_FIPS = new Map(US_STATES.map((state) => [state.fips, state]));

/** Letters only, upper case: "District of Columbia", "D.C." and "district-of-columbia" all meet. */
const lettersKey = (text: string): string => text.toUpperCase().replace(/[^A-Z]/g, "");

/** Name forms → code: every table name, plus the other ways DC and the territories are written. */
const CODE_BY_NAME = new Map<string, string>([
  ...US_STATES.map((state): [string, string] => [lettersKey(state.name), state.code]),
  ["WASHINGTONDC", "DC"],
  ["USVIRGINISLANDS", "VI"],
  ["UNITEDSTATESVIRGINISLANDS", "VI"],
  ["VIRGINISLANDS", "VI"],
  ["COMMONWEALTHOFTHENORTHERNMARIANAISLANDS", "MP"],
]);

/** The state with this postal code (exact, upper case), or undefined. */
export function stateByCode(code: string): UsState | undefined {
  return STATE_BY_CODE.get(code);
}

/**
 * The postal code of a state written as a code or a name, in any case and punctuation ("tx",
 * "Texas", "D.C.", "Washington DC", "New-York"); null when it is neither.
 */
export function normaliseStateCode(text: string): string | null {
  const key = lettersKey(text);
  if (key.length === 2 && STATE_BY_CODE.has(key)) return key;
  return CODE_BY_NAME.get(key) ?? null;
}

/** One state's shapes, flattened for the point test: bounding box, then every ring as [lon, lat, …]. */
interface StateShape {
  code: string;
  minLon: number;
  minLat: number;
  maxLon: number;
  maxLat: number;
  rings: Float64Array[];
}

let shapes: StateShape[] | null = null;

function loadShapes(): StateShape[] {
  // A `type: "file"` import is a path (inside the compiled binary, an embedded one); read it once.
  const topology = JSON.parse(readFileSync(statesTopologyFile as unknown as string, "utf8")) as Topology;
  const collection = feature(topology, topology.objects.states!) as GeoJSON.FeatureCollection;
  return collection.features.map((shape) => {
    const state = STATE_BY_FIPS.get(String(shape.id));
    if (!state) throw new Error(`us-atlas states-10m.json has a state with FIPS id ${String(shape.id)} that the state table lacks`);
    const geometry = shape.geometry as GeoJSON.Polygon | GeoJSON.MultiPolygon;
    const polygons = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates;
    let minLon = Infinity, minLat = Infinity, maxLon = -Infinity, maxLat = -Infinity;
    const rings = polygons.flat().map((ring) => {
      const flat = new Float64Array(ring.length * 2);
      ring.forEach(([lon, lat], i) => {
        flat[2 * i] = lon!;
        flat[2 * i + 1] = lat!;
        minLon = Math.min(minLon, lon!);
        maxLon = Math.max(maxLon, lon!);
        minLat = Math.min(minLat, lat!);
        maxLat = Math.max(maxLat, lat!);
      });
      return flat;
    });
    return { code: state.code, minLon, minLat, maxLon, maxLat, rings };
  });
}

/**
 * Even-odd crossing test over all of a state's rings at once: holes (lakes, enclaves) are rings
 * too, so a point inside a hole crosses an even number of edges and counts as outside, and the
 * islands of a MultiPolygon need no separate pass.
 */
function insideRings(rings: Float64Array[], lon: number, lat: number): boolean {
  let inside = false;
  for (const ring of rings) {
    const count = ring.length / 2;
    for (let i = 0, j = count - 1; i < count; j = i++) {
      const lonI = ring[2 * i]!, latI = ring[2 * i + 1]!;
      const lonJ = ring[2 * j]!, latJ = ring[2 * j + 1]!;
      if (latI > lat !== latJ > lat && lon < ((lonJ - lonI) * (lat - latI)) / (latJ - latI) + lonI) inside = !inside;
    }
  }
  return inside;
}

/**
 * The postal code of the state or territory containing a point, or null offshore, in a Great Lake,
 * abroad, or within the boundary files' tolerance of a shoreline. Throws on a coordinate out of
 * range. A point exactly on a shared border goes to the state listed first by us-atlas.
 */
export function stateOfPoint(lat: number, lon: number): string | null {
  checkLatLon({ lat, lon }, "point");
  shapes ??= loadShapes();
  for (const shape of shapes) {
    if (lon < shape.minLon || lon > shape.maxLon || lat < shape.minLat || lat > shape.maxLat) continue;
    if (insideRings(shape.rings, lon, lat)) return shape.code;
  }
  return null;
}

/** The diesel-price PADD of the state containing a point; null offshore, abroad or in a territory. */
export function paddOfPoint(lat: number, lon: number): PaddId | null {
  const state = stateOfPoint(lat, lon);
  return state === null ? null : paddOfState(state);
}
