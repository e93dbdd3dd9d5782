/**
 * Diesel prices as trips are costed at them: the config's figures with `source: fixed`; with
 * `source: eia`, the fuel-prices job fetches EIA's weekly prices (from a local fake EIA), stores
 * them, and every load is rescored at its pickup region's EIA price, the breakdown saying which
 * week; until the first fetch, the config's figure, said so. A failed fetch fails the job run and
 * keeps the last prices.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { testApp } from "../helpers/app";

const rows = (week: string, prices: Record<string, string>) => ({
  response: {
    total: String(Object.keys(prices).length),
    dateFormat: "YYYY-MM-DD",
    frequency: "weekly",
    data: Object.entries(prices).map(([duoarea, value]) => ({ period: week, duoarea, "area-name": duoarea, product: "EPD2D", "product-name": "No 2 Diesel", process: "PTE", "process-name": "Retail Sales", series: `EMD_EPD2D_PTE_${duoarea}_DPG`, "series-description": "", value, units: "$/GAL" })),
  },
});
let answer: () => Response = () => Response.json(rows("2026-11-23", { NUS: "3.759", R20: "3.684", R30: "3.487" }));
const eia = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => answer() });
afterAll(() => eia.stop(true));

const HOUR = 3_600_000;

describe("diesel prices", () => {
  test("fixed: the config's figure per region; eia: the job's EIA price per region, the config's until the first fetch", async () => {
    const yaml = `costs:\n  diesel:\n    source: eia\n    cents_per_gallon: 400\n    by_region:\n      padd_2: 390\n    api_key: test-key-123456\n    eia_url: http://127.0.0.1:${eia.port}\n`;
    const t = await testApp({ yaml });
    try {
      const diesel = t.deps.loads.diesel;
      expect(diesel.quote("2")).toEqual({ centsPerGallon: 390, source: "fixed in the config (no EIA price fetched yet)" });
      // A truck and a load picking up in Illinois (PADD 2), to see the rescoring.
      const truck = t.deps.fleet.createVehicle({ unit: "101", equipment: ["V"] }).id;
      const now = Date.now();
      t.deps.db.query("INSERT INTO vehicle_state (vehicle_id, last_seen, lat, lon, updated_at) VALUES (?, ?, 41.88, -87.63, ?)").run(truck, now, now);
      t.deps.loads.engine.rebuild();
      t.deps.loads.ingest({
        sourceId: "board",
        loads: [{ external_id: "a", origin: { lat: 41.53, lon: -88.08, state: "IL" }, destination: { lat: 32.78, lon: -96.8, state: "TX" }, pickup_earliest: now + 6 * HOUR, pickup_latest: now + 10 * HOUR, equipment: "V", rate_cents: 250_000, loaded_miles: 930, broker: { name: "B" } }],
        receivedAt: now,
      });
      expect(t.deps.loads.engine.best(truck)[0]).toMatchObject({ diesel_cents_per_gallon: 390, diesel_source: "fixed in the config (no EIA price fetched yet)" });

      const run = await t.deps.scheduler.runNow("fuel-prices");
      expect(run.status).toBe("ok");
      expect(diesel.quote("2")).toEqual({ centsPerGallon: 368.4, source: "EIA week of 2026-11-23, PADD 2" });
      // A region EIA did not answer for falls back to the US average.
      expect(diesel.quote("5")).toEqual({ centsPerGallon: 375.9, source: "EIA week of 2026-11-23, US average" });
      const match = t.deps.loads.engine.best(truck)[0]!;
      expect(match).toMatchObject({ diesel_cents_per_gallon: 368.4, diesel_source: "EIA week of 2026-11-23, PADD 2" });
      expect(match.breakdown.find((line) => line.key === "fuel")!.how).toContain("$3.684/gal");

      // EIA down: the run fails with the reason (no key in it), the last prices stay.
      answer = () => new Response("upstream trouble", { status: 502 });
      // The scheduler marks the job idle a moment after its run resolves.
      while (t.deps.scheduler.status("fuel-prices")!.running) await Bun.sleep(5);
      const failed = await t.deps.scheduler.runNow("fuel-prices");
      expect(failed.status).toBe("failed");
      expect(failed.error).toContain("502");
      expect(failed.error).not.toContain("test-key-123456");
      expect(diesel.quote("2").centsPerGallon).toBe(368.4);
    } finally {
      await t.cleanup();
    }
  });

  test("with source: fixed the job fetches nothing and prices stay the config's", async () => {
    let asked = 0;
    answer = () => {
      asked++;
      return Response.json(rows("2026-11-23", { NUS: "9.999" }));
    };
    const t = await testApp({ yaml: `costs:\n  diesel:\n    cents_per_gallon: 380\n    api_key: k\n    eia_url: http://127.0.0.1:${eia.port}\n` });
    try {
      expect((await t.deps.scheduler.runNow("fuel-prices")).status).toBe("ok");
      expect(asked).toBe(0);
      expect(t.deps.loads.diesel.quote("3")).toEqual({ centsPerGallon: 380, source: "fixed in the config" });
    } finally {
      await t.cleanup();
    }
  });
});
