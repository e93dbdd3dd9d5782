/**
 * HTTP ingest (`/ingest/osmand`) through the app, as Traccar Client and OsmAnd call it: the
 * device's token in the Authorization header or the query, 200 only after the fix is stored, 401
 * for a wrong token, unknown devices listed as pending with their data kept, and a broken payload
 * kept as a dead letter with a 400 that says why. No user login is involved.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { testApp, type TestApp } from "../helpers/app";

let t: TestApp;
let vehicleId: number;
let token: string;
const positions = () => (t.deps.db.query("SELECT count(*) AS n FROM positions WHERE vehicle_id = ?").get(vehicleId) as { n: number }).n;

beforeAll(async () => {
  t = await testApp({ yaml: "sources:\n  - id: osmand\n    plugin: telemetry-osmand\n" });
  vehicleId = t.deps.fleet.createVehicle({ unit: "H-1" }).id;
  token = t.deps.fleet.createDevice({ id: "phone-1", vehicle_id: vehicleId }).secret;
  // Sources start in the background; the path answers once the decoder is ready.
  for (let i = 0; i < 100 && t.deps.host.status("osmand")?.state !== "ok"; i++) await Bun.sleep(10);
});
afterAll(() => t.cleanup());

describe("HTTP ingest", () => {
  test("the OsmAnd query form with the token in the query is stored before the 200", async () => {
    const ts = Math.floor(Date.now() / 1000);
    const response = await t.request("GET", `/ingest/osmand?id=phone-1&lat=35.2219&lon=-101.8313&timestamp=${ts}&speed=55&bearing=90&token=${token}`);
    expect(response.status).toBe(200);
    expect(positions()).toBe(1);
    const row = t.deps.db.query("SELECT lat_e6, lon_e6, speed_dkmh, ts FROM positions WHERE vehicle_id = ?").get(vehicleId);
    // 55 knots = 101.86 km/h.
    expect(row).toEqual({ lat_e6: 35221900, lon_e6: -101831300, speed_dkmh: 1019, ts: ts * 1000 });
  });

  test("the Traccar Client JSON body with a Bearer token", async () => {
    const body = { device_id: "phone-1", location: { timestamp: new Date(Date.now() + 1000).toISOString(), coords: { latitude: 35.3, longitude: -101.7, speed: 25, heading: 180, accuracy: 5 }, battery: { level: 0.8 } } };
    const ok = await t.app.handle(new Request("http://localhost/ingest/osmand", { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify(body) }));
    expect(ok.status).toBe(200);
    expect(positions()).toBe(2);
  });

  test("a wrong or missing token is refused and nothing is stored", async () => {
    expect((await t.request("GET", "/ingest/osmand?id=phone-1&lat=35&lon=-101&token=wrong")).status).toBe(401);
    expect((await t.request("GET", "/ingest/osmand?id=phone-1&lat=35&lon=-101")).status).toBe(401);
    expect(positions()).toBe(2);
  });

  test("an unknown device is listed as pending and its fix kept as a dead letter", async () => {
    const response = await t.request("GET", "/ingest/osmand?id=new-phone&lat=35&lon=-101");
    expect(response.status).toBe(200);
    expect(t.deps.fleet.device("new-phone")?.status).toBe("pending");
    expect(t.deps.db.query("SELECT reason, source_id FROM dead_letters WHERE device_id = 'new-phone'").get()).toEqual({ reason: "unknown device", source_id: "osmand" });
  });

  test("a payload the decoder cannot use is kept with its reason and answered 400 with it", async () => {
    const response = await t.request("GET", `/ingest/osmand?id=phone-1&lat=123&lon=-101&token=${token}`);
    expect(response.status).toBe(400);
    const reason = (await response.text()).trim();
    expect(reason).toContain("lat");
    expect((t.deps.db.query("SELECT reason FROM dead_letters ORDER BY id DESC LIMIT 1").get() as { reason: string }).reason).toBe(reason);
  });

  test("a path no source receives is a 404; nothing here needs a user login", async () => {
    expect((await t.request("GET", "/ingest/elsewhere?id=x")).status).toBe(404);
  });
});
