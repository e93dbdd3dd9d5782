/**
 * EIA diesel-price client against a local fake of api.eia.gov (Bun.serve on 127.0.0.1, a free
 * port) that answers the way EIA's API v2 documentation shows: values as strings (since v2.1.6)
 * or numbers, null and "NA" weeks, the key error `{ error: { code, message } }` with HTTP 403, the
 * parameter error `{ error, code }`, plus garbage and answers too slow to wait for. Every error
 * message is checked for the API key, which must never appear.
 */
import { afterAll, beforeEach, describe, expect, test } from "bun:test";
import { ALL_DIESEL_REGIONS, DIESEL_REGIONS, EiaError, fetchDieselPrices, readDieselPrices, type DieselRegion } from "../../src/fuel/eia";

const KEY = "k3y-Secret-0123456789abcdef";

// Region names as EIA's "area-name" column has them.
const AREA_NAMES: Record<string, string> = { NUS: "U.S.", R1X: "PADD 1A", R1Y: "PADD 1B", R1Z: "PADD 1C", R20: "PADD 2", R30: "PADD 3", R40: "PADD 4", R50: "PADD 5" };

/** One data row as EIA's gnd route returns it. */
function row(duoarea: string, period: string, value: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    period,
    duoarea,
    "area-name": AREA_NAMES[duoarea] ?? duoarea,
    product: "EPD2D",
    "product-name": "No 2 Diesel",
    process: "PTE",
    "process-name": "Retail Sales",
    series: `EMD_EPD2D_PTE_${duoarea}_DPG`,
    "series-description": `${AREA_NAMES[duoarea] ?? duoarea} No 2 Diesel Retail Prices (Dollars per Gallon)`,
    value,
    units: "$/GAL",
    ...extra,
  };
}

/** A data answer wrapping rows. */
function answer(rows: unknown[]): unknown {
  return { response: { total: String(rows.length), dateFormat: "YYYY-MM-DD", frequency: "weekly", data: rows, description: "Gasoline and Diesel Fuel Update" }, apiVersion: "2.1.8" };
}

// Two weeks for every region, newest first, values as strings.
const WEEK = "2024-05-13";
const PREVIOUS = "2024-05-06";
const NEWEST: Record<string, string> = { NUS: "3.759", R1X: "4.091", R1Y: "3.970", R1Z: "3.711", R20: "3.684", R30: "3.487", R40: "3.849", R50: "4.522" };
const OLDER: Record<string, string> = { NUS: "3.811", R1X: "4.130", R1Y: "4.015", R1Z: "3.763", R20: "3.740", R30: "3.535", R40: "3.889", R50: "4.580" };
const fullRows = () => [...Object.entries(NEWEST).map(([area, v]) => row(area, WEEK, v)), ...Object.entries(OLDER).map(([area, v]) => row(area, PREVIOUS, v))];

type Handler = (request: Request) => Response | Promise<Response>;
let handler: Handler = () => Response.json(answer(fullRows()));
const requests: URL[] = [];
const server = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  fetch(request) {
    requests.push(new URL(request.url));
    return handler(request);
  },
});
const baseUrl = `http://127.0.0.1:${server.port}`;

beforeEach(() => {
  requests.length = 0;
  handler = () => Response.json(answer(fullRows()));
});
afterAll(() => server.stop(true));

/** The EiaError a call rejects with (fails the test if it resolves or throws something else). */
async function eiaError(call: Promise<unknown>): Promise<EiaError> {
  const error = await call.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EiaError);
  expect((error as EiaError).message).not.toContain(KEY);
  return error as EiaError;
}

describe("region codes", () => {
  test("each of our regions maps to EIA's duoarea (series EMD_EPD2D_PTE_<duoarea>_DPG)", () => {
    expect(Object.fromEntries(ALL_DIESEL_REGIONS.map((r) => [r, DIESEL_REGIONS[r].duoarea]))).toEqual({
      US: "NUS",
      "1A": "R1X",
      "1B": "R1Y",
      "1C": "R1Z",
      "2": "R20",
      "3": "R30",
      "4": "R40",
      "5": "R50",
    });
  });
});

describe("a good answer", () => {
  test("asks EIA for weekly EPD2D values of every region, newest first, with the key in the query", async () => {
    await fetchDieselPrices({ apiKey: KEY, baseUrl });
    expect(requests).toHaveLength(1);
    const url = requests[0]!;
    expect(url.pathname).toBe("/v2/petroleum/pri/gnd/data/");
    expect(url.searchParams.get("api_key")).toBe(KEY);
    expect(url.searchParams.get("frequency")).toBe("weekly");
    expect(url.searchParams.getAll("data[]")).toEqual(["value"]);
    expect(url.searchParams.getAll("facets[product][]")).toEqual(["EPD2D"]);
    expect(url.searchParams.getAll("facets[duoarea][]")).toEqual(["NUS", "R1X", "R1Y", "R1Z", "R20", "R30", "R40", "R50"]);
    expect(url.searchParams.get("sort[0][column]")).toBe("period");
    expect(url.searchParams.get("sort[0][direction]")).toBe("desc");
    // Four weeks for each of the 8 regions.
    expect(url.searchParams.get("length")).toBe("32");
  });

  test("string values: the newest week per region, in tenths of a cent", async () => {
    const result = await fetchDieselPrices({ apiKey: KEY, baseUrl });
    expect(result.problems).toEqual([]);
    expect(result.prices).toEqual([
      { region: "US", centsPerGallon: 375.9, period: WEEK },
      { region: "1A", centsPerGallon: 409.1, period: WEEK },
      { region: "1B", centsPerGallon: 397, period: WEEK },
      { region: "1C", centsPerGallon: 371.1, period: WEEK },
      { region: "2", centsPerGallon: 368.4, period: WEEK },
      { region: "3", centsPerGallon: 348.7, period: WEEK },
      { region: "4", centsPerGallon: 384.9, period: WEEK },
      { region: "5", centsPerGallon: 452.2, period: WEEK },
    ]);
  });

  test("number values (older answers and proxies) read the same; rows may come in any order", async () => {
    handler = () => Response.json(answer([row("R30", PREVIOUS, 3.535), row("NUS", WEEK, 3.759), row("R30", WEEK, 3.487), row("NUS", PREVIOUS, 3.811)]));
    const result = await fetchDieselPrices({ apiKey: KEY, baseUrl, regions: ["US", "3"] });
    expect(result).toEqual({
      prices: [
        { region: "US", centsPerGallon: 375.9, period: WEEK },
        { region: "3", centsPerGallon: 348.7, period: WEEK },
      ],
      problems: [],
    });
    expect(requests[0]!.searchParams.getAll("facets[duoarea][]")).toEqual(["NUS", "R30"]);
    expect(requests[0]!.searchParams.get("length")).toBe("8");
  });

  test("a base URL with a trailing slash", async () => {
    await fetchDieselPrices({ apiKey: KEY, baseUrl: `${baseUrl}/`, regions: ["2"] });
    expect(requests[0]!.pathname).toBe("/v2/petroleum/pri/gnd/data/");
  });

  test("no regions asked for: no request", async () => {
    expect(await fetchDieselPrices({ apiKey: KEY, baseUrl, regions: [] })).toEqual({ prices: [], problems: [] });
    expect(requests).toHaveLength(0);
  });
});

describe("weeks and rows that cannot be used", () => {
  test("a null or NA newest week falls back to the week before, and says so", async () => {
    handler = () => Response.json(answer([row("R1X", WEEK, null), row("R20", WEEK, "NA"), row("R1X", PREVIOUS, "4.130"), row("R20", PREVIOUS, "3.740")]));
    const result = await fetchDieselPrices({ apiKey: KEY, baseUrl, regions: ["1A", "2"] });
    expect(result.prices).toEqual([
      { region: "1A", centsPerGallon: 413, period: PREVIOUS },
      { region: "2", centsPerGallon: 374, period: PREVIOUS },
    ]);
    expect(result.problems).toEqual([
      "New England (PADD 1A): no price for the week of 2024-05-13 (value null is not a price); using the week of 2024-05-06",
      'Midwest (PADD 2): no price for the week of 2024-05-13 (value "NA" is not a price); using the week of 2024-05-06',
    ]);
  });

  test("a region with no usable week has no price and a problem for each week; a missing region says so", async () => {
    handler = () => Response.json(answer([row("NUS", WEEK, "3.759"), row("R50", WEEK, "NA"), row("R50", PREVIOUS, "")]));
    const result = await fetchDieselPrices({ apiKey: KEY, baseUrl, regions: ["US", "5", "4"] });
    expect(result.prices).toEqual([{ region: "US", centsPerGallon: 375.9, period: WEEK }]);
    expect(result.problems).toEqual([
      'West Coast (PADD 5): no price for the week of 2024-05-13 (value "NA" is not a price)',
      'West Coast (PADD 5): no price for the week of 2024-05-06 (value "" is not a price)',
      "Rocky Mountain (PADD 4): no rows in EIA's answer",
    ]);
  });

  test("an unusable row older than the price used is not worth a problem", async () => {
    handler = () => Response.json(answer([row("R40", WEEK, "3.849"), row("R40", PREVIOUS, "NA")]));
    const result = await fetchDieselPrices({ apiKey: KEY, baseUrl, regions: ["4"] });
    expect(result).toEqual({ prices: [{ region: "4", centsPerGallon: 384.9, period: WEEK }], problems: [] });
  });

  test("wrong units, wrong product, implausible prices, bad periods and non-objects are skipped with a reason", async () => {
    handler = () =>
      Response.json(
        answer([
          row("R1Y", "2024-05-20", "3.99", { units: "$/BBL" }),
          row("R1Y", WEEK, "3.95", { product: "EPM0" }),
          row("R1Y", PREVIOUS, "4.015"),
          row("R1Z", WEEK, "37.11"),
          row("R1Z", PREVIOUS, "-3.7"),
          row("R1Z", "2024-04-29", "3.801"),
          row("R30", "last week", "3.5"),
          "garbage",
          row("R30", PREVIOUS, "3.535"),
          // A region not asked for is ignored without a word.
          row("SCA", WEEK, "5.5"),
        ]),
      );
    const result = await fetchDieselPrices({ apiKey: KEY, baseUrl, regions: ["1B", "1C", "3"] });
    expect(result.prices).toEqual([
      { region: "1B", centsPerGallon: 401.5, period: PREVIOUS },
      { region: "1C", centsPerGallon: 380.1, period: "2024-04-29" },
      { region: "3", centsPerGallon: 353.5, period: PREVIOUS },
    ]);
    expect(result.problems).toEqual([
      'Gulf Coast (PADD 3): a row has period "last week", not a date: skipped',
      "row 8 of EIA's answer is not an object: skipped",
      'Central Atlantic (PADD 1B): no price for the week of 2024-05-20 (units "$/BBL" are not $/GAL); using the week of 2024-05-06',
      'Central Atlantic (PADD 1B): no price for the week of 2024-05-13 (product "EPM0" is not EPD2D (No 2 diesel)); using the week of 2024-05-06',
      "Lower Atlantic (PADD 1C): no price for the week of 2024-05-13 ($37.110/gal is not a plausible diesel price); using the week of 2024-04-29",
      'Lower Atlantic (PADD 1C): no price for the week of 2024-05-06 (value "-3.7" is not a price); using the week of 2024-04-29',
    ]);
  });

  test("readDieselPrices reads a stored answer without a request", () => {
    expect(readDieselPrices(answer([row("R20", WEEK, "3.684")]), ["2"])).toEqual({ prices: [{ region: "2", centsPerGallon: 368.4, period: WEEK }], problems: [] });
  });
});

describe("requests that fail as a whole", () => {
  test("HTTP 403 with EIA's key error: status and code kept, key redacted even when EIA echoes it", async () => {
    handler = () => Response.json({ error: { code: "API_KEY_INVALID", message: `The API key ${KEY} is not valid.` } }, { status: 403 });
    const error = await eiaError(fetchDieselPrices({ apiKey: KEY, baseUrl }));
    expect(error.status).toBe(403);
    expect(error.code).toBe("API_KEY_INVALID");
    expect(error.message).toBe("EIA refused the request (HTTP 403 API_KEY_INVALID): The API key REDACTED is not valid.");
  });

  test("HTTP 403 for a missing key, in EIA's words", async () => {
    handler = () => Response.json({ error: { code: "API_KEY_MISSING", message: "No api_key was supplied.  Please register for one at https://www.eia.gov/opendata/register.php" } }, { status: 403 });
    const error = await eiaError(fetchDieselPrices({ apiKey: KEY, baseUrl }));
    expect(error.message).toBe("EIA refused the request (HTTP 403 API_KEY_MISSING): No api_key was supplied. Please register for one at https://www.eia.gov/opendata/register.php");
  });

  test("HTTP 400 with EIA's parameter error", async () => {
    handler = () => Response.json({ error: "Invalid frequency 'weakly' provided. The only valid frequencies are 'weekly', 'monthly', and 'annual'.", code: 400 }, { status: 400 });
    const error = await eiaError(fetchDieselPrices({ apiKey: KEY, baseUrl }));
    expect(error.status).toBe(400);
    expect(error.code).toBe("400");
    expect(error.message).toBe("EIA rejected the request (HTTP 400): Invalid frequency 'weakly' provided. The only valid frequencies are 'weekly', 'monthly', and 'annual'.");
  });

  test("an error body with HTTP 200 is still an error", async () => {
    handler = () => Response.json({ error: "Not found.", code: 404 });
    const error = await eiaError(fetchDieselPrices({ apiKey: KEY, baseUrl }));
    expect(error.message).toBe("EIA rejected the request (HTTP 200, code 404): Not found.");
  });

  test("an HTML error page from a proxy, with the request URL in it", async () => {
    handler = (request) => new Response(`<html><body><h1>502 Bad Gateway</h1><p>${request.url}</p></body></html>`, { status: 502 });
    const error = await eiaError(fetchDieselPrices({ apiKey: KEY, baseUrl }));
    expect(error.status).toBe(502);
    expect(error.message).toStartWith('EIA answered HTTP 502: "<html><body><h1>502 Bad Gateway</h1>');
    expect(error.message).toContain("api_key=REDACTED");
  });

  test("garbage with HTTP 200", async () => {
    handler = () => new Response("\u0000\u0001 not json at all");
    const error = await eiaError(fetchDieselPrices({ apiKey: KEY, baseUrl }));
    expect(error.message).toStartWith("EIA answered with something that is not JSON:");
  });

  test("JSON that is not a data answer", async () => {
    handler = () => Response.json({ response: { id: "gnd", name: "Gasoline and Diesel Fuel Update", routes: [] } });
    const error = await eiaError(fetchDieselPrices({ apiKey: KEY, baseUrl }));
    expect(error.message).toBe("EIA's answer has no response.data list: it is not a data answer of API v2");
  });

  test("an answer slower than the timeout", async () => {
    handler = async () => {
      await Bun.sleep(1500);
      return Response.json(answer(fullRows()));
    };
    const started = performance.now();
    const error = await eiaError(fetchDieselPrices({ apiKey: KEY, baseUrl, timeoutMs: 100 }));
    expect(error.message).toBe("EIA did not answer within 100 ms");
    expect(error.status).toBeNull();
    expect(performance.now() - started).toBeLessThan(1000);
  });

  test("headers in time but a body that stalls also times out", async () => {
    handler = () =>
      new Response(
        new ReadableStream({
          async start(controller) {
            controller.enqueue(new TextEncoder().encode('{"response":{"data":['));
            await Bun.sleep(1500);
            controller.close();
          },
        }),
        { headers: { "content-type": "application/json" } },
      );
    const error = await eiaError(fetchDieselPrices({ apiKey: KEY, baseUrl, timeoutMs: 150 }));
    expect(error.message).toBe("EIA did not answer within 150 ms");
  });

  test("cancelled by the caller", async () => {
    handler = async () => {
      await Bun.sleep(1500);
      return Response.json(answer(fullRows()));
    };
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const error = await eiaError(fetchDieselPrices({ apiKey: KEY, baseUrl, signal: controller.signal }));
    expect(error.message).toBe("EIA request was cancelled");
  });

  test("nothing listening: the message names the server, not the key", async () => {
    const closed = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("") });
    const closedUrl = `http://127.0.0.1:${closed.port}`;
    closed.stop(true);
    const error = await eiaError(fetchDieselPrices({ apiKey: KEY, baseUrl: closedUrl }));
    expect(error.message).toStartWith(`could not reach EIA at ${closedUrl}: `);
    expect(error.status).toBeNull();
  });
});

describe("bad arguments", () => {
  test("no API key: refused before any request", async () => {
    const error = await eiaError(fetchDieselPrices({ apiKey: " ", baseUrl }));
    expect(error.message).toBe("EIA API key is missing: register for one at https://www.eia.gov/opendata/register.php");
    expect(requests).toHaveLength(0);
  });

  test("an unknown region is named", async () => {
    const call = fetchDieselPrices({ apiKey: KEY, baseUrl, regions: ["6" as DieselRegion, "toString" as DieselRegion] });
    await expect(call).rejects.toThrow('fetchDieselPrices: unknown region "6", "toString"; known: US, 1A, 1B, 1C, 2, 3, 4, 5');
  });

  test("a timeout that is not a positive number", async () => {
    await expect(fetchDieselPrices({ apiKey: KEY, baseUrl, timeoutMs: 0 })).rejects.toThrow("fetchDieselPrices: timeoutMs must be a number greater than 0, got 0");
  });
});
