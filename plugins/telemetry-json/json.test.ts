/**
 * Generic JSON decoder: recorded gateway payloads with the source YAML each needs
 * (testcases/<name>.payload.json + <name>.source.yaml), the path parser, each field and unit,
 * records_path, config errors, every rejection reason, and a fuzz run per recorded mapping.
 */
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Value } from "@sinclair/typebox/value";
import { parse } from "yaml";
import { createLogger } from "../../src/log";
import { DecodeError, READING_NAMES, recordProblem, type DecodeResult, type InboundMessage } from "../../src/ingest/records";
import { definitionProblems } from "../../src/plugins/define";
import type { TelemetryDecodeInstance } from "../../src/plugins/types";
import { fuzzDecoder, fuzzPayloads } from "../../tests/helpers/fuzz";
import plugin, { DEFAULT_FIELDS, parsePath } from "./index";

const cases = join(import.meta.dir, "testcases");
const RECEIVED_AT = 1_714_600_000_000;
const encoder = new TextEncoder();

/** A source's options as the core hands them over: checked against the schema, defaults applied. */
function options(raw: Record<string, unknown>) {
  const { id: _id, plugin: _plugin, ...rest } = raw;
  const withDefaults = Value.Default(plugin.configSchema, structuredClone(rest));
  if (!Value.Check(plugin.configSchema, withDefaults)) throw new Error(`invalid options: ${[...Value.Errors(plugin.configSchema, withDefaults)].map((e) => `${e.path} ${e.message}`).join("; ")}`);
  return withDefaults;
}

async function create(raw: Record<string, unknown> = {}): Promise<TelemetryDecodeInstance> {
  return (await plugin.create({
    sourceId: "gw",
    options: options(raw) as never,
    log: createLogger({ write: () => {} }),
    signal: new AbortController().signal,
    services: { provisionDemoDevice: async () => null },
  })) as TelemetryDecodeInstance;
}

const message = (payload: string | object | Uint8Array): InboundMessage => ({
  sourceId: "gw",
  deviceId: "truck-07",
  topic: "gateways/truck-07/json",
  payload: payload instanceof Uint8Array ? payload : encoder.encode(typeof payload === "string" ? payload : JSON.stringify(payload)),
  receivedAt: RECEIVED_AT,
});

const recording = (name: string) => ({ source: parse(readFileSync(join(cases, `${name}.source.yaml`), "utf8")) as Record<string, unknown>, payload: readFileSync(join(cases, `${name}.payload.json`), "utf8") });
const recordings = readdirSync(cases).filter((f) => f.endsWith(".payload.json")).map((f) => f.replace(".payload.json", ""));

async function decodeWith(fields: Record<string, unknown> | undefined, payload: string | object, extra: Record<string, unknown> = {}): Promise<DecodeResult> {
  return (await create({ ...(fields ? { fields } : {}), ...extra })).decode(message(payload));
}

function reasonOf(instance: TelemetryDecodeInstance, payload: string | object): string {
  try {
    instance.decode(message(payload));
  } catch (error) {
    expect(error).toBeInstanceOf(DecodeError);
    return (error as Error).message;
  }
  throw new Error("expected a DecodeError");
}

describe("definition", () => {
  test("is a valid mqtt decode plugin on gateways/{device}/json", () => {
    expect(definitionProblems(plugin)).toEqual([]);
    expect(Value.Default(plugin.configSchema, {})).toEqual({ topic: "gateways/{device}/json", records_path: "" });
  });

  test("every option and every field mapping has a sentence for a description", () => {
    const walk = (schema: { description?: string; properties?: Record<string, unknown>; anyOf?: unknown[] }, where: string) => {
      for (const [key, child] of Object.entries(schema.properties ?? {})) {
        expect((child as { description?: string }).description, `${where}${key}`).toMatch(/^[A-Z].*\.$/);
        walk(child as never, `${where}${key}.`);
      }
      for (const branch of schema.anyOf ?? []) walk(branch as never, where);
    };
    walk(plugin.configSchema as never, "");
  });

  test("the default mapping reads every canonical name from the top level", () => {
    expect(Object.keys(DEFAULT_FIELDS)).toEqual(["ts", "lat", "lon", "speed_kmh", "heading_deg", "altitude_m", "accuracy_m", ...READING_NAMES]);
    for (const [field, path] of Object.entries(DEFAULT_FIELDS)) expect(path).toBe(field);
  });

  test("unknown fields, unknown keys and units that do not fit the field are config errors", () => {
    const ok = (fields: object) => Value.Check(plugin.configSchema, Value.Default(plugin.configSchema, { fields }));
    expect(ok({ lat: "a", lon: "b", coolant_c: { path: "c", unit: "f" } })).toBe(true);
    expect(ok({ lat: "a", lon: "b", speed: "s" })).toBe(false);
    expect(ok({ coolant_c: { path: "c", unit: "mph" } })).toBe(false);
    expect(ok({ lat: { path: "a", unit: "deg" } })).toBe(false);
    expect(ok({ engine_rpm: { path: "a", factor: 2 } })).toBe(false);
    expect(ok({ engine_rpm: { unit: "rpm" } })).toBe(false);
    expect(ok({ engine_rpm: "" })).toBe(false);
    expect(ok({ ts: { path: "t", unit: "minutes" } })).toBe(false);
    expect(Value.Check(plugin.configSchema, { topic: "x/{device}", records_path: "", other: 1 })).toBe(false);
  });

  test.each([
    [{ fields: { lat: "a..b", lon: "c" } }, 'fields.lat: the path "a..b" is not valid: expected a name at character 3'],
    [{ fields: { lat: "a", lon: "b" }, records_path: "x[" }, 'records_path: the path "x[" is not valid: expected a list index like [0] or a quoted name like ["a.b"] at character 2'],
    [{ fields: { lat: "a" } }, "fields: map both lat and lon, or neither (only lat is mapped)"],
    [{ fields: { speed_kmh: "s" } }, "fields: map lat and lon, or at least one reading, or no message can give a record"],
  ])("create refuses %p", async (raw, expected) => {
    await expect(create(raw)).rejects.toThrow(expected);
  });

  test("giving fields maps only those (the default mapping is not merged in)", async () => {
    expect(await decodeWith({ engine_rpm: "r" }, { r: 900, lat: 1, lon: 2, coolant_c: 80 })).toEqual({ records: [{ type: "reading", ts: RECEIVED_AT, name: "engine_rpm", value: 900 }] });
  });

  test("the sample YAML in sample.yaml is the one in the README", () => {
    const sample = readFileSync(join(import.meta.dir, "sample.yaml"), "utf8").trim();
    expect(readFileSync(join(import.meta.dir, "README.md"), "utf8")).toContain(sample);
  });

  test("the sample YAML's sources are valid options", () => {
    const sample = parse(readFileSync(join(import.meta.dir, "sample.yaml"), "utf8")) as { sources: Record<string, unknown>[] };
    for (const source of sample.sources) expect(() => options(source)).not.toThrow();
  });
});

describe("paths", () => {
  test.each([
    ["a", ["a"]],
    ["a.b.c", ["a", "b", "c"]],
    ["a[0]", ["a", 0]],
    ["a.b[0].c", ["a", "b", 0, "c"]],
    ["[2]", [2]],
    ["list[-1]", ["list", -1]],
    ["m[0][1]", ["m", 0, 1]],
    ['["position.latitude"]', ["position.latitude"]],
    ["data['a b'].x", ["data", "a b", "x"]],
    ["a-b.c_d.$e", ["a-b", "c_d", "$e"]],
  ])("%s", (path, segments) => {
    expect(parsePath(path)).toEqual(segments as never);
  });

  test.each([
    ["", "the path is empty"],
    [".a", "expected a name at character 1"],
    ["a.", "expected a name after the dot at character 3"],
    ["a.[0]", "expected a name after the dot at character 3"],
    ["a[x]", "expected a list index"],
    ["a[0", "expected a list index"],
    ['a["b]', "a quoted name needs a closing \"]"],
    ["a]b", 'unexpected "]"'],
    ["a[0]b", 'unexpected "b"'],
  ])("%p is refused", (path, why) => {
    expect(() => parsePath(path)).toThrow(why);
  });

  test("paths never reach into prototypes", async () => {
    expect(reasonOf(await create({ fields: { engine_rpm: "constructor.name" } }), { a: 1 })).toBe("no mapped value was found; missing: engine_rpm (constructor.name)");
    expect(reasonOf(await create({ fields: { engine_rpm: "__proto__" } }), "{}")).toBe("no mapped value was found; missing: engine_rpm (__proto__)");
    expect(reasonOf(await create({ fields: { engine_rpm: "a.length" } }), { a: [1, 2] })).toBe("no mapped value was found; missing: engine_rpm (a.length)");
  });
});

describe("recorded payloads", () => {
  test("flat: the default mapping", async () => {
    const { source, payload } = recording("flat");
    const ts = 1_714_572_191_000;
    expect((await create(source)).decode(message(payload))).toEqual({
      records: [
        { type: "position", ts, lat: 35.219821, lon: -101.831296, speed_kmh: 96.5, heading_deg: 271, altitude_m: 370, accuracy_m: 4 },
        { type: "reading", ts, name: "odometer_km", value: 412345.6 },
        { type: "reading", ts, name: "engine_hours", value: 10234.55 },
        { type: "reading", ts, name: "fuel_level_pct", value: 62.4 },
        { type: "reading", ts, name: "fuel_used_l", value: 190432.5 },
        { type: "reading", ts, name: "fuel_rate_lph", value: 31.2 },
        { type: "reading", ts, name: "engine_rpm", value: 1450 },
        { type: "reading", ts, name: "coolant_c", value: 88 },
        { type: "reading", ts, name: "battery_v", value: 13.9 },
        { type: "reading", ts, name: "ignition", value: 1 },
      ],
    });
  });

  test("flespi: keys with dots, fractional epoch seconds, boolean ignition", async () => {
    const { source, payload } = recording("flespi");
    const result = (await create(source)).decode(message(payload));
    const ts = 1_714_575_800_412;
    expect(result.records[0]).toEqual({ type: "position", ts, lat: 35.183702, lon: -102.148431, speed_kmh: 104, heading_deg: 271, altitude_m: 342 });
    expect(Object.fromEntries(result.records.slice(1).map((r) => [(r as { name: string }).name, (r as { value: number }).value]))).toEqual({
      odometer_km: 412389.2,
      engine_hours: 10235.6,
      fuel_level_pct: 61,
      fuel_used_l: 190470.25,
      engine_rpm: 1475,
      coolant_c: 89,
      battery_v: 13.84,
      ignition: 1,
    });
    expect(result.records.every((r) => r.ts === ts)).toBe(true);
  });

  test("imperial: nested paths and every unit converted", async () => {
    const { source, payload } = recording("imperial");
    const result = (await create(source)).decode(message(payload));
    const ts = Date.UTC(2024, 4, 1, 14, 3, 11);
    const position = result.records[0] as unknown as Record<string, number>;
    expect(position).toMatchObject({ type: "position", ts, lat: 35.219821, lon: -101.831296, heading_deg: 270 });
    expect(position.speed_kmh).toBeCloseTo(96.56064, 9);
    expect(position.altitude_m).toBeCloseTo(1214 * 0.3048, 9);
    expect(position.accuracy_m).toBeCloseTo(13.1 * 0.3048, 9);
    const readings = Object.fromEntries(result.records.slice(1).map((r) => [(r as { name: string }).name, (r as { value: number }).value]));
    expect(readings.odometer_km).toBeCloseTo(256432.1 * 1.609344, 6);
    expect(readings.engine_hours).toBe(8123.5);
    expect(readings.coolant_c).toBeCloseTo(90.5555555556, 9);
    expect(readings.fuel_used_l).toBeCloseTo(50321.4 * 3.785411784, 6);
    expect(readings.fuel_rate_lph).toBeCloseTo(7.2 * 3.785411784, 9);
    expect(readings.fuel_level_pct).toBeCloseTo(62.5, 9);
    expect(readings.fuel_economy_kmpl).toBeCloseTo((6.4 * 1.609344) / 3.785411784, 9);
    expect(readings.engine_rpm).toBe(1400);
    expect(readings.battery_v).toBeCloseTo(13.8, 9);
    expect(readings.ignition).toBe(1);
  });

  test("batch: records_path, [lat, lon] arrays, a sample without GPS keeps its readings", async () => {
    const { source, payload } = recording("batch");
    const result = (await create(source)).decode(message(payload));
    expect(result.records.filter((r) => r.type === "position")).toEqual([
      { type: "position", ts: 1_714_590_240_000, lat: 35.083962, lon: -106.650421, speed_kmh: expect.closeTo(26.9 * 3.6, 9) },
      { type: "position", ts: 1_714_590_250_000, lat: 35.08401, lon: -106.64951, speed_kmh: expect.closeTo(27.1 * 3.6, 9) },
    ]);
    expect(result.records.filter((r) => r.type === "reading" && r.ts === 1_714_590_260_000)).toEqual([
      { type: "reading", ts: 1_714_590_260_000, name: "engine_rpm", value: 650 },
      { type: "reading", ts: 1_714_590_260_000, name: "coolant_c", value: 87 },
      { type: "reading", ts: 1_714_590_260_000, name: "odometer_km", value: 412501.4 },
    ]);
    expect(result.records).toHaveLength(11);
  });

  test("list: a payload that is a list of samples, engine data only", async () => {
    const { source, payload } = recording("list");
    expect((await create(source)).decode(message(payload)).records).toEqual([
      { type: "reading", ts: Date.UTC(2024, 4, 1, 22), name: "engine_rpm", value: 0 },
      { type: "reading", ts: Date.UTC(2024, 4, 1, 22), name: "battery_v", value: 12.6 },
      { type: "reading", ts: Date.UTC(2024, 4, 1, 22), name: "ignition", value: 0 },
      { type: "reading", ts: Date.UTC(2024, 4, 1, 22, 0, 30), name: "engine_rpm", value: 0 },
      { type: "reading", ts: Date.UTC(2024, 4, 1, 22, 0, 30), name: "battery_v", value: 12.5 },
      { type: "reading", ts: Date.UTC(2024, 4, 1, 22, 0, 30), name: "ignition", value: 0 },
    ]);
  });

  test("every record of every recording is canonical, and the device is the topic's", async () => {
    for (const name of recordings) {
      const { source, payload } = recording(name);
      const result = (await create(source)).decode(message(payload));
      expect(result.device, name).toBeUndefined();
      for (const record of result.records) expect(recordProblem(record), name).toBeNull();
    }
  });
});

describe("fields and units", () => {
  test.each([
    ["speed_kmh", "kmh", 88, 88],
    ["speed_kmh", "mph", 65, 104.60736],
    ["speed_kmh", "mps", 25, 90],
    ["speed_kmh", "knots", 10, 18.52],
    ["wheel_speed_kmh", "mph", 60, 96.56064],
    ["altitude_m", "ft", 1000, 304.8],
    ["altitude_m", "km", 1.2, 1200],
    ["accuracy_m", "m", 5, 5],
    ["odometer_km", "mi", 100, 160.9344],
    ["odometer_km", "m", 2500, 2.5],
    ["engine_hours", "min", 90, 1.5],
    ["engine_hours", "s", 7200, 2],
    ["fuel_level_pct", "ratio", 0.5, 50],
    ["fuel_used_l", "gal", 10, 37.85411784],
    ["fuel_rate_lph", "gph", 2, 7.570823568],
    ["fuel_economy_kmpl", "mpg", 6.5, (6.5 * 1.609344) / 3.785411784],
    ["fuel_economy_kmpl", "l_per_100km", 40, 2.5],
    ["coolant_c", "f", 212, 100],
    ["coolant_c", "k", 363.15, 90],
    ["battery_v", "mv", 12600, 12.6],
    ["device_battery_pct", "pct", 80, 80],
  ])("%s in %s: %d", async (field, unit, raw, expected) => {
    const fields = { [field]: { path: "v", unit }, ...(field in { speed_kmh: 1, altitude_m: 1, accuracy_m: 1 } ? { lat: "lat", lon: "lon" } : {}) };
    const result = await decodeWith(fields, { v: raw, lat: 35, lon: -97 });
    const record = result.records[0]!;
    expect(record.type === "position" ? (record as unknown as Record<string, number>)[field] : (record as { value: number }).value).toBeCloseTo(expected, 9);
  });

  test("scale and offset apply to the raw value before the unit", async () => {
    // J1939-style raw coolant: 1 °F per bit, offset -40, sent as 235 → 195 °F → 90.56 °C.
    const result = await decodeWith({ coolant_c: { path: "raw", offset: -40, unit: "f" }, lat: { path: "la", scale: 1e-7 }, lon: { path: "lo", scale: 1e-7 } }, { raw: 235, la: 352198210, lo: -1018312960 });
    expect(result.records[0]).toMatchObject({ lat: expect.closeTo(35.219821, 9), lon: expect.closeTo(-101.831296, 9) });
    expect((result.records[1] as { value: number }).value).toBeCloseTo(90.5555555556, 9);
  });

  test.each([
    ["seconds (auto)", 1_714_572_191, undefined, 1_714_572_191_000],
    ["milliseconds (auto)", 1_714_572_191_123, undefined, 1_714_572_191_123],
    ["numeric text (auto)", "1714572191", undefined, 1_714_572_191_000],
    ["ISO (auto)", "2024-05-01T14:03:11Z", undefined, 1_714_572_191_000],
    ["unit s", 1_714_572_191.5, "s", 1_714_572_191_500],
    ["unit ms", 1_714_572_191_123, "ms", 1_714_572_191_123],
    ["unit iso", "2024-05-01T14:03:11.250+00:00", "iso", 1_714_572_191_250],
  ])("ts %s", async (_name, value, unit, expected) => {
    const result = await decodeWith({ ts: unit ? { path: "t", unit } : "t", engine_rpm: "r" }, { t: value, r: 600 });
    expect(result.records[0]!.ts).toBe(expected);
  });

  test("no ts in the payload (or null): the time Haulbox received it", async () => {
    expect((await decodeWith(undefined, { engine_rpm: 700 })).records[0]!.ts).toBe(RECEIVED_AT);
    expect((await decodeWith(undefined, { ts: null, engine_rpm: 700 })).records[0]!.ts).toBe(RECEIVED_AT);
  });

  test("numbers as text, booleans for ignition, nulls and missing values skipped", async () => {
    expect((await decodeWith(undefined, { engine_rpm: "1500.5", ignition: true, coolant_c: null })).records.map((r) => (r as { value: number }).value)).toEqual([1500.5, 1]);
    expect((await decodeWith(undefined, { lat: 35, lon: -97, speed_kmh: null, heading_deg: "90" })).records).toEqual([{ type: "position", ts: RECEIVED_AT, lat: 35, lon: -97, heading_deg: 90 }]);
  });

  test("negative and nested indexes", async () => {
    const result = await decodeWith({ lat: "fixes[-1].p[0]", lon: "fixes[-1].p[1]" }, { fixes: [{ p: [1, 2] }, { p: [3, 4] }] });
    expect(result.records).toEqual([{ type: "position", ts: RECEIVED_AT, lat: 3, lon: 4 }]);
  });

  test("a sample with nothing mapped is skipped when others in the batch have values", async () => {
    const result = await decodeWith(undefined, [{ engine_rpm: 800 }, { other: 1 }]);
    expect(result.records).toHaveLength(1);
  });
});

describe("rejections", () => {
  const base = { lat: 35.5, lon: -97.5 };
  test.each([
    [undefined, "", "the payload is not JSON"],
    [undefined, "lat=1", "the payload is not JSON"],
    [undefined, "42", "the payload is 42, not a JSON object"],
    [undefined, "null", "the payload is null, not a JSON object"],
    [undefined, "[]", "the payload is an empty list"],
    [undefined, "[1, {\"engine_rpm\": 5}]", "sample 1: the sample is 1, not a JSON object"],
    [
      undefined,
      { foo: 1 },
      "no mapped value was found; missing: lat, lon, speed_kmh, heading_deg, altitude_m, accuracy_m, odometer_km, engine_hours, fuel_level_pct, fuel_used_l, fuel_rate_lph, fuel_economy_kmpl, engine_rpm, wheel_speed_kmh, coolant_c, battery_v, ignition, device_battery_pct",
    ],
    [{ lat: "gps.la", lon: "gps.lo", speed_kmh: "gps.v" }, { gps: { v: 50 } }, "no mapped value was found; missing: lat (gps.la), lon (gps.lo) (speed, heading, altitude and accuracy are kept only with lat and lon)"],
    [{ lat: "gps.la", lon: "gps.lo" }, { gps: { la: 35 } }, "lon (gps.lo) is missing, though lat (gps.la) is there"],
    [{ lat: "gps.la", lon: "gps.lo" }, { gps: { lo: 35 } }, "lat (gps.la) is missing, though lon (gps.lo) is there"],
    [undefined, { ...base, lat: 123.4 }, "lat is 123.4, outside -90…90"],
    [undefined, { ...base, lon: "west" }, 'lon is "west", not a number'],
    [undefined, { ...base, lon: "0x10" }, 'lon is "0x10", not a number'],
    [undefined, { ...base, speed_kmh: 512 }, "speed_kmh is 512 km/h, outside 0…400 km/h"],
    [undefined, { ...base, heading_deg: -5 }, "heading_deg is -5, outside 0…360"],
    [undefined, { ...base, altitude_m: [1] }, "altitude_m is [1], not a number"],
    [undefined, { engine_rpm: true }, "engine_rpm is true, not a number"],
    [undefined, { coolant_c: 1735 }, "coolant_c is 1735 °C, outside -40…210 °C"],
    [{ coolant_c: { path: "c", unit: "f" } }, { c: 3187 }, 'coolant_c (c) is 1752.778 °C (sent as 3187), outside -40…210 °C'],
    [{ fuel_economy_kmpl: { path: "e", unit: "l_per_100km" } }, { e: 0 }, "fuel_economy_kmpl (e) is Infinity km/L (sent as 0), outside 0…200 km/L"],
    [undefined, { fuel_level_pct: 101 }, "fuel_level_pct is 101 %, outside 0…100 %"],
    [undefined, { ignition: 2 }, "ignition is 2, outside 0…1"],
    [undefined, { ts: "yesterday", engine_rpm: 1 }, 'ts is "yesterday", not epoch seconds, epoch milliseconds or an ISO 8601 time'],
    [undefined, { ts: 12, engine_rpm: 1 }, `ts is 12 (1970-01-01T00:00:12.000Z), not between 2000 and 2100; check the gateway's clock or the unit`],
    [undefined, { ts: 1e300, engine_rpm: 1 }, `ts is 1e+300, not between 2000 and 2100; check the gateway's clock or the unit`],
    [{ ts: { path: "t", unit: "ms" }, engine_rpm: "r" }, { t: 1_714_572_191, r: 1 }, `ts (t) is 1714572191 (1970-01-20T20:16:12.191Z), not between 2000 and 2100; check the gateway's clock or the unit`],
    [{ ts: { path: "t", unit: "s" }, engine_rpm: "r" }, { t: "2024-05-01T00:00:00Z", r: 1 }, 'ts (t) is "2024-05-01T00:00:00Z", not a number of seconds'],
    [{ ts: { path: "t", unit: "iso" }, engine_rpm: "r" }, { t: 1_714_572_191, r: 1 }, "ts (t) is 1714572191, not an ISO 8601 time"],
    [{ engine_rpm: "r" }, [{ r: 1 }, { r: -5 }], "sample 2: engine_rpm (r) is -5 rpm, outside 0…10000 rpm"],
    [{ engine_rpm: "r" }, [{ x: 1 }, { y: 2 }], "none of the 2 samples had a mapped value; in the first, no mapped value was found; missing: engine_rpm (r)"],
  ] as [Record<string, unknown> | undefined, string | object, string][])("%p %p", async (fields, payload, expected) => {
    expect(reasonOf(await create(fields ? { fields } : {}), payload)).toBe(expected);
  });

  test.each([
    [{ records_path: "data.samples" }, { data: {} }, 'there is no list at "data.samples" (records_path)'],
    [{ records_path: "data.samples" }, { data: { samples: { engine_rpm: 1 } } }, '"data.samples" (records_path) is {"engine_rpm":1}, not a list'],
    [{ records_path: "data.samples" }, { data: { samples: [] } }, 'the list at "data.samples" (records_path) is empty'],
  ])("records_path %p with %p", async (extra, payload, expected) => {
    expect(reasonOf(await create(extra), payload)).toBe(expected);
  });
});

describe("fuzz", () => {
  test.each(recordings)("%s: 10 000 payloads, no crashes, every rejection has a reason, some decode", async (name) => {
    const { source, payload } = recording(name);
    const instance = await create(source);
    const samples = recordings.map((n) => recording(n).payload);
    // Weight this mapping's own recording so mutations of it, which it can decode, dominate.
    for (let i = 0; i < 4; i++) samples.push(payload);
    const started = performance.now();
    const report = fuzzDecoder((bytes) => instance.decode(message(bytes)), fuzzPayloads(samples, 10_000, 23));
    expect(report.crashes.slice(0, 3)).toEqual([]);
    if (process.env.FUZZ_REPORT) console.log(name, report.decoded, report.rejected, [...report.reasons.entries()].slice(0, 20));
    expect(report.decoded).toBeGreaterThan(50);
    expect(report.rejected).toBeGreaterThan(100);
    expect(performance.now() - started).toBeLessThan(3000);
  });
});
