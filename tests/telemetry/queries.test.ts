/** Telemetry read queries over rows inserted directly: status rule and config threshold, track thinning, readings by name, faults, trips, dead letters, scopes. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import type { Database } from "bun:sqlite";
import { openDatabase } from "../../src/db/open";
import { migrate } from "../../src/db/migrate";
import { Fleet } from "../../src/telemetry/fleet";
import { insertReading } from "../helpers/telemetry";
import { deadLetterKey, formatFahrenheit, formatFuel, formatMiles, startOfDay, TelemetryQueries } from "../../src/telemetry/queries";
import { tempDir } from "../helpers/app";

const dir = tempDir("haulbox-queries-");
let db: Database;
let truck: number;
let other: number;
const NOW = Date.UTC(2025, 5, 10, 15, 0, 0);
let offlineMinutes = 15;
let queries: TelemetryQueries;

beforeAll(() => {
  db = openDatabase(dir);
  migrate(db);
  const fleet = new Fleet(db, () => NOW);
  truck = fleet.createVehicle({ unit: "101" }).id;
  other = fleet.createVehicle({ unit: "202" }).id;
  fleet.createDevice({ id: "b-dev", vehicle_id: truck });
  fleet.createDevice({ id: "a-dev", vehicle_id: truck });
  queries = new TelemetryQueries(db, () => offlineMinutes, () => NOW);
  const insert = db.query("INSERT INTO positions (vehicle_id, ts, lat_e6, lon_e6, speed_dkmh, heading) VALUES (?, ?, ?, ?, ?, ?)");
  db.transaction(() => {
    for (let i = 0; i < 12_000; i++) insert.run(truck, NOW - 12_000_000 + i * 1000, 40_000_000 + i, -90_000_000, 500, null);
  })();
  db.query("INSERT INTO vehicle_state (vehicle_id, last_seen, speed_kmh, ignition, updated_at) VALUES (?, ?, 0, 1, ?)").run(truck, NOW - 20 * 60_000, NOW);
});
afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("TelemetryQueries", () => {
  test("status follows the configured offline threshold; devices sorted; scopes", () => {
    offlineMinutes = 15;
    expect(queries.vehicle(truck)!.status).toBe("offline");
    offlineMinutes = 30;
    expect(queries.vehicle(truck)).toMatchObject({ status: "idle", device_ids: ["a-dev", "b-dev"], active_faults: 0 });
    expect(queries.vehicle(other)).toMatchObject({ status: "offline", state: null });
    expect(queries.vehicles({ all: false, vehicleId: other }).map((v) => v.vehicle.id)).toEqual([other]);
    expect(queries.vehicles({ all: false, vehicleId: null })).toEqual([]);
  });

  test("a long track is thinned evenly to the cap, keeping first and last fix, decoded from microdegrees", () => {
    const track = queries.positions(truck, NOW - 13_000_000, NOW);
    expect(track.length).toBeLessThanOrEqual(5000);
    expect(track.length).toBeGreaterThan(3000);
    expect(track[0]).toEqual({ ts: NOW - 12_000_000, lat: 40, lon: -90, speed_kmh: 50, heading: null });
    expect(track.at(-1)!.ts).toBe(NOW - 12_000_000 + 11_999 * 1000);
    const gaps = new Set(track.slice(1, -1).map((p, i) => p.ts - track[i]!.ts));
    expect(gaps.size).toBe(1);
    expect(queries.positions(truck, NOW - 12_000_000, NOW - 11_990_001)).toHaveLength(10);
  });

  test("readings by name, faults active first with texts, trips of a day", () => {
    insertReading(db, truck, "coolant_c", NOW - 1000, 90);
    insertReading(db, truck, "fuel_level_pct", NOW - 1000, 50);
    expect(queries.readings(truck, ["coolant_c"], NOW - 5000, NOW)).toEqual([{ ts: NOW - 1000, name: "coolant_c", value: 90 }]);
    db.query("INSERT INTO faults (vehicle_id, source_address, spn, fmi, oc, cm, lamp_mil, lamp_red_stop, lamp_amber_warning, lamp_protect, first_seen, last_seen, cleared_at) VALUES (?, 0, 100, 1, 1, 0, 'off', 'on', 'off', 'off', ?, ?, ?)").run(truck, NOW - 9000, NOW - 8000, NOW - 7000);
    db.query("INSERT INTO faults (vehicle_id, source_address, spn, fmi, oc, cm, lamp_mil, lamp_red_stop, lamp_amber_warning, lamp_protect, first_seen, last_seen) VALUES (?, 0, 999999, 31, 1, 0, 'off', 'off', 'on', 'off', ?, ?)").run(truck, NOW - 9000, NOW - 9000);
    const faults = queries.faults(truck);
    expect(faults.map((f) => [f.spn, f.active, f.spn_name])).toEqual([[999999, true, "SPN 999999"], [100, false, "Engine oil pressure"]]);
    expect(faults[0]!.fmi_text).toBe("Condition exists");
    expect(queries.vehicle(truck)!.active_faults).toBe(1);
    db.query("INSERT INTO trips (vehicle_id, start_ts, end_ts, distance_km) VALUES (?, ?, ?, 12.5), (?, ?, NULL, 3)").run(truck, NOW - 3 * 86400_000, NOW - 3 * 86400_000 + 3600_000, truck, NOW - 600_000);
    expect(queries.trips(truck, startOfDay(NOW, "UTC"), NOW).map((trip) => trip.distance_km)).toEqual([3]);
  });

  test("dead letters newest first by received time, paged by key; pending devices", () => {
    const insert = db.query("INSERT INTO dead_letters (received_at, payload, payload_bytes, reason) VALUES (?, 'x', 1, ?)");
    insert.run(NOW - 1000, "second");
    insert.run(NOW - 5000, "oldest");
    insert.run(NOW, "newest");
    const first = queries.deadLetters(2);
    expect(first.map((l) => l.reason)).toEqual(["newest", "second"]);
    expect(queries.deadLetters(2, [first[1]!.received_at, first[1]!.id]).map((l) => l.reason)).toEqual(["oldest"]);
    expect(deadLetterKey(first[0]!)).toBe(`${NOW}.${first[0]!.id}`);
    expect(queries.deadLetterCount(NOW - 2000)).toBe(2);
    new Fleet(db).notePending("stranger", { at: NOW });
    expect(queries.pendingDevices().map((d) => d.id)).toEqual(["stranger"]);
  });

  test("US units for display and the start of a day in a timezone", () => {
    expect(formatMiles(160.9344)).toBe("100 mi");
    expect(formatFahrenheit(100)).toBe("212 °F");
    expect(formatFuel(50, 378.5411784)).toBe("50 % (50 gal)");
    expect(startOfDay(Date.UTC(2025, 5, 10, 3, 0), "America/Chicago")).toBe(Date.UTC(2025, 5, 9, 5, 0));
  });
});
