/**
 * J1939 decoder plugin: CAN frames from CAN-to-MQTT gateways (candump log lines, candump screen
 * lines or bare `18FECA00#…` frames, one or many per message; or a JSON envelope with frames and a
 * GPS fix) → engine readings, DM1 fault lists and positions. The J1939 work itself is in
 * src/domain/j1939; this file reads payloads, keeps one decoder per device (transport sessions are
 * per bus) and turns what could not be used into reasons.
 */
import { readFileSync } from "node:fs";
import { Type } from "@sinclair/typebox";
import { definePlugin } from "../../src/plugins/define";
import { DecodeError, type DecodeResult, type PositionRecord, type TelemetryRecord } from "../../src/ingest/records";
import type { Logger } from "../../src/log";
import { J1939Decoder } from "../../src/domain/j1939/decode";
import type { ConversionMethod } from "../../src/domain/j1939/dm1";
import { parseFrame, parseFrames, type J1939Frame } from "../../src/domain/j1939/frame";
import { loadSpnNames } from "../../src/domain/j1939/spn-names";

/** Canonical timestamp bounds (records.ts). */
const MIN_TS = 946_684_800_000;
const MAX_TS = 4_102_444_800_000;
/** Frames one JSON envelope may carry: a gateway batches a second or so of bus traffic, not a day. */
const MAX_JSON_FRAMES = 10_000;
/** How often idle decoders are looked for, and how often rejected frames of a good message are logged. */
const SWEEP_EVERY_MS = 60_000;
const NOTE_EVERY_MS = 60_000;
/** Reasons quoted in one dead letter. */
const REASONS_SHOWN = 3;

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** A value as a reason shows it. */
function show(value: unknown): string {
  if (typeof value === "number") return String(value);
  const json = JSON.stringify(value) ?? String(value);
  return json.length > 40 ? `${json.slice(0, 37)}…` : json;
}

/** Several reasons as one dead-letter reason. */
export function summarise(reasons: string[]): string {
  const shown = reasons.slice(0, REASONS_SHOWN).join("; ");
  return reasons.length > REASONS_SHOWN ? `${shown} (and ${reasons.length - REASONS_SHOWN} more)` : shown;
}

/** What a payload holds before J1939 decoding. */
interface Envelope {
  frames: J1939Frame[];
  /** Time for frames without their own timestamp. */
  ts: number;
  problems: string[];
  position?: PositionRecord;
}

/** The GPS fix of a JSON envelope, or the reason it cannot be used. */
function position(gps: unknown, ts: number): PositionRecord | string {
  if (!gps || typeof gps !== "object" || Array.isArray(gps)) return `"gps" is ${show(gps)}, not an object with lat and lon`;
  const g = gps as Record<string, unknown>;
  const number = (key: string, min: number, max: number, required: boolean): number | undefined | string => {
    const value = g[key];
    if (value === undefined || value === null) return required ? `"gps" has no "${key}"` : undefined;
    if (typeof value !== "number" || !Number.isFinite(value)) return `"gps.${key}" is ${show(value)}, not a number`;
    if (value < min || value > max) return `"gps.${key}" is ${value}, outside ${min}…${max}`;
    return value;
  };
  const lat = number("lat", -90, 90, true);
  const lon = number("lon", -180, 180, true);
  const speed = number("speed_kmh", 0, 400, false);
  const heading = number("heading", 0, 360, false);
  for (const value of [lat, lon, speed, heading]) if (typeof value === "string") return value;
  const record: PositionRecord = { type: "position", ts, lat: lat as number, lon: lon as number };
  if (speed !== undefined) record.speed_kmh = speed as number;
  if (heading !== undefined) record.heading_deg = heading as number;
  return record;
}

/** `{"ts", "frames": [...], "gps": {...}}`. */
function readJson(text: string, receivedAt: number): Envelope {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new DecodeError("the payload starts with { but is not valid JSON; send frame lines or {\"ts\": …, \"frames\": [\"18FECA00#…\"], \"gps\": {…}}");
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) throw new DecodeError(`the JSON payload is ${show(value)}, not an object with "frames"`);
  const m = value as Record<string, unknown>;
  let ts = receivedAt;
  if (m.ts !== undefined && m.ts !== null) {
    if (typeof m.ts !== "number" || !Number.isInteger(m.ts)) throw new DecodeError(`"ts" is ${show(m.ts)}, not epoch milliseconds`);
    if (m.ts < MIN_TS || m.ts > MAX_TS) {
      if (m.ts * 1000 >= MIN_TS && m.ts * 1000 <= MAX_TS) throw new DecodeError(`"ts" is ${m.ts}, which looks like seconds; send epoch milliseconds`);
      throw new DecodeError(`"ts" is ${m.ts}, not epoch milliseconds between 2000 and 2100; check the gateway's clock`);
    }
    ts = m.ts;
  }
  const envelope: Envelope = { frames: [], ts, problems: [] };
  if (m.frames !== undefined && m.frames !== null) {
    if (!Array.isArray(m.frames)) throw new DecodeError(`"frames" is ${show(m.frames)}, not a list of frame texts`);
    if (m.frames.length > MAX_JSON_FRAMES) throw new DecodeError(`"frames" has ${m.frames.length} entries; one message carries at most ${MAX_JSON_FRAMES}`);
    m.frames.forEach((frame, i) => {
      if (typeof frame !== "string") return void envelope.problems.push(`frames[${i}] is ${show(frame)}, not frame text like "18FECA00#40FF5B000301FFFF"`);
      try {
        envelope.frames.push(parseFrame(frame, `frames[${i}]`));
      } catch (error) {
        if (!(error instanceof DecodeError)) throw error;
        envelope.problems.push(error.message);
      }
    });
  }
  if (m.gps !== undefined && m.gps !== null) {
    const fix = position(m.gps, ts);
    if (typeof fix === "string") envelope.problems.push(fix);
    else envelope.position = fix;
  }
  if (m.frames == null && m.gps == null) throw new DecodeError(`the JSON payload has neither "frames" nor "gps"`);
  return envelope;
}

/** The payload as frames, a position and problems; throws for a payload that is nothing usable as a whole. */
export function readPayload(payload: Uint8Array, receivedAt: number): Envelope {
  let text: string;
  try {
    text = utf8.decode(payload);
  } catch {
    throw new DecodeError("the payload is not UTF-8 text; send frame lines like 18FECA00#40FF5B000301FFFF or a JSON envelope");
  }
  const start = text.trimStart();
  if (!start) throw new DecodeError("the payload is empty");
  if (start.startsWith("{")) return readJson(text, receivedAt);
  const parsed = parseFrames(text);
  return { frames: parsed.frames, ts: receivedAt, problems: parsed.errors.map((error) => error.message) };
}

/** One device's decoder and when it was last used. */
interface DeviceState {
  decoder: J1939Decoder;
  lastAt: number;
  /** Rejected frames since the last log note. */
  unnoted: number;
  lastNoteAt: number;
}

/** What create builds: a decoder per device behind one decode function. */
export function createJ1939Decoder(options: { conversionMethods: ReadonlyMap<number, ConversionMethod>; ignoreUnknownPgns: boolean; idleMs: number; log?: Logger }) {
  const devices = new Map<string, DeviceState>();
  let lastSweep = -Infinity;

  const deviceState = (device: string, now: number): DeviceState => {
    if (now - lastSweep > SWEEP_EVERY_MS || now < lastSweep) {
      lastSweep = now;
      for (const [id, state] of devices) if (now - state.lastAt > options.idleMs) devices.delete(id);
    }
    let state = devices.get(device);
    if (!state) {
      state = { decoder: new J1939Decoder({ conversionMethods: options.conversionMethods, ignoreUnknownPgns: options.ignoreUnknownPgns }), lastAt: now, unnoted: 0, lastNoteAt: -Infinity };
      devices.set(device, state);
    }
    state.lastAt = now;
    return state;
  };

  return {
    /** Devices with a live decoder. */
    get devices(): number {
      return devices.size;
    },
    decode(device: string, payload: Uint8Array, receivedAt: number): DecodeResult {
      const envelope = readPayload(payload, receivedAt);
      const state = deviceState(device, receivedAt);
      const output = state.decoder.decode(envelope.frames, envelope.ts);
      const records: TelemetryRecord[] = envelope.position ? [envelope.position, ...output.records] : output.records;
      const reasons = [...envelope.problems, ...output.rejections.map((rejection) => rejection.reason)];
      if (reasons.length && !records.length) throw new DecodeError(summarise(reasons));
      if (reasons.length) {
        // The message is stored for its good records; what was dropped beside them goes to the log, summarised per device.
        state.unnoted += reasons.length;
        if (receivedAt - state.lastNoteAt >= NOTE_EVERY_MS || receivedAt < state.lastNoteAt) {
          options.log?.warn("J1939 frames rejected beside good ones", { device, rejected: state.unnoted, latest: summarise(reasons) });
          state.unnoted = 0;
          state.lastNoteAt = receivedAt;
        }
      }
      return { records };
    },
  };
}

const ADDRESS = "^(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$";

export default definePlugin({
  kind: "telemetry",
  mode: "decode",
  transport: "mqtt",
  name: "telemetry-j1939",
  version: "1.0.0",
  description: "Engine readings, DM1 fault codes and GPS from J1939 CAN frames sent by CAN-to-MQTT gateways.",
  configSchema: Type.Object(
    {
      topic: Type.String({
        default: "fleet/{device}/can",
        minLength: 1,
        description: "The MQTT topic filter the gateways publish CAN frames to; the level written {device} holds the device id.",
      }),
      dtc_conversion_method: Type.Record(Type.String({ pattern: ADDRESS }), Type.Integer({ minimum: 1, maximum: 4 }), {
        default: {},
        additionalProperties: false,
        description:
          "The DTC conversion method (1 to 4) of ECUs that use an old one, by source address (for example 0: 2); codes of other ECUs, and codes whose conversion method bit is 0, are read with method 4.",
      }),
      spn_names_file: Type.Optional(
        Type.String({
          minLength: 1,
          description: "A CSV file with the columns spn and name whose names replace or add to the bundled SPN names; it is read when the source starts.",
        }),
      ),
      ignore_unknown_pgns: Type.Boolean({
        default: true,
        description: "Whether frames of parameter groups this plugin does not read are skipped quietly; when false, a message with nothing but such frames becomes a dead letter.",
      }),
      device_idle_minutes: Type.Integer({
        default: 10,
        minimum: 1,
        maximum: 1440,
        description: "Minutes without a message after which a device's unfinished multi-packet messages are forgotten.",
      }),
    },
    { additionalProperties: false },
  ),
  create({ options, log }) {
    // Read now so a missing or broken file fails the source at start with the file named, not later.
    let spnNames: Map<number, string> | undefined;
    if (options.spn_names_file) {
      let text: string;
      try {
        text = readFileSync(options.spn_names_file, "utf8");
      } catch (error) {
        throw new Error(`spn_names_file ${options.spn_names_file} cannot be read: ${(error as Error).message}`);
      }
      try {
        spnNames = loadSpnNames(text);
      } catch (error) {
        throw new Error(`spn_names_file ${options.spn_names_file}: ${(error as Error).message}`);
      }
    }
    const conversionMethods = new Map<number, ConversionMethod>(Object.entries(options.dtc_conversion_method ?? {}).map(([address, method]) => [Number(address), method as ConversionMethod]));
    const decoder = createJ1939Decoder({ conversionMethods, ignoreUnknownPgns: options.ignore_unknown_pgns, idleMs: options.device_idle_minutes * 60_000, log });
    return {
      decode: (message) => decoder.decode(message.deviceId ?? "", message.payload, message.receivedAt),
      /** The operator's SPN names (the bundled ones apply without a file), for fault descriptions. */
      spnNames,
    };
  },
});
