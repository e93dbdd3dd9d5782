/** @jsxImportSource @kitajs/html */
/**
 * The dashboard at `/` (fleet map and list, appliance status) and its self-refreshing status
 * fragment at `/dashboard/status` (any logged-in role; drivers see only their own truck).
 */
import { Elysia } from "elysia";
import type { AppDeps } from "../deps";
import { authGuard } from "../auth/guard";
import type { Principal } from "../auth/principal";
import { can } from "../auth/roles";
import { renderPage } from "../http/pages";
import { databaseSizeBytes } from "../metrics/standard";
import { COMMIT, VERSION } from "../version";
import { queriesFor, scopeFor } from "../telemetry/queries";
import { mapSettings } from "./trucks";
import { DashboardPage, DashboardStatus, type DashboardProps } from "../../views/dashboard/page";

export function dashboardRoutes(deps: AppDeps) {
  const props = (principal: Principal): DashboardProps => {
    const config = deps.config.current();
    return {
      version: VERSION,
      commit: COMMIT,
      startedAt: deps.startedAt,
      now: Date.now(),
      databaseBytes: databaseSizeBytes(deps.db),
      sources: deps.host.list(),
      jobs: deps.scheduler.list(),
      fleet: { vehicles: queriesFor(deps).vehicles(scopeFor(principal)), settings: mapSettings(deps), canAddTrucks: can(principal.role, "dispatch") },
      deadLetters24h: scopeFor(principal).all ? queriesFor(deps).deadLetterCount(Date.now() - 24 * 3600_000) : null,
      owner: can(principal.role, "manage_settings")
        ? { configFile: deps.config.file, dataDir: config.data_dir, userCount: deps.auth.users.count(), tokenCount: deps.auth.tokens.list().filter((token) => !token.revoked_at).length, realDevices: deps.fleet.devices().filter((device) => !device.demo && device.status === "active").length }
        : null,
    };
  };
  return new Elysia({ name: "dashboard", seed: deps })
    .use(authGuard(deps))
    .get("/", ({ request, principal }) => renderPage(request, principal, "Dashboard", DashboardPage(props(principal!))), { detail: { hide: true } })
    .get("/dashboard/status", ({ request, principal }) => renderPage(request, principal, "Dashboard", DashboardStatus(props(principal!))), { detail: { hide: true } });
}
