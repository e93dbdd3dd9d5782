/**
 * J1939 encoding, the inverse of the decoders: CAN ids, frame text, the PGNs Haulbox reads, DM1,
 * and BAM transport frames for payloads longer than 8 bytes. The demo simulator publishes what
 * these produce, and the tests round-trip every decoder through them.
 *
 * Values are SI like the canonical readings; `null` sends "not available" (0xFF…). A value the
 * field cannot carry (negative, NaN, beyond the valid range) throws a RangeError: a simulator bug
 * should be loud, not silently clamped.
 */
import type { Dtc, LampState } from "../../ingest/records";
import { MAX_VALID_RAW, PGN, PGN_SPECS } from "./pgns";

/** A PGN and its data bytes. */
export interface PgnMessage {
  pgn: number;
  data: Uint8Array;
  /** Priority for this message; frameLines' default otherwise. */
  priority?: number;
  /** Destination address for a PDU1 PGN (255, global, by default). */
  destination?: number;
}

/** One CAN frame: 29-bit id and data. */
export interface CanFrame {
  id: number;
  data: Uint8Array;
}

function checkInt(value: number, min: number, max: number, what: string): void {
  if (!Number.isInteger(value) || value < min || value > max) throw new RangeError(`${what} must be an integer ${min}…${max} (got ${value})`);
}

/**
 * The 29-bit CAN id: priority (3 bits), then the PGN's data page and PDU format, then the PDU
 * specific byte, then the source address. For PDU1 PGNs (PF < 240) the PDU specific byte is the
 * destination address (255 = global), and the PGN itself must have 0 there.
 */
export function canId({ priority, pgn, sourceAddress, destination }: { priority: number; pgn: number; sourceAddress: number; destination?: number }): number {
  checkInt(priority, 0, 7, "priority");
  checkInt(pgn, 0, 0x3ffff, "PGN");
  checkInt(sourceAddress, 0, 255, "source address");
  const pf = (pgn >> 8) & 0xff;
  let ps = pgn & 0xff;
  if (pf < 240) {
    if (ps !== 0) throw new RangeError(`PGN ${pgn} is PDU1 (PF ${pf} < 240), so its low byte must be 0 (it carries the destination)`);
    ps = destination ?? 255;
    checkInt(ps, 0, 255, "destination address");
  } else if (destination !== undefined && destination !== 255) {
    throw new RangeError(`PGN ${pgn} is PDU2 (broadcast only), so it cannot have destination ${destination}`);
  }
  // Multiplication instead of << 26 keeps the result a positive number for every priority.
  return priority * 0x4000000 + (pgn & 0x3ff00) * 256 + ps * 256 + sourceAddress;
}

const hex2 = (byte: number) => byte.toString(16).toUpperCase().padStart(2, "0");

/** Bare frame text as candump writes it in a log line, without the timestamp and interface: `18FECA00#40FF5B000301FFFF`. */
export function frameText(id: number, data: Uint8Array): string {
  checkInt(id, 0, 0x1fffffff, "CAN id");
  if (data.length > 8) throw new RangeError(`a CAN frame carries at most 8 bytes (got ${data.length})`);
  return id.toString(16).toUpperCase().padStart(8, "0") + "#" + Array.from(data, hex2).join("");
}

/** A PGN's 8 data bytes from values by SPN (missing or null = not available). */
function encodePgn(pgn: number, values: Record<number, number | null | undefined>): PgnMessage {
  const spec = PGN_SPECS.get(pgn)!;
  const data = new Uint8Array(8).fill(0xff);
  for (const field of spec.fields) {
    const value = values[field.spn];
    if (value === null || value === undefined) continue;
    const { mul, div, offset } = field.scale;
    const raw = Math.round(((value - offset) * div) / mul);
    if (!Number.isFinite(raw) || raw < 0 || raw > MAX_VALID_RAW[field.bytes]) throw new RangeError(`SPN ${field.spn} ${field.label}: ${value} does not fit ${spec.acronym}`);
    let rest = raw;
    for (let i = 0; i < field.bytes; i++) {
      data[field.byte - 1 + i] = rest % 256;
      rest = Math.floor(rest / 256);
    }
  }
  return { pgn, data };
}

/** EEC1: engine speed (rpm). */
export const encodeEec1 = (rpm: number | null): PgnMessage => encodePgn(PGN.EEC1, { 190: rpm });
/** CCVS1: wheel-based vehicle speed (km/h). */
export const encodeCcvs1 = (speedKmh: number | null): PgnMessage => encodePgn(PGN.CCVS1, { 84: speedKmh });
/** ET1: engine coolant temperature (°C). */
export const encodeEt1 = (coolantC: number | null): PgnMessage => encodePgn(PGN.ET1, { 110: coolantC });
/** DD1: fuel level 1 (%). */
export const encodeDd1 = (fuelLevelPct: number | null): PgnMessage => encodePgn(PGN.DD1, { 96: fuelLevelPct });
/** LFE1: fuel rate (L/h) and instantaneous fuel economy (km/L). */
export const encodeLfe1 = (rateLph: number | null, economyKmpl: number | null): PgnMessage => encodePgn(PGN.LFE1, { 183: rateLph, 184: economyKmpl });
/** LFC1: engine total fuel used (L). */
export const encodeLfc1 = (totalFuelL: number | null): PgnMessage => encodePgn(PGN.LFC1, { 250: totalFuelL });
/** VD: total vehicle distance (km, 0.125 km resolution). */
export const encodeVd = (odometerKm: number | null): PgnMessage => encodePgn(PGN.VD, { 245: odometerKm });
/** VDHR: high resolution total vehicle distance (km, 5 m resolution). */
export const encodeVdhr = (odometerKm: number | null): PgnMessage => encodePgn(PGN.VDHR, { 917: odometerKm });
/** HOURS: engine total hours of operation (h). */
export const encodeHours = (engineHours: number | null): PgnMessage => encodePgn(PGN.HOURS, { 247: engineHours });
/** VEP1: battery potential / power input 1 (V). */
export const encodeVep1 = (batteryV: number | null): PgnMessage => encodePgn(PGN.VEP1, { 168: batteryV });

/** DM1 lamps; a missing lamp is off. */
export type Dm1Lamps = Partial<Record<"mil" | "red_stop" | "amber_warning" | "protect", LampState>>;

/** A DTC to encode; oc defaults to 0 (sent as 0, J1939-73 allows 127 for "not available"), cm to 0. */
export type DtcInput = Pick<Dtc, "spn" | "fmi"> & Partial<Pick<Dtc, "oc" | "cm">>;

/** Bit position of each lamp's 2-bit field in DM1 bytes 1 (status) and 2 (flash). */
const LAMP_SHIFT = { mil: 6, red_stop: 4, amber_warning: 2, protect: 0 } as const;

/**
 * The SPN's 19 bits as the 3 DTC bytes before the FMI/OC byte, by conversion method (dm1.ts has
 * the layouts and where they come from). The FMI shares byte 3 with the SPN's top bits.
 */
function packSpn(spn: number, method: 1 | 2 | 3 | 4): [number, number, number] {
  if (method === 1) return [(spn >> 11) & 0xff, (spn >> 3) & 0xff, (spn & 0x07) << 5];
  if (method === 2) return [(spn >> 8) & 0xff, spn & 0xff, ((spn >> 16) & 0x07) << 5];
  return [spn & 0xff, (spn >> 8) & 0xff, ((spn >> 16) & 0x07) << 5];
}

/**
 * DM1 (PGN 65226): lamp status and flash bytes, then one 4-byte DTC per code; no codes is one DTC
 * of zeros. A single DTC is padded to 8 bytes with 0xFF; more make a 2 + 4n byte payload that
 * goes out by BAM. `method` picks the SPN layout (4, the current one, by default); methods 1–3
 * set the CM bit unless a DTC says otherwise.
 */
export function encodeDm1(lamps: Dm1Lamps, dtcs: DtcInput[], options: { method?: 1 | 2 | 3 | 4 } = {}): PgnMessage {
  const method = options.method ?? 4;
  let status = 0;
  let flash = 0;
  for (const [lamp, shift] of Object.entries(LAMP_SHIFT) as [keyof typeof LAMP_SHIFT, number][]) {
    const state = lamps[lamp] ?? "off";
    // Lamp 00 off / 01 on; flash 00 slow (1 Hz), 01 fast (2 Hz), 11 do not flash.
    status |= (state === "off" ? 0 : 1) << shift;
    flash |= (state === "slow_flash" ? 0 : state === "fast_flash" ? 1 : 3) << shift;
  }
  const codes = dtcs.length ? dtcs : null;
  const data = new Uint8Array(Math.max(8, 2 + 4 * (codes?.length ?? 1))).fill(0xff);
  data[0] = status;
  data[1] = flash;
  if (!codes) data.set([0, 0, 0, 0], 2);
  codes?.forEach((dtc, i) => {
    checkInt(dtc.spn, 0, 0x7ffff, "SPN");
    checkInt(dtc.fmi, 0, 31, "FMI");
    const oc = dtc.oc ?? 0;
    checkInt(oc, 0, 127, "occurrence count");
    const cm = dtc.cm ?? (method === 4 ? 0 : 1);
    checkInt(cm, 0, 1, "conversion method bit");
    const [a, b, c] = packSpn(dtc.spn, method);
    data.set([a, b, c | dtc.fmi, (cm << 7) | oc], 2 + 4 * i);
  });
  return { pgn: PGN.DM1, data };
}

/** Largest payload the transport protocol carries: 255 packets of 7 bytes. */
export const MAX_TP_SIZE = 1785;

/**
 * A BAM (J1939-21 broadcast announce message): one TP.CM frame (control byte 32, size, packet
 * count, 0xFF, PGN) then TP.DT frames numbered from 1, 7 bytes each, the last padded with 0xFF.
 * Both go to the global address at priority 7.
 */
export function bamFrames(sourceAddress: number, pgn: number, data: Uint8Array): CanFrame[] {
  if (data.length < 9 || data.length > MAX_TP_SIZE) throw new RangeError(`BAM carries 9…${MAX_TP_SIZE} bytes (got ${data.length})`);
  checkInt(pgn, 0, 0x3ffff, "PGN");
  const packets = Math.ceil(data.length / 7);
  const cm = Uint8Array.of(32, data.length & 0xff, data.length >> 8, packets, 0xff, pgn & 0xff, (pgn >> 8) & 0xff, pgn >> 16);
  const frames: CanFrame[] = [{ id: canId({ priority: 7, pgn: PGN.TP_CM, sourceAddress, destination: 255 }), data: cm }];
  const dtId = canId({ priority: 7, pgn: PGN.TP_DT, sourceAddress, destination: 255 });
  for (let seq = 1; seq <= packets; seq++) {
    const packet = new Uint8Array(8).fill(0xff);
    packet[0] = seq;
    packet.set(data.subarray((seq - 1) * 7, seq * 7), 1);
    frames.push({ id: dtId, data: packet });
  }
  return frames;
}

/** Frame texts for messages from one source address; a message over 8 bytes goes out by BAM. */
export function frameLines(sourceAddress: number, messages: PgnMessage[], priority = 6): string[] {
  const lines: string[] = [];
  for (const message of messages) {
    if (message.data.length <= 8) lines.push(frameText(canId({ priority: message.priority ?? priority, pgn: message.pgn, sourceAddress, destination: message.destination }), message.data));
    else for (const frame of bamFrames(sourceAddress, message.pgn, message.data)) lines.push(frameText(frame.id, frame.data));
  }
  return lines;
}
