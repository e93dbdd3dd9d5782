/**
 * J1939Decoder: frames → canonical records with the right timestamps, DM1 single and reassembled,
 * per-source conversion methods, unknown PGNs counted (or rejected), transport state kept between
 * calls and abandoned sessions reported.
 */
import { describe, expect, test } from "bun:test";
import { recordProblem } from "../../../src/ingest/records";
import { J1939Decoder } from "../../../src/domain/j1939/decode";
import { encodeDm1, encodeEec1, encodeHours, encodeVd, frameLines } from "../../../src/domain/j1939/encode";
import { parseFrames } from "../../../src/domain/j1939/frame";

const RECEIVED = 1_714_572_200_000;
const frames = (text: string) => {
  const parsed = parseFrames(text);
  expect(parsed.errors).toEqual([]);
  return parsed.frames;
};

describe("records", () => {
  test("readings take the frame's candump time, or the receive time for bare frames", () => {
    const out = new J1939Decoder().decode(frames("(1714572191.010250) can0 0CF00400#FF7D82E02EFFFFFF\n18FEEE00#7DFFFFFFFFFFFFFF"), RECEIVED);
    expect(out).toEqual({
      records: [
        { type: "reading", ts: 1_714_572_191_010, name: "engine_rpm", value: 1500 },
        { type: "reading", ts: RECEIVED, name: "coolant_c", value: 85 },
      ],
      rejections: [],
      unknownPgns: 0,
    });
  });

  test("a candump time that is not a date (uptime of a gateway without a clock) gives way to the receive time", () => {
    expect(new J1939Decoder().decode(frames("(853.120000) can0 0CF00400#FF7D82E02EFFFFFF"), RECEIVED).records[0]!.ts).toBe(RECEIVED);
  });

  test("DM1 single frame and by BAM, both valid canonical records", () => {
    const decoder = new J1939Decoder();
    const lines = frameLines(0, [encodeDm1({ amber_warning: "on" }, [{ spn: 110, fmi: 0, oc: 1 }]), encodeDm1({ red_stop: "fast_flash" }, [{ spn: 100, fmi: 1, oc: 2 }, { spn: 111, fmi: 18, oc: 1 }])]);
    const out = decoder.decode(frames(lines.join("\n")), RECEIVED);
    expect(out.rejections).toEqual([]);
    expect(out.records).toEqual([
      { type: "dm1", ts: RECEIVED, source_address: 0, lamps: { mil: "off", red_stop: "off", amber_warning: "on", protect: "off" }, faults: [{ spn: 110, fmi: 0, oc: 1, cm: 0 }] },
      { type: "dm1", ts: RECEIVED, source_address: 0, lamps: { mil: "off", red_stop: "fast_flash", amber_warning: "off", protect: "off" }, faults: [{ spn: 100, fmi: 1, oc: 2, cm: 0 }, { spn: 111, fmi: 18, oc: 1, cm: 0 }] },
    ]);
    for (const record of out.records) expect(recordProblem(record)).toBeNull();
  });

  test("a BAM split over two messages completes in the second", () => {
    const decoder = new J1939Decoder();
    const [cm, dt1, dt2] = frameLines(3, [encodeDm1({}, [{ spn: 177, fmi: 0 }, { spn: 175, fmi: 16 }])]);
    expect(decoder.decode(frames(`${cm}\n${dt1}`), RECEIVED)).toEqual({ records: [], rejections: [], unknownPgns: 0 });
    expect(decoder.openSessions).toBe(1);
    const out = decoder.decode(frames(dt2!), RECEIVED + 100);
    expect(out.records).toHaveLength(1);
    expect(out.records[0]).toMatchObject({ type: "dm1", ts: RECEIVED + 100, source_address: 3 });
  });

  test("per-source conversion method", () => {
    const decoder = new J1939Decoder({ conversionMethods: new Map([[0x21, 1]]) });
    const text = [...frameLines(0x21, [encodeDm1({}, [{ spn: 190, fmi: 2 }], { method: 1 })]), ...frameLines(0x00, [encodeDm1({}, [{ spn: 190, fmi: 2 }], { method: 1 })])].join("\n");
    const faults = decoder.decode(frames(text), RECEIVED).records.map((record) => (record.type === "dm1" ? [record.source_address, record.faults[0]!.spn] : null));
    expect(faults).toEqual([[0x21, 190], [0x00, 0x61700]]);
  });

  test("totals", () => {
    const out = new J1939Decoder().decode(frames(frameLines(0, [encodeVd(812_345.375), encodeHours(12_345.65), encodeEec1(null)]).join("\n")), RECEIVED);
    expect(out.records.map((r) => (r.type === "reading" ? [r.name, r.value] : null))).toEqual([["odometer_km", 812_345.375], ["engine_hours", 12_345.65]]);
  });
});

describe("what is not used", () => {
  test("unknown PGNs are counted; network management too", () => {
    const out = new J1939Decoder().decode(frames("0CF00300#D10000FFFFFFFFFF\n18EEFF00#0A2B3C4D00FFFF10\n18EAFF00#E5FE00"), RECEIVED);
    expect(out).toEqual({ records: [], rejections: [], unknownPgns: 3 });
  });

  test("with ignoreUnknownPgns false an unknown PGN is a rejection, network management still is not", () => {
    const out = new J1939Decoder({ ignoreUnknownPgns: false }).decode(frames("0CF00300#D10000FFFFFFFFFF\n18EEFF00#0A2B3C4D00FFFF10"), RECEIVED);
    expect(out.rejections).toEqual([{ source_address: 0, pgn: 61443, reason: "PGN 61443 (0xF003) from SA 0 is not one this decoder reads" }]);
    expect(out.unknownPgns).toBe(2);
  });

  test("short frames and short DM1 are rejections naming the source", () => {
    const out = new J1939Decoder().decode(frames("0CF00400#FF7D82\n18FECA00#0400BE"), RECEIVED);
    expect(out.rejections.map((r) => r.reason)).toEqual([
      "EEC1 (PGN 61444) has 3 data bytes; SPN 190 engine speed needs bytes 4-5 (SA 0)",
      "DM1 (PGN 65226) has 3 data bytes; it needs at least 6 (2 lamp bytes and one 4-byte DTC) (SA 0)",
    ]);
  });

  test("a call without frames does not time sessions out (it may be on another clock)", () => {
    const decoder = new J1939Decoder();
    decoder.decode(frames(frameLines(0, [encodeDm1({}, [{ spn: 1, fmi: 1 }, { spn: 2, fmi: 2 }])])[0]!), RECEIVED);
    expect(decoder.decode([], RECEIVED + 5_000).rejections).toEqual([]);
    expect(decoder.openSessions).toBe(1);
  });

  test("a BAM abandoned by the bus is reported at the next decode past the timeout", () => {
    const decoder = new J1939Decoder();
    const [cm, dt1] = frameLines(0, [encodeDm1({}, [{ spn: 1, fmi: 1 }, { spn: 2, fmi: 2 }])]);
    decoder.decode(frames(`${cm}\n${dt1}`), RECEIVED);
    expect(decoder.decode(frames("18FEEE00#7DFFFFFFFFFFFFFF"), RECEIVED + 700).rejections).toEqual([]);
    expect(decoder.decode(frames("18FEEE00#7DFFFFFFFFFFFFFF"), RECEIVED + 751).rejections.map((r) => r.reason)).toEqual(["BAM of PGN 65226 from SA 0 timed out after packet 1 of 2: no TP.DT for 751 ms (limit 750 ms)"]);
  });
});
