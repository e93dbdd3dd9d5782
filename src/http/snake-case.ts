/**
 * The API's keys are snake_case. Domain results written in TypeScript's camelCase (lane-rate
 * reports, for one) are converted once at the edge instead of being written twice.
 */

/** "last30Days" → "last30_days", "p25CentsPerMile" → "p25_cents_per_mile": an underscore before each capital. */
export function snakeCaseKey(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();
}

/** A copy of a JSON value with every object key in snake_case. */
export function snakeCaseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(snakeCaseKeys);
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([key, child]) => [snakeCaseKey(key), snakeCaseKeys(child)]));
  return value;
}
