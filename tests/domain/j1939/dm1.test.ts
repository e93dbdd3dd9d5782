/**
 * DM1 (J1939-73): every lamp and flash combination, DTC fields (the SPN's 19th to 17th bits
 * included), "no active codes", padding, occurrence count 127, conversion methods 1–4 and how the
 * per-source setting meets the CM bit; and the DM1 encoder round-tripped.
 */
import { describe, expect, test } from "bun:test";
import { DecodeError, type LampState } from "../../../src/ingest/records";
import { decodeDm1, dtcSpn, lampState } from "../../../src/domain/j1939/dm1";
import { encodeDm1 } from "../../../src/domain/j1939/encode";

const hex = (text: string) => Uint8Array.from(text.match(/../g) ?? [], (byte) => parseInt(byte, 16));
const OFF = { mil: "off", red_stop: "off", amber_warning: "off", protect: "off" } as const;

describe("lamps", () => {
  test.each([
    // status, flash → state. Status: 00 off, 01 on, 10 reserved, 11 not available. Flash: 00 slow, 01 fast, 10 reserved, 11 do not flash.
    [0, 0, "off"],
    [0, 1, "off"],
    [0, 2, "off"],
    [0, 3, "off"],
    [1, 0, "slow_flash"],
    [1, 1, "fast_flash"],
    [1, 2, "on"],
    [1, 3, "on"],
    [2, 0, "off"],
    [2, 3, "off"],
    [3, 0, "off"],
    [3, 1, "off"],
    [3, 3, "off"],
  ])("status %i flash %i → %s", (status, flash, state) => {
    expect(lampState(status, flash)).toBe(state as LampState);
  });

  test.each([
    // byte 1, byte 2 → lamps: MIL bits 8-7, red stop 6-5, amber 4-3, protect 2-1.
    ["40FF", { ...OFF, mil: "on" }],
    ["10FF", { ...OFF, red_stop: "on" }],
    ["04FF", { ...OFF, amber_warning: "on" }],
    ["01FF", { ...OFF, protect: "on" }],
    ["443F", { ...OFF, mil: "slow_flash", amber_warning: "on" }],
    ["447F", { ...OFF, mil: "fast_flash", amber_warning: "on" }],
    ["10CF", { ...OFF, red_stop: "slow_flash" }],
    ["10DF", { ...OFF, red_stop: "fast_flash" }],
    ["04F3", { ...OFF, amber_warning: "slow_flash" }],
    ["04F7", { ...OFF, amber_warning: "fast_flash" }],
    ["01FC", { ...OFF, protect: "slow_flash" }],
    ["01FD", { ...OFF, protect: "fast_flash" }],
    ["5500", { mil: "slow_flash", red_stop: "slow_flash", amber_warning: "slow_flash", protect: "slow_flash" }],
    ["5555", { mil: "fast_flash", red_stop: "fast_flash", amber_warning: "fast_flash", protect: "fast_flash" }],
    ["55FF", { mil: "on", red_stop: "on", amber_warning: "on", protect: "on" }],
    ["FFFF", OFF],
    ["0000", OFF],
    ["AAFF", OFF],
  ])("lamp bytes %s", (lamps, expected) => {
    expect(decodeDm1(hex(`${lamps}00000000FFFF`)).lamps).toEqual(expected as never);
  });

  test("every lamp state of every lamp round-trips through the encoder", () => {
    const states: LampState[] = ["off", "on", "slow_flash", "fast_flash"];
    for (const lamp of ["mil", "red_stop", "amber_warning", "protect"] as const)
      for (const state of states) expect(decodeDm1(encodeDm1({ [lamp]: state }, []).data).lamps).toEqual({ ...OFF, [lamp]: state });
  });
});

describe("DTCs (conversion method 4)", () => {
  test("one code: SPN 4364 FMI 18 OC 3, MIL and amber on", () => {
    expect(decodeDm1(hex("44FF0C111203FFFF"))).toEqual({ lamps: { ...OFF, mil: "on", amber_warning: "on" }, faults: [{ spn: 4364, fmi: 18, oc: 3, cm: 0 }] });
  });

  test("the SPN's bits 19-17 come from the top 3 bits of the third DTC byte", () => {
    // SPN 0x7E021 = 516129: bytes 21 E0, byte 3 = 111 00010 (FMI 2).
    expect(decodeDm1(hex("0400 21E0E202 FFFF".replace(/ /g, ""))).faults).toEqual([{ spn: 516_129, fmi: 2, oc: 2, cm: 0 }]);
    expect(dtcSpn(0xff, 0xff, 0xe0, 4)).toBe(0x7ffff);
    expect(dtcSpn(0x00, 0x00, 0x20, 4)).toBe(0x10000);
    expect(dtcSpn(0x00, 0x00, 0x80, 4)).toBe(0x40000);
    expect(dtcSpn(0x00, 0x00, 0x1f, 4)).toBe(0); // FMI bits are not SPN bits
  });

  test("FMI 0–31 and occurrence counts 0–126, 127 (not available) as 0, CM bit kept", () => {
    expect(decodeDm1(hex("0000BE001F7EFFFF")).faults).toEqual([{ spn: 190, fmi: 31, oc: 126, cm: 0 }]);
    expect(decodeDm1(hex("0000BE00007FFFFF")).faults).toEqual([{ spn: 190, fmi: 0, oc: 0, cm: 0 }]);
    expect(decodeDm1(hex("0000BE0002FFFFFF")).faults).toEqual([{ spn: 190, fmi: 2, oc: 0, cm: 1 }]);
  });

  test("a DTC of zeros means no active codes", () => {
    expect(decodeDm1(hex("00FF00000000FFFF"))).toEqual({ lamps: OFF, faults: [] });
    expect(decodeDm1(hex("0000000000000000")).faults).toEqual([]);
  });

  test("0xFF padding and a partial last DTC are not codes", () => {
    expect(decodeDm1(hex("0400BE0002FFFFFFFFFFFF")).faults).toEqual([{ spn: 190, fmi: 2, oc: 0, cm: 1 }]);
    expect(decodeDm1(hex("0400FFFFFFFF")).faults).toEqual([]);
    expect(decodeDm1(hex("0400FFFFFF00")).faults).toEqual([]); // SPN 524287 FMI 31: the not-available pattern
    expect(decodeDm1(hex("04006E000501AB")).faults).toEqual([{ spn: 110, fmi: 5, oc: 1, cm: 0 }]);
  });

  test("several codes (a BAM payload of 2 + 4n bytes)", () => {
    expect(decodeDm1(hex("04F37E14000121061F0121E0E202")).faults).toEqual([
      { spn: 5246, fmi: 0, oc: 1, cm: 0 },
      { spn: 1569, fmi: 31, oc: 1, cm: 0 },
      { spn: 516_129, fmi: 2, oc: 2, cm: 0 },
    ]);
  });

  test("fewer than 6 bytes is a DecodeError", () => {
    expect(() => decodeDm1(hex("04FF0C11"))).toThrow(DecodeError);
    expect(() => decodeDm1(hex("04FF0C11"))).toThrow("DM1 (PGN 65226) has 4 data bytes; it needs at least 6 (2 lamp bytes and one 4-byte DTC)");
    expect(() => decodeDm1(hex(""))).toThrow("has 0 data bytes");
  });
});

describe("conversion methods", () => {
  // SPN 190 = 0b000_00000000_10111110, FMI 2, OC 5, CM 1.
  test("method 1: all 19 SPN bits most significant first", () => {
    const dtc = hex("0000 0017 C2 85".replace(/ /g, "")).subarray(2);
    expect(Array.from(dtc)).toEqual([0x00, 0x17, 0xc2, 0x85]);
    expect(decodeDm1(hex("00000017C285FFFF"), 1).faults).toEqual([{ spn: 190, fmi: 2, oc: 5, cm: 1 }]);
    // Read as method 4 the same bytes are a different SPN: why the setting exists.
    expect(decodeDm1(hex("00000017C285FFFF")).faults[0]!.spn).toBe(0x61700);
  });

  test("method 2: the 16 low SPN bits most significant first", () => {
    expect(decodeDm1(hex("000000BE0285FFFF"), 2).faults).toEqual([{ spn: 190, fmi: 2, oc: 5, cm: 1 }]);
    expect(decodeDm1(hex("00000102A285FFFF"), 2).faults).toEqual([{ spn: 0x50102, fmi: 2, oc: 5, cm: 1 }]);
  });

  test("method 3: the method 4 layout with CM 1", () => {
    expect(decodeDm1(hex("0000BE000285FFFF"), 3).faults).toEqual([{ spn: 190, fmi: 2, oc: 5, cm: 1 }]);
  });

  test("a code with CM 0 is method 4 whatever the source's setting", () => {
    expect(decodeDm1(hex("0000BE000205FFFF"), 1).faults).toEqual([{ spn: 190, fmi: 2, oc: 5, cm: 0 }]);
    expect(decodeDm1(hex("0000BE000205FFFF"), 2).faults).toEqual([{ spn: 190, fmi: 2, oc: 5, cm: 0 }]);
  });

  test("setting 4 reads CM 1 codes as method 4 too", () => {
    expect(decodeDm1(hex("0000BE000285FFFF"), 4).faults).toEqual([{ spn: 190, fmi: 2, oc: 5, cm: 1 }]);
  });

  test.each([1, 2, 3, 4] as const)("method %i round-trips through the encoder for SPNs across 19 bits", (method) => {
    const dtcs = [1, 84, 190, 520, 3364, 65_535, 65_536, 0x5a5a5, 524_286].map((spn, i) => ({ spn, fmi: i % 32, oc: i * 7 }));
    const data = encodeDm1({ amber_warning: "on" }, dtcs, { method }).data;
    expect(decodeDm1(data, method).faults).toEqual(dtcs.map((dtc) => ({ ...dtc, cm: method === 4 ? 0 : 1 })));
  });
});

describe("encoder", () => {
  test("no codes: the all-zero DTC padded to 8 bytes", () => {
    expect(Array.from(encodeDm1({}, []).data)).toEqual([0x00, 0xff, 0, 0, 0, 0, 0xff, 0xff]);
  });

  test("one code: 8 bytes; several: 2 + 4n", () => {
    expect(Array.from(encodeDm1({ mil: "on", amber_warning: "on" }, [{ spn: 4364, fmi: 18, oc: 3 }]).data)).toEqual([0x44, 0xff, 0x0c, 0x11, 0x12, 0x03, 0xff, 0xff]);
    expect(encodeDm1({}, [{ spn: 1, fmi: 1 }, { spn: 2, fmi: 2 }, { spn: 3, fmi: 3 }]).data.length).toBe(14);
  });

  test("out-of-range fields throw", () => {
    expect(() => encodeDm1({}, [{ spn: 524_288, fmi: 0 }])).toThrow(RangeError);
    expect(() => encodeDm1({}, [{ spn: 1, fmi: 32 }])).toThrow(RangeError);
    expect(() => encodeDm1({}, [{ spn: 1, fmi: 1, oc: 128 }])).toThrow(RangeError);
  });
});
