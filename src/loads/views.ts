/**
 * Loads as the API and the pages show them: the stored row with its broker, and the match the
 * board is sorted by (one truck's, or the best truck's). Reads only; lifecycle changes go through
 * src/loads/service.ts.
 */
import type { Database } from "bun:sqlite";
import type { Match } from "../domain/matching";
import type { Loads, LoadStatus } from "./service";
import type { LoadColumns } from "./store";

/** A load ready to render or serialise. */
export interface LoadView {
  id: number;
  source: string;
  external_id: string;
  status: LoadStatus;
  demo: boolean;
  origin: PlaceView;
  destination: PlaceView;
  pickup_earliest: number;
  pickup_latest: number | null;
  delivery_earliest: number | null;
  delivery_latest: number | null;
  equipment: string;
  weight_lb: number | null;
  length_ft: number | null;
  full: boolean;
  rate_cents: number | null;
  loaded_miles: number | null;
  commodity: string | null;
  comments: string | null;
  broker: { id: number; name: string; mc: string | null; risk: number; risk_level: string } | null;
  posted_at: number | null;
  first_seen: number;
  truck_id: number | null;
  agreed_rate_cents: number | null;
  duplicate_of: number | null;
  disputed: boolean;
  times: Partial<Record<LoadStatus, number>>;
}

export interface PlaceView {
  city: string | null;
  state: string | null;
  zip: string | null;
  lat: number;
  lon: number;
}

/** "Joliet, IL → Dallas, TX": each end by city and state, else its ZIP. */
export function laneText(load: Pick<LoadView, "origin" | "destination">): string {
  const short = (place: PlaceView) => [place.city, place.state].filter(Boolean).join(", ") || place.zip || "?";
  return `${short(load.origin)} → ${short(load.destination)}`;
}

/** A `loads` row as stored: what the board set, plus the source, the lifecycle and its times. */
type LoadRow = Omit<LoadColumns, "broker_id"> & {
  id: number;
  source_id: string;
  external_id: string;
  status: LoadStatus;
  broker_id: number | null;
  first_seen: number;
  truck_id: number | null;
  agreed_rate_cents: number | null;
  duplicate_of: number | null;
  disputed: number;
  saved_at: number | null;
  negotiating_at: number | null;
  booked_at: number | null;
  picked_up_at: number | null;
  delivered_at: number | null;
  invoiced_at: number | null;
  paid_at: number | null;
  cancelled_at: number | null;
  expired_at: number | null;
};

/** What the board can be narrowed by. */
export interface LoadFilter {
  status?: LoadStatus;
  truckId?: number;
  equipment?: string;
  /** Only loads picking up within this many miles (straight line) of a point. */
  near?: { lat: number; lon: number; miles: number };
  /** Only loads picking up on or after / before (epoch ms). */
  pickupFrom?: number;
  pickupTo?: number;
  sort?: "score" | "pickup" | "rate" | "newest";
  limit?: number;
}

/** A load with the match it is ranked by. */
export interface BoardRow {
  load: LoadView;
  match: Match | null;
}

const TIMES: [LoadStatus, keyof LoadRow][] = [
  ["saved", "saved_at"],
  ["negotiating", "negotiating_at"],
  ["booked", "booked_at"],
  ["picked_up", "picked_up_at"],
  ["delivered", "delivered_at"],
  ["invoiced", "invoiced_at"],
  ["paid", "paid_at"],
  ["cancelled", "cancelled_at"],
  ["expired", "expired_at"],
];

export class LoadViews {
  constructor(
    private readonly db: Database,
    private readonly loads: Loads,
  ) {}

  /** One load, or null. */
  load(id: number): LoadView | null {
    const row = this.db.query("SELECT * FROM loads WHERE id = ?").get(id) as LoadRow | null;
    return row ? this.toView(row) : null;
  }

  /**
   * The board: loads of a status (default open; duplicates of another board's copy left out),
   * each with the given truck's match or else the best truck's, filtered, sorted, one page of it.
   * Only the page's rows are read and turned into views: sorted by score, the scored loads come
   * first (the engine ranks at most a truck's best), then the rest by pickup time, from SQL.
   */
  board(filter: LoadFilter & { offset?: number } = {}): { rows: BoardRow[]; total: number } {
    const status = filter.status ?? "open";
    const where = ["status = ?", "duplicate_of IS NULL"];
    const args: (string | number)[] = [status];
    if (filter.equipment) {
      where.push("equipment = ?");
      args.push(filter.equipment);
    }
    if (filter.pickupFrom !== undefined) {
      where.push("coalesce(pickup_latest, pickup_earliest) >= ?");
      args.push(filter.pickupFrom);
    }
    if (filter.pickupTo !== undefined) {
      where.push("pickup_earliest < ?");
      args.push(filter.pickupTo);
    }
    if (filter.near) {
      // Miles on a local flat map around the point (69 mi a degree of latitude): within a fraction
      // of a percent of the great circle at board radii, and plain arithmetic SQLite can do.
      const { lat, lon, miles } = filter.near;
      const lonScale = 69 * Math.cos((lat * Math.PI) / 180);
      where.push("((origin_lat - ?) * 69) * ((origin_lat - ?) * 69) + ((origin_lon - ?) * ?) * ((origin_lon - ?) * ?) <= ?");
      args.push(lat, lat, lon, lonScale, lon, lonScale, miles * miles);
    }
    const whereSql = where.join(" AND ");
    const limit = filter.limit ?? Number.MAX_SAFE_INTEGER;
    const offset = filter.offset ?? 0;
    // The whole board of a status is counted by triggers (migration 0011); a narrowed one here.
    const total =
      where.length === 2
        ? ((this.db.query("SELECT n FROM load_board_counts WHERE status = ?").get(status) as { n: number } | null)?.n ?? 0)
        : (this.db.query(`SELECT count(*) AS n FROM loads WHERE ${whereSql}`).get(...args) as { n: number }).n;
    const ranked =
      filter.truckId !== undefined
        ? this.loads.engine.best(filter.truckId, Number.MAX_SAFE_INTEGER)
        : [...this.loads.engine.bestPerLoad().values()].sort((a, b) => b.score - a.score || b.net_cents - a.net_cents);
    const matchOf = new Map(ranked.map((match) => [match.load_id, match]));
    const sort = filter.sort ?? "score";
    if (sort !== "score") {
      const order = { pickup: "pickup_earliest, id", rate: "rate_cents IS NULL, rate_cents DESC, id", newest: "first_seen DESC, id" }[sort];
      const rows = this.db.query(`SELECT * FROM loads WHERE ${whereSql} ORDER BY ${order} LIMIT ? OFFSET ?`).all(...args, limit, offset) as LoadRow[];
      return { rows: rows.map((row) => ({ load: this.toView(row), match: matchOf.get(row.id) ?? null })), total };
    }
    // The scored loads that pass the filters, in the engine's order — read only as far as this
    // page needs (all of them only when the page runs past them into the unscored loads).
    const scored: LoadRow[] = [];
    const ids = ranked.map((match) => match.load_id);
    const needed = offset + limit;
    // By primary key: "+status" keeps SQLite from walking the board index over every open load.
    const byKey = this.db.query(`SELECT * FROM loads WHERE +${whereSql} AND id IN (SELECT value FROM json_each(?))`);
    for (let i = 0; i < ids.length && scored.length < needed; ) {
      const chunk = ids.slice(i, i + Math.min(500, needed - scored.length));
      i += chunk.length;
      const byId = new Map((byKey.all(...args, JSON.stringify(chunk)) as LoadRow[]).map((row) => [row.id, row]));
      for (const id of chunk) if (byId.has(id)) scored.push(byId.get(id)!);
    }
    const page: LoadRow[] = scored.slice(offset, offset + limit);
    if (page.length < limit) {
      const restOffset = Math.max(0, offset - scored.length);
      const rest = this.db
        .query(`SELECT * FROM loads WHERE ${whereSql} AND id NOT IN (SELECT value FROM json_each(?)) ORDER BY pickup_earliest, id LIMIT ? OFFSET ?`)
        .all(...args, JSON.stringify(scored.map((row) => row.id)), limit - page.length, restOffset) as LoadRow[];
      page.push(...rest);
    }
    return { rows: page.map((row) => ({ load: this.toView(row), match: matchOf.get(row.id) ?? null })), total };
  }

  /** A load's lifecycle events, oldest first. */
  events(loadId: number): { at: number; status: string; note: string | null; user: string | null }[] {
    return this.db.query("SELECT e.at, e.status, e.note, u.username AS user FROM load_events e LEFT JOIN users u ON u.id = e.user_id WHERE e.load_id = ? ORDER BY e.at, e.id").all(loadId) as never;
  }

  private toView(row: LoadRow): LoadView {
    const broker = row.broker_id === null ? null : this.loads.brokers.broker(row.broker_id);
    const times: Partial<Record<LoadStatus, number>> = {};
    for (const [status, column] of TIMES) if (row[column] !== null) times[status] = row[column] as number;
    return {
      id: row.id,
      source: row.source_id,
      external_id: row.external_id,
      status: row.status,
      demo: row.demo === 1,
      origin: { city: row.origin_city, state: row.origin_state, zip: row.origin_zip, lat: row.origin_lat, lon: row.origin_lon },
      destination: { city: row.dest_city, state: row.dest_state, zip: row.dest_zip, lat: row.dest_lat, lon: row.dest_lon },
      pickup_earliest: row.pickup_earliest,
      pickup_latest: row.pickup_latest,
      delivery_earliest: row.delivery_earliest,
      delivery_latest: row.delivery_latest,
      equipment: row.equipment,
      weight_lb: row.weight_lb,
      length_ft: row.length_ft,
      full: row.full === 1,
      rate_cents: row.rate_cents,
      loaded_miles: row.loaded_miles,
      commodity: row.commodity,
      comments: row.comments,
      broker: broker ? { id: broker.id, name: broker.name, mc: broker.mc, risk: broker.risk.score, risk_level: broker.risk.level } : null,
      posted_at: row.posted_at,
      first_seen: row.first_seen,
      truck_id: row.truck_id,
      agreed_rate_cents: row.agreed_rate_cents,
      duplicate_of: row.duplicate_of,
      disputed: row.disputed === 1,
      times,
    };
  }
}

