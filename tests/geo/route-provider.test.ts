/**
 * Router clients against local fake servers (Bun.serve on 127.0.0.1, a free port) that answer the
 * way OSRM and Valhalla do — the shapes in their API references (OSRM docs/http.md, Valhalla
 * docs/docs/api/turn-by-turn/api-reference.md) — and the ways a router fails: HTTP errors, no
 * route, garbage, silence past the timeout, nobody listening. Then the fallback to the estimate.
 */
import { afterAll, beforeEach, describe, expect, test } from "bun:test";
import { estimateRoadKm } from "../../src/domain/road-distance";
import { createRouteProvider, roadDistanceKm, RouteError, type RouteProvider } from "../../src/geo/route-provider";

const CHICAGO = { lat: 41.8781, lon: -87.6298 };
const DALLAS = { lat: 32.7767, lon: -96.797 };

/** What the fake server saw of the last request. */
interface Seen {
  method: string;
  path: string;
  query: string;
  body: string;
}

let answer: (request: Request) => Response | Promise<Response> = () => new Response("no handler", { status: 500 });
let seen: Seen | null = null;
/** Releases requests a test left hanging (the timeout test), so the server can stop. */
let releaseHanging: () => void = () => {};

const server = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  async fetch(request) {
    const url = new URL(request.url);
    seen = { method: request.method, path: url.pathname, query: url.search, body: await request.text() };
    return answer(request);
  },
});
const baseUrl = `http://127.0.0.1:${server.port}`;

beforeEach(() => {
  seen = null;
});

afterAll(() => {
  releaseHanging();
  server.stop(true);
});

const json = (body: unknown, status = 200) => Response.json(body, { status });

/** The RouteError a call rejects with. */
async function routeError(call: Promise<unknown>): Promise<RouteError> {
  try {
    await call;
  } catch (error) {
    if (error instanceof RouteError) return error;
    throw error;
  }
  throw new Error("expected a RouteError, the call succeeded");
}

describe("OSRM", () => {
  const osrm = () => createRouteProvider({ kind: "osrm", url: baseUrl });

  test("asks GET /route/v1/driving/{lon},{lat};{lon},{lat}?overview=false and reads routes[0].distance in metres", async () => {
    answer = () => json({ code: "Ok", routes: [{ distance: 1_553_742.6, duration: 52_110.4, weight: 52_110.4, legs: [] }], waypoints: [] });
    expect(await osrm().roadKm(CHICAGO, DALLAS)).toBeCloseTo(1553.7426, 9);
    expect(seen).toEqual({ method: "GET", path: "/route/v1/driving/-87.6298,41.8781;-96.797,32.7767", query: "?overview=false", body: "" });
  });

  test("a trailing slash on the URL and another profile", async () => {
    answer = () => json({ code: "Ok", routes: [{ distance: 1000 }] });
    const provider = createRouteProvider({ kind: "osrm", url: `${baseUrl}//`, osrmProfile: "truck" });
    expect(provider.url).toBe(baseUrl);
    expect(await provider.roadKm(CHICAGO, DALLAS)).toBe(1);
    expect(seen?.path).toBe("/route/v1/truck/-87.6298,41.8781;-96.797,32.7767");
  });

  test("a password in the URL is sent but never shown in a message", async () => {
    answer = () => new Response("nope", { status: 401 });
    const provider = createRouteProvider({ kind: "osrm", url: `http://fleet:s3cret@127.0.0.1:${server.port}/osrm/` });
    const error = await routeError(provider.roadKm(CHICAGO, DALLAS));
    expect(error.message).toBe(`OSRM at ${baseUrl}/osrm: HTTP 401: nope`);
    expect(seen?.path).toBe("/osrm/route/v1/driving/-87.6298,41.8781;-96.797,32.7767");
  });

  test("NoRoute (HTTP 400) is no-route", async () => {
    answer = () => json({ code: "NoRoute", message: "Impossible route between points" }, 400);
    const error = await routeError(osrm().roadKm(CHICAGO, DALLAS));
    expect(error.kind).toBe("no-route");
    expect(error.message).toBe(`OSRM at ${baseUrl}: no route (NoRoute: Impossible route between points)`);
  });

  test("NoSegment (a point far from any road) is no-route", async () => {
    answer = () => json({ code: "NoSegment", message: "Could not find a matching segment for any coordinate." }, 400);
    const error = await routeError(osrm().roadKm({ lat: 30, lon: -40 }, DALLAS));
    expect(error.kind).toBe("no-route");
    expect(error.message).toBe(`OSRM at ${baseUrl}: no route (NoSegment: Could not find a matching segment for any coordinate.)`);
  });

  test("Ok with an empty routes list is no-route", async () => {
    answer = () => json({ code: "Ok", routes: [] });
    expect((await routeError(osrm().roadKm(CHICAGO, DALLAS))).message).toBe(`OSRM at ${baseUrl}: no route (the answer lists none)`);
  });

  test("HTTP 500 names the status and the body", async () => {
    answer = () => new Response("upstream exploded", { status: 500 });
    const error = await routeError(osrm().roadKm(CHICAGO, DALLAS));
    expect(error.kind).toBe("http");
    expect(error.message).toBe(`OSRM at ${baseUrl}: HTTP 500: upstream exploded`);
  });

  test("another OSRM error code (HTTP 400 InvalidQuery) is an http error with the message", async () => {
    answer = () => json({ code: "InvalidQuery", message: "Query string malformed close to position 7" }, 400);
    expect((await routeError(osrm().roadKm(CHICAGO, DALLAS))).message).toBe(`OSRM at ${baseUrl}: HTTP 400 InvalidQuery: Query string malformed close to position 7`);
  });

  test.each([
    ["HTML instead of JSON", () => new Response("<html><body>It works!</body></html>"), "answer is not JSON: <html><body>It works!</body></html>"],
    ["JSON without a code", () => json({ routes: [{ distance: 5 }] }), 'answer code is missing, not "Ok"'],
    ["a distance that is text", () => json({ code: "Ok", routes: [{ distance: "far" }] }), 'routes[0].distance is not a distance in metres: "far"'],
    ["a negative distance", () => json({ code: "Ok", routes: [{ distance: -3 }] }), "routes[0].distance is not a distance in metres: -3"],
    ["a route with no distance", () => json({ code: "Ok", routes: [{}] }), "routes[0].distance is not a distance in metres: undefined"],
    ["a JSON array", () => json([1, 2]), 'answer code is missing, not "Ok"'],
  ])("garbage: %s", async (_name, respond, message) => {
    answer = respond;
    const error = await routeError(osrm().roadKm(CHICAGO, DALLAS));
    expect(error.kind).toBe("bad-response");
    expect(error.message).toBe(`OSRM at ${baseUrl}: ${message}`);
  });
});

describe("Valhalla", () => {
  const valhalla = () => createRouteProvider({ kind: "valhalla", url: baseUrl });

  test("POSTs /route with two locations, truck costing and miles, and reads trip.summary.length", async () => {
    answer = () =>
      json({
        trip: {
          status: 0,
          status_message: "Found route between points",
          units: "miles",
          language: "en-US",
          locations: [],
          legs: [],
          summary: { time: 51_840.2, length: 965.301, has_toll: true, has_highway: true, has_ferry: false },
        },
      });
    expect(await valhalla().roadKm(CHICAGO, DALLAS)).toBeCloseTo(965.301 * 1.609344, 9);
    expect(seen?.method).toBe("POST");
    expect(seen?.path).toBe("/route");
    expect(JSON.parse(seen!.body)).toEqual({
      locations: [
        { lat: 41.8781, lon: -87.6298 },
        { lat: 32.7767, lon: -96.797 },
      ],
      costing: "truck",
      units: "miles",
      directions_type: "none",
    });
  });

  test("another costing model when asked", async () => {
    answer = () => json({ trip: { summary: { length: 10 } } });
    await createRouteProvider({ kind: "valhalla", url: baseUrl, valhallaCosting: "auto" }).roadKm(CHICAGO, DALLAS);
    expect(JSON.parse(seen!.body).costing).toBe("auto");
  });

  test.each([
    [442, "No path could be found for input"],
    [171, "No suitable edges near location"],
    [170, "Locations are in unconnected regions. Go check/edit the map at osm.org"],
    [441, "Location is unreachable"],
  ])("error %p is no-route", async (code, text) => {
    answer = () => json({ error_code: code, error: text, status_code: 400, status: "Bad Request" }, 400);
    const error = await routeError(valhalla().roadKm(CHICAGO, DALLAS));
    expect(error.kind).toBe("no-route");
    expect(error.message).toBe(`Valhalla at ${baseUrl}: no route (${code}: ${text})`);
  });

  test("another Valhalla error (154, past the server's distance limit) is an http error with its text", async () => {
    answer = () => json({ error_code: 154, error: "Path distance exceeds the max distance limit", status_code: 400, status: "Bad Request" }, 400);
    const error = await routeError(valhalla().roadKm(CHICAGO, DALLAS));
    expect(error.kind).toBe("http");
    expect(error.message).toBe(`Valhalla at ${baseUrl}: HTTP 400 error 154: Path distance exceeds the max distance limit`);
  });

  test("HTTP 500 with no body", async () => {
    answer = () => new Response(null, { status: 500 });
    expect((await routeError(valhalla().roadKm(CHICAGO, DALLAS))).message).toBe(`Valhalla at ${baseUrl}: HTTP 500`);
  });

  test("HTTP 404 (not a Valhalla at this path)", async () => {
    answer = () => new Response("Cannot POST /route", { status: 404 });
    expect((await routeError(valhalla().roadKm(CHICAGO, DALLAS))).message).toBe(`Valhalla at ${baseUrl}: HTTP 404: Cannot POST /route`);
  });

  test.each([
    ["a trip without a summary", () => json({ trip: {} }), "trip.summary.length is not a distance in miles: undefined"],
    ["a length that is null", () => json({ trip: { summary: { length: null } } }), "trip.summary.length is not a distance in miles: null"],
    ["not JSON", () => new Response("OK"), "answer is not JSON: OK"],
  ])("garbage: %s", async (_name, respond, message) => {
    answer = respond;
    const error = await routeError(valhalla().roadKm(CHICAGO, DALLAS));
    expect(error.kind).toBe("bad-response");
    expect(error.message).toBe(`Valhalla at ${baseUrl}: ${message}`);
  });

  test("a long garbage body is cut in the message", async () => {
    answer = () => new Response("x".repeat(5000), { status: 502 });
    expect((await routeError(valhalla().roadKm(CHICAGO, DALLAS))).message).toBe(`Valhalla at ${baseUrl}: HTTP 502: ${"x".repeat(120)}…`);
  });
});

describe("timeouts and unreachable routers", () => {
  test("a router that does not answer in time is a timeout, after about the time allowed", async () => {
    answer = () =>
      new Promise<Response>((resolve) => {
        const timer = setTimeout(() => resolve(json({ code: "Ok", routes: [{ distance: 1 }] })), 10_000);
        releaseHanging = () => {
          clearTimeout(timer);
          resolve(new Response("released"));
        };
      });
    const started = performance.now();
    const error = await routeError(createRouteProvider({ kind: "osrm", url: baseUrl, timeoutMs: 150 }).roadKm(CHICAGO, DALLAS));
    const elapsedMs = performance.now() - started;
    releaseHanging();
    expect(error.kind).toBe("timeout");
    expect(error.message).toBe(`OSRM at ${baseUrl}: no answer within 150 ms`);
    expect(elapsedMs).toBeGreaterThanOrEqual(140);
    expect(elapsedMs).toBeLessThan(5000);
  });

  test("nobody listening is a network error", async () => {
    const closed = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("") });
    const closedUrl = `http://127.0.0.1:${closed.port}`;
    closed.stop(true);
    const error = await routeError(createRouteProvider({ kind: "valhalla", url: closedUrl, timeoutMs: 2000 }).roadKm(CHICAGO, DALLAS));
    expect(error.kind).toBe("network");
    expect(error.message).toStartWith(`Valhalla at ${closedUrl}: cannot connect (`);
  });
});

describe("configuration mistakes show at once", () => {
  test.each([
    [{ kind: "osrm", url: "router.local:5000" }, 'OSRM URL "router.local:5000" must start with http:// or https://'],
    [{ kind: "osrm", url: "not a url" }, 'OSRM URL "not a url" is not a valid URL'],
    [{ kind: "valhalla", url: "ftp://10.0.0.5" }, 'Valhalla URL "ftp://10.0.0.5" must start with http:// or https://'],
    [{ kind: "valhalla", url: "http://10.0.0.5:8002", timeoutMs: 0 }, "Valhalla timeout must be a positive number of milliseconds, got 0"],
    [{ kind: "osrm", url: "http://10.0.0.5:5000", timeoutMs: Number.NaN }, "OSRM timeout must be a positive number of milliseconds, got NaN"],
    [{ kind: "graphhopper", url: "http://10.0.0.5:8989" }, 'router kind must be "osrm" or "valhalla", got "graphhopper"'],
  ])("%j", (options, message) => {
    expect(() => createRouteProvider(options as Parameters<typeof createRouteProvider>[0])).toThrow(message);
  });

  test("bad coordinates are refused before any request", async () => {
    answer = () => json({ code: "Ok", routes: [{ distance: 1 }] });
    const provider = createRouteProvider({ kind: "osrm", url: baseUrl });
    await expect(provider.roadKm({ lat: 100, lon: 0 }, DALLAS)).rejects.toThrow("origin latitude must be a number from -90 to 90, got 100");
    expect(seen).toBeNull();
  });
});

describe("roadDistanceKm falls back to the estimate", () => {
  const osrm = (): RouteProvider => createRouteProvider({ kind: "osrm", url: baseUrl, timeoutMs: 2000 });

  test("no router configured: the estimate", async () => {
    expect(await roadDistanceKm(null, CHICAGO, DALLAS)).toEqual({ km: estimateRoadKm(CHICAGO, DALLAS), source: "estimate" });
  });

  test("a custom circuity factor reaches the estimate", async () => {
    expect((await roadDistanceKm(null, CHICAGO, DALLAS, 1.3)).km).toBeCloseTo(estimateRoadKm(CHICAGO, DALLAS, 1.3), 9);
  });

  test("a router that answers: its distance", async () => {
    answer = () => json({ code: "Ok", routes: [{ distance: 1_553_742.6 }] });
    expect(await roadDistanceKm(osrm(), CHICAGO, DALLAS)).toEqual({ km: 1553.7426, source: "router" });
  });

  test("a router that fails: the estimate, and why", async () => {
    answer = () => new Response("boom", { status: 503 });
    expect(await roadDistanceKm(osrm(), CHICAGO, DALLAS)).toEqual({ km: estimateRoadKm(CHICAGO, DALLAS), source: "estimate", routerError: `OSRM at ${baseUrl}: HTTP 503: boom` });
  });

  test("a router that finds no road: the estimate, flagged", async () => {
    answer = () => json({ code: "NoRoute", message: "Impossible route between points" }, 400);
    expect(await roadDistanceKm(osrm(), CHICAGO, DALLAS)).toEqual({
      km: estimateRoadKm(CHICAGO, DALLAS),
      source: "estimate",
      routerError: `OSRM at ${baseUrl}: no route (NoRoute: Impossible route between points)`,
      noRoute: true,
    });
  });

  test("bad coordinates still throw: they are the caller's mistake, not the router's", async () => {
    await expect(roadDistanceKm(osrm(), { lat: 0, lon: 190 }, DALLAS)).rejects.toThrow("origin longitude must be a number from -180 to 180, got 190");
  });
});
