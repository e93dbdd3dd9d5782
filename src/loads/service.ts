/**
 * The loads feature as the rest of the appliance sees it: the store polls write into, the broker
 * and lane books, the matching engine, and the load lifecycle:
 *
 *   open → saved → negotiating → booked (a truck, an agreed rate) → picked_up → delivered →
 *   invoiced → paid, and cancelled from any state before paid.
 *
 * Each step records its time (given, or now) and an event with who made it. Booking sets where
 * and when the truck is free next (the engine rescoring it) and feeds lane and broker history.
 */
import type { Database } from "bun:sqlite";
import type { Config } from "../config/schema";
import { BrokerBook } from "./brokers";
import { LaneBook } from "./lanes";
import { LoadStore, type Geocoder, type LoadBatch, type LoadBatchResult } from "./store";
import { MatchingEngine } from "../engines/matching";
import { DieselPrices } from "../fuel/prices";
import { CostSettings } from "./cost-settings";
import { LoadRouter } from "./routing";
import { createLogger, type Logger } from "../log";
import { loadProblem, type LoadRecord } from "./records";

/** Every status a load can have. */
export const LOAD_STATUSES = ["open", "expired", "saved", "negotiating", "booked", "picked_up", "delivered", "invoiced", "paid", "cancelled"] as const;
export type LoadStatus = (typeof LOAD_STATUSES)[number];

/** Which statuses each status may move to (cancel is allowed from any state before paid). */
const NEXT: Record<LoadStatus, readonly LoadStatus[]> = {
  open: ["saved", "negotiating", "booked"],
  expired: ["saved", "negotiating", "booked", "open"],
  saved: ["negotiating", "booked", "open"],
  negotiating: ["booked", "saved", "open"],
  booked: ["picked_up"],
  picked_up: ["delivered"],
  delivered: ["invoiced"],
  invoiced: ["paid"],
  paid: [],
  cancelled: [],
};

/** The timestamp column each status sets. */
const STATUS_COLUMN: Partial<Record<LoadStatus, string>> = {
  saved: "saved_at",
  negotiating: "negotiating_at",
  booked: "booked_at",
  picked_up: "picked_up_at",
  delivered: "delivered_at",
  invoiced: "invoiced_at",
  paid: "paid_at",
  cancelled: "cancelled_at",
  expired: "expired_at",
};

/** A refused lifecycle step or manual load: `code` maps to an HTTP status. */
export class LoadActionError extends Error {
  constructor(
    readonly code: "not_found" | "conflict" | "invalid",
    message: string,
  ) {
    super(message);
    this.name = "LoadActionError";
  }
}

export interface LoadsOptions {
  db: Database;
  config: () => Config;
  geocode: Geocoder;
  /** For the route server's trouble; silent when omitted (tests). */
  log?: Logger;
  /** Full breakdowns the matching engine keeps per truck (tests use a few). */
  keepPerTruck?: number;
  now?: () => number;
}

export class Loads {
  readonly store: LoadStore;
  readonly brokers: BrokerBook;
  readonly lanes: LaneBook;
  readonly engine: MatchingEngine;
  readonly diesel: DieselPrices;
  readonly costs: CostSettings;
  readonly router: LoadRouter;
  private readonly db: Database;
  private readonly now: () => number;
  private readonly log: Logger;

  constructor(options: LoadsOptions) {
    this.db = options.db;
    this.now = options.now ?? Date.now;
    this.store = new LoadStore(options.db, options.geocode, this.now);
    this.brokers = new BrokerBook(options.db, this.now);
    this.lanes = new LaneBook(options.db, this.now);
    this.costs = new CostSettings(options.db, options.config);
    const costs = () => this.costs.current().costs;
    this.diesel = new DieselPrices(options.db, costs);
    this.log = options.log ?? createLogger({ level: "error", write: () => {} });
    this.router = new LoadRouter(options.db, options.config, this.log, (ids) => this.engine.loadsChanged(ids));
    this.engine = new MatchingEngine({ db: options.db, config: options.config, costs, diesel: this.diesel, brokers: this.brokers, lanes: this.lanes, now: this.now, keepPerTruck: options.keepPerTruck });
  }

  /** Stores a load-board poll and scores what changed. */
  ingest(batch: LoadBatch): LoadBatchResult {
    const result = this.store.ingest(batch);
    if (result.changedIds.length) {
      this.engine.loadsChanged(result.changedIds);
      // Road miles for loads posted without miles, in the background (no-op without a route server).
      void this.router.fill(result.changedIds);
    }
    return result;
  }

  /** Builds the matching engine if nothing has yet, and logs how long it took and how much it scored. */
  warmUp(): void {
    const started = performance.now();
    if (!this.engine.warm()) return;
    const counts = this.engine.counts();
    this.log.info("matching engine ready", { open_loads: counts.openLoads, trucks: counts.matchableTrucks, ms: Math.round(performance.now() - started) });
  }

  /** Expires loads past their pickup window (the scheduled job); returns how many. */
  expireStale(): number {
    const ids = this.store.expireStale(this.now());
    if (ids.length) this.engine.loadsChanged(ids);
    return ids.length;
  }

  /** Stores a load entered by hand (a broker phoned it in); source `manual`. Returns its id. */
  createManual(record: Omit<LoadRecord, "external_id"> & { external_id?: string }): number {
    const externalId = record.external_id ?? `manual-${this.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`;
    const full = { ...record, external_id: externalId };
    const problem = loadProblem(full);
    if (problem) throw new LoadActionError("invalid", problem);
    const result = this.store.ingest({ sourceId: "manual", loads: [full as unknown as Record<string, unknown>], receivedAt: this.now() });
    if (result.rejected) throw new LoadActionError("invalid", result.rejections[0]?.reason ?? "the load could not be stored");
    this.engine.loadsChanged(result.changedIds);
    const { id } = this.db.query("SELECT id FROM loads WHERE source_id = 'manual' AND external_id = ?").get(externalId) as { id: number };
    return id;
  }

  /** Books a load to a truck at an agreed rate. */
  book(loadId: number, truckId: number, rateCents: number, userId: number | null, at = this.now()): void {
    if (!Number.isSafeInteger(rateCents) || rateCents <= 0) throw new LoadActionError("invalid", "rate_cents must be a whole number of cents above 0");
    const truck = this.db.query("SELECT id FROM vehicles WHERE id = ?").get(truckId);
    if (!truck) throw new LoadActionError("not_found", `no truck with id ${truckId}`);
    // The money as the dispatcher sees it now, at the agreed rate (null when the truck cannot be
    // matched yet: no position or equipment).
    const plan = this.engine.pair(truckId, loadId, rateCents);
    this.db.transaction(() => {
      this.step(loadId, "booked", at, userId, `booked to truck ${truckId} at ${rateCents} cents`);
      this.db
        .query("UPDATE loads SET truck_id = ?, agreed_rate_cents = ?, booked_miles = ?, booked_cost_cents = ?, booked_net_cents = ? WHERE id = ?")
        .run(truckId, rateCents, plan?.total_miles ?? null, plan ? plan.revenue_cents - plan.net_cents : null, plan?.net_cents ?? null, loadId);
    })();
    this.afterLifecycleChange(loadId, truckId);
  }

  /** Moves a load to `status` (not booked: use `book`), at `at` or now. */
  setStatus(loadId: number, status: LoadStatus, userId: number | null, options: { at?: number; cancelledBy?: "fleet" | "broker"; note?: string } = {}): void {
    if (status === "booked") throw new LoadActionError("invalid", "booking needs a truck and a rate: use POST /api/v1/loads/:id/book");
    const before = this.db.query("SELECT truck_id FROM loads WHERE id = ?").get(loadId) as { truck_id: number | null } | null;
    this.db.transaction(() => {
      this.step(loadId, status, options.at ?? this.now(), userId, options.note ?? null);
      if (status === "cancelled") this.db.query("UPDATE loads SET cancelled_by = ? WHERE id = ?").run(options.cancelledBy ?? "fleet", loadId);
    })();
    this.afterLifecycleChange(loadId, before?.truck_id ?? null);
  }

  /** Marks a load's payment disputed (or not): it counts in the broker's risk. */
  setDisputed(loadId: number, disputed: boolean, userId: number | null = null): void {
    const row = this.db.query("SELECT booked_at FROM loads WHERE id = ?").get(loadId) as { booked_at: number | null } | null;
    if (!row) throw new LoadActionError("not_found", `no load with id ${loadId}`);
    if (row.booked_at === null) throw new LoadActionError("conflict", "only a load the fleet booked can have a disputed payment");
    this.db.transaction(() => {
      this.db.query("UPDATE loads SET disputed = ? WHERE id = ?").run(disputed ? 1 : 0, loadId);
      this.db.query("INSERT INTO load_events (load_id, at, status, note, user_id) SELECT id, ?, status, ?, ? FROM loads WHERE id = ?").run(this.now(), disputed ? "payment disputed" : "dispute settled", userId, loadId);
    })();
    this.brokers.invalidate();
    this.engine.loadsChanged([loadId]);
  }

  /** Checks and records one lifecycle step (inside the caller's transaction). */
  private step(loadId: number, status: LoadStatus, at: number, userId: number | null, note: string | null): void {
    const row = this.db.query("SELECT status FROM loads WHERE id = ?").get(loadId) as { status: LoadStatus } | null;
    if (!row) throw new LoadActionError("not_found", `no load with id ${loadId}`);
    const allowed = status === "cancelled" ? row.status !== "paid" && row.status !== "cancelled" : NEXT[row.status].includes(status);
    if (!allowed) throw new LoadActionError("conflict", `a ${row.status.replace("_", " ")} load cannot become ${status.replace("_", " ")}${NEXT[row.status].length ? ` (next: ${NEXT[row.status].join(", ")}, or cancelled)` : ""}`);
    const column = STATUS_COLUMN[status];
    this.db.query(`UPDATE loads SET status = ?, updated_at = ?${column ? `, ${column} = ?` : ""} WHERE id = ?`).run(...[status, this.now(), ...(column ? [at] : []), loadId]);
    this.db.query("INSERT INTO load_events (load_id, at, status, note, user_id) VALUES (?, ?, ?, ?, ?)").run(loadId, at, status, note, userId);
  }

  private afterLifecycleChange(loadId: number, truckId: number | null): void {
    // The engine rereads the load, its lane's reports and the brokers.
    this.engine.loadsChanged([loadId]);
    if (truckId !== null) this.engine.truckChanged(truckId);
  }
}
