/**
 * Trips and daily distance, derived from stored positions and ignition/odometer readings by the
 * `trips` job (every minute). Each vehicle is walked in time order from a watermark kept in
 * `trip_state`, together with what the walk carries over (open trip, last fix, ignition, last
 * odometer), so a run reads only rows newer than the last one and a second run over the same data
 * changes nothing.
 *
 * Rules (constants below):
 * - A trip **starts** at the first fix moving at ≥ MOVING_KMH. When the ignition came on at most
 *   IGNITION_LEAD_MS before that fix, the trip starts at the ignition-on time instead (warm-up and
 *   pulling out belong to the trip; a truck idling for an hour before leaving does not). It leaves
 *   from the last fix before that one when that fix is at most DATA_GAP_MS old, so the hop out of
 *   the parking spot counts (the start odometer is also the last reading before the first moving
 *   fix, within STANDING_END_MS of the start). A moving
 *   fix does not start a trip while the vehicle's latest ignition reading is *off* and younger than
 *   DATA_GAP_MS: GPS speed lags a few seconds behind a stop, and a towed truck is not driving. A
 *   vehicle that never reports ignition (phone trackers), or whose last ignition reading is older
 *   than that, goes by speed alone.
 * - A fix without a speed gets the speed implied by the distance from the previous fix.
 * - A trip **ends** at whichever comes first:
 *   - the ignition turning off (end = that reading's time);
 *   - standing: the first fix below MOVING_KMH starts a stop; when any event arrives more than
 *     STANDING_END_MS after it without a moving fix in between, the trip ends at the stop's time
 *     and position (traffic lights and short queues stay inside the trip);
 *   - a data gap: no event for more than DATA_GAP_MS, either between two events or between the last
 *     event and the settled horizon (now − SETTLE_MS). The end is the stop's time if the truck was
 *     standing, else the last event before the gap.
 * - A trip still going at the end of a run is stored with end_ts null and its distance so far, and
 *   is continued by the next run.
 * - **Distance**: from the odometer when readings bracket the trip (the first within
 *   STANDING_END_MS of its start, the last within STANDING_END_MS of its end) and the difference
 *   is neither negative nor faster than ODOMETER_MAX_KMH on average between the two readings.
 *   Otherwise the sum of great-circle distances between consecutive fixes, where a fix implying
 *   more than GPS_GLITCH_KMH from the previous accepted fix is skipped (after GLITCH_REANCHOR skips
 *   in a row the newest fix is taken as the new reference without distance, so one bad reference
 *   cannot swallow the rest of a trip), and hops where both fixes report standing speed are not
 *   counted (parked GPS jitter adds up to kilometres over a long stop).
 * - **Per day** (vehicle_days, the configured timezone's calendar days): split by positions — each
 *   GPS hop counts on the day it was driven, a hop crossing midnight is shared by time. An odometer
 *   trip's distance is spread in the same proportions as its GPS distance, or by time when it has no
 *   GPS distance. Each trip's shares are kept in trip_days, and a vehicle-day is their sum, so
 *   updating an open trip or re-running never double-counts. Days already written keep the
 *   timezone they were computed in when the setting changes.
 *
 * Limits: rows that arrive with a timestamp at or before a vehicle's watermark (a device emptying an
 * old backlog after newer data) are not walked; SETTLE_MS covers ordinary delivery delays. Trips are
 * derived from whatever resolution is stored, so they are kept even after retention thins the raw
 * rows.
 */
import type { Database } from "bun:sqlite";
import { haversineKm } from "../domain/geo";
import { dateFormatter } from "../domain/date-format";

/** At or above this speed a fix is moving (km/h). Matches the dashboard's "moving" status. */
export const MOVING_KMH = 5;
/** A stop longer than this ends the trip (ms). */
export const STANDING_END_MS = 10 * 60_000;
/** No data for longer than this ends the trip (ms). */
export const DATA_GAP_MS = 30 * 60_000;
/** Ignition-on at most this long before the first movement starts the trip (ms). */
export const IGNITION_LEAD_MS = 10 * 60_000;
/** Odometer distances averaging faster than this are rejected as counter jumps (km/h). */
export const ODOMETER_MAX_KMH = 150;
/** A fix implying more than this from the previous accepted fix is a GPS glitch (km/h). */
export const GPS_GLITCH_KMH = 200;
/** Consecutive glitch rejections after which the newest fix becomes the reference. */
export const GLITCH_REANCHOR = 3;
/** Only rows at least this old are walked, so a device's slightly late rows are not skipped (ms). */
export const SETTLE_MS = 2 * 60_000;
/** Most positions (and rows of ignition/odometer readings) read for one vehicle in one run; the rest waits a run. */
export const MAX_ROWS_PER_RUN = 20_000;


/** One input event of the walk. */
export type WalkEvent =
  | { kind: "ignition"; ts: number; on: boolean }
  | { kind: "odometer"; ts: number; km: number }
  | { kind: "fix"; ts: number; lat: number; lon: number; speedKmh: number | null };

interface Fix {
  ts: number;
  lat: number;
  lon: number;
  /** Speed as reported (null when the device sent none). */
  speedKmh: number | null;
}

interface Stamped {
  ts: number;
  km: number;
}

/** The trip being walked. Serialised into trip_state between runs. */
interface OpenTrip {
  /** Row id once stored. */
  id: number | null;
  startTs: number;
  start: Fix;
  startOdo: Stamped | null;
  endOdo: Stamped | null;
  /** Odometer read during a stop: only counts if the truck moves again. */
  odoAfterStop: Stamped | null;
  gpsKm: number;
  /** GPS distance per local day. */
  dayKm: Record<string, number>;
  /** Last accepted fix: the reference for the next hop. */
  anchor: Fix | null;
  rejected: number;
  /** When (and where) the current stop began; null while moving. */
  stoppedAt: number | null;
  stopFix: Fix | null;
  lastFix: Fix;
}

/** Everything a vehicle's walk carries from one run to the next. */
export interface WalkerState {
  lastEventTs: number | null;
  lastFix: Fix | null;
  ignition: { on: boolean; ts: number } | null;
  /** When the ignition last went from off/unknown to on; null while off. */
  ignitionOnTs: number | null;
  lastOdo: Stamped | null;
  lastTripEndTs: number | null;
  trip: OpenTrip | null;
}

/** A trip as the walk produces it, ready to store. */
export interface TripRecord {
  id: number | null;
  startTs: number;
  endTs: number | null;
  startLat: number;
  startLon: number;
  endLat: number;
  endLon: number;
  startOdometerKm: number | null;
  endOdometerKm: number | null;
  distanceKm: number;
  source: "odometer" | "gps";
  /** Distance per local day (YYYY-MM-DD). */
  dayKm: Record<string, number>;
}

/** A fresh walk for a vehicle never walked before. */
export function emptyWalkerState(): WalkerState {
  return { lastEventTs: null, lastFix: null, ignition: null, ignitionOnTs: null, lastOdo: null, lastTripEndTs: null, trip: null };
}

// ---- Calendar days ------------------------------------------------------------------------------

const DAY_OPTIONS: Intl.DateTimeFormatOptions = { year: "numeric", month: "2-digit", day: "2-digit" };

/** The calendar day (YYYY-MM-DD) of `ts` in `timeZone`. */
export function localDay(ts: number, timeZone: string): string {
  // en-CA formats dates as YYYY-MM-DD.
  return dateFormatter("en-CA", timeZone, DAY_OPTIONS).format(new Date(ts));
}

/**
 * Adds `km`, driven evenly over [t0, t1], to `into` by local day. Day boundaries are found by
 * bisection on the formatted day rather than by arithmetic so DST days (23 or 25 hours) are right.
 */
export function splitByDay(t0: number, t1: number, km: number, timeZone: string, into: Record<string, number>): void {
  const lastDay = localDay(t1, timeZone);
  let cursor = t0;
  let day = localDay(cursor, timeZone);
  while (day !== lastDay && t1 > t0) {
    let lo = cursor;
    let hi = t1;
    // Invariant: localDay(lo) === day, localDay(hi) !== day.
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (localDay(mid, timeZone) === day) lo = mid;
      else hi = mid;
    }
    into[day] = (into[day] ?? 0) + (km * (hi - cursor)) / (t1 - t0);
    cursor = hi;
    day = localDay(cursor, timeZone);
  }
  into[lastDay] = (into[lastDay] ?? 0) + (t1 > t0 ? (km * (t1 - cursor)) / (t1 - t0) : km);
}

// ---- The walk -----------------------------------------------------------------------------------

/**
 * Order of events sharing a timestamp: ignition first (so it can start or end the trip), then the
 * fix, then the odometer (a trip opened by a fix takes its start odometer from before that fix,
 * when the truck was still standing; the reading sent with the fix already includes the move).
 */
const KIND_ORDER = { ignition: 0, fix: 1, odometer: 2 } as const;

/** Sorts events by time (stable tie order by kind). */
export function sortEvents(events: WalkEvent[]): WalkEvent[] {
  return events.sort((a, b) => a.ts - b.ts || KIND_ORDER[a.kind] - KIND_ORDER[b.kind]);
}

/**
 * Walks one vehicle's events in time order and emits trips: the ones that ended (final) and, at
 * `finish`, the one still open. Pure: no database, so the rules are tested event by event.
 */
export class TripWalker {
  /** Trips that ended during this walk, in order. */
  readonly closed: TripRecord[] = [];

  constructor(
    readonly state: WalkerState,
    private readonly timeZone: string,
  ) {}

  /** Feeds one event (events must come in time order, after the state's last event). */
  push(event: WalkEvent): void {
    const s = this.state;
    const trip = s.trip;
    if (trip && s.lastEventTs !== null) {
      if (event.ts - s.lastEventTs > DATA_GAP_MS) this.close(trip.stoppedAt ?? s.lastEventTs, trip.stopFix ?? trip.lastFix);
      else if (trip.stoppedAt !== null && event.ts - trip.stoppedAt > STANDING_END_MS) this.close(trip.stoppedAt, trip.stopFix ?? trip.lastFix);
    }
    if (event.kind === "ignition") this.ignition(event.ts, event.on);
    else if (event.kind === "odometer") this.odometer({ ts: event.ts, km: event.km });
    else this.fix({ ts: event.ts, lat: event.lat, lon: event.lon, speedKmh: event.speedKmh });
    s.lastEventTs = event.ts;
  }

  /**
   * Ends the walk at `horizon` (all data up to it has been pushed). When `complete` (nothing was
   * left unread), an open trip whose data stopped more than DATA_GAP_MS before the horizon is
   * closed. Returns the open trip's snapshot, if any.
   */
  finish(horizon: number, complete: boolean): TripRecord | null {
    const s = this.state;
    const trip = s.trip;
    if (trip && complete && s.lastEventTs !== null && horizon - s.lastEventTs > DATA_GAP_MS) this.close(trip.stoppedAt ?? s.lastEventTs, trip.stopFix ?? trip.lastFix);
    return s.trip ? this.record(s.trip, null, s.trip.lastFix) : null;
  }

  private ignition(ts: number, on: boolean): void {
    const s = this.state;
    if (on && !s.ignition?.on) s.ignitionOnTs = ts;
    if (!on) {
      s.ignitionOnTs = null;
      if (s.trip) this.close(ts, s.lastFix ?? s.trip.lastFix);
    }
    s.ignition = { on, ts };
  }

  private odometer(reading: Stamped): void {
    const s = this.state;
    s.lastOdo = reading;
    const trip = s.trip;
    if (!trip) return;
    trip.startOdo ??= reading;
    if (trip.stoppedAt === null || reading.ts <= trip.stoppedAt) trip.endOdo = reading;
    else trip.odoAfterStop = reading;
  }

  private fix(fix: Fix): void {
    const s = this.state;
    const previous = s.lastFix;
    const speed = fix.speedKmh ?? impliedSpeed(previous, fix);
    const moving = speed !== null && speed >= MOVING_KMH;
    if (!s.trip && moving) {
      const ignitionOff = s.ignition && !s.ignition.on && fix.ts - s.ignition.ts <= DATA_GAP_MS;
      if (!ignitionOff) this.open(fix, previous);
    }
    const trip = s.trip;
    // A glitch's position is not where the truck is: it neither ends a trip nor anchors the next hop.
    const accepted = trip ? this.hop(trip, fix) : true;
    if (trip) {
      if (moving) {
        trip.stoppedAt = null;
        trip.stopFix = null;
        if (trip.odoAfterStop) trip.endOdo = trip.odoAfterStop;
        trip.odoAfterStop = null;
      } else if (trip.stoppedAt === null) {
        trip.stoppedAt = fix.ts;
        trip.stopFix = fix;
      }
      if (accepted) trip.lastFix = fix;
    }
    if (accepted) s.lastFix = fix;
  }

  private open(fix: Fix, previous: Fix | null): void {
    const s = this.state;
    let startTs = fix.ts;
    if (s.ignition?.on && s.ignitionOnTs !== null && fix.ts - s.ignitionOnTs <= IGNITION_LEAD_MS) startTs = Math.max(s.ignitionOnTs, s.lastTripEndTs ?? -Infinity);
    // The truck left from where the last fix put it, if that is recent: the hop from there counts.
    const standing = previous && fix.ts - previous.ts <= DATA_GAP_MS ? previous : null;
    const startOdo = s.lastOdo && s.lastOdo.ts >= startTs - STANDING_END_MS ? s.lastOdo : null;
    s.trip = {
      id: null,
      startTs,
      start: standing ?? fix,
      startOdo,
      endOdo: startOdo,
      odoAfterStop: null,
      gpsKm: 0,
      dayKm: {},
      anchor: standing,
      rejected: 0,
      stoppedAt: null,
      stopFix: null,
      lastFix: fix,
    };
  }

  /** Adds the hop from the trip's reference fix to `fix` to its GPS distance; false when `fix` is a glitch. */
  private hop(trip: OpenTrip, fix: Fix): boolean {
    const anchor = trip.anchor;
    trip.anchor = fix;
    if (!anchor || fix.ts <= anchor.ts) return true;
    const km = haversineKm(anchor.lat, anchor.lon, fix.lat, fix.lon);
    const hours = (fix.ts - anchor.ts) / 3_600_000;
    if (km / hours > GPS_GLITCH_KMH) {
      trip.rejected++;
      // Keep the old reference until the glitch streak is long enough to suspect the reference.
      if (trip.rejected < GLITCH_REANCHOR) {
        trip.anchor = anchor;
        return false;
      }
      trip.rejected = 0;
      return true;
    }
    trip.rejected = 0;
    const parked = anchor.speedKmh !== null && anchor.speedKmh < MOVING_KMH && fix.speedKmh !== null && fix.speedKmh < MOVING_KMH;
    if (!parked) {
      trip.gpsKm += km;
      splitByDay(anchor.ts, fix.ts, km, this.timeZone, trip.dayKm);
    }
    return true;
  }

  private close(endTs: number, endFix: Fix): void {
    const s = this.state;
    const trip = s.trip!;
    this.closed.push(this.record(trip, endTs, endFix));
    s.trip = null;
    s.lastTripEndTs = endTs;
  }

  /** The stored form of a trip, ended at `endTs` (null: still open, measured to its last fix). */
  private record(trip: OpenTrip, endTs: number | null, endFix: Fix): TripRecord {
    const spanEnd = endTs ?? Math.max(trip.lastFix.ts, this.state.lastEventTs ?? 0);
    const odoKm = odometerDistance(trip, spanEnd);
    const distanceKm = odoKm ?? trip.gpsKm;
    let dayKm: Record<string, number> = {};
    if (trip.gpsKm > 0) {
      const scale = distanceKm / trip.gpsKm;
      for (const [day, km] of Object.entries(trip.dayKm)) dayKm[day] = km * scale;
    } else if (distanceKm > 0) splitByDay(trip.startTs, spanEnd, distanceKm, this.timeZone, dayKm);
    else dayKm = {};
    return {
      id: trip.id,
      startTs: trip.startTs,
      endTs,
      startLat: trip.start.lat,
      startLon: trip.start.lon,
      endLat: endFix.lat,
      endLon: endFix.lon,
      startOdometerKm: trip.startOdo?.km ?? null,
      endOdometerKm: trip.endOdo?.km ?? null,
      distanceKm,
      source: odoKm === null ? "gps" : "odometer",
      dayKm,
    };
  }
}

/** Speed implied by two fixes (km/h), or null when it cannot be trusted (no previous fix, a gap, a glitch). */
function impliedSpeed(previous: Fix | null, fix: Fix): number | null {
  if (!previous || fix.ts <= previous.ts || fix.ts - previous.ts > DATA_GAP_MS) return null;
  const kmh = haversineKm(previous.lat, previous.lon, fix.lat, fix.lon) / ((fix.ts - previous.ts) / 3_600_000);
  return kmh > GPS_GLITCH_KMH ? null : kmh;
}

/** The odometer's distance over a trip ending at `endTs`, or null when the odometer cannot be used. */
function odometerDistance(trip: OpenTrip, endTs: number): number | null {
  const { startOdo, endOdo } = trip;
  if (!startOdo || !endOdo || endOdo.ts <= startOdo.ts) return null;
  // Readings must bracket the trip: a reading from its first minutes alone would under-count.
  if (startOdo.ts - trip.startTs > STANDING_END_MS || endTs - endOdo.ts > STANDING_END_MS) return null;
  const km = endOdo.km - startOdo.km;
  const hours = (endOdo.ts - startOdo.ts) / 3_600_000;
  if (km < 0 || km / hours > ODOMETER_MAX_KMH) return null;
  return km;
}

// ---- The job ------------------------------------------------------------------------------------

/** What one run of the trips job did. */
export interface TripRunStats {
  vehicles: number;
  /** Positions and readings walked. */
  events: number;
  /** Trips that ended in this run. */
  closed: number;
  /** Trips still open after this run. */
  open: number;
}

export interface TripRunOptions {
  timeZone: string;
  now?: number;
  /** Most rows per vehicle and kind per run (default MAX_ROWS_PER_RUN). */
  maxRows?: number;
  signal?: AbortSignal;
}

/**
 * Walks every vehicle's new positions and readings and stores the trips and daily distances that
 * result. Each vehicle is one transaction (trips, trip_days, vehicle_days and its watermark
 * together), so a crash or abort between vehicles loses nothing and repeats nothing.
 */
export async function updateTrips(db: Database, options: TripRunOptions): Promise<TripRunStats> {
  const sql = statements(db);
  const stats: TripRunStats = { vehicles: 0, events: 0, closed: 0, open: 0 };
  const horizon = (options.now ?? Date.now()) - SETTLE_MS;
  const maxRows = options.maxRows ?? MAX_ROWS_PER_RUN;
  const vehicles = (db.query("SELECT id FROM vehicles ORDER BY id").all() as { id: number }[]).map((row) => row.id);
  for (const vehicleId of vehicles) {
    if (options.signal?.aborted) break;
    const result = db.transaction(() => walkVehicle(sql, vehicleId, horizon, maxRows, options.timeZone))();
    stats.vehicles++;
    stats.events += result.events;
    stats.closed += result.closed;
    stats.open += result.open ? 1 : 0;
    // Let ingest and web requests in between vehicles.
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  return stats;
}

type Statements = ReturnType<typeof statements>;

function statements(db: Database) {
  const q = (text: string) => db.query(text);
  return {
    state: q("SELECT processed_ts, walker FROM trip_state WHERE vehicle_id = ?"),
    saveState: q("INSERT INTO trip_state (vehicle_id, processed_ts, walker, updated_at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (vehicle_id) DO UPDATE SET processed_ts = ?2, walker = ?3, updated_at = ?4"),
    positions: q("SELECT ts, lat_e6, lon_e6, speed_dkmh FROM positions WHERE vehicle_id = ? AND ts > ? AND ts <= ? ORDER BY ts LIMIT ?"),
    readings: q("SELECT ts, ignition, odometer_km FROM readings WHERE vehicle_id = ? AND ts > ? AND ts <= ? AND (ignition IS NOT NULL OR odometer_km IS NOT NULL) ORDER BY ts LIMIT ?"),
    insertTrip: q(
      "INSERT INTO trips (vehicle_id, start_ts, end_ts, start_lat, start_lon, end_lat, end_lon, start_odometer_km, end_odometer_km, distance_km, distance_source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    ),
    updateTrip: q("UPDATE trips SET start_ts = ?, end_ts = ?, start_lat = ?, start_lon = ?, end_lat = ?, end_lon = ?, start_odometer_km = ?, end_odometer_km = ?, distance_km = ?, distance_source = ? WHERE id = ?"),
    tripDays: q("SELECT day FROM trip_days WHERE trip_id = ?"),
    deleteTripDays: q("DELETE FROM trip_days WHERE trip_id = ?"),
    insertTripDay: q("INSERT INTO trip_days (trip_id, vehicle_id, day, distance_km) VALUES (?, ?, ?, ?)"),
    sumDay: q("SELECT count(*) AS n, coalesce(sum(distance_km), 0) AS km FROM trip_days WHERE vehicle_id = ? AND day = ?"),
    upsertDay: q("INSERT INTO vehicle_days (vehicle_id, day, distance_km) VALUES (?1, ?2, ?3) ON CONFLICT (vehicle_id, day) DO UPDATE SET distance_km = ?3"),
    deleteDay: q("DELETE FROM vehicle_days WHERE vehicle_id = ? AND day = ?"),
  };
}

interface PositionRow {
  ts: number;
  lat_e6: number;
  lon_e6: number;
  speed_dkmh: number | null;
}

function walkVehicle(sql: Statements, vehicleId: number, settled: number, maxRows: number, timeZone: string): { events: number; closed: number; open: boolean } {
  const saved = sql.state.get(vehicleId) as { processed_ts: number; walker: string } | null;
  const from = saved?.processed_ts ?? 0;
  const state: WalkerState = saved ? JSON.parse(saved.walker) : emptyWalkerState();
  if (settled <= from) return { events: 0, closed: 0, open: !!state.trip };

  // Read each kind up to the settled horizon; a kind cut off at maxRows lowers the horizon to its
  // last row, so every kind is complete up to the same instant and the rest waits for the next run.
  let horizon = settled;
  const positions = sql.positions.all(vehicleId, from, horizon, maxRows) as PositionRow[];
  if (positions.length === maxRows) horizon = positions.at(-1)!.ts;
  const readings = sql.readings.all(vehicleId, from, horizon, maxRows) as { ts: number; ignition: number | null; odometer_km: number | null }[];
  if (readings.length === maxRows) horizon = Math.min(horizon, readings.at(-1)!.ts);
  const complete = horizon === settled;

  const events: WalkEvent[] = [];
  for (const row of positions) if (row.ts <= horizon) events.push({ kind: "fix", ts: row.ts, lat: row.lat_e6 / 1e6, lon: row.lon_e6 / 1e6, speedKmh: row.speed_dkmh === null ? null : row.speed_dkmh / 10 });
  for (const row of readings) {
    if (row.ts > horizon) continue;
    if (row.ignition !== null) events.push({ kind: "ignition", ts: row.ts, on: row.ignition >= 0.5 });
    if (row.odometer_km !== null) events.push({ kind: "odometer", ts: row.ts, km: row.odometer_km });
  }
  sortEvents(events);

  const walker = new TripWalker(state, timeZone);
  for (const event of events) walker.push(event);
  const open = walker.finish(horizon, complete);

  const touchedDays = new Set<string>();
  for (const trip of walker.closed) storeTrip(sql, vehicleId, trip, touchedDays);
  if (open) state.trip!.id = storeTrip(sql, vehicleId, open, touchedDays);
  for (const day of touchedDays) {
    const sum = sql.sumDay.get(vehicleId, day) as { n: number; km: number };
    if (sum.n) sql.upsertDay.run(vehicleId, day, sum.km);
    else sql.deleteDay.run(vehicleId, day);
  }
  sql.saveState.run(vehicleId, horizon, JSON.stringify(state), Date.now());
  return { events: events.length, closed: walker.closed.length, open: !!open };
}

/** Inserts or updates a trip and replaces its per-day shares; returns its id. */
function storeTrip(sql: Statements, vehicleId: number, trip: TripRecord, touchedDays: Set<string>): number {
  const values = [trip.startTs, trip.endTs, trip.startLat, trip.startLon, trip.endLat, trip.endLon, trip.startOdometerKm, trip.endOdometerKm, trip.distanceKm, trip.source] as const;
  let id = trip.id;
  if (id === null) id = (sql.insertTrip.get(vehicleId, ...values) as { id: number }).id;
  else {
    sql.updateTrip.run(...values, id);
    for (const row of sql.tripDays.all(id) as { day: string }[]) touchedDays.add(row.day);
    sql.deleteTripDays.run(id);
  }
  for (const [day, km] of Object.entries(trip.dayKm)) {
    sql.insertTripDay.run(id, vehicleId, day, km);
    touchedDays.add(day);
  }
  return id;
}
