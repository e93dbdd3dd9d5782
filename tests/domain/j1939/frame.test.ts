/**
 * Frame parsing: CAN id fields (PDU1/PDU2), the three line formats, timestamps to the millisecond,
 * and a precise reason for every malformed line.
 */
import { describe, expect, test } from "bun:test";
import { DecodeError } from "../../../src/ingest/records";
import { parseFrame, parseFrames, splitId } from "../../../src/domain/j1939/frame";

const reason = (line: string, where?: string): string => {
  try {
    parseFrame(line, where);
  } catch (error) {
    expect(error).toBeInstanceOf(DecodeError);
    return (error as Error).message;
  }
  throw new Error(`expected ${line} to be refused`);
};

describe("CAN id", () => {
  test.each([
    // id, priority, pgn, destination, source — PDU2 ids carry the PGN's low byte, PDU1 ids a destination.
    [0x0cf00400, 3, 61444, 255, 0x00], // EEC1 from the engine
    [0x0cf00401, 3, 61444, 255, 0x01],
    [0x18fef100, 6, 65265, 255, 0x00], // CCVS1
    [0x18feca00, 6, 65226, 255, 0x00], // DM1
    [0x18fefc17, 6, 65276, 255, 0x17], // DD1 from the instrument cluster
    [0x18eaff00, 6, 59904, 255, 0x00], // Request to global: PF 0xEA < 240, PS is the destination
    [0x18ea00f9, 6, 59904, 0x00, 0xf9], // Request from a service tool to the engine
    [0x1cecff00, 7, 60416, 255, 0x00], // TP.CM BAM
    [0x1ceb0300, 7, 60160, 0x03, 0x00], // TP.DT to the transmission
    [0x18eeff00, 6, 60928, 255, 0x00], // Address Claimed
    [0x19fef100, 6, 0x1fef1, 255, 0x00], // data page 1 is part of the PGN
  ])("%s", (id, priority, pgn, destination, sourceAddress) => {
    expect(splitId(id)).toEqual({ id, priority, pgn, destination, sourceAddress });
  });
});

describe("line formats", () => {
  test("candump -l log line: timestamp to epoch ms, interface, data", () => {
    const frame = parseFrame("(1700000000.123456) can0 18FECA00#40FF5B000301FFFF");
    expect(frame.timestampMs).toBe(1_700_000_000_123);
    expect(frame.iface).toBe("can0");
    expect(frame.pgn).toBe(65226);
    expect(Array.from(frame.data)).toEqual([0x40, 0xff, 0x5b, 0x00, 0x03, 0x01, 0xff, 0xff]);
  });

  test("timestamps round to the nearest millisecond", () => {
    expect(parseFrame("(1700000000.999600) can0 18FECA00#00").timestampMs).toBe(1_700_000_001_000);
    expect(parseFrame("(1700000000.0005) vcan0 18FECA00#00").timestampMs).toBe(1_700_000_000_001);
    expect(parseFrame("(1700000000) can0 18FECA00#00").timestampMs).toBe(1_700_000_000_000);
    expect(parseFrame("(12.5) can0 18FECA00#00").timestampMs).toBe(12_500);
  });

  test("bare frame, lowercase hex, no timestamp", () => {
    const frame = parseFrame("  18feca00#40ff5b000301ffff  ");
    expect(frame.timestampMs).toBeUndefined();
    expect(frame.iface).toBeUndefined();
    expect(frame.data.length).toBe(8);
  });

  test("0 to 8 data bytes", () => {
    expect(parseFrame("18FECA00#").data.length).toBe(0);
    expect(parseFrame("18FECA00#01").data.length).toBe(1);
  });

  test("candump screen output, with and without -ta", () => {
    const a = parseFrame(" (1714572191.010250)  can0  0CF00400   [8]  FF 7D 82 E0 2E FF FF FF");
    expect(a).toMatchObject({ pgn: 61444, sourceAddress: 0, timestampMs: 1_714_572_191_010, iface: "can0" });
    expect(Array.from(a.data)).toEqual([0xff, 0x7d, 0x82, 0xe0, 0x2e, 0xff, 0xff, 0xff]);
    expect(parseFrame("  can0  18FEF100   [3]  F3 80 58").data.length).toBe(3);
  });
});

describe("reasons", () => {
  test.each([
    ["18FECA00#4", "line 2", 'line 2: "18FECA00#4" has an odd number of hex digits'],
    ["18FECA00#0102030405060708FF", undefined, '"18FECA00#0102030405060708FF" has 9 data bytes; a classic CAN frame carries at most 8'],
    ["18FECA00#0G", undefined, '"18FECA00#0G" has data that is not hexadecimal'],
    ["123#DEADBEEF", undefined, '"123#DEADBEEF" has an 11-bit CAN id; J1939 uses 29-bit ids (8 hex digits)'],
    ["18FEF1#0080", undefined, '"18FEF1#0080" has a CAN id of 6 hex digits; J1939 ids have 8'],
    ["2000008F#0000000000000000", undefined, '"2000008F#0000000000000000" has an id above 1FFFFFFF: an error frame or flag bits, not a J1939 frame'],
    ["18FECA00##1011223344", undefined, '"18FECA00##1011223344" is a CAN FD frame (##); J1939 uses classic CAN frames of up to 8 bytes'],
    ["18FECA00#R", undefined, '"18FECA00#R" is a remote request frame, which carries no data'],
    ["XYZ#00", undefined, '"XYZ#00" has a CAN id "XYZ" that is not hexadecimal'],
    ["(17000x) can0 18FECA00#00", undefined, '"(17000x) can0 18FECA00#00" starts with a timestamp that is not (seconds.fraction)'],
    ["(1.0) can0 extra 18FECA00#00", undefined, '"(1.0) can0 extra 18FECA00#00" has more than an interface and a frame after the timestamp'],
    ["hello world", undefined, '"hello world" is not a CAN frame; expected 18FECA00#40FF5B000301FFFF or a candump line'],
    ["can0 18FEF100 [8] F3 80", undefined, '"can0 18FEF100 [8] F3 80" says [8] but has 2 data bytes'],
    ["", "frames[0]", 'frames[0]: "" is empty; a frame looks like 18FECA00#40FF5B000301FFFF'],
  ])("%s", (line, where, expected) => {
    expect(reason(line, where)).toBe(expected);
  });

  test("a long line is shortened in the reason", () => {
    expect(reason("x".repeat(500))).toContain(`"${"x".repeat(45)}…"`);
  });
});

describe("parseFrames", () => {
  test("many lines, CRLF, blank lines skipped, bad lines reported by line number beside the good frames", () => {
    const { frames, errors } = parseFrames("0CF00400#FF7D82E02EFFFFFF\r\n\r\n18FEEE00#7D5\r\n   \n18FEF100#F38058FFFFFFFFFF\n");
    expect(frames.map((f) => f.pgn)).toEqual([61444, 65265]);
    expect(errors.map((e) => e.message)).toEqual(['line 3: "18FEEE00#7D5" has an odd number of hex digits']);
  });

  test("empty text: nothing", () => {
    expect(parseFrames("")).toEqual({ frames: [], errors: [] });
  });
});
