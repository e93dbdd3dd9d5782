/**
 * OwnTracks decoder: the JSON the OwnTracks app (iOS, Android) publishes over MQTT, as the
 * OwnTracks booklet defines it. A `_type: "location"` message becomes a position, plus the phone's
 * battery when it is known; every other message type (lwt, transition, waypoint, card, status, …)
 * is ignored. One JSON object per message, as the app publishes it.
 */
import { Type } from "@sinclair/typebox";
import { definePlugin } from "../../src/plugins/define";
import { DecodeError, type DecodeResult, type PositionRecord, type TelemetryRecord } from "../../src/ingest/records";

/** Canonical timestamp bounds (records.ts): a fix outside them is a broken clock. */
const MIN_TS = 946_684_800_000;
const MAX_TS = 4_102_444_800_000;

const text = new TextDecoder();

/** A value as a trucker should read it in a dead-letter reason (short, quoted when text). */
function show(value: unknown): string {
  if (typeof value === "number") return String(value);
  const json = JSON.stringify(value) ?? String(value);
  return json.length > 40 ? `${json.slice(0, 37)}…` : json;
}

/** A required number field, checked against its range. */
function required(message: Record<string, unknown>, key: string, min: number, max: number): number {
  const value = message[key];
  if (value === undefined || value === null) throw new DecodeError(`the location has no "${key}"`);
  if (typeof value !== "number" || !Number.isFinite(value)) throw new DecodeError(`"${key}" is ${show(value)}, not a number`);
  if (value < min || value > max) throw new DecodeError(`"${key}" is ${show(value)}, outside ${min}…${max}`);
  return value;
}

/**
 * An optional number field: undefined when absent or negative (the apps report "unknown" as -1,
 * and none of these quantities can be negative), a reason when it is junk or out of range.
 */
function optional(message: Record<string, unknown>, key: string, max: number, unit: string): number | undefined {
  const value = message[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value)) throw new DecodeError(`"${key}" is ${show(value)}, not a number`);
  if (value < 0) return undefined;
  if (value > max) throw new DecodeError(`"${key}" is ${show(value)} ${unit}, above ${max} ${unit}`);
  return value;
}

/** Decodes one OwnTracks message. */
export function decodeOwnTracks(payload: Uint8Array): DecodeResult {
  let message: unknown;
  try {
    message = JSON.parse(text.decode(payload));
  } catch {
    throw new DecodeError("the payload is not JSON; OwnTracks sends one JSON object per message");
  }
  if (Array.isArray(message)) throw new DecodeError("the payload is a JSON list; OwnTracks sends one JSON object per message");
  if (!message || typeof message !== "object") throw new DecodeError(`the payload is ${show(message)}, not an OwnTracks JSON object`);
  const m = message as Record<string, unknown>;
  const type = m._type;
  if (typeof type !== "string") throw new DecodeError(type === undefined ? `the message has no "_type", so it is not an OwnTracks message` : `"_type" is ${show(type)}, not text`);
  if (type === "encrypted") throw new DecodeError("encrypted OwnTracks payloads are not supported; turn off encryption for this device");
  if (type !== "location") return { records: [] };

  const lat = required(m, "lat", -90, 90);
  const lon = required(m, "lon", -180, 180);
  const tst = required(m, "tst", -Infinity, Infinity);
  const ts = Math.round(tst * 1000);
  if (ts < MIN_TS || ts > MAX_TS) {
    // A publisher other than the app may send milliseconds; say so rather than print a date in year 56303.
    if (tst >= MIN_TS && tst <= MAX_TS) throw new DecodeError(`"tst" is ${tst}, which looks like milliseconds; OwnTracks sends epoch seconds`);
    // Date cannot show a time beyond ±8.64e15 ms (it would throw), and such a number says enough by itself.
    const when = Math.abs(ts) < 8.64e15 ? ` (${new Date(ts).toISOString()})` : "";
    throw new DecodeError(`"tst" is ${tst}${when}, not between 2000 and 2100; check the phone's clock`);
  }
  const position: PositionRecord = { type: "position", ts, lat, lon };
  const speed = optional(m, "vel", 400, "km/h");
  if (speed !== undefined) position.speed_kmh = speed;
  const heading = optional(m, "cog", 360, "degrees");
  if (heading !== undefined) position.heading_deg = heading;
  // Altitude may be below sea level, so -1 is a real value here, not "unknown".
  const alt = m.alt;
  if (alt !== undefined && alt !== null) {
    if (typeof alt !== "number" || !Number.isFinite(alt)) throw new DecodeError(`"alt" is ${show(alt)}, not a number`);
    if (alt < -1000 || alt > 20_000) throw new DecodeError(`"alt" is ${show(alt)} m, outside -1000…20000 m`);
    position.altitude_m = alt;
  }
  const acc = optional(m, "acc", 1_000_000, "m");
  if (acc !== undefined) position.accuracy_m = acc;
  const records: TelemetryRecord[] = [position];
  const batt = optional(m, "batt", 100, "%");
  if (batt !== undefined) records.push({ type: "reading", ts, name: "device_battery_pct", value: batt });
  return { records };
}

export default definePlugin({
  kind: "telemetry",
  mode: "decode",
  transport: "mqtt",
  name: "telemetry-owntracks",
  version: "1.0.0",
  description: "Positions and phone battery from the OwnTracks app over MQTT.",
  configSchema: Type.Object(
    {
      topic: Type.String({
        default: "owntracks/+/{device}",
        minLength: 1,
        description: "The MQTT topic filter OwnTracks publishes to; the level written {device} holds the device id, which is the app's Device ID setting.",
      }),
    },
    { additionalProperties: false },
  ),
  create() {
    return { decode: (message) => decodeOwnTracks(message.payload) };
  },
});
