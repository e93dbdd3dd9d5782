/**
 * The lane book: every rate the fleet has seen — loads posted with a rate, and its own booked loads
 * at the agreed rate (counted more) — over the last 90 days, grouped by state lane and equipment
 * so a question about one lane reads only that lane's reports. The statistics themselves are
 * src/domain/lane-rates.ts; this holds the observations, rebuilt when loads change.
 */
import type { Database } from "bun:sqlite";
import { estimateLaneRate, LANE_RATE_DEFAULTS, laneRates, rateCentsPerMile, screenObservations, type LaneQuery, type LaneRateEstimate, type LaneRateReport, type RateObservation } from "../domain/lane-rates";
import { weightedPercentiles, type WeightedValue } from "../domain/stats";

const DAY_MS = 86_400_000;
/** The longest window the statistics use. */
const HISTORY_DAYS = 90;

interface ObservationRow {
  ts: number;
  origin_zip: string | null;
  origin_state: string | null;
  dest_zip: string | null;
  dest_state: string | null;
  equipment: string;
  rate_cents: number;
  loaded_miles: number;
  own: number;
}

/** The observations by state lane and equipment, and the same split further by ZIP3 lane. */
interface Observations {
  groups: Map<string, RateObservation[]>;
  /** By `${zip3 lane}|${state lane key}`. */
  zip3Lanes: Map<string, RateObservation[]>;
}

/** "606>752" for a lane with a ZIP at both ends, else null. */
const zip3Key = (lane: { origin: { zip?: string }; destination: { zip?: string } }) =>
  lane.origin.zip && lane.destination.zip ? `${lane.origin.zip.slice(0, 3)}>${lane.destination.zip.slice(0, 3)}` : null;

/** The same lane by state only (no ZIPs). */
const stateQuery = (query: LaneQuery): LaneQuery => ({ origin: { state: query.origin.state }, destination: { state: query.destination.state }, equipment: query.equipment });

/** The key of a state lane for one equipment code. */
const groupKey = (originState: string, destinationState: string, equipment: string) => `${originState}>${destinationState}|${equipment}`;

export class LaneBook {
  private groups: Observations | null = null;
  /** Estimates by lane (ZIP3s and states) and equipment, until the observations change. */
  private estimates = new Map<string, LaneRateEstimate | null>();

  constructor(
    private readonly db: Database,
    private readonly now: () => number = Date.now,
  ) {}

  /** Forget the observations (loads were added, changed or booked). */
  invalidate(): void {
    this.groups = null;
    this.estimates.clear();
  }

  /** Statistics for a lane (7/30/90 days, trend, confidence). */
  report(query: LaneQuery): LaneRateReport {
    return laneRates(this.group(query), query, { now: this.now() });
  }

  /** The lane median for a load posted without a rate, or null when the lane has no report in 90 days. */
  estimate(query: LaneQuery): LaneRateEstimate | null {
    // Every load on a lane asks the same question, and a rebuild asks it for every load posted
    // without a rate: each answer is worked out from the fewest reports that give the same result
    // as the whole state lane would (estimateLaneRate itself decides, on each subset).
    const state = groupKey(query.origin.state, query.destination.state, query.equipment);
    const zip3 = zip3Key(query);
    const key = zip3 === null ? state : `${zip3}|${state}`;
    if (this.estimates.has(key)) return this.estimates.get(key)!;
    const options = { now: this.now() };
    let estimate: LaneRateEstimate | null;
    const zip3Lane = zip3 === null ? [] : (this.all().zip3Lanes.get(key) ?? []);
    // The ZIP3 lane's own reports: enough of them in 30 days answer alone (the state lane's
    // reports are then never used).
    const alone = zip3Lane.length ? estimateLaneRate(zip3Lane, query, options) : null;
    if (alone && alone.lane.level === "zip3" && alone.days === 30) estimate = alone;
    else {
      // Otherwise the state lane answers when it has enough in 30 days: the same answer for all
      // of its ZIP3 lanes, worked out once. Only a state lane thin in 30 days needs the query itself.
      const stateAnswer = this.stateEstimate(state, query);
      estimate = zip3 === null || stateAnswer?.days === 30 ? stateAnswer : estimateLaneRate(this.group(query), query, options);
    }
    this.estimates.set(key, estimate);
    return estimate;
  }

  /**
   * A lane's rate per loaded mile day by day over the last 90 days (UTC days), for the load page's
   * chart: each day's weighted p25, median and p75 in cents per mile, null on days without reports.
   * Reports failing the lane-rate checks (absurd rates per mile) are left out, as in the statistics.
   */
  dailySeries(query: LaneQuery): { days: number[]; p25: (number | null)[]; median: (number | null)[]; p75: (number | null)[]; reports: number[] } {
    const { accepted } = screenObservations(this.group(query));
    const today = Math.floor(this.now() / DAY_MS);
    const first = today - HISTORY_DAYS + 1;
    const byDay = new Map<number, WeightedValue[]>();
    for (const observation of accepted) {
      if (observation.equipment !== query.equipment) continue;
      const day = Math.floor(observation.ts / DAY_MS);
      if (day < first || day > today) continue;
      let list = byDay.get(day);
      if (!list) byDay.set(day, (list = []));
      list.push({ value: rateCentsPerMile(observation), weight: observation.own ? LANE_RATE_DEFAULTS.ownWeight : 1 });
    }
    const series = { days: [] as number[], p25: [] as (number | null)[], median: [] as (number | null)[], p75: [] as (number | null)[], reports: [] as number[] };
    for (let day = first; day <= today; day++) {
      const samples = byDay.get(day);
      const [p25, median, p75] = samples ? weightedPercentiles(samples, [25, 50, 75]).map((value) => Math.round(value)) : [null, null, null];
      series.days.push(day * 86_400);
      series.p25.push(p25 ?? null);
      series.median.push(median ?? null);
      series.p75.push(p75 ?? null);
      series.reports.push(samples?.length ?? 0);
    }
    return series;
  }

  /** The state lanes with the most reports in the last 30 days, busiest first. */
  busiest(limit = 500): { origin: string; destination: string; equipment: string; reports30: number }[] {
    const since = this.now() - 30 * DAY_MS;
    return [...this.all().groups.entries()]
      .map(([key, observations]) => {
        const [lane, equipment] = key.split("|") as [string, string];
        const [origin, destination] = lane.split(">") as [string, string];
        return { origin, destination, equipment, reports30: observations.filter((observation) => observation.ts >= since).length };
      })
      .filter((lane) => lane.reports30 > 0)
      .sort((a, b) => b.reports30 - a.reports30 || a.origin.localeCompare(b.origin) || a.destination.localeCompare(b.destination))
      .slice(0, limit);
  }

  /** The state lane's estimate (no ZIPs), once per state lane until the observations change. */
  private stateEstimate(state: string, query: LaneQuery): LaneRateEstimate | null {
    if (this.estimates.has(state)) return this.estimates.get(state)!;
    const observations = this.group(query);
    const estimate = observations.length ? estimateLaneRate(observations, stateQuery(query), { now: this.now() }) : null;
    this.estimates.set(state, estimate);
    return estimate;
  }

  private group(query: LaneQuery): RateObservation[] {
    return this.all().groups.get(groupKey(query.origin.state, query.destination.state, query.equipment)) ?? [];
  }

  private all(): Observations {
    if (this.groups) return this.groups;
    const since = this.now() - HISTORY_DAYS * DAY_MS;
    // Duplicates of a load on another board are the same report: counted once. A booked load
    // counts at the rate the fleet agreed, dated when it was booked.
    const rows = this.db
      .query(
        `SELECT coalesce(booked_at, first_seen) AS ts, origin_zip, origin_state, dest_zip, dest_state, equipment,
           coalesce(agreed_rate_cents, rate_cents) AS rate_cents, loaded_miles, booked_at IS NOT NULL AS own
         FROM loads
         WHERE duplicate_of IS NULL AND coalesce(agreed_rate_cents, rate_cents) IS NOT NULL AND loaded_miles > 0
           AND origin_state IS NOT NULL AND dest_state IS NOT NULL AND coalesce(booked_at, first_seen) >= ?
           AND (status != 'cancelled' OR booked_at IS NULL)`,
      )
      .all(since) as ObservationRow[];
    const groups = new Map<string, RateObservation[]>();
    const zip3Lanes = new Map<string, RateObservation[]>();
    for (const row of rows) {
      const key = groupKey(row.origin_state!, row.dest_state!, row.equipment);
      let list = groups.get(key);
      if (!list) groups.set(key, (list = []));
      const observation: RateObservation = {
        ts: row.ts,
        origin: { state: row.origin_state!, ...(row.origin_zip ? { zip: row.origin_zip } : {}) },
        destination: { state: row.dest_state!, ...(row.dest_zip ? { zip: row.dest_zip } : {}) },
        equipment: row.equipment,
        rate_cents: row.rate_cents,
        loaded_miles: row.loaded_miles,
        own: row.own === 1,
      };
      list.push(observation);
      const zip3 = zip3Key(observation);
      if (zip3 !== null) {
        let lane = zip3Lanes.get(`${zip3}|${key}`);
        if (!lane) zip3Lanes.set(`${zip3}|${key}`, (lane = []));
        lane.push(observation);
      }
    }
    this.groups = { groups, zip3Lanes };
    return this.groups;
  }
}
