/**
 * OsmAnd / Traccar Client decoder for Haulbox's HTTP ingest. Two shapes arrive on the same path:
 * - the OsmAnd query form (`?id=…&lat=…&lon=…&timestamp=…&speed=…`), sent by the OsmAnd app, the
 *   older Traccar Client and many small trackers, as GET/POST parameters or a form-encoded body;
 * - the JSON body of the current Traccar Client (`{ "location": { "coords": … }, "device_id" }`).
 * The device id comes from the message; the token check is the core's (it removes `token` before
 * the decoder runs, and this decoder ignores one anyway).
 */
import { Type } from "@sinclair/typebox";
import { definePlugin } from "../../src/plugins/define";
import { DecodeError, type DecodeResult, type PositionRecord, type TelemetryRecord } from "../../src/ingest/records";
import { DEVICE_ID_PATTERN } from "../../src/telemetry/fleet";
import { epochMsFromSecondsOrMillis, isoToEpochMs, UNIT_CONVERSIONS } from "../../src/domain/units";

/** Canonical timestamp bounds (records.ts): a fix outside them is a broken clock. */
const MIN_TS = 946_684_800_000;
const MAX_TS = 4_102_444_800_000;
/** A decimal number as trackers write one; Number() alone would also take "", "0x1f" and "Infinity". */
const DECIMAL = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;
const SPEED_UNITS = ["knots", "kmh", "mps", "mph"] as const;
type SpeedUnit = (typeof SPEED_UNITS)[number];

const text = new TextDecoder();

/** A value as a trucker should read it in a dead-letter reason (short, quoted when text). */
function show(value: unknown): string {
  if (typeof value === "number") return String(value);
  const json = JSON.stringify(value) ?? String(value);
  return json.length > 40 ? `${json.slice(0, 37)}…` : json;
}

/** A number from a query parameter or JSON value; `name` is how the reason calls it. */
function toNumber(value: unknown, name: string): number {
  const n = typeof value === "number" ? value : typeof value === "string" && DECIMAL.test(value) ? Number(value) : NaN;
  if (!Number.isFinite(n)) throw new DecodeError(`${name} is ${show(value)}, not a number`);
  return n;
}

function checkRange(n: number, name: string, min: number, max: number, unit = ""): number {
  if (n < min || n > max) throw new DecodeError(`${name} is ${n}${unit}, outside ${min}…${max}${unit}`);
  return n;
}

/** An optional non-negative quantity: undefined when absent or negative (both clients send -1 for "unknown"). */
function optionalNonNegative(value: unknown, name: string, max: number, unit: string, convert?: (n: number) => number): number | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  const raw = toNumber(value, name);
  if (raw < 0) return undefined;
  const n = convert ? convert(raw) : raw;
  if (n > max) throw new DecodeError(`${name} is ${raw}${convert ? ` (${Math.round(n)}${unit})` : unit}, above ${max}${unit}`);
  return n;
}

function optionalAltitude(value: unknown, name: string): number | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  return checkRange(toNumber(value, name), name, -1000, 20_000, " m");
}

function checkTs(ts: number, name: string, value: unknown): number {
  if (ts >= MIN_TS && ts <= MAX_TS) return ts;
  // Date cannot show a time beyond ±8.64e15 ms (it would throw), and such a number says enough by itself.
  const when = Math.abs(ts) < 8.64e15 ? ` (${new Date(ts).toISOString()})` : "";
  throw new DecodeError(`${name} is ${show(value)}${when}, not between 2000 and 2100; check the tracker's clock`);
}

/** Epoch seconds, epoch milliseconds (told apart by magnitude) or ISO 8601; `fallback` when absent. */
function timestamp(value: unknown, name: string, fallback: number): number {
  if (value === undefined || value === null || value === "") return fallback;
  if (typeof value === "number" || (typeof value === "string" && DECIMAL.test(value))) return checkTs(epochMsFromSecondsOrMillis(Number(value)), name, value);
  const iso = typeof value === "string" ? isoToEpochMs(value) : null;
  if (iso === null) throw new DecodeError(`${name} is ${show(value)}, not epoch seconds, epoch milliseconds or an ISO 8601 time`);
  return checkTs(iso, name, value);
}

function deviceId(value: unknown, name: string): string {
  const id = typeof value === "number" && Number.isSafeInteger(value) ? String(value) : value;
  if (typeof id !== "string" || !DEVICE_ID_PATTERN.test(id)) throw new DecodeError(`${name} is ${show(value)}; a device id is 1–64 letters, digits, _ . : or - (starting with a letter or digit)`);
  return id;
}

function battery(ts: number, pct: number | undefined): TelemetryRecord[] {
  return pct === undefined ? [] : [{ type: "reading", ts, name: "device_battery_pct", value: pct }];
}

/** The OsmAnd query form: one fix in named parameters. */
function decodeQuery(params: Record<string, string>, receivedAt: number, toKmh: (n: number) => number, speedUnit: SpeedUnit): DecodeResult {
  const idValue = params.id ?? params.deviceid;
  if (idValue === undefined) throw new DecodeError(`there is no "id" parameter: the tracker must send its device id (like ?id=truck7&lat=…&lon=…)`);
  const device = deviceId(idValue, `"id"`);
  const ts = timestamp(params.timestamp, `"timestamp"`, receivedAt);
  const batt = optionalNonNegative(params.batt, `"batt"`, 100, "%");
  // valid=false: the tracker itself says the fix is stale or made up; keep only its battery.
  if (params.valid === "false" || params.valid === "0") return { device, records: battery(ts, batt) };

  let latValue: unknown = params.lat;
  let lonValue: unknown = params.lon;
  if ((latValue === undefined || lonValue === undefined) && params.location !== undefined) {
    const parts = params.location.split(",");
    if (parts.length !== 2) throw new DecodeError(`"location" is ${show(params.location)}; expected latitude,longitude`);
    [latValue, lonValue] = parts;
  }
  if (latValue === undefined || lonValue === undefined) throw new DecodeError(`there is no ${latValue === undefined ? `"lat"` : `"lon"`} parameter, so there is no position`);
  const lat = checkRange(toNumber(latValue, `"lat"`), `"lat"`, -90, 90);
  const lon = checkRange(toNumber(lonValue, `"lon"`), `"lon"`, -180, 180);
  if (lat === 0 && lon === 0) throw new DecodeError("the position is 0,0: the tracker had no GPS fix");
  const position: PositionRecord = { type: "position", ts, lat, lon };
  const speed = optionalNonNegative(params.speed, `"speed" (${speedUnit})`, 400, " km/h", toKmh);
  if (speed !== undefined) position.speed_kmh = speed;
  const heading = optionalNonNegative(params.bearing ?? params.heading, params.bearing !== undefined ? `"bearing"` : `"heading"`, 360, "°");
  if (heading !== undefined) position.heading_deg = heading;
  const altitude = optionalAltitude(params.altitude, `"altitude"`);
  if (altitude !== undefined) position.altitude_m = altitude;
  const accuracy = optionalNonNegative(params.accuracy, `"accuracy"`, 1_000_000, " m");
  if (accuracy !== undefined) position.accuracy_m = accuracy;
  return { device, records: [position, ...battery(ts, batt)] };
}

const mpsToKmh = UNIT_CONVERSIONS.speed.mps;

/** One location of the Traccar Client JSON. */
function decodeLocation(location: unknown, where: string, receivedAt: number): TelemetryRecord[] {
  if (!location || typeof location !== "object" || Array.isArray(location)) throw new DecodeError(`${where} is ${show(location)}, not a location object`);
  const l = location as Record<string, unknown>;
  const coords = l.coords;
  if (!coords || typeof coords !== "object" || Array.isArray(coords)) throw new DecodeError(coords === undefined ? `${where} has no "coords"` : `${where}.coords is ${show(coords)}, not an object`);
  const c = coords as Record<string, unknown>;
  const ts = timestamp(l.timestamp, `${where}.timestamp`, receivedAt);
  if (c.latitude === undefined || c.latitude === null) throw new DecodeError(`${where}.coords has no "latitude"`);
  if (c.longitude === undefined || c.longitude === null) throw new DecodeError(`${where}.coords has no "longitude"`);
  const lat = checkRange(toNumber(c.latitude, `"latitude"`), `"latitude"`, -90, 90);
  const lon = checkRange(toNumber(c.longitude, `"longitude"`), `"longitude"`, -180, 180);
  if (lat === 0 && lon === 0) throw new DecodeError("the position is 0,0: the tracker had no GPS fix");
  const position: PositionRecord = { type: "position", ts, lat, lon };
  const speed = optionalNonNegative(c.speed, `"speed" (m/s)`, 400, " km/h", mpsToKmh);
  if (speed !== undefined) position.speed_kmh = speed;
  const heading = optionalNonNegative(c.heading, `"heading"`, 360, "°");
  if (heading !== undefined) position.heading_deg = heading;
  const altitude = optionalAltitude(c.altitude, `"altitude"`);
  if (altitude !== undefined) position.altitude_m = altitude;
  const accuracy = optionalNonNegative(c.accuracy, `"accuracy"`, 1_000_000, " m");
  if (accuracy !== undefined) position.accuracy_m = accuracy;
  const records: TelemetryRecord[] = [position];
  const batt = l.battery;
  if (batt && typeof batt === "object" && !Array.isArray(batt)) {
    // Level is a fraction 0–1; rounding to 0.1 % keeps 0.57 from becoming 56.99999999999999.
    const level = optionalNonNegative((batt as Record<string, unknown>).level, `"battery.level"`, 1, "");
    if (level !== undefined) records.push({ type: "reading", ts, name: "device_battery_pct", value: Math.round(level * 1000) / 10 });
  }
  return records;
}

/** The current Traccar Client's JSON body: one location, or a list when it syncs a batch. */
function decodeJson(body: string, query: Record<string, string>, receivedAt: number): DecodeResult {
  let root: unknown;
  try {
    root = JSON.parse(body);
  } catch {
    throw new DecodeError("the body is not JSON, though it was sent as JSON");
  }
  if (!root || typeof root !== "object" || Array.isArray(root)) throw new DecodeError(`the JSON body is ${Array.isArray(root) ? "a list" : show(root)}; expected an object with "location" and "device_id"`);
  const r = root as Record<string, unknown>;
  const idValue = r.device_id ?? query.id ?? query.deviceid;
  if (idValue === undefined || idValue === null) throw new DecodeError(`the JSON has no "device_id": set the device identifier in Traccar Client`);
  const device = deviceId(idValue, `"device_id"`);
  const location = r.location;
  if (location === undefined || location === null) throw new DecodeError(`the JSON has no "location"`);
  if (!Array.isArray(location)) return { device, records: decodeLocation(location, `"location"`, receivedAt) };
  if (location.length === 0) throw new DecodeError(`"location" is an empty list`);
  const records: TelemetryRecord[] = [];
  for (let i = 0; i < location.length; i++) records.push(...decodeLocation(location[i], `"location"[${i}]`, receivedAt));
  return { device, records };
}

export default definePlugin({
  kind: "telemetry",
  mode: "decode",
  transport: "http",
  name: "telemetry-osmand",
  version: "1.0.0",
  description: "Positions from Traccar Client, OsmAnd and other trackers that speak the OsmAnd HTTP protocol.",
  configSchema: Type.Object(
    {
      path: Type.String({
        default: "/ingest/osmand",
        // The core checks it is under /ingest/ and not used twice (src/config/load.ts).
        description: "The HTTP path under /ingest/ the trackers send to, which goes after Haulbox's address in the tracker's server URL.",
      }),
      speed_unit: Type.Union(
        SPEED_UNITS.map((unit) => Type.Literal(unit)),
        {
          default: "knots",
          description: "The unit of the speed parameter in the query form: knots (Traccar Client and the OsmAnd protocol), kmh, mps (the OsmAnd app's {5}) or mph; the JSON body is always metres per second.",
        },
      ),
    },
    { additionalProperties: false },
  ),
  create({ options }) {
    const speedUnit = options.speed_unit as SpeedUnit;
    const toKmh = UNIT_CONVERSIONS.speed[speedUnit === "knots" ? "knots" : speedUnit];
    return {
      decode(message) {
        const contentType = message.http?.contentType?.toLowerCase() ?? "";
        const query = message.http?.query ?? {};
        const body = message.payload.byteLength ? text.decode(message.payload) : "";
        const trimmed = body.trimStart();
        // Some HTTP tools post JSON without a content type; a body starting with { or [ is never form data.
        if (contentType.includes("json") || (!contentType.includes("form") && (trimmed.startsWith("{") || trimmed.startsWith("[")))) return decodeJson(body, query, message.receivedAt);
        let params: Record<string, string> = query;
        if (trimmed) {
          params = {};
          for (const [key, value] of new URLSearchParams(body)) params[key] = value;
          // Parameters in the URL win over the body's, as they do in the Traccar server.
          Object.assign(params, query);
        }
        if (params.token !== undefined) {
          params = { ...params };
          delete params.token;
        }
        if (Object.keys(params).length === 0) throw new DecodeError("the request carries no parameters and no body; expected ?id=…&lat=…&lon=… or Traccar Client JSON");
        return decodeQuery(params, message.receivedAt, toKmh, speedUnit);
      },
    };
  },
});
