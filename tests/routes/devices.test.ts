/**
 * Devices and dead-letters API, the fleet pages and the live stream, through app.handle():
 * credentials shown once, adoption of a pending device, roles (viewer cannot create, driver sees
 * only their truck and no dead letters), hostile strings escaped on every page, and an SSE event
 * read off /live/vehicles after publishing on the app's telemetry hub.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { testApp, type TestApp, type TestSession } from "../helpers/app";

let t: TestApp;
let owner: TestSession;
let viewer: TestSession;
let driver: TestSession;
let ownerToken: string;
let viewerToken: string;
let truck: number;
let hostileTruck: number;
const HOSTILE = `<script>alert("x")</script><img src=x onerror=alert(1)>`;

beforeAll(async () => {
  t = await testApp();
  owner = await t.login("owner");
  viewer = await t.login("viewer");
  driver = await t.login("driver");
  ownerToken = t.token("owner");
  viewerToken = t.token("viewer");
  truck = t.deps.fleet.createVehicle({ unit: "101", name: "Big Blue" }).id;
  hostileTruck = t.deps.fleet.createVehicle({ unit: `7<script>`, name: HOSTILE }).id;
  t.deps.auth.users.update(driver.userId, { vehicle_id: truck });
  const now = Date.now();
  t.deps.db.query("INSERT INTO vehicle_state (vehicle_id, last_seen, position_ts, lat, lon, speed_kmh, updated_at) VALUES (?, ?, ?, 35.1, -90.0, 0, ?)").run(hostileTruck, now, now, now);
  t.deps.db.query("INSERT INTO dead_letters (received_at, source_id, device_id, topic, payload, payload_bytes, reason) VALUES (?, 'mqtt', ?, ?, ?, 60, ?)").run(now - 1000, `dev<script>`, `haulbox/x/<b>`, `{"a":"</pre><script>alert(1)</script>"}`, `bad <script>reason</script>`);
  for (let i = 0; i < 3; i++) t.deps.db.query("INSERT INTO dead_letters (received_at, device_id, payload, payload_bytes, reason) VALUES (?, 'gw-old', 'x', 1, 'junk')").run(now - 100_000 - i);
});
afterAll(() => t.cleanup());

async function json(method: string, path: string, init: Parameters<TestApp["request"]>[2] = { token: ownerToken }) {
  const response = await t.request(method, path, init);
  return { status: response.status, body: (await response.json()) as any };
}

describe("devices API", () => {
  test("POST creates a device and returns its credentials once", async () => {
    const { status, body } = await json("POST", "/api/v1/devices", { token: ownerToken, json: { id: "gw-101", vehicle_id: truck, name: "Cab gateway" } });
    expect(status).toBe(201);
    expect(body.secret).toMatch(/^\S{20,}$/);
    expect(body).toEqual({
      device: expect.objectContaining({ id: "gw-101", vehicle_id: truck, status: "active", name: "Cab gateway", has_secret: true, demo: false }),
      secret: body.secret,
      mqtt: { username: "gw-101", password: body.secret },
      http: { token: body.secret },
    });
    expect(t.deps.fleet.check("gw-101", body.secret).ok).toBe(true);
    const list = await json("GET", "/api/v1/devices");
    expect(JSON.stringify(list.body)).not.toContain(body.secret);
    expect(list.body.data.find((d: any) => d.id === "gw-101")).toMatchObject({ id: "gw-101", status: "active" });
  });

  const refusals: { name: string; body: unknown; status: number }[] = [
    { name: "a duplicate id", body: { id: "gw-101", vehicle_id: 1 }, status: 409 },
    { name: "a bad id", body: { id: "no spaces please", vehicle_id: 1 }, status: 422 },
    { name: "an unknown vehicle", body: { id: "gw-x", vehicle_id: 9999 }, status: 404 },
    { name: "no vehicle", body: { id: "gw-y" }, status: 422 },
  ];
  for (const refusal of refusals) {
    test(`POST ${refusal.name} → ${refusal.status}`, async () => {
      const { status, body } = await json("POST", "/api/v1/devices", { token: ownerToken, json: refusal.body });
      expect(status).toBe(refusal.status);
      expect(body.error.code).toBeString();
    });
  }

  test("a pending device is listed first and adopted keeping its presented secret", async () => {
    t.deps.fleet.notePending("phone-7", { secret: "presented-password", source: "mqtt", topic: "haulbox/phone-7/up" });
    const list = await json("GET", "/api/v1/devices");
    expect(list.body.data[0]).toMatchObject({ id: "phone-7", status: "pending", vehicle_id: null });
    const adopted = await json("POST", "/api/v1/devices/phone-7/adopt", { token: ownerToken, json: { vehicle_id: truck } });
    expect(adopted.status).toBe(200);
    expect(adopted.body).toMatchObject({ id: "phone-7", status: "active", vehicle_id: truck });
    expect(t.deps.fleet.check("phone-7", "presented-password").ok).toBe(true);
    expect((await json("POST", "/api/v1/devices/phone-7/adopt", { token: ownerToken, json: { vehicle_id: truck } })).status).toBe(409);
    expect((await json("POST", "/api/v1/devices/nobody/adopt", { token: ownerToken, json: { vehicle_id: truck } })).status).toBe(404);
  });

  test("reset secret and disable", async () => {
    const reset = await json("POST", "/api/v1/devices/gw-101/secret", { token: ownerToken, json: {} });
    expect(reset.status).toBe(200);
    expect(t.deps.fleet.check("gw-101", reset.body.secret).ok).toBe(true);
    const disabled = await json("PATCH", "/api/v1/devices/gw-101", { token: ownerToken, json: { disabled: true } });
    expect(disabled.body.status).toBe("disabled");
    expect(t.deps.fleet.check("gw-101", reset.body.secret).ok).toBe(false);
    expect((await json("PATCH", "/api/v1/devices/gw-101", { token: ownerToken, json: { disabled: false } })).body.status).toBe("active");
  });

  test("a viewer cannot add or adopt; a driver sees only their truck's devices", async () => {
    expect((await t.request("POST", "/api/v1/devices", { token: viewerToken, json: { id: "v-1", vehicle_id: truck } })).status).toBe(403);
    expect((await t.request("POST", "/api/v1/devices", { session: driver, json: { id: "d-1", vehicle_id: truck } })).status).toBe(403);
    t.deps.fleet.createDevice({ id: "other-truck-gw", vehicle_id: hostileTruck });
    const mine = await json("GET", "/api/v1/devices", { session: driver });
    expect(mine.body.data.map((d: any) => d.id).sort()).toEqual(["gw-101", "phone-7"]);
  });
});

describe("dead letters API", () => {
  test("newest first, paged, drivers refused", async () => {
    const first = await json("GET", "/api/v1/dead-letters?limit=2");
    expect(first.status).toBe(200);
    expect(first.body.data[0]).toMatchObject({ device_id: "dev<script>", topic: "haulbox/x/<b>", reason: "bad <script>reason</script>", payload_bytes: 60, source_id: "mqtt" });
    expect(first.body.data[0].received_at).toMatch(/Z$/);
    expect(first.body.next_cursor).toBeString();
    const second = await json("GET", `/api/v1/dead-letters?limit=2&cursor=${first.body.next_cursor}`);
    expect(second.body.data).toHaveLength(2);
    expect(Date.parse(second.body.data[0].received_at)).toBeLessThan(Date.parse(first.body.data[1].received_at));
    expect(new Set([...first.body.data, ...second.body.data].map((d: any) => d.id)).size).toBe(4);
    expect((await json("GET", "/api/v1/dead-letters", { session: driver })).status).toBe(403);
  });
});

describe("pages", () => {
  test("dashboard, trucks, truck, devices and dead letters escape hostile strings", async () => {
    for (const path of ["/", "/trucks", `/trucks/${hostileTruck}`, "/trucks/devices", "/dead-letters"]) {
      const response = await t.request("GET", path, { session: owner });
      expect(response.status, path).toBe(200);
      const html = await response.text();
      expect(html, path).not.toContain("<script>alert");
      expect(html, path).not.toContain("<img src=x");
      expect(html, path).not.toContain("7<script>");
      expect(html, path).not.toContain("dev<script>");
    }
    const dashboard = await (await t.request("GET", "/", { session: owner })).text();
    expect(dashboard).toContain('id="fleet-map"');
    expect(dashboard).toContain("&lt;script&gt;alert");
    // The map data attribute carries the same text as JSON escapes, never as markup.
    expect(dashboard).toContain("\\u003cscript\\u003e");
  });

  test("the truck page shows the fault with its SPN name and lamps", async () => {
    const now = Date.now();
    t.deps.db.query("INSERT INTO faults (vehicle_id, source_address, spn, fmi, oc, cm, lamp_mil, lamp_red_stop, lamp_amber_warning, lamp_protect, first_seen, last_seen) VALUES (?, 0, 100, 1, 2, 0, 'off', 'on', 'off', 'off', ?, ?)").run(truck, now - 5000, now);
    const html = await (await t.request("GET", `/trucks/${truck}?range=7d`, { session: owner })).text();
    expect(html).toContain("Engine oil pressure");
    expect(html).toContain("SPN 100 / FMI 1");
    expect(html).toContain('class="lamp red_stop"');
    expect(html).toContain('id="truck-charts"');
    expect((await t.request("GET", "/trucks/99999", { session: owner })).status).toBe(404);
  });

  test("a driver reaches only their own truck; devices and dead letters are refused", async () => {
    expect((await t.request("GET", `/trucks/${truck}`, { session: driver })).status).toBe(200);
    expect((await t.request("GET", `/trucks/${hostileTruck}`, { session: driver })).status).toBe(404);
    const list = await (await t.request("GET", "/trucks", { session: driver })).text();
    expect(list).toContain("Big Blue");
    expect(list).not.toContain("&lt;script&gt;alert");
    expect((await t.request("GET", "/trucks/devices", { session: driver })).status).toBe(403);
    expect((await t.request("GET", "/dead-letters", { session: driver })).status).toBe(403);
  });

  test("add truck and add device forms; the secret shows once; a viewer sees no forms", async () => {
    const added = await t.request("POST", "/trucks", { session: owner, form: { unit: "909", name: "Form truck", mpg: "6.5", tank_gal: "150" } });
    expect(added.status).toBe(303);
    const id = Number(added.headers.get("location")!.split("/").pop());
    expect(t.deps.fleet.vehicle(id)).toMatchObject({ unit: "909", mpg: 6.5 });
    expect(t.deps.fleet.vehicle(id)!.tank_l).toBeCloseTo(567.8, 1);
    const refused = await t.request("POST", "/trucks", { session: owner, form: { unit: "910", vin: "bad" } });
    expect(refused.status).toBe(422);
    expect(await refused.text()).toContain("vin:");

    const device = await t.request("POST", "/trucks/devices", { session: owner, form: { id: "gw-909", vehicle_id: String(id) } });
    const html = await device.text();
    expect(device.status).toBe(200);
    expect(html).toContain("shown only this once");
    const secret = html.match(/MQTT password<\/dt>\s*<dd>\s*<code>([^<]+)<\/code>/)?.[1];
    expect(secret).toBeString();
    expect(t.deps.fleet.check("gw-909", secret!).ok).toBe(true);
    expect(await (await t.request("GET", "/trucks/devices", { session: owner })).text()).not.toContain(secret!);

    const viewerPage = await (await t.request("GET", "/trucks", { session: viewer })).text();
    expect(viewerPage).not.toContain('action="/trucks"');
    expect((await t.request("POST", "/trucks", { session: viewer, form: { unit: "911" } })).status).toBe(403);
  });
});

describe("GET /live/vehicles", () => {
  test("streams one event per published batch, filtered for drivers, and unsubscribes on close", async () => {
    const before = t.deps.telemetryEvents.size;
    const response = await t.request("GET", "/live/vehicles", { session: owner });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toStartWith("text/event-stream");
    const driverResponse = await t.request("GET", "/live/vehicles", { session: driver });
    const reader = response.body!.getReader();
    const driverReader = driverResponse.body!.getReader();
    const decoder = new TextDecoder();
    const readUntil = async (r: ReadableStreamDefaultReader<Uint8Array>, needle: string) => {
      let text = "";
      const deadline = Date.now() + 3000;
      while (!text.includes(needle) && Date.now() < deadline) {
        const chunk = await Promise.race([r.read(), Bun.sleep(3000).then(() => ({ done: true, value: undefined }))]);
        if (chunk.done) break;
        text += decoder.decode(chunk.value);
      }
      return text;
    };
    expect(await readUntil(reader, "connected")).toContain(": connected");
    expect(t.deps.telemetryEvents.size).toBe(before + 2);
    const now = Date.now();
    const state = (vehicleId: number, lat: number) => ({ vehicle_id: vehicleId, last_seen: now, position_ts: now, lat, lon: -87.6, speed_kmh: 90, heading: 90, odometer_km: null, engine_hours: null, fuel_level_pct: null, fuel_used_l: null, fuel_rate_lph: null, engine_rpm: 1400, coolant_c: null, battery_v: null, ignition: 1, active_faults: 2 });
    t.deps.telemetryEvents.publish({ vehicles: [state(hostileTruck, 40.5), state(truck, 41.5)], faultsChanged: [], deadLetters: 0 });
    const text = await readUntil(reader, "\n\n" + "event: vehicles");
    const eventLine = (await (text.includes("event: vehicles") ? Promise.resolve(text) : readUntil(reader, "event: vehicles"))).split("\n").find((line) => line.startsWith("data: {"))!;
    const payload = JSON.parse(eventLine.slice(6));
    expect(payload.vehicles.map((v: any) => [v.id, v.lat, v.status, v.speed_mph, v.active_faults])).toEqual([
      [hostileTruck, 40.5, "moving", 56, 2],
      [truck, 41.5, "moving", 56, 2],
    ]);
    expect(payload.vehicles[0].unit).toBe("7<script>");
    const driverText = await readUntil(driverReader, "event: vehicles");
    const driverPayload = JSON.parse(driverText.split("\n").find((line) => line.startsWith("data: {"))!.slice(6));
    expect(driverPayload.vehicles.map((v: any) => v.id)).toEqual([truck]);
    await reader.cancel();
    await driverReader.cancel();
    expect(t.deps.telemetryEvents.size).toBe(before);
    expect((await t.request("GET", "/live/vehicles")).status).not.toBe(200);
  });
});
