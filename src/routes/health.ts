/** GET /healthz: is the database reachable and at the current schema, and which version runs. Public. */
import { Elysia, t } from "elysia";
import type { AppDeps } from "../deps";
import { LATEST_VERSION, schemaVersion } from "../db/migrate";
import { COMMIT, VERSION } from "../version";
import { Integer } from "../http/schema";

/** The health report; `ok` is false (HTTP 503) when the database cannot be read or is behind. */
export function healthCheck(deps: AppDeps) {
  let database = false;
  let schema = -1;
  try {
    schema = schemaVersion(deps.db);
    database = true;
  } catch {
    database = false;
  }
  const migrationsCurrent = schema === LATEST_VERSION;
  return {
    ok: database && migrationsCurrent,
    version: VERSION,
    commit: COMMIT,
    database,
    migrations_current: migrationsCurrent,
    schema_version: schema,
    uptime_seconds: Math.round((Date.now() - deps.startedAt) / 1000),
  };
}

export const HealthSchema = t.Object({
  ok: t.Boolean(),
  version: t.String(),
  commit: t.String(),
  database: t.Boolean(),
  migrations_current: t.Boolean(),
  schema_version: Integer(),
  uptime_seconds: Integer(),
});

export function healthRoutes(deps: AppDeps) {
  return new Elysia({ name: "health", seed: deps }).get(
    "/healthz",
    ({ set }) => {
      const report = healthCheck(deps);
      if (!report.ok) set.status = 503;
      return report;
    },
    { response: { 200: HealthSchema, 503: HealthSchema }, detail: { summary: "Health of the appliance", tags: ["ops"] } },
  );
}
