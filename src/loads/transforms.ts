/**
 * Value transforms for load-board field mappings (src/loads/mapping.ts): each turns one raw value
 * from a CSV cell or a JSON item into what a canonical load holds — trimmed text, a number in the
 * load units (pounds, miles, feet, integer cents), a UTC epoch-millisecond time, a place, a
 * boolean, an equipment code. Pure functions, no I/O.
 *
 * A value a transform cannot read throws TransformError, whose message finishes the sentence
 * `<value> at <path> …` ("is not a date in format MM/DD/YYYY"), so the mapping can name the field,
 * the path and the value in one reason. Mistakes in the mapping itself (a date format with an
 * unknown token, a time zone that does not exist) throw a plain Error when the reader is built.
 *
 * Local times ("03/10/2025 08:00" from a board in Chicago) become UTC through Intl's IANA time zone
 * data, so daylight-saving changes are right without a date library; a wall time that happens
 * twice or not at all on a change day is resolved the way TC39 Temporal's default
 * (`disambiguation: "compatible"`) does it.
 */
import { EQUIPMENT, EQUIPMENT_CODES, US_STATES, type EquipmentCode, type Place } from "./records";
import { epochMsFromSecondsOrMillis, isoToEpochMs, KM_PER_MILE, M_PER_FOOT } from "../domain/units";
import { dateFormatter } from "../domain/date-format";

/** A raw value a transform cannot read; the message completes "<value> at <path> …". */
export class TransformError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TransformError";
  }
}

/** Every transform a field mapping may name. */
export const TRANSFORM_NAMES = ["trim", "upper", "lower", "number", "integer", "date", "money", "distance", "weight", "length", "city_state", "zip", "bool", "digits", "equipment"] as const;
export type TransformName = (typeof TRANSFORM_NAMES)[number];

/**
 * Kilograms in one avoirdupois pound: exact by the 1959 international yard and pound agreement
 * (NIST SP 811, 2008 edition, appendix B.8 and B.9).
 */
export const KG_PER_POUND = 0.45359237;

/**
 * Pounds per unit, for `transform: weight`. A short ton is 2000 lb and a metric tonne 1000 kg
 * (NIST Handbook 44, appendix C).
 */
export const WEIGHT_UNITS = { lb: 1, kg: 1 / KG_PER_POUND, t: 1000 / KG_PER_POUND, short_ton: 2000 } as const;
/** Miles per unit, for `transform: distance` (the international mile, 1.609344 km exactly). */
export const DISTANCE_UNITS = { mi: 1, km: 1 / KM_PER_MILE } as const;
/** Feet per unit, for `transform: length` (the international foot, 0.3048 m exactly). */
export const LENGTH_UNITS = { ft: 1, m: 1 / M_PER_FOOT } as const;
/** What a money value is written in, for `transform: money`. */
export const MONEY_UNITS = ["dollars", "cents"] as const;

export type WeightUnit = keyof typeof WEIGHT_UNITS;
export type DistanceUnit = keyof typeof DISTANCE_UNITS;
export type LengthUnit = keyof typeof LENGTH_UNITS;
export type MoneyUnit = (typeof MONEY_UNITS)[number];

/**
 * Unit words a quantity may carry after its number ("42,000 lbs", "19.5 t", "53'"): when present
 * they win over the mapping's `from`, since the cell says what it is.
 */
const UNIT_WORDS: Record<"weight" | "distance" | "length", Record<string, string>> = {
  weight: { lb: "lb", lbs: "lb", pound: "lb", pounds: "lb", "#": "lb", kg: "kg", kgs: "kg", kilogram: "kg", kilograms: "kg", t: "t", mt: "t", tonne: "t", tonnes: "t", ton: "short_ton", tons: "short_ton", "short ton": "short_ton", "short tons": "short_ton" },
  distance: { mi: "mi", mile: "mi", miles: "mi", km: "km", kms: "km", kilometer: "km", kilometers: "km", kilometre: "km", kilometres: "km" },
  length: { ft: "ft", feet: "ft", foot: "ft", "'": "ft", m: "m", meter: "m", meters: "m", metre: "m", metres: "m" },
};

/** A value as a person should read it in a reason: short, quoted when text. */
export function show(value: unknown): string {
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (value === undefined) return "nothing";
  const json = JSON.stringify(value) ?? String(value);
  return json.length > 60 ? `${json.slice(0, 57)}…` : json;
}

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "an object";
  return `a ${typeof value}`;
}

/** The value as trimmed text: strings trimmed, numbers and booleans written out; lists and objects are errors. */
export function toText(value: unknown): string {
  if (typeof value === "string") return value.trim();
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  if (typeof value === "boolean") return String(value);
  throw new TransformError(`is ${kindOf(value)}, not text`);
}

/** Upper-case text ("il" → "IL"). */
export const toUpper = (value: unknown): string => toText(value).toUpperCase();
/** Lower-case text. */
export const toLower = (value: unknown): string => toText(value).toLowerCase();

/** A plain decimal: "42000", "-3.5", ".5", "1e3". Number() alone would also take "", "0x1f" and "Infinity". */
const PLAIN_DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
/** A decimal with thousands separators in groups of three: "42,000", "1,850.00". "12,5" is not one (a decimal comma would be misread). */
const GROUPED_DECIMAL = /^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$/;

/** The number in a text, or null when it is not one. */
function decimal(text: string): number | null {
  if (PLAIN_DECIMAL.test(text)) return Number(text);
  if (GROUPED_DECIMAL.test(text)) return Number(text.replaceAll(",", ""));
  return null;
}

/** A number: a JSON number or a decimal in text, thousands separators allowed ("42,000"). */
export function toNumber(value: unknown): number {
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new TransformError("is not a finite number");
    return value;
  }
  const n = typeof value === "string" ? decimal(value.trim()) : null;
  if (n === null || !Number.isFinite(n)) throw new TransformError("is not a number");
  return n;
}

/** A whole number ("12", 12, "1,200"); "12.5" is an error rather than silently rounded. */
export function toInteger(value: unknown): number {
  const n = toNumber(value);
  if (!Number.isSafeInteger(n)) throw new TransformError("is not a whole number");
  return n;
}

/** Splits "42,000 lbs" into the number and the unit word (lower case), or the unit as null. */
function splitQuantity(text: string): { number: string; unit: string | null } {
  const match = /^(.*?\d\.?)\s*([a-z][a-z ]*|#|')$/i.exec(text);
  return match ? { number: match[1]!, unit: match[2]!.toLowerCase().replace(/\s+/g, " ") } : { number: text, unit: null };
}

/** A quantity converted to the house unit by `factors` (house units per unit), reading a unit word in the text when there is one. */
function quantity<U extends string>(value: unknown, from: U, factors: Record<U, number>, words: Record<string, string>, what: string): number {
  if (typeof value === "number") return toNumber(value) * factors[from];
  if (typeof value !== "string") throw new TransformError(`is ${kindOf(value)}, not a ${what}`);
  const { number, unit } = splitQuantity(value.trim());
  let factor = factors[from];
  if (unit !== null) {
    const named = words[unit] as U | undefined;
    if (!named) throw new TransformError(`has the unit "${unit}", which is not a ${what} unit (${Object.keys(factors).join(", ")})`);
    factor = factors[named];
  }
  const n = decimal(number.trim());
  if (n === null || !Number.isFinite(n)) throw new TransformError(`is not a ${what}`);
  return n * factor;
}

/** A weight in pounds, from `from` (or the unit written after the number). */
export function toWeightLb(value: unknown, from: WeightUnit = "lb"): number {
  return quantity(value, from, WEIGHT_UNITS, UNIT_WORDS.weight, "weight");
}

/** A distance in miles, from `from` (or the unit written after the number). */
export function toDistanceMiles(value: unknown, from: DistanceUnit = "mi"): number {
  return quantity(value, from, DISTANCE_UNITS, UNIT_WORDS.distance, "distance");
}

/** A length in feet, from `from` (or the unit written after the number). */
export function toLengthFt(value: unknown, from: LengthUnit = "ft"): number {
  return quantity(value, from, LENGTH_UNITS, UNIT_WORDS.length, "length");
}

/** Dollars in text: optional sign, optional $, digits with or without thousands separators, optional cents. */
const DOLLARS = /^([+-]?)\s*\$?\s*(\d{1,3}(?:,\d{3})+|\d+)?(?:\.(\d*))?$/;

/**
 * Integer cents from dollars in text. Done on the digits rather than by multiplying a float, where
 * 1.005 × 100 is 100.49999999999999; the third decimal rounds half up (1.005 → 101 cents).
 */
function dollarTextToCents(text: string): number | null {
  const match = DOLLARS.exec(text);
  if (!match || (match[2] === undefined && !match[3])) return null;
  const whole = Number((match[2] ?? "0").replaceAll(",", ""));
  const fraction = (match[3] ?? "").padEnd(3, "0");
  const cents = whole * 100 + Number(fraction.slice(0, 2)) + (Number(fraction[2]) >= 5 ? 1 : 0);
  if (!Number.isSafeInteger(cents)) return null;
  return match[1] === "-" ? -cents : cents;
}

/**
 * Integer cents from dollars ("$1,850.00", "1850", 1850, "USD 1,850") or from cents (185000);
 * cents must be whole.
 */
export function toMoneyCents(value: unknown, from: MoneyUnit = "dollars"): number {
  if (from === "cents") {
    const cents = typeof value === "number" ? value : typeof value === "string" ? decimal(value.trim().replace(/^\$/, "")) : null;
    if (cents === null || !Number.isFinite(cents)) throw new TransformError("is not an amount in cents");
    if (!Number.isSafeInteger(cents)) throw new TransformError("is not a whole number of cents");
    return cents;
  }
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new TransformError("is not an amount in dollars");
    // String() gives the shortest text that reads back as this number ("1.005"), which the digit path rounds exactly.
    const text = String(value);
    const cents = text.includes("e") ? Math.round(value * 100) : dollarTextToCents(text);
    if (cents === null || !Number.isSafeInteger(cents)) throw new TransformError("is too large an amount in dollars");
    return cents;
  }
  if (typeof value !== "string") throw new TransformError(`is ${kindOf(value)}, not an amount in dollars`);
  const text = value.trim().replace(/^USD\s*/i, "").replace(/\s*USD$/i, "");
  const cents = dollarTextToCents(text);
  if (cents === null) throw new TransformError(`is not an amount in dollars (like 1850, "1,850.00" or "$1,850")`);
  return cents;
}

const STATE_CODES = new Set<string>(US_STATES);

/**
 * A place from "Chicago, IL", "Chicago IL 60601", "St. Louis, MO 63101-1234" or "Chicago, IL, USA".
 * The state must be a two-letter US code; the city keeps the board's spelling.
 */
export function toCityState(value: unknown): Place {
  const text = toText(value).replace(/[,\s]+(USA|US)$/i, "");
  const match = /^(.+?)[,\s]\s*([A-Za-z]{2})(?:[,\s]\s*(\d{5})(?:-?\d{4})?)?$/.exec(text);
  const city = match?.[1]!.replace(/[,\s]+$/, "").replace(/\s+/g, " ");
  if (!match || !city) throw new TransformError(`is not a place like "Chicago, IL" or "Chicago IL 60601"`);
  const state = match[2]!.toUpperCase();
  if (!STATE_CODES.has(state)) throw new TransformError(`has "${match[2]}", which is not a two-letter US state code`);
  const place: Place = { city, state: state as Place["state"] };
  if (match[3]) place.zip = match[3];
  return place;
}

/**
 * A five-digit ZIP from "60601", "60601-1234", "606011234" or the number 60601. Numbers and digit
 * strings of 3 or 4 digits get their leading zeros back: spreadsheets store ZIPs as numbers and
 * turn Boston's 02134 into 2134 (the lowest ZIP in use, 00501, keeps three digits).
 */
export function toZip(value: unknown): string {
  const digits = typeof value === "number" ? zipFromNumber(value) : typeof value === "string" ? zipFromText(value.trim()) : null;
  if (digits === null) throw new TransformError("is not a ZIP code (5 digits, or ZIP+4 like 60601-1234)");
  return digits;
}

/** A ZIP stored as a number: up to 5 digits is a ZIP, more a ZIP+4 written without its dash (both may have lost leading zeros). */
function zipFromNumber(value: number): string | null {
  if (!Number.isSafeInteger(value) || value < 100 || value > 999_999_999) return null;
  const digits = String(value);
  if (digits.length <= 5) return digits.padStart(5, "0");
  return digits.padStart(9, "0").slice(0, 5);
}

function zipFromText(text: string): string | null {
  if (/^\d{5}(-?\d{4})?$/.test(text)) return text.slice(0, 5);
  return /^\d{3,4}$/.test(text) ? text.padStart(5, "0") : null;
}

const TRUE_WORDS = new Set(["yes", "y", "true", "1"]);
const FALSE_WORDS = new Set(["no", "n", "false", "0"]);

/** A boolean from yes/no, y/n, true/false, 1/0 (any case), or a JSON boolean. */
export function toBool(value: unknown): boolean {
  if (typeof value === "boolean") return value;
  const word = typeof value === "number" || typeof value === "string" ? String(value).trim().toLowerCase() : "";
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  throw new TransformError("is not yes/no, true/false, Y/N or 1/0");
}

/** The number from an FMCSA docket or USDOT number as boards write it: "MC-123456", "MC# 123456", "DOT 1234567", 123456. */
export function toDigits(value: unknown): string {
  const text = toText(value);
  const match = /^(?:[A-Za-z]{1,4}\s*[#:-]?\s*)?(\d{1,8})$/.exec(text);
  if (!match) throw new TransformError(`is not a number of up to 8 digits like 123456 or "MC-123456"`);
  return match[1]!;
}

/** Equipment names as Haulbox lists them, squeezed ("dryvan", "stepdeck"), plus the bare "van" boards use for a dry van. */
const EQUIPMENT_BY_NAME = new Map<string, EquipmentCode>([...Object.entries(EQUIPMENT).map(([code, name]) => [squeeze(name), code as EquipmentCode] as const), ["van", "V"]]);
const EQUIPMENT_CODE_SET = new Set<string>(EQUIPMENT_CODES);

function squeeze(text: string): string {
  return text.toLowerCase().replace(/[\s-]+/g, "");
}

/** An equipment code from a code ("v", "RGN") or a name ("Dry Van", "step-deck", "Reefer"). */
export function toEquipmentCode(value: unknown): EquipmentCode {
  const text = toText(value);
  const upper = text.toUpperCase();
  if (EQUIPMENT_CODE_SET.has(upper)) return upper as EquipmentCode;
  const byName = EQUIPMENT_BY_NAME.get(squeeze(text));
  if (byName) return byName;
  throw new TransformError(`is not an equipment type Haulbox knows (a code like V, R, F, SD, or a name like "Dry van"); other names need the field's map`);
}

// ---- times -----------------------------------------------------------------------------------

/** Canonical time bounds (records.ts): 2000-01-01 to 2100-01-01 UTC. */
const MIN_TIME_MS = 946_684_800_000;
const MAX_TIME_MS = 4_102_444_800_000;
const DAY_MS = 86_400_000;

const WALL_FIELDS: Intl.DateTimeFormatOptions = { hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric" };

/** A formatter that writes an instant as wall-clock fields in `timeZone`; throws a RangeError for an unknown zone. */
function zoneFormatter(timeZone: string): Intl.DateTimeFormat {
  return dateFormatter("en-US", timeZone, WALL_FIELDS);
}

/** True when Intl knows `timeZone` as an IANA zone ("America/Chicago", "UTC"). */
export function isTimeZone(timeZone: string): boolean {
  try {
    zoneFormatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The offset at `epochMs` as Intl computes it: wall-clock fields in the zone minus the instant. */
function exactOffsetMs(timeZone: string, epochMs: number): number {
  const fields: Record<string, number> = {};
  for (const part of zoneFormatter(timeZone).formatToParts(new Date(epochMs))) if (part.type !== "literal") fields[part.type] = Number(part.value);
  const wall = Date.UTC(fields.year!, fields.month! - 1, fields.day!, fields.hour!, fields.minute!, fields.second!);
  // The formatter drops milliseconds, so compare against the instant's whole second.
  return wall - (epochMs - (((epochMs % 1000) + 1000) % 1000));
}

/** Offsets are cached per 15 minutes of UTC: zone offsets and change times are whole quarter hours in practice. */
const OFFSET_BUCKET_MS = 15 * 60_000;
/** Per zone: bucket → its offset, or NaN for a bucket with a change in it (computed exactly each time). */
const offsetBuckets = new Map<string, Map<number, number>>();

/**
 * How far `timeZone`'s wall clock is ahead of UTC at `epochMs`, in ms (Chicago in winter: -6 h).
 * Intl's formatToParts costs microseconds, four times per local time read, so a CSV of many rows
 * reuses the offset of each quarter hour; a quarter hour is only cached when its offset is the
 * same at both ends, so a zone that changed inside one is still computed exactly.
 */
export function zoneOffsetMs(timeZone: string, epochMs: number): number {
  let buckets = offsetBuckets.get(timeZone);
  if (!buckets) offsetBuckets.set(timeZone, (buckets = new Map()));
  const bucket = Math.floor(epochMs / OFFSET_BUCKET_MS);
  let offset = buckets.get(bucket);
  if (offset === undefined) {
    const start = exactOffsetMs(timeZone, bucket * OFFSET_BUCKET_MS);
    offset = start === exactOffsetMs(timeZone, (bucket + 1) * OFFSET_BUCKET_MS - 1000) ? start : Number.NaN;
    if (buckets.size >= 100_000) buckets.clear();
    buckets.set(bucket, offset);
  }
  return Number.isNaN(offset) ? exactOffsetMs(timeZone, epochMs) : offset;
}

/**
 * The UTC instant of a wall-clock time in `timeZone`, where `wallMs` is that wall time written as
 * if it were UTC (Date.UTC of its fields). On a change day a wall time can happen twice (the
 * clock falls back: the earlier instant is taken) or not at all (it springs forward: the time is
 * moved forward by the gap, 02:30 → 03:30), as Temporal's "compatible" disambiguation does.
 */
export function localTimeToEpochMs(wallMs: number, timeZone: string): number {
  // Offsets a day either side bracket any single change; no zone changes twice within two days.
  const offsetBefore = zoneOffsetMs(timeZone, wallMs - DAY_MS);
  const offsetAfter = zoneOffsetMs(timeZone, wallMs + DAY_MS);
  const early = wallMs - offsetBefore;
  const late = wallMs - offsetAfter;
  const earlyFits = zoneOffsetMs(timeZone, early) === offsetBefore;
  const lateFits = zoneOffsetMs(timeZone, late) === offsetAfter;
  if (earlyFits && lateFits) return Math.min(early, late);
  if (earlyFits) return early;
  if (lateFits) return late;
  // In the gap: read with the offset in force before the change, which lands after it.
  return wallMs - offsetBefore;
}

/** How a date field reads its values. */
export interface DateReaderOptions {
  /** Formats tried in order: auto, iso, epoch_s, epoch_ms, or a pattern of tokens like "MM/DD/YYYY HH:mm". */
  formats: readonly string[];
  /** IANA zone for times written without an offset. */
  timeZone: string;
  /** A value with no time of day means the end of that day (23:59:59.999) rather than its start. */
  endOfDay?: boolean;
}

/** Pattern tokens, longest first so "MM" is not read as two "M". */
const TOKENS = ["YYYY", "YY", "MM", "M", "DD", "D", "HH", "H", "hh", "h", "mm", "m", "ss", "s", "A", "a"] as const;
type Token = (typeof TOKENS)[number];
const TOKEN_REGEX: Record<Token, string> = {
  YYYY: "(\\d{4})",
  YY: "(\\d{2})",
  MM: "(\\d{1,2})",
  M: "(\\d{1,2})",
  DD: "(\\d{1,2})",
  D: "(\\d{1,2})",
  HH: "(\\d{1,2})",
  H: "(\\d{1,2})",
  hh: "(\\d{1,2})",
  h: "(\\d{1,2})",
  mm: "(\\d{2})",
  m: "(\\d{1,2})",
  ss: "(\\d{2})",
  s: "(\\d{1,2})",
  A: "([AaPp][Mm])",
  a: "([AaPp][Mm])",
};
type DatePart = "year" | "year2" | "month" | "day" | "hour" | "hour12" | "minute" | "second" | "meridiem";
const TOKEN_PART: Record<Token, DatePart> = { YYYY: "year", YY: "year2", MM: "month", M: "month", DD: "day", D: "day", HH: "hour", H: "hour", hh: "hour12", h: "hour12", mm: "minute", m: "minute", ss: "second", s: "second", A: "meridiem", a: "meridiem" };

/** A compiled token pattern: its regex and which date part each capture group holds. */
interface DatePattern {
  format: string;
  regex: RegExp;
  parts: DatePart[];
  hasTime: boolean;
}

/**
 * Compiles "MM/DD/YYYY hh:mm A" into a regex. Tokens (moment.js / Day.js spelling): YYYY, YY,
 * MM/M, DD/D, HH/H (24-hour), hh/h (12-hour, needs A), mm/m, ss/s, A (AM/PM); one- and two-digit
 * tokens both accept one or two digits, since exports drop zero padding. Text in [brackets] is
 * literal. Throws an Error naming what is wrong with the format.
 */
function compilePattern(format: string): DatePattern {
  let source = "";
  const parts: DatePart[] = [];
  let i = 0;
  while (i < format.length) {
    const char = format[i]!;
    if (char === "[") {
      const end = format.indexOf("]", i);
      if (end === -1) throw new Error(`date format ${JSON.stringify(format)} opens [ without closing it`);
      source += escapeRegex(format.slice(i + 1, end));
      i = end + 1;
    } else if (/[A-Za-z]/.test(char)) {
      const token = TOKENS.find((t) => format.startsWith(t, i));
      if (!token) throw new Error(`date format ${JSON.stringify(format)} has an unknown token at "${format.slice(i)}" (tokens: YYYY, YY, MM, M, DD, D, HH, H, hh, h, mm, m, ss, s, A; put literal text in [brackets])`);
      if (parts.includes(TOKEN_PART[token])) throw new Error(`date format ${JSON.stringify(format)} has the ${TOKEN_PART[token]} twice`);
      source += TOKEN_REGEX[token];
      parts.push(TOKEN_PART[token]);
      i += token.length;
    } else {
      source += /\s/.test(char) ? "\\s+" : escapeRegex(char);
      i++;
      while (/\s/.test(char) && /\s/.test(format[i] ?? "")) i++;
    }
  }
  const has = (part: DatePart) => parts.includes(part);
  if (!(has("year") || has("year2")) || !has("month") || !has("day")) throw new Error(`date format ${JSON.stringify(format)} needs a year (YYYY or YY), a month (MM) and a day (DD)`);
  if (has("year") && has("year2")) throw new Error(`date format ${JSON.stringify(format)} has the year twice`);
  if (has("hour") && has("hour12")) throw new Error(`date format ${JSON.stringify(format)} has the hour twice`);
  if (has("hour12") !== has("meridiem")) throw new Error(`date format ${JSON.stringify(format)} ${has("hour12") ? "has a 12-hour hour (hh) without AM/PM (A)" : "has AM/PM (A) without a 12-hour hour (hh)"}`);
  const hasTime = has("hour") || has("hour12");
  if (!hasTime && (has("minute") || has("second"))) throw new Error(`date format ${JSON.stringify(format)} has minutes without an hour`);
  return { format, regex: new RegExp(`^${source}$`), parts, hasTime };
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

function daysInMonth(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!;
}

/** The wall-clock time a pattern match stands for (as if UTC), or why the date or time cannot be. */
function wallTimeFromMatch(pattern: DatePattern, match: RegExpExecArray, endOfDay: boolean): number | string {
  const fields: Partial<Record<DatePart, string>> = {};
  pattern.parts.forEach((part, index) => (fields[part] = match[index + 1]));
  const year = fields.year !== undefined ? Number(fields.year) : 2000 + Number(fields.year2);
  const month = Number(fields.month);
  const day = Number(fields.day);
  let hour = Number(fields.hour ?? 0);
  if (fields.hour12 !== undefined) {
    const hour12 = Number(fields.hour12);
    if (hour12 < 1 || hour12 > 12) return `there is no hour ${hour12} on a 12-hour clock`;
    hour = (hour12 % 12) + (fields.meridiem!.toUpperCase() === "PM" ? 12 : 0);
  }
  const minute = Number(fields.minute ?? 0);
  const second = Number(fields.second ?? 0);
  if (month < 1 || month > 12) return `there is no month ${month}`;
  if (day < 1 || day > daysInMonth(year, month)) return `${MONTH_NAMES[month - 1]} ${year} has no day ${day}`;
  if (hour > 23 || minute > 59 || second > 59) return `${String(hour).padStart(2, "0")}:${String(minute).padStart(2, "0")}:${String(second).padStart(2, "0")} is not a time of day`;
  if (!pattern.hasTime && endOfDay) return Date.UTC(year, month - 1, day, 23, 59, 59, 999);
  return Date.UTC(year, month - 1, day, hour, minute, second);
}

/** An ISO 8601 date or date-time with no offset: a wall-clock time, read in the mapping's zone. */
const ISO_WITHOUT_OFFSET = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?)?$/;

/** Reads ISO 8601: with an offset as that instant, without one as wall time in `timeZone`. Null when it is not ISO 8601. */
function readIso(text: string, timeZone: string, endOfDay: boolean): number | null {
  if (ISO_WITHOUT_OFFSET.test(text)) {
    const wall = isoToEpochMs(text);
    if (wall === null) return null;
    return localTimeToEpochMs(endOfDay && text.length === 10 ? wall + DAY_MS - 1 : wall, timeZone);
  }
  return isoToEpochMs(text);
}

/** An epoch number from a JSON number or digits in text (a decimal point allowed for fractional seconds). */
function epochNumber(value: unknown): number | null {
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value === "string" && /^\d+(\.\d+)?$/.test(value.trim())) return Number(value.trim());
  return null;
}

/** Human wording of a list of formats for a reason. */
function describeFormats(formats: readonly string[]): string {
  const words = formats.map((format) => (format === "auto" ? "ISO 8601 or epoch seconds/milliseconds" : format === "iso" ? "ISO 8601" : format === "epoch_s" ? "epoch seconds" : format === "epoch_ms" ? "epoch milliseconds" : `format ${format}`));
  return words.length === 1 ? words[0]! : `${words.slice(0, -1).join(", ")} or ${words.at(-1)}`;
}

/**
 * Builds the reader of one date field: value → UTC epoch ms between 2000 and 2100. Numbers are
 * read only by epoch formats (and "auto", which tells seconds from milliseconds by size); an ISO
 * time with an offset is taken as is; every other time is wall time in `timeZone`. Throws an
 * Error when a format or the zone is not usable.
 */
export function compileDateReader(options: DateReaderOptions): (value: unknown) => number {
  if (!isTimeZone(options.timeZone)) throw new Error(`${JSON.stringify(options.timeZone)} is not an IANA time zone (like "America/Chicago" or "UTC")`);
  if (options.formats.length === 0) throw new Error("no date format given");
  const endOfDay = options.endOfDay ?? false;
  // A reader gives the time, null when the value is not in its format, or why a value in its format is not a real date.
  const readers = options.formats.map((format): ((value: unknown) => number | string | null) => {
    switch (format) {
      case "epoch_s":
        return (value) => {
          const n = epochNumber(value);
          return n === null ? null : Math.round(n * 1000);
        };
      case "epoch_ms":
        return (value) => {
          const n = epochNumber(value);
          return n === null ? null : Math.round(n);
        };
      case "iso":
        return (value) => (typeof value === "string" ? readIso(value.trim(), options.timeZone, endOfDay) : null);
      case "auto":
        return (value) => {
          const n = epochNumber(value);
          if (n !== null) return epochMsFromSecondsOrMillis(n);
          return typeof value === "string" ? readIso(value.trim(), options.timeZone, endOfDay) : null;
        };
      default: {
        const pattern = compilePattern(format);
        return (value) => {
          if (typeof value !== "string") return null;
          const match = pattern.regex.exec(value.trim());
          if (!match) return null;
          const wall = wallTimeFromMatch(pattern, match, endOfDay);
          return typeof wall === "string" ? wall : localTimeToEpochMs(wall, options.timeZone);
        };
      }
    }
  });
  const expected = describeFormats(options.formats);
  return (value) => {
    if (typeof value !== "string" && typeof value !== "number") throw new TransformError(`is ${kindOf(value)}, not a date`);
    let impossible: string | null = null;
    for (let index = 0; index < readers.length; index++) {
      const read = readers[index]!(value);
      if (read === null) continue;
      if (typeof read === "string") {
        impossible ??= read;
        continue;
      }
      if (Number.isFinite(read) && read >= MIN_TIME_MS && read <= MAX_TIME_MS) return read;
      // Date cannot show a time beyond ±8.64e15 ms (it would throw), and such a number says enough by itself.
      const when = Math.abs(read) < 8.64e15 ? `${new Date(read).toISOString()}, ` : "";
      throw new TransformError(`read as ${describeFormats([options.formats[index]!])} is ${when}not between 2000 and 2100: is the format right?`);
    }
    throw new TransformError(`is not a date in ${expected}${impossible ? ` (${impossible})` : ""}`);
  };
}
