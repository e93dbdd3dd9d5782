/**
 * One truck against one load: the miles, the money to the cent, whether the pickup can be reached
 * under the hours-of-service rules, the fit to the driver's preferences and the broker's risk —
 * folded into a 0–100 score whose every point has a reason in plain words. Pure: positions, costs
 * and prices come in, nothing is read from anywhere.
 *
 * The figures, in the order an owner checks them:
 * - deadhead miles: road estimate from where the truck becomes free to the pickup;
 * - loaded miles: the board's posted miles, else the road estimate;
 * - revenue: the posted rate, else the lane's median rate per mile × loaded miles (flagged
 *   estimated); fuel, per-mile, fixed (per trip day) and driver costs from costs.ts; net.
 * - time: HOS simulation to the pickup (src/domain/hos.ts), loading, the loaded leg (again under
 *   HOS, continuing the driver's clock), unloading; the trip's days run from when the truck is
 *   free to when it is empty again, and fixed costs are charged for them.
 *
 * Score (documented here so it can be redone by hand):
 *   base = net profit per trip day in dollars ÷ 10, between 0 and 80 ($800 a day or more → 80);
 *   then, each with its reason:
 *     delivery in a preferred state +10 · delivery in an avoided state −30 ·
 *     deadhead over the truck's limit −20 · all-in rate under the truck's minimum −20 ·
 *     broker risk high −20, medium −8, unknown −3 · revenue estimated (no posted rate) −5 ·
 *     empty after the driver's home-by time −25;
 *   clamped to 0–100 and rounded. A load the truck cannot take (equipment, weight) or cannot
 *   reach in its pickup window scores 0, with that as a blocking reason.
 * Diesel is priced at the pickup's PADD region for the whole trip: a trip crosses regions, and
 * fuel bought where the truck is loaded is the one figure every owner can check.
 */
import { tripCost, type CostLine, type DriverPay, type VariableCosts } from "./costs";
import { formatCents } from "./money";
import { estimateRoadMiles } from "./road-distance";
import type { LatLon } from "./geo";
import { freshClock, reachPickup, FMCSA_PROPERTY_RULES, type HosClock } from "./hos";
import { paddOfState, type PaddId } from "./padd";

const DAY_MS = 86_400_000;

/** What the engine knows of a truck when it scores loads for it. */
export interface MatchTruck {
  id: number;
  /** Equipment codes the truck can haul. */
  equipment: readonly string[];
  /** Where the truck becomes free: its live position, or its booked load's delivery point. */
  at: LatLon;
  /** When it becomes free (epoch ms). */
  availableAt: number;
  clock: HosClock;
  mpg: number;
  /** Where the MPG came from, as the page says it ("measured over the last 1,012 mi"). */
  mpgNote: string;
  preferences: TruckPreferences;
}

/** The driver's wishes the score is checked against. */
export interface TruckPreferences {
  maxDeadheadMiles: number;
  minRpmAllInCents: number | null;
  preferredStates: readonly string[];
  avoidedStates: readonly string[];
  maxWeightLb: number | null;
  /** Epoch ms the driver wants to be empty by (home time), or null. */
  homeBy: number | null;
}

/** What the engine knows of a load. */
export interface MatchLoad {
  id: number;
  origin: LatLon & { state: string | null };
  destination: LatLon & { state: string | null };
  pickupEarliest: number;
  pickupLatest: number | null;
  deliveryEarliest: number | null;
  deliveryLatest: number | null;
  equipment: string;
  weightLb: number | null;
  rateCents: number | null;
  postedMiles: number | null;
  /** The lane's median rate per loaded mile when the load has no rate, with how sure it is. */
  laneMedianRpmCents: number | null;
  laneNote: string | null;
  broker: { name: string; risk: number | null; level: "low" | "medium" | "high" | "unknown" };
}

/** Fleet-wide settings the figures use. */
export interface MatchSettings {
  /** Road miles per straight-line mile. */
  circuity: number;
  avgSpeedMph: number;
  variable: VariableCosts;
  fixedCentsPerDay: number;
  driverPay: DriverPay;
  /** Diesel price at a PADD region (null: unknown region), cents per gallon. */
  dieselCentsPerGallon: (region: PaddId | null) => number;
  /** Where that price comes from, for the breakdown ("EIA week of 2026-11-23, PADD 2"). */
  dieselSource?: (region: PaddId | null) => string;
  /** Loading and unloading time each, ms. */
  handlingMs: number;
  /** Time zone for times in reasons. */
  timeZone: string;
  now: number;
}

/** Which way a reason pushes the score; `blocking` ones make it 0. */
export type ReasonEffect = "good" | "bad" | "blocking" | "info";

export interface MatchReason {
  text: string;
  effect: ReasonEffect;
  /** Points this reason added or removed (0 for info and blocking). */
  points: number;
}

/** The full answer for one truck and one load (the API's `match`). */
export interface Match {
  truck_id: number;
  load_id: number;
  deadhead_miles: number;
  loaded_miles: number;
  total_miles: number;
  revenue_cents: number;
  revenue_estimated: boolean;
  fuel_cost_cents: number;
  variable_cost_cents: number;
  fixed_cost_cents: number;
  driver_pay_cents: number;
  net_cents: number;
  rpm_all_in_cents: number;
  rpm_loaded_cents: number;
  hos_feasible: boolean;
  /** When the truck reaches the pickup and when it is empty again (epoch ms). */
  pickup_at: number;
  empty_at: number;
  trip_days: number;
  diesel_cents_per_gallon: number;
  diesel_source: string;
  score: number;
  reasons: MatchReason[];
  /** The cost lines with how each is made. */
  breakdown: CostLine[];
}

/** The score's adjustments (see the file comment), shared by the full score and the quick estimate. */
export const SCORE_POINTS = {
  preferredState: 10,
  avoidedState: -30,
  deadheadOverLimit: -20,
  rpmUnderMinimum: -20,
  brokerRisk: { high: -20, medium: -8, unknown: -3, low: 0 },
  revenueEstimated: -5,
  lateForHome: -25,
} as const;

/** Whether a truck's equipment can haul a load's (VR = van or reefer, FSD = flatbed or step deck). */
export function equipmentFits(truckEquipment: readonly string[], loadEquipment: string): boolean {
  const accepted = loadEquipment === "VR" ? ["V", "R", "VR"] : loadEquipment === "FSD" ? ["F", "SD", "FSD"] : [loadEquipment];
  return truckEquipment.some((code) => accepted.includes(code));
}

/**
 * A quick estimate of `matchLoad`'s score, for ranking every pair cheaply: the same net-per-day
 * base and preference points, but driving time as miles ÷ speed with a 10-h rest per 11 h of
 * driving, no HOS windows and no cost lines. Only a truck's best pairs by this estimate get the
 * full breakdown (MatchingEngine); the score a page shows is always the full one. The caller has
 * settled equipment already (`equipmentFits`, or the engine's bit masks: this runs for millions
 * of pairs). Null when the load is too heavy for the truck or there is no revenue to go on.
 */
export function estimateScore(truck: MatchTruck, load: MatchLoad, settings: MatchSettings, dieselCentsPerGallon: number): number | null {
  return estimateFromFigures(
    truck,
    {
      deadheadMiles: estimateRoadMiles(truck.at, load.origin, settings.circuity),
      loadedMiles: load.postedMiles ?? estimateRoadMiles(load.origin, load.destination, settings.circuity),
      rateCents: load.rateCents,
      laneMedianRpmCents: load.laneMedianRpmCents,
      pickupEarliest: load.pickupEarliest,
      pickupLatest: load.pickupLatest,
      weightLb: load.weightLb,
      destinationState: load.destination.state ?? "",
      brokerLevel: load.broker.level,
      dieselCentsPerGallon,
    },
    settings,
  );
}

/** A pair as the quick estimate needs it: plain figures (the engine reads them from typed columns). */
export interface EstimateFigures {
  /** Road miles, estimated (straight line × circuity). */
  deadheadMiles: number;
  loadedMiles: number;
  rateCents: number | null;
  laneMedianRpmCents: number | null;
  pickupEarliest: number;
  pickupLatest: number | null;
  weightLb: number | null;
  destinationState: string;
  brokerLevel: MatchLoad["broker"]["level"];
  dieselCentsPerGallon: number;
}

/** `estimateScore` on figures: the one formula, whichever way the figures were read. */
export function estimateFromFigures(truck: MatchTruck, figures: EstimateFigures, settings: MatchSettings): number | null {
  const prefs = truck.preferences;
  if (prefs.maxWeightLb !== null && figures.weightLb !== null && figures.weightLb > prefs.maxWeightLb) return null;
  const deadhead = figures.deadheadMiles;
  const loaded = figures.loadedMiles;
  const revenue = figures.rateCents ?? (figures.laneMedianRpmCents === null ? null : figures.laneMedianRpmCents * loaded);
  if (revenue === null) return null;
  const miles = deadhead + loaded;
  const drivingHours = miles / settings.avgSpeedMph;
  const start = Math.max(settings.now, truck.availableAt);
  const atPickup = Math.max(start + (deadhead / settings.avgSpeedMph) * 3_600_000, figures.pickupEarliest);
  const emptyAt = atPickup + (loaded / settings.avgSpeedMph + Math.floor(drivingHours / 11) * 10) * 3_600_000 + 2 * settings.handlingMs;
  const days = Math.max((emptyAt - start) / DAY_MS, 0.5);
  const pay = settings.driverPay;
  const perMile = figures.dieselCentsPerGallon / truck.mpg + settings.variable.maintenanceCentsPerMile + settings.variable.tiresCentsPerMile + settings.variable.otherCentsPerMile;
  const driver = pay.kind === "percent" ? (revenue * pay.percent) / 100 : pay.centsPerMile * (pay.paidMiles === "all" ? miles : loaded);
  const net = revenue - perMile * miles - driver - settings.fixedCentsPerDay * days;
  let score = Math.max(0, Math.min(80, Math.round(net / days / 1000)));
  const state = figures.destinationState;
  if (prefs.preferredStates.includes(state)) score += SCORE_POINTS.preferredState;
  if (prefs.avoidedStates.includes(state)) score += SCORE_POINTS.avoidedState;
  if (deadhead > prefs.maxDeadheadMiles) score += SCORE_POINTS.deadheadOverLimit;
  if (prefs.minRpmAllInCents !== null && revenue / miles < prefs.minRpmAllInCents) score += SCORE_POINTS.rpmUnderMinimum;
  score += SCORE_POINTS.brokerRisk[figures.brokerLevel];
  if (figures.rateCents === null) score += SCORE_POINTS.revenueEstimated;
  if (prefs.homeBy !== null && emptyAt > prefs.homeBy) score += SCORE_POINTS.lateForHome;
  if (figures.pickupLatest !== null && atPickup > figures.pickupLatest) score = 0;
  return Math.max(0, Math.min(100, score));
}

/** Miles rounded to one decimal, as the figures show them (and compute with, so they can be redone). */
const roundMiles = (miles: number) => Math.round(miles * 10) / 10;

/** Scores one truck against one load. */
export function matchLoad(truck: MatchTruck, load: MatchLoad, settings: MatchSettings): Match {
  const reasons: MatchReason[] = [];
  const deadheadMiles = roundMiles(estimateRoadMiles(truck.at, load.origin, settings.circuity));
  const loadedMiles = roundMiles(load.postedMiles ?? estimateRoadMiles(load.origin, load.destination, settings.circuity));
  const estimated = load.rateCents === null;
  const revenueCents = load.rateCents ?? Math.round((load.laneMedianRpmCents ?? 0) * loadedMiles);

  // Time: to the pickup under HOS, load, drive loaded (continuing the clock), unload.
  const start = Math.max(settings.now, truck.availableAt);
  const toPickup = reachPickup({ now: start, clock: truck.clock, miles: deadheadMiles, avgSpeedMph: settings.avgSpeedMph, pickupEarliest: load.pickupEarliest, pickupLatest: load.pickupLatest, timeZone: settings.timeZone });
  const pickupAt = Math.max(toPickup.arriveAt, load.pickupEarliest);
  // Waiting 10 h or more at the shipper is a full rest; shorter waits leave the clock as it was.
  const clockAtPickup = pickupAt - toPickup.arriveAt >= FMCSA_PROPERTY_RULES.resetMs ? freshClock() : toPickup.clockAtArrival;
  const toDelivery = reachPickup({
    now: pickupAt,
    clock: clockAtPickup,
    miles: loadedMiles,
    avgSpeedMph: settings.avgSpeedMph,
    onDutyBeforeMs: settings.handlingMs,
    pickupEarliest: load.deliveryEarliest ?? pickupAt,
    pickupLatest: load.deliveryLatest ?? Number.MAX_SAFE_INTEGER,
    timeZone: settings.timeZone,
  });
  const emptyAt = Math.max(toDelivery.arriveAt, load.deliveryEarliest ?? 0) + settings.handlingMs;
  const tripDays = Math.round(((emptyAt - start) / DAY_MS) * 100) / 100;

  const region = load.origin.state ? paddOfState(load.origin.state) : null;
  const diesel = settings.dieselCentsPerGallon(region);
  const cost = tripCost({
    deadheadMiles,
    loadedMiles: Math.max(loadedMiles, 0.1),
    mpg: truck.mpg,
    dieselCentsPerGallon: diesel,
    variable: settings.variable,
    fixedCentsPerDay: settings.fixedCentsPerDay,
    tripDays,
    driverPay: settings.driverPay,
    revenueCents,
  });

  // Blockers first: a load the truck cannot take or cannot reach scores 0 whatever it pays.
  const blockers: string[] = [];
  if (!equipmentFits(truck.equipment, load.equipment)) blockers.push(`Needs ${load.equipment} equipment; this truck has ${truck.equipment.join(", ") || "none set"}`);
  if (truck.preferences.maxWeightLb !== null && load.weightLb !== null && load.weightLb > truck.preferences.maxWeightLb) blockers.push(`Weighs ${load.weightLb.toLocaleString("en-US")} lb, over this truck's ${truck.preferences.maxWeightLb.toLocaleString("en-US")} lb`);
  if (!toPickup.feasible) blockers.push(`Cannot make the pickup under hours of service: ${toPickup.reason}`);
  else if (load.deliveryLatest !== null && !toDelivery.feasible) blockers.push(`Cannot make the delivery window under hours of service: ${toDelivery.reason}`);
  if (estimated && load.laneMedianRpmCents === null) blockers.push("No posted rate and no lane rate to estimate one: call for the rate");
  for (const text of blockers) reasons.push({ text, effect: "blocking", points: 0 });

  const netPerDayCents = cost.netCents / Math.max(tripDays, 0.5);
  const base = Math.max(0, Math.min(80, Math.round(netPerDayCents / 1000)));
  reasons.push({
    text: `Nets ${formatCents(cost.netCents)} over ${tripDays} day${tripDays === 1 ? "" : "s"} (${formatCents(Math.round(netPerDayCents), { withCents: false })} a day)`,
    effect: cost.netCents > 0 ? "good" : "bad",
    points: base,
  });
  const add = (condition: boolean, text: string, points: number) => {
    if (condition) reasons.push({ text, effect: points > 0 ? "good" : "bad", points });
  };
  const prefs = truck.preferences;
  const destinationState = load.destination.state ?? "";
  add(prefs.preferredStates.includes(destinationState), `Delivers in ${destinationState}, a preferred state`, SCORE_POINTS.preferredState);
  add(prefs.avoidedStates.includes(destinationState), `Delivers in ${destinationState}, a state this driver avoids`, SCORE_POINTS.avoidedState);
  add(deadheadMiles > prefs.maxDeadheadMiles, `${deadheadMiles} mi empty to the pickup, over this truck's ${prefs.maxDeadheadMiles} mi limit`, SCORE_POINTS.deadheadOverLimit);
  add(prefs.minRpmAllInCents !== null && cost.rpmAllInCents < prefs.minRpmAllInCents, `Pays ${formatCents(cost.rpmAllInCents)}/mi all-in, under the ${formatCents(prefs.minRpmAllInCents ?? 0)}/mi minimum`, SCORE_POINTS.rpmUnderMinimum);
  const riskPoints = SCORE_POINTS.brokerRisk[load.broker.level];
  add(riskPoints < 0, load.broker.level === "unknown" ? `Nothing known about ${load.broker.name} yet` : `${load.broker.name} is ${load.broker.level} risk (${load.broker.risk}/100)`, riskPoints);
  add(estimated && load.laneMedianRpmCents !== null, `No posted rate: revenue estimated at the lane median ${formatCents(load.laneMedianRpmCents ?? 0)}/mi${load.laneNote ? ` (${load.laneNote})` : ""}`, SCORE_POINTS.revenueEstimated);
  add(prefs.homeBy !== null && emptyAt > prefs.homeBy, "Empty only after the driver's home-by time", SCORE_POINTS.lateForHome);
  reasons.push({ text: toPickup.reason.charAt(0).toUpperCase() + toPickup.reason.slice(1), effect: "info", points: 0 });

  const total = reasons.reduce((sum, reason) => sum + reason.points, 0);
  const score = blockers.length ? 0 : Math.max(0, Math.min(100, total));
  return {
    truck_id: truck.id,
    load_id: load.id,
    deadhead_miles: deadheadMiles,
    loaded_miles: loadedMiles,
    total_miles: roundMiles(deadheadMiles + loadedMiles),
    revenue_cents: revenueCents,
    revenue_estimated: estimated,
    fuel_cost_cents: cost.fuelCents,
    variable_cost_cents: cost.variableCents,
    fixed_cost_cents: cost.fixedCents,
    driver_pay_cents: cost.driverPayCents,
    net_cents: cost.netCents,
    rpm_all_in_cents: cost.rpmAllInCents,
    rpm_loaded_cents: cost.rpmLoadedCents,
    hos_feasible: toPickup.feasible,
    pickup_at: pickupAt,
    empty_at: emptyAt,
    trip_days: tripDays,
    diesel_cents_per_gallon: diesel,
    diesel_source: settings.dieselSource?.(region) ?? "",
    score,
    reasons,
    breakdown: cost.breakdown,
  };
}
