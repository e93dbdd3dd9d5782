/**
 * GET /metrics in Prometheus text format. Requires auth like everything else (an API token in
 * `Authorization: Bearer …` is how Prometheus scrapes it); /healthz stays public in health.ts.
 */
import { Elysia, t } from "elysia";
import type { AppDeps } from "../deps";
import { authGuard } from "../auth/guard";
import { registerStandardMetrics } from "../metrics/standard";
import { COMMIT, VERSION } from "../version";

/** Content type of the Prometheus text exposition format. */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** The /metrics route; also registers the process, database and build collectors for these deps. */
export function opsRoutes(deps: AppDeps) {
  registerStandardMetrics(deps.metrics, { db: deps.db, version: VERSION, commit: COMMIT, startedAt: deps.startedAt });
  return new Elysia({ name: "ops", seed: deps })
    .use(authGuard(deps))
    .get(
      "/metrics",
      async () => new Response(await deps.metrics.render(), { headers: { "content-type": PROMETHEUS_CONTENT_TYPE, "cache-control": "no-store" } }),
      {
        response: { 200: t.String({ description: "Prometheus text exposition format 0.0.4." }) },
        detail: {
          summary: "Metrics for Prometheus",
          description: "HTTP requests by route pattern and status with a latency histogram, process memory, database size, build info, and per-source and per-job counters.",
          tags: ["ops"],
        },
      },
    );
}
