/**
 * PGN decoders against hand-computed values (J1939-71 resolutions and offsets), the not-available,
 * error and reserved ranges, short frames and values a reading cannot hold; and every encoder
 * round-tripped through its decoder.
 */
import { describe, expect, test } from "bun:test";
import { decodePgn, PGN, PGN_SPECS } from "../../../src/domain/j1939/pgns";
import * as encode from "../../../src/domain/j1939/encode";

const hex = (text: string) => Uint8Array.from(text.match(/../g) ?? [], (byte) => parseInt(byte, 16));
const readings = (pgn: number, data: string) => decodePgn(pgn, hex(data))!;

describe("published and hand-computed values", () => {
  test.each([
    // CSS Electronics' J1939 introduction: EEC1 data FF FF FF 68 13 FF FF FF → 0x1368 = 4968 × 0.125 = 621 rpm.
    ["EEC1 (CSS Electronics example)", PGN.EEC1, "FFFFFF6813FFFFFF", "engine_rpm", 621],
    ["EEC1 1500 rpm", PGN.EEC1, "FF7D82E02EFFFFFF", "engine_rpm", 1500],
    ["EEC1 0x166B = 5739 × 0.125", PGN.EEC1, "FF7D7D6B1600FFFF", "engine_rpm", 717.375],
    ["EEC1 highest valid 0xFAFF", PGN.EEC1, "FFFFFFFFFAFFFFFF", "engine_rpm", 8031.875],
    ["CCVS1 0x5880 / 256", PGN.CCVS1, "F38058FFFFFFFFFF", "wheel_speed_kmh", 88.5],
    ["CCVS1 one bit", PGN.CCVS1, "FF0100FFFFFFFFFF", "wheel_speed_kmh", 1 / 256],
    ["ET1 0x7D − 40", PGN.ET1, "7D5A4E2BFFFFFFFF", "coolant_c", 85],
    ["ET1 raw 0 is −40 °C", PGN.ET1, "00FFFFFFFFFFFFFF", "coolant_c", -40],
    ["ET1 0xFA is 210 °C", PGN.ET1, "FAFFFFFFFFFFFFFF", "coolant_c", 210],
    ["DD1 0x9C × 0.4", PGN.DD1, "FF9CFFFFFFFFFFFF", "fuel_level_pct", 62.4],
    ["DD1 250 × 0.4 is full", PGN.DD1, "FFFAFFFFFFFFFFFF", "fuel_level_pct", 100],
    ["LFE1 fuel rate 0x0289 × 0.05", PGN.LFE1, "8902FFFFFFFFFFFF", "fuel_rate_lph", 32.45],
    ["LFE1 economy 0x0580 / 512", PGN.LFE1, "FFFF8005FFFFFFFF", "fuel_economy_kmpl", 2.75],
    ["LFC1 total 0x0003C481 × 0.5", PGN.LFC1, "3903000081C40300", "fuel_used_l", 123_456.5],
    ["VD total 0x006329CB × 0.125", PGN.VD, "FFFFFFFFCB296300", "odometer_km", 812_345.375],
    ["VDHR 0x09AF14D3 × 5 m", PGN.VDHR, "D314AF09FFFFFFFF", "odometer_km", 812_345.375],
    ["HOURS 0x0003C481 × 0.05", PGN.HOURS, "81C40300FFFFFFFF", "engine_hours", 12_345.65],
    ["VEP1 battery 0x0115 × 0.05", PGN.VEP1, "FFFF1C011501FFFF", "battery_v", 13.85],
  ])("%s", (_label, pgn, data, name, value) => {
    const result = readings(pgn, data);
    expect(result.problems).toEqual([]);
    expect(result.readings.map((r): [string, number] => [r.name, r.value])).toEqual([[name, value]]);
  });

  test("LFE1 gives both readings", () => {
    expect(readings(PGN.LFE1, "89028005FFFFFFFF").readings).toEqual([
      { spn: 183, name: "fuel_rate_lph", value: 32.45 },
      { spn: 184, name: "fuel_economy_kmpl", value: 2.75 },
    ]);
  });
});

describe("no value: not available, error, reserved", () => {
  test.each([
    ["1 byte 0xFF not available", PGN.ET1, "FF"],
    ["1 byte 0xFE error", PGN.ET1, "FE"],
    ["1 byte 0xFB reserved", PGN.ET1, "FB"],
    ["DD1 0xFE", PGN.DD1, "FFFE"],
    ["2 bytes 0xFFFF", PGN.EEC1, "FFFFFFFFFF"],
    ["2 bytes 0xFE00 error", PGN.EEC1, "FFFFFF00FE"],
    ["2 bytes 0xFB00 reserved", PGN.CCVS1, "FF00FB"],
    ["4 bytes 0xFFFFFFFF", PGN.VD, "FFFFFFFFFFFFFFFF"],
    ["4 bytes 0xFE000000 error", PGN.HOURS, "000000FE"],
    ["4 bytes 0xFB000000 reserved", PGN.VDHR, "000000FB"],
    ["VEP1 0xFFFF", PGN.VEP1, "FFFFFFFFFFFF"],
  ])("%s", (_label, pgn, data) => {
    expect(readings(pgn, data)).toEqual({ readings: [], problems: [] });
  });
});

describe("problems", () => {
  test("a frame shorter than the field", () => {
    expect(readings(PGN.EEC1, "FF7D82E0").problems).toEqual(["EEC1 (PGN 61444) has 4 data bytes; SPN 190 engine speed needs bytes 4-5"]);
    expect(readings(PGN.ET1, "").problems).toEqual(["ET1 (PGN 65262) has 0 data bytes; SPN 110 engine coolant temperature needs byte 1"]);
    expect(readings(PGN.DD1, "FF").problems).toEqual(["DD1 (PGN 65276) has 1 data byte; SPN 96 fuel level 1 needs byte 2"]);
    expect(readings(PGN.VD, "FFFFFFFF0000").problems).toEqual(["VD (PGN 65248) has 6 data bytes; SPN 245 total vehicle distance needs bytes 5-8"]);
  });

  test("LFE1 cut after the fuel rate keeps the fuel rate", () => {
    const result = readings(PGN.LFE1, "8902");
    expect(result.readings.map((r) => r.name)).toEqual(["fuel_rate_lph"]);
    expect(result.problems).toEqual(["LFE1 (PGN 65266) has 2 data bytes; SPN 184 instantaneous fuel economy needs bytes 3-4"]);
  });

  test("valid J1939 values beyond what a reading holds are refused with a reason", () => {
    expect(readings(PGN.LFE1, "FFFAFFFF").problems).toEqual(["LFE1 (PGN 65266) SPN 183 engine fuel rate is 3212.75 L/h, outside 0…500 L/h"]);
    expect(readings(PGN.VEP1, "FFFFFFFFFFFA").problems).toEqual(["VEP1 (PGN 65271) SPN 168 battery potential is 3212.75 V, outside 0…100 V"]);
    expect(readings(PGN.VD, "00000000FFFFFFFA").problems[0]).toContain("outside 0…10000000 km");
  });

  test("a PGN not decoded is null", () => {
    expect(decodePgn(61443, hex("FFFFFFFFFFFFFFFF"))).toBeNull();
  });

  test("extra bytes beyond 8 are ignored", () => {
    expect(readings(PGN.ET1, "7DFFFFFFFFFFFFFFFFFF").readings[0]!.value).toBe(85);
  });
});

describe("round trip: every encoder through its decoder", () => {
  const cases: [string, ReturnType<typeof encode.encodeEec1>, Record<string, number>][] = [
    ["EEC1", encode.encodeEec1(1234.5), { engine_rpm: 1234.5 }],
    ["CCVS1", encode.encodeCcvs1(104.6), { wheel_speed_kmh: Math.round(104.6 * 256) / 256 }],
    ["ET1", encode.encodeEt1(-12), { coolant_c: -12 }],
    ["DD1", encode.encodeDd1(37.2), { fuel_level_pct: 37.2 }],
    ["LFE1", encode.encodeLfe1(28.35, 2.5), { fuel_rate_lph: 28.35, fuel_economy_kmpl: 2.5 }],
    ["LFC1", encode.encodeLfc1(98_765.5), { fuel_used_l: 98_765.5 }],
    ["VD", encode.encodeVd(1_234_567.875), { odometer_km: 1_234_567.875 }],
    ["VDHR", encode.encodeVdhr(1_234_567.885), { odometer_km: 1_234_567.885 }],
    ["HOURS", encode.encodeHours(23_456.75), { engine_hours: 23_456.75 }],
    ["VEP1", encode.encodeVep1(27.6), { battery_v: 27.6 }],
  ];
  test.each(cases)("%s", (acronym, message, expected) => {
    expect(PGN_SPECS.get(message.pgn)!.acronym).toBe(acronym);
    expect(message.data.length).toBe(8);
    const result = decodePgn(message.pgn, message.data)!;
    expect(result.problems).toEqual([]);
    expect(Object.fromEntries(result.readings.map((r) => [r.name, r.value]))).toEqual(expected);
  });

  test("null encodes not available, and unused bytes are 0xFF", () => {
    expect(Array.from(encode.encodeEec1(null).data)).toEqual(Array(8).fill(0xff));
    expect(Array.from(encode.encodeEt1(85).data)).toEqual([0x7d, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    expect(decodePgn(PGN.LFE1, encode.encodeLfe1(null, 3).data)!.readings.map((r) => r.name)).toEqual(["fuel_economy_kmpl"]);
  });

  test("a value the field cannot carry throws", () => {
    expect(() => encode.encodeEt1(-41)).toThrow(RangeError);
    expect(() => encode.encodeEt1(211)).toThrow(RangeError);
    expect(() => encode.encodeEec1(Number.NaN)).toThrow(RangeError);
    expect(() => encode.encodeEec1(8032)).toThrow(RangeError);
    expect(() => encode.encodeDd1(-1)).toThrow(RangeError);
  });
});
