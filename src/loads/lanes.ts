/**
 * The lane book: every rate the fleet has seen — loads posted with a rate, and its own booked loads
 * at the agreed rate (counted more) — over the last 90 days, grouped by state lane and equipment
 * so a question about one lane reads only that lane's reports. The statistics themselves are
 * src/domain/lane-rates.ts; this holds the observations. When loads change (a poll, a booking),
 * only those loads are read again and only their lanes' answers forgotten: a poll every few
 * minutes would otherwise reread every report of 90 days (half a second at 200 000 loads).
 */
import type { Database } from "bun:sqlite";
import { estimateLaneRate, LANE_RATE_DEFAULTS, laneRates, rateCentsPerMile, screenObservations, type LaneQuery, type LaneRateEstimate, type LaneRateReport, type LanePlace, type RateObservation } from "../domain/lane-rates";
import { weightedPercentiles, type WeightedValue } from "../domain/stats";

const DAY_MS = 86_400_000;
/** The longest window the statistics use. */
const HISTORY_DAYS = 90;

interface ObservationRow {
  id: number;
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

/** The reports by state lane and equipment, and the same split further by ZIP3 lane. */
interface Observations {
  groups: Map<string, LaneReports>;
  /** By `${zip3 lane}|${state lane key}`. */
  zip3Lanes: Map<string, LaneReports>;
  /** Each load's state lane key. */
  filed: Map<number, string>;
  /** When they were read in full (reports older than 90 days then leave). */
  readAt: number;
  /** Shared place objects by "state|zip" (see `place`). */
  places: Map<string, LanePlace>;
  /** The one string of each lane key and equipment code. */
  groupKeys: Map<string, string>;
}

/** How often the observations are read in full again, so reports older than 90 days leave. */
const FULL_READ_MS = 86_400_000;

/** Which loads are reports, and as what: a booked load at the agreed rate, dated when booked. */
const OBSERVATION_SQL = `SELECT id, coalesce(booked_at, first_seen) AS ts, origin_zip, origin_state, dest_zip, dest_state, equipment,
    coalesce(agreed_rate_cents, rate_cents) AS rate_cents, loaded_miles, booked_at IS NOT NULL AS own
  FROM loads
  WHERE duplicate_of IS NULL AND coalesce(agreed_rate_cents, rate_cents) IS NOT NULL AND loaded_miles > 0
    AND origin_state IS NOT NULL AND dest_state IS NOT NULL AND coalesce(booked_at, first_seen) >= ?
    AND (status != 'cancelled' OR booked_at IS NULL)`;

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

  /** Forget every observation (they are read again when next needed). */
  invalidate(): void {
    this.groups = null;
    this.estimates.clear();
  }

  /** These loads were added, changed, booked or deleted: read them again, and forget their lanes' answers. */
  loadsChanged(ids: readonly number[]): void {
    const book = this.groups;
    if (!book || !ids.length) return;
    const rows = this.db.query(`${OBSERVATION_SQL} AND id IN (SELECT value FROM json_each(?))`).all(this.now() - HISTORY_DAYS * DAY_MS, JSON.stringify(ids)) as ObservationRow[];
    const touched = new Set<string>();
    for (const id of ids) {
      const group = book.filed.get(id);
      if (group === undefined) continue;
      const removed = book.groups.get(group)?.remove(id);
      const zip3 = removed ? zip3Key(removed) : null;
      if (zip3 !== null) book.zip3Lanes.get(`${zip3}|${group}`)?.remove(id);
      book.filed.delete(id);
      touched.add(group);
    }
    for (const row of rows) touched.add(file(book, row));
    // Answers are keyed by state lane, or by `${ZIP3 lane}|${state lane}`.
    for (const key of this.estimates.keys()) if (touched.has(key.slice(key.indexOf("|") + 1)) || touched.has(key)) this.estimates.delete(key);
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
    const zip3Lane = zip3 === null ? [] : (this.all().zip3Lanes.get(key)?.observations() ?? []);
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
        let reports30 = 0;
        for (const ts of observations.ts) if (ts >= since) reports30++;
        return { origin, destination, equipment, reports30 };
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
    return this.all().groups.get(groupKey(query.origin.state, query.destination.state, query.equipment))?.observations() ?? [];
  }

  private all(): Observations {
    const now = this.now();
    if (this.groups && now - this.groups.readAt < FULL_READ_MS) return this.groups;
    this.estimates.clear();
    // Duplicates of a load on another board are the same report: counted once.
    const rows = this.db.query(OBSERVATION_SQL).all(now - HISTORY_DAYS * DAY_MS) as ObservationRow[];
    const book: Observations = { groups: new Map(), zip3Lanes: new Map(), filed: new Map(), readAt: now, places: new Map(), groupKeys: new Map() };
    for (const row of rows) file(book, row);
    this.groups = book;
    return book;
  }
}

/**
 * One frozen place object per state and ZIP, shared by every report there (170 000 reports would
 * otherwise keep two place objects and their strings each for the garbage collector to walk).
 */
function place(book: Observations, state: string, zip: string | null): LanePlace {
  const key = zip ? `${state}|${zip}` : state;
  let known = book.places.get(key);
  if (!known) {
    known = Object.freeze(zip ? { state, zip } : { state });
    book.places.set(key, known);
  }
  return known;
}

/** Files a load's report under its state lane and ZIP3 lane; returns the state lane's key. */
function file(book: Observations, row: ObservationRow): string {
  const origin = place(book, row.origin_state!, row.origin_zip);
  const destination = place(book, row.dest_state!, row.dest_zip);
  // The keys kept are the maps' own (one string per lane, not one per report).
  const group = laneOf(book, book.groups, groupKey(row.origin_state!, row.dest_state!, row.equipment), row.equipment);
  book.groups.get(group)!.add(row, origin, destination);
  const zip3 = zip3Key({ origin, destination });
  if (zip3 !== null) book.zip3Lanes.get(laneOf(book, book.zip3Lanes, `${zip3}|${group}`, row.equipment))!.add(row, origin, destination);
  book.filed.set(row.id, group);
  return group;
}

/** The canonical key of a lane in `lanes`, creating the lane when it is new. */
function laneOf(book: Observations, lanes: Map<string, LaneReports>, key: string, equipment: string): string {
  if (lanes.has(key)) return book.groupKeys.get(key)!;
  book.groupKeys.set(key, key);
  lanes.set(key, new LaneReports(shared(book, equipment)));
  return key;
}

/** One string for every equal one (lane keys, equipment codes). */
function shared(book: Observations, text: string): string {
  const known = book.groupKeys.get(text);
  if (known !== undefined) return known;
  book.groupKeys.set(text, text);
  return text;
}

/**
 * One lane's reports as columns: 170 000 reports kept as objects were most of what a garbage
 * collection walked at 200 000 loads; as arrays of numbers and shared places they are a handful
 * of cells a lane. The report objects the statistics take are made when a lane is asked about.
 */
class LaneReports {
  readonly ids: number[] = [];
  readonly ts: number[] = [];
  private readonly rate: number[] = [];
  private readonly miles: number[] = [];
  private readonly own: boolean[] = [];
  private readonly origin: LanePlace[] = [];
  private readonly destination: LanePlace[] = [];

  constructor(private readonly equipment: string) {}

  add(row: ObservationRow, origin: LanePlace, destination: LanePlace): void {
    this.ids.push(row.id);
    this.ts.push(row.ts);
    this.rate.push(row.rate_cents);
    this.miles.push(row.loaded_miles);
    this.own.push(row.own === 1);
    this.origin.push(origin);
    this.destination.push(destination);
  }

  /** Takes a load's report out (the last one moves into its place); returns its places, or null. */
  remove(id: number): { origin: LanePlace; destination: LanePlace } | null {
    const index = this.ids.lastIndexOf(id);
    if (index < 0) return null;
    const removed = { origin: this.origin[index]!, destination: this.destination[index]! };
    for (const column of [this.ids, this.ts, this.rate, this.miles, this.own, this.origin, this.destination] as unknown[][]) {
      column[index] = column[column.length - 1];
      column.pop();
    }
    return removed;
  }

  observations(): RateObservation[] {
    const list: RateObservation[] = new Array(this.ids.length);
    for (let i = 0; i < this.ids.length; i++) {
      list[i] = { ts: this.ts[i]!, origin: this.origin[i]!, destination: this.destination[i]!, equipment: this.equipment, rate_cents: this.rate[i]!, loaded_miles: this.miles[i]!, own: this.own[i]! };
    }
    return list;
  }
}
