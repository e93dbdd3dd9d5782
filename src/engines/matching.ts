/**
 * The matching engine: every available truck against every open load, scored by real net profit
 * (src/domain/matching.ts), kept in memory and rescored incrementally — a new position rescores
 * that truck only, new or changed loads are scored for every truck, and a change of costs or
 * preferences rescores everything.
 *
 * Stages keep it cheap and memory bounded: a pair whose equipment cannot fit, or whose
 * straight-line deadhead is far beyond the truck's limit (over the limit × FAR_FACTOR), is
 * settled at once; every other pair gets a quick estimate of its score (`estimateScore`: no HOS
 * windows, no cost lines); only each truck's KEEP_PER_TRUCK best by that estimate get the full
 * breakdown, and those are what the board ranks and shows. Any other pair is computed in full
 * when someone asks about it (the load page shows every truck).
 *
 * Where a truck is free: its live position now, or — when it has a booked load not yet delivered
 * — that load's delivery point when the delivery window opens. Hours of service: the appliance has
 * no ELD data, so every driver is assumed rested when free; the reason text says so.
 */
import type { Database } from "bun:sqlite";
import type { Config } from "../config/schema";
import { equipmentFits, estimateScore, matchLoad, type Match, type MatchLoad, type MatchSettings, type MatchTruck } from "../domain/matching";
import { freshClock } from "../domain/hos";
import { haversineKm } from "../domain/geo";
import { KM_PER_MILE, kmToMiles } from "../domain/units";
import { equipmentMask, LoadGrid } from "./load-grid";
import { ColumnarLoads } from "./load-columns";
import { measuredMpg, type CounterSample, type MpgEstimate } from "../domain/mpg";
import { paddOfState, type PaddId } from "../domain/padd";
import type { BrokerBook } from "../loads/brokers";
import type { LaneBook } from "../loads/lanes";
import type { LaneRateEstimate } from "../domain/lane-rates";
import type { LoadColumns } from "../loads/store";
import type { DieselPrices, DieselQuote } from "../fuel/prices";
import type { Costs } from "../loads/cost-settings";
import { localTimeToEpochMs } from "../loads/transforms";

/** A pair further than this many times the truck's deadhead limit (straight line) is not scored. */
const FAR_FACTOR = 1.5;
/** Full breakdowns kept per truck: a page of a truck's best loads, and room for new ones to compete. */
export const KEEP_PER_TRUCK = 100;
/** How long a truck's measured MPG is reused before its counters are read again (ms). */
const MPG_REFRESH_MS = 3_600_000;
/** Telemetry rows read to measure a truck's MPG. */
const MPG_SAMPLE_ROWS = 20_000;
const HOUR_MS = 3_600_000;

/** A truck as the engine sees it, with why it cannot be matched when it cannot. */
export interface EngineTruck {
  id: number;
  unit: string;
  name: string;
  demo: boolean;
  /** Null when the truck cannot be matched (no position yet, no equipment set). */
  match: MatchTruck | null;
  unavailableReason: string | null;
  mpg: MpgEstimate;
  /** The booked load it is free after, if any. */
  freeAfterLoadId: number | null;
}

/** A load row as the engine reads it (LOAD_COLUMNS). */
type LoadRow = Pick<LoadColumns, "origin_lat" | "origin_lon" | "origin_state" | "origin_zip" | "dest_lat" | "dest_lon" | "dest_state" | "dest_zip" | "pickup_earliest" | "pickup_latest" | "delivery_earliest" | "delivery_latest" | "equipment" | "weight_lb" | "rate_cents" | "loaded_miles"> & {
  id: number;
  /** From the route server, for loads posted without miles. */
  route_miles: number | null;
  broker_id: number | null;
};

const LOAD_COLUMNS = "id, origin_lat, origin_lon, origin_state, origin_zip, dest_lat, dest_lon, dest_state, dest_zip, pickup_earliest, pickup_latest, delivery_earliest, delivery_latest, equipment, weight_lb, rate_cents, loaded_miles, route_miles, broker_id";

export interface MatchingEngineDeps {
  db: Database;
  config: () => Config;
  /** The costs in force (the YAML's, or the ones saved from the UI). */
  costs: () => Costs;
  diesel: DieselPrices;
  brokers: BrokerBook;
  lanes: LaneBook;
  now?: () => number;
  /** Full breakdowns kept per truck (default KEEP_PER_TRUCK). */
  keepPerTruck?: number;
}

export class MatchingEngine {
  private trucksById = new Map<number, EngineTruck>();
  /** Each truck's kept full matches (its best by the quick estimate), and the lowest estimate among them. */
  private matches = new Map<number, Map<number, Match>>();
  private thresholds = new Map<number, number>();
  /**
   * Every open load: as columns with their pickups in grid cells, built at one moment, plus the
   * loads changed since. A poll every few minutes does not rebuild it — that would cost a rebuild
   * of 200 000 loads at the next truck move: a dropped or changed load is marked gone in it, and a
   * new or changed one waits in `recent` until those are a good part of the whole.
   */
  private open = new OpenLoads([]);
  /** How the pairs of the scoring since the last `resetPassCounts()` were settled. */
  private pass: PassCounts = emptyPass();
  /** Each truck's measured MPG, with when and for which settings it was measured. */
  private readonly mpgCache = new Map<number, { at: number; key: string; estimate: MpgEstimate }>();
  private loaded = false;
  private shared = new SharedParts();
  private readonly now: () => number;

  constructor(private readonly deps: MatchingEngineDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** Reads trucks and open loads and scores everything (at start, or when the loads may all be stale). */
  rebuild(): void {
    this.deps.brokers.invalidate();
    this.deps.lanes.invalidate();
    this.shared = new SharedParts();
    const rows = this.deps.db.query(`SELECT ${LOAD_COLUMNS} FROM loads ${this.openLoadsAccess()} WHERE status = 'open' AND duplicate_of IS NULL`).all() as LoadRow[];
    this.open = new OpenLoads(rows.map((row) => this.toMatchLoad(row)));
    this.loaded = true;
    this.rescoreAll();
  }

  /**
   * How to read every open load: through the board index when they are a small part of the table
   * (months of expired loads), else straight through the table — reading most rows by index costs
   * a lookup per row, 3× a plain scan at 200 000 open loads here.
   */
  private openLoadsAccess(): string {
    const { open, total } = this.deps.db.query("SELECT coalesce(sum(n) FILTER (WHERE status = 'open'), 0) AS open, coalesce(sum(n), 0) AS total FROM load_board_counts").get() as { open: number; total: number };
    return open * 4 >= total ? "NOT INDEXED" : "";
  }

  /**
   * Rereads the trucks and scores every pair again with the loads in memory: a change of costs,
   * diesel prices or matching settings changes every score but no load (a load's lane estimate
   * and broker do not depend on them), so the loads need not be read again.
   */
  rescoreAll(): void {
    if (!this.loaded) return this.rebuild();
    this.trucksById = new Map(this.readTrucks().map((truck) => [truck.id, truck]));
    this.matches = new Map();
    this.thresholds = new Map();
    const settings = this.settings();
    for (const truck of this.trucksById.values()) this.scoreTruck(truck, settings);
  }

  /** How the pairs scored since the last reset were settled (the bench and the metrics read it). */
  passCounts(reset = false): PassCounts {
    const counts = this.pass;
    if (reset) this.pass = emptyPass();
    return { ...counts };
  }

  /** Loads were added, changed or expired: reread those and score them for every truck. */
  loadsChanged(ids: readonly number[]): void {
    if (!this.loaded) return this.rebuild();
    this.deps.lanes.loadsChanged(ids);
    this.deps.brokers.invalidate();
    // Brokers' risk may have moved (a booking, a payment): summaries made from now on say so.
    this.shared.forgetBrokers();
    if (!ids.length) return;
    // One JSON parameter, not one per id: an uploaded file can change tens of thousands at once.
    const rows = this.deps.db.query(`SELECT ${LOAD_COLUMNS}, status, duplicate_of FROM loads WHERE id IN (SELECT value FROM json_each(?))`).all(JSON.stringify(ids)) as (LoadRow & { status: string; duplicate_of: number | null })[];
    const seen = new Set<number>();
    const settings = this.settings();
    for (const row of rows) {
      seen.add(row.id);
      if (row.status !== "open" || row.duplicate_of !== null) this.dropLoad(row.id);
      else {
        const load = this.toMatchLoad(row);
        this.open.replace(load);
        for (const truck of this.trucksById.values()) this.offer(truck, load, settings);
      }
    }
    for (const id of ids) if (!seen.has(id)) this.dropLoad(id);
  }

  /** Open loads that expired or were taken: forget them (cheaper than a rebuild). */
  dropLoad(id: number): void {
    this.open.drop(id);
    for (const kept of this.matches.values()) kept.delete(id);
  }

  /** A truck moved, was edited or booked: reread it and rescore its loads only. */
  truckChanged(id: number): void {
    if (!this.loaded) return this.rebuild();
    const truck = this.readTrucks(id)[0];
    if (!truck) {
      this.trucksById.delete(id);
      this.matches.delete(id);
      return;
    }
    this.trucksById.set(id, truck);
    this.scoreTruck(truck, this.settings());
  }

  /** Builds the engine now unless it is built (the app calls this right after start, so no page waits for it). */
  warm(): boolean {
    if (this.loaded) return false;
    this.rebuild();
    return true;
  }

  trucks(): EngineTruck[] {
    this.ensure();
    return [...this.trucksById.values()];
  }

  truck(id: number): EngineTruck | null {
    this.ensure();
    return this.trucksById.get(id) ?? null;
  }

  /** The truck's best loads, highest score first (ties: higher net). */
  best(truckId: number, limit = 50): Match[] {
    this.ensure();
    const kept = this.matches.get(truckId);
    if (!kept) return [];
    return [...kept.values()].sort((a, b) => b.score - a.score || b.net_cents - a.net_cents).slice(0, limit);
  }

  /** The best match of each open load over all trucks (the fleet-wide board), by load id. */
  bestPerLoad(): Map<number, Match> {
    this.ensure();
    const best = new Map<number, Match>();
    for (const kept of this.matches.values()) {
      for (const match of kept.values()) {
        const current = best.get(match.load_id);
        if (!current || match.score > current.score || (match.score === current.score && match.net_cents > current.net_cents)) best.set(match.load_id, match);
      }
    }
    return best;
  }

  /** One load against every matchable truck, computed in full (the load page), best first. */
  forLoad(loadId: number): Match[] {
    this.ensure();
    const load = this.open.get(loadId) ?? this.readLoad(loadId);
    if (!load) return [];
    const settings = this.settings();
    return [...this.trucksById.values()]
      .filter((truck) => truck.match)
      .map((truck) => matchLoad(truck.match!, load, settings))
      .sort((a, b) => b.score - a.score || b.net_cents - a.net_cents);
  }

  /** A pair as the board ranked it: the kept match (the figures the board row shows), else computed now. */
  shown(truckId: number, loadId: number): Match | null {
    this.ensure();
    return this.matches.get(truckId)?.get(loadId) ?? this.pair(truckId, loadId);
  }

  /** One pair in full, whether or not the engine keeps it; `rateCents` prices it at an agreed rate. */
  pair(truckId: number, loadId: number, rateCents?: number): Match | null {
    this.ensure();
    const truck = this.trucksById.get(truckId)?.match;
    const load = this.open.get(loadId) ?? this.readLoad(loadId);
    if (!truck || !load) return null;
    return matchLoad(truck, rateCents === undefined ? load : { ...load, rateCents }, this.settings());
  }

  /** How many loads are open and scored, for the dashboard. */
  counts(): { openLoads: number; trucks: number; matchableTrucks: number; pairsKept: number } {
    this.ensure();
    let pairs = 0;
    for (const kept of this.matches.values()) pairs += kept.size;
    const trucks = [...this.trucksById.values()];
    return { openLoads: this.open.size, trucks: trucks.length, matchableTrucks: trucks.filter((truck) => truck.match).length, pairsKept: pairs };
  }

  /** The figures every pair uses, from the config in force. */
  settings(): MatchSettings {
    const config = this.deps.config();
    const costs = this.deps.costs();
    // One price lookup per region for the whole pass (a pass scores up to millions of pairs).
    const quotes = new Map<PaddId | null, DieselQuote>();
    const quote = (region: PaddId | null) => quotes.get(region) ?? quotes.set(region, this.deps.diesel.quote(region)).get(region)!;
    const pay = costs.driver_pay;
    return {
      circuity: config.matching.circuity_factor,
      avgSpeedMph: config.matching.average_speed_mph,
      variable: { maintenanceCentsPerMile: costs.maintenance_cents_per_mile, tiresCentsPerMile: costs.tires_cents_per_mile, otherCentsPerMile: costs.other_cents_per_mile },
      fixedCentsPerDay: costs.fixed_cents_per_day,
      driverPay: pay.kind === "percent" ? { kind: "percent", percent: pay.percent } : { kind: "per_mile", centsPerMile: pay.cents_per_mile, paidMiles: pay.paid_miles },
      dieselCentsPerGallon: (region: PaddId | null) => quote(region).centsPerGallon,
      dieselSource: (region: PaddId | null) => quote(region).source,
      handlingMs: 2 * HOUR_MS,
      timeZone: config.timezone,
      now: this.now(),
    };
  }

  /** The open loads, their columns built again when loads changed since make up a good part of them. */
  private index(): OpenLoads {
    if (this.open.stale()) this.open = new OpenLoads(this.open.all());
    return this.open;
  }

  /** Every open load as the engine sees it (made from its columns: for the bench and tests, not for pages). */
  openLoads(): MatchLoad[] {
    this.ensure();
    return this.open.all();
  }

  private ensure(): void {
    if (!this.loaded) this.rebuild();
  }

  /** Scores every open load for one truck: quick estimates for all, the full breakdown for its best. */
  private scoreTruck(truck: EngineTruck, settings: MatchSettings): void {
    const kept = new Map<number, Match>();
    this.matches.set(truck.id, kept);
    this.thresholds.set(truck.id, -1);
    const candidate = truck.match;
    if (!candidate) return;
    const ids: number[] = [];
    const estimates: number[] = [];
    // How many loads got each estimate (scores are whole numbers 0–100): the truck's best are
    // then found in one more pass instead of sorting tens of thousands of estimates.
    const histogram = new Uint32Array(101);
    const take = (id: number, estimate: number | null) => {
      if (estimate === null) return;
      ids.push(id);
      estimates.push(estimate);
      histogram[estimate]!++;
    };
    // Only the loads in grid cells within reach are looked at; of those, equipment (bit masks)
    // and the straight-line distance settle most, and the rest get the quick estimate, read from
    // columns in the grid's order. Loads changed since the grid was built are looked at one by one.
    const index = this.index();
    const { grid, columns, gone } = index;
    const dieselByRegion = ColumnarLoads.dieselByRegion(settings);
    const limitKm = ((candidate.preferences.maxDeadheadMiles * FAR_FACTOR) / settings.circuity) * KM_PER_MILE;
    const visit = grid.within(
      candidate.at.lat,
      candidate.at.lon,
      limitKm,
      equipmentMask(candidate.equipment),
      (i, term) => take(columns.ids[i]!, columns.estimate(i, term, candidate, settings, dieselByRegion)),
      index.goneCount ? gone : undefined,
    );
    let recentEquipment = 0;
    let recentFar = 0;
    for (const load of index.recent.values()) {
      const settled = this.settle(candidate, load, settings);
      if (settled === "equipment") recentEquipment++;
      else if (settled === "far") recentFar++;
      else take(load.id, estimateScore(candidate, load, settings, this.dieselAt(load, settings)));
    }
    const keep = this.deps.keepPerTruck ?? KEEP_PER_TRUCK;
    const best = bestByEstimate(ids, estimates, histogram, keep);
    for (const id of best.ids) kept.set(id, flattenTexts(matchLoad(candidate, index.get(id)!, settings)));
    this.thresholds.set(truck.id, best.ids.length === keep ? best.threshold : -1);
    // Every open load once: the grid's (less those gone from it) and the recent ones.
    const pass = this.pass;
    const open = grid.size - index.goneCount + index.recent.size;
    const outside = visit.outsideCells - (index.goneCount - visit.skipped);
    const equipment = visit.equipment + recentEquipment;
    const tooFar = visit.tooFar + recentFar;
    pass.pairs += open;
    pass.outsideCells += outside;
    pass.equipment += equipment;
    pass.tooFar += tooFar;
    pass.estimated += open - outside - equipment - tooFar;
    pass.full += best.ids.length;
  }

  /**
   * A new or changed load for one truck: computed in full and kept when its estimate is among the
   * truck's best (the weakest kept one then makes room), else dropped from the truck's matches.
   */
  private offer(truck: EngineTruck, load: MatchLoad, settings: MatchSettings): void {
    const kept = this.matches.get(truck.id) ?? this.matches.set(truck.id, new Map()).get(truck.id)!;
    kept.delete(load.id);
    const candidate = truck.match;
    if (!candidate) return;
    const estimate = this.estimate(candidate, load, settings);
    if (estimate === null || estimate < (this.thresholds.get(truck.id) ?? -1)) return;
    kept.set(load.id, matchLoad(candidate, load, settings));
    if (kept.size > (this.deps.keepPerTruck ?? KEEP_PER_TRUCK)) {
      let weakest: Match | null = null;
      for (const match of kept.values()) if (!weakest || match.score < weakest.score || (match.score === weakest.score && match.net_cents < weakest.net_cents)) weakest = match;
      kept.delete(weakest!.load_id);
    }
  }

  /** The quick score of a pair, or null when it is settled early (equipment, far away, no revenue). */
  private estimate(truck: MatchTruck, load: MatchLoad, settings: MatchSettings): number | null {
    return this.settle(truck, load, settings) ? null : estimateScore(truck, load, settings, this.dieselAt(load, settings));
  }

  /** Why a pair is settled without an estimate (the truck cannot haul it, or it is too far), or null. */
  private settle(truck: MatchTruck, load: MatchLoad, settings: MatchSettings): "equipment" | "far" | null {
    if (!equipmentFits(truck.equipment, load.equipment)) return "equipment";
    const straightMiles = kmToMiles(haversineKm(truck.at.lat, truck.at.lon, load.origin.lat, load.origin.lon));
    return straightMiles * settings.circuity > truck.preferences.maxDeadheadMiles * FAR_FACTOR ? "far" : null;
  }

  /** Diesel at a load's pickup region (the settings memoise the price per region). */
  private dieselAt(load: MatchLoad, settings: MatchSettings): number {
    return settings.dieselCentsPerGallon(load.origin.state ? paddOfState(load.origin.state) : null);
  }

  /**
   * A load as the engine keeps it. Hundreds of thousands are kept at once, so whatever loads share
   * is shared, not copied: the state and equipment strings, each broker's summary and each lane
   * estimate's note — a full garbage collection walks every object kept (214 ms at 200 000 loads
   * with copies, a pause every request in flight waits through).
   */
  private toMatchLoad(row: LoadRow): MatchLoad {
    let laneMedian: number | null = null;
    let laneNote: string | null = null;
    if (row.rate_cents === null && row.origin_state && row.dest_state) {
      const estimate = this.deps.lanes.estimate({
        origin: { state: row.origin_state, ...(row.origin_zip ? { zip: row.origin_zip } : {}) },
        destination: { state: row.dest_state, ...(row.dest_zip ? { zip: row.dest_zip } : {}) },
        equipment: row.equipment,
      });
      if (estimate) {
        laneMedian = estimate.rateCentsPerMile;
        laneNote = this.shared.laneNote(estimate);
      }
    }
    return {
      id: row.id,
      origin: { lat: row.origin_lat, lon: row.origin_lon, state: this.shared.text(row.origin_state) },
      destination: { lat: row.dest_lat, lon: row.dest_lon, state: this.shared.text(row.dest_state) },
      pickupEarliest: row.pickup_earliest,
      pickupLatest: row.pickup_latest,
      deliveryEarliest: row.delivery_earliest,
      deliveryLatest: row.delivery_latest,
      equipment: this.shared.text(row.equipment)!,
      weightLb: row.weight_lb,
      rateCents: row.rate_cents,
      // The board's miles, else the route server's, else (in matchLoad) the estimate.
      postedMiles: row.loaded_miles ?? row.route_miles,
      laneMedianRpmCents: laneMedian,
      laneNote,
      broker: this.shared.broker(row.broker_id, this.deps.brokers),
    };
  }

  private readLoad(id: number): MatchLoad | null {
    const row = this.deps.db.query(`SELECT ${LOAD_COLUMNS} FROM loads WHERE id = ?`).get(id) as LoadRow | null;
    return row ? this.toMatchLoad(row) : null;
  }

  /** Trucks with their position, preferences, booked load and MPG (all, or one). */
  private readTrucks(onlyId?: number): EngineTruck[] {
    const config = this.deps.config();
    const costs = this.deps.costs();
    const now = this.now();
    const rows = this.deps.db
      .query(
        `SELECT v.id, v.unit, v.name, v.equipment, v.mpg, v.demo, s.lat, s.lon,
           p.max_deadhead_miles, p.min_rpm_all_in_cents, p.preferred_states, p.avoided_states, p.max_weight_lb, p.home_by
         FROM vehicles v LEFT JOIN vehicle_state s ON s.vehicle_id = v.id LEFT JOIN truck_preferences p ON p.vehicle_id = v.id
         ${onlyId === undefined ? "" : "WHERE v.id = ?"} ORDER BY v.unit`,
      )
      .all(...(onlyId === undefined ? [] : [onlyId])) as TruckRow[];
    const booked = this.deps.db.query(
      `SELECT id, dest_lat, dest_lon, coalesce(delivery_earliest, delivery_latest, pickup_earliest) AS free_at FROM loads
       WHERE truck_id = ? AND status IN ('booked', 'picked_up') ORDER BY coalesce(delivery_earliest, delivery_latest, pickup_earliest) DESC LIMIT 1`,
    );
    const samples = this.deps.db.query(
      "SELECT ts, odometer_km, fuel_used_l FROM readings WHERE vehicle_id = ? AND (odometer_km IS NOT NULL OR fuel_used_l IS NOT NULL) ORDER BY ts DESC LIMIT ?",
    );
    return rows.map((row) => {
      const configuredMpg = row.mpg ?? costs.mpg;
      // A truck moving rescores often; its MPG over the last 1 000 mi does not change in minutes.
      const key = `${configuredMpg}|${costs.mpg_measure_miles}`;
      let cached = this.mpgCache.get(row.id);
      if (!cached || cached.key !== key || now - cached.at > MPG_REFRESH_MS) {
        const history = (samples.all(row.id, MPG_SAMPLE_ROWS) as CounterSample[]).reverse();
        cached = { at: now, key, estimate: measuredMpg(history, { configuredMpg, lastMiles: costs.mpg_measure_miles }) };
        this.mpgCache.set(row.id, cached);
      }
      const mpg = cached.estimate;
      const equipment = row.equipment ? row.equipment.split(",").filter(Boolean) : [];
      const next = booked.get(row.id) as { id: number; dest_lat: number; dest_lon: number; free_at: number } | null;
      const at = next ? { lat: next.dest_lat, lon: next.dest_lon } : row.lat !== null && row.lon !== null ? { lat: row.lat, lon: row.lon } : null;
      const unavailableReason = !equipment.length ? "no equipment type set on the truck" : !at ? "no position yet" : null;
      // Home by the end of that day in the fleet's time zone.
      const homeBy = row.home_by ? localTimeToEpochMs(Date.parse(`${row.home_by}T23:59:59Z`), config.timezone) : null;
      return {
        id: row.id,
        unit: row.unit,
        name: row.name,
        demo: row.demo === 1,
        mpg,
        freeAfterLoadId: next?.id ?? null,
        unavailableReason,
        match: unavailableReason
          ? null
          : {
              id: row.id,
              equipment,
              at: at!,
              availableAt: next ? Math.max(now, next.free_at + 2 * HOUR_MS) : now,
              clock: freshClock(),
              mpg: mpg.mpg,
              mpgNote: mpg.reason,
              preferences: {
                maxDeadheadMiles: row.max_deadhead_miles ?? config.matching.max_deadhead_miles,
                minRpmAllInCents: row.min_rpm_all_in_cents,
                preferredStates: splitStates(row.preferred_states),
                avoidedStates: splitStates(row.avoided_states),
                maxWeightLb: row.max_weight_lb,
                homeBy,
              },
            },
      };
    });
  }
}

interface TruckRow {
  id: number;
  unit: string;
  name: string;
  equipment: string;
  mpg: number | null;
  demo: number;
  lat: number | null;
  lon: number | null;
  max_deadhead_miles: number | null;
  min_rpm_all_in_cents: number | null;
  preferred_states: string | null;
  avoided_states: string | null;
  max_weight_lb: number | null;
  home_by: string | null;
}

const splitStates = (text: string | null) => (text ? text.split(",").map((state) => state.trim().toUpperCase()).filter(Boolean) : []);

/** How the pairs of a scoring pass were settled; they add up to `pairs`. */
export interface PassCounts {
  /** Truck × open load pairs met. */
  pairs: number;
  /** Pickup in a grid cell beyond the truck's reach: never looked at. */
  outsideCells: number;
  /** Looked at, and the truck cannot take the equipment. */
  equipment: number;
  /** Looked at, and further than the limit × FAR_FACTOR in a straight line. */
  tooFar: number;
  /** Given the quick estimate (of which `full` were computed in full). */
  estimated: number;
  full: number;
}

const emptyPass = (): PassCounts => ({ pairs: 0, outsideCells: 0, equipment: 0, tooFar: 0, estimated: 0, full: 0 });

/**
 * The `keep` loads with the highest estimates (ties: the lower load id, so which loads a truck
 * keeps never depends on the order they were met in), best first, and the lowest estimate among
 * them. `ids` and `estimates` are parallel; `histogram` counts the loads per estimate 0–100.
 */
export function bestByEstimate(ids: readonly number[], estimates: readonly number[], histogram: Uint32Array, keep: number): { ids: number[]; threshold: number } {
  // The lowest estimate that makes the cut.
  let threshold = histogram.length - 1;
  let above = 0;
  while (threshold > 0 && above + histogram[threshold]! < keep) above += histogram[threshold--]!;
  const chosen: { id: number; estimate: number }[] = [];
  const atThreshold: number[] = [];
  for (let k = 0; k < ids.length; k++) {
    const estimate = estimates[k]!;
    if (estimate > threshold) chosen.push({ id: ids[k]!, estimate });
    else if (estimate === threshold) atThreshold.push(ids[k]!);
  }
  const room = keep - chosen.length;
  // Often thousands tie (every load worth nothing scores 0): the room-th lowest id, found natively.
  const cutoff = atThreshold.length <= room ? Infinity : room > 0 ? Float64Array.from(atThreshold).sort()[room - 1]! : -Infinity;
  for (const id of atThreshold) if (id <= cutoff) chosen.push({ id, estimate: threshold });
  chosen.sort((a, b) => b.estimate - a.estimate || a.id - b.id);
  return { ids: chosen.map((entry) => entry.id), threshold: chosen.length ? chosen.at(-1)!.estimate : -1 };
}

/**
 * Every open load as the engine keeps it: columns and a grid built at one moment (no load objects
 * kept: see ColumnarLoads), the entries gone since (dropped, or changed and so in `recent` as they
 * are now), and the loads added or changed since, looked at one by one until the next build.
 */
class OpenLoads {
  readonly grid: LoadGrid;
  readonly columns: ColumnarLoads;
  /** 1 for a column entry no longer open as it was when built. */
  readonly gone: Uint8Array;
  goneCount = 0;
  readonly recent = new Map<number, MatchLoad>();
  private readonly indexOfId = new Map<number, number>();

  constructor(loads: MatchLoad[]) {
    const { grid, sorted } = LoadGrid.build(loads);
    this.grid = grid;
    this.columns = new ColumnarLoads(sorted);
    this.gone = new Uint8Array(grid.size);
    for (let i = 0; i < sorted.length; i++) this.indexOfId.set(sorted[i]!.id, i);
  }

  get size(): number {
    return this.grid.size - this.goneCount + this.recent.size;
  }

  /** An open load by id, or null. */
  get(id: number): MatchLoad | null {
    const recent = this.recent.get(id);
    if (recent) return recent;
    const index = this.indexOfId.get(id);
    return index === undefined || this.gone[index] ? null : this.columns.load(index);
  }

  /** Every open load, made from the columns. */
  all(): MatchLoad[] {
    const loads: MatchLoad[] = [];
    for (let i = 0; i < this.grid.size; i++) if (!this.gone[i]) loads.push(this.columns.load(i));
    for (const load of this.recent.values()) loads.push(load);
    return loads;
  }

  /** A load is open as `load` now (new, or changed). */
  replace(load: MatchLoad): void {
    this.markGone(load.id);
    this.recent.set(load.id, load);
  }

  /** A load is no longer open. */
  drop(id: number): void {
    this.markGone(id);
    this.recent.delete(id);
  }

  /** Built again once the loads changed since are an eighth of the grid (at least 2 000: a scan of those is under a millisecond or two). */
  stale(): boolean {
    return this.recent.size + this.goneCount > Math.max(2_000, this.grid.size / 8);
  }

  private markGone(id: number): void {
    const index = this.indexOfId.get(id);
    if (index === undefined || this.gone[index]) return;
    this.gone[index] = 1;
    this.goneCount++;
  }
}

/** What many kept loads share: strings, broker summaries, lane notes (see toMatchLoad). */
class SharedParts {
  private readonly texts = new Map<string, string>();
  private brokers = new Map<number | null, MatchLoad["broker"]>();
  private readonly notes = new WeakMap<LaneRateEstimate, string>();

  text(value: string | null): string | null {
    if (value === null) return null;
    const known = this.texts.get(value);
    if (known !== undefined) return known;
    this.texts.set(value, value);
    return value;
  }

  broker(id: number | null, book: BrokerBook): MatchLoad["broker"] {
    let summary = this.brokers.get(id);
    if (!summary) {
      const broker = id === null ? null : book.broker(id);
      summary = broker ? { name: broker.name, risk: broker.risk.score, level: broker.risk.level } : { name: "Unknown broker", risk: null, level: "unknown" };
      this.brokers.set(id, summary);
    }
    return summary;
  }

  forgetBrokers(): void {
    this.brokers = new Map();
  }

  /** "12 reports in 30 days, medium confidence", one string per estimate (the lane book shares estimates per lane). */
  laneNote(estimate: LaneRateEstimate): string {
    let note = this.notes.get(estimate);
    if (note === undefined) {
      note = `${estimate.reports} report${estimate.reports === 1 ? "" : "s"} in ${estimate.days} days, ${estimate.confidence} confidence`;
      this.notes.set(estimate, note);
    }
    return note;
  }
}

/**
 * Resolves a kept match's texts into flat strings. They are built by concatenation, which JSC keeps
 * as a rope — a cell per piece — until a character is read; kept matches live until the next
 * rescore, and a garbage collection walks every cell kept: reading one character of each cuts the
 * cells of 5 000 kept matches from about 360 000 to 130 000.
 */
function flattenTexts(match: Match): Match {
  for (const reason of match.reasons) reason.text.charCodeAt(0);
  for (const line of match.breakdown) {
    line.how.charCodeAt(0);
    line.label.charCodeAt(0);
  }
  match.diesel_source.charCodeAt(0);
  return match;
}
