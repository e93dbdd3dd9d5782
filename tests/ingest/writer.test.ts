/**
 * The batch writer over a real migrated database: acknowledgements only after commit, batching
 * bounds, redeliveries stored once, dead letters, the latest state (older data never overwrites
 * newer) and the DM1 fault lifecycle.
 */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { migrate } from "../../src/db/migrate";
import { TelemetryEvents, type TelemetryEvent } from "../../src/ingest/events";
import { IngestWriter, deadLetterPayload, type IngestItem } from "../../src/ingest/writer";
import { createLogger } from "../../src/log";
import { Fleet } from "../../src/telemetry/fleet";
import type { Dm1Record, TelemetryRecord } from "../../src/ingest/records";

const T0 = Date.UTC(2026, 10, 20, 12, 0, 0);
let db: Database;
let writer: IngestWriter;
let events: TelemetryEvents;
let published: TelemetryEvent[];
let vehicleId: number;

beforeEach(() => {
  db = new Database(":memory:");
  db.exec("PRAGMA foreign_keys = ON");
  migrate(db);
  const fleet = new Fleet(db);
  vehicleId = fleet.createVehicle({ unit: "101" }).id;
  fleet.createDevice({ id: "gw-101", vehicle_id: vehicleId });
  events = new TelemetryEvents();
  published = [];
  events.subscribe((event) => published.push(event));
  writer = new IngestWriter(db, events, createLogger({ level: "error", write: () => {} }), { maxRows: 3, maxBatchMs: 50 });
});
afterEach(() => db.close());

function item(records: TelemetryRecord[], extra: Partial<IngestItem> = {}): IngestItem {
  return { sourceId: "can", deviceId: "gw-101", topic: "fleet/gw-101/can", payload: new TextEncoder().encode("x"), receivedAt: T0, outcome: { kind: "records", vehicleId, deviceId: "gw-101", records }, ...extra };
}
const position = (ts: number, lat = 35.2, lon = -101.8, speed = 100): TelemetryRecord => ({ type: "position", ts, lat, lon, speed_kmh: speed, heading_deg: 90 });
const count = (table: string) => (db.query(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
const lamps = { mil: "off", red_stop: "off", amber_warning: "on", protect: "off" } as const;
const dm1 = (ts: number, faults: [number, number][], sa = 0): Dm1Record => ({ type: "dm1", ts, source_address: sa, lamps, faults: faults.map(([spn, fmi]) => ({ spn, fmi, oc: 1, cm: 0 })) });

describe("acknowledgement after commit", () => {
  test("done runs only after the batch is committed, and the row is there when it runs", async () => {
    const seenAtAck: number[] = [];
    writer.submit(item([position(T0)], { done: () => seenAtAck.push(count("positions")) }));
    expect(seenAtAck).toEqual([]); // queued, not yet written
    expect(count("positions")).toBe(0);
    await Bun.sleep(20);
    expect(seenAtAck).toEqual([1]);
  });

  test("a full batch is written at once, without waiting for the timer", () => {
    let acked = 0;
    for (let i = 0; i < 3; i++) writer.submit(item([position(T0 + i * 1000)], { done: () => acked++ }));
    // maxRows is 3: the third submit starts the flush synchronously (the commit itself is synchronous).
    return writer.flush().then(() => {
      expect(acked).toBe(3);
      expect(count("positions")).toBe(3);
    });
  });

  test("a batch that cannot be written is retried message by message; only the unstorable one is not acknowledged", async () => {
    const results: (string | undefined)[] = [];
    writer.submit(item([position(T0)], { done: (e) => results.push(e?.message) }));
    // vehicle 999 does not exist: the fault insert violates the foreign key and fails its transaction.
    writer.submit(item([dm1(T0, [[100, 1]])], { outcome: { kind: "records", vehicleId: 999, deviceId: "ghost", records: [dm1(T0, [[100, 1]])] }, done: (e) => results.push(e?.message) }));
    writer.submit(item([position(T0 + 1000)], { done: (e) => results.push(e?.message) }));
    await writer.flush();
    expect(results).toEqual([undefined, undefined, undefined]);
    expect(count("positions")).toBe(2);
    const dead = db.query("SELECT reason FROM dead_letters").all() as { reason: string }[];
    expect(dead.length).toBe(1);
    expect(dead[0]!.reason).toStartWith("storing failed:");
  });
});

describe("redeliveries", () => {
  test("a DUP copy of a stored delivery is acknowledged and skipped; without DUP the same key is not trusted to mean a copy", async () => {
    const key = new Uint8Array(16).fill(7);
    // No timestamp in the payload: each copy gets its own receive time, so only the key can tell.
    await writer.write(item([position(T0)], { key }));
    await writer.write(item([position(T0 + 5000)], { key, redelivery: true }));
    expect(count("positions")).toBe(1);
    expect(writer.stats.duplicates).toBe(1);
    await writer.write(item([position(T0 + 9000)], { key: new Uint8Array(16).fill(8), redelivery: true }));
    expect(count("positions")).toBe(2);
  });

  test("positions and readings with the same vehicle and time are stored once", async () => {
    await writer.write(item([position(T0), { type: "reading", ts: T0, name: "fuel_level_pct", value: 50 }]));
    await writer.write(item([position(T0), { type: "reading", ts: T0, name: "fuel_level_pct", value: 50 }]));
    expect(count("positions")).toBe(1);
    expect(count("readings")).toBe(1);
  });

  test("a message's readings of one time share a row; a later message of that time adds names, never changes a stored value", async () => {
    await writer.write(item([{ type: "reading", ts: T0, name: "fuel_level_pct", value: 50 }, { type: "reading", ts: T0, name: "coolant_c", value: 88 }, { type: "reading", ts: T0 + 1, name: "coolant_c", value: 89 }]));
    await writer.write(item([{ type: "reading", ts: T0, name: "fuel_level_pct", value: 49 }, { type: "reading", ts: T0, name: "engine_rpm", value: 1400 }]));
    expect(db.query("SELECT ts, fuel_level_pct, coolant_c, engine_rpm, odometer_km FROM readings ORDER BY ts").all()).toEqual([
      { ts: T0, fuel_level_pct: 50, coolant_c: 88, engine_rpm: 1400, odometer_km: null },
      { ts: T0 + 1, fuel_level_pct: null, coolant_c: 89, engine_rpm: null, odometer_km: null },
    ]);
  });
});

describe("dead letters", () => {
  test("keep source, device, topic, time, the payload (text or hex, cut) and the reason", async () => {
    await writer.write({ sourceId: "can", deviceId: "gw-9", topic: "fleet/gw-9/can", payload: new TextEncoder().encode("garbage"), receivedAt: T0, outcome: { kind: "dead", reason: "unknown device" } });
    expect(db.query("SELECT source_id, device_id, topic, payload, payload_bytes, reason, received_at FROM dead_letters").get()).toEqual({ source_id: "can", device_id: "gw-9", topic: "fleet/gw-9/can", payload: "garbage", payload_bytes: 7, reason: "unknown device", received_at: T0 });
    expect(published.at(-1)!.deadLetters).toBe(1);
  });

  test.each([
    ["plain text", new TextEncoder().encode("hello"), 100, "hello"],
    ["cut to the limit", new TextEncoder().encode("abcdefgh"), 4, "abcd"],
    ["binary as hex", Uint8Array.from([0xff, 0x00, 0x80]), 100, "hex:ff0080"],
    ["a multi-byte character cut in half becomes hex", new TextEncoder().encode("é"), 1, "hex:c3"],
  ])("payload %s", (_name, payload, max, expected) => expect(deadLetterPayload(payload, max)).toBe(expected));
});

describe("latest state", () => {
  test("follows the newest data and ignores older data arriving late", async () => {
    await writer.write(item([position(T0 + 60_000, 35.3, -101.7, 95), { type: "reading", ts: T0 + 60_000, name: "fuel_level_pct", value: 60 }, { type: "reading", ts: T0 + 60_000, name: "ignition", value: 1 }]));
    await writer.write(item([position(T0, 35.0, -102.0, 10), { type: "reading", ts: T0, name: "fuel_level_pct", value: 61 }], { receivedAt: T0 + 61_000 }));
    const state = db.query("SELECT lat, lon, speed_kmh, fuel_level_pct, ignition, last_seen, position_ts FROM vehicle_state WHERE vehicle_id = ?").get(vehicleId);
    expect(state).toEqual({ lat: 35.3, lon: -101.7, speed_kmh: 95, fuel_level_pct: 60, ignition: 1, last_seen: T0 + 61_000, position_ts: T0 + 60_000 });
    // Both positions are history, though: the track has them.
    expect(count("positions")).toBe(2);
    const last = published.at(-1)!;
    expect(last.vehicles.map((v) => v.vehicle_id)).toEqual([vehicleId]);
  });

  test("positions are stored compactly: microdegrees, 0.1 km/h", async () => {
    await writer.write(item([{ type: "position", ts: T0, lat: 35.221997, lon: -101.831297, speed_kmh: 104.64, heading_deg: 359.6 }]));
    expect(db.query("SELECT lat_e6, lon_e6, speed_dkmh, heading FROM positions").get()).toEqual({ lat_e6: 35221997, lon_e6: -101831297, speed_dkmh: 1046, heading: 0 });
  });
});

describe("DM1 fault lifecycle", () => {
  const faults = () => db.query("SELECT spn, fmi, source_address, first_seen, last_seen, cleared_at FROM faults ORDER BY id").all();

  test("codes appear, refresh, clear when missing from the next DM1 of that source, and all clear on an empty DM1", async () => {
    await writer.write(item([dm1(T0, [[3364, 4], [110, 16]])]));
    await writer.write(item([dm1(T0 + 1000, [[3364, 4]]), dm1(T0 + 1000, [[100, 1]], 3)]));
    expect(faults()).toEqual([
      { spn: 3364, fmi: 4, source_address: 0, first_seen: T0, last_seen: T0 + 1000, cleared_at: null },
      { spn: 110, fmi: 16, source_address: 0, first_seen: T0, last_seen: T0, cleared_at: T0 + 1000 },
      { spn: 100, fmi: 1, source_address: 3, first_seen: T0 + 1000, last_seen: T0 + 1000, cleared_at: null },
    ]);
    expect((db.query("SELECT active_faults FROM vehicle_state").get() as { active_faults: number }).active_faults).toBe(2);
    await writer.write(item([dm1(T0 + 2000, [])]));
    // Source 0's codes cleared; source 3's code is another ECU's and stays.
    expect((faults() as { cleared_at: number | null }[]).map((f) => f.cleared_at)).toEqual([T0 + 2000, T0 + 1000, null]);
    expect(published.at(-1)!.faultsChanged).toEqual([vehicleId]);
  });

  test("a code that clears and returns starts a new episode; a late, older DM1 is ignored", async () => {
    await writer.write(item([dm1(T0, [[3364, 4]])]));
    await writer.write(item([dm1(T0 + 1000, [])]));
    await writer.write(item([dm1(T0 + 2000, [[3364, 4]])]));
    await writer.write(item([dm1(T0 + 500, [])]));
    const rows = faults() as { first_seen: number; cleared_at: number | null }[];
    expect(rows.map((r) => [r.first_seen, r.cleared_at])).toEqual([
      [T0, T0 + 1000],
      [T0 + 2000, null],
    ]);
  });
});
