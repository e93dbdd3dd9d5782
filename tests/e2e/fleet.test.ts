/**
 * The fleet map and truck page in real Chromium, with map tiles blocked (as at a truck stop with
 * no internet, and so no request leaves this machine): trucks, positions and a fault are seeded
 * into the database; the dashboard must show the markers over the bundled state outlines; an
 * event published on the app's telemetry hub must move its marker live (SSE); the truck page
 * must draw its charts and name the fault. Desktop (light) and phone (dark), with screenshots.
 */
import { afterAll, expect } from "bun:test";
import { insertReading } from "../helpers/telemetry";
import type { VehicleState } from "../../src/ingest/events";
import { testApp, type TestApp } from "../helpers/app";
import { TEST_OWNER, type AppProcess } from "../helpers/server";
import { DEVICES, e2eTest, loginInBrowser, overflowsHorizontally, shutdownE2E, withBrowserSession } from "./harness";

let seeded: { t: TestApp; app: AppProcess; moving: number; parked: number } | null = null;

afterAll(async () => {
  await shutdownE2E();
  seeded?.t.app.stop?.();
  await seeded?.t.cleanup();
});

/**
 * The app in this process, listening on a free port, so the test can publish on its telemetry hub
 * the way the ingest writer does after a commit. Two trucks with two hours of positions and
 * readings, and an active fault, are inserted directly into the database.
 */
async function seededApp() {
  if (seeded) return seeded;
  const t = await testApp();
  await t.deps.auth.users.create(TEST_OWNER.username, TEST_OWNER.password, "owner");
  t.app.listen({ hostname: "127.0.0.1", port: 0 });
  const url = `http://127.0.0.1:${t.app.server!.port}`;
  const db = t.deps.db;
  const moving = t.deps.fleet.createVehicle({ unit: "101", name: "Big Blue", tank_l: 570 }).id;
  const parked = t.deps.fleet.createVehicle({ unit: "202", name: "Red <b>Rocket</b>" }).id;
  t.deps.fleet.createDevice({ id: "gw-101", vehicle_id: moving });
  const now = Date.now();
  const insertPosition = db.query("INSERT INTO positions (vehicle_id, ts, lat_e6, lon_e6, speed_dkmh, heading) VALUES (?, ?, ?, ?, ?, ?)");
  // Two hours along I-80 west of Chicago, one fix a minute.
  for (let i = 0; i <= 120; i++) {
    const ts = now - (120 - i) * 60_000;
    insertPosition.run(moving, ts, Math.round((41.5 + i * 0.002) * 1e6), Math.round((-89.5 + i * 0.012) * 1e6), 900 + (i % 7) * 20, 80);
    insertReading(db, moving, "fuel_level_pct", ts, 80 - i * 0.1);
    insertReading(db, moving, "coolant_c", ts, 85 + (i % 5));
  }
  db.query("INSERT INTO vehicle_state (vehicle_id, last_seen, position_ts, lat, lon, speed_kmh, heading, odometer_km, engine_hours, fuel_level_pct, coolant_c, ignition, active_faults, updated_at) VALUES (?, ?, ?, 41.74, -88.06, 96, 80, 612345, 10234, 68, 88, 1, 1, ?)").run(moving, now, now, now);
  db.query("INSERT INTO vehicle_state (vehicle_id, last_seen, position_ts, lat, lon, speed_kmh, ignition, updated_at) VALUES (?, ?, ?, 35.15, -90.05, 0, 0, ?)").run(parked, now, now, now);
  db.query("INSERT INTO faults (vehicle_id, source_address, spn, fmi, oc, cm, lamp_mil, lamp_red_stop, lamp_amber_warning, lamp_protect, first_seen, last_seen) VALUES (?, 0, 3364, 1, 3, 0, 'off', 'off', 'on', 'off', ?, ?)").run(moving, now - 3600_000, now);
  seeded = { t, app: { url } as AppProcess, moving, parked };
  return seeded;
}

/** The state the ingest writer would publish for a truck that moved to `lat`. */
function movedState(vehicleId: number, lat: number): VehicleState {
  const now = Date.now();
  return { vehicle_id: vehicleId, last_seen: now, position_ts: now, lat, lon: -87.9, speed_kmh: 100, heading: 45, odometer_km: 612350, engine_hours: 10234, fuel_level_pct: 67, fuel_used_l: null, fuel_rate_lph: null, engine_rpm: 1500, coolant_c: 88, battery_v: 13.8, ignition: 1, active_faults: 1 };
}

/** Blocked tiles: their aborted requests (and Chromium's console line about each) are expected. */
const TILE_PROBLEMS = /tile\.openstreetmap\.org|Failed to load resource: net::ERR_ABORTED/;

for (const { name: device, viewport, colorScheme } of DEVICES) {
  e2eTest(`${device}: the fleet map shows trucks over the state outlines and moves a marker live; the truck page charts and names its fault`, async () => {
    const seeded = await seededApp();
    const ids = seeded;
    await withBrowserSession(
      async (page, app, session) => {
        // Blocked before logging in: the login lands on the dashboard, which has the map.
        await page.route(/^https?:\/\/([a-z]\.)?tile\.openstreetmap\.org\//, (route) => route.abort("aborted"));
        await loginInBrowser(page, app);
        await page.goto(`${app.url}/`);
        await page.waitForSelector(".truck-pin", { state: "attached" });
        expect(await page.locator(".truck-pin").count()).toBe(2);
        // The outline is drawn (nation and state borders) even though no tile loaded.
        await page.waitForFunction(() => document.querySelectorAll(".leaflet-outline-pane path").length >= 2);
        expect(await page.locator("#fleet-list .fleet-item").count()).toBe(2);
        expect(await page.locator(`#truck-${ids.moving} [data-status-chip]`).textContent()).toBe("moving");
        expect(await page.locator(`#truck-${ids.parked} [data-status-chip]`).textContent()).toBe("off");
        expect(await page.locator(`#truck-${ids.moving} [data-faults]`).textContent()).toBe("1 fault");
        expect(await page.locator(`#truck-${ids.parked} .name`).textContent()).toBe("Red <b>Rocket</b>");
        const overflow = await overflowsHorizontally(page);
        expect(overflow.overflow, overflow.culprits.join(", ")).toBe(false);
        await session.screenshot("fleet-dashboard");

        // A committed batch as the ingest writer publishes it: streamed over SSE, and the marker moves.
        const markerAt = () => page.evaluate((id) => (window as any).haulboxFleetMap.markers[id].getLatLng().lat as number, ids.moving);
        const before = await markerAt();
        const lat = device === "desktop" ? 42.05 : 42.15;
        const deadline = Date.now() + 5000;
        while (seeded.t.deps.telemetryEvents.size === 0 && Date.now() < deadline) await Bun.sleep(50);
        seeded.t.deps.telemetryEvents.publish({ vehicles: [movedState(ids.moving, lat)], faultsChanged: [], deadLetters: 0 });
        await page.waitForFunction(([id, want]) => Math.abs((window as any).haulboxFleetMap.markers[id as number].getLatLng().lat - (want as number)) < 1e-6, [ids.moving, lat] as const, { timeout: 10_000 });
        expect(await markerAt()).not.toBe(before);
        await session.screenshot("fleet-dashboard-live");

        await page.goto(`${app.url}/trucks/${ids.moving}`);
        await page.waitForSelector("#truck-charts canvas", { state: "attached" });
        expect(await page.locator("#truck-charts canvas").count()).toBe(3);
        await page.waitForFunction(() => document.querySelectorAll(".leaflet-overlay-pane path").length >= 1);
        expect(await page.locator("#faults").textContent()).toContain("DEF quality");
        expect(await page.locator("#faults .lamp.amber_warning").count()).toBe(1);
        const truckOverflow = await overflowsHorizontally(page);
        expect(truckOverflow.overflow, truckOverflow.culprits.join(", ")).toBe(false);
        await session.screenshot("truck-page");

        await page.goto(`${app.url}/trucks`);
        await session.screenshot("trucks-list");
        await page.goto(`${app.url}/trucks/devices`);
        await session.screenshot("devices");
        await page.goto(`${app.url}/dead-letters`);
        await session.screenshot("dead-letters");
      },
      { app: seeded.app, login: false, viewport, colorScheme, screenshotPrefix: `${device}-`, ignoreProblems: TILE_PROBLEMS },
    );
  });
}
