/**
 * The load store: what every load-board poll (and a load entered by hand) goes through on its way
 * into the `loads` table.
 *
 * - Each record is checked (src/loads/records.ts) and its places geocoded offline; a record that
 *   fails either becomes a dead letter (kind `load`) with the reason, and the rest of the poll is
 *   stored — one bad row never fails a poll.
 * - Across polls a load is the same when (source, external id) is: a changed record updates the
 *   row (never its lifecycle); a load seen again after it expired, with its pickup still ahead,
 *   opens again.
 * - Across sources the same load posted on two boards has the same content fingerprint (lane,
 *   pickup day, equipment, weight, broker): the later copy is stored with `duplicate_of` pointing
 *   at the first, so the board shows it once.
 * - A poll that says it returned everything (`complete`) expires the source's open loads it no
 *   longer lists; `expireStale` expires loads past their pickup window or their board expiry.
 * Counts per poll (new / updated / expired / rejected) are kept per source for the Sources page.
 */
import type { Database } from "bun:sqlite";
import { createHash } from "node:crypto";
import { loadProblem, type BrokerInfo, type LoadRecord, type Place } from "./records";
import type { RejectedItem } from "../plugins/types";

/** A geocoded place: where the load is, with the names the gazetteer knows it by. */
export type GeocodeResult = { ok: true; lat: number; lon: number; city?: string; state?: string; zip?: string } | { ok: false; reason: string };

/** Turns a board's place into coordinates, offline; an unknown place is an error, never a guess. */
export type Geocoder = (place: Place) => GeocodeResult;

/** One poll's loads on their way in. */
export interface LoadBatch {
  sourceId: string;
  loads: Record<string, unknown>[];
  rejected?: RejectedItem[];
  /** The poll returned every open load of the source: the ones it no longer lists expire. */
  complete?: boolean;
  receivedAt: number;
}

/** What a batch did. */
export interface LoadBatchResult {
  new: number;
  updated: number;
  /** Seen again with nothing changed. */
  unchanged: number;
  expired: number;
  rejected: number;
  /** Each rejected record: where it came from, why, and the raw text kept in its dead letter. */
  rejections: RejectedItem[];
  /** Ids of loads inserted, changed or expired (the matching engine rescores or drops these). */
  changedIds: number[];
}

/** What a load-board source's polls did: the last one, and totals. */
export interface LoadSourceCounts {
  source_id: string;
  last_poll_at: number | null;
  last_new: number;
  last_updated: number;
  last_expired: number;
  last_rejected: number;
  total_new: number;
  total_updated: number;
  total_expired: number;
  total_rejected: number;
}

/** How long after its earliest pickup a load with no latest pickup time stays open (ms). */
export const PICKUP_GRACE_MS = 2 * 3_600_000;
/** Statuses a load board lists: not yet taken by anyone in the fleet. */
export const OPEN_STATUSES = ["open"] as const;

type ExistingRow = LoadColumns & { id: number; status: string };

/** The stored columns a record sets (lifecycle columns are the fleet's, never a board's). */
export interface LoadColumns {
  fingerprint: string;
  origin_city: string | null;
  origin_state: string | null;
  origin_zip: string | null;
  origin_lat: number;
  origin_lon: number;
  dest_city: string | null;
  dest_state: string | null;
  dest_zip: string | null;
  dest_lat: number;
  dest_lon: number;
  pickup_earliest: number;
  pickup_latest: number | null;
  delivery_earliest: number | null;
  delivery_latest: number | null;
  equipment: string;
  weight_lb: number | null;
  length_ft: number | null;
  full: number;
  rate_cents: number | null;
  loaded_miles: number | null;
  commodity: string | null;
  comments: string | null;
  broker_id: number;
  posted_at: number | null;
  expires_at: number | null;
  demo: number;
}

const COLUMN_NAMES: (keyof LoadColumns)[] = [
  "fingerprint", "origin_city", "origin_state", "origin_zip", "origin_lat", "origin_lon", "dest_city", "dest_state", "dest_zip", "dest_lat", "dest_lon",
  "pickup_earliest", "pickup_latest", "delivery_earliest", "delivery_latest", "equipment", "weight_lb", "length_ft", "full", "rate_cents", "loaded_miles",
  "commodity", "comments", "broker_id", "posted_at", "expires_at", "demo",
];

/** Lower case, letters and digits only, company suffixes dropped: "C.H. Robinson, Inc." → "ch robinson". */
export function brokerNameKey(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9 ]+/g, "")
    .replace(/\b(inc|llc|l l c|corp|corporation|co|company|ltd|lp)\b/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

/**
 * The content fingerprint of a load: lane (ZIP3 or city/state of each end), pickup day (UTC),
 * equipment, weight to the nearest 1000 lb, and the broker. The rate is left out on purpose: two
 * boards may post the same load at different rates.
 */
export function loadFingerprint(columns: Pick<LoadColumns, "origin_zip" | "origin_city" | "origin_state" | "dest_zip" | "dest_city" | "dest_state" | "pickup_earliest" | "equipment" | "weight_lb">, broker: BrokerInfo): string {
  const place = (zip: string | null, city: string | null, state: string | null) => (zip ? zip.slice(0, 3) : `${(city ?? "").toLowerCase()}|${state ?? ""}`);
  const parts = [
    place(columns.origin_zip, columns.origin_city, columns.origin_state),
    place(columns.dest_zip, columns.dest_city, columns.dest_state),
    new Date(columns.pickup_earliest).toISOString().slice(0, 10),
    columns.equipment,
    columns.weight_lb === null ? "" : String(Math.round(columns.weight_lb / 1000)),
    broker.mc ?? brokerNameKey(broker.name),
  ];
  return createHash("sha256").update(parts.join("\u0000")).digest("hex").slice(0, 24);
}

export class LoadStore {
  private readonly sql;

  constructor(
    private readonly db: Database,
    private readonly geocode: Geocoder,
    private readonly now: () => number = Date.now,
  ) {
    const q = (text: string) => db.query(text);
    this.sql = {
      existing: q(`SELECT id, status, ${COLUMN_NAMES.join(", ")} FROM loads WHERE source_id = ? AND external_id = ?`),
      duplicateOf: q("SELECT id FROM loads WHERE fingerprint = ? AND source_id != ? AND duplicate_of IS NULL AND status != 'expired' ORDER BY id LIMIT 1"),
      insert: q(`INSERT INTO loads (source_id, external_id, duplicate_of, status, first_seen, last_seen, updated_at, ${COLUMN_NAMES.join(", ")})
        VALUES (?, ?, ?, 'open', ?, ?, ?, ${COLUMN_NAMES.map(() => "?").join(", ")}) RETURNING id`),
      update: q(`UPDATE loads SET ${COLUMN_NAMES.map((name) => `${name} = ?`).join(", ")}, last_seen = ?, updated_at = ? WHERE id = ?`),
      touch: q("UPDATE loads SET last_seen = ? WHERE id = ?"),
      reopen: q("UPDATE loads SET status = 'open', expired_at = NULL WHERE id = ?"),
      expireMissing: q("UPDATE loads SET status = 'expired', expired_at = ?1 WHERE source_id = ?2 AND status = 'open' AND last_seen < ?3 RETURNING id"),
      // Each half by its own partial index (migration 0012; SQLite's planner prefers the board
      // index, which reads every open load). INDEXED BY also fails loudly should the expression
      // here ever stop matching the index's.
      expireStale: q(`UPDATE loads SET status = 'expired', expired_at = ?1 WHERE id IN (
          SELECT id FROM loads INDEXED BY loads_open_pickup_end WHERE status = 'open' AND coalesce(pickup_latest, pickup_earliest + ${PICKUP_GRACE_MS}) < ?1
          UNION SELECT id FROM loads INDEXED BY loads_open_expires WHERE status = 'open' AND expires_at IS NOT NULL AND expires_at < ?1)
        RETURNING id`),
      brokerByMc: q("SELECT id FROM brokers WHERE mc = ?"),
      brokerByName: q("SELECT id FROM brokers WHERE mc IS NULL AND name_key = ?"),
      insertBroker: q("INSERT INTO brokers (mc, name_key, name, dot, phone, email, credit_score, days_to_pay, demo, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"),
      updateBroker: q(`UPDATE brokers SET name = ?, dot = coalesce(?, dot), phone = coalesce(?, phone), email = coalesce(?, email),
        credit_score = coalesce(?, credit_score), days_to_pay = coalesce(?, days_to_pay), updated_at = ? WHERE id = ?`),
      deadLetter: q("INSERT INTO dead_letters (kind, received_at, source_id, ref, payload, payload_bytes, reason) VALUES ('load', ?, ?, ?, ?, ?, ?)"),
      counts: q(`INSERT INTO load_source_counts (source_id, last_poll_at, last_new, last_updated, last_expired, last_rejected, total_new, total_updated, total_expired, total_rejected)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?3, ?4, ?5, ?6)
        ON CONFLICT (source_id) DO UPDATE SET last_poll_at = ?2, last_new = ?3, last_updated = ?4, last_expired = ?5, last_rejected = ?6,
          total_new = total_new + ?3, total_updated = total_updated + ?4, total_expired = total_expired + ?5, total_rejected = total_rejected + ?6`),
    };
  }

  /** Stores one poll's loads in one transaction; returns what changed. */
  ingest(batch: LoadBatch): LoadBatchResult {
    const result: LoadBatchResult = { new: 0, updated: 0, unchanged: 0, expired: 0, rejected: 0, rejections: [], changedIds: [] };
    const at = batch.receivedAt;
    this.db.transaction(() => {
      for (const item of batch.rejected ?? []) this.reject(batch.sourceId, item.ref, item.raw ?? "", item.reason, at, result);
      batch.loads.forEach((raw, index) => {
        const ref = typeof raw.external_id === "string" && raw.external_id ? `load ${raw.external_id}` : `item ${index + 1}`;
        const problem = loadProblem(raw);
        if (problem) return this.reject(batch.sourceId, ref, raw, problem, at, result);
        const stored = this.upsert(batch.sourceId, raw as unknown as LoadRecord, at);
        if ("reason" in stored) return this.reject(batch.sourceId, ref, raw, stored.reason, at, result);
        result[stored.outcome]++;
        if (stored.outcome !== "unchanged") result.changedIds.push(stored.id);
      });
      // Everything listed was stamped last_seen = at: the source's open loads not stamped are gone.
      if (batch.complete) {
        const expired = this.sql.expireMissing.all(at, batch.sourceId, at) as { id: number }[];
        result.expired += expired.length;
        for (const { id } of expired) result.changedIds.push(id);
      }
      this.sql.counts.run(batch.sourceId, at, result.new, result.updated, result.expired, result.rejected);
    })();
    return result;
  }

  /** Every load-board source's counts, by source id (the Sources page). */
  sourceCounts(): Map<string, LoadSourceCounts> {
    const rows = this.db.query("SELECT * FROM load_source_counts").all() as LoadSourceCounts[];
    return new Map(rows.map((row) => [row.source_id, row]));
  }

  /** Expires open loads whose pickup window has passed or whose board expiry is past; returns their ids. */
  expireStale(at = this.now()): number[] {
    return (this.sql.expireStale.all(at) as { id: number }[]).map((row) => row.id);
  }

  /** Stores or updates one valid record; a place that cannot be geocoded is a reason instead. */
  private upsert(sourceId: string, load: LoadRecord, at: number): { id: number; outcome: "new" | "updated" | "unchanged" } | { reason: string } {
    const origin = this.locate(load.origin, "origin");
    if (!origin.ok) return { reason: origin.reason };
    const destination = this.locate(load.destination, "destination");
    if (!destination.ok) return { reason: destination.reason };
    const columns: Omit<LoadColumns, "fingerprint" | "broker_id"> = {
      origin_city: origin.city ?? load.origin.city ?? null,
      origin_state: origin.state ?? load.origin.state ?? null,
      origin_zip: origin.zip ?? load.origin.zip ?? null,
      origin_lat: origin.lat,
      origin_lon: origin.lon,
      dest_city: destination.city ?? load.destination.city ?? null,
      dest_state: destination.state ?? load.destination.state ?? null,
      dest_zip: destination.zip ?? load.destination.zip ?? null,
      dest_lat: destination.lat,
      dest_lon: destination.lon,
      pickup_earliest: load.pickup_earliest,
      pickup_latest: load.pickup_latest ?? null,
      delivery_earliest: load.delivery_earliest ?? null,
      delivery_latest: load.delivery_latest ?? null,
      equipment: load.equipment,
      weight_lb: load.weight_lb ?? null,
      length_ft: load.length_ft ?? null,
      full: load.full === false ? 0 : 1,
      rate_cents: load.rate_cents ?? null,
      loaded_miles: load.loaded_miles ?? null,
      commodity: load.commodity ?? null,
      comments: load.comments ?? null,
      posted_at: load.posted_at ?? null,
      expires_at: load.expires_at ?? null,
      demo: load.demo ? 1 : 0,
    };
    const full: LoadColumns = { ...columns, fingerprint: loadFingerprint(columns, load.broker), broker_id: this.broker(load.broker, load.demo === true, at) };
    const values = COLUMN_NAMES.map((name) => full[name]);
    const existing = this.sql.existing.get(sourceId, load.external_id) as ExistingRow | null;
    if (!existing) {
      const duplicate = this.sql.duplicateOf.get(full.fingerprint, sourceId) as { id: number } | null;
      const { id } = this.sql.insert.get(sourceId, load.external_id, duplicate?.id ?? null, at, at, at, ...values) as { id: number };
      return { id, outcome: "new" };
    }
    // A load that expired and is listed again with its pickup still ahead is open again.
    const reopen = existing.status === "expired" && (full.pickup_latest ?? full.pickup_earliest + PICKUP_GRACE_MS) >= at;
    if (reopen) this.sql.reopen.run(existing.id);
    if (COLUMN_NAMES.every((name) => existing[name] === full[name]) && !reopen) {
      this.sql.touch.run(at, existing.id);
      return { id: existing.id, outcome: "unchanged" };
    }
    this.sql.update.run(...values, at, at, existing.id);
    return { id: existing.id, outcome: "updated" };
  }

  private locate(place: Place, which: "origin" | "destination"): GeocodeResult {
    if (place.lat !== undefined && place.lon !== undefined) return { ok: true, lat: place.lat, lon: place.lon, city: place.city, state: place.state, zip: place.zip };
    const found = this.geocode(place);
    return found.ok ? found : { ok: false, reason: `${which}: ${found.reason}` };
  }

  /** The broker's id: found by MC (or name when there is none), created or refreshed with what the board says. */
  private broker(info: BrokerInfo, demo: boolean, at: number): number {
    const key = brokerNameKey(info.name) || info.name.toLowerCase();
    const row = (info.mc ? this.sql.brokerByMc.get(info.mc) : this.sql.brokerByName.get(key)) as { id: number } | null;
    if (row) {
      this.sql.updateBroker.run(info.name, info.dot ?? null, info.phone ?? null, info.email ?? null, info.credit_score ?? null, info.days_to_pay ?? null, at, row.id);
      return row.id;
    }
    const inserted = this.sql.insertBroker.get(info.mc ?? null, key, info.name, info.dot ?? null, info.phone ?? null, info.email ?? null, info.credit_score ?? null, info.days_to_pay ?? null, demo ? 1 : 0, at, at) as { id: number };
    return inserted.id;
  }

  private reject(sourceId: string, ref: string, raw: unknown, reason: string, at: number, result: LoadBatchResult): void {
    const text = typeof raw === "string" ? raw : JSON.stringify(raw) ?? String(raw);
    const item = { ref: ref.slice(0, 300), reason: reason.slice(0, 1000), raw: text.slice(0, 4000) };
    this.sql.deadLetter.run(at, sourceId, item.ref, item.raw, Buffer.byteLength(text), item.reason);
    result.rejected++;
    result.rejections.push(item);
  }
}
