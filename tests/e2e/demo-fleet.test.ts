/**
 * What a new user sees after `npm start`: the real appliance (from source, embedded default
 * config) with its simulated demo fleet publishing over the embedded MQTT broker. The dashboard
 * map must fill with the demo trucks and they must move on their own, live; a truck's page must
 * draw its charts from the stored readings. Map tiles are blocked (127.0.0.1 only), so the
 * bundled state outlines carry the map. Desktop (light) and phone (dark).
 */
import { afterAll, expect } from "bun:test";
import type { Page } from "playwright-core";
import { DEVICES, e2eTest, shutdownE2E, withBrowserSession } from "./harness";

afterAll(shutdownE2E);

/** Marker positions by vehicle id, read from the page's Leaflet map. */
function markerPositions(page: Page): Promise<Record<string, [number, number]>> {
  return page.evaluate(() => {
    const fleet = (window as unknown as { haulboxFleetMap?: { markers: Record<string, { getLatLng(): { lat: number; lng: number } }> } }).haulboxFleetMap;
    const out: Record<string, [number, number]> = {};
    for (const [id, marker] of Object.entries(fleet?.markers ?? {})) {
      const at = marker.getLatLng();
      out[id] = [at.lat, at.lng];
    }
    return out;
  });
}

for (const { name: device, viewport, colorScheme } of DEVICES) {
  e2eTest(`${device}: the demo fleet shows on the map within seconds and moves live; a truck page draws its charts`, () =>
    withBrowserSession(
      async (page, app, { screenshot }) => {
        await page.goto(`${app.url}/`);
        // Six demo trucks by default; they register and report within a second or two of the start.
        await page.waitForFunction(() => Object.keys((window as any).haulboxFleetMap?.markers ?? {}).length >= 6, null, { timeout: 20_000 });
        await page.waitForFunction(() => document.querySelectorAll(".leaflet-outline-pane path").length >= 2, null, { timeout: 10_000 }); // the bundled nation and state outlines
        expect(await page.getByText("demo", { exact: true }).count()).toBeGreaterThan(0);
        const before = await markerPositions(page);

        // No reload: the positions must change through the live stream alone.
        await page.waitForFunction(
          (start) => {
            const markers = (window as any).haulboxFleetMap?.markers ?? {};
            return Object.entries(markers).some(([id, marker]: [string, any]) => {
              const at = marker.getLatLng();
              const was = (start as Record<string, [number, number]>)[id];
              return was && (Math.abs(at.lat - was[0]) > 1e-5 || Math.abs(at.lng - was[1]) > 1e-5);
            });
          },
          before,
          { timeout: 20_000 },
        );
        await screenshot("demo-dashboard");

        // A moving truck's page: charts from its readings.
        const moving = await page.evaluate(() => {
          const chip = document.querySelector("[data-status-chip].status-moving");
          return chip?.closest("[data-vehicle-id]")?.getAttribute("data-vehicle-id") ?? null;
        });
        const target = moving ?? Object.keys(before)[0]!;
        await page.goto(`${app.url}/trucks/${target}`);
        await page.waitForSelector("canvas", { timeout: 15_000 });
        expect(await page.locator("canvas").count()).toBeGreaterThanOrEqual(1);
        await screenshot("demo-truck");
      },
      { viewport, colorScheme, screenshotPrefix: `${device}-` },
    ),
  );
}
