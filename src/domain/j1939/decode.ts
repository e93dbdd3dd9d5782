/**
 * J1939Decoder: parsed frames of one device → canonical records. It holds that device's transport
 * sessions, so one instance per device; frames must come in bus order. Readings come from the PGNs
 * in pgns.ts, DM1 single-frame or reassembled from BAM/RTS-CTS; unknown PGNs are counted, not kept.
 */
import { type Dm1Record, type TelemetryRecord } from "../../ingest/records";
import { DecodeError } from "../../ingest/records";
import { decodeDm1, type ConversionMethod } from "./dm1";
import type { J1939Frame } from "./frame";
import { decodePgn, PGN } from "./pgns";
import { TransportAssembler, isTransportPgn } from "./transport";

/** Canonical timestamp bounds (records.ts). */
const MIN_TS = 946_684_800_000;
const MAX_TS = 4_102_444_800_000;

/** PGNs of network management, present on every bus and carrying nothing for the fleet. */
const NETWORK_PGNS = new Set<number>([PGN.REQUEST, PGN.ACK, PGN.ADDRESS_CLAIMED]);

/** How a decoder treats its device's bus. */
export interface J1939DecoderOptions {
  /** DTC conversion method per source address, for ECUs that use an old one (dm1.ts). */
  conversionMethods?: ReadonlyMap<number, ConversionMethod>;
  /** False: a PGN this decoder does not read is a rejection instead of being only counted. */
  ignoreUnknownPgns?: boolean;
}

/** A frame or session the decoder could not use, and why. */
export interface FrameRejection {
  reason: string;
  source_address?: number;
  pgn?: number;
}

/** What one decode call produced. */
export interface J1939DecodeOutput {
  records: TelemetryRecord[];
  rejections: FrameRejection[];
  /** Frames of PGNs this decoder does not read (network management included). */
  unknownPgns: number;
}

/** Decodes frames of one device, keeping transport sessions between calls. */
export class J1939Decoder {
  private readonly transport = new TransportAssembler();
  private readonly methods: ReadonlyMap<number, ConversionMethod>;
  private readonly ignoreUnknown: boolean;

  constructor(options: J1939DecoderOptions = {}) {
    this.methods = options.conversionMethods ?? new Map();
    this.ignoreUnknown = options.ignoreUnknownPgns ?? true;
  }

  /** Transport sessions in progress. */
  get openSessions(): number {
    return this.transport.openSessions;
  }

  /**
   * Decodes frames received together at `receivedAtMs`. A frame's record time is its own candump
   * timestamp when that is a plausible date, else `receivedAtMs` (gateways without a clock log
   * uptime). Transport timing uses the frame's timestamp when it has one, so a batch of logged
   * frames is timed as it was on the bus, not as it arrived.
   */
  decode(frames: readonly J1939Frame[], receivedAtMs: number): J1939DecodeOutput {
    const output: J1939DecodeOutput = { records: [], rejections: [], unknownPgns: 0 };
    let latest = receivedAtMs;
    for (const frame of frames) {
      const clock = frame.timestampMs ?? receivedAtMs;
      latest = clock;
      const ts = frame.timestampMs !== undefined && frame.timestampMs >= MIN_TS && frame.timestampMs <= MAX_TS ? frame.timestampMs : receivedAtMs;
      if (isTransportPgn(frame.pgn)) {
        const result = this.transport.accept(frame, clock);
        output.rejections.push(...result.rejections);
        for (const message of result.completed) this.message(message.pgn, message.source_address, message.data, ts, output);
        continue;
      }
      this.message(frame.pgn, frame.sourceAddress, frame.data, ts, output);
    }
    // Sessions the bus abandoned are reported now, not only when a late packet shows up. Only on
    // the clock of frames: a call without frames (a GPS-only envelope) may be on another clock than
    // the gateway's candump timestamps.
    if (frames.length) output.rejections.push(...this.transport.expire(latest));
    return output;
  }

  /** One complete message (single frame or reassembled). */
  private message(pgn: number, source: number, data: Uint8Array, ts: number, output: J1939DecodeOutput): void {
    if (pgn === PGN.DM1) {
      try {
        const dm1 = decodeDm1(data, this.methods.get(source));
        const record: Dm1Record = { type: "dm1", ts, source_address: source, lamps: dm1.lamps, faults: dm1.faults.slice(0, 1000) };
        output.records.push(record);
      } catch (error) {
        if (!(error instanceof DecodeError)) throw error;
        output.rejections.push({ source_address: source, pgn, reason: `${error.message} (SA ${source})` });
      }
      return;
    }
    const decoded = decodePgn(pgn, data);
    if (!decoded) {
      output.unknownPgns++;
      if (!this.ignoreUnknown && !NETWORK_PGNS.has(pgn)) output.rejections.push({ source_address: source, pgn, reason: `PGN ${pgn} (0x${pgn.toString(16).toUpperCase()}) from SA ${source} is not one this decoder reads` });
      return;
    }
    for (const reading of decoded.readings) output.records.push({ type: "reading", ts, name: reading.name, value: reading.value });
    for (const problem of decoded.problems) output.rejections.push({ source_address: source, pgn, reason: `${problem} (SA ${source})` });
  }
}
