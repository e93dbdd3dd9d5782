/**
 * Vehicles API as scenario tables through app.handle(): exact shapes, roles (a viewer cannot
 * create, a driver sees only their own truck), 404 and 422 answers, faults, positions, readings.
 * Telemetry rows are inserted directly, as the ingest writer would leave them.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { insertReading } from "../helpers/telemetry";
import { testApp, type TestApp, type TestSession } from "../helpers/app";

let t: TestApp;
let owner: TestSession;
let driver: TestSession;
let ownerToken: string;
let viewerToken: string;
let truckA: number;
let truckB: number;
const now = Date.now();

beforeAll(async () => {
  t = await testApp();
  owner = await t.login("owner");
  driver = await t.login("driver");
  ownerToken = t.token("owner");
  viewerToken = t.token("viewer");
  const fleet = t.deps.fleet;
  truckA = fleet.createVehicle({ unit: "101", name: "Big Blue", vin: "1FUJGLDR12LM12345", mpg: 6.5, tank_l: 760 }).id;
  truckB = fleet.createVehicle({ unit: "202", name: "Red" }).id;
  fleet.createDevice({ id: "gw-101", vehicle_id: truckA });
  t.deps.auth.users.update(driver.userId, { vehicle_id: truckB });
  const db = t.deps.db;
  db.query("INSERT INTO vehicle_state (vehicle_id, last_seen, position_ts, lat, lon, speed_kmh, heading, odometer_km, engine_hours, fuel_level_pct, ignition, updated_at) VALUES (?, ?, ?, 41.8781, -87.6298, 88.5, 270, 512345.6, 10234.5, 62.5, 1, ?)").run(truckA, now - 60_000, now - 60_000, now);
  for (let i = 0; i < 10; i++) db.query("INSERT INTO positions (vehicle_id, ts, lat_e6, lon_e6, speed_dkmh, heading) VALUES (?, ?, ?, ?, ?, ?)").run(truckA, now - (10 - i) * 60_000, 41_878_100 + i * 1000, -87_629_800, 885, 270);
  for (let i = 0; i < 5; i++) {
    insertReading(db, truckA, "fuel_level_pct", now - (5 - i) * 60_000, 70 - i);
    insertReading(db, truckA, "coolant_c", now - (5 - i) * 60_000, 88);
  }
  db.query("INSERT INTO faults (vehicle_id, source_address, spn, fmi, oc, cm, lamp_mil, lamp_red_stop, lamp_amber_warning, lamp_protect, first_seen, last_seen, cleared_at) VALUES (?, 0, 3364, 1, 3, 0, 'on', 'off', 'slow_flash', 'off', ?, ?, NULL)").run(truckA, now - 3600_000, now - 60_000);
  db.query("INSERT INTO faults (vehicle_id, source_address, spn, fmi, oc, cm, lamp_mil, lamp_red_stop, lamp_amber_warning, lamp_protect, first_seen, last_seen, cleared_at) VALUES (?, 0, 100, 18, 1, 0, 'off', 'off', 'on', 'off', ?, ?, ?)").run(truckA, now - 7200_000, now - 7000_000, now - 6000_000);
});
afterAll(() => t.cleanup());

async function json(method: string, path: string, init: Parameters<TestApp["request"]>[2] = { token: ownerToken }) {
  const response = await t.request(method, path, init);
  return { status: response.status, body: (await response.json()) as any };
}

describe("GET /api/v1/vehicles", () => {
  test("lists vehicles with latest state in the documented shape", async () => {
    const { status, body } = await json("GET", "/api/v1/vehicles");
    expect(status).toBe(200);
    expect(body.next_cursor).toBeNull();
    expect(body.data.map((v: any) => v.unit)).toEqual(["101", "202"]);
    const a = body.data[0];
    expect(a).toMatchObject({
      id: truckA,
      unit: "101",
      name: "Big Blue",
      vin: "1FUJGLDR12LM12345",
      device_ids: ["gw-101"],
      last_seen: new Date(now - 60_000).toISOString(),
      position: { lat: 41.8781, lon: -87.6298, speed_kmh: 88.5, heading: 270, ts: new Date(now - 60_000).toISOString() },
      odometer_km: 512345.6,
      engine_hours: 10234.5,
      fuel_level_pct: 62.5,
      status: "moving",
      active_faults: 1,
      demo: false,
    });
    expect(body.data[1]).toMatchObject({ unit: "202", device_ids: [], last_seen: null, position: null, odometer_km: null, engine_hours: null, fuel_level_pct: null, status: "offline" });
  });

  test("pages with limit and cursor", async () => {
    const first = await json("GET", "/api/v1/vehicles?limit=1");
    expect(first.body.data).toHaveLength(1);
    expect(first.body.next_cursor).toBeString();
    const second = await json("GET", `/api/v1/vehicles?limit=1&cursor=${first.body.next_cursor}`);
    expect(second.body.data[0].unit).toBe("202");
    expect(second.body.next_cursor).toBeNull();
  });

  test("a driver sees only their own truck, and another truck is a 404", async () => {
    const list = await json("GET", "/api/v1/vehicles", { session: driver });
    expect(list.body.data.map((v: any) => v.id)).toEqual([truckB]);
    for (const path of [`/api/v1/vehicles/${truckA}`, `/api/v1/vehicles/${truckA}/faults`, `/api/v1/vehicles/${truckA}/positions`, `/api/v1/vehicles/${truckA}/readings`]) {
      expect((await json("GET", path, { session: driver })).status, path).toBe(404);
    }
    expect((await json("GET", `/api/v1/vehicles/${truckB}`, { session: driver })).status).toBe(200);
  });
});

describe("POST and PATCH /api/v1/vehicles", () => {
  const scenarios: { name: string; body: unknown; status: number; contains?: string }[] = [
    { name: "a full vehicle", body: { unit: "303", name: "Night rider", vin: "1xkwd40x1ej123456", make: "Kenworth", model: "T680", year: 2021, equipment: ["v", "R"], tank_l: 567, mpg: 7.1, home_base: "Joliet, IL" }, status: 201 },
    { name: "a duplicate unit", body: { unit: "101" }, status: 409, contains: "exists already" },
    { name: "a bad VIN", body: { unit: "404", vin: "NOTAVIN" }, status: 422, contains: "vin" },
    { name: "an unknown equipment code", body: { unit: "405", equipment: ["ZZ"] }, status: 422, contains: "equipment" },
    { name: "no unit", body: { name: "nameless" }, status: 422 },
    { name: "a wrong type", body: { unit: "406", mpg: "lots" }, status: 422 },
  ];
  for (const scenario of scenarios) {
    test(`POST ${scenario.name} → ${scenario.status}`, async () => {
      const { status, body } = await json("POST", "/api/v1/vehicles", { token: ownerToken, json: scenario.body });
      expect(status).toBe(scenario.status);
      if (status === 201) expect(body).toMatchObject({ unit: "303", vin: "1XKWD40X1EJ123456", equipment: ["V", "R"], year: 2021, status: "offline", position: null, device_ids: [] });
      else expect(body.error.code).toBeString();
      if (scenario.contains) expect(body.error.message).toContain(scenario.contains);
    });
  }

  test("a viewer and a driver cannot create or edit", async () => {
    expect((await t.request("POST", "/api/v1/vehicles", { token: viewerToken, json: { unit: "999" } })).status).toBe(403);
    expect((await t.request("POST", "/api/v1/vehicles", { session: driver, json: { unit: "999" } })).status).toBe(403);
    expect((await t.request("PATCH", `/api/v1/vehicles/${truckB}`, { session: driver, json: { name: "mine now" } })).status).toBe(403);
    expect(t.deps.fleet.vehicleByUnit("999")).toBeNull();
  });

  test("PATCH changes only the fields given; unknown id is 404", async () => {
    const { status, body } = await json("PATCH", `/api/v1/vehicles/${truckB}`, { session: owner, json: { name: "Red Rocket", mpg: 6.8 } });
    expect(status).toBe(200);
    expect(body).toMatchObject({ id: truckB, unit: "202", name: "Red Rocket", mpg: 6.8 });
    expect((await json("PATCH", "/api/v1/vehicles/99999", { token: ownerToken, json: { name: "x" } })).status).toBe(404);
    const clash = await json("PATCH", `/api/v1/vehicles/${truckB}`, { token: ownerToken, json: { unit: "101" } });
    expect(clash.status).toBe(409);
  });

  test("GET one vehicle; unknown is a 404 with the error shape", async () => {
    expect((await json("GET", `/api/v1/vehicles/${truckA}`)).body.unit).toBe("101");
    const missing = await json("GET", "/api/v1/vehicles/99999");
    expect(missing).toEqual({ status: 404, body: { error: { code: "not_found", message: "There is no vehicle 99999." } } });
  });
});

describe("faults, positions and readings", () => {
  test("faults: active, cleared and all, with lamps and texts", async () => {
    const active = await json("GET", `/api/v1/vehicles/${truckA}/faults?active=true`);
    expect(active.body.data).toEqual([
      {
        spn: 3364,
        fmi: 1,
        oc: 3,
        cm: 0,
        source_address: 0,
        lamps: { mil: "on", red_stop: "off", amber_warning: "slow_flash", protect: "off" },
        spn_name: "DEF quality",
        fmi_text: "Data valid but below normal operational range - most severe level",
        active: true,
        first_seen: new Date(now - 3600_000).toISOString(),
        last_seen: new Date(now - 60_000).toISOString(),
        cleared_at: null,
      },
    ]);
    const cleared = await json("GET", `/api/v1/vehicles/${truckA}/faults?active=false`);
    expect(cleared.body.data.map((f: any) => [f.spn, f.active, f.cleared_at])).toEqual([[100, false, new Date(now - 6000_000).toISOString()]]);
    expect((await json("GET", `/api/v1/vehicles/${truckA}/faults`)).body.data).toHaveLength(2);
    expect((await json("GET", `/api/v1/vehicles/${truckA}/faults?active=maybe`)).status).toBe(422);
  });

  test("positions: default last 24 h, decoded, oldest first; ranges by ISO or epoch ms", async () => {
    const all = await json("GET", `/api/v1/vehicles/${truckA}/positions`);
    expect(all.body.data).toHaveLength(10);
    expect(all.body.data[0]).toEqual({ ts: new Date(now - 600_000).toISOString(), lat: 41.8781, lon: -87.6298, speed_kmh: 88.5, heading: 270 });
    const from = new Date(now - 185_000).toISOString();
    const iso = await json("GET", `/api/v1/vehicles/${truckA}/positions?from=${from}&to=${now}`);
    expect(iso.body.data).toHaveLength(3);
    expect((await json("GET", `/api/v1/vehicles/${truckA}/positions?from=${now - 185_000}`)).body.data).toHaveLength(3);
  });

  const bad: [string, string][] = [
    ["from=yesterday", "from"],
    ["to=2024-02-30T00:00:00Z", "to"],
    [`from=${now}&to=${now - 1000}`, "after"],
  ];
  for (const [query, word] of bad) {
    test(`positions?${query} → 422 naming ${word}`, async () => {
      const { status, body } = await json("GET", `/api/v1/vehicles/${truckA}/positions?${query}`);
      expect(status).toBe(422);
      expect(body.error.code).toBe("invalid");
      expect(body.error.message).toContain(word);
    });
  }

  test("readings by names with units; unknown names are a 422", async () => {
    const { body } = await json("GET", `/api/v1/vehicles/${truckA}/readings?names=fuel_level_pct,coolant_c`);
    expect(body.data).toHaveLength(10);
    expect(body.data[0]).toEqual({ ts: new Date(now - 300_000).toISOString(), name: "fuel_level_pct", value: 70, unit: "%" });
    expect(body.data.filter((r: any) => r.name === "coolant_c")[0].unit).toBe("°C");
    const only = await json("GET", `/api/v1/vehicles/${truckA}/readings?names=coolant_c`);
    expect(only.body.data.every((r: any) => r.name === "coolant_c")).toBe(true);
    const wrong = await json("GET", `/api/v1/vehicles/${truckA}/readings?names=coolant_c,warp_drive`);
    expect(wrong.status).toBe(422);
    expect(wrong.body.error.message).toContain("warp_drive");
  });

  test("the routes are in the OpenAPI document with summaries", async () => {
    const doc = (await json("GET", "/api/v1/openapi.json")).body;
    for (const path of ["/api/v1/vehicles", "/api/v1/vehicles/{id}", "/api/v1/vehicles/{id}/faults", "/api/v1/vehicles/{id}/positions", "/api/v1/vehicles/{id}/readings"]) {
      expect(doc.paths[path], path).toBeDefined();
      for (const operation of Object.values(doc.paths[path]) as any[]) expect(operation.summary, path).toBeString();
    }
  });
});
