/**
 * Revenue, cost and net per truck per week and per month, from the loads the fleet booked (not
 * cancelled): revenue is the agreed rate, cost and net what the engine computed at booking. A load
 * counts in the week or month it was delivered (or is due to be), in the fleet's time zone; weeks
 * are ISO weeks (Monday to Sunday, "2026-W48").
 */
import type { Database } from "bun:sqlite";

export type Period = "week" | "month";

export interface TruckMoney {
  truck_id: number;
  unit: string;
  period: string;
  loads: number;
  revenue_cents: number;
  cost_cents: number;
  net_cents: number;
  miles: number;
  /** Loads booked before costs could be computed (no position or equipment then): in revenue, not in cost or net. */
  loads_without_cost: number;
}

interface Row {
  truck_id: number;
  unit: string;
  at: number;
  agreed_rate_cents: number;
  booked_cost_cents: number | null;
  booked_net_cents: number | null;
  booked_miles: number | null;
}

/** The calendar date of `at` in `timeZone`, as [year, month 1–12, day]. */
function localDate(at: number, timeZone: string): [number, number, number] {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date(at));
  const [year, month, day] = parts.split("-").map(Number) as [number, number, number];
  return [year, month, day];
}

/** "2026-W48" for the ISO week holding that calendar date. */
export function isoWeek(year: number, month: number, day: number): string {
  const date = new Date(Date.UTC(year, month - 1, day));
  // ISO weeks belong to the year of their Thursday.
  const weekday = date.getUTCDay() || 7;
  date.setUTCDate(date.getUTCDate() + 4 - weekday);
  const weekYear = date.getUTCFullYear();
  const week = Math.ceil(((date.getTime() - Date.UTC(weekYear, 0, 1)) / 86_400_000 + 1) / 7);
  return `${weekYear}-W${String(week).padStart(2, "0")}`;
}

/** The period label of a time: "2026-W48" or "2026-11". */
export function periodOf(at: number, period: Period, timeZone: string): string {
  const [year, month, day] = localDate(at, timeZone);
  return period === "month" ? `${year}-${String(month).padStart(2, "0")}` : isoWeek(year, month, day);
}

/** Money per truck per period, newest period first, then by unit. */
export function truckMoney(db: Database, options: { period: Period; timeZone: string; truckId?: number; since?: number }): TruckMoney[] {
  const rows = db
    .query(
      `SELECT l.truck_id, v.unit, coalesce(l.delivered_at, l.delivery_earliest, l.pickup_earliest) AS at, l.agreed_rate_cents, l.booked_cost_cents, l.booked_net_cents, l.booked_miles
       FROM loads l JOIN vehicles v ON v.id = l.truck_id
       WHERE l.booked_at IS NOT NULL AND l.status != 'cancelled' AND l.agreed_rate_cents IS NOT NULL
         AND (?1 IS NULL OR l.truck_id = ?1) AND coalesce(l.delivered_at, l.delivery_earliest, l.pickup_earliest) >= ?2`,
    )
    .all(options.truckId ?? null, options.since ?? 0) as Row[];
  const groups = new Map<string, TruckMoney>();
  for (const row of rows) {
    const period = periodOf(row.at, options.period, options.timeZone);
    const key = `${row.truck_id}|${period}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { truck_id: row.truck_id, unit: row.unit, period, loads: 0, revenue_cents: 0, cost_cents: 0, net_cents: 0, miles: 0, loads_without_cost: 0 }));
    group.loads++;
    group.revenue_cents += row.agreed_rate_cents;
    if (row.booked_cost_cents === null) {
      // No cost known: its revenue counts, but it adds nothing to cost or net (never a made-up profit).
      group.loads_without_cost++;
    } else {
      group.cost_cents += row.booked_cost_cents;
      group.net_cents += row.booked_net_cents ?? row.agreed_rate_cents - row.booked_cost_cents;
    }
    group.miles = Math.round((group.miles + (row.booked_miles ?? 0)) * 10) / 10;
  }
  return [...groups.values()].sort((a, b) => b.period.localeCompare(a.period) || a.unit.localeCompare(b.unit));
}
