/**
 * HTTP ingest for trackers that post instead of using MQTT (Traccar Client, OsmAnd): `/ingest/…`
 * paths belong to the `transport: "http"` telemetry sources. There is no user login here; each
 * request carries its device's token (`Authorization: Bearer …` or a `token` query parameter),
 * checked once the decoder has named the device. The answer comes after the commit: 200 means
 * stored (or kept as a dead letter), so a tracker only drops a fix Haulbox really has.
 */
import { Elysia } from "elysia";
import type { AppDeps } from "../deps";
import type { IngestRouter } from "../ingest/router";

/** Largest body accepted (a Traccar batch of a few hundred fixes fits easily). */
const MAX_BODY_BYTES = 256 * 1024;

function plain(status: number, text: string): Response {
  return new Response(text, { status, headers: { "content-type": "text/plain; charset=utf-8" } });
}

export function ingestRoutes(deps: AppDeps, router: () => IngestRouter | null) {
  const handle = async ({ request }: { request: Request }) => {
    const url = new URL(request.url);
    const ingest = router();
    const route = ingest?.matchPath(url.pathname);
    if (!ingest || !route) return plain(404, `no telemetry source receives ${url.pathname}\n`);
    const length = Number(request.headers.get("content-length") ?? 0);
    if (length > MAX_BODY_BYTES) return plain(413, `the body is larger than ${MAX_BODY_BYTES} bytes\n`);
    const body = request.method === "GET" || request.method === "HEAD" ? new Uint8Array() : new Uint8Array(await request.arrayBuffer());
    if (body.byteLength > MAX_BODY_BYTES) return plain(413, `the body is larger than ${MAX_BODY_BYTES} bytes\n`);
    const query = Object.fromEntries(url.searchParams);
    const bearer = request.headers.get("authorization")?.match(/^Bearer\s+(.+)$/i)?.[1] ?? null;
    const token = bearer ?? query.token ?? null;
    delete query.token;
    const result = await ingest.handleHttp(
      route,
      { sourceId: route.sourceId, deviceId: null, topic: null, payload: body, receivedAt: Date.now(), http: { query, contentType: request.headers.get("content-type") } },
      (deviceId) => {
        const check = deps.fleet.check(deviceId, token);
        if (check.ok) return "ok";
        if (check.reason === "unknown" || check.reason === "pending") return "unknown";
        deps.log.warn("HTTP ingest refused", { device: deviceId, reason: check.reason, path: url.pathname });
        return "refused";
      },
    );
    if (result.status === "refused") return plain(401, "this device's token is missing or wrong\n");
    // A payload we could not use is kept (dead letters); tell the tracker why, but do not make it resend forever.
    if (result.status === "dead" && result.reason !== "unknown device") return plain(400, `${result.reason}\n`);
    return plain(200, "OK\n");
  };
  return new Elysia({ name: "ingest-http", seed: deps })
    .get("/ingest/*", handle, { detail: { summary: "Position reports from HTTP trackers (OsmAnd query form)", tags: ["ingest"] } })
    .post("/ingest/*", handle, { parse: "none", detail: { summary: "Position reports from HTTP trackers (Traccar Client JSON, OsmAnd form)", tags: ["ingest"] } });
}
