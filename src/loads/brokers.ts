/**
 * The broker book: each broker with what boards say about it, the fleet's own history with it
 * (read from the loads' lifecycle), and its risk score (src/domain/broker-risk.ts) with reasons.
 * History is aggregated in SQL per broker; risks are cached until a load or broker changes.
 */
import type { Database } from "bun:sqlite";
import { brokerRisk, type BrokerHistory, type BrokerRisk } from "../domain/broker-risk";

/** Days after the invoice a payment is on time (net 30, the common US freight term). */
export const PAYMENT_TERMS_DAYS = 30;
const DAY_MS = 86_400_000;

/** A broker as the book shows it. */
export interface BrokerView {
  id: number;
  name: string;
  mc: string | null;
  dot: string | null;
  phone: string | null;
  email: string | null;
  credit_score: number | null;
  days_to_pay: number | null;
  notes: string;
  demo: boolean;
  history: BrokerHistory;
  risk: BrokerRisk;
}

/** A broker as BROKER_SQL reads it: the view's own fields (demo as 0/1), and its history's counts. */
type BrokerRow = Omit<BrokerView, "demo" | "history" | "risk"> & {
  demo: number;
  created_at: number;
  loads_booked: number;
  paid_on_time: number;
  paid_late: number;
  avg_days_to_pay: number | null;
  disputes: number;
  cancelled_by_broker: number;
  unpaid_past_due: number;
};

/** Every broker's row with its history: only the loads the fleet booked count (an index holds just those). */
const BROKER_SQL = `
  SELECT b.id, b.name, b.mc, b.dot, b.phone, b.email, b.credit_score, b.days_to_pay, b.notes, b.demo, b.created_at,
    count(l.booked_at) AS loads_booked,
    count(CASE WHEN l.paid_at IS NOT NULL AND l.paid_at - l.invoiced_at <= ${PAYMENT_TERMS_DAYS * DAY_MS} THEN 1 END) AS paid_on_time,
    count(CASE WHEN l.paid_at IS NOT NULL AND l.paid_at - l.invoiced_at > ${PAYMENT_TERMS_DAYS * DAY_MS} THEN 1 END) AS paid_late,
    avg(CASE WHEN l.paid_at IS NOT NULL AND l.invoiced_at IS NOT NULL THEN (l.paid_at - l.invoiced_at) / ${DAY_MS}.0 END) AS avg_days_to_pay,
    count(CASE WHEN l.disputed = 1 THEN 1 END) AS disputes,
    count(CASE WHEN l.cancelled_by = 'broker' AND l.booked_at IS NOT NULL THEN 1 END) AS cancelled_by_broker,
    count(CASE WHEN l.invoiced_at IS NOT NULL AND l.paid_at IS NULL AND l.status != 'cancelled' AND l.invoiced_at < ?1 - ${PAYMENT_TERMS_DAYS * DAY_MS} THEN 1 END) AS unpaid_past_due
  FROM brokers b LEFT JOIN loads l ON l.broker_id = b.id AND l.booked_at IS NOT NULL`;

export class BrokerBook {
  private cache: Map<number, BrokerView> | null = null;

  constructor(
    private readonly db: Database,
    private readonly now: () => number = Date.now,
  ) {}

  /** Forget cached risks (a load's lifecycle or a broker changed). */
  invalidate(): void {
    this.cache = null;
  }

  /** Every broker, riskiest first. */
  list(): BrokerView[] {
    return [...this.all().values()].sort((a, b) => b.risk.score - a.risk.score || a.name.localeCompare(b.name));
  }

  broker(id: number): BrokerView | null {
    return this.all().get(id) ?? null;
  }

  /** Updates the fleet's own notes on a broker. */
  setNotes(id: number, notes: string): boolean {
    const changed = this.db.query("UPDATE brokers SET notes = ?, updated_at = ? WHERE id = ?").run(notes.slice(0, 10_000), this.now(), id).changes > 0;
    if (changed) this.invalidate();
    return changed;
  }

  private all(): Map<number, BrokerView> {
    if (this.cache) return this.cache;
    const now = this.now();
    const rows = this.db.query(`${BROKER_SQL} GROUP BY b.id`).all(now) as BrokerRow[];
    this.cache = new Map(rows.map((row) => [row.id, toView(row, now)]));
    return this.cache;
  }
}

function toView(row: BrokerRow, now: number): BrokerView {
  const history: BrokerHistory = {
    loads_booked: row.loads_booked,
    paid_on_time: row.paid_on_time,
    paid_late: row.paid_late,
    avg_days_to_pay: row.avg_days_to_pay,
    disputes: row.disputes,
    cancelled_by_broker: row.cancelled_by_broker,
    unpaid_past_due: row.unpaid_past_due,
    first_seen: row.created_at,
  };
  return {
    id: row.id,
    name: row.name,
    mc: row.mc,
    dot: row.dot,
    phone: row.phone,
    email: row.email,
    credit_score: row.credit_score,
    days_to_pay: row.days_to_pay,
    notes: row.notes,
    demo: row.demo === 1,
    history,
    risk: brokerRisk({ board: { credit_score: row.credit_score, days_to_pay: row.days_to_pay }, history, mc_known: row.mc !== null }, now),
  };
}
