/**
 * Money per truck per week and month: ISO weeks across a year end, months in the fleet's time
 * zone (a delivery late on the last evening of a month in Chicago is that month's, though UTC has
 * moved on), agreed rates summed, costs and nets as booked, cancelled loads left out, and a load
 * booked without a cost counted in revenue only.
 */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import type { Database } from "bun:sqlite";
import { openDatabase } from "../../src/db/open";
import { migrate } from "../../src/db/migrate";
import { Fleet } from "../../src/telemetry/fleet";
import { isoWeek, periodOf, truckMoney } from "../../src/loads/money-report";
import { tempDir } from "../helpers/app";

describe("periods", () => {
  test.each([
    [2026, 11, 23, "2026-W48"],
    [2026, 11, 29, "2026-W48"],
    [2026, 11, 30, "2026-W49"],
    // 2027-01-01 is a Friday: its week is the last of 2026 (ISO 8601 week 53).
    [2027, 1, 1, "2026-W53"],
    [2027, 1, 4, "2027-W01"],
    // 2024-12-30 is a Monday in the week holding 2025-01-02 (a Thursday): week 1 of 2025.
    [2024, 12, 30, "2025-W01"],
  ])("%i-%i-%i is in ISO week %s", (year, month, day, week) => {
    expect(isoWeek(year, month, day)).toBe(week);
  });

  test("months and weeks follow the fleet's time zone", () => {
    // 2026-11-30 23:30 in Chicago is 2026-12-01 05:30 UTC.
    const lateEvening = Date.UTC(2026, 11, 1, 5, 30);
    expect(periodOf(lateEvening, "month", "America/Chicago")).toBe("2026-11");
    expect(periodOf(lateEvening, "month", "UTC")).toBe("2026-12");
    expect(periodOf(lateEvening, "week", "America/Chicago")).toBe("2026-W49");
  });
});

describe("truckMoney", () => {
  let dir: string;
  let db: Database;
  beforeEach(() => {
    dir = tempDir("haulbox-money-");
    db = openDatabase(dir);
    migrate(db);
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("sums agreed revenue and booked costs per truck and period; cancelled loads are out; uncosted loads count in revenue only", () => {
    const fleet = new Fleet(db);
    const a = fleet.createVehicle({ unit: "101" }).id;
    const b = fleet.createVehicle({ unit: "202" }).id;
    const insert = db.query(
      `INSERT INTO loads (source_id, external_id, fingerprint, status, origin_lat, origin_lon, dest_lat, dest_lon, pickup_earliest, equipment, first_seen, last_seen, updated_at,
         truck_id, agreed_rate_cents, booked_at, delivered_at, booked_miles, booked_cost_cents, booked_net_cents)
       VALUES ('x', ?1, ?1, ?2, 0, 0, 0, 0, ?3, 'V', 0, 0, 0, ?4, ?5, ?3, ?6, ?7, ?8, ?9)`,
    );
    const nov24 = Date.UTC(2026, 10, 24, 18);
    const nov26 = Date.UTC(2026, 10, 26, 18);
    const dec2 = Date.UTC(2026, 11, 2, 18);
    insert.run("1", "paid", nov24, a, 250_000, nov24, 600, 180_000, 70_000);
    insert.run("2", "delivered", nov26, a, 120_000, nov26, 300.5, 100_000, 20_000);
    insert.run("3", "booked", dec2, a, 200_000, null, null, null, null);
    insert.run("4", "cancelled", nov26, a, 999_999, nov26, 1, 1, 999_998);
    insert.run("5", "delivered", nov26, b, 90_000, nov26, 200, 95_000, -5_000);
    expect(truckMoney(db, { period: "week", timeZone: "America/Chicago" })).toEqual([
      { truck_id: a, unit: "101", period: "2026-W49", loads: 1, revenue_cents: 200_000, cost_cents: 0, net_cents: 0, miles: 0, loads_without_cost: 1 },
      { truck_id: a, unit: "101", period: "2026-W48", loads: 2, revenue_cents: 370_000, cost_cents: 280_000, net_cents: 90_000, miles: 900.5, loads_without_cost: 0 },
      { truck_id: b, unit: "202", period: "2026-W48", loads: 1, revenue_cents: 90_000, cost_cents: 95_000, net_cents: -5_000, miles: 200, loads_without_cost: 0 },
    ]);
    const months = truckMoney(db, { period: "month", timeZone: "America/Chicago", truckId: a });
    expect(months.map((row) => [row.period, row.revenue_cents, row.net_cents])).toEqual([
      ["2026-12", 200_000, 0],
      ["2026-11", 370_000, 90_000],
    ]);
  });
});
