/**
 * Rate negotiation, the engine's half: every figure a dispatcher is coached with is computed here,
 * never by a language model. Pure functions over integer cents, no I/O.
 *
 * - `negotiationPlan`: the walk-away rate (the cost floor plus the minimum margin), the target
 *   (a point between the lane's median and 75th percentile, moved by deadhead, how soon the pickup
 *   is and the broker's risk), the opening ask (the target plus a step), each with its reasons.
 * - `parseOffer`: the figure in what a broker said ("best I can do is 1,850", "$2.10 a mile").
 * - `nextMove`: accept, counter at a figure, or walk away — and why.
 * - `loadNotes`: detention, tarp, extra stops and hazmat found in a load's own text (facts to
 *   raise, never instructions).
 * - `checkFigures`: every number in a model's words must be one the engine computed; a sentence
 *   with any other is removed.
 *
 * Choices, so nobody has to guess them from the code:
 * - Asks and counters are whole multiples of $25 (how rates are quoted on the phone), rounded up
 *   (never below what was computed); the walk-away is rounded up to a whole dollar.
 * - With driver pay as a percent of revenue the cost floor depends on the rate itself: the
 *   walk-away R solves R − pay%·R − other costs = margin.
 * - Without lane reports (confidence "none") the target is the walk-away plus the target step
 *   over it, or the posted rate when that is higher; the reasons say so.
 */

import { formatCents, formatRateCents, groupThousands } from "./money";

const DOLLAR = 100;
/** Asks and counters move in steps of this many cents ($25). */
export const ASK_STEP_CENTS = 2_500;

export interface NegotiationSettings {
  /** The least the fleet must clear over its costs on a load, in cents. */
  minMarginCents: number;
  /** How far above the target the opening ask goes, percent (e.g. 8). */
  openingStepPercent: number;
  /** Counters before an offer under the walk-away rate is walked away from. */
  maxRounds: number;
}

export const NEGOTIATION_DEFAULTS: NegotiationSettings = { minMarginCents: 15_000, openingStepPercent: 8, maxRounds: 3 };

/** What the plan is computed from: the pair's costs and miles, the lane, the load and the broker. */
export interface NegotiationInputs {
  loadedMiles: number;
  deadheadMiles: number;
  /** Costs that do not depend on the rate: fuel, maintenance, tires, other, fixed (cents). */
  fixedCostsCents: number;
  /** Driver pay: a share of revenue, or an amount that does not depend on the rate (cents). */
  driverPay: { kind: "percent"; percent: number } | { kind: "amount"; cents: number };
  /** The posted rate, or null when the board posted none. */
  postedRateCents: number | null;
  /** The lane's 30-day statistics in cents per loaded mile (null when it has none), and how sure they are. */
  lane: { medianCentsPerMile: number | null; p75CentsPerMile: number | null; reports: number; confidence: "high" | "medium" | "low" | "none"; label: string };
  /** Hours from now until the pickup window opens. */
  hoursToPickup: number;
  brokerRisk: "low" | "medium" | "high" | "unknown";
}

/** A computed figure with what it is, so a model's text can be checked against it. */
export interface Fact {
  /** Stable key ("walk_away", "lane_median_per_mile", …). */
  key: string;
  label: string;
  /** Cents, cents per mile, miles or hours, as `unit` says. */
  value: number;
  unit: "cents" | "cents_per_mile" | "miles" | "hours" | "reports";
  /** How a dispatcher reads it ("$1,850", "$2.10/mi", "120 mi"). */
  text: string;
}

export interface NegotiationPlan {
  walkAwayCents: number;
  targetCents: number;
  openingAskCents: number;
  /** Why each figure is what it is, in plain words. */
  reasons: string[];
  /** Every figure the plan rests on (and the only ones a model may state). */
  facts: Fact[];
}

/** Cents as "$1,850" (whole dollars) or "$1,850.50". */
export const dollars = (cents: number) => formatCents(Math.round(cents), { withCents: Math.round(cents) % DOLLAR !== 0 });

/** Cents per mile as "$2.10/mi". */
export const perMileText = (centsPerMile: number) => formatRateCents(centsPerMile, "mi");

const roundUpTo = (cents: number, step: number) => Math.ceil(cents / step) * step;

/** The plan for a load and a truck. Throws a RangeError naming the input that cannot be used. */
export function negotiationPlan(input: NegotiationInputs, settings: NegotiationSettings = NEGOTIATION_DEFAULTS): NegotiationPlan {
  checkInputs(input, settings);
  const reasons: string[] = [];
  const costsAt = (rateCents: number) => input.fixedCostsCents + (input.driverPay.kind === "percent" ? (rateCents * input.driverPay.percent) / 100 : input.driverPay.cents);
  // The floor: the rate at which net profit is exactly the minimum margin.
  const floor =
    input.driverPay.kind === "percent"
      ? (input.fixedCostsCents + settings.minMarginCents) / (1 - input.driverPay.percent / 100)
      : input.fixedCostsCents + input.driverPay.cents + settings.minMarginCents;
  const walkAwayCents = roundUpTo(floor, DOLLAR);
  reasons.push(`Walk away under ${dollars(walkAwayCents)}: costs of ${dollars(Math.round(costsAt(walkAwayCents)))} at that rate plus your minimum margin of ${dollars(settings.minMarginCents)}.`);

  let target: number;
  /** The lane's rate per mile the target was leaned to, when the lane set it. */
  let leanedPerMile: number | null = null;
  const { medianCentsPerMile: median, p75CentsPerMile: p75 } = input.lane;
  if (input.lane.confidence === "none" || median === null) {
    target = Math.max(floor * (1 + settings.openingStepPercent / 100), input.postedRateCents ?? 0);
    reasons.push(`No lane reports in the last 30 days for ${input.lane.label}: the target is set from your costs${input.postedRateCents !== null && input.postedRateCents >= target ? " (the posted rate is above them)" : ""}.`);
  } else {
    const upper = p75 ?? median;
    // Where between the median and the 75th percentile to aim: more for a long deadhead, a pickup
    // soon (the broker needs a truck) and a risky broker (slow or uncertain pay).
    let lean = 0;
    const deadheadShare = input.deadheadMiles / Math.max(1, input.loadedMiles);
    if (deadheadShare > 0.15) {
      lean += Math.min(0.4, deadheadShare);
      reasons.push(`${Math.round(input.deadheadMiles)} mi of deadhead is ${Math.round(deadheadShare * 100)} % of the loaded miles: aim higher in the lane's range.`);
    }
    if (input.hoursToPickup < 24) {
      lean += input.hoursToPickup < 8 ? 0.4 : 0.25;
      reasons.push(`The pickup is in ${Math.max(0, Math.round(input.hoursToPickup))} h: a broker short on time pays more.`);
    }
    if (input.brokerRisk === "high" || input.brokerRisk === "medium") {
      lean += input.brokerRisk === "high" ? 0.3 : 0.15;
      reasons.push(`The broker's risk is ${input.brokerRisk}: ask more for slower or less certain pay.`);
    }
    lean = Math.min(1, lean);
    const perMile = median + (upper - median) * lean;
    target = perMile * input.loadedMiles;
    leanedPerMile = Math.round(perMile);
    reasons.push(
      `Lane ${input.lane.label}, last 30 days (${input.lane.reports} reports, ${input.lane.confidence} confidence): median ${perMileText(median)}, 75th percentile ${perMileText(upper)}; target ${perMileText(Math.round(perMile))} × ${groupThousands(String(Math.round(input.loadedMiles)))} loaded mi.`,
    );
  }
  if (target < floor) {
    reasons.push(`The lane pays under your floor here: the target is raised to the walk-away rate.`);
    target = floor;
  }
  const targetCents = roundUpTo(target, ASK_STEP_CENTS);
  const openingAskCents = roundUpTo(targetCents * (1 + settings.openingStepPercent / 100), ASK_STEP_CENTS);
  reasons.push(`Open at ${dollars(openingAskCents)}, ${settings.openingStepPercent} % over the target of ${dollars(targetCents)}, to leave room to come down.`);

  const facts: Fact[] = [
    fact("walk_away", "Walk-away rate", walkAwayCents, "cents"),
    fact("target", "Target rate", targetCents, "cents"),
    fact("opening_ask", "Opening ask", openingAskCents, "cents"),
    fact("costs_at_walk_away", "Costs at the walk-away rate", Math.round(costsAt(walkAwayCents)), "cents"),
    fact("min_margin", "Minimum margin", settings.minMarginCents, "cents"),
    fact("loaded_miles", "Loaded miles", Math.round(input.loadedMiles), "miles"),
    fact("deadhead_miles", "Deadhead miles", Math.round(input.deadheadMiles), "miles"),
    fact("hours_to_pickup", "Hours to pickup", Math.max(0, Math.round(input.hoursToPickup)), "hours"),
    fact("target_per_mile", "Target per loaded mile", Math.round(targetCents / Math.max(1, input.loadedMiles)), "cents_per_mile"),
    fact("opening_ask_per_mile", "Opening ask per loaded mile", Math.round(openingAskCents / Math.max(1, input.loadedMiles)), "cents_per_mile"),
    fact("walk_away_per_mile", "Walk-away per loaded mile", Math.round(walkAwayCents / Math.max(1, input.loadedMiles)), "cents_per_mile"),
  ];
  if (input.postedRateCents !== null) facts.push(fact("posted_rate", "Posted rate", input.postedRateCents, "cents"));
  if (median !== null && input.lane.confidence !== "none") {
    facts.push(fact("lane_median_per_mile", "Lane median per loaded mile (30 days)", median, "cents_per_mile"));
    if (p75 !== null) facts.push(fact("lane_p75_per_mile", "Lane 75th percentile per loaded mile (30 days)", p75, "cents_per_mile"));
    if (leanedPerMile !== null) facts.push(fact("lane_target_per_mile", "Lane rate per loaded mile aimed at", leanedPerMile, "cents_per_mile"));
    facts.push(fact("lane_reports", "Lane reports (30 days)", input.lane.reports, "reports"));
  }
  return { walkAwayCents, targetCents, openingAskCents, reasons, facts };
}

function fact(key: string, label: string, value: number, unit: Fact["unit"]): Fact {
  const text = unit === "cents" ? dollars(value) : unit === "cents_per_mile" ? perMileText(value) : unit === "miles" ? `${value.toLocaleString("en-US")} mi` : unit === "hours" ? `${value} h` : String(value);
  return { key, label, value, unit, text };
}

function checkInputs(input: NegotiationInputs, settings: NegotiationSettings): void {
  const finite = (name: string, value: number, least = 0) => {
    if (!Number.isFinite(value) || value < least) throw new RangeError(`${name} must be a number of at least ${least}, got ${value}`);
  };
  finite("loadedMiles", input.loadedMiles);
  if (input.loadedMiles <= 0) throw new RangeError(`loadedMiles must be more than 0, got ${input.loadedMiles}`);
  finite("deadheadMiles", input.deadheadMiles);
  finite("fixedCostsCents", input.fixedCostsCents);
  finite("minMarginCents", settings.minMarginCents);
  finite("openingStepPercent", settings.openingStepPercent);
  if (input.driverPay.kind === "percent" && !(input.driverPay.percent >= 0 && input.driverPay.percent < 100)) {
    throw new RangeError(`driverPay.percent must be from 0 to under 100, got ${input.driverPay.percent}`);
  }
  if (input.driverPay.kind === "amount") finite("driverPay.cents", input.driverPay.cents);
  if (!Number.isFinite(input.hoursToPickup)) throw new RangeError(`hoursToPickup must be a number, got ${input.hoursToPickup}`);
}

// ---- what the broker said --------------------------------------------------------------------------

/** An offer read from a broker's words: all-in cents, and how it was said. */
export interface Offer {
  cents: number;
  /** The words it was read from ("$2.10 a mile" becomes cents × loaded miles). */
  said: string;
  perMile: boolean;
}

/** A number with an optional $ and k, then an optional per-mile marker. */
const AMOUNT = /(\$\s*)?(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*(k\b)?(\s*(?:\/\s*mi(?:le)?\b|per\s+mile\b|a\s+mile\b|an?\s+mi\b|rpm\b|cents?\s+a\s+mile))?/gi;

/**
 * The broker's figure: the last amount that reads as money — a flat rate ($ or ≥ 100) or a rate
 * per mile (a marker such as "/mi", "a mile", "per mile", "rpm"; $0.50–$20). Null when there is none.
 */
export function parseOffer(text: string, loadedMiles: number): Offer | null {
  let found: Offer | null = null;
  for (const match of text.slice(0, 2_000).matchAll(AMOUNT)) {
    const [said, dollarSign, digits, thousands, perMileMarker] = match;
    let value = Number(digits!.replace(/,/g, ""));
    if (thousands) value *= 1000;
    if (perMileMarker) {
      // "210 cents a mile" and "rpm 2.10" mean the same rate.
      const perMileDollars = /cent/i.test(perMileMarker) || value >= 50 ? value / 100 : value;
      if (perMileDollars >= 0.5 && perMileDollars <= 20 && loadedMiles > 0) found = { cents: Math.round(perMileDollars * DOLLAR * loadedMiles), said: said!.trim(), perMile: true };
    } else if ((dollarSign || value >= 100) && value <= 100_000) found = { cents: Math.round(value * DOLLAR), said: said!.trim(), perMile: false };
  }
  return found;
}

// ---- the next move -------------------------------------------------------------------------------------

export interface Move {
  action: "accept" | "counter" | "walk_away";
  counterCents: number | null;
  why: string;
}

/**
 * What to do about an offer: accept at or above the target (or our last ask), counter by splitting
 * the difference while it is above the walk-away rate, hold near the floor while it is under it,
 * and walk away when it is still under the floor after `maxRounds` counters. `lastAskCents` is our
 * last counter (or the opening ask); `counters` how many we have made.
 */
export function nextMove(plan: NegotiationPlan, offer: Offer | null, lastAskCents: number, counters: number, settings: NegotiationSettings = NEGOTIATION_DEFAULTS): Move {
  if (!offer) return { action: "counter", counterCents: lastAskCents, why: `No figure in what the broker said: restate ${dollars(lastAskCents)} and ask for their number.` };
  const offered = offer.cents;
  if (offered >= lastAskCents || offered >= plan.targetCents) {
    return { action: "accept", counterCents: null, why: `${dollars(offered)} is at or above ${offered >= lastAskCents ? `your last ask of ${dollars(lastAskCents)}` : `the target of ${dollars(plan.targetCents)}`}.` };
  }
  if (offered >= plan.walkAwayCents) {
    const split = roundUpTo((offered + lastAskCents) / 2, ASK_STEP_CENTS);
    if (split - offered <= 2 * ASK_STEP_CENTS || split >= lastAskCents) {
      return { action: "accept", counterCents: null, why: `${dollars(offered)} is above your walk-away of ${dollars(plan.walkAwayCents)} and within ${dollars(split - offered)} of meeting in the middle: take it.` };
    }
    return { action: "counter", counterCents: split, why: `${dollars(offered)} clears your walk-away of ${dollars(plan.walkAwayCents)} but is under the target of ${dollars(plan.targetCents)}: meet in the middle at ${dollars(split)}.` };
  }
  if (counters >= settings.maxRounds) {
    return { action: "walk_away", counterCents: null, why: `${dollars(offered)} is still under your walk-away of ${dollars(plan.walkAwayCents)} after ${counters} counters: it would lose you margin.` };
  }
  const hold = Math.max(roundUpTo(plan.walkAwayCents, ASK_STEP_CENTS), roundUpTo((plan.walkAwayCents + lastAskCents) / 2, ASK_STEP_CENTS));
  const counter = Math.min(hold, lastAskCents);
  return { action: "counter", counterCents: counter, why: `${dollars(offered)} is under your walk-away of ${dollars(plan.walkAwayCents)}: come down only to ${dollars(counter)}.` };
}

// ---- what the load's own text says ------------------------------------------------------------------------

export interface LoadNote {
  kind: "detention" | "tarp" | "extra_stops" | "hazmat" | "team" | "lumper";
  text: string;
}

const NOTE_PATTERNS: [LoadNote["kind"], RegExp, string][] = [
  ["detention", /\bdetention\b|\bwait(ing)? time\b/i, "Detention is mentioned: agree the rate per hour and the free time before you book."],
  ["tarp", /\btarp(s|ped|ping)?\b/i, "Tarping is mentioned: ask for tarp pay on top of the rate."],
  ["extra_stops", /\b(multi[- ]?stop|stop[- ]?offs?|extra stops?|\d+\s+stops|2 picks?|two picks?)\b/i, "More than one stop is mentioned: ask for stop-off pay for each extra stop."],
  ["hazmat", /\bhaz(ardous|mat)?\b|\bUN\s?\d{4}\b/i, "Hazardous materials are mentioned: check the endorsement and ask for hazmat pay."],
  ["team", /\bteam( drivers?)?\b/i, "A team is mentioned: a team load pays more per mile."],
  ["lumper", /\blumper\b/i, "A lumper is mentioned: agree who pays it before you book."],
];

/** Notes to raise, found in the load's comments and commodity (text from a board: only matched, never repeated). */
export function loadNotes(...texts: (string | null | undefined)[]): LoadNote[] {
  const all = texts.filter((text): text is string => typeof text === "string").join("\n").slice(0, 10_000);
  return NOTE_PATTERNS.filter(([, pattern]) => pattern.test(all)).map(([kind, , text]) => ({ kind, text }));
}

// ---- checking a model's words ------------------------------------------------------------------------------

/** A number in a model's text, read the way a dispatcher would read it. */
const NUMBER_IN_TEXT = /(\$\s*)?(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*(k\b)?(\s*(?:%|percent\b|\/\s*mi(?:le)?\b|per\s+(?:loaded\s+)?mile\b|a\s+mile\b|(?:(?:loaded|deadhead|empty)\s+)?mi(?:les)?\b|h(?:ours?|rs?)?\b|reports?\b))?/gi;

export interface FigureCheck {
  text: string;
  /** The sentences taken out, each with the figure that was not the engine's. */
  removed: { sentence: string; figure: string }[];
}

/**
 * Keeps only sentences whose every figure is one of `facts` (money within $1, rates per mile within
 * 1 ¢, miles and hours within 1; small counts such as "2 stops" or "3 days" pass). A sentence with
 * any other figure is removed whole: a half-corrected sentence reads as a real claim.
 */
export function checkFigures(text: string, facts: readonly Fact[]): FigureCheck {
  const removed: FigureCheck["removed"] = [];
  const sentences = text.split(/(?<=[.!?])\s+|\n+/);
  const kept = sentences.filter((sentence) => {
    for (const match of sentence.matchAll(NUMBER_IN_TEXT)) {
      if (!figureAllowed(match, facts)) {
        removed.push({ sentence: sentence.trim(), figure: match[0].trim() });
        return false;
      }
    }
    return true;
  });
  return { text: kept.join(" ").replace(/\s+/g, " ").trim(), removed };
}

function figureAllowed(match: RegExpMatchArray, facts: readonly Fact[]): boolean {
  const [, dollarSign, digits, thousands, unit] = match;
  let value = Number(digits!.replace(/,/g, ""));
  if (thousands) value *= 1000;
  const near = (kind: Fact["unit"], cents: number, tolerance: number) => facts.some((fact) => fact.unit === kind && Math.abs(fact.value - cents) <= tolerance);
  const unitText = (unit ?? "").trim().toLowerCase();
  // "$2.10/mi", "2.10 per mile", "2.10 a mile" are rates; "27 mi", "900 loaded miles" are distances.
  if (/\/|per\s|a\s+mile/.test(unitText)) return near("cents_per_mile", value * DOLLAR, 1);
  if (/mi/.test(unitText)) return near("miles", value, 1);
  if (/^h/.test(unitText)) return near("hours", value, 1);
  if (/report/.test(unitText)) return near("reports", value, 0);
  if (/%|percent/.test(unitText)) return true;
  if (dollarSign || value >= 100) return near("cents", value * DOLLAR, DOLLAR);
  // Small bare counts ("2 stops", "1 day") carry no money.
  return value < 100;
}
