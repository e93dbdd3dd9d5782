/**
 * The lane book answers a load's lane question from as few reports as give the same answer (the
 * ZIP3 lane alone, or the state lane once for all its ZIP3 lanes). The answer must be exactly what
 * the lane-rate function gives on every report the fleet has: checked here for every lane of a
 * random market with dense, thin and stale ZIP3 and state lanes, stored through the real load store.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import type { Database } from "bun:sqlite";
import type { Config } from "../../src/config/schema";
import { Loads } from "../../src/loads/service";
import { LaneBook } from "../../src/loads/lanes";
import { Fleet } from "../../src/telemetry/fleet";
import { estimateLaneRate, type LaneQuery, type RateObservation } from "../../src/domain/lane-rates";
import { seededRandom } from "../../src/domain/random";
import { loadsTestDb } from "../helpers/loads";

const NOW = Date.UTC(2026, 10, 20, 12, 0, 0);
const DAY = 86_400_000;

/** ZIPs by state, two or three ZIP3s each, with a point for the store. */
const ZIPS: Record<string, { zip: string; lat: number; lon: number }[]> = {
  IL: [{ zip: "60601", lat: 41.88, lon: -87.62 }, { zip: "60632", lat: 41.81, lon: -87.71 }, { zip: "61602", lat: 40.69, lon: -89.59 }],
  TX: [{ zip: "75201", lat: 32.78, lon: -96.8 }, { zip: "77002", lat: 29.76, lon: -95.37 }, { zip: "78205", lat: 29.42, lon: -98.49 }],
  GA: [{ zip: "30303", lat: 33.75, lon: -84.39 }, { zip: "31401", lat: 32.08, lon: -81.09 }],
  OH: [{ zip: "43215", lat: 39.96, lon: -83.0 }, { zip: "44113", lat: 41.49, lon: -81.69 }],
  NV: [{ zip: "89101", lat: 36.17, lon: -115.14 }, { zip: "89501", lat: 39.53, lon: -119.81 }],
};
const STATES = Object.keys(ZIPS);
const EQUIPMENT = ["V", "R", "F"];

let dir: string;
let db: Database;
let loads: Loads;
/** Every report the store should hold, built from the records themselves (not from the database). */
const observations: RateObservation[] = [];
const queries = new Map<string, LaneQuery>();

beforeAll(async () => {
  let config: Config;
  ({ dir, db, config } = await loadsTestDb("lanes", ""));
  loads = new Loads({ db, config: () => config, geocode: () => ({ ok: false, reason: "the records carry their points" }), now: () => NOW });
  const random = seededRandom(42);
  const pick = <T>(list: readonly T[], skew = 1) => list[Math.floor(random() ** skew * list.length)]!;
  let id = 0;
  // 100 days of postings, busier lately; lanes skewed so some are dense and many are thin.
  for (let day = 100; day >= 0; day--) {
    const batch: Record<string, unknown>[] = [];
    const receivedAt = NOW - day * DAY - Math.floor(random() * 20) * 3_600_000 - 1;
    const count = day > 60 ? 10 : 40;
    for (let k = 0; k < count; k++) {
      const originState = pick(STATES, 2);
      const destinationState = pick(STATES.filter((state) => state !== originState), 1.5);
      const origin = pick(ZIPS[originState]!, 2);
      const destination = pick(ZIPS[destinationState]!, 2);
      const equipment = pick(EQUIPMENT, 2);
      const miles = 200 + Math.floor(random() * 1200);
      // One in six without a rate; one in fifty absurd (rejected by the lane-rate checks).
      const rated = random() > 1 / 6;
      const rateCents = random() < 0.02 ? 100 : Math.round(miles * (180 + random() * 150)) * 1;
      const externalId = `lane-${id++}`;
      batch.push({
        external_id: externalId,
        origin: { city: "A", state: originState, zip: origin.zip, lat: origin.lat, lon: origin.lon },
        destination: { city: "B", state: destinationState, zip: destination.zip, lat: destination.lat, lon: destination.lon },
        pickup_earliest: NOW + 2 * DAY,
        equipment,
        loaded_miles: miles,
        ...(rated ? { rate_cents: rateCents } : {}),
        broker: { name: "Lane Test Brokerage" },
      });
      if (rated && NOW - receivedAt < 90 * DAY) {
        observations.push({ ts: receivedAt, origin: { state: originState, zip: origin.zip }, destination: { state: destinationState, zip: destination.zip }, equipment, rate_cents: rateCents, loaded_miles: miles, own: false });
      }
      for (const query of laneQueries(originState, origin.zip, destinationState, destination.zip, equipment)) queries.set(JSON.stringify(query), query);
    }
    const result = loads.store.ingest({ sourceId: "lanes", loads: batch, receivedAt });
    expect(result.rejected).toBe(0);
  }
  // Equipment nobody posted: no report at all.
  for (const query of laneQueries("NV", "89101", "GA", "30303", "SD")) queries.set(JSON.stringify(query), query);
});

afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A lane asked with both ZIPs, with one end's ZIP only, by states only, and with an unseen ZIP3. */
function laneQueries(originState: string, originZip: string, destinationState: string, destinationZip: string, equipment: string): LaneQuery[] {
  return [
    { origin: { state: originState, zip: originZip }, destination: { state: destinationState, zip: destinationZip }, equipment },
    { origin: { state: originState, zip: originZip }, destination: { state: destinationState }, equipment },
    { origin: { state: originState }, destination: { state: destinationState }, equipment },
    { origin: { state: originState, zip: "99950" }, destination: { state: destinationState, zip: destinationZip }, equipment },
  ];
}

describe("lane book estimates", () => {
  test("every lane's estimate is the lane-rate function's answer on every report", () => {
    const levels = { zip3: 0, state: 0, none: 0, days90: 0 };
    for (const query of queries.values()) {
      const expected = estimateLaneRate(observations, query, { now: NOW });
      expect({ query, estimate: loads.lanes.estimate(query) }).toEqual({ query, estimate: expected });
      if (!expected) levels.none++;
      else {
        levels[expected.lane.level]++;
        if (expected.days === 90) levels.days90++;
      }
    }
    // The market must exercise every way the book can answer, or the comparison proves little.
    expect(levels.zip3).toBeGreaterThan(10);
    expect(levels.state).toBeGreaterThan(10);
    expect(levels.days90).toBeGreaterThan(0);
    expect(levels.none).toBeGreaterThan(0);
  });

  test("asked in another order after the loads change, the answers are the same", () => {
    loads.lanes.invalidate();
    for (const query of [...queries.values()].reverse()) expect(loads.lanes.estimate(query)).toEqual(estimateLaneRate(observations, query, { now: NOW }));
  });
});

describe("lane book after changes", () => {
  test("polls, rate changes, a booking and a cancelled load are read in alone: answers equal a book read afresh", () => {
    const random = seededRandom(5);
    // The engine built (so changes reach the book one by one), and every lane answered once, so
    // the book holds answers to forget.
    loads.engine.rebuild();
    for (const query of queries.values()) loads.lanes.estimate(query);
    const readIn = loads.lanes.loadsChanged.bind(loads.lanes);
    let changesReadIn = 0;
    loads.lanes.loadsChanged = (ids) => {
      changesReadIn += ids.length;
      readIn(ids);
    };
    // A poll of more loads on the busiest lanes, through the service (the engine passes the ids on).
    const batch = Array.from({ length: 60 }, (_, k) => ({
      external_id: `later-${k}`,
      origin: { city: "A", state: "IL", zip: "60601", lat: 41.88, lon: -87.62 },
      destination: { city: "B", state: "TX", zip: k % 2 ? "75201" : "77002", lat: 32.78, lon: -96.8 },
      pickup_earliest: NOW + 2 * DAY,
      equipment: "V",
      loaded_miles: 930,
      rate_cents: 200_000 + Math.floor(random() * 150_000),
      broker: { name: "Lane Test Brokerage" },
    }));
    loads.ingest({ sourceId: "lanes", loads: batch, receivedAt: NOW - 1000 });
    // A board doubles some rates; the fleet books one load at its own rate; one is cancelled after booking.
    const ids = (db.query("SELECT id FROM loads WHERE rate_cents IS NOT NULL ORDER BY id").all() as { id: number }[]).map((row) => row.id);
    const changed = ids.filter(() => random() < 0.05);
    for (const id of changed) db.query("UPDATE loads SET rate_cents = rate_cents * 2 WHERE id = ?").run(id);
    loads.engine.loadsChanged(changed);
    const truck = new Fleet(db, () => NOW).createVehicle({ unit: "L1", equipment: ["V"] }).id;
    loads.book(ids[3]!, truck, 310_000, null, NOW - 500);
    loads.book(ids[4]!, truck, 290_000, null, NOW - 400);
    loads.setStatus(ids[4]!, "cancelled", null, { at: NOW - 300, cancelledBy: "broker" });
    const fresh = new LaneBook(db, () => NOW);
    let differentFromBefore = 0;
    for (const query of queries.values()) {
      const answer = loads.lanes.estimate(query);
      expect({ query, answer }).toEqual({ query, answer: fresh.estimate(query) });
      if (JSON.stringify(answer) !== JSON.stringify(estimateLaneRate(observations, query, { now: NOW }))) differentFromBefore++;
    }
    // The changes came in one by one (not by reading everything again), and moved some answers
    // (or the comparison above would prove nothing).
    expect(changesReadIn).toBeGreaterThan(60);
    expect(differentFromBefore).toBeGreaterThan(5);
    expect(loads.lanes.report({ origin: { state: "IL", zip: "60601" }, destination: { state: "TX", zip: "75201" }, equipment: "V" })).toEqual(
      fresh.report({ origin: { state: "IL", zip: "60601" }, destination: { state: "TX", zip: "75201" }, equipment: "V" }),
    );
  });
});
