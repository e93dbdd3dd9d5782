/**
 * Encoders the simulator uses: CAN ids (PDU1 destinations, PDU2 broadcast), frame text, BAM frames
 * and frameLines — each checked against known ids and parsed back with frame.ts.
 */
import { describe, expect, test } from "bun:test";
import { bamFrames, canId, encodeDm1, encodeEec1, encodeEt1, frameLines, frameText } from "../../../src/domain/j1939/encode";
import { parseFrame, splitId } from "../../../src/domain/j1939/frame";
import { PGN } from "../../../src/domain/j1939/pgns";

describe("canId", () => {
  test.each([
    [{ priority: 3, pgn: PGN.EEC1, sourceAddress: 0 }, 0x0cf00400],
    [{ priority: 6, pgn: PGN.DM1, sourceAddress: 0 }, 0x18feca00],
    [{ priority: 6, pgn: PGN.DD1, sourceAddress: 0x17 }, 0x18fefc17],
    [{ priority: 7, pgn: PGN.TP_CM, sourceAddress: 0 }, 0x1cecff00],
    [{ priority: 7, pgn: PGN.TP_DT, sourceAddress: 0, destination: 3 }, 0x1ceb0300],
    [{ priority: 6, pgn: PGN.REQUEST, sourceAddress: 0xf9, destination: 0 }, 0x18ea00f9],
    [{ priority: 7, pgn: PGN.DM1, sourceAddress: 0xff }, 0x1cfecaff],
    [{ priority: 0, pgn: 0x1fef1, sourceAddress: 0 }, 0x01fef100],
  ] as [{ priority: number; pgn: number; sourceAddress: number; destination?: number }, number][])("%o → %s", (fields, id) => {
    expect(canId(fields)).toBe(id);
    expect(splitId(id)).toMatchObject({ priority: fields.priority, pgn: fields.pgn, sourceAddress: fields.sourceAddress, destination: fields.destination ?? 255 });
  });

  test("refuses impossible fields", () => {
    expect(() => canId({ priority: 8, pgn: PGN.DM1, sourceAddress: 0 })).toThrow(RangeError);
    expect(() => canId({ priority: 6, pgn: 0x40000, sourceAddress: 0 })).toThrow(RangeError);
    expect(() => canId({ priority: 6, pgn: PGN.DM1, sourceAddress: 256 })).toThrow(RangeError);
    expect(() => canId({ priority: 6, pgn: 0xea01, sourceAddress: 0 })).toThrow("PDU1");
    expect(() => canId({ priority: 6, pgn: PGN.DM1, sourceAddress: 0, destination: 3 })).toThrow("PDU2");
  });
});

describe("frameText", () => {
  test("uppercase, 8-digit id, no spaces", () => {
    expect(frameText(0x0cf00401, Uint8Array.of(0xff, 0xff, 0xff, 0x68, 0x13, 0xff, 0xff, 0xff))).toBe("0CF00401#FFFFFF6813FFFFFF");
    expect(frameText(0x00000001, new Uint8Array())).toBe("00000001#");
  });

  test("refuses more than 8 bytes or more than 29 bits", () => {
    expect(() => frameText(0x18feca00, new Uint8Array(9))).toThrow(RangeError);
    expect(() => frameText(0x20000000, new Uint8Array(1))).toThrow(RangeError);
  });
});

describe("bamFrames", () => {
  test("TP.CM BAM then numbered TP.DT, last padded with 0xFF", () => {
    const dm1 = encodeDm1({ amber_warning: "slow_flash" }, [{ spn: 5246, fmi: 0, oc: 1 }, { spn: 1569, fmi: 31, oc: 1 }, { spn: 516_129, fmi: 2, oc: 2 }]);
    expect(bamFrames(0, dm1.pgn, dm1.data).map((frame) => frameText(frame.id, frame.data))).toEqual(["1CECFF00#200E0002FFCAFE00", "1CEBFF00#0104F37E14000121", "1CEBFF00#02061F0121E0E202"]);
    expect(bamFrames(0, PGN.DM1, new Uint8Array(10)).map((frame) => frameText(frame.id, frame.data)).at(-1)).toBe("1CEBFF00#02000000FFFFFFFF");
  });

  test("only for 9 to 1785 bytes", () => {
    expect(() => bamFrames(0, PGN.DM1, new Uint8Array(8))).toThrow(RangeError);
    expect(() => bamFrames(0, PGN.DM1, new Uint8Array(1786))).toThrow(RangeError);
    expect(bamFrames(0, PGN.DM1, new Uint8Array(1785))).toHaveLength(256);
  });
});

describe("frameLines", () => {
  test("single frames at the given priority, BAM for long ones; every line parses back", () => {
    const lines = frameLines(0, [encodeEec1(621), { ...encodeEt1(85), priority: 6 }, encodeDm1({}, [{ spn: 1, fmi: 1 }, { spn: 2, fmi: 2 }])], 3);
    // DM1 data: lamps 00 FF, DTC SPN 1 FMI 1 (01 00 01 00), DTC SPN 2 FMI 2 (02 00 02 00): 10 bytes in 2 packets.
    expect(lines).toEqual(["0CF00400#FFFFFF6813FFFFFF", "18FEEE00#7DFFFFFFFFFFFFFF", "1CECFF00#200A0002FFCAFE00", "1CEBFF00#0100FF0100010002", "1CEBFF00#02000200FFFFFFFF"]);
    for (const line of lines) expect(() => parseFrame(line)).not.toThrow();
  });

  test("default priority 6", () => {
    expect(frameLines(0x17, [encodeEt1(20)])).toEqual(["18FEEE17#3CFFFFFFFFFFFFFF"]);
  });
});
