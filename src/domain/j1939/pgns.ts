/**
 * The parameter groups Haulbox reads (SAE J1939-71) and how their SPNs become canonical readings:
 * where each SPN sits in the 8 data bytes, its resolution and offset, and the "no value" ranges.
 * The same specs drive the decoder here and the encoders in encode.ts, so the two cannot disagree.
 *
 * J1939 byte positions are 1-based ("byte 4-5" = data[3], data[4]); multi-byte values are
 * little-endian (least significant byte first). Per J1939-71 §5.1.4, the top of each range is not a
 * value: 1 byte 0xFB–0xFF, 2 bytes 0xFB00–0xFFFF, 4 bytes 0xFB000000–0xFFFFFFFF are reserved,
 * error (0xFE…) or not available (0xFF…). Those give no reading and no rejection: "not available"
 * is a normal answer from an ECU that lacks the sensor.
 */
import { READINGS, type ReadingName } from "../../ingest/records";

/** PGN numbers used across the J1939 code. */
export const PGN = {
  /** Electronic Engine Controller 1. */
  EEC1: 61444,
  /** Cruise Control/Vehicle Speed 1. */
  CCVS1: 65265,
  /** Engine Temperature 1. */
  ET1: 65262,
  /** Dash Display 1. */
  DD1: 65276,
  /** Fuel Economy (Liquid) 1. */
  LFE1: 65266,
  /** Fuel Consumption (Liquid) 1. */
  LFC1: 65257,
  /** Vehicle Distance. */
  VD: 65248,
  /** High Resolution Vehicle Distance. */
  VDHR: 65217,
  /** Engine Hours, Revolutions. */
  HOURS: 65253,
  /** Vehicle Electrical Power 1. */
  VEP1: 65271,
  /** DM1, active diagnostic trouble codes (J1939-73). */
  DM1: 65226,
  /** Transport protocol connection management, TP.CM (J1939-21). */
  TP_CM: 60416,
  /** Transport protocol data transfer, TP.DT (J1939-21). */
  TP_DT: 60160,
  /** Request (J1939-21): a question to an ECU, no data for us. */
  REQUEST: 59904,
  /** Acknowledgement (J1939-21). */
  ACK: 59392,
  /** Address Claimed (J1939-81). */
  ADDRESS_CLAIMED: 60928,
} as const;

/** value = raw × mul / div + offset (integers, so exact resolutions like 0.05 stay exact as 1/20). */
export interface Scale {
  mul: number;
  div: number;
  offset: number;
}

/** One SPN inside a PGN. */
export interface FieldSpec {
  spn: number;
  /** Short name for reasons. */
  label: string;
  reading: ReadingName;
  /** First byte, 1-based as J1939-71 numbers them. */
  byte: 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;
  /** Length in bytes (little-endian). */
  bytes: 1 | 2 | 4;
  scale: Scale;
}

/** One parameter group and the SPNs read from it. */
export interface PgnSpec {
  pgn: number;
  acronym: string;
  fields: FieldSpec[];
}

const s = (mul: number, div: number, offset = 0): Scale => ({ mul, div, offset });

/** The decoded parameter groups, by PGN. */
export const PGN_SPECS: ReadonlyMap<number, PgnSpec> = new Map(
  (
    [
      // EEC1, PGN 61444 (0xF004), 10 ms: SPN 190 engine speed, bytes 4-5, 0.125 rpm/bit, offset 0,
      // range 0–8031.875 rpm. (Byte 1 torque mode, 2 driver's demand torque, 3 actual torque, 6 SA of
      // the controlling device, 7 starter mode, 8 demand torque are not read.)
      { pgn: PGN.EEC1, acronym: "EEC1", fields: [{ spn: 190, label: "engine speed", reading: "engine_rpm", byte: 4, bytes: 2, scale: s(1, 8) }] },
      // CCVS1, PGN 65265 (0xFEF1), 100 ms: SPN 84 wheel-based vehicle speed, bytes 2-3, 1/256 km/h
      // per bit, offset 0, range 0–250.996 km/h. (Byte 1 holds the brake/axle switches.)
      { pgn: PGN.CCVS1, acronym: "CCVS1", fields: [{ spn: 84, label: "wheel-based vehicle speed", reading: "wheel_speed_kmh", byte: 2, bytes: 2, scale: s(1, 256) }] },
      // ET1, PGN 65262 (0xFEEE), 1 s: SPN 110 engine coolant temperature, byte 1, 1 °C/bit, offset
      // −40 °C, range −40–210 °C. (Byte 2 fuel temperature, bytes 3-4 oil temperature not read.)
      { pgn: PGN.ET1, acronym: "ET1", fields: [{ spn: 110, label: "engine coolant temperature", reading: "coolant_c", byte: 1, bytes: 1, scale: s(1, 1, -40) }] },
      // DD1, PGN 65276 (0xFEFC), 1 s: SPN 96 fuel level 1, byte 2, 0.4 %/bit, offset 0, range
      // 0–100 %. (Byte 1 is washer fluid level, byte 7 fuel level 2.)
      { pgn: PGN.DD1, acronym: "DD1", fields: [{ spn: 96, label: "fuel level 1", reading: "fuel_level_pct", byte: 2, bytes: 1, scale: s(2, 5) }] },
      // LFE1, PGN 65266 (0xFEF2), 100 ms: SPN 183 engine fuel rate, bytes 1-2, 0.05 L/h per bit,
      // offset 0, range 0–3212.75 L/h; SPN 184 engine instantaneous fuel economy, bytes 3-4, 1/512
      // km/L per bit, offset 0, range 0–125.5 km/L. (Bytes 5-6 average economy, 7 throttle.)
      {
        pgn: PGN.LFE1,
        acronym: "LFE1",
        fields: [
          { spn: 183, label: "engine fuel rate", reading: "fuel_rate_lph", byte: 1, bytes: 2, scale: s(1, 20) },
          { spn: 184, label: "instantaneous fuel economy", reading: "fuel_economy_kmpl", byte: 3, bytes: 2, scale: s(1, 512) },
        ],
      },
      // LFC1, PGN 65257 (0xFEE9), 1 s or on request: SPN 250 engine total fuel used, bytes 5-8,
      // 0.5 L/bit, offset 0, range 0–2 105 540 607.5 L. (Bytes 1-4 are SPN 182 trip fuel.)
      { pgn: PGN.LFC1, acronym: "LFC1", fields: [{ spn: 250, label: "engine total fuel used", reading: "fuel_used_l", byte: 5, bytes: 4, scale: s(1, 2) }] },
      // VD, PGN 65248 (0xFEE0), 1 s: SPN 245 total vehicle distance, bytes 5-8, 0.125 km/bit,
      // offset 0, range 0–526 385 151.9 km. (Bytes 1-4 are SPN 244 trip distance.)
      { pgn: PGN.VD, acronym: "VD", fields: [{ spn: 245, label: "total vehicle distance", reading: "odometer_km", byte: 5, bytes: 4, scale: s(1, 8) }] },
      // VDHR, PGN 65217 (0xFEC1), 1 s: SPN 917 high resolution total vehicle distance, bytes 1-4,
      // 5 m/bit = 1/200 km, offset 0. (Bytes 5-8 are SPN 918 high resolution trip distance.)
      { pgn: PGN.VDHR, acronym: "VDHR", fields: [{ spn: 917, label: "high resolution total vehicle distance", reading: "odometer_km", byte: 1, bytes: 4, scale: s(1, 200) }] },
      // HOURS, PGN 65253 (0xFEE5), on request: SPN 247 engine total hours of operation, bytes 1-4,
      // 0.05 h/bit, offset 0. (Bytes 5-8 are SPN 249 total revolutions.)
      { pgn: PGN.HOURS, acronym: "HOURS", fields: [{ spn: 247, label: "engine total hours", reading: "engine_hours", byte: 1, bytes: 4, scale: s(1, 20) }] },
      // VEP1, PGN 65271 (0xFEF7), 1 s: SPN 168 battery potential / power input 1, bytes 5-6, 0.05
      // V/bit, offset 0, range 0–3212.75 V. (Byte 1 net battery current, 2 alternator current,
      // bytes 3-4 SPN 167 charging system potential, bytes 7-8 SPN 158 keyswitch potential.)
      { pgn: PGN.VEP1, acronym: "VEP1", fields: [{ spn: 168, label: "battery potential", reading: "battery_v", byte: 5, bytes: 2, scale: s(1, 20) }] },
    ] satisfies PgnSpec[]
  ).map((spec) => [spec.pgn, spec]),
);

/** Largest raw value that is a value (above it: reserved, error, not available), per field length. */
export const MAX_VALID_RAW: Record<1 | 2 | 4, number> = { 1: 0xfa, 2: 0xfaff, 4: 0xfaffffff };

/** A reading decoded from one field. */
export interface DecodedReading {
  spn: number;
  name: ReadingName;
  value: number;
}

/** What one PGN's data gave: readings, and why any field could not be used. */
export interface PgnDecodeResult {
  readings: DecodedReading[];
  problems: string[];
}

/** The raw little-endian value of a field; the caller has checked the length. */
function readRaw(data: Uint8Array, field: FieldSpec): number {
  let raw = 0;
  for (let i = field.bytes - 1; i >= 0; i--) raw = raw * 256 + data[field.byte - 1 + i]!;
  return raw;
}

/** The engineering value of a raw field. */
export function scaled(raw: number, scale: Scale): number {
  return (raw * scale.mul) / scale.div + scale.offset;
}

/**
 * Decodes one PGN's data into readings, or null for a PGN not in PGN_SPECS. A field past the end of
 * a short frame, or a value the canonical reading cannot hold, is a problem; "not available" and
 * "error" values are silently absent.
 */
export function decodePgn(pgn: number, data: Uint8Array): PgnDecodeResult | null {
  const spec = PGN_SPECS.get(pgn);
  if (!spec) return null;
  const result: PgnDecodeResult = { readings: [], problems: [] };
  for (const field of spec.fields) {
    const end = field.byte - 1 + field.bytes;
    if (data.length < end) {
      const where = field.bytes === 1 ? `byte ${field.byte}` : `bytes ${field.byte}-${end}`;
      result.problems.push(`${spec.acronym} (PGN ${pgn}) has ${data.length} data byte${data.length === 1 ? "" : "s"}; SPN ${field.spn} ${field.label} needs ${where}`);
      continue;
    }
    const raw = readRaw(data, field);
    if (raw > MAX_VALID_RAW[field.bytes]) continue;
    const value = scaled(raw, field.scale);
    const range = READINGS[field.reading];
    // J1939 ranges are wider than what a truck can show (3212 V, 526 million km): such a value is a
    // broken sender, and the canonical record would refuse it anyway.
    if (value < range.min || value > range.max) {
      result.problems.push(`${spec.acronym} (PGN ${pgn}) SPN ${field.spn} ${field.label} is ${value} ${range.unit}, outside ${range.min}…${range.max} ${range.unit}`.replace(/ {2}/g, " "));
      continue;
    }
    result.readings.push({ spn: field.spn, name: field.reading, value });
  }
  return result;
}
