/**
 * J1939-21 transport protocol reassembly, as a passive listener on the bus: messages of 9 to 1785
 * bytes arrive as a TP.CM announcement (PGN 60416) and numbered TP.DT packets (PGN 60160) of 7
 * bytes each. BAM (broadcast, control byte 32) is what DM1 with several codes uses; RTS/CTS
 * (connection mode, control 16/17) between two ECUs is followed too, since a gateway sees it.
 *
 * TP.CM BAM/RTS data: byte 1 control, bytes 2-3 total size (little-endian), byte 4 packet count,
 * byte 5 reserved (BAM) or max packets per CTS (RTS), bytes 6-8 the PGN carried.
 * TP.DT data: byte 1 sequence number 1…n, bytes 2-8 data (the last packet padded with 0xFF).
 *
 * Time comes from the caller (frame timestamps or receive time, in ms): this file never reads a
 * clock. Timeouts per J1939-21 §5.10.2.4: a receiver gives up after T1 = 750 ms without the next
 * packet; in connection mode the sender may wait T2/T3 = 1250 ms for a CTS, so those sessions get
 * 1250 ms. Every failure is returned as a rejection value for the caller's dead letters.
 */
import { PGN } from "./pgns";

/** A reassembled message. */
export interface TransportMessage {
  pgn: number;
  source_address: number;
  /** 255 for BAM. */
  destination: number;
  /** Exactly the announced size (padding trimmed). */
  data: Uint8Array;
}

/** Why a transport frame or session was refused. */
export interface TransportRejection {
  source_address: number;
  /** The PGN being transported, when known. */
  pgn?: number;
  reason: string;
}

/** What one frame (or a sweep) produced. */
export interface TransportResult {
  completed: TransportMessage[];
  rejections: TransportRejection[];
}

/** Size limits of J1939-21 transport. */
export const TP_MIN_SIZE = 9;
export const TP_MAX_SIZE = 1785;
/** T1: a receiver's wait for the next TP.DT. */
export const T1_MS = 750;
/** T2/T3: waits on the connection-mode handshake. */
export const T2_MS = 1250;
/** Open sessions kept per decoder: a bus has a handful; a flood of announcements must not grow memory. */
export const MAX_SESSIONS = 64;

const CONTROL = { RTS: 16, CTS: 17, END_OF_MSG_ACK: 19, BAM: 32, ABORT: 255 } as const;

interface Session {
  kind: "BAM" | "RTS/CTS";
  pgn: number;
  source: number;
  destination: number;
  size: number;
  packets: number;
  next: number;
  data: Uint8Array;
  lastAt: number;
  timeout: number;
}

/** True for the two transport PGNs. */
export function isTransportPgn(pgn: number): boolean {
  return pgn === PGN.TP_CM || pgn === PGN.TP_DT;
}

const sa = (address: number) => `SA ${address}`;

/** Reassembles transport sessions of one bus (one device). */
export class TransportAssembler {
  private readonly sessions = new Map<string, Session>();
  /**
   * Sessions just dropped, by key, with the time of the drop: their remaining TP.DT packets are
   * expected and ignored instead of each being reported as "TP.DT without TP.CM".
   */
  private readonly dropped = new Map<string, number>();

  /** Sessions in progress. */
  get openSessions(): number {
    return this.sessions.size;
  }

  /**
   * Takes one TP.CM or TP.DT frame (pgn, addresses and data as frame.ts splits them) at time
   * `nowMs`; returns the messages it completed and the rejections it caused.
   */
  accept(frame: { pgn: number; sourceAddress: number; destination: number; data: Uint8Array }, nowMs: number): TransportResult {
    const result: TransportResult = { completed: [], rejections: [] };
    if (frame.pgn === PGN.TP_CM) this.control(frame, nowMs, result);
    else if (frame.pgn === PGN.TP_DT) this.transfer(frame, nowMs, result);
    return result;
  }

  /** Drops sessions that waited longer than their timeout at `nowMs`. */
  expire(nowMs: number): TransportRejection[] {
    const rejections: TransportRejection[] = [];
    for (const [key, session] of this.sessions) {
      if (nowMs - session.lastAt > session.timeout) {
        rejections.push(this.timeout(key, session, nowMs));
      }
    }
    for (const [key, at] of this.dropped) if (nowMs - at > T2_MS) this.dropped.delete(key);
    return rejections;
  }

  private drop(key: string, nowMs: number): void {
    this.sessions.delete(key);
    this.dropped.set(key, nowMs);
    if (this.dropped.size > MAX_SESSIONS) this.dropped.delete(this.dropped.keys().next().value!);
  }

  private timeout(key: string, session: Session, nowMs: number): TransportRejection {
    this.drop(key, nowMs);
    const waited = nowMs - session.lastAt;
    return {
      source_address: session.source,
      pgn: session.pgn,
      reason: `${session.kind} of PGN ${session.pgn} from ${sa(session.source)} timed out after packet ${session.next - 1} of ${session.packets}: no TP.DT for ${waited} ms (limit ${session.timeout} ms)`,
    };
  }

  private control(frame: { sourceAddress: number; destination: number; data: Uint8Array }, nowMs: number, result: TransportResult): void {
    const { data, sourceAddress: source, destination } = frame;
    if (data.length < 8) {
      result.rejections.push({ source_address: source, reason: `TP.CM from ${sa(source)} has ${data.length} data bytes; it needs 8` });
      return;
    }
    const control = data[0]!;
    const pgn = data[5]! | (data[6]! << 8) | (data[7]! << 16);
    if (control === CONTROL.BAM || control === CONTROL.RTS) {
      const kind = control === CONTROL.BAM ? "BAM" : "RTS/CTS";
      const key = control === CONTROL.BAM ? `${source}>255` : `${source}>${destination}`;
      const size = data[1]! | (data[2]! << 8);
      const packets = data[3]!;
      const reject = (reason: string) => result.rejections.push({ source_address: source, pgn, reason: `${kind} of PGN ${pgn} from ${sa(source)} ${reason}` });
      const open = this.sessions.get(key);
      if (open) {
        // J1939-21: a new announcement from the same sender replaces the unfinished one.
        this.drop(key, nowMs);
        result.rejections.push({ source_address: source, pgn: open.pgn, reason: `${open.kind} of PGN ${open.pgn} from ${sa(source)} was aborted by a new ${kind} after packet ${open.next - 1} of ${open.packets}` });
      }
      if (pgn > 0x3ffff) return void reject("announces a PGN above 18 bits");
      if (size < TP_MIN_SIZE || size > TP_MAX_SIZE) return void reject(`announces ${size} bytes; the transport protocol carries ${TP_MIN_SIZE} to ${TP_MAX_SIZE}`);
      if (packets !== Math.ceil(size / 7)) return void reject(`announces ${size} bytes in ${packets} packets; ${size} bytes take ${Math.ceil(size / 7)}`);
      if (this.sessions.size >= MAX_SESSIONS) return void reject(`cannot start: ${MAX_SESSIONS} transport sessions are already open on this bus`);
      this.dropped.delete(key);
      this.sessions.set(key, { kind, pgn, source, destination: control === CONTROL.BAM ? 255 : destination, size, packets, next: 1, data: new Uint8Array(packets * 7), lastAt: nowMs, timeout: control === CONTROL.BAM ? T1_MS : T2_MS });
      return;
    }
    if (control === CONTROL.CTS) {
      // Sent by the receiver (this frame's source) to the originator (its destination).
      const session = this.sessions.get(`${destination}>${source}`);
      if (!session) return;
      session.lastAt = nowMs;
      const next = data[2]!;
      // A CTS for packets already seen asks for a retransmission: follow it.
      if (data[1]! > 0 && next >= 1 && next <= session.next) session.next = next;
      return;
    }
    if (control === CONTROL.ABORT) {
      for (const key of [`${source}>${destination}`, `${destination}>${source}`]) {
        const session = this.sessions.get(key);
        if (!session) continue;
        this.drop(key, nowMs);
        result.rejections.push({ source_address: session.source, pgn: session.pgn, reason: `${session.kind} of PGN ${session.pgn} from ${sa(session.source)} was aborted by ${sa(source)} (reason code ${data[1]})` });
      }
      return;
    }
    if (control === CONTROL.END_OF_MSG_ACK) return;
    result.rejections.push({ source_address: source, reason: `TP.CM from ${sa(source)} has control byte ${control}, which is not BAM (32), RTS (16), CTS (17), end of message (19) or abort (255)` });
  }

  private transfer(frame: { sourceAddress: number; destination: number; data: Uint8Array }, nowMs: number, result: TransportResult): void {
    const { data, sourceAddress: source, destination } = frame;
    const key = `${source}>${destination}`;
    const session = this.sessions.get(key);
    if (!session) {
      if (this.dropped.has(key)) {
        // The rest of a session already reported: one reason is enough.
        this.dropped.set(key, nowMs);
        return;
      }
      result.rejections.push({ source_address: source, reason: `TP.DT from ${sa(source)} (packet ${data[0] ?? "?"}) without a TP.CM announcing it` });
      return;
    }
    if (nowMs - session.lastAt > session.timeout) {
      result.rejections.push(this.timeout(key, session, nowMs));
      return;
    }
    const fail = (why: string) => {
      this.drop(key, nowMs);
      result.rejections.push({ source_address: source, pgn: session.pgn, reason: `${session.kind} of PGN ${session.pgn} from ${sa(source)} dropped: ${why}` });
    };
    if (!data.length) return fail("TP.DT packet has no data bytes");
    const seq = data[0]!;
    if (seq < session.next) return fail(`packet ${seq} arrived twice (expected ${session.next} of ${session.packets})`);
    if (seq > session.next) return fail(`packet ${seq} arrived out of order (expected ${session.next} of ${session.packets})`);
    // Packets are 8 bytes; a last packet cut after the message's final byte (no 0xFF padding) loses nothing, so it is accepted.
    const needed = 1 + Math.min(7, session.size - (seq - 1) * 7);
    if (data.length < needed) return fail(`packet ${seq} has ${data.length} data bytes; it needs ${needed}`);
    session.data.set(data.subarray(1, 8), (seq - 1) * 7);
    session.next++;
    session.lastAt = nowMs;
    if (seq === session.packets) {
      this.sessions.delete(key);
      result.completed.push({ pgn: session.pgn, source_address: source, destination: session.destination, data: session.data.slice(0, session.size) });
    }
  }
}
