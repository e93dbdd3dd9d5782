/**
 * The demo fleet's model: N trucks driving US interstate corridors back and forth, with engines,
 * fuel, odometers, drivers' breaks and rests, and now and then an engine fault. Deterministic and
 * pure: the same seed, start time and sequence of `advanceTo(now)` calls give the same fleet, and
 * nothing here reads a clock, a random source or the network — the plugin passes the time in.
 *
 * Time: the model steps in fixed one-second steps of *simulated* time, `time_scale` simulated
 * seconds per real second, on a grid anchored at the start. Advancing in one call or in many
 * gives the same state, because the state only ever sits on that grid. Faults are scheduled in
 * *real* minutes, so a compressed clock does not flood the alerts page.
 *
 * The plugin anchors a fleet at the start of the current simulated day (`fleetAnchorMs`) and
 * fast-forwards it to now, so whoever computes the fleet at a given moment — the same process or
 * one restarted an hour later — gets the same trucks in the same places with the same totals.
 * Each simulated day starts afresh from the seed, on totals a day's maximum driving higher.
 *
 * Numbers are chosen to look like a real small fleet in the dashboard: 65–70 mph cruise, 55 mph or
 * less through metros, ≈ 1,300–1,450 rpm at cruise and ≈ 650 rpm idle, the truck's configured
 * MPG at cruise (≈ 6.5), 3–4 L/h at idle, a 30-minute break after 8 h of driving and a 10-hour rest
 * after 11 h (the US hours-of-service limits), fuel stops below a quarter tank, and 1.5–2.5 h at a
 * dock at each end of the corridor before turning round.
 */
import { CORRIDORS, pointAt, routeOf, type CorridorRoute } from "./corridors";
import { hashUnit, mix32, seededRandom } from "../../src/domain/random";

/** What the model needs to know. */
export interface FleetOptions {
  /** Number of trucks (1–50). */
  trucks: number;
  /** Seed of every random choice: same seed, same fleet. */
  seed: number;
  /** Simulated seconds per real second (1 = real time). */
  timeScale: number;
  /** Mean real minutes between two faults somewhere in the fleet; 0 turns faults off. */
  faultEveryMinutes: number;
  /** Real time the simulation starts (epoch ms). */
  startMs: number;
}

/** A lamp's state in DM1. */
export type LampState = "off" | "on" | "slow_flash" | "fast_flash";

/** The four DM1 lamps. */
export interface Lamps {
  mil: LampState;
  red_stop: LampState;
  amber_warning: LampState;
  protect: LampState;
}

/** One active trouble code as DM1 carries it. */
export interface ActiveDtc {
  spn: number;
  fmi: number;
  /** Occurrence count: how many times this code went active on this truck. */
  oc: number;
}

/** A fault the fleet can raise: the codes an ECU would set together and the lamps it lights. */
export interface FaultSpec {
  id: string;
  /** What a mechanic would call it. */
  label: string;
  dtcs: Array<{ spn: number; fmi: number }>;
  /** Lamps this fault lights (others stay off). */
  lamps: Partial<Lamps>;
  /** A fault that shows in a reading too. */
  effect?: "coolant_high";
}

/**
 * Faults trucks really raise, with the lamps the engine ECU lights for them. Two come as a pair,
 * the way a DEF problem escalates into an inducement, so the DM1 needs a multi-packet (BAM) message.
 */
export const FAULTS: readonly FaultSpec[] = [
  { id: "def_quality", label: "DEF quality poor", dtcs: [{ spn: 3364, fmi: 4 }], lamps: { amber_warning: "on", mil: "on" } },
  { id: "def_inducement", label: "DEF quality poor, SCR inducement active", dtcs: [{ spn: 3364, fmi: 4 }, { spn: 5246, fmi: 0 }], lamps: { amber_warning: "slow_flash", mil: "on" } },
  { id: "coolant_high", label: "Engine coolant temperature high", dtcs: [{ spn: 110, fmi: 16 }], lamps: { amber_warning: "on", protect: "on" }, effect: "coolant_high" },
  { id: "oil_pressure_low", label: "Engine oil pressure low", dtcs: [{ spn: 100, fmi: 1 }], lamps: { red_stop: "on", protect: "on" } },
  { id: "scr_efficiency", label: "SCR conversion efficiency low", dtcs: [{ spn: 4364, fmi: 18 }], lamps: { amber_warning: "on", mil: "on" } },
  { id: "dpf_pressure", label: "DPF differential pressure high", dtcs: [{ spn: 3251, fmi: 0 }], lamps: { amber_warning: "on", mil: "on" } },
  { id: "def_level_low", label: "DEF tank level low", dtcs: [{ spn: 1761, fmi: 18 }], lamps: { amber_warning: "on" } },
  { id: "fuel_pressure_low", label: "Fuel delivery pressure low", dtcs: [{ spn: 94, fmi: 18 }], lamps: { amber_warning: "on" } },
  { id: "injector_open", label: "Injector cylinder 1 circuit open", dtcs: [{ spn: 651, fmi: 5 }], lamps: { amber_warning: "on", mil: "on" } },
  { id: "egr_and_dpf", label: "EGR valve position error with DPF soot load high", dtcs: [{ spn: 27, fmi: 7 }, { spn: 3719, fmi: 16 }], lamps: { amber_warning: "on", mil: "on" } },
];

/** What a truck is, fixed for its life (the vehicle record Haulbox shows). */
export interface TruckProfile {
  index: number;
  /** Unit number painted on the cab: 7101, 7102, … (kept apart from a real fleet's usual 101…). */
  unit: string;
  name: string;
  make: string;
  model: string;
  year: number;
  /** 17 characters with a correct check digit, but invented. */
  vin: string;
  /** Equipment type codes (V van, R reefer, F flatbed, SD step deck). */
  equipment: string[];
  /** Total of both tanks, litres. */
  tankL: number;
  /** Configured fuel economy at cruise, miles per US gallon. */
  mpg: number;
  homeBase: string;
  corridorId: string;
  /** Preferred cruise speed, km/h (65–69 mph). */
  cruiseKmh: number;
  /** Idle fuel burn, L/h. */
  idleLph: number;
  /** Alternator voltage when running. */
  chargingV: number;
  /** Newer ECUs send the high-resolution odometer (VDHR) instead of VD. */
  highResOdometer: boolean;
}

/** What a truck is doing. */
export type Activity = "driving" | "fuel" | "break" | "rest" | "dock";

/** A truck's readings at one moment, as the gateway would report them. */
export interface TruckSnapshot {
  profile: TruckProfile;
  activity: Activity;
  lat: number;
  lon: number;
  headingDeg: number;
  /** GPS ground speed (a little noisy). */
  gpsSpeedKmh: number;
  /** Wheel-based speed (CCVS1). */
  speedKmh: number;
  ignition: boolean;
  rpm: number;
  coolantC: number;
  fuelLevelPct: number;
  fuelRateLph: number;
  /** Instantaneous economy, km/L (0 when standing). */
  economyKmpl: number;
  fuelUsedL: number;
  odometerKm: number;
  engineHours: number;
  batteryV: number;
  lamps: Lamps;
  dtcs: ActiveDtc[];
  /** Bumped whenever the active codes change, so the publisher can send DM1 at once. */
  faultsVersion: number;
  /** Distance from the corridor's first waypoint, km, and the way the truck faces. */
  routeKm: number;
  direction: 1 | -1;
}

/** Seconds per simulation step. */
export const STEP_S = 1;
/** Top speed: trucks are governed at 70 mph. */
export const GOVERNOR_KMH = 112.65;
/** km/L per mile per US gallon. */
export const KMPL_PER_MPG = 1.609344 / 3.785411784;
/** Driving time before the 30-minute break, s (49 CFR 395.3(a)(3)(ii)). */
export const BREAK_AFTER_S = 8 * 3600;
/** Driving time before the 10-hour rest, s (the 11-hour limit). */
export const REST_AFTER_S = 11 * 3600;
/** Fuel level that sends a truck to a fuel stop. */
export const REFUEL_BELOW_PCT = 25;

const ACCEL_KMH_PER_S = 0.35 * 3.6; // a loaded 36 t truck pulls away gently
const BRAKE_KMH_PER_S = 0.9 * 3.6;
const AMBIENT_C = 18;
const MASS_KG = 30_000;
/** Diesel: 35.8 MJ/L, ≈ 40 % brake efficiency. */
const JOULES_PER_L_AT_WHEEL = 35.8e6 * 0.4;

interface Stop {
  activity: Exclude<Activity, "driving">;
  /** Simulated seconds (since start) when the stop began (negative for trucks that start stopped). */
  startedAtS: number;
  /** Simulated seconds (since start) when the stop ends. */
  endsAtS: number;
  /** Engine off from offAtS until onAtS (both within the stop; equal = idling throughout). */
  offAtS: number;
  onAtS: number;
  /** Fuel stops fill to this many litres. */
  fillToL?: number;
}

interface ActiveFault {
  spec: FaultSpec;
  clearsAtMs: number;
}

interface TruckState {
  route: CorridorRoute;
  km: number;
  direction: 1 | -1;
  speedKmh: number;
  accelKmhPerS: number;
  stop: Stop | null;
  pending: Stop["activity"] | null;
  drivingSinceBreakS: number;
  drivingSinceRestS: number;
  odometerKm: number;
  engineHours: number;
  fuelL: number;
  fuelUsedL: number;
  coolantC: number;
  batteryRestV: number;
  faults: ActiveFault[];
  occurrences: Map<string, number>;
  faultsVersion: number;
  /** Counts arrivals in metro zones, so each pass gets its own traffic. */
  metroPass: number;
  lastMetroZone: number;
}

const VIN_VALUES: Record<string, number> = { A: 1, B: 2, C: 3, D: 4, E: 5, F: 6, G: 7, H: 8, J: 1, K: 2, L: 3, M: 4, N: 5, P: 7, R: 9, S: 2, T: 3, U: 4, V: 5, W: 6, X: 7, Y: 8, Z: 9 };
const VIN_WEIGHTS = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];
const VIN_YEAR = "ABCDEFGHJKLMNPRSTVWXY123456789";

/** The North American VIN check digit (position 9) of a 17-character VIN. */
export function vinCheckDigit(vin: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const c = vin[i]!;
    sum += (/[0-9]/.test(c) ? Number(c) : VIN_VALUES[c]!) * VIN_WEIGHTS[i]!;
  }
  const check = sum % 11;
  return check === 10 ? "X" : String(check);
}

/** Class 8 tractors a small US fleet runs, with the start of a plausible VIN for each (WMI + VDS). */
const MODELS = [
  { make: "Freightliner", model: "Cascadia", vinStart: "1FUJHHDR", plant: "L" },
  { make: "Peterbilt", model: "579", vinStart: "1XPBD49X", plant: "D" },
  { make: "Kenworth", model: "T680", vinStart: "1XKYD49X", plant: "J" },
  { make: "Volvo", model: "VNL 760", vinStart: "4V4NC9EH", plant: "N" },
  { make: "International", model: "LT625", vinStart: "3HSDZAPR", plant: "N" },
  { make: "Mack", model: "Anthem", vinStart: "1M1AN4GY", plant: "M" },
] as const;

const EQUIPMENT = [["V"], ["R"], ["V", "R"], ["F"], ["F", "SD"], ["V"]] as const;
/** Two saddle tanks: 2×150, 2×120 and 2×100 US gallons, in litres. */
const TANKS_L = [1136, 908, 757] as const;

/** The reference date the odometer baselines and the simulated days count from (see initialTotals). */
const BASELINE_MS = Date.UTC(2025, 0, 1);
/** One simulated day, ms. */
export const SIM_DAY_MS = 86_400_000;

/** Where a fleet for `nowMs` starts: the beginning of the current simulated day (UTC, from the reference date). */
export function fleetAnchorMs(nowMs: number, timeScale: number): number {
  const period = SIM_DAY_MS / (timeScale > 0 ? timeScale : 1);
  return BASELINE_MS + Math.floor((nowMs - BASELINE_MS) / period) * period;
}

/** The trucks a seed gives, in order (truck i is the same whatever the fleet size). */
export function truckProfiles(count: number, seed: number): TruckProfile[] {
  const profiles: TruckProfile[] = [];
  const order = CORRIDORS.map((corridor, i) => ({ corridor, key: hashUnit(seed, 7, i) })).sort((a, b) => a.key - b.key);
  for (let index = 0; index < count; index++) {
    const random = seededRandom(mix32(seed) ^ mix32(index + 1000));
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const model = MODELS[(index + Math.floor(hashUnit(seed, 3) * MODELS.length)) % MODELS.length]!;
    const year = 2019 + Math.floor(random() * 6);
    const corridor = order[index % order.length]!.corridor;
    // Home bases are cities ("Amarillo, TX"), not bridges or interchanges.
    const metros = corridor.waypoints.filter((waypoint) => waypoint.metro && /^[A-Z][A-Za-z. ]+, [A-Z]{2}$/.test(waypoint.place ?? "") && !/Bridge|exit|junction/i.test(waypoint.place ?? ""));
    let serial = "";
    for (let i = 0; i < 6; i++) serial += Math.floor(random() * 10);
    const draft = `${model.vinStart}0${VIN_YEAR[(year - 2010) % 30]}${model.plant}${serial}`;
    const vin = draft.slice(0, 8) + vinCheckDigit(draft) + draft.slice(9);
    const unit = String(7101 + index);
    profiles.push({
      index,
      unit,
      name: `${year} ${model.make} ${model.model}`,
      make: model.make,
      model: model.model,
      year,
      vin,
      equipment: [...pick(EQUIPMENT)],
      tankL: pick(TANKS_L),
      mpg: Math.round((6.2 + random() * 1.0) * 10) / 10,
      homeBase: pick(metros).place!,
      corridorId: corridor.id,
      cruiseKmh: Math.round((65 + random() * 4) * 1.609344 * 10) / 10,
      idleLph: Math.round((3.1 + random() * 0.8) * 100) / 100,
      chargingV: Math.round((13.85 + random() * 0.3) * 100) / 100,
      highResOdometer: year >= 2021,
    });
  }
  return profiles;
}

/** A fleet in motion. */
export interface Fleet {
  readonly profiles: readonly TruckProfile[];
  /** Steps the model up to real time `nowMs` (never backwards). */
  advanceTo(nowMs: number): void;
  /** Every truck's readings after the last advance; GPS noise is keyed to `nowMs`. */
  snapshot(nowMs: number): TruckSnapshot[];
  /** Simulated seconds since the start. */
  readonly simSeconds: number;
}

const LAMP_ORDER: LampState[] = ["off", "on", "slow_flash", "fast_flash"];
const NO_LAMPS: Lamps = { mil: "off", red_stop: "off", amber_warning: "off", protect: "off" };

/** Creates the fleet at `options.startMs`. */
export function createFleet(options: FleetOptions): Fleet {
  const trucks = Math.max(1, Math.min(50, Math.floor(options.trucks)));
  const timeScale = options.timeScale > 0 ? options.timeScale : 1;
  const { seed, startMs } = options;
  const profiles = truckProfiles(trucks, seed);
  const routes = new Map(CORRIDORS.map((corridor) => [corridor.id, routeOf(corridor)]));
  const states = profiles.map((profile) => initialState(profile, routes.get(profile.corridorId)!, seed, startMs, timeScale));
  const faultRandom = seededRandom(mix32(seed) ^ 0x5eed);
  const faultMeanMs = options.faultEveryMinutes * 60_000;
  // The first fault comes early (within the first half period) so a fresh demo shows one soon.
  let nextFaultAtMs = faultMeanMs > 0 ? startMs + faultMeanMs * (0.1 + 0.4 * faultRandom()) : Infinity;
  let step = 0;

  const wallAt = (s: number) => startMs + (s * 1000) / timeScale;

  function raiseFault(atMs: number): void {
    // An ECU only sets a code while it is powered: pick a running truck without a fault (or skip this one).
    const pool = states.map((state, i) => ({ state, i })).filter(({ state }) => state.faults.length === 0 && ignitionOn(state, step * STEP_S));
    if (!pool.length) return;
    const { state } = pool[Math.floor(faultRandom() * pool.length)]!;
    const spec = FAULTS[Math.floor(faultRandom() * FAULTS.length)]!;
    // Clears after half to one and a half periods: a driver tops up DEF, a sensor settles.
    const lasts = Math.max(120_000, faultMeanMs * (0.5 + faultRandom()));
    for (const dtc of spec.dtcs) {
      const key = `${dtc.spn}:${dtc.fmi}`;
      state.occurrences.set(key, Math.min(126, (state.occurrences.get(key) ?? 0) + 1));
    }
    state.faults.push({ spec, clearsAtMs: atMs + lasts });
    state.faultsVersion++;
  }

  function advanceTo(nowMs: number): void {
    const target = Math.floor(((nowMs - startMs) * timeScale) / 1000 / STEP_S);
    while (step < target) {
      step++;
      const wall = wallAt(step * STEP_S);
      for (let i = 0; i < states.length; i++) stepTruck(profiles[i]!, states[i]!, step * STEP_S, seed);
      for (const state of states) {
        if (state.faults.some((fault) => fault.clearsAtMs <= wall)) {
          state.faults = state.faults.filter((fault) => fault.clearsAtMs > wall);
          state.faultsVersion++;
        }
      }
      while (wall >= nextFaultAtMs) {
        raiseFault(nextFaultAtMs);
        nextFaultAtMs += faultMeanMs * (0.5 + faultRandom());
      }
    }
  }

  function snapshot(nowMs: number): TruckSnapshot[] {
    const s = step * STEP_S;
    const second = Math.floor(nowMs / 1000);
    return states.map((state, i) => {
      const profile = profiles[i]!;
      const on = ignitionOn(state, s);
      const point = pointAt(state.route, state.km, state.direction);
      const moving = state.speedKmh > 0.5;
      // GPS noise: a few metres of position scatter, under 1 km/h of speed, under a degree of heading.
      const n = (channel: number) => hashUnit(seed, profile.index, channel, second) + hashUnit(seed, profile.index, channel + 10, second) - 1;
      const lat = point.lat + (n(1) * 4) / 111_000;
      const lon = point.lon + (n(2) * 4) / (111_000 * Math.cos((point.lat * Math.PI) / 180));
      const rate = on ? fuelRateLph(profile, state) : 0;
      const lamps = state.faults.reduce<Lamps>((acc, fault) => mergeLamps(acc, fault.spec.lamps), { ...NO_LAMPS });
      const dtcs = [...new Map(state.faults.flatMap((fault) => fault.spec.dtcs).map((dtc) => [`${dtc.spn}:${dtc.fmi}`, dtc])).values()].map((dtc) => ({ ...dtc, oc: state.occurrences.get(`${dtc.spn}:${dtc.fmi}`) ?? 1 }));
      return {
        profile,
        activity: state.stop?.activity ?? "driving",
        lat: round(lat, 6),
        lon: round(lon, 6),
        headingDeg: round(((point.headingDeg + (moving ? n(3) * 0.8 : 0)) % 360 + 360) % 360, 1),
        gpsSpeedKmh: moving ? round(Math.max(0, state.speedKmh + n(4) * 0.8), 1) : round(Math.abs(n(4)) * 0.6, 1),
        speedKmh: state.speedKmh,
        ignition: on,
        rpm: on ? engineRpm(state.speedKmh, profile.index, s, seed) : 0,
        coolantC: state.coolantC,
        fuelLevelPct: Math.max(0, Math.min(100, (state.fuelL / profile.tankL) * 100)),
        fuelRateLph: rate,
        economyKmpl: on && state.speedKmh > 1 && rate > 0 ? Math.min(125, state.speedKmh / rate) : 0,
        fuelUsedL: state.fuelUsedL,
        odometerKm: state.odometerKm,
        engineHours: state.engineHours,
        batteryV: on ? round(profile.chargingV + n(5) * 0.05, 2) : round(state.batteryRestV, 2),
        lamps,
        dtcs,
        faultsVersion: state.faultsVersion,
        routeKm: state.km,
        direction: state.direction,
      };
    });
  }

  return {
    profiles,
    advanceTo,
    snapshot,
    get simSeconds() {
      return step * STEP_S;
    },
  };
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

function mergeLamps(into: Lamps, add: Partial<Lamps>): Lamps {
  for (const key of Object.keys(add) as Array<keyof Lamps>) {
    if (LAMP_ORDER.indexOf(add[key]!) > LAMP_ORDER.indexOf(into[key])) into[key] = add[key]!;
  }
  return into;
}

/** Whether the engine runs at simulated second `s`. */
function ignitionOn(state: TruckState, s: number): boolean {
  const stop = state.stop;
  if (!stop) return true;
  return !(s >= stop.offAtS && s < stop.onAtS);
}

/**
 * Where each truck starts. Most are rolling; by position in the fleet (every sixth from the third)
 * one is on its 30-minute break with the engine idling and (every sixth from the fifth) one is in
 * its 10-hour rest with the engine off, so a fresh dashboard shows moving, idle and off at once.
 */
function initialState(profile: TruckProfile, route: CorridorRoute, seed: number, startMs: number, timeScale: number): TruckState {
  const random = seededRandom(mix32(seed) ^ mix32(profile.index + 5000));
  const direction: 1 | -1 = random() < 0.5 ? 1 : -1;
  const km = route.lengthKm * (0.1 + 0.8 * random());
  const drivingSinceRestS = Math.floor(random() * 9 * 3600);
  const drivingSinceBreakS = Math.min(drivingSinceRestS, Math.floor(random() * 7 * 3600));
  const totals = initialTotals(profile, startMs, timeScale, random);
  const state: TruckState = {
    route,
    km,
    direction,
    speedKmh: 0,
    accelKmhPerS: 0,
    stop: null,
    pending: null,
    drivingSinceBreakS,
    drivingSinceRestS,
    ...totals,
    fuelL: profile.tankL * (0.4 + 0.55 * random()),
    coolantC: 86 + random() * 6,
    batteryRestV: 12.6,
    faults: [],
    occurrences: new Map(),
    faultsVersion: 0,
    metroPass: 0,
    lastMetroZone: -1,
  };
  const role = profile.index % 6;
  if (role === 2) {
    const endsAtS = Math.floor(300 + random() * 1200);
    state.stop = { activity: "break", startedAtS: endsAtS - 1800, endsAtS, offAtS: endsAtS, onAtS: endsAtS };
    state.drivingSinceBreakS = 0;
  } else if (role === 4) {
    const endsAtS = Math.floor(3600 + random() * 8 * 3600);
    state.stop = { activity: "rest", startedAtS: endsAtS - 10 * 3600, endsAtS, offAtS: endsAtS - 10 * 3600 + 900, onAtS: endsAtS - 600 };
    state.drivingSinceBreakS = 0;
    state.drivingSinceRestS = 0;
    state.coolantC = AMBIENT_C + 10 * random();
  } else {
    state.speedKmh = targetSpeedKmh(profile, state, 0, seed);
  }
  return state;
}

/**
 * Odometer, engine hours and fuel used at the start: the truck's mileage at the reference date
 * plus, per simulated day since then, more than a truck can do in one (hours of service allow at
 * most 14 h of driving within 24 h from a fresh start: 11, the 10-hour rest, 3 more; at 70 mph that
 * is 1,577 km), so the totals never go back when a new simulated day starts afresh.
 */
function initialTotals(profile: TruckProfile, startMs: number, timeScale: number, random: () => number): Pick<TruckState, "odometerKm" | "engineHours" | "fuelUsedL"> {
  const days = Math.max(0, Math.round(((startMs - BASELINE_MS) * timeScale) / SIM_DAY_MS));
  const ageYears = 2025 - profile.year + 0.5;
  const baseKm = ageYears * (150_000 + random() * 40_000);
  const odometerKm = baseKm + days * 1_600;
  const kmpl = profile.mpg * KMPL_PER_MPG;
  return {
    odometerKm,
    engineHours: baseKm / 58 + days * 18,
    fuelUsedL: (baseKm / kmpl) * 1.04 + days * 650,
  };
}

/** The speed the driver wants now: cruise with slow drift, city speeds in metros, governed at 70 mph. */
function targetSpeedKmh(profile: TruckProfile, state: TruckState, s: number, seed: number): number {
  // Drift of ±2.5 km/h over ~15 minutes plus a minute-by-minute wander, like a driver with the
  // cruise control off on rolling terrain.
  const minute = s / 60;
  const wander = lerp(hashUnit(seed, profile.index, 21, Math.floor(minute)), hashUnit(seed, profile.index, 21, Math.floor(minute) + 1), minute - Math.floor(minute)) * 2 - 1;
  let target = profile.cruiseKmh + 2.5 * Math.sin((2 * Math.PI * s) / (900 + profile.index * 37)) + 1.5 * wander;
  const zone = metroZoneAt(state.route, state.km);
  if (zone >= 0) {
    // 45–55 mph through town, different each pass (traffic).
    target = Math.min(target, 72 + 16.5 * hashUnit(seed, profile.index, 22, zone, state.metroPass));
  }
  return Math.max(0, Math.min(GOVERNOR_KMH, target));
}

function lerp(a: number, b: number, f: number): number {
  return a + (b - a) * f;
}

function metroZoneAt(route: CorridorRoute, km: number): number {
  const zones = route.metroZones;
  for (let i = 0; i < zones.length; i++) if (km >= zones[i]!.fromKm && km <= zones[i]!.toKm) return i;
  return -1;
}

/**
 * Engine speed for a road speed: the highest of ten gears (ratio steps of 1.32) that keeps the
 * engine above 1,100 rpm, top gear ≈ 12.8 rpm per km/h (≈ 1,380 rpm at 67 mph); idle ≈ 650.
 */
export function engineRpm(speedKmh: number, index: number, s: number, seed: number): number {
  const idle = 640 + 20 * hashUnit(seed, index, 31, Math.floor(s / 5));
  if (speedKmh < 4) return round(idle, 1);
  let rpmPerKmh = 12.8;
  while (speedKmh * rpmPerKmh < 1100 && rpmPerKmh < 12.8 * 1.32 ** 9) rpmPerKmh *= 1.32;
  return round(Math.max(idle, Math.min(2100, speedKmh * rpmPerKmh)), 1);
}

/**
 * Fuel burn, L/h. At steady speed: the truck's configured economy at its cruise speed, with the
 * aerodynamic share (40 %) growing with speed squared; accelerating adds the power to speed up
 * 30 t (at 40 % efficiency); braking cuts fuel; never below idle.
 */
export function fuelRateLph(profile: TruckProfile, state: Pick<TruckState, "speedKmh" | "accelKmhPerS">): number {
  const v = state.speedKmh;
  if (v < 1) return profile.idleLph;
  if (state.accelKmhPerS < -0.5) return 1;
  const litresPerKm = 1 / (profile.mpg * KMPL_PER_MPG);
  const ratio = v / profile.cruiseKmh;
  const road = v * litresPerKm * (0.6 + 0.4 * ratio * ratio);
  const accelWatts = state.accelKmhPerS > 0 ? MASS_KG * (state.accelKmhPerS / 3.6) * (v / 3.6) : 0;
  const accel = (accelWatts / JOULES_PER_L_AT_WHEEL) * 3600;
  return Math.min(95, Math.max(profile.idleLph, road + accel));
}

/** Starts a stop of this kind at simulated second `s`. */
function startStop(profile: TruckProfile, state: TruckState, activity: Stop["activity"], s: number, seed: number): void {
  const h = (channel: number) => hashUnit(seed, profile.index, channel, s);
  state.speedKmh = 0;
  state.accelKmhPerS = 0;
  state.pending = null;
  switch (activity) {
    case "fuel": {
      // Engine off at the pump; 25–35 minutes with paying and a restroom.
      const lasts = 1500 + 600 * h(41);
      state.stop = { activity, startedAtS: s, endsAtS: s + lasts, offAtS: s + 180, onAtS: s + lasts - 120, fillToL: profile.tankL * (0.95 + 0.05 * h(42)) };
      break;
    }
    case "break": {
      // Idles through the break for the cab's heat or air conditioning (off and on at the end: never off).
      const endsAtS = s + 1800 + 300 * h(43);
      state.stop = { activity, startedAtS: s, endsAtS, offAtS: endsAtS, onAtS: endsAtS };
      break;
    }
    case "rest": {
      const lasts = 10 * 3600 + 1800 * h(44);
      state.stop = { activity, startedAtS: s, endsAtS: s + lasts, offAtS: s + 900, onAtS: s + lasts - 600 };
      break;
    }
    case "dock": {
      // Load or unload at the end of the corridor: idle while backing in and waiting for a door.
      const lasts = 5400 + 3600 * h(45);
      state.stop = { activity, startedAtS: s, endsAtS: s + lasts, offAtS: s + 1200, onAtS: s + lasts - 900 };
      break;
    }
  }
}

/** Advances one truck by one step ending at simulated second `s`. */
function stepTruck(profile: TruckProfile, state: TruckState, s: number, seed: number): void {
  const dt = STEP_S;
  const stop = state.stop;
  if (stop && s >= stop.endsAtS) {
    // Any 30 minutes off the road counts as the break; only the rest restarts the driving day.
    if (stop.endsAtS - stop.startedAtS >= 1800) state.drivingSinceBreakS = 0;
    if (stop.activity === "rest") state.drivingSinceRestS = 0;
    if (stop.activity === "dock") state.direction = state.direction === 1 ? -1 : 1;
    state.stop = null;
  }
  const on = ignitionOn(state, s);

  if (state.stop) {
    const current = state.stop;
    if (current.activity === "fuel" && !on && current.fillToL !== undefined) {
      // Two nozzles (main and satellite tank) at about 40 L/min each.
      state.fuelL = Math.min(current.fillToL, state.fuelL + (80 / 60) * dt);
    }
  } else {
    const remainingKm = state.direction === 1 ? state.route.lengthKm - state.km : state.km;
    if (!state.pending) {
      if (state.drivingSinceRestS >= REST_AFTER_S) state.pending = "rest";
      else if (state.drivingSinceBreakS >= BREAK_AFTER_S) state.pending = "break";
      else if ((state.fuelL / profile.tankL) * 100 < REFUEL_BELOW_PCT) state.pending = "fuel";
    }
    const zone = metroZoneAt(state.route, state.km);
    if (zone !== state.lastMetroZone) {
      if (zone >= 0) state.metroPass++;
      state.lastMetroZone = zone;
    }
    let target = state.pending ? 0 : targetSpeedKmh(profile, state, s, seed);
    // Brake to stop at the end of the corridor (30 m short, then roll up to the dock).
    const brakeLimit = Math.sqrt(2 * (BRAKE_KMH_PER_S / 3.6) * Math.max(0, remainingKm * 1000 - 30)) * 3.6;
    target = Math.min(target, brakeLimit);
    const before = state.speedKmh;
    const after = target > before ? Math.min(target, before + ACCEL_KMH_PER_S * dt) : Math.max(target, before - BRAKE_KMH_PER_S * dt);
    state.speedKmh = after;
    state.accelKmhPerS = (after - before) / dt;
    const distanceKm = Math.min(remainingKm, ((before + after) / 2 / 3600) * dt);
    state.km += state.direction * distanceKm;
    state.odometerKm += distanceKm;
    state.drivingSinceBreakS += dt;
    state.drivingSinceRestS += dt;
    if (after === 0 && remainingKm * 1000 <= 60) {
      state.km = state.direction === 1 ? state.route.lengthKm : 0;
      startStop(profile, state, "dock", s, seed);
    } else if (after === 0 && state.pending) {
      startStop(profile, state, state.pending, s, seed);
    }
  }

  const running = ignitionOn(state, s);
  if (running) {
    const burned = (fuelRateLph(profile, state) / 3600) * dt;
    state.fuelL = Math.max(0, state.fuelL - burned);
    state.fuelUsedL += burned;
    state.engineHours += dt / 3600;
    state.batteryRestV = 12.7;
  } else {
    // A rested battery settles from 12.7 V toward 12.5 V over a night.
    state.batteryRestV = Math.max(12.5, state.batteryRestV - (0.2 / 36_000) * dt);
  }
  // Coolant: the thermostat holds 85–95 °C under load; it cools toward ambient with the engine off.
  const hot = state.faults.some((fault) => fault.spec.effect === "coolant_high");
  const warm = hot ? 104 : 85.5 + Math.min(5, (state.speedKmh / GOVERNOR_KMH) * 5) + (state.accelKmhPerS > 0 ? 1.5 : 0);
  const target = running ? warm : AMBIENT_C;
  const tau = running ? 480 : 5400;
  state.coolantC += (target - state.coolantC) * (1 - Math.exp(-dt / tau));
}
