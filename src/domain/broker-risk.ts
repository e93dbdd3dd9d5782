/**
 * Broker risk: how likely a broker is to pay late, pay short or not pay, as a score from 0 (safe)
 * to 100 (risky) with every point explained. Pure functions, no I/O: the broker-risk engine reads
 * what load boards say and the fleet's own history from SQLite and asks this for the score the
 * matching engine discounts by and the broker page shows.
 *
 * The score is a plain sum, so an owner can redo it on paper. Each line below that applies
 * becomes one reason with its points; points are rounded to whole numbers line by line with the
 * house rule for cents (`roundCents`: halves away from zero, so −7.5 is −8), and the score is the
 * sum of the reasons.
 *
 * | line                                   | points                                                        |
 * |----------------------------------------|---------------------------------------------------------------|
 * | every broker starts at                 | +50                                                           |
 * | no MC number on file                   | +15                                                           |
 * | load board credit score c (0–100)      | (80 − c) ÷ 2: 100 → −10, 80 → 0, 60 → +10, 0 → +40            |
 * | days to pay d                          | over 30: +0.8 a day, at most +24 (reached at 60 days);        |
 * |   (our own average once 3 of our loads |   under 30: −0.4 a day, at most −8 (reached at 10 days)       |
 * |   are paid, else the board's figure)   |   45 days → +12, 24 days → −2                                 |
 * | each of our loads paid on time         | −2, at most −20                                               |
 * | each of our loads paid late            | +4, at most +20                                               |
 * | each of our invoices unpaid past due   | +25, at most +50                                              |
 * | each dispute on our loads              | +10, at most +30                                              |
 * | each of our loads the broker cancelled | +5, at most +15                                               |
 * | first seen under 30 days ago           | +5 (new to us: nothing of ours to go on yet)                  |
 * | first seen over 365 days ago           | −5                                                            |
 * | total above 100                        | brought back to 100, shown as its own line                    |
 *
 * The lowest possible total is 50 − 10 − 8 − 20 − 5 = 7, so only the top needs a stop.
 * Level: below 40 "low", 40–64 "medium", 65 and up "high". A broker with no credit score, no
 * days-to-pay figure and no load booked with us is "unknown": 50 (65 without an MC number), said
 * in its reasons, whatever its first-seen date.
 *
 * Why these weights: our own ledger is the strongest evidence (an unpaid invoice outweighs any
 * board score), board figures come next, and the caps keep one long history from drowning the
 * rest. 30 days is net 30, the common invoice term in US freight. Boards do not publish one scale
 * for their credit scores; centring ours on 80 is a judgement, not a board's threshold, kept in
 * one constant to change once the fleet's own payment data says otherwise.
 */
import { roundCents } from "./money";

/** Milliseconds in a day. */
const DAY_MS = 86_400_000;

/** The weights in the table above, for code and for a page that shows the table. */
export const BROKER_RISK_WEIGHTS = {
  start: 50,
  noMc: 15,
  neutralCreditScore: 80,
  pointsPerCreditScorePoint: 0.5,
  normalDaysToPay: 30,
  pointsPerDaySlower: 0.8,
  maxSlowPoints: 24,
  pointsPerDayFaster: 0.4,
  maxFastPoints: 8,
  ownPaymentsBeforeOwnAverage: 3,
  paidOnTime: { each: -2, cap: -20 },
  paidLate: { each: 4, cap: 20 },
  unpaidPastDue: { each: 25, cap: 50 },
  disputes: { each: 10, cap: 30 },
  cancellations: { each: 5, cap: 15 },
  newWithinDays: 30,
  newPoints: 5,
  knownOverDays: 365,
  knownPoints: -5,
} as const;

/** Score bounds of the levels: below `medium` is low, below `high` is medium. */
export const BROKER_RISK_LEVELS = { medium: 40, high: 65 } as const;

/** What load boards say about a broker (latest figures). */
export interface BrokerBoardFacts {
  /** The board's credit score, 0–100, higher is better. */
  credit_score?: number | null;
  /** The board's average days to pay. */
  days_to_pay?: number | null;
}

/** The fleet's own history with a broker. */
export interface BrokerHistory {
  loads_booked: number;
  paid_on_time: number;
  paid_late: number;
  /** Average days from our invoice to their payment, over the paid loads. */
  avg_days_to_pay?: number | null;
  disputes: number;
  /** Loads the broker cancelled after we booked them. */
  cancelled_by_broker: number;
  /** Invoices past their due date and still unpaid. */
  unpaid_past_due: number;
  /** When we first saw this broker, UTC epoch ms. */
  first_seen?: number | null;
}

/** Everything broker risk is computed from. */
export interface BrokerRiskInput {
  board?: BrokerBoardFacts | null;
  history?: BrokerHistory | null;
  /** Whether we have the broker's FMCSA MC number. */
  mc_known: boolean;
}

/** One line of the score: what it is in plain words and the points it adds (negative: removes). */
export interface BrokerRiskReason {
  text: string;
  points: number;
}

/** How risky a broker is. */
export type BrokerRiskLevel = "low" | "medium" | "high" | "unknown";

/** A broker's risk: 0–100 (higher is riskier), its level, and the reasons, whose points add up to the score. */
export interface BrokerRisk {
  score: number;
  level: BrokerRiskLevel;
  reasons: BrokerRiskReason[];
}

/** "45" or "44.6": whole numbers plain, others to one decimal. */
function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

/** "+12", "−8", "0", as a reason's points are shown. */
function formatPoints(points: number): string {
  if (points > 0) return `+${points}`;
  if (points < 0) return `−${-points}`;
  return "0";
}

/** A reason as one line for a person: "Paid us late 4 times, +4 each up to +20 (+16)". */
export function reasonLine(reason: BrokerRiskReason): string {
  return `${reason.text} (${formatPoints(reason.points)})`;
}

/** Throws a RangeError unless `value` is a whole number of at least 0; returns it. */
function checkCount(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`history.${name} must be a whole number of at least 0, got ${value}`);
  return value;
}

/** Throws a RangeError unless `value` is absent or a number from `low` to `high`. */
function checkOptionalRange(name: string, value: number | null | undefined, low: number, high: number): void {
  if (value === undefined || value === null) return;
  if (!Number.isFinite(value) || value < low || value > high) throw new RangeError(`${name} must be a number from ${low} to ${high}, got ${value}`);
}

/** Checks the input, throwing a RangeError that names the field and what is wrong with it. */
function checkInput(input: BrokerRiskInput, now: number): void {
  if (!Number.isFinite(now)) throw new RangeError(`now must be UTC epoch milliseconds, got ${now}`);
  if (!input || typeof input !== "object") throw new RangeError("broker risk input is missing");
  if (typeof input.mc_known !== "boolean") throw new RangeError(`mc_known must be true or false, got ${JSON.stringify(input.mc_known)}`);
  checkOptionalRange("board.credit_score", input.board?.credit_score, 0, 100);
  checkOptionalRange("board.days_to_pay", input.board?.days_to_pay, 0, 365);
  const history = input.history;
  if (!history) return;
  const booked = checkCount("loads_booked", history.loads_booked);
  const bookedText = booked === 1 ? "1 load booked" : `${booked} loads booked`;
  const paid = checkCount("paid_on_time", history.paid_on_time) + checkCount("paid_late", history.paid_late);
  const unpaid = checkCount("unpaid_past_due", history.unpaid_past_due);
  if (paid + unpaid > booked) {
    throw new RangeError(`history: ${paid} paid and ${unpaid} unpaid past due add up to more than the ${bookedText}`);
  }
  if (checkCount("disputes", history.disputes) > booked) throw new RangeError(`history: ${history.disputes} disputes on only ${bookedText}`);
  if (checkCount("cancelled_by_broker", history.cancelled_by_broker) > booked) {
    throw new RangeError(`history: ${history.cancelled_by_broker} cancellations of only ${bookedText}`);
  }
  checkOptionalRange("history.avg_days_to_pay", history.avg_days_to_pay, 0, 365);
  if (history.avg_days_to_pay !== undefined && history.avg_days_to_pay !== null && paid === 0) {
    throw new RangeError(`history.avg_days_to_pay is ${history.avg_days_to_pay} but no load has been paid`);
  }
  if (history.first_seen !== undefined && history.first_seen !== null && (!Number.isFinite(history.first_seen) || history.first_seen > now)) {
    throw new RangeError(`history.first_seen must be UTC epoch milliseconds no later than now, got ${history.first_seen}`);
  }
}

/** Points for `count` events at `each`, stopped at `cap`. */
function capped(count: number, rule: { each: number; cap: number }): number {
  const points = count * rule.each;
  return rule.each > 0 ? Math.min(points, rule.cap) : Math.max(points, rule.cap);
}

/** "1 time", "4 times". */
function times(count: number): string {
  return count === 1 ? "1 time" : `${count} times`;
}

/** The days-to-pay reason: our own average when we have enough payments, else the board's figure. */
function daysToPayReason(board: BrokerBoardFacts | null | undefined, history: BrokerHistory | null | undefined): BrokerRiskReason | null {
  const w = BROKER_RISK_WEIGHTS;
  const paid = history ? history.paid_on_time + history.paid_late : 0;
  const ownAverage = history?.avg_days_to_pay ?? null;
  const boardDays = board?.days_to_pay ?? null;
  const useOwn = ownAverage !== null && (paid >= w.ownPaymentsBeforeOwnAverage || boardDays === null);
  const days = useOwn ? ownAverage : boardDays;
  if (days === null) return null;
  const source = useOwn
    ? `Pays in ${formatNumber(days)} days on average on our ${paid} paid ${paid === 1 ? "load" : "loads"}`
    : `The load board says it pays in ${formatNumber(days)} days`;
  const over = days - w.normalDaysToPay;
  if (over > 0) {
    const points = roundCents(Math.min(over * w.pointsPerDaySlower, w.maxSlowPoints));
    return { text: `${source}, slower than the ${w.normalDaysToPay} days we count as normal`, points };
  }
  if (over < 0) {
    const points = roundCents(Math.max(over * w.pointsPerDayFaster, -w.maxFastPoints));
    return { text: `${source}, faster than the ${w.normalDaysToPay} days we count as normal`, points };
  }
  return { text: `${source}, the ${w.normalDaysToPay} days we count as normal`, points: 0 };
}

/** The credit-score reason, or null without a score. */
function creditScoreReason(board: BrokerBoardFacts | null | undefined): BrokerRiskReason | null {
  const w = BROKER_RISK_WEIGHTS;
  const score = board?.credit_score ?? null;
  if (score === null) return null;
  const points = roundCents((w.neutralCreditScore - score) * w.pointsPerCreditScorePoint);
  const where = score > w.neutralCreditScore ? "above" : score < w.neutralCreditScore ? "below" : "at";
  return { text: `Load board credit score ${formatNumber(score)}, ${where} the ${w.neutralCreditScore} we count as neutral`, points };
}

/** Reasons from counts in our own history (only those that happened). */
function historyReasons(history: BrokerHistory): BrokerRiskReason[] {
  const w = BROKER_RISK_WEIGHTS;
  const rule = (r: { each: number; cap: number }) => `${formatPoints(r.each)} each up to ${formatPoints(r.cap)}`;
  const reasons: BrokerRiskReason[] = [];
  if (history.paid_on_time > 0) {
    reasons.push({ text: `Paid us on time ${times(history.paid_on_time)}, ${rule(w.paidOnTime)}`, points: capped(history.paid_on_time, w.paidOnTime) });
  }
  if (history.paid_late > 0) {
    reasons.push({ text: `Paid us late ${times(history.paid_late)}, ${rule(w.paidLate)}`, points: capped(history.paid_late, w.paidLate) });
  }
  if (history.unpaid_past_due > 0) {
    const invoices = history.unpaid_past_due === 1 ? "1 of our invoices is" : `${history.unpaid_past_due} of our invoices are`;
    reasons.push({ text: `${invoices} unpaid past due, ${rule(w.unpaidPastDue)}`, points: capped(history.unpaid_past_due, w.unpaidPastDue) });
  }
  if (history.disputes > 0) {
    const disputes = history.disputes === 1 ? "1 dispute" : `${history.disputes} disputes`;
    reasons.push({ text: `${disputes} on our loads, ${rule(w.disputes)}`, points: capped(history.disputes, w.disputes) });
  }
  if (history.cancelled_by_broker > 0) {
    const loads = history.cancelled_by_broker === 1 ? "1 of our loads" : `${history.cancelled_by_broker} of our loads`;
    reasons.push({ text: `Cancelled ${loads} after booking, ${rule(w.cancellations)}`, points: capped(history.cancelled_by_broker, w.cancellations) });
  }
  return reasons;
}

/** The first-seen reason when the broker is new to us or long known, else null. */
function firstSeenReason(history: BrokerHistory, now: number): BrokerRiskReason | null {
  const w = BROKER_RISK_WEIGHTS;
  if (history.first_seen === undefined || history.first_seen === null) return null;
  const days = Math.floor((now - history.first_seen) / DAY_MS);
  const ago = days === 1 ? "1 day ago" : `${days} days ago`;
  if (days < w.newWithinDays) return { text: `First seen ${ago}: too new to us to have a track record`, points: w.newPoints };
  if (days > w.knownOverDays) return { text: `First seen ${ago}: known to us for over a year`, points: w.knownPoints };
  return null;
}

/** The level for a score (of a broker we have some data on). */
export function brokerRiskLevel(score: number): Exclude<BrokerRiskLevel, "unknown"> {
  if (score >= BROKER_RISK_LEVELS.high) return "high";
  if (score >= BROKER_RISK_LEVELS.medium) return "medium";
  return "low";
}

/**
 * A broker's risk score, level and reasons from what boards say and our own history (see the
 * table at the top of this file). `now` (UTC epoch ms) dates the first-seen line. Throws a
 * RangeError naming the field for out-of-range or inconsistent input (say, more loads paid than
 * booked).
 */
export function brokerRisk(input: BrokerRiskInput, now: number): BrokerRisk {
  checkInput(input, now);
  const w = BROKER_RISK_WEIGHTS;
  const { board, history } = input;
  const noMcReason: BrokerRiskReason = { text: "No MC number on file, so its operating authority cannot be checked", points: w.noMc };
  const hasBoardFigure = (board?.credit_score ?? null) !== null || (board?.days_to_pay ?? null) !== null;
  if (!hasBoardFigure && (!history || history.loads_booked === 0)) {
    const reasons: BrokerRiskReason[] = [
      { text: "No credit score, no days-to-pay figure and no loads with us yet: this broker starts at 50 and there is nothing to move it", points: w.start },
    ];
    if (!input.mc_known) reasons.push(noMcReason);
    return { score: sumPoints(reasons), level: "unknown", reasons };
  }

  const reasons: BrokerRiskReason[] = [{ text: "Every broker starts at 50", points: w.start }];
  if (!input.mc_known) reasons.push(noMcReason);
  const credit = creditScoreReason(board);
  if (credit) reasons.push(credit);
  const daysToPay = daysToPayReason(board, history);
  if (daysToPay) reasons.push(daysToPay);
  if (history) {
    reasons.push(...historyReasons(history));
    const firstSeen = firstSeenReason(history, now);
    if (firstSeen) reasons.push(firstSeen);
  }
  const total = sumPoints(reasons);
  if (total > 100) reasons.push({ text: "The score stops at 100", points: 100 - total });
  const score = sumPoints(reasons);
  return { score, level: brokerRiskLevel(score), reasons };
}

/** The sum of the reasons' points. */
function sumPoints(reasons: readonly BrokerRiskReason[]): number {
  return reasons.reduce((sum, reason) => sum + reason.points, 0);
}
