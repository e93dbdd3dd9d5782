/**
 * Lane rates: what a lane has paid lately, in cents per loaded mile, from every load seen on a board
 * with a posted rate and from the fleet's own booked loads. Pure functions, no I/O: the lane-rate
 * engine reads observations from SQLite and asks these for the numbers the UI, the matching engine
 * and the negotiation assistant show.
 *
 * A lane is an origin market → destination market for one equipment code. A market is the 3-digit
 * ZIP prefix when both ends have a ZIP ("606" → "752"), and the state ("IL" → "TX") when they do
 * not or when the ZIP3 lane is thin: fewer than `minReports` reports in that window. Each window
 * (7, 30, 90 days) picks its own level, so a lane can answer the 90-day question at ZIP3 while the
 * last week needs the whole state, and every answer says which level it used. Trend and confidence
 * follow the 30-day window's level.
 *
 * Choices, so nobody has to guess them from the code:
 * - A window of d days is (now − d days, now]: an observation exactly d days old has left it, one
 *   at `now` is in, one after `now` (a clock ahead of ours) is in no window. "Days 8–30" for the
 *   trend is (now − 30 days, now − 7 days], so it and the last 7 days split the 30-day window.
 * - Rates per mile stay floats through the percentiles and are rounded once (`roundCents`, half
 *   away from zero) when they become the integer cents per mile a report shows.
 * - Percentiles are weighted (own loads count `ownWeight` times, board postings once) with the
 *   definition in ./stats. Counts of reports for the thin-lane test and the confidence are plain
 *   counts: three board postings are three reports whatever the weights.
 * - Equipment codes match exactly: "VR" (van or reefer) postings form their own lane, because what
 *   a load posted for either pays is not the same evidence as a van-only rate.
 * - An observation that fails `observationProblem` (no miles, a rate per mile below 50 ¢ or above
 *   $20) is left out of every statistic; `screenObservations` gives the reasons to keep.
 */
import { roundCents } from "./money";
import { weightedPercentiles, type WeightedValue } from "./stats";

/** Milliseconds in a day. */
export const DAY_MS = 86_400_000;

/** The windows a lane report covers, in days before `now`. */
export const LANE_WINDOW_DAYS = [7, 30, 90] as const;

/** Days in the trend's recent half; the rest of the 30-day window is the earlier half. */
const TREND_RECENT_DAYS = 7;

/** Defaults for every tunable number in this file. */
export const LANE_RATE_DEFAULTS = {
  /** Reports a ZIP3 lane needs in a window before it answers instead of the state lane. */
  minReports: 5,
  /** How many board postings one of the fleet's own booked loads counts as. */
  ownWeight: 3,
  /** Reports each half of the trend (last 7 days, days 8–30) needs before a trend is given. */
  minTrendReports: 3,
  /** A change (rounded to a whole percent) of at most this many percent either way is "flat". */
  flatPercent: 2,
  /** Reports in the last 30 days for each confidence level; fewer than `low` is "none". */
  confidenceReports: { high: 20, medium: 8, low: 3 },
  /** Rates per mile below this (cents) are typos or partial-load prices, not lane rates. */
  minRateCentsPerMile: 50,
  /** Rates per mile above this (cents, $20/mi) are flat fees on tiny mileages or typos. */
  maxRateCentsPerMile: 2000,
} as const;

/** An origin or destination as far as lanes care: a state, and the ZIP when known. */
export interface LanePlace {
  /** Five-digit ZIP, or just its 3-digit prefix. */
  zip?: string;
  /** Two-letter upper-case US state code. */
  state: string;
}

/** One rate seen: a board posting with a rate, or one of the fleet's own booked loads. */
export interface RateObservation {
  /** When it was seen or booked, UTC epoch ms. */
  ts: number;
  origin: LanePlace;
  destination: LanePlace;
  /** Equipment code as load boards abbreviate it ("V", "R", "F", …). */
  equipment: string;
  /** All-in rate, integer cents. */
  rate_cents: number;
  loaded_miles: number;
  /** True for the fleet's own booked load, false for a board posting. */
  own: boolean;
}

/** An observation left out of the statistics, and why. */
export interface RejectedObservation {
  observation: RateObservation;
  reason: string;
}

/** The rate-per-mile band outside which an observation is rejected. */
export interface ObservationLimits {
  minRateCentsPerMile?: number;
  maxRateCentsPerMile?: number;
}

/** What to report on: a lane given by its two ends and the equipment. */
export interface LaneQuery {
  origin: LanePlace;
  destination: LanePlace;
  equipment: string;
}

/** How lane statistics are computed; only `now` is required. */
export interface LaneRateOptions extends ObservationLimits {
  /** The end of every window, UTC epoch ms. */
  now: number;
  minReports?: number;
  ownWeight?: number;
  minTrendReports?: number;
  flatPercent?: number;
  confidenceReports?: { high: number; medium: number; low: number };
}

/** The level a lane's markets are at: 3-digit ZIP prefixes or states. */
export type MarketLevel = "zip3" | "state";

/** A lane at one level: "606" → "752" or "IL" → "TX", for one equipment code. */
export interface Lane {
  level: MarketLevel;
  origin: string;
  destination: string;
  equipment: string;
}

/** Rate statistics for one window. Rates are integer cents per loaded mile, null with no reports. */
export interface LaneWindowStats {
  days: number;
  /** The lane that answered: the ZIP3 lane, or the state lane when that was thin or ZIPs were missing. */
  lane: Lane;
  /** True when the query had ZIPs but the ZIP3 lane had fewer than `minReports` in this window. */
  rolledUp: boolean;
  /** Reports the ZIP3 lane had in this window when it was rolled up, else null. */
  zip3Reports: number | null;
  reports: number;
  ownReports: number;
  /** Reports with own loads counted `ownWeight` times. */
  weightedReports: number;
  p25CentsPerMile: number | null;
  medianCentsPerMile: number | null;
  p75CentsPerMile: number | null;
}

/** Median of the last 7 days against days 8–30, at the 30-day window's level. */
export interface LaneTrend {
  direction: "up" | "down" | "flat" | "not enough data";
  /** Change of the recent median over the earlier one, whole percent; null without enough data. */
  changePercent: number | null;
  /** "up 6 %", "down 3 %", "flat" or "not enough data". */
  text: string;
  recentReports: number;
  earlierReports: number;
  recentMedianCentsPerMile: number | null;
  earlierMedianCentsPerMile: number | null;
}

/** How far a dispatcher can lean on the numbers. */
export type ConfidenceLevel = "high" | "medium" | "low" | "none";

/** Confidence from the reports of the last 30 days, with a sentence for a dispatcher. */
export interface LaneConfidence {
  level: ConfidenceLevel;
  reports: number;
  ownReports: number;
  sentence: string;
}

/** Everything known about a lane's rates. */
export interface LaneRateReport {
  last7Days: LaneWindowStats;
  last30Days: LaneWindowStats;
  last90Days: LaneWindowStats;
  trend: LaneTrend;
  confidence: LaneConfidence;
  /** Which lane the 30-day numbers are from, and why, in a sentence. */
  basis: string;
}

/** A rate for a load posted without one: its lane's median. */
export interface LaneRateEstimate {
  rateCentsPerMile: number;
  /** The rate times the load's loaded miles, integer cents; null when the load's miles are unknown. */
  revenueCents: number | null;
  /** The window the median is from: 30 days when it has `minReports`, else 90. */
  days: number;
  lane: Lane;
  reports: number;
  /** The lane's 30-day confidence, so a caller can discount a shaky estimate. */
  confidence: ConfidenceLevel;
  /** Where the rate comes from, for a dispatcher: "median of 6 reports on 606 → 752 (V) in the last 30 days". */
  note: string;
}

type ResolvedOptions = Required<Omit<LaneRateOptions, "confidenceReports">> & { confidenceReports: { high: number; medium: number; low: number } };

/** An accepted observation reduced to what the statistics use. */
interface Sample {
  ts: number;
  own: boolean;
  centsPerMile: number;
  weight: number;
  inZip3Lane: boolean;
  inStateLane: boolean;
}

/** A window's statistics with the samples behind them and the unrounded median. */
interface WindowResult {
  stats: LaneWindowStats;
  samples: Sample[];
  medianCentsPerMile: number | null;
}

const STATE_CODE = /^[A-Z]{2}$/;
const ZIP_OR_PREFIX = /^[0-9]{3}(?:[0-9]{2})?$/;

/** The rate per loaded mile of an observation, cents, unrounded. */
export function rateCentsPerMile(observation: Pick<RateObservation, "rate_cents" | "loaded_miles">): number {
  return observation.rate_cents / observation.loaded_miles;
}

/** Why a place cannot be used, or null; `name` prefixes the message ("origin", "query.destination"). */
function placeProblem(place: LanePlace | undefined, name: string): string | null {
  if (!place || typeof place !== "object") return `${name} is missing`;
  if (typeof place.state !== "string" || !STATE_CODE.test(place.state)) {
    return `${name}.state must be a two-letter upper-case state code, got ${JSON.stringify(place.state)}`;
  }
  if (place.zip !== undefined && (typeof place.zip !== "string" || !ZIP_OR_PREFIX.test(place.zip))) {
    return `${name}.zip must be 5 digits (or a 3-digit prefix), got ${JSON.stringify(place.zip)}`;
  }
  return null;
}

/** Checks the rate band and returns it with defaults filled in. */
function resolveLimits(limits: ObservationLimits): { min: number; max: number } {
  const min = limits.minRateCentsPerMile ?? LANE_RATE_DEFAULTS.minRateCentsPerMile;
  const max = limits.maxRateCentsPerMile ?? LANE_RATE_DEFAULTS.maxRateCentsPerMile;
  if (!Number.isFinite(min) || min < 0) throw new RangeError(`minRateCentsPerMile must be a number of at least 0, got ${min}`);
  if (!Number.isFinite(max) || max <= min) throw new RangeError(`maxRateCentsPerMile must be above minRateCentsPerMile (${min}), got ${max}`);
  return { min, max };
}

/** Why an observation is not a usable lane rate (with the numbers that make it so), or null when it is one. */
export function observationProblem(observation: RateObservation, limits: ObservationLimits = {}): string | null {
  const { min, max } = resolveLimits(limits);
  if (!Number.isFinite(observation.ts)) return `ts must be UTC epoch milliseconds, got ${observation.ts}`;
  const placeIssue = placeProblem(observation.origin, "origin") ?? placeProblem(observation.destination, "destination");
  if (placeIssue) return placeIssue;
  if (typeof observation.equipment !== "string" || observation.equipment.trim() === "") return "equipment code is missing";
  if (typeof observation.own !== "boolean") return `own must be true or false, got ${JSON.stringify(observation.own)}`;
  if (!Number.isInteger(observation.rate_cents) || observation.rate_cents <= 0) {
    return `rate_cents must be a whole number of cents above 0, got ${observation.rate_cents}`;
  }
  if (!Number.isFinite(observation.loaded_miles) || observation.loaded_miles <= 0) {
    return `loaded_miles must be more than 0, got ${observation.loaded_miles}`;
  }
  const centsPerMile = rateCentsPerMile(observation);
  if (centsPerMile >= min && centsPerMile <= max) return null;
  // Only a rejected report pays for the text (every lane question screens every report).
  const working = `${centsPerMile.toFixed(1)} ¢/mi (${observation.rate_cents} ¢ over ${observation.loaded_miles} mi)`;
  return centsPerMile < min ? `rate ${working} is below the floor of ${min} ¢/mi` : `rate ${working} is above the ceiling of ${max} ¢/mi`;
}

/** Splits observations into those the statistics use and those rejected, each with its reason. */
export function screenObservations(
  observations: readonly RateObservation[],
  limits: ObservationLimits = {},
): { accepted: RateObservation[]; rejected: RejectedObservation[] } {
  const accepted: RateObservation[] = [];
  const rejected: RejectedObservation[] = [];
  for (const observation of observations) {
    const reason = observationProblem(observation, limits);
    if (reason) rejected.push({ observation, reason });
    else accepted.push(observation);
  }
  return { accepted, rejected };
}

/** The market a place belongs to at a level: its ZIP3 ("606") or state ("IL"); null for ZIP3 without a ZIP. */
export function marketOf(place: LanePlace, level: MarketLevel): string | null {
  if (level === "state") return place.state;
  return place.zip ? place.zip.slice(0, 3) : null;
}

/** "606 → 752 (V)". */
export function laneLabel(lane: Lane): string {
  return `${lane.origin} → ${lane.destination} (${lane.equipment})`;
}

/** A whole number of at least `least`, or a RangeError naming the option. */
function checkCount(name: string, value: number, least: number): number {
  if (!Number.isInteger(value) || value < least) throw new RangeError(`${name} must be a whole number of at least ${least}, got ${value}`);
  return value;
}

/** Checks the options and fills in the defaults. */
function resolveOptions(options: LaneRateOptions): ResolvedOptions {
  if (!options || !Number.isFinite(options.now)) throw new RangeError(`now must be UTC epoch milliseconds, got ${options?.now}`);
  const { min, max } = resolveLimits(options);
  const ownWeight = options.ownWeight ?? LANE_RATE_DEFAULTS.ownWeight;
  if (!Number.isFinite(ownWeight) || ownWeight <= 0) throw new RangeError(`ownWeight must be a number above 0, got ${ownWeight}`);
  const flatPercent = options.flatPercent ?? LANE_RATE_DEFAULTS.flatPercent;
  if (!Number.isFinite(flatPercent) || flatPercent < 0) throw new RangeError(`flatPercent must be a number of at least 0, got ${flatPercent}`);
  const confidenceReports = options.confidenceReports ?? LANE_RATE_DEFAULTS.confidenceReports;
  checkCount("confidenceReports.low", confidenceReports.low, 1);
  checkCount("confidenceReports.medium", confidenceReports.medium, 1);
  checkCount("confidenceReports.high", confidenceReports.high, 1);
  if (!(confidenceReports.low <= confidenceReports.medium && confidenceReports.medium <= confidenceReports.high)) {
    throw new RangeError(
      `confidenceReports must rise from low to high, got low ${confidenceReports.low}, medium ${confidenceReports.medium}, high ${confidenceReports.high}`,
    );
  }
  return {
    now: options.now,
    minRateCentsPerMile: min,
    maxRateCentsPerMile: max,
    minReports: checkCount("minReports", options.minReports ?? LANE_RATE_DEFAULTS.minReports, 1),
    ownWeight,
    minTrendReports: checkCount("minTrendReports", options.minTrendReports ?? LANE_RATE_DEFAULTS.minTrendReports, 1),
    flatPercent,
    confidenceReports: { ...confidenceReports },
  };
}

/** Checks a query, throwing a RangeError that names the bad field. */
function checkQuery(query: LaneQuery): void {
  if (!query || typeof query !== "object") throw new RangeError("query is missing");
  const problem = placeProblem(query.origin, "query.origin") ?? placeProblem(query.destination, "query.destination");
  if (problem) throw new RangeError(problem);
  if (typeof query.equipment !== "string" || query.equipment.trim() === "") throw new RangeError("query.equipment code is missing");
}

/** The accepted observations on the query's ZIP3 or state lane, as samples. */
function laneSamples(observations: readonly RateObservation[], query: LaneQuery, options: ResolvedOptions): Sample[] {
  const originZip3 = marketOf(query.origin, "zip3");
  const destinationZip3 = marketOf(query.destination, "zip3");
  const samples: Sample[] = [];
  for (const observation of observations) {
    if (observation.equipment !== query.equipment) continue;
    if (observationProblem(observation, options) !== null) continue;
    const inZip3Lane =
      originZip3 !== null &&
      destinationZip3 !== null &&
      marketOf(observation.origin, "zip3") === originZip3 &&
      marketOf(observation.destination, "zip3") === destinationZip3;
    const inStateLane = observation.origin.state === query.origin.state && observation.destination.state === query.destination.state;
    if (!inZip3Lane && !inStateLane) continue;
    samples.push({
      ts: observation.ts,
      own: observation.own,
      centsPerMile: rateCentsPerMile(observation),
      weight: observation.own ? options.ownWeight : 1,
      inZip3Lane,
      inStateLane,
    });
  }
  return samples;
}

/** The lane a query names at a level, or null for ZIP3 when an end has no ZIP. */
function laneAt(query: LaneQuery, level: MarketLevel): Lane | null {
  const origin = marketOf(query.origin, level);
  const destination = marketOf(query.destination, level);
  return origin === null || destination === null ? null : { level, origin, destination, equipment: query.equipment };
}

/** Samples in (now − days, now]. */
function inLastDays(samples: readonly Sample[], now: number, days: number): Sample[] {
  const start = now - days * DAY_MS;
  return samples.filter((sample) => sample.ts > start && sample.ts <= now);
}

/** Unrounded weighted p25, median and p75 of the samples' rates, or null with no samples. */
function quartiles(samples: readonly Sample[]): [number, number, number] | null {
  if (samples.length === 0) return null;
  const weighted: WeightedValue[] = samples.map((sample) => ({ value: sample.centsPerMile, weight: sample.weight }));
  const [p25, median, p75] = weightedPercentiles(weighted, [25, 50, 75]);
  return [p25, median, p75];
}

/** Statistics for one window, at the finest level with enough reports. */
function windowStats(samples: readonly Sample[], query: LaneQuery, days: number, options: ResolvedOptions): WindowResult {
  const recent = inLastDays(samples, options.now, days);
  const zip3Lane = laneAt(query, "zip3");
  let zip3Reports: number | null = null;
  let chosen: Sample[] | null = null;
  if (zip3Lane) {
    const zip3Samples = recent.filter((sample) => sample.inZip3Lane);
    if (zip3Samples.length >= options.minReports) chosen = zip3Samples;
    else zip3Reports = zip3Samples.length;
  }
  const lane = chosen ? (zip3Lane as Lane) : (laneAt(query, "state") as Lane);
  chosen ??= recent.filter((sample) => sample.inStateLane);
  const rates = quartiles(chosen);
  const round = (value: number | undefined) => (value === undefined ? null : roundCents(value));
  return {
    stats: {
      days,
      lane,
      rolledUp: zip3Reports !== null,
      zip3Reports,
      reports: chosen.length,
      ownReports: chosen.filter((sample) => sample.own).length,
      weightedReports: chosen.reduce((sum, sample) => sum + sample.weight, 0),
      p25CentsPerMile: round(rates?.[0]),
      medianCentsPerMile: round(rates?.[1]),
      p75CentsPerMile: round(rates?.[2]),
    },
    samples: chosen,
    medianCentsPerMile: rates ? rates[1] : null,
  };
}

/** The trend over the 30-day window's samples: the last 7 days against days 8–30. */
function laneTrend(window30: WindowResult, options: ResolvedOptions): LaneTrend {
  const recentStart = options.now - TREND_RECENT_DAYS * DAY_MS;
  const recent = window30.samples.filter((sample) => sample.ts > recentStart);
  const earlier = window30.samples.filter((sample) => sample.ts <= recentStart);
  const recentMedian = quartiles(recent)?.[1] ?? null;
  const earlierMedian = quartiles(earlier)?.[1] ?? null;
  const base = {
    recentReports: recent.length,
    earlierReports: earlier.length,
    recentMedianCentsPerMile: recentMedian === null ? null : roundCents(recentMedian),
    earlierMedianCentsPerMile: earlierMedian === null ? null : roundCents(earlierMedian),
  };
  if (recentMedian === null || earlierMedian === null || recent.length < options.minTrendReports || earlier.length < options.minTrendReports) {
    return { direction: "not enough data", changePercent: null, text: "not enough data", ...base };
  }
  // Multiply before dividing so 205 against 200 is exactly 2.5 %, not 2.4999…; a whole percent
  // is rounded by the house rule for cents (half away from zero), so +2.5 and −2.5 % read alike.
  const changePercent = roundCents(((recentMedian - earlierMedian) * 100) / earlierMedian);
  // The band is tested on the whole percent shown, so the word never contradicts the number
  // ("up 2 %" beside a ±2 % flat band would read as a mistake).
  if (Math.abs(changePercent) <= options.flatPercent) return { direction: "flat", changePercent, text: "flat", ...base };
  const direction = changePercent > 0 ? "up" : "down";
  return { direction, changePercent, text: `${direction} ${Math.abs(changePercent)} %`, ...base };
}

/** The confidence level for a number of reports in the last 30 days. */
export function confidenceLevel(reports: number, thresholds: { high: number; medium: number; low: number } = LANE_RATE_DEFAULTS.confidenceReports): ConfidenceLevel {
  if (reports >= thresholds.high) return "high";
  if (reports >= thresholds.medium) return "medium";
  if (reports >= thresholds.low) return "low";
  return "none";
}

/** The dispatcher's sentence for a level and its counts. */
function confidenceSentence(level: ConfidenceLevel, reports: number, ownReports: number): string {
  if (reports === 0) return "No reports in the last 30 days: there is no lane rate to go on.";
  if (level === "none" || level === "low") {
    return `Only ${reports} ${reports === 1 ? "report" : "reports"} in the last 30 days: treat this as a rough guide.`;
  }
  const yours = ownReports > 0 ? ` (${ownReports} of them yours)` : "";
  return `Based on ${reports} loads in the last 30 days${yours}.`;
}

/** Which lane the 30-day numbers are from, and why, for a dispatcher. */
function basisSentence(window30: LaneWindowStats, query: LaneQuery, minReports: number): string {
  const lane = `Lane ${laneLabel(window30.lane)}`;
  if (!window30.rolledUp) return window30.lane.level === "zip3" ? `${lane}, by 3-digit ZIP.` : `${lane}, by state, as one end has no ZIP.`;
  const zip3 = laneAt(query, "zip3") as Lane;
  const count = window30.zip3Reports ?? 0;
  const had = count === 0 ? "had no reports" : `had only ${count} ${count === 1 ? "report" : "reports"}`;
  return `${lane}, by state: ${zip3.origin} → ${zip3.destination} ${had} in the last 30 days, fewer than the ${minReports} needed.`;
}

/** Windows, trend and confidence for a query; the shared work behind laneRates and estimateLaneRate. */
function analyse(observations: readonly RateObservation[], query: LaneQuery, options: LaneRateOptions) {
  const resolved = resolveOptions(options);
  checkQuery(query);
  const samples = laneSamples(observations, query, resolved);
  const [window7, window30, window90] = LANE_WINDOW_DAYS.map((days) => windowStats(samples, query, days, resolved));
  const level = confidenceLevel(window30.stats.reports, resolved.confidenceReports);
  const confidence: LaneConfidence = {
    level,
    reports: window30.stats.reports,
    ownReports: window30.stats.ownReports,
    sentence: confidenceSentence(level, window30.stats.reports, window30.stats.ownReports),
  };
  return { resolved, window7, window30, window90, confidence };
}

/**
 * Rate statistics for a lane over the last 7, 30 and 90 days before `options.now`, with the trend,
 * a confidence level and sentences for a dispatcher. Observations that fail `observationProblem`
 * and those for other lanes or equipment are ignored. Throws a RangeError naming the field for a
 * bad query or option.
 */
export function laneRates(observations: readonly RateObservation[], query: LaneQuery, options: LaneRateOptions): LaneRateReport {
  const { resolved, window7, window30, window90, confidence } = analyse(observations, query, options);
  return {
    last7Days: window7.stats,
    last30Days: window30.stats,
    last90Days: window90.stats,
    trend: laneTrend(window30, resolved),
    confidence,
    basis: basisSentence(window30.stats, query, resolved.minReports),
  };
}

/**
 * The lane median for a load posted without a rate (the matching engine's "estimated revenue"):
 * the 30-day median when that window has `minReports` reports, else the 90-day median; null when
 * the lane has no report in 90 days. With `loaded_miles` it also gives the revenue, rounded once
 * from the unrounded median. Throws a RangeError naming the field for a bad load or option.
 */
export function estimateLaneRate(
  observations: readonly RateObservation[],
  load: LaneQuery & { loaded_miles?: number },
  options: LaneRateOptions,
): LaneRateEstimate | null {
  if (load?.loaded_miles !== undefined && (!Number.isFinite(load.loaded_miles) || load.loaded_miles <= 0)) {
    throw new RangeError(`loaded_miles must be more than 0 when given, got ${load.loaded_miles}`);
  }
  const { resolved, window30, window90, confidence } = analyse(observations, load, options);
  const chosen = window30.stats.reports >= resolved.minReports ? window30 : window90;
  if (chosen.medianCentsPerMile === null) return null;
  return {
    rateCentsPerMile: roundCents(chosen.medianCentsPerMile),
    revenueCents: load.loaded_miles === undefined ? null : roundCents(chosen.medianCentsPerMile * load.loaded_miles),
    days: chosen.stats.days,
    lane: chosen.stats.lane,
    reports: chosen.stats.reports,
    confidence: confidence.level,
    note: `median of ${chosen.stats.reports} ${chosen.stats.reports === 1 ? "report" : "reports"} on ${laneLabel(chosen.stats.lane)} in the last ${chosen.stats.days} days`,
  };
}
