/**
 * Counts every HTTP request by method, route pattern and status, times it into a histogram, and
 * writes a debug log line per request. Routes are labelled by their pattern (`/api/v1/users/:id`),
 * never the raw URL, so a scanner probing random paths cannot blow up the series count.
 */
import { Elysia } from "elysia";
import type { AppDeps } from "../deps";

/** Route label for requests that matched no route (404s from probes and typos). */
export const UNMATCHED_ROUTE = "unmatched";

/** Methods kept as their own label value; anything else is counted as "OTHER". */
const KNOWN_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/** Status codes the app's error handler gives each Elysia error code (see errorHandling in app.ts). */
const ERROR_STATUS: Record<string, number> = { NOT_FOUND: 404, VALIDATION: 422, PARSE: 400, INVALID_COOKIE_SIGNATURE: 400, INVALID_FILE_TYPE: 422 };

/** The HTTP status a finished request was answered with, read from what the lifecycle saw. */
export function finalStatus(context: { responseValue?: unknown; response?: unknown; error?: unknown; code?: unknown; set: { status?: number | string } }): number {
  const answer = context.responseValue ?? context.response;
  if (answer instanceof Response) return answer.status;
  if (answer && typeof answer === "object" && "code" in answer && typeof (answer as { code: unknown }).code === "number") return (answer as { code: number }).code; // status(409, …)
  if (context.error) {
    const error = context.error as { status?: unknown; code?: unknown };
    if (typeof error.status === "number") return error.status;
    if (typeof error.code === "number") return error.code;
    if (typeof context.code === "string" && ERROR_STATUS[context.code]) return ERROR_STATUS[context.code]!;
    const status = Number(context.set.status);
    return status >= 400 ? status : 500;
  }
  const status = Number(context.set.status ?? 200);
  return Number.isFinite(status) ? status : 200;
}

/** The Elysia plugin that measures requests; use it first in buildApp so it sees every route. */
export function httpMetrics(deps: AppDeps) {
  const requests = deps.metrics.counter("haulbox_http_requests_total", "HTTP requests answered, by method, route pattern and status.", ["method", "route", "status"]);
  const duration = deps.metrics.histogram("haulbox_http_request_duration_seconds", "Time to answer HTTP requests, by method and route pattern.", ["method", "route"]);
  const startedAt = new WeakMap<Request, number>();

  return new Elysia({ name: "http-metrics", seed: deps })
    .onRequest(({ request }) => {
      startedAt.set(request, performance.now());
    })
    .onAfterResponse({ as: "global" }, (context) => {
      const { request } = context;
      const started = startedAt.get(request);
      const seconds = started === undefined ? 0 : (performance.now() - started) / 1000;
      const route = (context as { route?: string }).route || UNMATCHED_ROUTE;
      const method = KNOWN_METHODS.has(request.method) ? request.method : "OTHER";
      const status = finalStatus(context as Parameters<typeof finalStatus>[0]);
      requests.inc({ method, route, status: String(status) });
      duration.observe({ method, route }, seconds);
      // The path only, never the query string: it can carry the one-time setup token.
      deps.log.debug("request", { method, route, path: new URL(request.url).pathname, status, duration_ms: Math.round(seconds * 10_000) / 10 });
    });
}
