/**
 * Transport reassembly (J1939-21): BAM and RTS/CTS complete messages, and a reason for every way a
 * session fails — T1 timeout, out of order, duplicate, TP.DT without TP.CM, a new BAM over an
 * unfinished one, size and packet-count mismatches, sizes outside 9…1785, aborts.
 */
import { describe, expect, test } from "bun:test";
import { MAX_SESSIONS, TransportAssembler } from "../../../src/domain/j1939/transport";
import { bamFrames } from "../../../src/domain/j1939/encode";
import { PGN } from "../../../src/domain/j1939/pgns";

const hex = (text: string) => Uint8Array.from(text.match(/../g) ?? [], (byte) => parseInt(byte, 16));
const cm = (sa: number, data: string, destination = 255) => ({ pgn: PGN.TP_CM, sourceAddress: sa, destination, data: hex(data) });
const dt = (sa: number, data: string, destination = 255) => ({ pgn: PGN.TP_DT, sourceAddress: sa, destination, data: hex(data) });
const DM1_BAM = "200E0002FFCAFE00";
const DT1 = "0104F37E14000121";
const DT2 = "02061F0121E0E202";
const DM1_DATA = [0x04, 0xf3, 0x7e, 0x14, 0x00, 0x01, 0x21, 0x06, 0x1f, 0x01, 0x21, 0xe0, 0xe2, 0x02];

describe("BAM", () => {
  test("announce + 2 packets → the DM1 payload trimmed to the announced size", () => {
    const tp = new TransportAssembler();
    expect(tp.accept(cm(0, DM1_BAM), 0)).toEqual({ completed: [], rejections: [] });
    expect(tp.accept(dt(0, DT1), 50)).toEqual({ completed: [], rejections: [] });
    expect(tp.openSessions).toBe(1);
    const done = tp.accept(dt(0, DT2), 100);
    expect(done.rejections).toEqual([]);
    expect(done.completed).toHaveLength(1);
    expect(done.completed[0]).toMatchObject({ pgn: 65226, source_address: 0, destination: 255 });
    expect(Array.from(done.completed[0]!.data)).toEqual(DM1_DATA);
    expect(tp.openSessions).toBe(0);
  });

  test("padding in the last packet is trimmed", () => {
    const tp = new TransportAssembler();
    tp.accept(cm(0, "200A0002FFCAFE00"), 0);
    tp.accept(dt(0, "01447F64000103FE"), 10);
    expect(Array.from(tp.accept(dt(0, "02FFFF00FFFFFFFF"), 20).completed[0]!.data)).toEqual([0x44, 0x7f, 0x64, 0x00, 0x01, 0x03, 0xfe, 0xff, 0xff, 0x00]);
  });

  test("the largest message, 1785 bytes in 255 packets, from the encoder", () => {
    const data = Uint8Array.from({ length: 1785 }, (_, i) => i & 0xff);
    const tp = new TransportAssembler();
    const results = bamFrames(0x21, 0x1fef0, data).map((frame, i) => tp.accept({ pgn: i ? PGN.TP_DT : PGN.TP_CM, sourceAddress: 0x21, destination: 255, data: frame.data }, i * 10));
    const last = results.at(-1)!;
    expect(last.completed[0]!.pgn).toBe(0x1fef0);
    expect(last.completed[0]!.data).toEqual(data);
    expect(results.flatMap((r) => r.rejections)).toEqual([]);
  });

  test("sessions of different sources interleave", () => {
    const tp = new TransportAssembler();
    tp.accept(cm(0, DM1_BAM), 0);
    tp.accept(cm(3, DM1_BAM), 1);
    tp.accept(dt(0, DT1), 2);
    tp.accept(dt(3, DT1), 3);
    expect(tp.accept(dt(3, DT2), 4).completed[0]!.source_address).toBe(3);
    expect(tp.accept(dt(0, DT2), 5).completed[0]!.source_address).toBe(0);
  });

  test("750 ms between packets is fine; 751 ms is a T1 timeout", () => {
    const tp = new TransportAssembler();
    tp.accept(cm(0, DM1_BAM), 0);
    expect(tp.accept(dt(0, DT1), 750).rejections).toEqual([]);
    const late = tp.accept(dt(0, DT2), 1501);
    expect(late.completed).toEqual([]);
    expect(late.rejections).toEqual([{ source_address: 0, pgn: 65226, reason: "BAM of PGN 65226 from SA 0 timed out after packet 1 of 2: no TP.DT for 751 ms (limit 750 ms)" }]);
  });

  test("expire reports abandoned sessions, once; their late packets are then ignored quietly", () => {
    const tp = new TransportAssembler();
    tp.accept(cm(0, DM1_BAM), 0);
    tp.accept(dt(0, DT1), 50);
    expect(tp.expire(800)).toEqual([]);
    expect(tp.expire(801).map((r) => r.reason)).toEqual(["BAM of PGN 65226 from SA 0 timed out after packet 1 of 2: no TP.DT for 751 ms (limit 750 ms)"]);
    expect(tp.expire(900)).toEqual([]);
    expect(tp.accept(dt(0, DT2), 950)).toEqual({ completed: [], rejections: [] });
    expect(tp.openSessions).toBe(0);
  });

  test("out of order", () => {
    const tp = new TransportAssembler();
    tp.accept(cm(0, DM1_BAM), 0);
    expect(tp.accept(dt(0, DT2), 10).rejections.map((r) => r.reason)).toEqual(["BAM of PGN 65226 from SA 0 dropped: packet 2 arrived out of order (expected 1 of 2)"]);
    // The rest of the dropped session is not reported again.
    expect(tp.accept(dt(0, DT1), 20).rejections).toEqual([]);
  });

  test("duplicate", () => {
    const tp = new TransportAssembler();
    tp.accept(cm(0, DM1_BAM), 0);
    tp.accept(dt(0, DT1), 10);
    expect(tp.accept(dt(0, DT1), 20).rejections.map((r) => r.reason)).toEqual(["BAM of PGN 65226 from SA 0 dropped: packet 1 arrived twice (expected 2 of 2)"]);
    expect(tp.accept(dt(0, DT2), 30)).toEqual({ completed: [], rejections: [] });
  });

  test("TP.DT without a TP.CM", () => {
    const tp = new TransportAssembler();
    expect(tp.accept(dt(0, DT1), 0).rejections).toEqual([{ source_address: 0, reason: "TP.DT from SA 0 (packet 1) without a TP.CM announcing it" }]);
  });

  test("a new BAM aborts the unfinished one, and the new one completes", () => {
    const tp = new TransportAssembler();
    tp.accept(cm(0, DM1_BAM), 0);
    tp.accept(dt(0, DT1), 10);
    expect(tp.accept(cm(0, DM1_BAM), 20).rejections.map((r) => r.reason)).toEqual(["BAM of PGN 65226 from SA 0 was aborted by a new BAM after packet 1 of 2"]);
    tp.accept(dt(0, DT1), 30);
    expect(tp.accept(dt(0, DT2), 40).completed).toHaveLength(1);
  });

  test.each([
    ["size and packet count disagree", "200E0003FFCAFE00", "BAM of PGN 65226 from SA 0 announces 14 bytes in 3 packets; 14 bytes take 2"],
    ["more than 1785 bytes", "20FA0600FFCAFE00", "BAM of PGN 65226 from SA 0 announces 1786 bytes; the transport protocol carries 9 to 1785"],
    ["8 bytes fit one frame", "20080002FFCAFE00", "BAM of PGN 65226 from SA 0 announces 8 bytes; the transport protocol carries 9 to 1785"],
    ["a PGN above 18 bits", "200E0002FFCAFE04", "BAM of PGN 327370 from SA 0 announces a PGN above 18 bits"],
  ])("%s", (_label, data, reason) => {
    const tp = new TransportAssembler();
    expect(tp.accept(cm(0, data), 0).rejections.map((r) => r.reason)).toEqual([reason]);
    expect(tp.openSessions).toBe(0);
  });

  test("short TP.CM, short TP.DT, unknown control byte", () => {
    const tp = new TransportAssembler();
    expect(tp.accept(cm(0, "200E00"), 0).rejections.map((r) => r.reason)).toEqual(["TP.CM from SA 0 has 3 data bytes; it needs 8"]);
    expect(tp.accept(cm(0, "05FFFFFFFFFFFFFF"), 0).rejections.map((r) => r.reason)).toEqual(["TP.CM from SA 0 has control byte 5, which is not BAM (32), RTS (16), CTS (17), end of message (19) or abort (255)"]);
    tp.accept(cm(0, DM1_BAM), 0);
    expect(tp.accept(dt(0, "0104F3"), 10).rejections.map((r) => r.reason)).toEqual(["BAM of PGN 65226 from SA 0 dropped: packet 1 has 3 data bytes; it needs 8"]);
    tp.accept(cm(0, DM1_BAM), 20);
    expect(tp.accept(dt(0, ""), 30).rejections.map((r) => r.reason)).toEqual(["BAM of PGN 65226 from SA 0 dropped: TP.DT packet has no data bytes"]);
  });

  test("a last packet without padding is enough when it holds the message's last bytes", () => {
    const tp = new TransportAssembler();
    tp.accept(cm(0, DM1_BAM), 0);
    tp.accept(dt(0, DT1), 10);
    expect(tp.accept(dt(0, "02061F0121E0E2"), 20).rejections.map((r) => r.reason)).toEqual(["BAM of PGN 65226 from SA 0 dropped: packet 2 has 7 data bytes; it needs 8"]);
    tp.accept(cm(0, "200A0002FFCAFE00"), 30);
    tp.accept(dt(0, "01447F64000103FE"), 40);
    expect(Array.from(tp.accept(dt(0, "02FFFF00"), 50).completed[0]!.data)).toEqual([0x44, 0x7f, 0x64, 0x00, 0x01, 0x03, 0xfe, 0xff, 0xff, 0x00]);
  });

  test(`at most ${MAX_SESSIONS} open sessions`, () => {
    const tp = new TransportAssembler();
    for (let sa = 0; sa < MAX_SESSIONS; sa++) expect(tp.accept(cm(sa, DM1_BAM), 0).rejections).toEqual([]);
    expect(tp.accept(cm(200, DM1_BAM), 0).rejections.map((r) => r.reason)).toEqual([`BAM of PGN 65226 from SA 200 cannot start: ${MAX_SESSIONS} transport sessions are already open on this bus`]);
  });
});

describe("RTS/CTS", () => {
  // The engine (0) sends 14 bytes of DM1 to a service tool (0xF9) in connection mode.
  const RTS = "100E0002FFCAFE00";
  test("RTS, CTS, data, end of message", () => {
    const tp = new TransportAssembler();
    expect(tp.accept(cm(0, RTS, 0xf9), 0).rejections).toEqual([]);
    tp.accept(cm(0xf9, "110201FFFFCAFE00", 0), 10);
    tp.accept(dt(0, DT1, 0xf9), 20);
    const done = tp.accept(dt(0, DT2, 0xf9), 30);
    expect(done.completed[0]).toMatchObject({ pgn: 65226, source_address: 0, destination: 0xf9 });
    expect(Array.from(done.completed[0]!.data)).toEqual(DM1_DATA);
    expect(tp.accept(cm(0xf9, "130E0002FFCAFE00", 0), 40)).toEqual({ completed: [], rejections: [] });
  });

  test("a CTS asking for a packet again is followed", () => {
    const tp = new TransportAssembler();
    tp.accept(cm(0, RTS, 0xf9), 0);
    tp.accept(dt(0, DT1, 0xf9), 10);
    tp.accept(cm(0xf9, "110201FFFFCAFE00", 0), 20);
    tp.accept(dt(0, DT1, 0xf9), 30);
    expect(tp.accept(dt(0, DT2, 0xf9), 40).completed).toHaveLength(1);
  });

  test("connection mode waits up to 1250 ms; the receiver's abort drops the session", () => {
    const tp = new TransportAssembler();
    tp.accept(cm(0, RTS, 0xf9), 0);
    expect(tp.expire(1250)).toEqual([]);
    expect(tp.accept(cm(0xf9, "FF03FFFFFFCAFE00", 0), 1300).rejections.map((r) => r.reason)).toEqual(["RTS/CTS of PGN 65226 from SA 0 was aborted by SA 249 (reason code 3)"]);
    expect(tp.openSessions).toBe(0);
  });

  test("a BAM and a connection from the same source are separate sessions", () => {
    const tp = new TransportAssembler();
    tp.accept(cm(0, RTS, 0xf9), 0);
    tp.accept(cm(0, DM1_BAM), 0);
    expect(tp.openSessions).toBe(2);
  });
});
