/**
 * Canonical telemetry: what every telemetry decoder produces, whatever the device spoke. Units are
 * the house units (DESIGN.md): km, km/h, °C, litres, hours, volts, percent, UTC epoch milliseconds.
 * The ingest pipeline checks every record against these schemas before storing it, so a plugin that
 * returns junk costs a dead letter, not a corrupt row.
 */
import { Type as T, type Static } from "@sinclair/typebox";
import { TypeCompiler } from "@sinclair/typebox/compiler";

/** Epoch milliseconds (UTC) between 2000-01-01 and 2100-01-01: anything else is a broken clock. */
const Timestamp = T.Integer({ minimum: 946_684_800_000, maximum: 4_102_444_800_000, description: "UTC epoch milliseconds." });

/** A GPS fix. */
export const PositionRecordSchema = T.Object(
  {
    type: T.Literal("position"),
    ts: Timestamp,
    lat: T.Number({ minimum: -90, maximum: 90 }),
    lon: T.Number({ minimum: -180, maximum: 180 }),
    speed_kmh: T.Optional(T.Number({ minimum: 0, maximum: 400 })),
    heading_deg: T.Optional(T.Number({ minimum: 0, maximum: 360 })),
    altitude_m: T.Optional(T.Number({ minimum: -1000, maximum: 20_000 })),
    accuracy_m: T.Optional(T.Number({ minimum: 0, maximum: 1_000_000 })),
  },
  { additionalProperties: false },
);

/**
 * Named readings and their units. Totals (odometer, engine hours, fuel used) only grow; the rest
 * are instantaneous. `ignition` is 1 (on) or 0 (off).
 */
export const READINGS = {
  odometer_km: { unit: "km", label: "Odometer", min: 0, max: 10_000_000 },
  engine_hours: { unit: "h", label: "Engine hours", min: 0, max: 1_000_000 },
  fuel_level_pct: { unit: "%", label: "Fuel level", min: 0, max: 100 },
  fuel_used_l: { unit: "L", label: "Total fuel used", min: 0, max: 100_000_000 },
  fuel_rate_lph: { unit: "L/h", label: "Fuel rate", min: 0, max: 500 },
  fuel_economy_kmpl: { unit: "km/L", label: "Fuel economy", min: 0, max: 200 },
  engine_rpm: { unit: "rpm", label: "Engine speed", min: 0, max: 10_000 },
  wheel_speed_kmh: { unit: "km/h", label: "Wheel-based speed", min: 0, max: 300 },
  coolant_c: { unit: "°C", label: "Coolant temperature", min: -40, max: 210 },
  battery_v: { unit: "V", label: "Battery voltage", min: 0, max: 100 },
  ignition: { unit: "", label: "Ignition", min: 0, max: 1 },
  device_battery_pct: { unit: "%", label: "Tracker battery", min: 0, max: 100 },
} as const;

/** A reading's name. */
export type ReadingName = keyof typeof READINGS;
/**
 * Every reading name, in a stable order. Each is a column of the `readings` table (migration
 * 0005): a new name needs a migration adding its column (tests/db/readings-columns.test.ts checks).
 */
export const READING_NAMES = Object.keys(READINGS) as ReadingName[];

/** One value of one named quantity. */
export const ReadingRecordSchema = T.Object(
  {
    type: T.Literal("reading"),
    ts: Timestamp,
    name: T.Union(READING_NAMES.map((name) => T.Literal(name))),
    value: T.Number(),
  },
  { additionalProperties: false },
);

/** A lamp's state as J1939 DM1 reports it. */
export const LampStateSchema = T.Union([T.Literal("off"), T.Literal("on"), T.Literal("slow_flash"), T.Literal("fast_flash")]);
export type LampState = Static<typeof LampStateSchema>;

/** One diagnostic trouble code (SAE J1939-73). */
export const DtcSchema = T.Object(
  {
    spn: T.Integer({ minimum: 0, maximum: 524_287, description: "Suspect parameter number (19 bits)." }),
    fmi: T.Integer({ minimum: 0, maximum: 31, description: "Failure mode identifier." }),
    oc: T.Integer({ minimum: 0, maximum: 126, description: "Occurrence count (127 = not available is sent as 0)." }),
    cm: T.Integer({ minimum: 0, maximum: 1, description: "SPN conversion method bit as sent." }),
  },
  { additionalProperties: false },
);
export type Dtc = Static<typeof DtcSchema>;

/**
 * A DM1 (active diagnostic codes) message from one ECU: the complete list of that source
 * address's active codes, so a code missing from the next DM1 of the same source has cleared.
 */
export const Dm1RecordSchema = T.Object(
  {
    type: T.Literal("dm1"),
    ts: Timestamp,
    source_address: T.Integer({ minimum: 0, maximum: 255 }),
    lamps: T.Object(
      { mil: LampStateSchema, red_stop: LampStateSchema, amber_warning: LampStateSchema, protect: LampStateSchema },
      { additionalProperties: false },
    ),
    faults: T.Array(DtcSchema, { maxItems: 1000 }),
  },
  { additionalProperties: false },
);

/** Any canonical record. */
export const TelemetryRecordSchema = T.Union([PositionRecordSchema, ReadingRecordSchema, Dm1RecordSchema]);
export type PositionRecord = Static<typeof PositionRecordSchema>;
export type ReadingRecord = Static<typeof ReadingRecordSchema>;
export type Dm1Record = Static<typeof Dm1RecordSchema>;
export type TelemetryRecord = PositionRecord | ReadingRecord | Dm1Record;

const checkers = {
  position: TypeCompiler.Compile(PositionRecordSchema),
  reading: TypeCompiler.Compile(ReadingRecordSchema),
  dm1: TypeCompiler.Compile(Dm1RecordSchema),
};

/** Why `value` is not a canonical record, or null when it is one (including the reading's range). */
export function recordProblem(value: unknown): string | null {
  if (!value || typeof value !== "object") return "a record must be an object";
  const type = (value as { type?: unknown }).type;
  const checker = checkers[type as keyof typeof checkers];
  if (!checker) return `unknown record type ${JSON.stringify(type)}`;
  if (!checker.Check(value)) {
    const first = checker.Errors(value).First();
    return first ? `${type}${first.path.replaceAll("/", ".")}: ${first.message}` : `invalid ${type} record`;
  }
  if (type === "reading") {
    const { name, value: reading } = value as ReadingRecord;
    const range = READINGS[name];
    if (!Number.isFinite(reading) || reading < range.min || reading > range.max) return `reading ${name}: ${reading} is outside ${range.min}…${range.max} ${range.unit}`.trim();
  }
  return null;
}

/** A message as a transport received it, before decoding. */
export interface InboundMessage {
  /** The telemetry source whose topic filter or HTTP path matched. */
  sourceId: string;
  /** The device id from the topic's `{device}` level; null over HTTP until the decoder names it. */
  deviceId: string | null;
  /** MQTT topic, or null over HTTP. */
  topic: string | null;
  /** The body as received. */
  payload: Uint8Array;
  /** When Haulbox received it (epoch ms): the timestamp for records whose payload carries none. */
  receivedAt: number;
  /** For HTTP sources: the query parameters and content type. */
  http?: { query: Record<string, string>; contentType: string | null };
}

/** What a decoder returns for one message. */
export interface DecodeResult {
  /** The device the records belong to, when the payload names it (HTTP trackers); else the topic's. */
  device?: string;
  /** Canonical records; an empty list is fine (a message type the source ignores). */
  records: TelemetryRecord[];
}

/** Thrown by a decoder for a payload it cannot use: the message becomes a dead letter with this reason. */
export class DecodeError extends Error {
  override name = "DecodeError";
}
