/**
 * The load store over a real migrated database: polls insert, re-listings touch, changes update
 * without touching the lifecycle, bad records and unknown places become dead letters with reasons
 * while the rest of the poll is stored, complete polls expire what disappeared (and a re-listed
 * load opens again), the same load on two boards is stored once as the original plus a duplicate,
 * brokers are keyed by MC or by normalised name, and per-source counts add up.
 */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import type { Database } from "bun:sqlite";
import { openDatabase } from "../../src/db/open";
import { migrate } from "../../src/db/migrate";
import { brokerNameKey, LoadStore, PICKUP_GRACE_MS } from "../../src/loads/store";
import type { LoadRecord } from "../../src/loads/records";
import { tempDir } from "../helpers/app";
import { placesGeocoder } from "../helpers/loads";

const NOW = Date.UTC(2026, 10, 20, 15, 0, 0);
const HOUR = 3_600_000;

/** A stand-in gazetteer of three places (the real one is tested in tests/geo). */
const PLACES: Record<string, { lat: number; lon: number; zip: string }> = {
  "chicago|IL": { lat: 41.8781, lon: -87.6298, zip: "60601" },
  "dallas|TX": { lat: 32.7767, lon: -96.797, zip: "75201" },
  "atlanta|GA": { lat: 33.749, lon: -84.388, zip: "30303" },
};
const geocode = placesGeocoder(PLACES);

function load(id: string, changes: Partial<LoadRecord> = {}): LoadRecord {
  return {
    external_id: id,
    origin: { city: "Chicago", state: "IL" },
    destination: { city: "Dallas", state: "TX" },
    pickup_earliest: NOW + 20 * HOUR,
    pickup_latest: NOW + 24 * HOUR,
    equipment: "V",
    weight_lb: 42_000,
    rate_cents: 240_000,
    loaded_miles: 925,
    broker: { name: "Prairie Freight, Inc.", mc: "123456", credit_score: 92, days_to_pay: 31 },
    ...changes,
  };
}

let dir: string;
let db: Database;
let store: LoadStore;
beforeEach(() => {
  dir = tempDir("haulbox-loads-");
  db = openDatabase(dir);
  migrate(db);
  store = new LoadStore(db, geocode, () => NOW);
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const rows = (sql: string, ...args: (string | number)[]) => db.query(sql).all(...args) as Record<string, unknown>[];
const asRaw = (records: LoadRecord[]) => records as unknown as Record<string, unknown>[];

describe("polls", () => {
  test("new loads are geocoded and stored once; a re-listing touches, a change updates without touching the lifecycle", () => {
    const first = store.ingest({ sourceId: "board", loads: asRaw([load("A1"), load("A2", { destination: { city: "Atlanta", state: "GA" } })]), receivedAt: NOW });
    expect(first).toMatchObject({ new: 2, updated: 0, unchanged: 0, expired: 0, rejected: 0 });
    expect(rows("SELECT external_id, status, origin_lat, dest_zip, rate_cents FROM loads ORDER BY external_id")).toEqual([
      { external_id: "A1", status: "open", origin_lat: 41.8781, dest_zip: "75201", rate_cents: 240_000 },
      { external_id: "A2", status: "open", origin_lat: 41.8781, dest_zip: "30303", rate_cents: 240_000 },
    ]);
    // The fleet saves A1; the board re-lists both, A1 with a new rate.
    db.query("UPDATE loads SET status = 'saved', saved_at = ? WHERE external_id = 'A1'").run(NOW);
    const second = store.ingest({ sourceId: "board", loads: asRaw([load("A1", { rate_cents: 255_000 }), load("A2", { destination: { city: "Atlanta", state: "GA" } })]), receivedAt: NOW + 60_000 });
    expect(second).toMatchObject({ new: 0, updated: 1, unchanged: 1 });
    expect(second.changedIds).toHaveLength(1);
    expect(rows("SELECT status, rate_cents, saved_at, last_seen FROM loads WHERE external_id = 'A1'")).toEqual([{ status: "saved", rate_cents: 255_000, saved_at: NOW, last_seen: NOW + 60_000 }]);
    expect(rows("SELECT last_seen FROM loads WHERE external_id = 'A2'")).toEqual([{ last_seen: NOW + 60_000 }]);
    expect(rows("SELECT last_new, last_updated, total_new, total_updated FROM load_source_counts WHERE source_id = 'board'")).toEqual([{ last_new: 0, last_updated: 1, total_new: 2, total_updated: 1 }]);
  });

  test("a bad record, an unknown place and a plugin-rejected row become dead letters with reasons; the rest is stored", () => {
    const bad = { ...load("B1"), equipment: "SPACESHIP" } as unknown as Record<string, unknown>;
    const result = store.ingest({
      sourceId: "csv",
      loads: [bad, ...asRaw([load("B2", { origin: { city: "Springfeld", state: "IL" } }), load("B3")])],
      rejected: [{ ref: "loads.csv row 7", reason: "pickup date \"tomorrow\" is not a date", raw: "tomorrow,Chicago,IL" }],
      receivedAt: NOW,
    });
    expect(result).toMatchObject({ new: 1, rejected: 3 });
    const dead = rows("SELECT kind, source_id, ref, reason FROM dead_letters ORDER BY id");
    expect(dead).toEqual([
      { kind: "load", source_id: "csv", ref: "loads.csv row 7", reason: "pickup date \"tomorrow\" is not a date" },
      { kind: "load", source_id: "csv", ref: "load B1", reason: expect.stringContaining("equipment") },
      { kind: "load", source_id: "csv", ref: "load B2", reason: "origin: no US city \"Springfeld\" in IL" },
    ]);
    expect(rows("SELECT external_id FROM loads")).toEqual([{ external_id: "B3" }]);
  });

  test("a complete poll expires the source's open loads it no longer lists; a load listed again with its pickup ahead opens again", () => {
    store.ingest({ sourceId: "board", loads: asRaw([load("C1"), load("C2"), load("C3")]), complete: true, receivedAt: NOW });
    db.query("UPDATE loads SET status = 'booked' WHERE external_id = 'C3'").run();
    const gone = store.ingest({ sourceId: "board", loads: asRaw([load("C1")]), complete: true, receivedAt: NOW + 60_000 });
    expect(gone.expired).toBe(1);
    // C3 is booked by the fleet: a board taking it down does not expire it.
    expect(rows("SELECT external_id, status FROM loads ORDER BY external_id")).toEqual([
      { external_id: "C1", status: "open" },
      { external_id: "C2", status: "expired" },
      { external_id: "C3", status: "booked" },
    ]);
    const back = store.ingest({ sourceId: "board", loads: asRaw([load("C1"), load("C2")]), complete: true, receivedAt: NOW + 120_000 });
    expect(back).toMatchObject({ updated: 1, expired: 0 });
    expect(rows("SELECT status, expired_at FROM loads WHERE external_id = 'C2'")).toEqual([{ status: "open", expired_at: null }]);
    // A poll that does not say it is complete expires nothing.
    expect(store.ingest({ sourceId: "board", loads: [], receivedAt: NOW + 180_000 }).expired).toBe(0);
  });

  test("the same load on two boards is stored as the original and a duplicate pointing at it", () => {
    store.ingest({ sourceId: "board-a", loads: asRaw([load("X")]), receivedAt: NOW });
    // Same lane, day, equipment, weight and broker; another id and rate on the second board.
    store.ingest({ sourceId: "board-b", loads: asRaw([load("other-77", { rate_cents: 230_000, pickup_earliest: NOW + 21 * HOUR })]), receivedAt: NOW });
    // A different day is a different load.
    store.ingest({ sourceId: "board-b", loads: asRaw([load("other-78", { pickup_earliest: NOW + 48 * HOUR, pickup_latest: NOW + 50 * HOUR })]), receivedAt: NOW });
    const stored = rows("SELECT id, source_id, external_id, duplicate_of FROM loads ORDER BY id");
    expect(stored.map((row) => row.duplicate_of)).toEqual([null, stored[0]!.id, null]);
  });
});

describe("board counts", () => {
  /** The triggers' counts against a count of the loads themselves (statuses with none left out). */
  function expectCountsTrue(step: string) {
    const kept = rows("SELECT status, n FROM load_board_counts WHERE n != 0 ORDER BY status");
    const counted = rows("SELECT status, count(*) AS n FROM loads WHERE duplicate_of IS NULL GROUP BY status ORDER BY status");
    expect({ step, counts: kept }).toEqual({ step, counts: counted });
  }

  test("the board's counts per status follow every way a load is stored, changed, duplicated, expired or deleted", () => {
    store.ingest({ sourceId: "board-a", loads: asRaw([load("A1"), load("A2", { pickup_earliest: NOW + 48 * HOUR, pickup_latest: NOW + 50 * HOUR }), load("A3", { equipment: "R" })]), complete: true, receivedAt: NOW });
    expectCountsTrue("first poll");
    // The same load on another board is a duplicate: not on the board, not counted.
    store.ingest({ sourceId: "board-b", loads: asRaw([load("B1", { rate_cents: 230_000 })]), receivedAt: NOW });
    expect(rows("SELECT count(*) AS n FROM loads WHERE duplicate_of IS NOT NULL")).toEqual([{ n: 1 }]);
    expectCountsTrue("a duplicate");
    db.query("UPDATE loads SET status = 'booked', booked_at = ? WHERE external_id = 'A1'").run(NOW);
    db.query("UPDATE loads SET status = 'booked' WHERE external_id = 'B1'").run();
    expectCountsTrue("booked, one of them a duplicate");
    store.ingest({ sourceId: "board-a", loads: asRaw([load("A1")]), complete: true, receivedAt: NOW + 60_000 });
    expectCountsTrue("a complete poll expires what it no longer lists");
    store.ingest({ sourceId: "board-a", loads: asRaw([load("A1"), load("A2", { pickup_earliest: NOW + 48 * HOUR, pickup_latest: NOW + 50 * HOUR })]), complete: true, receivedAt: NOW + 120_000 });
    expectCountsTrue("listed again, open again");
    store.expireStale(NOW + 30 * HOUR);
    expectCountsTrue("expired by time");
    // No longer a duplicate (its original was deleted), then deleted itself; a status set twice.
    const original = rows("SELECT duplicate_of FROM loads WHERE external_id = 'B1'")[0]!.duplicate_of as number;
    db.query("UPDATE loads SET duplicate_of = NULL WHERE external_id = 'B1'").run();
    db.query("DELETE FROM loads WHERE id = ?").run(original);
    expectCountsTrue("a duplicate on its own");
    db.query("UPDATE loads SET status = status").run();
    db.query("UPDATE loads SET status = 'paid' WHERE external_id = 'B1'").run();
    db.query("DELETE FROM loads WHERE external_id = 'A3'").run();
    expectCountsTrue("paid and deleted");
    db.query("DELETE FROM loads").run();
    expect(rows("SELECT count(*) AS n FROM load_board_counts WHERE n != 0")).toEqual([{ n: 0 }]);
  });
});

describe("expiry and brokers", () => {
  test("expireStale closes loads past their latest pickup, past pickup + grace when there is no latest, or past the board's expiry", () => {
    store.ingest({
      sourceId: "board",
      loads: asRaw([
        load("late", { pickup_earliest: NOW - 10 * HOUR, pickup_latest: NOW - HOUR }),
        load("grace", { pickup_earliest: NOW - PICKUP_GRACE_MS + 60_000, pickup_latest: undefined }),
        load("gone", { expires_at: NOW - 1 }),
        load("fine"),
      ]),
      receivedAt: NOW - 11 * HOUR,
    });
    expect(store.expireStale(NOW)).toHaveLength(2);
    expect(rows("SELECT external_id FROM loads WHERE status = 'open' ORDER BY external_id")).toEqual([{ external_id: "fine" }, { external_id: "grace" }]);
    expect(store.expireStale(NOW + 120_000)).toHaveLength(1);
  });

  test("brokers are one row per MC, or per normalised name when there is no MC; what boards say is refreshed", () => {
    expect(brokerNameKey("C.H. Robinson Worldwide, Inc.")).toBe("ch robinson worldwide");
    store.ingest({
      sourceId: "board",
      loads: asRaw([
        load("M1"),
        load("M2", { broker: { name: "Prairie Freight", mc: "123456", days_to_pay: 28 } }),
        load("N1", { broker: { name: "ACME Logistics, Inc." } }),
        load("N2", { broker: { name: "Acme Logistics Inc" } }),
      ]),
      receivedAt: NOW,
    });
    expect(rows("SELECT mc, name, credit_score, days_to_pay FROM brokers ORDER BY id")).toEqual([
      { mc: "123456", name: "Prairie Freight", credit_score: 92, days_to_pay: 28 },
      { mc: null, name: "Acme Logistics Inc", credit_score: null, days_to_pay: null },
    ]);
    expect(rows("SELECT count(DISTINCT broker_id) AS n FROM loads")).toEqual([{ n: 2 }]);
  });
});
