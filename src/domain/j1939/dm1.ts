/**
 * DM1, active diagnostic trouble codes (SAE J1939-73 §5.7.1, PGN 65226): the lamp bytes and the
 * list of DTCs (SPN, FMI, occurrence count, conversion method bit).
 *
 * Layout:
 *   byte 1  lamp status, 2 bits each: MIL bits 8-7, red stop 6-5, amber warning 4-3, protect 2-1;
 *           00 off, 01 on, 10 reserved, 11 not available
 *   byte 2  lamp flash, same positions (SPNs 3038-3041): 00 slow flash (1 Hz), 01 fast flash
 *           (2 Hz or faster), 10 reserved, 11 not available / do not flash
 *   3…      4 bytes per DTC (below); a single-frame DM1 pads bytes 7-8 with 0xFF; more than one DTC
 *           makes a 2 + 4n byte message sent by the transport protocol (BAM)
 *
 * DTC, conversion method 4 (CM bit 0, the method of every J1939-73 since 1996's revisions):
 *   DTC byte 1  SPN bits 8-1
 *   DTC byte 2  SPN bits 16-9
 *   DTC byte 3  bits 8-6 SPN bits 19-17, bits 5-1 FMI
 *   DTC byte 4  bit 8 CM, bits 7-1 occurrence count (127 = not available)
 *
 * With CM = 1 the SPN is in one of the older layouts (methods 1-3), which J1939-73 says a tool must
 * know per ECU in advance: the bit says "not method 4", not which one. What this file implements,
 * as this code reads the J1939-73 appendix describing the superseded versions:
 *   method 1: the 19 SPN bits most significant first — DTC byte 1 SPN bits 19-12, byte 2 bits
 *             11-4, byte 3 bits 8-6 SPN bits 3-1;
 *   method 2: the 16 low SPN bits most significant first (byte 1 bits 16-9, byte 2 bits 8-1),
 *             bits 19-17 where method 4 has them;
 *   method 3: the method 4 layout, sent with CM = 1.
 * The FMI and occurrence count sit in the same place in every method.
 */
import type { Dtc, LampState } from "../../ingest/records";
import { DecodeError } from "../../ingest/records";

/** SPN conversion method (J1939-73), 4 being the current one. */
export type ConversionMethod = 1 | 2 | 3 | 4;

/** The four DM1 lamps. */
export interface Dm1Lamps {
  mil: LampState;
  red_stop: LampState;
  amber_warning: LampState;
  protect: LampState;
}

/** A decoded DM1. */
export interface Dm1 {
  lamps: Dm1Lamps;
  /** Active codes; empty when the ECU reports none. */
  faults: Dtc[];
}

/** Shift of each lamp's 2-bit field in bytes 1 and 2. */
const LAMP_SHIFT: Record<keyof Dm1Lamps, number> = { mil: 6, red_stop: 4, amber_warning: 2, protect: 0 };

/**
 * One lamp from its status and flash bits. Only status 01 lights the lamp; reserved (10) and not
 * available (11) show as off, since nothing says the lamp is lit. A lit lamp flashes slow (00) or
 * fast (01); reserved (10) and "do not flash" (11) leave it steadily on.
 */
export function lampState(status: number, flash: number): LampState {
  if (status !== 1) return "off";
  if (flash === 0) return "slow_flash";
  if (flash === 1) return "fast_flash";
  return "on";
}

/** The 19-bit SPN from the first three DTC bytes, by conversion method. */
export function dtcSpn(b1: number, b2: number, b3: number, method: ConversionMethod): number {
  const high = (b3 & 0xe0) << 11; // byte 3 bits 8-6 → SPN bits 19-17 (methods 2, 3, 4)
  if (method === 1) return (b1 << 11) | (b2 << 3) | (b3 >> 5);
  if (method === 2) return high | (b1 << 8) | b2;
  return high | (b2 << 8) | b1;
}

/**
 * Decodes a DM1 payload (8 bytes single-frame, or reassembled). `method` is the operator's
 * setting for this source: without one, every DTC uses method 4 (the CM bit is kept on the record,
 * so a CM = 1 code decoded this way stays recognisable); with one, it applies to the codes whose
 * CM bit is 1, or to every code when it is 4 (for ECUs that set the bit for other reasons).
 * Skipped: a DTC of all zeros (J1939-73's "no active DTCs"), 0xFF padding, a partial last DTC.
 */
export function decodeDm1(data: Uint8Array, method?: ConversionMethod): Dm1 {
  if (data.length < 6) throw new DecodeError(`DM1 (PGN 65226) has ${data.length} data byte${data.length === 1 ? "" : "s"}; it needs at least 6 (2 lamp bytes and one 4-byte DTC)`);
  const lamps = {} as Dm1Lamps;
  for (const [lamp, shift] of Object.entries(LAMP_SHIFT) as [keyof Dm1Lamps, number][]) lamps[lamp] = lampState((data[0]! >> shift) & 3, (data[1]! >> shift) & 3);
  const faults: Dtc[] = [];
  for (let at = 2; at + 4 <= data.length; at += 4) {
    const b1 = data[at]!;
    const b2 = data[at + 1]!;
    const b3 = data[at + 2]!;
    const b4 = data[at + 3]!;
    if (b1 === 0xff && b2 === 0xff && b3 === 0xff && b4 === 0xff) continue;
    const cm = b4 >> 7;
    const use: ConversionMethod = method === undefined || method === 4 || cm === 0 ? 4 : method;
    const spn = dtcSpn(b1, b2, b3, use);
    const fmi = b3 & 0x1f;
    if (spn === 0 && fmi === 0) continue;
    // SPN 524287 with FMI 31 is the "not available" pattern, padding under any OC byte.
    if (spn === 0x7ffff && fmi === 31) continue;
    const oc = b4 & 0x7f;
    faults.push({ spn, fmi, oc: oc === 127 ? 0 : oc, cm });
  }
  return { lamps, faults };
}
