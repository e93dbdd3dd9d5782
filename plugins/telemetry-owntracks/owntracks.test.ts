/**
 * OwnTracks decoder against payloads recorded as the iOS and Android apps publish them
 * (testcases/), a table of each field, every ignored message type, every rejection reason, and a
 * fuzz run over mutations of the recordings.
 */
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Value } from "@sinclair/typebox/value";
import { createLogger } from "../../src/log";
import { DecodeError, recordProblem, type DecodeResult, type InboundMessage } from "../../src/ingest/records";
import { definitionProblems } from "../../src/plugins/define";
import type { TelemetryDecodeInstance } from "../../src/plugins/types";
import { fuzzDecoder, fuzzPayloads } from "../../tests/helpers/fuzz";
import plugin from "./index";

const cases = join(import.meta.dir, "testcases");
const recorded = (name: string) => readFileSync(join(cases, name), "utf8");

const instance = (await plugin.create({
  sourceId: "phones",
  options: Value.Default(plugin.configSchema, {}) as never,
  log: createLogger({ write: () => {} }),
  signal: new AbortController().signal,
  services: { provisionDemoDevice: async () => null },
})) as TelemetryDecodeInstance;

const message = (payload: string): InboundMessage => ({ sourceId: "phones", deviceId: "truck7", topic: "owntracks/mike/truck7", payload: new TextEncoder().encode(payload), receivedAt: 1_714_572_200_000 });
const decode = (payload: string | object): DecodeResult => instance.decode(message(typeof payload === "string" ? payload : JSON.stringify(payload)));
const reason = (payload: string | object): string => {
  try {
    decode(payload);
  } catch (error) {
    expect(error).toBeInstanceOf(DecodeError);
    return (error as Error).message;
  }
  throw new Error("expected a DecodeError");
};

describe("definition", () => {
  test("is a valid decode plugin with the OwnTracks topic by default", () => {
    expect(definitionProblems(plugin)).toEqual([]);
    expect(Value.Default(plugin.configSchema, {})).toEqual({ topic: "owntracks/+/{device}" });
    expect(Value.Check(plugin.configSchema, { topic: "owntracks/+/{device}", extra: 1 })).toBe(false);
  });

  test("every option says what it is in a sentence", () => {
    for (const [key, option] of Object.entries(plugin.configSchema.properties)) expect((option as { description?: string }).description, key).toMatch(/^[A-Z].*\.$/);
  });

  test("the sample YAML in sample.yaml is the one in the README", () => {
    const sample = readFileSync(join(import.meta.dir, "sample.yaml"), "utf8").trim();
    expect(readFileSync(join(import.meta.dir, "README.md"), "utf8")).toContain(sample);
  });
});

describe("recorded location messages", () => {
  test("iOS on truck-stop Wi-Fi, parked", () => {
    expect(decode(recorded("location-ios-wifi.json"))).toEqual({
      records: [
        { type: "position", ts: 1_714_572_191_000, lat: 35.219821, lon: -101.831296, speed_kmh: 0, altitude_m: 370, accuracy_m: 5 },
        { type: "reading", ts: 1_714_572_191_000, name: "device_battery_pct", value: 87 },
      ],
    });
  });

  test("iOS moving on I-40", () => {
    expect(decode(recorded("location-ios-moving.json")).records[0]).toEqual({ type: "position", ts: 1_714_575_800_000, lat: 35.183702, lon: -102.148431, speed_kmh: 104, heading_deg: 271, altitude_m: 342, accuracy_m: 8 });
  });

  test("Android", () => {
    expect(decode(recorded("location-android.json"))).toEqual({
      records: [
        { type: "position", ts: 1_714_590_248_000, lat: 35.083962, lon: -106.650421, speed_kmh: 97, heading_deg: 88, altitude_m: 1219, accuracy_m: 12 },
        { type: "reading", ts: 1_714_590_248_000, name: "device_battery_pct", value: 41 },
      ],
    });
  });

  test("battery -1 (unknown) gives no battery reading", () => {
    expect(decode(recorded("location-battery-unknown.json"))).toEqual({ records: [{ type: "position", ts: 1_714_599_990_000, lat: 36.1699, lon: -115.1398, accuracy_m: 65 }] });
  });

  test("only lat, lon and tst", () => {
    expect(decode(recorded("location-minimal.json"))).toEqual({ records: [{ type: "position", ts: 1_714_610_000_000, lat: 34.0522, lon: -118.2437 }] });
  });

  test("every record of every recording is canonical", () => {
    for (const file of readdirSync(cases)) {
      if (file === "encrypted.json") continue;
      for (const record of decode(recorded(file)).records) expect(recordProblem(record), file).toBeNull();
    }
  });
});

describe("fields", () => {
  const base = { _type: "location", lat: 35.5, lon: -97.5, tst: 1_714_572_191 };
  test.each([
    ["vel", 88, { speed_kmh: 88 }],
    ["vel", 0, { speed_kmh: 0 }],
    ["vel", -1, {}],
    ["cog", 359, { heading_deg: 359 }],
    ["cog", 0, { heading_deg: 0 }],
    ["cog", -1, {}],
    ["alt", -86, { altitude_m: -86 }],
    ["alt", 3500.5, { altitude_m: 3500.5 }],
    ["acc", 4.5, { accuracy_m: 4.5 }],
    ["acc", -1, {}],
    ["vel", null, {}],
    ["vac", 12, {}],
    ["t", "p", {}],
    ["conn", "m", {}],
    ["tid", "T7", {}],
    ["created_at", 1_714_999_999, {}],
  ] as const)("%s = %p", (key, value, extra) => {
    expect(decode({ ...base, [key]: value }).records[0]).toEqual({ type: "position", ts: 1_714_572_191_000, lat: 35.5, lon: -97.5, ...extra });
  });

  test("fractional tst keeps milliseconds", () => {
    expect(decode({ ...base, tst: 1_714_572_191.25 }).records[0]!.ts).toBe(1_714_572_191_250);
  });

  test.each([
    [100, [100]],
    [0, [0]],
    [55, [55]],
    [-1, []],
  ])("batt %p", (batt, values) => {
    expect(decode({ ...base, batt }).records.slice(1).map((r) => (r as { value: number }).value)).toEqual(values);
  });

  test("the topic does not matter to decoding (the core takes the device from it)", () => {
    expect(instance.decode({ ...message(JSON.stringify(base)), topic: "elsewhere/x", deviceId: "x" }).device).toBeUndefined();
  });
});

describe("ignored message types", () => {
  test.each(["lwt.json", "transition.json", "waypoint.json", "card.json", "status.json", "cmd.json", "beacon.json"])("%s gives no records", (file) => {
    expect(decode(recorded(file))).toEqual({ records: [] });
  });

  test.each(["waypoints", "steps", "dump", "request", "configuration", "future-type"])("_type %p gives no records", (type) => {
    expect(decode({ _type: type })).toEqual({ records: [] });
  });
});

describe("rejections", () => {
  const base = { _type: "location", lat: 35.5, lon: -97.5, tst: 1_714_572_191 };
  test.each([
    [recorded("encrypted.json"), "encrypted OwnTracks payloads are not supported; turn off encryption for this device"],
    ["", "the payload is not JSON; OwnTracks sends one JSON object per message"],
    ["lat=1", "the payload is not JSON; OwnTracks sends one JSON object per message"],
    [`[${JSON.stringify(base)}]`, "the payload is a JSON list; OwnTracks sends one JSON object per message"],
    ["null", "the payload is null, not an OwnTracks JSON object"],
    ["42", "the payload is 42, not an OwnTracks JSON object"],
    [{ lat: 1, lon: 2, tst: 3 }, 'the message has no "_type", so it is not an OwnTracks message'],
    [{ _type: 5 }, '"_type" is 5, not text'],
    [{ ...base, lat: undefined }, 'the location has no "lat"'],
    [{ ...base, lon: null }, 'the location has no "lon"'],
    [{ ...base, tst: undefined }, 'the location has no "tst"'],
    [{ ...base, lat: 123.4 }, '"lat" is 123.4, outside -90…90'],
    [{ ...base, lon: -180.5 }, '"lon" is -180.5, outside -180…180'],
    [{ ...base, lat: "35.5" }, '"lat" is "35.5", not a number'],
    [{ ...base, tst: 12 }, `"tst" is 12 (1970-01-01T00:00:12.000Z), not between 2000 and 2100; check the phone's clock`],
    [{ ...base, tst: 1_714_572_191_000 }, '"tst" is 1714572191000, which looks like milliseconds; OwnTracks sends epoch seconds'],
    [{ ...base, tst: 1e300 }, `"tst" is 1e+300, not between 2000 and 2100; check the phone's clock`],
    [{ ...base, vel: 512 }, '"vel" is 512 km/h, above 400 km/h'],
    [{ ...base, vel: "fast" }, '"vel" is "fast", not a number'],
    [{ ...base, cog: 361 }, '"cog" is 361 degrees, above 360 degrees'],
    [{ ...base, alt: 25_000 }, '"alt" is 25000 m, outside -1000…20000 m'],
    [{ ...base, alt: true }, '"alt" is true, not a number'],
    [{ ...base, acc: 2_000_000 }, '"acc" is 2000000 m, above 1000000 m'],
    [{ ...base, batt: 101 }, '"batt" is 101 %, above 100 %'],
  ])("%p", (payload, expected) => {
    expect(reason(payload)).toBe(expected);
  });

  test("a long junk value is shortened in the reason", () => {
    expect(reason({ ...base, lat: "x".repeat(200) })).toBe(`"lat" is "${"x".repeat(36)}…, not a number`);
  });
});

test("fuzz: 10 000 payloads, no crashes, every rejection has a reason, some decode", () => {
  const samples = readdirSync(cases).map(recorded);
  const started = performance.now();
  const report = fuzzDecoder((payload) => instance.decode({ ...message(""), payload }), fuzzPayloads(samples, 10_000, 7));
  expect(report.crashes.slice(0, 3)).toEqual([]);
  if (process.env.FUZZ_REPORT) console.log(report.decoded, report.rejected, report.reasons);
  expect(report.decoded).toBeGreaterThan(100);
  expect(report.rejected).toBeGreaterThan(100);
  expect(performance.now() - started).toBeLessThan(3000);
});
