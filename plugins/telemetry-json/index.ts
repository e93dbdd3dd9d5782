/**
 * Generic JSON decoder over MQTT, for gateways that already decode their vehicle data and publish
 * it as JSON in their own shape. The source's `fields` option maps each canonical field (position
 * and every named reading) to a path in the payload, with an optional unit, scale and offset;
 * `records_path` points at a list when one message holds several samples. Paths are compiled once
 * when the source starts, so decoding a message is a few property lookups per field.
 */
import { Type, type TSchema } from "@sinclair/typebox";
import { definePlugin } from "../../src/plugins/define";
import { DecodeError, READINGS, READING_NAMES, type DecodeResult, type PositionRecord, type ReadingName, type TelemetryRecord } from "../../src/ingest/records";
import { epochMsFromSecondsOrMillis, isoToEpochMs, UNIT_CONVERSIONS, type Quantity } from "../../src/domain/units";
import { resolvePath } from "../../src/domain/json-path";

/** Canonical timestamp bounds (records.ts): a sample outside them has a broken clock. */
const MIN_TS = 946_684_800_000;
const MAX_TS = 4_102_444_800_000;
/** A decimal number as gateways write one in text; Number() alone would also take "", "0x1f" and "Infinity". */
const DECIMAL = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;

type PositionField = "lat" | "lon" | "speed_kmh" | "heading_deg" | "altitude_m" | "accuracy_m";
/** Every field a mapping may name. */
export type CanonicalField = "ts" | PositionField | ReadingName;

/** What each position field measures, its unit and its canonical range (records.ts). */
const POSITION_FIELDS: Record<PositionField, { quantity: Quantity | null; unit: string; min: number; max: number; label: string }> = {
  lat: { quantity: null, unit: "°", min: -90, max: 90, label: "Latitude in decimal degrees" },
  lon: { quantity: null, unit: "°", min: -180, max: 180, label: "Longitude in decimal degrees" },
  speed_kmh: { quantity: "speed", unit: "km/h", min: 0, max: 400, label: "Ground speed from GPS" },
  heading_deg: { quantity: null, unit: "°", min: 0, max: 360, label: "Heading in degrees clockwise from north" },
  altitude_m: { quantity: "length", unit: "m", min: -1000, max: 20_000, label: "Altitude" },
  accuracy_m: { quantity: "length", unit: "m", min: 0, max: 1_000_000, label: "Horizontal accuracy of the fix" },
};

/** What each reading measures; a reading added to READINGS fails type-checking here until it is given one. */
const READING_QUANTITY: Record<ReadingName, Quantity | null> = {
  odometer_km: "distance",
  engine_hours: "duration",
  fuel_level_pct: "percent",
  fuel_used_l: "volume",
  fuel_rate_lph: "fuel_rate",
  fuel_economy_kmpl: "fuel_economy",
  engine_rpm: null,
  wheel_speed_kmh: "speed",
  coolant_c: "temperature",
  battery_v: "voltage",
  ignition: null,
  device_battery_pct: "percent",
};

const TS_UNITS = ["ms", "s", "iso"] as const;
type TsUnit = (typeof TS_UNITS)[number];

/** The mapping a source gets without `fields`: each canonical name at the top level of the payload. */
export const DEFAULT_FIELDS: Record<CanonicalField, string> = Object.fromEntries(
  (["ts", ...Object.keys(POSITION_FIELDS), ...READING_NAMES] as CanonicalField[]).map((name) => [name, name]),
) as Record<CanonicalField, string>;

function fieldSchema(label: string, units: readonly string[] | null): TSchema {
  const unitOption: Record<string, TSchema> = units
    ? { unit: Type.Optional(Type.Union(units.map((u) => Type.Literal(u)), { description: `The unit the payload sends it in: ${units.join(", ")} (converted to Haulbox's unit).` })) }
    : {};
  return Type.Optional(
    Type.Union(
      [
        Type.String({ minLength: 1, description: "The path of the value in the payload, like engine.coolant or gps[0].lat." }),
        Type.Object(
          {
            path: Type.String({ minLength: 1, description: "The path of the value in the payload, like engine.coolant or gps[0].lat." }),
            ...unitOption,
            scale: Type.Optional(Type.Number({ description: "A factor the raw value is multiplied by before any unit conversion." })),
            offset: Type.Optional(Type.Number({ description: "A number added to the raw value after scaling and before any unit conversion." })),
          },
          { additionalProperties: false },
        ),
      ],
      { description: `${label}: a path in the payload, or { path, unit, scale, offset }.` },
    ),
  );
}

const fieldProperties: Record<string, TSchema> = {
  ts: fieldSchema("When the sample was taken (epoch seconds or milliseconds, told apart by size, or ISO 8601 unless unit says which); without it, the time Haulbox received the message", TS_UNITS),
};
for (const [name, spec] of Object.entries(POSITION_FIELDS)) fieldProperties[name] = fieldSchema(`${spec.label}, in ${spec.unit === "°" ? "degrees" : spec.unit}`, spec.quantity ? Object.keys(UNIT_CONVERSIONS[spec.quantity]) : null);
for (const name of READING_NAMES) {
  const quantity = READING_QUANTITY[name];
  const reading = READINGS[name];
  fieldProperties[name] = fieldSchema(`${reading.label}${reading.unit ? `, in ${reading.unit}` : name === "ignition" ? ", 1 (on) or 0 (off), true or false" : ""}`, quantity ? Object.keys(UNIT_CONVERSIONS[quantity]) : null);
}

/** A field's mapping as the YAML gives it. */
type FieldOption = string | { path: string; unit?: string; scale?: number; offset?: number };

/** One step of a path: a property name or a list index (negative counts from the end). */
type Segment = string | number;

/**
 * Parses `a.b[0].c`, `list[-1]`, `data["key.with.dots"]`. Throws an Error saying where the path
 * goes wrong (a config error, shown when the source starts).
 */
export function parsePath(path: string): Segment[] {
  const segments: Segment[] = [];
  let i = 0;
  const fail = (why: string): never => {
    throw new Error(`the path ${JSON.stringify(path)} is not valid: ${why} at character ${i + 1}`);
  };
  while (i < path.length) {
    if (path[i] === "[") {
      const quote = path[i + 1];
      if (quote === '"' || quote === "'") {
        const end = path.indexOf(quote, i + 2);
        if (end === -1 || path[end + 1] !== "]") fail(`a quoted name needs a closing ${quote}]`);
        segments.push(path.slice(i + 2, end));
        i = end + 2;
      } else {
        const match = /^\[(-?\d+)\]/.exec(path.slice(i));
        if (!match) fail("expected a list index like [0] or a quoted name like [\"a.b\"]");
        segments.push(Number(match![1]));
        i += match![0].length;
      }
    } else {
      let end = i;
      while (end < path.length && path[end] !== "." && path[end] !== "[" && path[end] !== "]") end++;
      if (end === i) fail("expected a name");
      segments.push(path.slice(i, end));
      i = end;
    }
    if (i < path.length) {
      if (path[i] === ".") {
        i++;
        if (i === path.length || path[i] === "[") fail("expected a name after the dot");
      } else if (path[i] !== "[") fail(`unexpected ${JSON.stringify(path[i])}`);
    }
  }
  if (!segments.length) fail("the path is empty");
  return segments;
}


/** A value as a trucker should read it in a dead-letter reason (short, quoted when text). */
function show(value: unknown): string {
  if (typeof value === "number") return String(value);
  const json = JSON.stringify(value) ?? String(value);
  return json.length > 40 ? `${json.slice(0, 37)}…` : json;
}

/** Rounds for display in a reason only (values keep their full precision). */
const round = (n: number) => String(Math.round(n * 1000) / 1000);

/** One mapped field, compiled. */
interface Mapping {
  field: CanonicalField;
  path: string;
  segments: Segment[];
  scale: number;
  offset: number;
  convert: ((n: number) => number) | null;
  tsUnit: TsUnit | null;
  unit: string;
  min: number;
  max: number;
  /** How a reason names it: `coolant_c (engine.coolant)`. */
  label: string;
}

function compile(field: CanonicalField, option: FieldOption): Mapping {
  const spec = typeof option === "string" ? { path: option } : option;
  let segments: Segment[];
  try {
    segments = parsePath(spec.path);
  } catch (error) {
    throw new Error(`fields.${field}: ${(error as Error).message}`);
  }
  const label = field === spec.path ? field : `${field} (${spec.path})`;
  const base = { field, path: spec.path, segments, scale: spec.scale ?? 1, offset: spec.offset ?? 0, label };
  if (field === "ts") return { ...base, convert: null, tsUnit: (spec.unit as TsUnit | undefined) ?? null, unit: "", min: MIN_TS, max: MAX_TS };
  const position = POSITION_FIELDS[field as PositionField];
  const reading = position ? null : READINGS[field as ReadingName];
  const quantity = position ? position.quantity : READING_QUANTITY[field as ReadingName];
  // The schema already limits units per field; a unit it let through that has no conversion would be a bug here, not a user error.
  const convert = quantity && spec.unit ? (UNIT_CONVERSIONS[quantity] as Record<string, (n: number) => number>)[spec.unit] ?? null : null;
  const range = position ?? reading!;
  return { ...base, convert, tsUnit: null, unit: range.unit === "°" || !range.unit ? "" : ` ${range.unit}`, min: range.min, max: range.max };
}

/** The number a mapping's raw value stands for, converted and range-checked; throws a reason. */
function numeric(mapping: Mapping, raw: unknown): number {
  let n: number;
  if (typeof raw === "number") n = raw;
  else if (typeof raw === "string" && DECIMAL.test(raw)) n = Number(raw);
  else if (typeof raw === "boolean" && mapping.field === "ignition") n = raw ? 1 : 0;
  else throw new DecodeError(`${mapping.label} is ${show(raw)}, not a number`);
  const scaled = n * mapping.scale + mapping.offset;
  const value = mapping.convert ? mapping.convert(scaled) : scaled;
  if (!Number.isFinite(value) || value < mapping.min || value > mapping.max) {
    const sent = value !== n ? ` (sent as ${show(raw)})` : "";
    throw new DecodeError(`${mapping.label} is ${round(value)}${mapping.unit}${sent}, outside ${mapping.min}…${mapping.max}${mapping.unit}`);
  }
  return value;
}

function timestampOf(mapping: Mapping, raw: unknown): number {
  let ts: number | null = null;
  const numberish = typeof raw === "number" || (typeof raw === "string" && DECIMAL.test(raw));
  if (mapping.tsUnit === "iso" || (mapping.tsUnit === null && !numberish)) {
    ts = typeof raw === "string" ? isoToEpochMs(raw) : null;
    if (ts === null) throw new DecodeError(`${mapping.label} is ${show(raw)}, not ${mapping.tsUnit === "iso" ? "an ISO 8601 time" : "epoch seconds, epoch milliseconds or an ISO 8601 time"}`);
  } else {
    if (!numberish) throw new DecodeError(`${mapping.label} is ${show(raw)}, not a number of ${mapping.tsUnit === "s" ? "seconds" : "milliseconds"}`);
    const n = Number(raw) * mapping.scale + mapping.offset;
    ts = mapping.tsUnit === "s" ? Math.round(n * 1000) : mapping.tsUnit === "ms" ? Math.round(n) : epochMsFromSecondsOrMillis(n);
  }
  if (!(ts >= MIN_TS && ts <= MAX_TS)) {
    // Date cannot show a time beyond ±8.64e15 ms (it would throw), and such a number says enough by itself.
    const when = Math.abs(ts) < 8.64e15 ? ` (${new Date(ts).toISOString()})` : "";
    throw new DecodeError(`${mapping.label} is ${show(raw)}${when}, not between 2000 and 2100; check the gateway's clock or the unit`);
  }
  return ts;
}

/** A decoder for one source's mapping. */
export function createJsonDecoder(fields: Partial<Record<CanonicalField, FieldOption>>, recordsPath: string): (payload: Uint8Array, receivedAt: number) => DecodeResult {
  let ts: Mapping | null = null;
  let lat: Mapping | null = null;
  let lon: Mapping | null = null;
  const positionExtras: Mapping[] = [];
  const readings: Mapping[] = [];
  for (const [field, option] of Object.entries(fields) as [CanonicalField, FieldOption | undefined][]) {
    if (option === undefined) continue;
    const mapping = compile(field, option);
    if (field === "ts") ts = mapping;
    else if (field === "lat") lat = mapping;
    else if (field === "lon") lon = mapping;
    else if (field in POSITION_FIELDS) positionExtras.push(mapping);
    else readings.push(mapping);
  }
  if ((lat === null) !== (lon === null)) throw new Error(`fields: map both lat and lon, or neither (only ${lat ? "lat" : "lon"} is mapped)`);
  if (!lat && !readings.length) throw new Error("fields: map lat and lon, or at least one reading, or no message can give a record");
  let recordsSegments: Segment[] | null = null;
  try {
    recordsSegments = recordsPath ? parsePath(recordsPath) : null;
  } catch (error) {
    throw new Error(`records_path: ${(error as Error).message}`);
  }
  const all = [ts, lat, lon, ...positionExtras, ...readings].filter((m): m is Mapping => m !== null);
  const text = new TextDecoder();

  /** Records of one sample; an empty list when none of its mapped values are there. */
  function decodeSample(sample: unknown, receivedAt: number, out: TelemetryRecord[]): boolean {
    const rawTs = ts ? resolvePath(sample, ts.segments) : undefined;
    const at = ts && rawTs !== undefined && rawTs !== null ? timestampOf(ts, rawTs) : receivedAt;
    const before = out.length;
    if (lat && lon) {
      const rawLat = resolvePath(sample, lat.segments);
      const rawLon = resolvePath(sample, lon.segments);
      const hasLat = rawLat !== undefined && rawLat !== null;
      const hasLon = rawLon !== undefined && rawLon !== null;
      if (hasLat !== hasLon) throw new DecodeError(`${hasLat ? lon.label : lat.label} is missing, though ${hasLat ? lat.label : lon.label} is there`);
      if (hasLat) {
        const position: PositionRecord = { type: "position", ts: at, lat: numeric(lat, rawLat), lon: numeric(lon, rawLon) };
        for (const mapping of positionExtras) {
          const raw = resolvePath(sample, mapping.segments);
          if (raw !== undefined && raw !== null) position[mapping.field as Exclude<PositionField, "lat" | "lon">] = numeric(mapping, raw);
        }
        out.push(position);
      }
    }
    for (const mapping of readings) {
      const raw = resolvePath(sample, mapping.segments);
      if (raw !== undefined && raw !== null) out.push({ type: "reading", ts: at, name: mapping.field as ReadingName, value: numeric(mapping, raw) });
    }
    return out.length > before;
  }

  function nothingFound(sample: unknown): DecodeError {
    const present = (m: Mapping) => (resolvePath(sample, m.segments) ?? null) !== null;
    const missing = all.filter((m) => m !== ts && !present(m)).map((m) => m.label);
    const strandedExtras = positionExtras.some(present);
    return new DecodeError(`no mapped value was found; missing: ${missing.join(", ")}${strandedExtras ? " (speed, heading, altitude and accuracy are kept only with lat and lon)" : ""}`);
  }

  return (payload, receivedAt) => {
    let root: unknown;
    try {
      root = JSON.parse(text.decode(payload));
    } catch {
      throw new DecodeError("the payload is not JSON");
    }
    let samples: unknown[];
    if (recordsSegments) {
      const list = resolvePath(root, recordsSegments);
      if (list === undefined || list === null) throw new DecodeError(`there is no list at "${recordsPath}" (records_path)`);
      if (!Array.isArray(list)) throw new DecodeError(`"${recordsPath}" (records_path) is ${show(list)}, not a list`);
      samples = list;
    } else samples = Array.isArray(root) ? root : [root];
    if (samples.length === 0) throw new DecodeError(recordsSegments ? `the list at "${recordsPath}" (records_path) is empty` : "the payload is an empty list");
    const records: TelemetryRecord[] = [];
    for (let i = 0; i < samples.length; i++) {
      const sample = samples[i];
      const where = samples.length > 1 ? `sample ${i + 1}: ` : "";
      if (sample === null || typeof sample !== "object") throw new DecodeError(`${where}the ${where ? "sample" : "payload"} is ${show(sample)}, not a JSON object`);
      try {
        decodeSample(sample, receivedAt, records);
      } catch (error) {
        if (error instanceof DecodeError && where) throw new DecodeError(where + error.message);
        throw error;
      }
    }
    if (!records.length) throw samples.length > 1 ? new DecodeError(`none of the ${samples.length} samples had a mapped value; in the first, ${nothingFound(samples[0]).message}`) : nothingFound(samples[0]);
    return { records };
  };
}

export default definePlugin({
  kind: "telemetry",
  mode: "decode",
  transport: "mqtt",
  name: "telemetry-json",
  version: "1.0.0",
  description: "Positions and engine readings from gateways that publish their own JSON, mapped field by field.",
  configSchema: Type.Object(
    {
      topic: Type.String({
        default: "gateways/{device}/json",
        minLength: 1,
        description: "The MQTT topic filter the gateways publish to; the level written {device} holds the device id.",
      }),
      // No schema default: TypeBox would merge it into a mapping the user gives, so fields they left out would still be read.
      fields: Type.Optional(
        Type.Object(fieldProperties, {
          additionalProperties: false,
          description: "Where each Haulbox field is in the payload; without it, each field is read from a top-level key of the same name (ts, lat, lon, speed_kmh, odometer_km, …), and giving it maps only the fields it lists.",
        }),
      ),
      records_path: Type.String({
        default: "",
        description: "The path of a list of samples when one message carries several; empty reads the payload itself as one sample, or each item when the payload is a list.",
      }),
    },
    { additionalProperties: false },
  ),
  create({ options }) {
    const decode = createJsonDecoder((options.fields ?? DEFAULT_FIELDS) as Partial<Record<CanonicalField, FieldOption>>, options.records_path);
    return { decode: (message) => decode(message.payload, message.receivedAt) };
  },
});
