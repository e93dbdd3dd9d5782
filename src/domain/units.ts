/**
 * Unit conversions between the house units (km, km/h, m, °C, litres, L/h, km/L, hours, volts,
 * percent, UTC epoch milliseconds) and what devices and people use: miles, mph, knots, m/s, feet,
 * °F, kelvin, US gallons, mpg, seconds, ISO 8601 text. Pure functions over exact published factors
 * (NIST SP 811: the international mile, the US liquid gallon, the international knot), so a value
 * converted in and out comes back to within floating-point rounding.
 *
 * `UNIT_CONVERSIONS` names the conversions a telemetry mapping may ask for, per quantity; the
 * telemetry-json plugin builds its option schema from it.
 */

/** Kilometres in one international mile (exact). */
export const KM_PER_MILE = 1.609344;
/** Metres in one international foot (exact). */
export const M_PER_FOOT = 0.3048;
/** Litres in one US liquid gallon (exact). */
export const LITRES_PER_US_GALLON = 3.785411784;
/** km/h in one international knot (1 nautical mile = 1852 m, exact). */
export const KMH_PER_KNOT = 1.852;
/** km/h in one metre per second (exact). */
export const KMH_PER_MPS = 3.6;

// Distance
export const milesToKm = (miles: number): number => miles * KM_PER_MILE;
export const kmToMiles = (km: number): number => km / KM_PER_MILE;
export const feetToMetres = (feet: number): number => feet * M_PER_FOOT;
export const metresToFeet = (metres: number): number => metres / M_PER_FOOT;

// Speed
export const mphToKmh = (mph: number): number => mph * KM_PER_MILE;
export const kmhToMph = (kmh: number): number => kmh / KM_PER_MILE;
export const knotsToKmh = (knots: number): number => knots * KMH_PER_KNOT;
export const kmhToKnots = (kmh: number): number => kmh / KMH_PER_KNOT;
export const mpsToKmh = (mps: number): number => mps * KMH_PER_MPS;
export const kmhToMps = (kmh: number): number => kmh / KMH_PER_MPS;

// Volume and fuel rate
export const gallonsToLitres = (gallons: number): number => gallons * LITRES_PER_US_GALLON;
export const litresToGallons = (litres: number): number => litres / LITRES_PER_US_GALLON;
export const gphToLph = (gph: number): number => gph * LITRES_PER_US_GALLON;
export const lphToGph = (lph: number): number => lph / LITRES_PER_US_GALLON;

// Temperature
export const fahrenheitToCelsius = (f: number): number => ((f - 32) * 5) / 9;
export const celsiusToFahrenheit = (c: number): number => (c * 9) / 5 + 32;
export const kelvinToCelsius = (k: number): number => k - 273.15;
export const celsiusToKelvin = (c: number): number => c + 273.15;

// Fuel economy. Miles per US gallon is what a US owner reads; km/L is what Haulbox stores.
/** Miles per US gallon from km per litre. */
export const mpgFromKmPerLitre = (kmpl: number): number => (kmpl / KM_PER_MILE) * LITRES_PER_US_GALLON;
/** Km per litre from miles per US gallon. */
export const kmPerLitreFromMpg = (mpg: number): number => (mpg * KM_PER_MILE) / LITRES_PER_US_GALLON;
/** L/100 km from km per litre; Infinity for 0 (the engine burns fuel without moving). */
export const litresPer100KmFromKmPerLitre = (kmpl: number): number => 100 / kmpl;
/** Km per litre from L/100 km; Infinity for 0. */
export const kmPerLitreFromLitresPer100Km = (lPer100: number): number => 100 / lPer100;
/** Miles per US gallon from distance driven and fuel burnt (house units); null when no fuel was burnt. */
export function mpgFromDistanceAndFuel(km: number, litres: number): number | null {
  return litres > 0 ? mpgFromKmPerLitre(km / litres) : null;
}

// Time
/** Epoch seconds (possibly fractional) to epoch milliseconds, rounded to the millisecond. */
export const epochSecondsToMs = (seconds: number): number => Math.round(seconds * 1000);

/**
 * Epoch milliseconds from a number that is either epoch seconds or epoch milliseconds. Seconds
 * stay below 1e11 until the year 5138 and milliseconds pass 1e11 in 1973, so the magnitude tells
 * them apart for any clock that is not decades wrong.
 */
export function epochMsFromSecondsOrMillis(value: number): number {
  return Math.abs(value) < 1e11 ? Math.round(value * 1000) : Math.round(value);
}

const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Epoch milliseconds from an ISO 8601 date-time (`2024-05-01T14:03:11.123Z`, `+02:00`, `+0200`,
 * a space instead of T); a time without a zone is taken as UTC, since trackers and gateways that
 * omit it send UTC. Null for anything else, including impossible dates (Date.parse would roll
 * 2024-02-30 over into March).
 */
export function isoToEpochMs(text: string): number | null {
  const m = ISO_8601.exec(text.trim());
  if (!m) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4] ?? 0);
  const minute = Number(m[5] ?? 0);
  const second = Number(m[6] ?? 0);
  if (month < 1 || month > 12 || day < 1 || day > DAYS_IN_MONTH[month - 1]! || hour > 23 || minute > 59 || second > 60) return null;
  if (month === 2 && day === 29 && !(year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0))) return null;
  const millis = m[7] ? Math.round(Number(`0.${m[7]}`) * 1000) : 0;
  let offsetMinutes = 0;
  const zone = m[8];
  if (zone && zone.toUpperCase() !== "Z") {
    const digits = zone.slice(1).replace(":", "");
    const zoneHours = Number(digits.slice(0, 2));
    const zoneMinutes = Number(digits.slice(2) || 0);
    if (zoneHours > 23 || zoneMinutes > 59) return null;
    offsetMinutes = (zone[0] === "-" ? -1 : 1) * (zoneHours * 60 + zoneMinutes);
  }
  return Date.UTC(year, month - 1, day, hour, minute, second, millis) - offsetMinutes * 60_000;
}

/**
 * Conversions a telemetry mapping may name, by quantity: unit name → function into the house
 * unit. The first unit of each quantity is the house unit itself.
 */
export const UNIT_CONVERSIONS = {
  speed: { kmh: (v: number) => v, mph: mphToKmh, mps: mpsToKmh, knots: knotsToKmh },
  length: { m: (v: number) => v, km: (v: number) => v * 1000, mi: (v: number) => milesToKm(v) * 1000, ft: feetToMetres },
  distance: { km: (v: number) => v, mi: milesToKm, m: (v: number) => v / 1000 },
  temperature: { c: (v: number) => v, f: fahrenheitToCelsius, k: kelvinToCelsius },
  volume: { l: (v: number) => v, gal: gallonsToLitres },
  fuel_rate: { lph: (v: number) => v, gph: gphToLph },
  fuel_economy: { kmpl: (v: number) => v, mpg: kmPerLitreFromMpg, l_per_100km: kmPerLitreFromLitresPer100Km },
  duration: { h: (v: number) => v, min: (v: number) => v / 60, s: (v: number) => v / 3600 },
  percent: { pct: (v: number) => v, ratio: (v: number) => v * 100 },
  voltage: { v: (v: number) => v, mv: (v: number) => v / 1000 },
} as const satisfies Record<string, Record<string, (value: number) => number>>;

/** A quantity with named conversions. */
export type Quantity = keyof typeof UNIT_CONVERSIONS;
