/**
 * Frame text → J1939 frame: the CAN id split into priority, PGN, destination and source address
 * (J1939-21 §5.2), the data bytes, and the timestamp when the line has one.
 *
 * Accepted lines, as CAN-to-MQTT gateways forward SocketCAN output:
 *   (1700000000.123456) can0 18FECA00#40FF5B000301FFFF    candump -l log line
 *   18FECA00#40FF5B000301FFFF                             bare frame (cansend syntax)
 *   (1700000000.123456)  can0  18FECA00   [8]  40 FF …    candump screen output (-ta optional)
 * J1939 runs on 29-bit ids only, classic CAN (at most 8 data bytes).
 */
import { DecodeError } from "../../ingest/records";

/** One J1939 frame. */
export interface J1939Frame {
  /** The 29-bit CAN id. */
  id: number;
  priority: number;
  /** Parameter group number (18 bits; for PDU1 the low byte is 0). */
  pgn: number;
  /** Destination address: the PDU specific byte for PDU1 PGNs, 255 (global) for PDU2. */
  destination: number;
  sourceAddress: number;
  data: Uint8Array;
  /** Epoch ms from a candump timestamp, when the line had one (not checked for plausibility here). */
  timestampMs?: number;
  /** CAN interface name (can0), when the line had one. */
  iface?: string;
}

/** Splits a 29-bit id. PDU format (PF) below 240 is PDU1: the PDU specific byte is a destination, not part of the PGN. */
export function splitId(id: number): Pick<J1939Frame, "id" | "priority" | "pgn" | "destination" | "sourceAddress"> {
  const priority = Math.floor(id / 0x4000000) & 0x07;
  const pgnField = Math.floor(id / 256) & 0x3ffff;
  const pf = (pgnField >> 8) & 0xff;
  const ps = pgnField & 0xff;
  const pdu1 = pf < 240;
  return { id, priority, pgn: pdu1 ? pgnField & 0x3ff00 : pgnField, destination: pdu1 ? ps : 255, sourceAddress: id & 0xff };
}

const TIMESTAMP = /^\((\d+)(?:\.(\d*))?\)\s*/;
const HEX = /^[0-9A-Fa-f]*$/;
const SCREEN = /^(?:(\S+)\s+)?([0-9A-Fa-f]+)\s+\[(\d+)\]\s*(.*)$/;

/** The line as a reason quotes it: short enough to read in a dead-letter list. */
function quote(text: string): string {
  return JSON.stringify(text.length > 48 ? `${text.slice(0, 45)}…` : text);
}

/**
 * Parses one frame line; `where` ("line 2", "frames[0]") prefixes every error reason. Throws a
 * DecodeError that says what is wrong with the line.
 */
export function parseFrame(line: string, where?: string): J1939Frame {
  const text = line.trim();
  // The reason quotes the frame itself once it is found, not the timestamp and interface before it.
  let shown = text;
  const fail = (why: string): never => {
    throw new DecodeError(`${where ? `${where}: ` : ""}${quote(shown)} ${why}`);
  };
  if (!text) fail("is empty; a frame looks like 18FECA00#40FF5B000301FFFF");
  let rest = text;
  let timestampMs: number | undefined;
  if (rest.startsWith("(")) {
    const match = TIMESTAMP.exec(rest);
    if (!match) fail("starts with a timestamp that is not (seconds.fraction)");
    // Whole milliseconds from the text, so 1700000000.123456 does not pick up float noise.
    const fraction = (match![2] ?? "").padEnd(4, "0");
    timestampMs = Number(match![1]) * 1000 + Math.round(Number(fraction.slice(0, 4)) / 10);
    rest = rest.slice(match![0].length);
  }
  let iface: string | undefined;
  let idText: string;
  let dataText: string;
  if (rest.includes("#")) {
    // Most gateways send bare frames: no whitespace, no regex split.
    const tokens = /\s/.test(rest) ? rest.split(/\s+/) : [rest];
    if (tokens.length > 2) fail("has more than an interface and a frame after the timestamp");
    if (tokens.length === 2) iface = tokens[0];
    const frame = tokens[tokens.length - 1]!;
    shown = frame;
    const hash = frame.indexOf("#");
    idText = frame.slice(0, hash);
    dataText = frame.slice(hash + 1);
    if (dataText.startsWith("#")) fail("is a CAN FD frame (##); J1939 uses classic CAN frames of up to 8 bytes");
    if (/^R/i.test(dataText)) fail("is a remote request frame, which carries no data");
  } else {
    const match = SCREEN.exec(rest);
    if (!match) fail("is not a CAN frame; expected 18FECA00#40FF5B000301FFFF or a candump line");
    iface = match![1];
    idText = match![2]!;
    shown = rest;
    const bytes = match![4]!.trim();
    if (/remote request/i.test(bytes)) fail("is a remote request frame, which carries no data");
    dataText = bytes.replace(/\s+/g, "");
    const length = Number(match![3]);
    if (dataText.length !== length * 2 && HEX.test(dataText)) fail(`says [${length}] but has ${Math.floor(dataText.length / 2)} data byte${dataText.length === 2 ? "" : "s"}`);
  }
  if (!idText || !HEX.test(idText)) fail(`has a CAN id ${quote(idText)} that is not hexadecimal`);
  if (idText.length === 3) fail("has an 11-bit CAN id; J1939 uses 29-bit ids (8 hex digits)");
  if (idText.length !== 8) fail(`has a CAN id of ${idText.length} hex digits; J1939 ids have 8`);
  const id = parseInt(idText, 16);
  if (id > 0x1fffffff) fail("has an id above 1FFFFFFF: an error frame or flag bits, not a J1939 frame");
  if (!HEX.test(dataText)) fail("has data that is not hexadecimal");
  if (dataText.length % 2) fail("has an odd number of hex digits");
  if (dataText.length > 16) fail(`has ${dataText.length / 2} data bytes; a classic CAN frame carries at most 8`);
  // Checked above to be whole hex bytes, so the native decoder reads them all.
  const data = new Uint8Array(Buffer.from(dataText, "hex"));
  const frame: J1939Frame = { ...splitId(id), data };
  if (timestampMs !== undefined) frame.timestampMs = timestampMs;
  if (iface !== undefined) frame.iface = iface;
  return frame;
}

/** Frames and per-line errors of a text with one frame per line. */
export interface ParsedFrames {
  frames: J1939Frame[];
  /** One DecodeError per unusable line, its reason starting with "line N:". */
  errors: DecodeError[];
}

/** Parses many lines (\n or \r\n; blank lines skipped). A bad line is an error beside the good frames, not the end of parsing. */
export function parseFrames(text: string): ParsedFrames {
  const result: ParsedFrames = { frames: [], errors: [] };
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]!.trim()) continue;
    try {
      result.frames.push(parseFrame(lines[i]!, `line ${i + 1}`));
    } catch (error) {
      if (!(error instanceof DecodeError)) throw error;
      result.errors.push(error);
    }
  }
  return result;
}
