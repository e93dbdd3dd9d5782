/**
 * OsmAnd / Traccar Client decoder against HTTP requests recorded as the trackers send them
 * (testcases/*.http: request line, headers, body), turned into the InboundMessage the core's HTTP
 * ingest builds; then tables of each parameter and unit, the ignore cases, every rejection reason,
 * and fuzz runs over the JSON and form bodies.
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
const RECEIVED_AT = 1_714_580_000_000;

async function create(options: Record<string, unknown> = {}): Promise<TelemetryDecodeInstance> {
  return (await plugin.create({
    sourceId: "phones-http",
    options: Value.Default(plugin.configSchema, options) as never,
    log: createLogger({ write: () => {} }),
    signal: new AbortController().signal,
    services: { provisionDemoDevice: async () => null },
  })) as TelemetryDecodeInstance;
}
const instance = await create();

/** A recorded request as the core's HTTP ingest hands it over (which also drops `token`). */
function recorded(name: string): InboundMessage {
  const raw = readFileSync(join(cases, name), "utf8");
  const split = raw.indexOf("\r\n\r\n");
  const [requestLine, ...headers] = raw.slice(0, split).split("\r\n");
  const target = requestLine!.split(" ")[1]!;
  const url = new URL(target, "http://haulbox.local");
  const query = Object.fromEntries(url.searchParams);
  delete query.token;
  const contentType = headers.find((h) => /^content-type:/i.test(h))?.split(":")[1]!.trim() ?? null;
  return { sourceId: "phones-http", deviceId: null, topic: null, payload: new TextEncoder().encode(raw.slice(split + 4)), receivedAt: RECEIVED_AT, http: { query, contentType } };
}

const get = (query: Record<string, string>): InboundMessage => ({ sourceId: "phones-http", deviceId: null, topic: null, payload: new Uint8Array(), receivedAt: RECEIVED_AT, http: { query, contentType: null } });
const post = (body: string | object, contentType: string | null = "application/json", query: Record<string, string> = {}): InboundMessage => ({
  sourceId: "phones-http",
  deviceId: null,
  topic: null,
  payload: new TextEncoder().encode(typeof body === "string" ? body : JSON.stringify(body)),
  receivedAt: RECEIVED_AT,
  http: { query, contentType },
});

function reason(message: InboundMessage, decoder = instance): string {
  try {
    decoder.decode(message);
  } catch (error) {
    expect(error).toBeInstanceOf(DecodeError);
    return (error as Error).message;
  }
  throw new Error("expected a DecodeError");
}

describe("definition", () => {
  test("is a valid http decode plugin on /ingest/osmand, speed in knots by default", () => {
    expect(definitionProblems(plugin)).toEqual([]);
    expect(Value.Default(plugin.configSchema, {})).toEqual({ path: "/ingest/osmand", speed_unit: "knots" });
    // Whether the path is under /ingest/ is the core's check (tests/config/telemetry-sources.test.ts).
    expect(Value.Check(plugin.configSchema, { path: "/ingest/x", speed_unit: "furlongs" })).toBe(false);
    expect(Value.Check(plugin.configSchema, { path: "/ingest/x", speed_unit: "kmh", other: 1 })).toBe(false);
  });

  test("every option says what it is in a sentence", () => {
    for (const [key, option] of Object.entries(plugin.configSchema.properties)) expect((option as { description?: string }).description, key).toMatch(/^[A-Z].*\.$/);
  });

  test("the sample YAML in sample.yaml is the one in the README", () => {
    const sample = readFileSync(join(import.meta.dir, "sample.yaml"), "utf8").trim();
    expect(readFileSync(join(import.meta.dir, "README.md"), "utf8")).toContain(sample);
  });
});

describe("recorded requests", () => {
  test("legacy Traccar Client for Android: query on a POST, speed in knots, timestamp in seconds", () => {
    const result = instance.decode(recorded("traccar-client-android-legacy.http"));
    expect(result.device).toBe("412876");
    expect(result.records).toEqual([
      { type: "position", ts: 1_714_572_191_000, lat: 35.219821, lon: -101.831296, speed_kmh: 52.3 * 1.852, heading_deg: 271, altitude_m: 370, accuracy_m: 4 },
      { type: "reading", ts: 1_714_572_191_000, name: "device_battery_pct", value: 87 },
    ]);
  });

  test("OsmAnd app: GET, timestamp in milliseconds, hdop ignored, speed in m/s with speed_unit: mps", async () => {
    const mps = await create({ speed_unit: "mps" });
    expect(mps.decode(recorded("osmand-app.http"))).toEqual({ device: "truck7", records: [{ type: "position", ts: 1_714_575_800_123, lat: 35.183702, lon: -102.148431, speed_kmh: 28.6 * 3.6, altitude_m: 342.5 }] });
  });

  test("form-encoded body, date-time without zone taken as UTC, bearing -1 left out", () => {
    expect(instance.decode(recorded("form-body.http"))).toEqual({
      device: "truck9",
      records: [
        { type: "position", ts: Date.UTC(2024, 4, 1, 18, 10), lat: 35.083962, lon: -106.650421, speed_kmh: 0, altitude_m: 1619, accuracy_m: 12 },
        { type: "reading", ts: Date.UTC(2024, 4, 1, 18, 10), name: "device_battery_pct", value: 41 },
      ],
    });
  });

  test("deviceid, location=lat,lon, ISO timestamp, heading", () => {
    expect(instance.decode(recorded("location-param.http"))).toEqual({ device: "unit-12", records: [{ type: "position", ts: Date.UTC(2024, 4, 1, 20, 15), lat: 36.1699, lon: -115.1398, heading_deg: 45 }] });
  });

  test("valid=false keeps only the battery", () => {
    expect(instance.decode(recorded("invalid-fix.http"))).toEqual({ device: "412876", records: [{ type: "reading", ts: 1_714_572_300_000, name: "device_battery_pct", value: 86 }] });
  });

  test("Traccar Client JSON: speed m/s, battery 0–1, odometer and activity ignored", () => {
    const ts = Date.UTC(2024, 4, 1, 14, 3, 11, 123);
    expect(instance.decode(recorded("traccar-client-json.http"))).toEqual({
      device: "412876",
      records: [
        { type: "position", ts, lat: 35.219821, lon: -101.831296, speed_kmh: 26.8 * 3.6, heading_deg: 271.3, altitude_m: 370.1, accuracy_m: 4.9 },
        { type: "reading", ts, name: "device_battery_pct", value: 87 },
      ],
    });
  });

  test("Traccar Client JSON from iOS: speed, heading and battery -1 are left out", () => {
    expect(instance.decode(recorded("traccar-client-json-ios-unknowns.http"))).toEqual({
      device: "ios-sim-1",
      records: [{ type: "position", ts: Date.UTC(2024, 4, 1, 22, 41, 5, 870), lat: 34.0522, lon: -118.2437, altitude_m: 89.2, accuracy_m: 35 }],
    });
  });

  test("Traccar Client JSON batch: one position and battery per location", () => {
    const result = instance.decode(recorded("traccar-client-json-batch.http"));
    expect(result.device).toBe("412876");
    expect(result.records.map((r) => [r.type, r.ts])).toEqual([
      ["position", Date.UTC(2024, 4, 1, 15)],
      ["reading", Date.UTC(2024, 4, 1, 15)],
      ["position", Date.UTC(2024, 4, 1, 15, 1)],
      ["reading", Date.UTC(2024, 4, 1, 15, 1)],
    ]);
    expect(result.records[3]).toEqual({ type: "reading", ts: Date.UTC(2024, 4, 1, 15, 1), name: "device_battery_pct", value: 91 });
  });

  test("every record of every recording is canonical", () => {
    for (const file of readdirSync(cases)) for (const record of instance.decode(recorded(file)).records) expect(recordProblem(record), file).toBeNull();
  });
});

describe("query form parameters", () => {
  const base = { id: "truck7", lat: "35.5", lon: "-97.5", timestamp: "1714572191" };
  const position = (query: Record<string, string>, decoder = instance) => decoder.decode(get({ ...base, ...query })).records[0];
  const at = { type: "position" as const, ts: 1_714_572_191_000, lat: 35.5, lon: -97.5 };

  test.each([
    ["timestamp seconds", { timestamp: "1714572191" }, {}],
    ["timestamp fractional seconds", { timestamp: "1714572191.5" }, { ts: 1_714_572_191_500 }],
    ["timestamp milliseconds", { timestamp: "1714572191000" }, {}],
    ["timestamp ISO with offset", { timestamp: "2024-05-01T09:03:11-05:00" }, {}],
    ["timestamp yyyy-MM-dd HH:mm:ss", { timestamp: "2024-05-01 14:03:11" }, {}],
    ["speed 0", { speed: "0" }, { speed_kmh: 0 }],
    ["speed 10 knots", { speed: "10" }, { speed_kmh: 18.52 }],
    ["speed -1", { speed: "-1" }, {}],
    ["speed empty", { speed: "" }, {}],
    ["bearing", { bearing: "180.5" }, { heading_deg: 180.5 }],
    ["heading", { heading: "90" }, { heading_deg: 90 }],
    ["bearing wins over heading", { bearing: "10", heading: "20" }, { heading_deg: 10 }],
    ["altitude below sea level", { altitude: "-86" }, { altitude_m: -86 }],
    ["accuracy", { accuracy: "7.5" }, { accuracy_m: 7.5 }],
    ["hdop is not accuracy", { hdop: "1.2" }, {}],
    ["extra attributes", { charge: "true", mock: "false", driverUniqueId: "D-42", motion: "true", ignition: "1" }, {}],
    ["valid=true", { valid: "true" }, {}],
    ["token ignored", { token: "s3cret" }, {}],
  ] as [string, Record<string, string>, object][])("%s", (_name, query, extra) => {
    expect(position(query)).toEqual({ ...at, ...extra });
  });

  test("no timestamp: the time Haulbox received it", () => {
    expect(instance.decode(get({ id: "truck7", lat: "35.5", lon: "-97.5" })).records[0]!.ts).toBe(RECEIVED_AT);
  });

  test.each([
    ["knots", "10", 18.52],
    ["kmh", "88", 88],
    ["mps", "25", 90],
    ["mph", "65", 104.60736],
  ])("speed_unit %s: speed %s is %d km/h", async (unit, speed, kmh) => {
    expect(position({ speed }, await create({ speed_unit: unit }))!).toMatchObject({ speed_kmh: expect.closeTo(kmh, 9) });
  });

  test.each([
    ["batt=55", { batt: "55" }, [55]],
    ["batt=100", { batt: "100" }, [100]],
    ["batt=-1", { batt: "-1" }, []],
    ["no batt", {}, []],
  ] as [string, Record<string, string>, number[]][])("%s", (_name, query, values) => {
    expect(instance.decode(get({ ...base, ...query })).records.slice(1).map((r) => (r as { value: number }).value)).toEqual(values);
  });

  test("a numeric id becomes the device as text", () => {
    expect(instance.decode(get(base)).device).toBe("truck7");
    expect(instance.decode(get({ ...base, id: "123456" })).device).toBe("123456");
  });

  test("URL parameters win over a form body's", () => {
    expect(instance.decode(post("id=from-body&lat=1.5&lon=2.5", "application/x-www-form-urlencoded", { id: "from-url" }))).toEqual({ device: "from-url", records: [{ type: "position", ts: RECEIVED_AT, lat: 1.5, lon: 2.5 }] });
  });

  test("a token in a form body is ignored", () => {
    expect(instance.decode(post("id=t1&lat=1.5&lon=2.5&token=abc", "application/x-www-form-urlencoded")).device).toBe("t1");
  });
});

describe("Traccar Client JSON", () => {
  const location = { timestamp: "2024-05-01T14:03:11Z", coords: { latitude: 35.5, longitude: -97.5 } };
  const decodeJson = (body: object, query: Record<string, string> = {}) => instance.decode(post(body, "application/json", query));

  test.each([
    ["speed 25 m/s", { speed: 25 }, { speed_kmh: 90 }],
    ["speed 0", { speed: 0 }, { speed_kmh: 0 }],
    ["speed -1", { speed: -1 }, {}],
    ["heading -1", { heading: -1 }, {}],
    ["heading 359.9", { heading: 359.9 }, { heading_deg: 359.9 }],
    ["altitude", { altitude: 1200.4 }, { altitude_m: 1200.4 }],
    ["accuracy", { accuracy: 3 }, { accuracy_m: 3 }],
    ["accuracy -1", { accuracy: -1 }, {}],
    ["null fields", { speed: null, heading: null, altitude: null, accuracy: null }, {}],
  ] as [string, object, object][])("%s", (_name, coords, extra) => {
    expect(decodeJson({ device_id: "t1", location: { ...location, coords: { ...location.coords, ...coords } } }).records).toEqual([{ type: "position", ts: Date.UTC(2024, 4, 1, 14, 3, 11), lat: 35.5, lon: -97.5, ...extra }]);
  });

  test.each([
    [0.57, 57],
    [1, 100],
    [0, 0],
    [0.123, 12.3],
  ])("battery level %p is %p %", (level, pct) => {
    expect(decodeJson({ device_id: "t1", location: { ...location, battery: { level, is_charging: false } } }).records[1]).toEqual({ type: "reading", ts: Date.UTC(2024, 4, 1, 14, 3, 11), name: "device_battery_pct", value: pct });
  });

  test("no timestamp: the time Haulbox received it; epoch numbers work too", () => {
    expect(decodeJson({ device_id: "t1", location: { coords: location.coords } }).records[0]!.ts).toBe(RECEIVED_AT);
    expect(decodeJson({ device_id: "t1", location: { ...location, timestamp: 1_714_572_191_000 } }).records[0]!.ts).toBe(1_714_572_191_000);
  });

  test("a numeric device_id, or the id in the URL when the body has none", () => {
    expect(decodeJson({ device_id: 412876, location }).device).toBe("412876");
    expect(decodeJson({ location }, { id: "from-url" }).device).toBe("from-url");
  });

  test("JSON without a content type is recognised", () => {
    expect(instance.decode(post({ device_id: "t1", location }, null)).device).toBe("t1");
  });

  test("extra fields are ignored", () => {
    expect(decodeJson({ device_id: "t1", location: { ...location, odometer: 99999, is_moving: true, event: "heartbeat", mock: false, activity: { type: "in_vehicle" }, extras: { a: 1 } }, extra: 1 }).records).toHaveLength(1);
  });
});

describe("rejections", () => {
  const base = { id: "truck7", lat: "35.5", lon: "-97.5", timestamp: "1714572191" };
  const location = { timestamp: "2024-05-01T14:03:11Z", coords: { latitude: 35.5, longitude: -97.5 } };
  test.each([
    ["empty request", get({}), "the request carries no parameters and no body; expected ?id=…&lat=…&lon=… or Traccar Client JSON"],
    ["only a token", get({ token: "x" }), "the request carries no parameters and no body; expected ?id=…&lat=…&lon=… or Traccar Client JSON"],
    ["no id", get({ lat: "1", lon: "2" }), 'there is no "id" parameter: the tracker must send its device id (like ?id=truck7&lat=…&lon=…)'],
    ["bad id", get({ ...base, id: "truck 7!" }), '"id" is "truck 7!"; a device id is 1–64 letters, digits, _ . : or - (starting with a letter or digit)'],
    ["no lat", get({ id: "t", lon: "2" }), 'there is no "lat" parameter, so there is no position'],
    ["no lon", get({ id: "t", lat: "2" }), 'there is no "lon" parameter, so there is no position'],
    ["lat out of range", get({ ...base, lat: "123.4" }), '"lat" is 123.4, outside -90…90'],
    ["lon out of range", get({ ...base, lon: "-200" }), '"lon" is -200, outside -180…180'],
    ["lat not a number", get({ ...base, lat: "35,5" }), '"lat" is "35,5", not a number'],
    ["lat hex", get({ ...base, lat: "0x10" }), '"lat" is "0x10", not a number'],
    ["lat Infinity", get({ ...base, lat: "Infinity" }), '"lat" is "Infinity", not a number'],
    ["bad location", get({ id: "t", location: "35.5" }), '"location" is "35.5"; expected latitude,longitude'],
    ["0,0", get({ ...base, lat: "0", lon: "0" }), "the position is 0,0: the tracker had no GPS fix"],
    ["timestamp text", get({ ...base, timestamp: "yesterday" }), '"timestamp" is "yesterday", not epoch seconds, epoch milliseconds or an ISO 8601 time'],
    ["timestamp 1970", get({ ...base, timestamp: "12" }), `"timestamp" is "12" (1970-01-01T00:00:12.000Z), not between 2000 and 2100; check the tracker's clock`],
    ["timestamp huge", get({ ...base, timestamp: "1e20" }), `"timestamp" is "1e20", not between 2000 and 2100; check the tracker's clock`],
    ["speed too high", get({ ...base, speed: "300" }), '"speed" (knots) is 300 (556 km/h), above 400 km/h'],
    ["speed junk", get({ ...base, speed: "fast" }), '"speed" (knots) is "fast", not a number'],
    ["bearing above 360", get({ ...base, bearing: "400" }), '"bearing" is 400°, above 360°'],
    ["altitude", get({ ...base, altitude: "30000" }), '"altitude" is 30000 m, outside -1000…20000 m'],
    ["accuracy", get({ ...base, accuracy: "2e6" }), '"accuracy" is 2000000 m, above 1000000 m'],
    ["batt above 100", get({ ...base, batt: "150" }), '"batt" is 150%, above 100%'],
    ["JSON broken", post("{\"location\":", "application/json"), "the body is not JSON, though it was sent as JSON"],
    ["JSON list", post([{ device_id: "t1", location }]), 'the JSON body is a list; expected an object with "location" and "device_id"'],
    ["JSON null", post("null", "application/json"), 'the JSON body is null; expected an object with "location" and "device_id"'],
    ["JSON no device_id", post({ location }), 'the JSON has no "device_id": set the device identifier in Traccar Client'],
    ["JSON bad device_id", post({ device_id: "", location }), '"device_id" is ""; a device id is 1–64 letters, digits, _ . : or - (starting with a letter or digit)'],
    ["JSON no location", post({ device_id: "t1" }), 'the JSON has no "location"'],
    ["JSON empty batch", post({ device_id: "t1", location: [] }), '"location" is an empty list'],
    ["JSON location not an object", post({ device_id: "t1", location: "here" }), '"location" is "here", not a location object'],
    ["JSON batch item", post({ device_id: "t1", location: [location, 5] }), '"location"[1] is 5, not a location object'],
    ["JSON no coords", post({ device_id: "t1", location: { timestamp: location.timestamp } }), '"location" has no "coords"'],
    ["JSON coords junk", post({ device_id: "t1", location: { coords: [] } }), '"location".coords is [], not an object'],
    ["JSON no latitude", post({ device_id: "t1", location: { coords: { longitude: 1 } } }), '"location".coords has no "latitude"'],
    ["JSON no longitude", post({ device_id: "t1", location: { coords: { latitude: 1 } } }), '"location".coords has no "longitude"'],
    ["JSON latitude out of range", post({ device_id: "t1", location: { coords: { latitude: 95, longitude: 1 } } }), '"latitude" is 95, outside -90…90'],
    ["JSON latitude text", post({ device_id: "t1", location: { coords: { latitude: "north", longitude: 1 } } }), '"latitude" is "north", not a number'],
    ["JSON timestamp junk", post({ device_id: "t1", location: { ...location, timestamp: "2024-02-30T00:00:00Z" } }), '"location".timestamp is "2024-02-30T00:00:00Z", not epoch seconds, epoch milliseconds or an ISO 8601 time'],
    ["JSON speed", post({ device_id: "t1", location: { ...location, coords: { ...location.coords, speed: 150 } } }), '"speed" (m/s) is 150 (540 km/h), above 400 km/h'],
    ["JSON battery", post({ device_id: "t1", location: { ...location, battery: { level: 87 } } }), '"battery.level" is 87, above 1'],
  ] as [string, InboundMessage, string][])("%s", (_name, message, expected) => {
    expect(reason(message)).toBe(expected);
  });
});

test("fuzz: 10 000 payloads, no crashes, every rejection has a reason, some decode", () => {
  const recordings = readdirSync(cases).map(recorded);
  const samples = recordings.map((m) => m.payload).filter((p) => p.byteLength > 0);
  // The query-form recordings as form bodies, so mutations reach the parameter parser too.
  for (const m of recordings) if (m.payload.byteLength === 0) samples.push(new TextEncoder().encode(new URLSearchParams(m.http!.query).toString()));
  const started = performance.now();
  let i = 0;
  const report = fuzzDecoder((payload) => {
    // Alternate what the header says, so both the JSON and form paths and the sniffing see junk.
    const contentType = [null, "application/json", "application/x-www-form-urlencoded"][i++ % 3]!;
    return instance.decode({ sourceId: "phones-http", deviceId: null, topic: null, payload, receivedAt: RECEIVED_AT, http: { query: {}, contentType } });
  }, fuzzPayloads(samples, 10_000, 11));
  expect(report.crashes.slice(0, 3)).toEqual([]);
  if (process.env.FUZZ_REPORT) console.log(report.decoded, report.rejected, report.reasons);
  expect(report.decoded).toBeGreaterThan(100);
  expect(report.rejected).toBeGreaterThan(100);
  expect(performance.now() - started).toBeLessThan(3000);
});
