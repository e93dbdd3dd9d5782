/**
 * Read queries for the fleet pages, the live map and the telemetry API: vehicles with their latest
 * state and status, tracks, readings, faults, trips, dead letters and pending devices. Pages and
 * the API read SQLite through here only (sources write it), so a driver's restriction to their own
 * truck and the status rule are applied in one place. Everything returned is in SI units; the
 * views convert to US units with the helpers at the bottom.
 */
import type { Database } from "bun:sqlite";
import { READING_NAMES, READINGS, type LampState, type ReadingName } from "../ingest/records";
import { vehicleStatus, type VehicleStatus } from "../domain/vehicle-status";
import { celsiusToFahrenheit, kmhToMph, kmToMiles, litresToGallons } from "../domain/units";
import { fmiText } from "../domain/j1939/fmi";
import { spnName } from "../domain/j1939/spn-names";
import type { Device, Vehicle, VehicleTableRow } from "./fleet";
import type { VehicleState } from "../ingest/events";
import { dateFormatter } from "../domain/date-format";

/** Offline after this much silence when the config says nothing. */
export const DEFAULT_OFFLINE_AFTER_MINUTES = 15;
/** Most points a track or one reading series returns: enough for a chart or a day's line, small enough for a phone. */
export const MAX_SERIES_POINTS = 5000;

/** The latest state of a vehicle as the pages show it (SI units, epoch ms). */
export type LatestState = Omit<VehicleState, "vehicle_id" | "fuel_used_l" | "active_faults"> & {
  /** When each reading column was last updated: {name: epoch ms}. */
  reading_ts: Record<string, number>;
};

/** A vehicle with what the map, the list and the API show about it. */
export interface VehicleOverview {
  vehicle: Vehicle;
  state: LatestState | null;
  status: VehicleStatus;
  device_ids: string[];
  active_faults: number;
}

/** One stored GPS fix, decoded from microdegrees and 0.1 km/h. */
export interface TrackPoint {
  ts: number;
  lat: number;
  lon: number;
  speed_kmh: number | null;
  heading: number | null;
}

/** One stored reading. */
export interface ReadingPoint {
  ts: number;
  name: ReadingName;
  value: number;
}

/** A J1939 fault episode with its texts. */
export interface FaultView {
  id: number;
  spn: number;
  fmi: number;
  oc: number;
  cm: number;
  source_address: number;
  lamps: { mil: LampState; red_stop: LampState; amber_warning: LampState; protect: LampState };
  spn_name: string;
  fmi_text: string;
  active: boolean;
  first_seen: number;
  last_seen: number;
  cleared_at: number | null;
}

/** A trip (ignition/speed derived) in SI units. */
export interface TripView {
  id: number;
  start_ts: number;
  end_ts: number | null;
  start_lat: number | null;
  start_lon: number | null;
  end_lat: number | null;
  end_lon: number | null;
  distance_km: number;
  distance_source: "odometer" | "gps";
}

/** A message that could not be stored as telemetry. */
export interface DeadLetter {
  id: number;
  /** `telemetry` (an MQTT or HTTP message) or `load` (a load-board record). */
  kind: "telemetry" | "load";
  received_at: number;
  source_id: string | null;
  device_id: string | null;
  topic: string | null;
  payload: string;
  payload_bytes: number;
  reason: string;
  /** For load records: where in the source it came from ("loads.csv row 12", "load 8812"). */
  ref: string | null;
}

/** Whose trucks a request may see: everyone's, or one driver's own (null: a driver with no truck sees none). */
export type VehicleScope = { all: true } | { all: false; vehicleId: number | null };

/** The scope for a principal: drivers see only their own truck. */
export function scopeFor(principal: { role: string; vehicleId: number | null }): VehicleScope {
  return principal.role === "driver" ? { all: false, vehicleId: principal.vehicleId } : { all: true };
}

/** True when the scope includes this vehicle. */
export function inScope(scope: VehicleScope, vehicleId: number): boolean {
  return scope.all || scope.vehicleId === vehicleId;
}

/** Texts for a fault code: the SPN's name (or "SPN n" when no table knows it) and the FMI's description. */
export const faultTexts = {
  spnName: (spn: number): string => spnName(spn) ?? `SPN ${spn}`,
  fmiText: (fmi: number): string => fmiText(fmi),
};

/** A vehicles row joined with its latest state (state columns null when nothing was heard yet). */
type VehicleRow = VehicleTableRow & { [K in keyof Omit<LatestState, "last_seen" | "reading_ts">]: LatestState[K] | null } & {
  s_last_seen: number | null;
  reading_ts: string | null;
  device_ids: string | null;
  fault_count: number;
};

const VEHICLE_SELECT = `
  SELECT v.id, v.unit, v.name, v.vin, v.make, v.model, v.year, v.equipment, v.tank_l, v.mpg, v.home_base, v.demo, v.created_at, v.updated_at,
    s.last_seen AS s_last_seen, s.position_ts, s.lat, s.lon, s.speed_kmh, s.heading, s.odometer_km, s.engine_hours, s.fuel_level_pct,
    s.fuel_rate_lph, s.engine_rpm, s.coolant_c, s.battery_v, s.ignition, s.reading_ts,
    (SELECT group_concat(d.id, char(31)) FROM (SELECT id FROM devices WHERE vehicle_id = v.id AND status != 'disabled' ORDER BY id) d) AS device_ids,
    (SELECT count(*) FROM faults f WHERE f.vehicle_id = v.id AND f.cleared_at IS NULL) AS fault_count
  FROM vehicles v LEFT JOIN vehicle_state s ON s.vehicle_id = v.id`;

type FaultRow = {
  id: number;
  spn: number;
  fmi: number;
  oc: number;
  cm: number;
  source_address: number;
  lamp_mil: LampState;
  lamp_red_stop: LampState;
  lamp_amber_warning: LampState;
  lamp_protect: LampState;
  first_seen: number;
  last_seen: number;
  cleared_at: number | null;
};

function parseReadingTs(text: string | null): Record<string, number> {
  if (!text) return {};
  try {
    const parsed = JSON.parse(text);
    return parsed && typeof parsed === "object" ? (parsed as Record<string, number>) : {};
  } catch {
    return {};
  }
}

/** A dead letter's place in the newest-first order, as cursor text "received_at.id". */
export function deadLetterKey(letter: DeadLetter): string {
  return `${letter.received_at}.${letter.id}`;
}

/** The [received_at, id] of a cursor's text, or undefined for anything else (a bad cursor restarts from the top). */
export function parseDeadLetterKey(text: unknown): [number, number] | undefined {
  const match = typeof text === "string" ? /^(\d{1,15})\.(\d{1,15})$/.exec(text) : null;
  return match ? [Number(match[1]), Number(match[2])] : undefined;
}

/** Read-only queries over the telemetry tables. */
export class TelemetryQueries {
  /**
   * @param offlineAfterMinutes read on every call, so a config reload changes the status rule at once.
   */
  constructor(
    private readonly db: Database,
    private readonly offlineAfterMinutes: () => number = () => DEFAULT_OFFLINE_AFTER_MINUTES,
    private readonly now: () => number = Date.now,
  ) {}

  /** How long silence means offline, in milliseconds. */
  offlineAfterMs(): number {
    const minutes = this.offlineAfterMinutes();
    return (Number.isFinite(minutes) && minutes > 0 ? minutes : DEFAULT_OFFLINE_AFTER_MINUTES) * 60_000;
  }

  private overview(row: VehicleRow, now: number): VehicleOverview {
    const vehicle: Vehicle = {
      id: row.id,
      unit: row.unit,
      name: row.name,
      vin: row.vin,
      make: row.make,
      model: row.model,
      year: row.year,
      equipment: row.equipment ? row.equipment.split(",") : [],
      tank_l: row.tank_l,
      mpg: row.mpg,
      home_base: row.home_base,
      demo: row.demo === 1,
      created_at: row.created_at,
      updated_at: row.updated_at,
    };
    const state: LatestState | null =
      row.s_last_seen === null
        ? null
        : {
            last_seen: row.s_last_seen,
            position_ts: row.position_ts,
            lat: row.lat,
            lon: row.lon,
            speed_kmh: row.speed_kmh,
            heading: row.heading,
            odometer_km: row.odometer_km,
            engine_hours: row.engine_hours,
            fuel_level_pct: row.fuel_level_pct,
            fuel_rate_lph: row.fuel_rate_lph,
            engine_rpm: row.engine_rpm,
            coolant_c: row.coolant_c,
            battery_v: row.battery_v,
            ignition: row.ignition,
            reading_ts: parseReadingTs(row.reading_ts),
          };
    return {
      vehicle,
      state,
      status: vehicleStatus(state, now, this.offlineAfterMs()),
      device_ids: row.device_ids ? row.device_ids.split("\u001f") : [],
      active_faults: row.fault_count,
    };
  }

  /** Vehicles in the scope, by unit number, with latest state, status, devices and active fault count. */
  vehicles(scope: VehicleScope = { all: true }): VehicleOverview[] {
    const now = this.now();
    if (!scope.all) {
      if (scope.vehicleId === null) return [];
      const one = this.vehicle(scope.vehicleId);
      return one ? [one] : [];
    }
    const rows = this.db.query(`${VEHICLE_SELECT} ORDER BY v.unit COLLATE NOCASE, v.id`).all() as VehicleRow[];
    return rows.map((row) => this.overview(row, now));
  }

  /** One vehicle's overview, or null. */
  vehicle(id: number): VehicleOverview | null {
    const row = this.db.query(`${VEHICLE_SELECT} WHERE v.id = ?`).get(id) as VehicleRow | null;
    return row ? this.overview(row, this.now()) : null;
  }

  /** Overviews of some vehicles (the ones a live event names), keyed by id. */
  vehiclesById(ids: number[]): Map<number, VehicleOverview> {
    const result = new Map<number, VehicleOverview>();
    for (const id of new Set(ids)) {
      const one = this.vehicle(id);
      if (one) result.set(id, one);
    }
    return result;
  }

  /**
   * A vehicle's fixes in [from, to], oldest first. Longer tracks are thinned evenly to at most
   * `maxPoints` (the last fix is always kept, so the track ends where the truck is).
   */
  positions(vehicleId: number, from: number, to: number, maxPoints = MAX_SERIES_POINTS): TrackPoint[] {
    const { n } = this.db.query("SELECT count(*) AS n FROM positions WHERE vehicle_id = ? AND ts BETWEEN ? AND ?").get(vehicleId, from, to) as { n: number };
    if (!n) return [];
    const step = Math.max(1, Math.ceil(n / Math.max(1, maxPoints - 1)));
    const rows = this.db
      .query(
        `SELECT ts, lat_e6, lon_e6, speed_dkmh, heading FROM (
           SELECT ts, lat_e6, lon_e6, speed_dkmh, heading, row_number() OVER (ORDER BY ts) - 1 AS i
           FROM positions WHERE vehicle_id = ?1 AND ts BETWEEN ?2 AND ?3)
         WHERE i % ?4 = 0 OR i = ?5 - 1 ORDER BY ts`,
      )
      .all(vehicleId, from, to, step, n) as { ts: number; lat_e6: number; lon_e6: number; speed_dkmh: number | null; heading: number | null }[];
    return rows.map((row) => ({
      ts: row.ts,
      lat: row.lat_e6 / 1e6,
      lon: row.lon_e6 / 1e6,
      speed_kmh: row.speed_dkmh === null ? null : row.speed_dkmh / 10,
      heading: row.heading,
    }));
  }

  /** A vehicle's readings of these names in [from, to], by name then time; each name thinned like positions. */
  readings(vehicleId: number, names: readonly ReadingName[], from: number, to: number, maxPointsPerName = MAX_SERIES_POINTS): ReadingPoint[] {
    const result: ReadingPoint[] = [];
    for (const name of names) {
      // Each name is a column of `readings`; only known names reach the SQL text.
      if (!READING_NAMES.includes(name)) continue;
      const { n } = this.db.query(`SELECT count(*) AS n FROM readings WHERE vehicle_id = ? AND ts BETWEEN ? AND ? AND ${name} IS NOT NULL`).get(vehicleId, from, to) as { n: number };
      if (!n) continue;
      const step = Math.max(1, Math.ceil(n / Math.max(1, maxPointsPerName - 1)));
      const rows = this.db
        .query(
          `SELECT ts, value FROM (
             SELECT ts, ${name} AS value, row_number() OVER (ORDER BY ts) - 1 AS i FROM readings WHERE vehicle_id = ?1 AND ts BETWEEN ?2 AND ?3 AND ${name} IS NOT NULL)
           WHERE i % ?4 = 0 OR i = ?5 - 1 ORDER BY ts`,
        )
        .all(vehicleId, from, to, step, n) as { ts: number; value: number }[];
      for (const row of rows) result.push({ ts: row.ts, name, value: row.value });
    }
    return result;
  }

  /** Fault episodes of a vehicle: active ones (`active: true`), cleared ones (`false`), or all; newest first, at most `limit`. */
  faults(vehicleId: number, options: { active?: boolean; limit?: number } = {}): FaultView[] {
    const where = options.active === undefined ? "" : options.active ? "AND cleared_at IS NULL" : "AND cleared_at IS NOT NULL";
    const rows = this.db
      .query(`SELECT id, spn, fmi, oc, cm, source_address, lamp_mil, lamp_red_stop, lamp_amber_warning, lamp_protect, first_seen, last_seen, cleared_at FROM faults WHERE vehicle_id = ? ${where} ORDER BY cleared_at IS NOT NULL, last_seen DESC, id DESC LIMIT ?`)
      .all(vehicleId, options.limit ?? 500) as FaultRow[];
    return rows.map((row) => ({
      id: row.id,
      spn: row.spn,
      fmi: row.fmi,
      oc: row.oc,
      cm: row.cm,
      source_address: row.source_address,
      lamps: { mil: row.lamp_mil, red_stop: row.lamp_red_stop, amber_warning: row.lamp_amber_warning, protect: row.lamp_protect },
      spn_name: faultTexts.spnName(row.spn),
      fmi_text: faultTexts.fmiText(row.fmi),
      active: row.cleared_at === null,
      first_seen: row.first_seen,
      last_seen: row.last_seen,
      cleared_at: row.cleared_at,
    }));
  }

  /** Trips of a vehicle that overlap [from, to) (a day), oldest first. */
  trips(vehicleId: number, from: number, to: number): TripView[] {
    return this.db
      .query("SELECT id, start_ts, end_ts, start_lat, start_lon, end_lat, end_lon, distance_km, distance_source FROM trips WHERE vehicle_id = ? AND start_ts < ? AND coalesce(end_ts, start_ts) >= ? ORDER BY start_ts")
      .all(vehicleId, to, from) as TripView[];
  }

  /** Dead letters newest first (by received time), `limit` of them, after the cursor's [received_at, id] when given. */
  deadLetters(limit = 50, after?: [number, number]): DeadLetter[] {
    const columns = "id, kind, received_at, source_id, device_id, topic, payload, payload_bytes, reason, ref";
    if (!after) return this.db.query(`SELECT ${columns} FROM dead_letters ORDER BY received_at DESC, id DESC LIMIT ?`).all(limit) as DeadLetter[];
    return this.db
      .query(`SELECT ${columns} FROM dead_letters WHERE received_at < ?1 OR (received_at = ?1 AND id < ?2) ORDER BY received_at DESC, id DESC LIMIT ?3`)
      .all(after[0], after[1], limit) as DeadLetter[];
  }

  /** How many dead letters arrived since `since` (epoch ms). */
  deadLetterCount(since: number): number {
    return (this.db.query("SELECT count(*) AS n FROM dead_letters WHERE received_at >= ?").get(since) as { n: number }).n;
  }

  /** Devices heard on the wire but not adopted yet, most recently heard first. */
  pendingDevices(): Pick<Device, "id" | "first_seen" | "last_seen" | "last_source" | "last_topic">[] {
    return this.db.query("SELECT id, first_seen, last_seen, last_source, last_topic FROM devices WHERE status = 'pending' ORDER BY last_seen DESC, id").all() as Pick<Device, "id" | "first_seen" | "last_seen" | "last_source" | "last_topic">[];
  }
}

/** A reading's SI unit, for the API. */
export function readingUnit(name: ReadingName): string {
  return READINGS[name].unit;
}

// ---- US units for display ---------------------------------------------------------------------
// The conversions themselves live in src/domain/units.ts; these only round for the page.

/** "1,234 mi" from kilometres. */
export function formatMiles(km: number | null | undefined): string | null {
  return km === null || km === undefined ? null : `${Math.round(kmToMiles(km)).toLocaleString("en-US")} mi`;
}

/** "55 mph" from km/h. */
export function formatMph(kmh: number | null | undefined): string | null {
  return kmh === null || kmh === undefined ? null : `${Math.round(kmhToMph(kmh))} mph`;
}

/** "190 °F" from °C. */
export function formatFahrenheit(celsius: number | null | undefined): string | null {
  return celsius === null || celsius === undefined ? null : `${Math.round(celsiusToFahrenheit(celsius))} °F`;
}

/** "120 gal" from litres. */
export function formatGallons(litres: number | null | undefined): string | null {
  return litres === null || litres === undefined ? null : `${Math.round(litresToGallons(litres)).toLocaleString("en-US")} gal`;
}

/** "62 %" for a fuel level, with gallons left when the tank size is known: "62 % (74 gal)". */
export function formatFuel(levelPct: number | null | undefined, tankLitres: number | null): string | null {
  if (levelPct === null || levelPct === undefined) return null;
  const gallons = tankLitres ? formatGallons((tankLitres * levelPct) / 100) : null;
  return `${Math.round(levelPct)} %${gallons ? ` (${gallons})` : ""}`;
}

/** "12,345 h" engine hours. */
export function formatHours(hours: number | null | undefined): string | null {
  return hours === null || hours === undefined ? null : `${Math.round(hours).toLocaleString("en-US")} h`;
}

const WALL_CLOCK: Intl.DateTimeFormatOptions = { hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" };

/**
 * Start of the calendar day containing `at` in `timeZone` (epoch ms). Walks from UTC midnight by
 * the zone's offset at that moment; good to the minute, which is all a "today" range needs.
 */
export function startOfDay(at: number, timeZone: string): number {
  const parts = dateFormatter("en-US", timeZone, WALL_CLOCK).formatToParts(new Date(at));
  const get = (type: string) => Number(parts.find((part) => part.type === type)?.value ?? 0);
  const msIntoDay = ((get("hour") * 60 + get("minute")) * 60 + get("second")) * 1000 + (at % 1000);
  return at - msIntoDay;
}

const perDatabase = new WeakMap<object, TelemetryQueries>();

/**
 * The queries for an app's deps (one per app): the offline threshold is read from the running
 * config on every call, falling back to 15 minutes when the config has no telemetry section.
 */
export function queriesFor(deps: { db: Database; config: { current(): unknown } }): TelemetryQueries {
  let queries = perDatabase.get(deps);
  if (!queries) {
    queries = new TelemetryQueries(deps.db, () => {
      const minutes = (deps.config.current() as { telemetry?: { offline_after_minutes?: unknown } } | undefined)?.telemetry?.offline_after_minutes;
      return typeof minutes === "number" ? minutes : DEFAULT_OFFLINE_AFTER_MINUTES;
    });
    perDatabase.set(deps, queries);
  }
  return queries;
}
