/** Shared response helpers: JSON API errors in one shape, and how to tell API, htmx and page requests apart. */

/** `{ "error": { "code", "message", "details"? } }` with the given HTTP status. */
export function apiError(status: number, code: string, message: string, details?: unknown, headers: Record<string, string> = {}): Response {
  const error: Record<string, unknown> = { code, message };
  if (details !== undefined) error.details = details;
  return new Response(JSON.stringify({ error }), { status, headers: { "content-type": "application/json; charset=utf-8", ...headers } });
}

/** True for requests that expect JSON back: the API, metrics, or an explicit Accept. */
export function wantsJson(request: Request): boolean {
  const path = new URL(request.url).pathname;
  if (path.startsWith("/api/") || path === "/metrics" || path === "/healthz") return true;
  const accept = request.headers.get("accept") ?? "";
  return accept.includes("application/json") && !accept.includes("text/html");
}

/** True when htmx made the request, so a fragment is the answer rather than a whole page. */
export function isHtmx(request: Request): boolean {
  return request.headers.get("hx-request") === "true";
}

/** A 303 redirect (after a form post), or an HX-Redirect for htmx requests. */
export function redirect(request: Request, location: string, headers: Record<string, string> = {}): Response {
  if (isHtmx(request)) return new Response(null, { status: 204, headers: { "HX-Redirect": location, ...headers } });
  return new Response(null, { status: 303, headers: { location, ...headers } });
}

/** Keeps a post-login redirect on this site: only local absolute paths are allowed. */
export function safeNextPath(next: unknown): string {
  if (typeof next !== "string" || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return "/";
  return next;
}

/** ISO 8601 UTC string for an epoch-ms timestamp, or null. */
export function isoTime(epochMs: number | null | undefined): string | null {
  return epochMs === null || epochMs === undefined ? null : new Date(epochMs).toISOString();
}
