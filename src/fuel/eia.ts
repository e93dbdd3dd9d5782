/**
 * Client for the U.S. Energy Information Administration's weekly retail on-highway diesel prices
 * (API v2, route petroleum/pri/gnd, product EPD2D "No 2 Diesel", process PTE "Retail Sales"),
 * for the U.S. average and the PADD regions the matching engine prices fuel by. It knows nothing
 * of the rest of Haulbox: it returns the newest weekly price per region and a list of problems in
 * plain words, and throws `EiaError` when the request as a whole fails.
 *
 * The request, the answer and the error bodies follow EIA's API technical documentation
 * (https://www.eia.gov/opendata/documentation.php):
 * - `GET /v2/petroleum/pri/gnd/data/?api_key=…&frequency=weekly&data[]=value&facets[product][]=EPD2D
 *   &facets[duoarea][]=R1X…&sort[0][column]=period&sort[0][direction]=desc&length=N`;
 *   the key goes in the query string because EIA does not read it from headers.
 * - answer: `{ response: { total, dateFormat, frequency, data: [{ period: "2024-05-13", duoarea:
 *   "R1X", "area-name": "PADD 1A", product: "EPD2D", "product-name", process: "PTE",
 *   "process-name", series: "EMD_EPD2D_PTE_R1X_DPG", "series-description", value: "4.091",
 *   units: "$/GAL" }] } }`. Since v2.1.6 (January 2024) values are strings; older answers and
 *   proxies send numbers, and a week with no survey result has null or "NA".
 * - errors: `{ error: { code: "API_KEY_INVALID", message } }` with HTTP 403 for a missing or bad
 *   key, `{ error: "Invalid frequency …", code: 400 }` for a bad parameter.
 *
 * Prices keep EIA's precision: $3.759/gal becomes 375.9 cents per gallon (tenths of a cent). The
 * cost model multiplies that by gallons and rounds once to whole cents, so rounding the price to
 * 376 first would only add error (up to 5 cents on a 100-gallon fill).
 *
 * The API key never appears in a thrown message: every text that leaves this module passes
 * through `redact`, which removes the key and any `api_key=` parameter.
 */

/** Region ids the rest of Haulbox uses: the U.S. average and the PADDs (1 is split in three). */
export type DieselRegion = "US" | "1A" | "1B" | "1C" | "2" | "3" | "4" | "5";

/**
 * Each region's EIA `duoarea` code and name. The codes are those of EIA's weekly retail diesel
 * series EMD_EPD2D_PTE_<duoarea>_DPG ("New England (PADD 1A) No 2 Diesel Retail Prices").
 */
export const DIESEL_REGIONS: Readonly<Record<DieselRegion, { duoarea: string; name: string }>> = {
  US: { duoarea: "NUS", name: "U.S. average" },
  "1A": { duoarea: "R1X", name: "New England (PADD 1A)" },
  "1B": { duoarea: "R1Y", name: "Central Atlantic (PADD 1B)" },
  "1C": { duoarea: "R1Z", name: "Lower Atlantic (PADD 1C)" },
  "2": { duoarea: "R20", name: "Midwest (PADD 2)" },
  "3": { duoarea: "R30", name: "Gulf Coast (PADD 3)" },
  "4": { duoarea: "R40", name: "Rocky Mountain (PADD 4)" },
  "5": { duoarea: "R50", name: "West Coast (PADD 5)" },
};

/** Every region, U.S. average first and then east to west (listed, since Object.keys puts "2"…"5" first). */
export const ALL_DIESEL_REGIONS: readonly DieselRegion[] = ["US", "1A", "1B", "1C", "2", "3", "4", "5"];

/** Where EIA's API lives. */
export const EIA_BASE_URL = "https://api.eia.gov";

/** EIA's product code for No 2 diesel fuel in the gnd route. */
const DIESEL_PRODUCT = "EPD2D";
/** Weeks asked for per region: the newest week may be missing for a region, so keep a few behind it. */
const WEEKS_PER_REGION = 4;
/** A retail diesel price outside this band (dollars per gallon) is a data error, not a market. */
const PLAUSIBLE_DOLLARS_PER_GALLON = { min: 0.5, max: 20 } as const;

/** One region's newest weekly price. */
export interface DieselPrice {
  region: DieselRegion;
  /** Cents per US gallon to a tenth of a cent, as EIA publishes it (375.9 for $3.759). */
  centsPerGallon: number;
  /** The Monday of the survey week, "YYYY-MM-DD". */
  period: string;
}

/** Prices that could be read, and what could not, in plain words. */
export interface DieselPrices {
  prices: DieselPrice[];
  problems: string[];
}

/** A request to EIA that failed as a whole: no answer, an error answer, or an answer we cannot read. */
export class EiaError extends Error {
  /** HTTP status of EIA's answer, or null when there was none (timeout, network). */
  readonly status: number | null;
  /** EIA's error code ("API_KEY_INVALID"), when its answer had one. */
  readonly code: string | null;

  constructor(message: string, status: number | null = null, code: string | null = null) {
    super(message);
    this.name = "EiaError";
    this.status = status;
    this.code = code;
  }
}

/** Options for `fetchDieselPrices`. */
export interface FetchDieselPricesOptions {
  /** EIA API key (free at https://www.eia.gov/opendata/register.php). */
  apiKey: string;
  /** Base URL of the API (default `EIA_BASE_URL`); tests point it at a local fake. */
  baseUrl?: string;
  /** Regions to fetch (default all). */
  regions?: readonly DieselRegion[];
  /** Give up after this long, including reading the answer (default 15 000 ms). */
  timeoutMs?: number;
  /** Cancels the request, e.g. when the scheduler stops the job. */
  signal?: AbortSignal;
}

/** Text with the API key and any `api_key=` query value removed. */
function redact(text: string, apiKey: string): string {
  const withoutParam = text.replace(/(api_key=)[^&\s"']*/gi, "$1REDACTED");
  return apiKey ? withoutParam.split(apiKey).join("REDACTED") : withoutParam;
}

/** The first `max` characters of a text, on one line, for an error message. */
function snippet(text: string, max = 200): string {
  const oneLine = text.replace(/\s+/g, " ").trim();
  return oneLine.length > max ? `${oneLine.slice(0, max)}…` : oneLine;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The error an EIA answer carries, in either of its two shapes, or null when it carries none:
 * `{ error: { code, message } }` (key problems) or `{ error: "text", code: 400 }` (parameters).
 */
function errorInAnswer(body: unknown, status: number): EiaError | null {
  if (!isRecord(body) || body.error === undefined) return null;
  if (isRecord(body.error)) {
    const code = typeof body.error.code === "string" ? body.error.code : null;
    const message = typeof body.error.message === "string" ? body.error.message : JSON.stringify(body.error);
    return new EiaError(`EIA refused the request (HTTP ${status}${code ? ` ${code}` : ""}): ${snippet(message)}`, status, code);
  }
  const code = typeof body.code === "number" || typeof body.code === "string" ? String(body.code) : null;
  return new EiaError(`EIA rejected the request (HTTP ${status}${code && code !== String(status) ? `, code ${code}` : ""}): ${snippet(String(body.error))}`, status, code);
}

/** Throws a RangeError naming any region id that is not one of ours. */
function checkRegions(fn: string, regions: readonly string[]): void {
  const unknown = regions.filter((region) => !Object.hasOwn(DIESEL_REGIONS, region));
  if (unknown.length > 0) throw new RangeError(`${fn}: unknown region ${unknown.map((r) => JSON.stringify(r)).join(", ")}; known: ${ALL_DIESEL_REGIONS.join(", ")}`);
}

/** Dollars per gallon as EIA sends them ("3.759" or 3.759) in tenths of a cent, or null for no number. */
function tenthCentsFromDollars(value: unknown): number | null {
  const text = typeof value === "number" ? String(value) : typeof value === "string" ? value.trim() : "";
  if (!/^\d+(?:\.\d+)?$/.test(text)) return null;
  // Math.round absorbs binary noise (3.759 × 1000 = 3758.9999999999995): EIA gives three decimals.
  return Math.round(Number(text) * 1000) / 10;
}

/**
 * The newest valid weekly price per region from a parsed EIA answer. Rows for regions not asked
 * for are ignored; a row whose value is null, "NA" or not a number, whose units are not $/GAL, or
 * whose price is implausible is skipped, and said in `problems` when it is newer than the price
 * used. Throws `EiaError` when the answer is an EIA error or has no `response.data` list.
 */
export function readDieselPrices(body: unknown, regions: readonly DieselRegion[] = ALL_DIESEL_REGIONS): DieselPrices {
  checkRegions("readDieselPrices", regions);
  const answerError = errorInAnswer(body, 200);
  if (answerError) throw answerError;
  const data = isRecord(body) && isRecord(body.response) ? body.response.data : undefined;
  if (!Array.isArray(data)) throw new EiaError("EIA's answer has no response.data list: it is not a data answer of API v2", 200);

  const regionByDuoarea = new Map(regions.map((region) => [DIESEL_REGIONS[region].duoarea, region]));
  const newest = new Map<DieselRegion, DieselPrice>();
  const unusable = new Map<DieselRegion, { period: string; why: string }[]>();
  const problems: string[] = [];

  data.forEach((row, index) => {
    if (!isRecord(row)) {
      problems.push(`row ${index + 1} of EIA's answer is not an object: skipped`);
      return;
    }
    const region = typeof row.duoarea === "string" ? regionByDuoarea.get(row.duoarea) : undefined;
    if (!region) return;
    const name = DIESEL_REGIONS[region].name;
    const period = typeof row.period === "string" && /^\d{4}-\d{2}-\d{2}$/.test(row.period) ? row.period : null;
    if (!period) {
      problems.push(`${name}: a row has period ${JSON.stringify(row.period)}, not a date: skipped`);
      return;
    }
    const skip = (why: string): void => {
      unusable.set(region, [...(unusable.get(region) ?? []), { period, why }]);
    };
    if (row.product !== undefined && row.product !== DIESEL_PRODUCT) return skip(`product ${JSON.stringify(row.product)} is not ${DIESEL_PRODUCT} (No 2 diesel)`);
    if (row.units !== undefined && String(row.units).toUpperCase() !== "$/GAL") return skip(`units ${JSON.stringify(row.units)} are not $/GAL`);
    const centsPerGallon = tenthCentsFromDollars(row.value);
    if (centsPerGallon === null) return skip(`value ${JSON.stringify(row.value ?? null)} is not a price`);
    if (centsPerGallon < PLAUSIBLE_DOLLARS_PER_GALLON.min * 100 || centsPerGallon > PLAUSIBLE_DOLLARS_PER_GALLON.max * 100) {
      return skip(`$${(centsPerGallon / 100).toFixed(3)}/gal is not a plausible diesel price`);
    }
    const known = newest.get(region);
    if (!known || period > known.period) newest.set(region, { region, centsPerGallon, period });
  });

  const prices: DieselPrice[] = [];
  for (const region of regions) {
    const name = DIESEL_REGIONS[region].name;
    const price = newest.get(region);
    // Skipped rows older than the price used change nothing, so they are not worth a line.
    const newerSkips = (unusable.get(region) ?? []).filter((skipped) => !price || skipped.period > price.period);
    for (const skipped of newerSkips) {
      problems.push(`${name}: no price for the week of ${skipped.period} (${skipped.why})${price ? `; using the week of ${price.period}` : ""}`);
    }
    if (price) prices.push(price);
    else if (newerSkips.length === 0) problems.push(`${name}: no rows in EIA's answer`);
  }
  return { prices, problems };
}

/**
 * Fetches the newest weekly retail diesel price for each region from EIA. Rows EIA could not
 * price are reported in `problems`; a request that fails as a whole (no answer within
 * `timeoutMs`, HTTP error, EIA error body, an answer that is not JSON) throws `EiaError`, whose
 * message never contains the API key.
 */
export async function fetchDieselPrices(options: FetchDieselPricesOptions): Promise<DieselPrices> {
  const { apiKey, baseUrl = EIA_BASE_URL, regions = ALL_DIESEL_REGIONS, timeoutMs = 15_000, signal } = options;
  if (typeof apiKey !== "string" || apiKey.trim() === "") throw new EiaError("EIA API key is missing: register for one at https://www.eia.gov/opendata/register.php");
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new RangeError(`fetchDieselPrices: timeoutMs must be a number greater than 0, got ${timeoutMs}`);
  checkRegions("fetchDieselPrices", regions);
  if (regions.length === 0) return { prices: [], problems: [] };

  const query = new URLSearchParams({ api_key: apiKey, frequency: "weekly", "data[]": "value", "facets[product][]": DIESEL_PRODUCT });
  for (const region of regions) query.append("facets[duoarea][]", DIESEL_REGIONS[region].duoarea);
  query.set("sort[0][column]", "period");
  query.set("sort[0][direction]", "desc");
  query.set("length", String(regions.length * WEEKS_PER_REGION));
  const url = `${baseUrl.replace(/\/+$/, "")}/v2/petroleum/pri/gnd/data/?${query}`;

  const timeout = AbortSignal.timeout(timeoutMs);
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
  let status: number;
  let text: string;
  try {
    const response = await fetch(url, { signal: combined, headers: { accept: "application/json" } });
    status = response.status;
    text = await response.text(); // under the same signal: a stalled body times out too
  } catch (error) {
    if (signal?.aborted) throw new EiaError("EIA request was cancelled");
    if (timeout.aborted) throw new EiaError(`EIA did not answer within ${timeoutMs} ms`);
    const message = error instanceof Error ? error.message : String(error);
    throw new EiaError(`could not reach EIA at ${redact(baseUrl, apiKey)}: ${redact(message, apiKey)}`);
  }

  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    const what = status >= 200 && status < 300 ? "EIA answered with something that is not JSON" : `EIA answered HTTP ${status}`;
    throw new EiaError(redact(`${what}: ${JSON.stringify(snippet(text))}`, apiKey), status);
  }
  const answerError = errorInAnswer(body, status);
  if (answerError) throw new EiaError(redact(answerError.message, apiKey), status, answerError.code);
  if (status < 200 || status >= 300) throw new EiaError(redact(`EIA answered HTTP ${status}: ${JSON.stringify(snippet(text))}`, apiKey), status);
  return readDieselPrices(body, regions);
}
