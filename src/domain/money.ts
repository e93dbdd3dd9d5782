/**
 * Money: integer cents, and the one rounding rule every figure in Haulbox goes through.
 *
 * Amounts (revenue, a cost line, a net) are whole cents in a JavaScript number; below 2^53 cents
 * (90 trillion dollars) every integer is exact, so no decimal library is needed. Rates may carry
 * fractions of a cent (EIA quotes diesel to a tenth of a cent, an owner may put tires at
 * 4.5 ¢/mi); they become whole cents only when multiplied out into an amount, and that rounding
 * happens exactly once per figure, half away from zero (`roundCents`), so a total built from
 * rounded lines can be followed by hand.
 *
 * `parseMoney` reads a dollar amount the way a person or a broker writes it in a message
 * ("best I can do is 1,850", "$2.10/mi", "1.85k") with exact decimal arithmetic on the digits, and
 * answers with a reason when there is no single amount to take.
 */

/** U+2212 MINUS SIGN: typographically a minus, so "−$12.50" does not read as a hyphen. */
const MINUS = "\u2212";

/**
 * Rounds an exact amount of cents to whole cents, half away from zero (2.5 → 3, −2.5 → −3): the
 * rule accountants and owners apply by hand. Noise beyond 12 significant digits is dropped first,
 * so a product that is exactly half a cent on paper rounds up even when binary floating point
 * lands a hair below it (45 × 0.7 is 31.5, but 45 * 0.7 is 31.499999999999996).
 */
export function roundCents(exactCents: number): number {
  if (!Number.isFinite(exactCents)) throw new RangeError(`roundCents: amount must be a finite number of cents, got ${exactCents}`);
  const denoised = Number(exactCents.toPrecision(12));
  const rounded = Math.sign(denoised) * Math.floor(Math.abs(denoised) + 0.5);
  return rounded === 0 ? 0 : rounded; // never −0, which would print as "−$0.00"
}

/** Throws unless `cents` is a whole number of cents that a double holds exactly. */
function assertCents(fn: string, name: string, cents: number): void {
  if (!Number.isSafeInteger(cents)) throw new RangeError(`${fn}: ${name} must be a whole number of cents, got ${cents}`);
}

/** Cents multiplied by a factor (a percentage as 0.28, a share, a count), rounded once half away from zero. */
export function mulCents(cents: number, factor: number): number {
  assertCents("mulCents", "cents", cents);
  if (!Number.isFinite(factor)) throw new RangeError(`mulCents: factor must be a finite number, got ${factor}`);
  return roundCents(cents * factor);
}

/** Rate in whole cents per mile for an amount over a distance (e.g. $1,850 over 612 mi → 302). */
export function ratePerMileCents(totalCents: number, miles: number): number {
  assertCents("ratePerMileCents", "totalCents", totalCents);
  if (!Number.isFinite(miles) || miles <= 0) throw new RangeError(`ratePerMileCents: miles must be a number greater than 0, got ${miles}`);
  return roundCents(totalCents / miles);
}

/** Digits with a comma every three places from the right (the whole part of any figure a person reads). */
export function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** Options for `formatCents`. */
export interface FormatCentsOptions {
  /** Show the cents ("$1,850.00", the default) or round to whole dollars ("$1,850"). */
  withCents?: boolean;
}

/**
 * Cents as US dollars for a person: 185000 → "$1,850.00", −1250 → "−$12.50", and with
 * `{ withCents: false }` 185000 → "$1,850" (half a dollar rounds away from zero).
 */
export function formatCents(cents: number, options: FormatCentsOptions = {}): string {
  assertCents("formatCents", "cents", cents);
  const withCents = options.withCents ?? true;
  const shown = withCents ? Math.abs(cents) : Math.abs(roundCents(cents / 100)) * 100;
  const dollars = groupThousands(String(Math.floor(shown / 100)));
  const text = withCents ? `$${dollars}.${String(shown % 100).padStart(2, "0")}` : `$${dollars}`;
  return cents < 0 && shown > 0 ? MINUS + text : text;
}

/**
 * A rate per unit as dollars, with two decimals or as many more as the rate carries (up to four):
 * (210, "mi") → "$2.10/mi", (375.9, "gal") → "$3.759/gal", (4.25, "mi") → "$0.0425/mi".
 */
export function formatRateCents(centsPerUnit: number, unit: string): string {
  if (!Number.isFinite(centsPerUnit)) throw new RangeError(`formatRateCents: rate must be a finite number of cents, got ${centsPerUnit}`);
  const dollars = Math.abs(centsPerUnit) / 100;
  let decimals = 2;
  while (decimals < 4 && Math.abs(Number(dollars.toFixed(decimals)) - dollars) > 1e-9) decimals++;
  const [whole, fraction] = dollars.toFixed(decimals).split(".");
  const sign = centsPerUnit < 0 && Number(dollars.toFixed(decimals)) > 0 ? MINUS : "";
  return `${sign}$${groupThousands(whole!)}.${fraction}/${unit}`;
}

/** What an amount in text is: a total for the load, or a rate per mile. */
export type MoneyKind = "total" | "per_mile";

/** The answer of `parseMoney`: whole cents and what they are, or null and why not. */
export type ParsedMoney =
  | { cents: number; kind: MoneyKind; matched: string }
  | { cents: null; reason: string };

// A number as people type it: an optional dollar sign, digits with or without thousands commas,
// an optional decimal part. What follows it (k, /mi, cpm, a unit word) is read separately.
const NUMBER = /(\$\s*)?(\d[\d,]*)(?:\.(\d+))?/g;
// Before a number: part of a word or road ("I-80", "x2"), a reference ("#12345"), or the second
// half of a time or date ("5:30", "10/12"). Such a number is not money.
const NOT_MONEY_BEFORE = /(?:[a-z]-?|#|\d[:/])$/i;
const THOUSANDS = /^\s?k(?![a-z])/i;
// What may follow a number and make it money, and what money: first match wins.
const MONEY_SUFFIXES: { pattern: RegExp; kind: MoneyKind; unit: "dollars" | "cents" }[] = [
  // "/mi", "/mile", "per mile", "a mile", "rpm" (rate per mile): dollars per mile.
  { pattern: /^\s*(?:\/\s*mi(?:le)?|per\s+mi(?:le)?|a\s+mile|rpm)(?![a-z])/i, kind: "per_mile", unit: "dollars" },
  // "cpm", "¢/mi", "cents a mile": cents per mile.
  { pattern: /^\s*(?:cpm|(?:¢|cents?)\s*(?:\/\s*|per\s+|a\s+)mi(?:le)?)(?![a-z])/i, kind: "per_mile", unit: "cents" },
  // "52¢", "52 cents".
  { pattern: /^\s*(?:¢|cents?(?![a-z]))/i, kind: "total", unit: "cents" },
  // "1850 USD", "1850 dollars".
  { pattern: /^\s*(?:usd|dollars?|bucks)(?![a-z])/i, kind: "total", unit: "dollars" },
];
// Words after a number that make it a distance, weight, length, count, time or share, not money.
// ("in" is left out on purpose: "1,850 in 30 days" is money.)
const NOT_MONEY_UNIT =
  /^\s*(?:mi|miles?|loaded|empty|deadhead|dh|lbs?|pounds?|tons?|ft|feet|foot|'|pallets?|stops?|drops?|picks?|days?|hours?|hrs?|h|min(?:ute)?s?|am|pm|a\.m\.|p\.m\.|mph|gal(?:lons?)?|%|percent|degrees?|°)(?![a-z])/i;

interface Candidate {
  kind: MoneyKind;
  matched: string;
  /** Marked as money by a "$", a "k", a currency word or a per-mile suffix, not a bare number. */
  explicit: boolean;
  /** Whole cents, or why the number is not a usable amount. */
  cents: number | string;
}

/**
 * Exact cents from a decimal number written as digits: `integerDigits.fractionDigits`, times
 * 10^`shift` (3 for "k"), counted in dollars or in cents. Returns a reason instead when the
 * result is not a whole number of cents or is too large to hold exactly.
 */
function exactCents(integerDigits: string, fractionDigits: string, shift: number, unit: "dollars" | "cents"): number | string {
  const fraction = fractionDigits.replace(/0+$/, "");
  const places = (unit === "dollars" ? 2 : 0) + shift - fraction.length;
  if (places < 0) return "it has fractions of a cent";
  const digits = (integerDigits + fraction).replace(/^0+(?=\d)/, "") + "0".repeat(places);
  if (digits.length > 15) return "it is too large to be a freight amount";
  return Number(digits);
}

/** Every number in `text` that may be money, with whether it is marked as money. */
function findCandidates(text: string): Candidate[] {
  const candidates: Candidate[] = [];
  for (const m of text.matchAll(NUMBER)) {
    const start = m.index!;
    const dollarSign = m[1] ?? "";
    if (!dollarSign && NOT_MONEY_BEFORE.test(text.slice(0, start))) continue;
    // A trailing comma is punctuation ("1,850, final"), and then no decimal part follows it.
    const integerWritten = m[2]!.replace(/,+$/, "");
    const fractionDigits = integerWritten === m[2] ? (m[3] ?? "") : "";
    let end = integerWritten === m[2] ? start + m[0].length : start + dollarSign.length + integerWritten.length;
    if (/^[:/]\d/.test(text.slice(end))) continue; // the first half of a time or a date

    const thousands = THOUSANDS.exec(text.slice(end));
    if (thousands) end += thousands[0].length;
    const rest = text.slice(end);
    const suffix = MONEY_SUFFIXES.find((s) => s.pattern.test(rest));
    // "925 miles", "2nd", "10am" are not money; "$1,850 loaded" still is.
    if (!suffix && !dollarSign && (NOT_MONEY_UNIT.test(rest) || /^[a-z]/i.test(rest))) continue;

    const kind = suffix?.kind ?? "total";
    const unit = suffix?.unit ?? "dollars";
    const matched = text.slice(start, end + (suffix ? suffix.pattern.exec(rest)![0].length : 0)).trim();
    const explicit = Boolean(dollarSign || thousands || suffix);
    if (integerWritten.includes(",") && !/^\d{1,3}(?:,\d{3})+$/.test(integerWritten)) {
      candidates.push({ kind, matched, explicit, cents: `“${matched}” has commas that are not thousands separators` });
      continue;
    }
    const cents = exactCents(integerWritten.replace(/,/g, ""), fractionDigits, thousands ? 3 : 0, unit);
    candidates.push({ kind, matched, explicit, cents: typeof cents === "string" ? `“${matched}” is not a usable amount: ${cents}` : cents });
  }
  return candidates;
}

/** Shortens text for a reason message. */
function quote(text: string): string {
  const oneLine = text.replace(/\s+/g, " ").trim();
  return `“${oneLine.length > 60 ? `${oneLine.slice(0, 57)}…` : oneLine}”`;
}

/**
 * The one dollar amount in a person's text, in whole cents: "best I can do is 1,850" → 185000
 * total; "$2.10/mi" → 210 per mile; "1.85k" → 185000; "52 cpm" → 52 per mile. Numbers that are
 * miles, weights, times, dates or road names are passed over. Amounts marked as money (a "$", a
 * "k", a per-mile suffix) win over bare numbers. Null with a reason when there is none, when
 * there are several different ones ("1,850 or 1,900"), or when the one there is malformed.
 */
export function parseMoney(text: string): ParsedMoney {
  if (typeof text !== "string") return { cents: null, reason: "no text to read an amount from" };
  const candidates = findCandidates(text);
  if (candidates.length === 0) return { cents: null, reason: `no dollar amount found in ${quote(text)}` };
  const explicit = candidates.filter((c) => c.explicit);
  const chosen = explicit.length > 0 ? explicit : candidates;
  const invalid = chosen.find((c) => typeof c.cents === "string");
  if (invalid) return { cents: null, reason: invalid.cents as string };
  const distinct = chosen.filter((c, i) => chosen.findIndex((o) => o.cents === c.cents && o.kind === c.kind) === i);
  if (distinct.length > 1) {
    const listed = distinct.map((c) => `“${c.matched}”`).join(", ");
    return { cents: null, reason: `more than one amount in the text (${listed}): say which one` };
  }
  const only = distinct[0]!;
  return { cents: only.cents as number, kind: only.kind, matched: only.matched };
}
