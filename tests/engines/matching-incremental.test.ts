/**
 * The engine keeps its load index between changes: a poll's new and changed loads wait beside the
 * grid, dropped ones are marked gone in it, and the grid is built again only when those are a good
 * part of it. Whatever the path, a truck must be offered exactly what an engine built from scratch
 * on the same database offers it — checked here over rounds of polls, rate updates and expiry, on
 * both sides of the rebuild threshold, with the real load store and the demo board's loads.
 *
 * The loads all carry a rate: a load posted without one is priced at its lane's median as of when
 * the engine read it, and a fresh engine would price it with the reports that came after (the
 * same holds for a broker's risk after a booking) — a staleness by design, not the index's.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import type { Database } from "bun:sqlite";
import type { Config } from "../../src/config/schema";
import { Fleet } from "../../src/telemetry/fleet";
import { Loads } from "../../src/loads/service";
import { seededRandom } from "../../src/domain/random";
import { demoLoad } from "../../plugins/loadboard-demo/generate";
import { HUBS } from "../../plugins/loadboard-demo/hubs";
import { loadsTestDb } from "../helpers/loads";

const NOW = Date.UTC(2026, 10, 20, 12, 0, 0);
const HOUR = 3_600_000;
const FIRST_HOUR = Math.floor(NOW / HOUR) - 2;
/** Matches kept a truck (fewer than the default, so the test stays quick). */
const KEEP = 20;

let dir: string;
let db: Database;
let config: Config;
let loads: Loads;
const trucks: number[] = [];
let posted = 0;

/** `count` more demo loads with a rate, posted in the hours just before NOW (pickups all ahead). */
function poll(count: number): number[] {
  const batch: Record<string, unknown>[] = [];
  while (batch.length < count) {
    const k = posted++;
    const load = demoLoad(7, FIRST_HOUR + (k % 3), Math.floor(k / 3));
    if (load.rate_cents !== undefined) batch.push(load as unknown as Record<string, unknown>);
  }
  return loads.ingest({ sourceId: "demo", loads: batch, receivedAt: NOW }).changedIds;
}

/** What a fresh engine on the same database offers each truck: its kept loads, scores and nets. */
function fromScratch() {
  const fresh = new Loads({ db, config: () => config, geocode: () => ({ ok: false, reason: "the loads carry their points" }), now: () => NOW, keepPerTruck: KEEP });
  fresh.engine.rebuild();
  return offers(fresh);
}

function offers(service: Loads) {
  return trucks.map((id) => service.engine.best(id, Number.MAX_SAFE_INTEGER).map((match) => `${match.load_id}:${match.score}:${match.net_cents}`));
}

beforeAll(async () => {
  ({ dir, db, config } = await loadsTestDb("engine-incremental"));
  loads = new Loads({ db, config: () => config, geocode: () => ({ ok: false, reason: "the loads carry their points" }), now: () => NOW, keepPerTruck: KEEP });
  const fleet = new Fleet(db, () => NOW);
  const state = db.query("INSERT INTO vehicle_state (vehicle_id, last_seen, position_ts, lat, lon, updated_at) VALUES (?, ?, ?, ?, ?, ?)");
  for (let i = 0; i < 6; i++) {
    const hub = HUBS[(i * 7) % HUBS.length]!;
    const id = fleet.createVehicle({ unit: `T${i}`, equipment: [["V", "R", "F"][i % 3]!], mpg: 6.5 }).id;
    state.run(id, NOW, NOW, hub.lat + 0.1, hub.lon - 0.1, NOW);
    trucks.push(id);
  }
  poll(3000);
  loads.engine.rebuild();
});
afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("incremental load index", () => {
  test("after polls, rate changes and expiry, every truck is offered what a fresh engine offers", () => {
    const random = seededRandom(11);
    for (const round of [1, 2, 3, 4]) {
      poll(round === 3 ? 2500 : 150);
      // A board changes some rates (updates) and takes some loads down.
      const open = (db.query("SELECT id FROM loads WHERE status = 'open' AND duplicate_of IS NULL ORDER BY id").all() as { id: number }[]).map((row) => row.id);
      const changed = open.filter(() => random() < 0.02);
      for (const id of changed) db.query("UPDATE loads SET rate_cents = rate_cents + 5000 WHERE id = ? AND rate_cents IS NOT NULL").run(id);
      loads.engine.loadsChanged(changed);
      const gone = open.filter(() => random() < 0.01);
      db.query(`UPDATE loads SET status = 'expired', expired_at = ? WHERE id IN (SELECT value FROM json_each(?))`).run(NOW, JSON.stringify(gone));
      loads.engine.loadsChanged(gone);
      for (const id of trucks) loads.engine.truckChanged(id);
      expect({ round, offers: offers(loads) }).toEqual({ round, offers: fromScratch() });
      // And a pass over every pair settles each open load once for each truck.
      loads.engine.passCounts(true);
      loads.engine.rescoreAll();
      const pass = loads.engine.passCounts(true);
      const openNow = (db.query("SELECT count(*) AS n FROM loads WHERE status = 'open' AND duplicate_of IS NULL").get() as { n: number }).n;
      const matchable = loads.engine.counts().matchableTrucks;
      expect({ round, pairs: pass.pairs, settled: pass.outsideCells + pass.equipment + pass.tooFar + pass.estimated }).toEqual({ round, pairs: openNow * matchable, settled: openNow * matchable });
    }
  });
});
