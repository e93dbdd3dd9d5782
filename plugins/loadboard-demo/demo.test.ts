/**
 * The demo load board: every load it lists is a valid canonical load marked demo with its pickup
 * ahead; polls within an hour list the same loads, the next hour adds posts and drops old ones;
 * rates per mile are in a plausible band with short hauls paying more; some loads come without a
 * rate; and through the real load store a complete listing expires what is no longer listed.
 */
import { describe, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { loadProblem } from "../../src/loads/records";
import { LoadStore } from "../../src/loads/store";
import { openDatabase } from "../../src/db/open";
import { migrate } from "../../src/db/migrate";
import { demoLoads, demoLoad, laneRateCents } from "./generate";
import { HUBS } from "./hubs";
import plugin from "./index";
import { tempDir } from "../../tests/helpers/app";

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 10, 20, 15, 30, 0);
const OPTIONS = { seed: 1, perHour: 12, hoursListed: 24 };

describe("loadboard-demo", () => {
  test("every listed load is valid, demo, open at the time of the poll, and unique by id", () => {
    const loads = demoLoads(NOW, OPTIONS);
    expect(loads.length).toBeGreaterThan(150);
    for (const load of loads) {
      expect(loadProblem(load)).toBeNull();
      expect(load.demo).toBe(true);
      expect(load.broker.name).toEndWith("(demo)");
      expect(load.pickup_latest!).toBeGreaterThanOrEqual(NOW);
      expect(load.posted_at!).toBeLessThanOrEqual(NOW);
      expect(load.delivery_earliest!).toBeGreaterThan(load.pickup_earliest);
    }
    expect(new Set(loads.map((load) => load.external_id)).size).toBe(loads.length);
  });

  test("polls within an hour list the same loads; an hour later new posts appear and old ones are gone", () => {
    const first = demoLoads(NOW, OPTIONS).map((load) => load.external_id);
    expect(demoLoads(NOW + 20 * 60_000, OPTIONS).map((load) => load.external_id)).toEqual(expect.arrayContaining(first.filter((id) => demoLoad(1, Number(id.split("-")[1]), Number(id.split("-")[2])).pickup_latest! >= NOW + 20 * 60_000)));
    const later = new Set(demoLoads(NOW + 2 * HOUR, OPTIONS).map((load) => load.external_id));
    expect([...later].filter((id) => !first.includes(id)).length).toBeGreaterThan(0);
    expect(first.filter((id) => !later.has(id)).length).toBeGreaterThan(0);
    // Another seed is another market.
    expect(demoLoads(NOW, { ...OPTIONS, seed: 2 })[0]).not.toEqual(demoLoads(NOW, OPTIONS)[0]);
  });

  test("rates per loaded mile are plausible, short hauls pay more per mile, and about one load in seven has no rate", () => {
    const loads = Array.from({ length: 50 }, (_, hour) => Array.from({ length: 12 }, (_, index) => demoLoad(7, 500_000 + hour, index))).flat();
    const rated = loads.filter((load) => load.rate_cents !== undefined);
    const unrated = loads.length - rated.length;
    expect(unrated / loads.length).toBeGreaterThan(0.07);
    expect(unrated / loads.length).toBeLessThan(0.22);
    for (const load of rated) {
      const rpm = load.rate_cents! / load.loaded_miles!;
      // Van freight out of Miami on a long haul is the floor: 205 × 0.72 × 0.9 ≈ 133 ¢/mi.
      expect(rpm).toBeGreaterThan(120);
      expect(rpm).toBeLessThan(520);
      expect(load.rate_cents! % 2500).toBe(0);
    }
    const chicago = HUBS.find((hub) => hub.city === "Chicago")!;
    // Van out of Chicago (outbound 1.06), noise 0.5 (×1.0): 200 mi gets the short-haul premium
    // 1 + 0.5 × 300/500 = 1.3 → 205 × 1.3 × 1.06 × 200 = 56,498 ¢ → $575 to the nearest $25;
    // 1000 mi gets none → 205 × 1.06 × 1000 = 217,300 ¢ → $2,175.
    expect(laneRateCents(chicago, 200, "V", 0.5)).toBe(57_500);
    expect(laneRateCents(chicago, 1000, "V", 0.5)).toBe(217_500);
  });

  test("the plugin polls a complete listing, and the load store expires what it stops listing", async () => {
    const instance = await plugin.create({ sourceId: "demo-loads", options: { seed: 1, loads_per_hour: 12, hours_listed: 24 }, log: undefined as never, signal: new AbortController().signal, services: undefined as never });
    const output = await (instance as { poll: (ctx: unknown) => Promise<{ loads: unknown[]; complete: boolean }> }).poll({});
    expect(output.complete).toBe(true);
    expect(output.loads.length).toBeGreaterThan(0);

    const dir = tempDir("haulbox-demo-loads-");
    const db = openDatabase(dir);
    try {
      migrate(db);
      const store = new LoadStore(db, () => ({ ok: false, reason: "demo loads carry their coordinates" }));
      const first = store.ingest({ sourceId: "demo-loads", loads: demoLoads(NOW, OPTIONS) as never, complete: true, receivedAt: NOW });
      expect(first.rejected).toBe(0);
      expect(first.new).toBe(demoLoads(NOW, OPTIONS).length);
      const next = store.ingest({ sourceId: "demo-loads", loads: demoLoads(NOW + 3 * HOUR, OPTIONS) as never, complete: true, receivedAt: NOW + 3 * HOUR });
      expect(next.new).toBeGreaterThan(0);
      expect(next.expired).toBeGreaterThan(0);
      expect((db.query("SELECT count(*) AS n FROM loads WHERE demo = 0").get() as { n: number }).n).toBe(0);
      expect((db.query("SELECT count(*) AS n FROM brokers WHERE demo = 0").get() as { n: number }).n).toBe(0);
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
