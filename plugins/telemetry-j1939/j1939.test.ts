/**
 * telemetry-j1939 against recorded gateway payloads (testcases/: candump -l logs, candump screen
 * output, bare frames, the JSON envelope, DM1 single-frame and by BAM), the options, every
 * message-level rejection, devices kept apart, and a fuzz run over mutations of the recordings.
 */
import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Value } from "@sinclair/typebox/value";
import { parse as parseYaml } from "yaml";
import { createLogger } from "../../src/log";
import { DecodeError, recordProblem, type DecodeResult, type InboundMessage } from "../../src/ingest/records";
import { definitionProblems } from "../../src/plugins/define";
import type { TelemetryDecodeInstance } from "../../src/plugins/types";
import { fuzzDecoder, fuzzPayloads } from "../../tests/helpers/fuzz";
import { encodeDm1, encodeEt1, frameLines } from "../../src/domain/j1939/encode";
import plugin, { createJ1939Decoder } from "./index";

const cases = join(import.meta.dir, "testcases");
const recorded = (name: string) => readFileSync(join(cases, name), "utf8");
const RECEIVED = 1_714_572_400_000;

async function instanceWith(options: Record<string, unknown> = {}, logLines: string[] = []): Promise<TelemetryDecodeInstance> {
  return (await plugin.create({
    sourceId: "can",
    options: Value.Default(plugin.configSchema, options) as never,
    log: createLogger({ write: (line) => logLines.push(line) }),
    signal: new AbortController().signal,
    services: { provisionDemoDevice: async () => null },
  })) as TelemetryDecodeInstance;
}

const instance = await instanceWith();
const message = (payload: string | Uint8Array, deviceId = "truck7", receivedAt = RECEIVED): InboundMessage => ({
  sourceId: "can",
  deviceId,
  topic: `fleet/${deviceId}/can`,
  payload: typeof payload === "string" ? new TextEncoder().encode(payload) : payload,
  receivedAt,
});
const decode = (payload: string | object, on = instance): DecodeResult => on.decode(message(typeof payload === "string" ? payload : JSON.stringify(payload)));
const reason = (payload: string | object | Uint8Array, on = instance): string => {
  try {
    on.decode(message(payload instanceof Uint8Array ? payload : typeof payload === "string" ? payload : JSON.stringify(payload)));
  } catch (error) {
    expect(error).toBeInstanceOf(DecodeError);
    return (error as Error).message;
  }
  throw new Error("expected a DecodeError");
};
const reading = (ts: number, name: string, value: number) => ({ type: "reading", ts, name, value });
const OFF = { mil: "off", red_stop: "off", amber_warning: "off", protect: "off" };

describe("definition", () => {
  test("is a valid decode plugin over MQTT with its defaults", () => {
    expect(definitionProblems(plugin)).toEqual([]);
    expect(Value.Default(plugin.configSchema, {})).toEqual({ topic: "fleet/{device}/can", dtc_conversion_method: {}, ignore_unknown_pgns: true, device_idle_minutes: 10 });
    expect(Value.Check(plugin.configSchema, Value.Default(plugin.configSchema, { extra: 1 }))).toBe(false);
  });

  test("dtc_conversion_method takes source addresses 0–255 and methods 1–4", () => {
    const check = (value: unknown) => Value.Check(plugin.configSchema, Value.Default(plugin.configSchema, { dtc_conversion_method: value }));
    expect(check({ "0": 2, "255": 1, "33": 4 })).toBe(true);
    expect(check({ "256": 2 })).toBe(false);
    expect(check({ "01": 2 })).toBe(false);
    expect(check({ engine: 2 })).toBe(false);
    expect(check({ "0": 5 })).toBe(false);
  });

  test("every option says what it is in a sentence", () => {
    for (const [key, option] of Object.entries(plugin.configSchema.properties)) expect((option as { description?: string }).description, key).toMatch(/^[A-Z].*\.$/);
  });

  test("the sample YAML in sample.yaml is the one in the README, and its options are valid", () => {
    const sample = readFileSync(join(import.meta.dir, "sample.yaml"), "utf8").trim();
    expect(readFileSync(join(import.meta.dir, "README.md"), "utf8")).toContain(sample);
    const { id: _id, plugin: name, ...options } = parseYaml(sample).sources[0];
    expect(name).toBe(plugin.name);
    expect(Value.Check(plugin.configSchema, Value.Default(plugin.configSchema, options))).toBe(true);
  });
});

describe("recorded payloads", () => {
  test("candump -l log of an engine and an instrument cluster; address claim, EEC2 and ETC2 ignored", () => {
    expect(decode(recorded("candump-log-engine.log"))).toEqual({
      records: [
        reading(1_714_572_191_010, "engine_rpm", 1500),
        reading(1_714_572_191_051, "wheel_speed_kmh", 88.5),
        reading(1_714_572_191_100, "coolant_c", 85),
        reading(1_714_572_191_150, "fuel_level_pct", 62.4),
        reading(1_714_572_191_200, "fuel_rate_lph", 32.45),
        reading(1_714_572_191_200, "fuel_economy_kmpl", 2.75),
        reading(1_714_572_191_250, "battery_v", 13.85),
      ],
    } as never);
  });

  test("CSS Electronics' EEC1 example as a bare frame: 621 rpm at the receive time", () => {
    expect(decode(recorded("css-electronics-eec1.txt"))).toEqual({ records: [reading(RECEIVED, "engine_rpm", 621)] } as never);
  });

  test("candump screen output, with and without timestamps", () => {
    expect(decode(recorded("candump-screen.txt"))).toEqual({ records: [reading(1_714_572_191_010, "engine_rpm", 1500), reading(1_714_572_191_100, "coolant_c", 85), reading(RECEIVED, "wheel_speed_kmh", 88.5)] } as never);
  });

  test("JSON envelope: GPS fix and totals at the envelope's ts", () => {
    const ts = 1_714_572_200_000;
    expect(decode(recorded("envelope-totals.json"))).toEqual({
      records: [
        { type: "position", ts, lat: 35.219821, lon: -101.831296, speed_kmh: 0, heading_deg: 271 },
        reading(ts, "fuel_used_l", 123_456.5),
        reading(ts, "odometer_km", 812_345.375),
        reading(ts, "odometer_km", 812_345.375),
        reading(ts, "engine_hours", 12_345.65),
      ],
    } as never);
  });

  test("DM1 with one code: SPN 4364 FMI 18, MIL and amber on", () => {
    expect(decode(recorded("dm1-single.log"))).toEqual({ records: [{ type: "dm1", ts: 1_714_572_300_000, source_address: 0, lamps: { ...OFF, mil: "on", amber_warning: "on" }, faults: [{ spn: 4364, fmi: 18, oc: 3, cm: 0 }] }] } as never);
  });

  test("DM1 with no active codes (CRLF line end): an empty fault list, which clears the source's codes", () => {
    expect(decode(recorded("dm1-no-codes.txt"))).toEqual({ records: [{ type: "dm1", ts: RECEIVED, source_address: 0, lamps: OFF, faults: [] }] } as never);
  });

  test("DM1 with three codes by BAM, one SPN above 16 bits; amber flashing slowly", () => {
    const result = decode(recorded("dm1-bam.log"));
    expect(result).toEqual({
      records: [
        {
          type: "dm1",
          ts: 1_714_572_300_200,
          source_address: 0,
          lamps: { ...OFF, amber_warning: "slow_flash" },
          faults: [
            { spn: 5246, fmi: 0, oc: 1, cm: 0 },
            { spn: 1569, fmi: 31, oc: 1, cm: 0 },
            { spn: 516_129, fmi: 2, oc: 2, cm: 0 },
          ],
        },
      ],
    } as never);
    for (const record of result.records) expect(recordProblem(record)).toBeNull();
  });

  test("a BAM whose last packet came 850 ms late is a dead letter with the transport reason", async () => {
    expect(reason(recorded("bam-timeout.log"), await instanceWith())).toBe("BAM of PGN 65226 from SA 0 timed out after packet 1 of 2: no TP.DT for 850 ms (limit 750 ms)");
  });

  test("good frames beside broken ones: the good records are kept and the rest is logged", async () => {
    const log: string[] = [];
    const own = await instanceWith({}, log);
    expect(decode(recorded("partly-broken.log"), own)).toEqual({ records: [reading(1_714_572_191_010, "engine_rpm", 1500)] } as never);
    expect(log).toHaveLength(1);
    const line = JSON.parse(log[0]!);
    expect(line).toMatchObject({ level: "warn", msg: "J1939 frames rejected beside good ones", device: "truck7", rejected: 3 });
    expect(line.latest).toBe('line 2: "18FEEE00#7D5A4E2BFFFFFFF" has an odd number of hex digits; line 4: "18FEF1#0080" has a CAN id of 6 hex digits; J1939 ids have 8; line 5: "123#DEADBEEF" has an 11-bit CAN id; J1939 uses 29-bit ids (8 hex digits)');
    // Notes are summarised: a second message within the minute adds to the count without a line.
    decode(recorded("partly-broken.log"), own);
    expect(log).toHaveLength(1);
  });
});

describe("rejections", () => {
  test.each([
    ["every frame broken", "18FECA00#4\n18FECA00#ZZ", 'line 1: "18FECA00#4" has an odd number of hex digits; line 2: "18FECA00#ZZ" has data that is not hexadecimal'],
    ["many broken frames are summarised", "1#\n2#\n3#\n4#\n5#", 'line 1: "1#" has a CAN id of 1 hex digits; J1939 ids have 8; line 2: "2#" has a CAN id of 1 hex digits; J1939 ids have 8; line 3: "3#" has a CAN id of 1 hex digits; J1939 ids have 8 (and 2 more)'],
    ["empty", "  \n ", "the payload is empty"],
    ["broken JSON", '{"frames": [', 'the payload starts with { but is not valid JSON; send frame lines or {"ts": …, "frames": ["18FECA00#…"], "gps": {…}}'],
    ["frames not a list", { frames: "18FEEE00#7D" }, '"frames" is "18FEEE00#7D", not a list of frame texts'],
    ["neither frames nor gps", { ts: 1_714_572_200_000 }, 'the JSON payload has neither "frames" nor "gps"'],
    ["ts in seconds", { ts: 1_714_572_200, frames: [] }, '"ts" is 1714572200, which looks like seconds; send epoch milliseconds'],
    ["ts junk", { ts: "now", frames: [] }, '"ts" is "now", not epoch milliseconds'],
    ["ts far off", { ts: 1, frames: [] }, '"ts" is 1, not epoch milliseconds between 2000 and 2100; check the gateway\'s clock'],
    ["a frame that is not text", { frames: [42] }, 'frames[0] is 42, not frame text like "18FECA00#40FF5B000301FFFF"'],
    ["a bad frame in JSON", { frames: ["18FEEE00#7"] }, 'frames[0]: "18FEEE00#7" has an odd number of hex digits'],
    ["gps without lon", { gps: { lat: 35 } }, '"gps" has no "lon"'],
    ["gps out of range", { gps: { lat: 95, lon: 0 } }, '"gps.lat" is 95, outside -90…90'],
    ["gps speed junk", { gps: { lat: 35, lon: -101, speed_kmh: "fast" } }, '"gps.speed_kmh" is "fast", not a number'],
    ["gps not an object", { gps: [35, -101] }, '"gps" is [35,-101], not an object with lat and lon'],
    ["JSON list", "[1, 2]", 'line 1: "[1, 2]" is not a CAN frame; expected 18FECA00#40FF5B000301FFFF or a candump line'],
    ["JSON that is not an object", "{}garbage", 'the payload starts with { but is not valid JSON; send frame lines or {"ts": …, "frames": ["18FECA00#…"], "gps": {…}}'],
    ["a short DM1", "18FECA00#0400", "DM1 (PGN 65226) has 2 data bytes; it needs at least 6 (2 lamp bytes and one 4-byte DTC) (SA 0)"],
  ])("%s", (_label, payload, expected) => {
    expect(reason(payload)).toBe(expected);
  });

  test("not UTF-8", () => {
    expect(reason(Uint8Array.of(0x18, 0xfe, 0xff, 0xc3))).toBe("the payload is not UTF-8 text; send frame lines like 18FECA00#40FF5B000301FFFF or a JSON envelope");
  });

  test("a good GPS fix keeps a message whose frames are all broken", () => {
    expect(decode({ ts: 1_714_572_200_000, frames: ["18FEEE00#7"], gps: { lat: 35, lon: -101 } }).records).toEqual([{ type: "position", ts: 1_714_572_200_000, lat: 35, lon: -101 }]);
  });

  test("only unknown PGNs, or the first half of a BAM: no records and no error", async () => {
    const own = await instanceWith();
    expect(decode("0CF00300#D10000FFFFFFFFFF", own)).toEqual({ records: [] });
    expect(decode(frameLines(0, [encodeDm1({}, [{ spn: 1, fmi: 1 }, { spn: 2, fmi: 2 }])]).slice(0, 2).join("\n"), own)).toEqual({ records: [] });
  });
});

describe("options", () => {
  test("ignore_unknown_pgns: false makes a message of unknown PGNs a dead letter", async () => {
    expect(reason("0CF00300#D10000FFFFFFFFFF", await instanceWith({ ignore_unknown_pgns: false }))).toBe("PGN 61443 (0xF003) from SA 0 is not one this decoder reads");
  });

  test("dtc_conversion_method applies to its source address only", async () => {
    const own = await instanceWith({ dtc_conversion_method: { "33": 1 } });
    const dm1 = encodeDm1({}, [{ spn: 190, fmi: 2 }], { method: 1 });
    const spns = decode([...frameLines(33, [dm1]), ...frameLines(0, [dm1])].join("\n"), own).records.map((r) => (r.type === "dm1" ? r.faults[0]!.spn : null));
    expect(spns).toEqual([190, 0x61700]);
  });

  test("spn_names_file: read at create; a missing or bad file fails create with the file named", async () => {
    const dir = mkdtempSync(join(tmpdir(), "j1939-"));
    const good = join(dir, "names.csv");
    writeFileSync(good, "spn,name\n520192,DEF heater relay\n");
    const own = (await instanceWith({ spn_names_file: good })) as TelemetryDecodeInstance & { spnNames?: Map<number, string> };
    expect(own.spnNames?.get(520_192)).toBe("DEF heater relay");
    const bad = join(dir, "bad.csv");
    writeFileSync(bad, "spn,name\n110,Coolant\nnope,Oops\n");
    await expect(instanceWith({ spn_names_file: bad })).rejects.toThrow(`spn_names_file ${bad}: SPN names line 3: spn "nope" is not a number 0…524287`);
    await expect(instanceWith({ spn_names_file: join(dir, "missing.csv") })).rejects.toThrow(`spn_names_file ${join(dir, "missing.csv")} cannot be read`);
  });
});

describe("devices", () => {
  test("transport sessions are per device", async () => {
    const own = await instanceWith();
    const [cm, dt1, dt2] = frameLines(0, [encodeDm1({}, [{ spn: 1, fmi: 1 }, { spn: 2, fmi: 2 }])]);
    own.decode(message(`${cm}\n${dt1}`, "truck1"));
    // The second packet on another truck's bus belongs to no session there.
    expect(() => own.decode(message(dt2!, "truck2"))).toThrow("TP.DT from SA 0 (packet 2) without a TP.CM announcing it");
    expect(own.decode(message(dt2!, "truck1")).records).toHaveLength(1);
  });

  test("idle devices are forgotten, with their unfinished sessions", () => {
    const decoder = createJ1939Decoder({ conversionMethods: new Map(), ignoreUnknownPgns: true, idleMs: 600_000 });
    const [cm, dt1] = frameLines(0, [encodeDm1({}, [{ spn: 1, fmi: 1 }, { spn: 2, fmi: 2 }])]);
    const bytes = (text: string) => new TextEncoder().encode(text);
    decoder.decode("a", bytes(cm!), RECEIVED);
    decoder.decode("b", bytes(frameLines(0, [encodeEt1(80)])[0]!), RECEIVED);
    expect(decoder.devices).toBe(2);
    decoder.decode("b", bytes(frameLines(0, [encodeEt1(80)])[0]!), RECEIVED + 500_000);
    decoder.decode("b", bytes(frameLines(0, [encodeEt1(80)])[0]!), RECEIVED + 700_000);
    expect(decoder.devices).toBe(1);
    expect(() => decoder.decode("a", bytes(dt1!), RECEIVED + 700_001)).toThrow("without a TP.CM");
  });
});

describe("fuzz", () => {
  test("10 000 mutated, random and junk payloads: no crash, every rejection has a reason, under 3 s", async () => {
    const samples = ["candump-log-engine.log", "css-electronics-eec1.txt", "candump-screen.txt", "envelope-totals.json", "dm1-single.log", "dm1-no-codes.txt", "dm1-bam.log", "partly-broken.log", "bam-timeout.log"].map(recorded);
    const own = await instanceWith();
    const started = performance.now();
    let at = RECEIVED;
    const report = fuzzDecoder((payload) => own.decode(message(payload, "fuzz", (at += 37))), fuzzPayloads(samples, 10_000));
    const elapsed = performance.now() - started;
    expect(report.crashes.slice(0, 5)).toEqual([]);
    expect(report.decoded + report.rejected).toBe(10_000);
    expect(report.decoded).toBeGreaterThan(500);
    for (const reason of report.reasons.keys()) expect(reason.length).toBeGreaterThan(5);
    expect(elapsed).toBeLessThan(3000);
  });
});
