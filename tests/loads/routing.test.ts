/**
 * Road miles from a route server for loads posted without miles: a local fake OSRM answers, the
 * load's loaded leg becomes the server's miles and its match is rescored with them; loads posted
 * with miles are not asked about; a server that fails leaves the estimate and says so once.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { testApp } from "../helpers/app";

const asked: string[] = [];
let failing = false;
const osrm = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  fetch(request) {
    asked.push(new URL(request.url).pathname);
    if (failing) return new Response("down", { status: 503 });
    // 1,500 km = 932.06 mi of road.
    return Response.json({ code: "Ok", routes: [{ distance: 1_500_000, duration: 60_000 }], waypoints: [] });
  },
});
afterAll(() => osrm.stop(true));

const HOUR = 3_600_000;

describe("route server", () => {
  test("loads without posted miles get the server's road miles and are rescored; posted miles are kept; a failing server leaves the estimate", async () => {
    const t = await testApp({ yaml: `matching:\n  route_provider:\n    kind: osrm\n    url: http://127.0.0.1:${osrm.port}\n` });
    try {
      const truck = t.deps.fleet.createVehicle({ unit: "101", equipment: ["V"] }).id;
      const now = Date.now();
      t.deps.db.query("INSERT INTO vehicle_state (vehicle_id, last_seen, lat, lon, updated_at) VALUES (?, ?, 41.88, -87.63, ?)").run(truck, now, now);
      t.deps.loads.engine.rebuild();
      const base = { origin: { lat: 41.53, lon: -88.08, state: "IL" }, destination: { lat: 32.78, lon: -96.8, state: "TX" }, pickup_earliest: now + 6 * HOUR, pickup_latest: now + 10 * HOUR, equipment: "V", rate_cents: 250_000, broker: { name: "B" } };
      t.deps.loads.ingest({ sourceId: "board", loads: [{ ...base, external_id: "no-miles" }, { ...base, external_id: "posted", loaded_miles: 925 }], receivedAt: now });
      const estimate = t.deps.loads.engine.best(truck).find((match) => match.loaded_miles !== 925)!.loaded_miles;
      for (let i = 0; i < 100 && (t.deps.db.query("SELECT route_miles FROM loads WHERE external_id = 'no-miles'").get() as { route_miles: number | null }).route_miles === null; i++) await Bun.sleep(10);
      expect(t.deps.db.query("SELECT external_id, route_miles FROM loads ORDER BY external_id").all()).toEqual([
        { external_id: "no-miles", route_miles: 932.1 },
        { external_id: "posted", route_miles: null },
      ]);
      expect(asked).toHaveLength(1);
      expect(asked[0]).toStartWith("/route/v1/driving/-88.08,41.53;-96.8,32.78");
      const miles = t.deps.loads.engine.best(truck).map((match) => match.loaded_miles).sort();
      expect(miles).toEqual([925, 932.1]);
      expect(estimate).not.toBe(932.1);

      failing = true;
      t.deps.loads.ingest({ sourceId: "board", loads: [{ ...base, external_id: "down-1" }, { ...base, external_id: "down-2" }], receivedAt: now });
      for (let i = 0; i < 100 && asked.length < 3; i++) await Bun.sleep(10);
      await Bun.sleep(50);
      expect(t.deps.db.query("SELECT count(*) AS n FROM loads WHERE route_miles IS NULL AND loaded_miles IS NULL").get()).toEqual({ n: 2 });
      expect(t.logLines.filter((line) => line.includes("the route server could not route a load"))).toHaveLength(1);
    } finally {
      await t.cleanup();
    }
  });
});
