/**
 * Optional exact road distance from a routing server the owner runs (or rents): OSRM or Valhalla.
 * The appliance works without one, on the great-circle × circuity estimate of
 * src/domain/road-distance.ts; with one, a load's loaded and deadhead miles can be the router's.
 * A router is outside the box and may be slow, down or wrong, so every call has a timeout, every
 * failure is a `RouteError` that names the router, its URL and what went wrong, and
 * `roadDistanceKm` falls back to the estimate instead of failing the match.
 *
 * Protocols, from each project's API reference:
 * - OSRM (Project-OSRM/osrm-backend docs/http.md): `GET {url}/route/v1/{profile}/{lon},{lat};{lon},{lat}?overview=false`
 *   → `{ code: "Ok", routes: [{ distance, duration, … }] }`, distance in metres. Errors answer
 *   HTTP 400 with `{ code, message }`; `NoRoute` (no route found) and `NoSegment` (a point could not
 *   be snapped to a road) mean the two points have no road route.
 * - Valhalla (valhalla/valhalla docs/docs/api/turn-by-turn/api-reference.md): `POST {url}/route` with
 *   `{ locations: [{lat, lon}, {lat, lon}], costing: "truck", units: "miles" }` → `{ trip: { status,
 *   summary: { length, time }, … } }`, length in the requested units. Errors answer 4xx/5xx with
 *   `{ error_code, error, status_code, status }`; codes 170 (unconnected regions), 171 (no suitable
 *   edges near a location), 441 (location unreachable) and 442 (no path found) mean no road route.
 *   Truck costing respects truck access, height, width and weight limits, which is what a load needs.
 */
import type { LatLon } from "../domain/geo";
import { checkLatLon, estimateRoadKm, US_CIRCUITY_FACTOR } from "../domain/road-distance";
import { milesToKm } from "../domain/units";

/** The routing servers Haulbox can ask. */
export type RouterKind = "osrm" | "valhalla";

/** What went wrong with a router call: `no-route` is an answer about the roads, the rest are failures of the router. */
export type RouteErrorKind = "no-route" | "http" | "timeout" | "network" | "bad-response";

/** A router call that produced no distance; the message names the router and its URL. */
export class RouteError extends Error {
  constructor(
    readonly kind: RouteErrorKind,
    message: string,
  ) {
    super(message);
    this.name = "RouteError";
  }
}

/** A configured router. */
export interface RouteProvider {
  readonly kind: RouterKind;
  /** Base URL as configured, without a trailing slash. */
  readonly url: string;
  /** Road distance in km from one point to another; rejects with a `RouteError`. */
  roadKm(from: LatLon, to: LatLon): Promise<number>;
}

/** How to reach a router. */
export interface RouteProviderOptions {
  kind: RouterKind;
  /** Base URL, e.g. "http://10.0.0.5:5000" (OSRM) or "http://10.0.0.5:8002" (Valhalla). */
  url: string;
  /** Give up after this long (default 5000 ms): matching scores many pairs and must not hang on one. */
  timeoutMs?: number;
  /** OSRM profile path segment (default "driving"); a stock osrm-routed serves one profile whatever this says. */
  osrmProfile?: string;
  /** Valhalla costing model (default "truck"). */
  valhallaCosting?: string;
}

/** Default time limit for one router call. */
export const DEFAULT_ROUTE_TIMEOUT_MS = 5000;

const ROUTER_NAMES: Readonly<Record<RouterKind, string>> = { osrm: "OSRM", valhalla: "Valhalla" };

/** Valhalla error codes that say the points have no road route, rather than that the request or server failed. */
const VALHALLA_NO_ROUTE_CODES: ReadonlySet<number> = new Set([170, 171, 441, 442]);
/** OSRM codes that say the same. */
const OSRM_NO_ROUTE_CODES: ReadonlySet<string> = new Set(["NoRoute", "NoSegment"]);

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** A short, single-line excerpt of a body for an error message. */
function excerpt(text: string): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > 120 ? `${line.slice(0, 120)}…` : line;
}

/**
 * Creates a router client. Throws at once on a URL that is not http(s) or a timeout that is not a
 * positive number, so a configuration mistake shows at start rather than on the first load.
 */
export function createRouteProvider(options: RouteProviderOptions): RouteProvider {
  const { kind } = options;
  if (kind !== "osrm" && kind !== "valhalla") throw new RangeError(`router kind must be "osrm" or "valhalla", got "${String(kind)}"`);
  const routerName = ROUTER_NAMES[kind];
  let parsed: URL;
  try {
    parsed = new URL(options.url);
  } catch {
    throw new RangeError(`${routerName} URL "${options.url}" is not a valid URL`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new RangeError(`${routerName} URL "${options.url}" must start with http:// or https://`);
  const url = options.url.replace(/\/+$/, "");
  const timeoutMs = options.timeoutMs ?? DEFAULT_ROUTE_TIMEOUT_MS;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new RangeError(`${routerName} timeout must be a positive number of milliseconds, got ${timeoutMs}`);
  // Messages end up in logs and on the Sources page: show the server, never a password in the URL.
  const where = `${routerName} at ${parsed.origin}${parsed.pathname.replace(/\/+$/, "")}`;

  /** One HTTP exchange: the status, the body as text, and the body parsed as JSON (undefined when it is not JSON). */
  async function exchange(request: Request): Promise<{ status: number; body: unknown; text: string }> {
    let response: Response;
    try {
      response = await fetch(request, { signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      const name = error instanceof Error ? error.name : "";
      if (name === "TimeoutError" || name === "AbortError") throw new RouteError("timeout", `${where}: no answer within ${timeoutMs} ms`);
      throw new RouteError("network", `${where}: cannot connect (${error instanceof Error ? error.message : String(error)})`);
    }
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      const name = error instanceof Error ? error.name : "";
      if (name === "TimeoutError" || name === "AbortError") throw new RouteError("timeout", `${where}: answer not complete within ${timeoutMs} ms`);
      throw new RouteError("network", `${where}: answer cut off (${error instanceof Error ? error.message : String(error)})`);
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    return { status: response.status, body, text };
  }

  async function osrmRoadKm(from: LatLon, to: LatLon): Promise<number> {
    const profile = encodeURIComponent(options.osrmProfile ?? "driving");
    const { status, body, text } = await exchange(new Request(`${url}/route/v1/${profile}/${from.lon},${from.lat};${to.lon},${to.lat}?overview=false`));
    const code = isRecord(body) && typeof body.code === "string" ? body.code : undefined;
    const message = isRecord(body) && typeof body.message === "string" ? body.message : undefined;
    if (code !== undefined && OSRM_NO_ROUTE_CODES.has(code)) throw new RouteError("no-route", `${where}: no route (${code}${message ? `: ${message}` : ""})`);
    if (status !== 200) throw new RouteError("http", `${where}: HTTP ${status}${code ? ` ${code}` : ""}${message ? `: ${message}` : text ? `: ${excerpt(text)}` : ""}`);
    if (body === undefined) throw new RouteError("bad-response", `${where}: answer is not JSON: ${excerpt(text)}`);
    if (code !== "Ok") throw new RouteError("bad-response", `${where}: answer code is ${code === undefined ? "missing" : `"${code}"`}, not "Ok"`);
    const routes = isRecord(body) ? body.routes : undefined;
    const first = Array.isArray(routes) ? routes[0] : undefined;
    if (first === undefined) throw new RouteError("no-route", `${where}: no route (the answer lists none)`);
    const metres = isRecord(first) ? first.distance : undefined;
    if (typeof metres !== "number" || !Number.isFinite(metres) || metres < 0) {
      throw new RouteError("bad-response", `${where}: routes[0].distance is not a distance in metres: ${JSON.stringify(metres)}`);
    }
    return metres / 1000;
  }

  async function valhallaRoadKm(from: LatLon, to: LatLon): Promise<number> {
    const request = new Request(`${url}/route`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        locations: [
          { lat: from.lat, lon: from.lon },
          { lat: to.lat, lon: to.lon },
        ],
        costing: options.valhallaCosting ?? "truck",
        units: "miles",
        directions_type: "none",
      }),
    });
    const { status, body, text } = await exchange(request);
    const errorCode = isRecord(body) && typeof body.error_code === "number" ? body.error_code : undefined;
    const error = isRecord(body) && typeof body.error === "string" ? body.error : undefined;
    if (errorCode !== undefined && VALHALLA_NO_ROUTE_CODES.has(errorCode)) throw new RouteError("no-route", `${where}: no route (${errorCode}: ${error ?? "no message"})`);
    if (status !== 200) throw new RouteError("http", `${where}: HTTP ${status}${errorCode !== undefined ? ` error ${errorCode}` : ""}${error ? `: ${error}` : text ? `: ${excerpt(text)}` : ""}`);
    if (body === undefined) throw new RouteError("bad-response", `${where}: answer is not JSON: ${excerpt(text)}`);
    const trip = isRecord(body) ? body.trip : undefined;
    const summary = isRecord(trip) ? trip.summary : undefined;
    const miles = isRecord(summary) ? summary.length : undefined;
    if (typeof miles !== "number" || !Number.isFinite(miles) || miles < 0) {
      throw new RouteError("bad-response", `${where}: trip.summary.length is not a distance in miles: ${JSON.stringify(miles)}`);
    }
    // Requested in miles (units above); the house unit is km.
    return milesToKm(miles);
  }

  return {
    kind,
    url,
    async roadKm(from, to) {
      checkLatLon(from, "origin");
      checkLatLon(to, "destination");
      return kind === "osrm" ? osrmRoadKm(from, to) : valhallaRoadKm(from, to);
    },
  };
}

/** A road distance and where it came from. */
export interface RoadDistance {
  km: number;
  /** "router": the configured router's answer; "estimate": great-circle × circuity. */
  source: "router" | "estimate";
  /** Why the router was not used, when it was configured but failed. */
  routerError?: string;
  /** The router's verdict when it found no road route: the estimate is then a guess across a gap (water, border). */
  noRoute?: boolean;
}

/**
 * Road distance in km: the router's when one is given and answers, otherwise the estimate
 * (great-circle × `circuity`, default the US factor), with the router's error kept for the caller
 * to show or log. Never rejects for a router failure; throws only on coordinates out of range.
 */
export async function roadDistanceKm(router: RouteProvider | null, from: LatLon, to: LatLon, circuity: number = US_CIRCUITY_FACTOR): Promise<RoadDistance> {
  const estimateKm = estimateRoadKm(from, to, circuity);
  if (router === null) return { km: estimateKm, source: "estimate" };
  try {
    return { km: await router.roadKm(from, to), source: "router" };
  } catch (error) {
    if (!(error instanceof RouteError)) throw error;
    const fallback: RoadDistance = { km: estimateKm, source: "estimate", routerError: error.message };
    if (error.kind === "no-route") fallback.noRoute = true;
    return fallback;
  }
}
