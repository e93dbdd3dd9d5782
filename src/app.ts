/**
 * buildApp(deps): the whole web app as one Elysia instance, composed of one instance per feature.
 * It does not listen; the server (or a test with `app.handle(new Request(…))`) drives it.
 */
import { Elysia } from "elysia";
import { html } from "@elysiajs/html";
import type { AppDeps } from "./deps";
import { authGuard } from "./auth/guard";
import { apiError, wantsJson } from "./http/respond";
import { errorPage } from "./http/pages";
import { staticRoutes } from "./routes/static";
import { healthRoutes } from "./routes/health";
import { authRoutes } from "./routes/auth";
import { dashboardRoutes } from "./routes/dashboard";
import { upcomingPages } from "./routes/pages";
import { settingsRoutes } from "./routes/settings";
import { accountsApi } from "./routes/accounts-api";
import { opsRoutes } from "./routes/ops";
import { openapiRoutes } from "./routes/openapi";
import { httpMetrics } from "./metrics/http";
import { sourcesRoutes } from "./routes/sources";
import { ingestRoutes } from "./routes/ingest";
import { vehiclesApi } from "./routes/vehicles";
import { loadsApi } from "./routes/loads";
import { loadsPages } from "./routes/loads-pages";
import { negotiationApi } from "./routes/negotiation";
import { negotiationPages } from "./routes/negotiation-pages";
import { loadsUpload } from "./routes/loads-upload";
import { devicesApi } from "./routes/devices";
import { trucksRoutes } from "./routes/trucks";
import { liveRoutes } from "./routes/live";

/** Turns thrown errors into the API error shape or an error page; unexpected ones are logged. */
function errorHandling(deps: AppDeps) {
  return new Elysia({ name: "errors", seed: deps }).onError({ as: "global" }, ({ code, error, request, path }) => {
    if ((error as unknown) instanceof Response) return error as unknown as Response; // a refusal thrown by the auth guard
    const json = wantsJson(request);
    if (code === "NOT_FOUND") return json ? apiError(404, "not_found", `No route for ${request.method} ${path}`) : errorPage(404, "Not found", "There is no page at this address.", null);
    if (code === "VALIDATION") {
      const details = (error as any).all?.map((e: any) => ({ path: e.path, message: e.summary ?? e.message })) ?? undefined;
      return apiError(422, "validation", "The request is not valid.", details);
    }
    if (code === "PARSE") return apiError(400, "bad_request", "The request body could not be read.");
    if (typeof code === "number") return; // a status() the handler chose
    deps.log.error("request failed", { method: request.method, path, error: error instanceof Error ? error : String(error) });
    return json ? apiError(500, "internal", "Something went wrong on the server; it has been logged.") : errorPage(500, "Something went wrong", "The error has been logged. Try again, and check the log if it keeps happening.", null);
  });
}

/** The app for these deps. */
export function buildApp(deps: AppDeps) {
  return new Elysia()
    .use(httpMetrics(deps))
    .use(html({ autoDetect: false }))
    .use(errorHandling(deps))
    .use(authGuard(deps))
    .use(staticRoutes())
    .use(healthRoutes(deps))
    .use(opsRoutes(deps))
    .use(openapiRoutes(deps))
    .use(authRoutes(deps))
    .use(dashboardRoutes(deps))
    .use(upcomingPages(deps))
    .use(settingsRoutes(deps))
    .use(accountsApi(deps))
    .use(sourcesRoutes(deps))
    .use(ingestRoutes(deps, () => deps.ingest.router))
    .use(vehiclesApi(deps))
    .use(loadsApi(deps))
    .use(negotiationApi(deps))
    .use(negotiationPages(deps))
    .use(loadsPages(deps))
    .use(loadsUpload(deps))
    .use(devicesApi(deps))
    .use(trucksRoutes(deps))
    .use(liveRoutes(deps));
}

export type App = ReturnType<typeof buildApp>;
