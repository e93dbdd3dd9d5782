/** @jsxImportSource @kitajs/html */
/**
 * Sources and jobs: the Sources page (any logged-in role reads it), its live fragment for htmx,
 * "Run now" for polling sources and jobs (manage_settings), and the JSON API
 * `GET /api/v1/sources`, `GET /api/v1/sources/:id`, `POST /api/v1/sources/:id/run`,
 * `GET /api/v1/jobs`, `POST /api/v1/jobs/:name/run`.
 */
import { Elysia, t } from "elysia";
import type { AppDeps } from "../deps";
import { authGuard } from "../auth/guard";
import type { Principal } from "../auth/principal";
import { canOnPage } from "../auth/roles";
import { renderPage } from "../http/pages";
import { isHtmx, isoTime, redirect } from "../http/respond";
import { ListOf, ListQuery, pageList } from "../http/pagination";
import { SourceActionError, type RunResult, type SourceStatus } from "../plugins/host";
import type { JobRunResult, JobStatus } from "../scheduler/scheduler";
import { SourcesLive, SourcesPage, type SourcesFlash, type SourcesViewProps } from "../../views/sources/page";
import { Integer } from "../http/schema";
import { errorBody } from "../http/refusal";

const Timestamp = t.Union([t.String({ format: "date-time" }), t.Null()]);
const NullableString = t.Union([t.String(), t.Null()]);

/** A source in API form. */
export const SourceSchema = t.Object({
  id: t.String({ description: "The source's id from the YAML." }),
  plugin: t.String(),
  kind: t.Union([t.Literal("telemetry"), t.Literal("loadboard"), t.Literal("notifier"), t.Null()], { description: "Null when the plugin is unknown." }),
  mode: t.Union([t.Literal("pull"), t.Literal("push"), t.Literal("send"), t.Literal("decode"), t.Null()], { description: "pull: polled on its schedule; push: the plugin delivers; send: a notifier; decode: the core's MQTT or HTTP ingest hands it messages." }),
  plugin_version: NullableString,
  plugin_source: t.Union([t.Literal("builtin"), t.Literal("external"), t.Null()], { description: "Built into Haulbox, or a file from plugins_dir." }),
  enabled: t.Boolean(),
  schedule: t.Union([t.String(), t.Null()], { description: "Cron expression of a polling source." }),
  state: t.Union([t.Literal("starting"), t.Literal("ok"), t.Literal("failing"), t.Literal("disabled")]),
  running: t.Boolean({ description: "A call into the plugin is in progress." }),
  last_run_at: Timestamp,
  last_success_at: Timestamp,
  last_error: NullableString,
  last_error_at: Timestamp,
  consecutive_failures: Integer(),
  runs: Integer({ description: "Polls, sends and push batches, plus failed start attempts." }),
  failures: Integer(),
  items: Integer({ description: "Records or loads received, or messages sent." }),
  skipped: Integer({ description: "Scheduled polls skipped because the previous one was still running." }),
  next_run_at: t.Union([t.String({ format: "date-time" }), t.Null()], { description: "Next poll (or retry/restart)." }),
});

/** A job in API form. */
export const JobSchema = t.Object({
  name: t.String(),
  description: t.String(),
  schedule: t.String({ description: "Cron expression in force (jobs.<name>.schedule overrides the default; the backup job's comes from backups.schedule)." }),
  timezone: t.String(),
  enabled: t.Boolean(),
  timeout_seconds: t.Number(),
  running: t.Boolean(),
  last_started_at: Timestamp,
  last_finished_at: Timestamp,
  last_status: t.Union([t.Literal("ok"), t.Literal("failed"), t.Literal("timed_out"), t.Literal("skipped"), t.Null()]),
  last_error: NullableString,
  last_summary: t.Union([t.String(), t.Null()], { description: "What the last successful run reported (the backup job: file, size, time, backups kept)." }),
  last_duration_ms: t.Union([Integer(), t.Null()]),
  runs: Integer(),
  failures: Integer(),
  skipped: Integer(),
  next_run_at: Timestamp,
});

const RunStatus = t.Union([t.Literal("ok"), t.Literal("failed"), t.Literal("timed_out"), t.Literal("skipped")]);
const SourceRunSchema = t.Object({
  result: t.Object({ status: RunStatus, error: NullableString, items: Integer(), duration_ms: Integer() }),
  source: SourceSchema,
});
const JobRunSchema = t.Object({
  result: t.Object({ status: RunStatus, error: NullableString, duration_ms: Integer() }),
  job: JobSchema,
});
const ErrorSchema = t.Object({ error: t.Object({ code: t.String(), message: t.String(), details: t.Optional(t.Unknown()) }) });
const FormBody = t.Optional(t.Object({}, { additionalProperties: true }));

/** A source status in API form (snake_case, ISO times). */
export function sourceJson(source: SourceStatus) {
  return {
    id: source.id,
    plugin: source.plugin,
    kind: source.kind,
    mode: source.mode,
    plugin_version: source.pluginVersion,
    plugin_source: source.pluginOrigin === null ? null : source.pluginOrigin === "builtin" ? ("builtin" as const) : ("external" as const),
    enabled: source.enabled,
    schedule: source.schedule,
    state: source.state,
    running: source.running,
    last_run_at: isoTime(source.lastRunAt),
    last_success_at: isoTime(source.lastSuccessAt),
    last_error: source.lastError,
    last_error_at: isoTime(source.lastErrorAt),
    consecutive_failures: source.consecutiveFailures,
    runs: source.runs,
    failures: source.failures,
    items: source.items,
    skipped: source.skipped,
    next_run_at: isoTime(source.nextRunAt),
  };
}

/** A job status in API form. */
export function jobJson(job: JobStatus) {
  return {
    name: job.name,
    description: job.description,
    schedule: job.schedule,
    timezone: job.timezone,
    enabled: job.enabled,
    timeout_seconds: job.timeoutSeconds,
    running: job.running,
    last_started_at: isoTime(job.lastStartedAt),
    last_finished_at: isoTime(job.lastFinishedAt),
    last_status: job.lastStatus,
    last_error: job.lastError,
    last_summary: job.lastSummary,
    last_duration_ms: job.lastDurationMs === null ? null : Math.round(job.lastDurationMs),
    runs: job.runs,
    failures: job.failures,
    skipped: job.skipped,
    next_run_at: isoTime(job.nextRunAt),
  };
}

/** HTTP status and code for a refused source action. */
function refusal(error: SourceActionError): { status: 404 | 409; code: string } {
  return error.code === "not_found" ? { status: 404, code: "not_found" } : { status: 409, code: error.code };
}

/** The sentence shown after "Run now" on a source. */
function sourceRunMessage(id: string, result: RunResult): SourcesFlash {
  if (result.status === "ok") return { kind: "success", message: `${id}: polled, ${result.items} item${result.items === 1 ? "" : "s"} received.` };
  if (result.status === "skipped") return { kind: "notice", message: `${id}: ${result.error ?? "skipped"}.` };
  return { kind: "error", message: `${id}: ${result.error ?? result.status}` };
}

/** The sentence shown after "Run now" on a job. */
function jobRunMessage(name: string, result: JobRunResult): SourcesFlash {
  if (result.status === "ok") return { kind: "success", message: `${name}: finished in ${Math.round(result.durationMs)} ms.` };
  if (result.status === "skipped") return { kind: "notice", message: `${name}: still running from before; not started again.` };
  return { kind: "error", message: `${name}: ${result.error ?? result.status.replace("_", " ")}` };
}

/** The Sources page, its live fragment, Run now, and the sources/jobs API. */
export function sourcesRoutes(deps: AppDeps) {
  const viewProps = (principal: Principal, flash?: SourcesFlash): SourcesViewProps => ({
    sources: deps.host.list(),
    jobs: deps.scheduler.list(),
    canRun: canOnPage(principal, "manage_settings"),
    csrfToken: principal.csrfToken,
    flash,
    loadCounts: deps.loads.store.sourceCounts(),
  });
  /** After a form post: the refreshed fragment for htmx, or back to the page for a plain browser. */
  const afterRun = (request: Request, principal: Principal, flash: SourcesFlash) =>
    isHtmx(request) ? renderPage(request, principal, "Sources", SourcesLive(viewProps(principal, flash))) : redirect(request, "/sources");

  return new Elysia({ name: "sources", seed: deps })
    .use(authGuard(deps))
    .get("/sources", ({ request, principal }) => renderPage(request, principal, "Sources", SourcesPage(viewProps(principal!))), { detail: { hide: true } })
    .get("/sources/status", ({ request, principal }) => renderPage(request, principal, "Sources", SourcesLive(viewProps(principal!))), { detail: { hide: true } })
    .post(
      "/sources/:id/run",
      async ({ request, principal, params }) => {
        try {
          const result = await deps.host.runNow(params.id);
          deps.log.info("source run by hand", { source: params.id, by: principal!.name, status: result.status });
          return afterRun(request, principal!, sourceRunMessage(params.id, result));
        } catch (error) {
          if (!(error instanceof SourceActionError)) throw error;
          return afterRun(request, principal!, { kind: "error", message: error.message });
        }
      },
      { params: t.Object({ id: t.String() }), body: FormBody, requires: "manage_settings", detail: { hide: true } },
    )
    .post(
      "/sources/jobs/:name/run",
      async ({ request, principal, params }) => {
        if (!deps.scheduler.status(params.name)) return afterRun(request, principal!, { kind: "error", message: `there is no job ${JSON.stringify(params.name)}` });
        const result = await deps.scheduler.runNow(params.name);
        deps.log.info("job run by hand", { job: params.name, by: principal!.name, status: result.status });
        return afterRun(request, principal!, jobRunMessage(params.name, result));
      },
      { params: t.Object({ name: t.String() }), body: FormBody, requires: "manage_settings", detail: { hide: true } },
    )
    .get("/api/v1/sources", ({ query }) => pageList(deps.host.list().map(sourceJson), (source) => source.id, query.limit, query.cursor), {
      query: ListQuery,
      response: ListOf(SourceSchema),
      detail: { summary: "List sources with their state and counters", tags: ["sources"] },
    })
    .get(
      "/api/v1/sources/:id",
      ({ params, status }) => {
        const source = deps.host.status(params.id);
        if (!source) return status(404, errorBody("not_found", `There is no source ${JSON.stringify(params.id)}.`));
        return sourceJson(source);
      },
      { params: t.Object({ id: t.String() }), response: { 200: SourceSchema, 404: ErrorSchema }, detail: { summary: "One source", tags: ["sources"] } },
    )
    .post(
      "/api/v1/sources/:id/run",
      async ({ params, principal, status }) => {
        let result: RunResult;
        try {
          result = await deps.host.runNow(params.id);
        } catch (error) {
          if (!(error instanceof SourceActionError)) throw error;
          const refused = refusal(error);
          return status(refused.status, errorBody(refused.code, error.message));
        }
        deps.log.info("source run by hand", { source: params.id, by: principal!.name, status: result.status });
        if (result.status === "skipped") return status(409, errorBody("busy", `Source ${params.id} is already polling; try again when it has finished.`));
        return { result: { status: result.status, error: result.error, items: result.items, duration_ms: Math.round(result.durationMs) }, source: sourceJson(deps.host.status(params.id)!) };
      },
      {
        params: t.Object({ id: t.String() }),
        body: FormBody,
        requires: "manage_settings",
        response: { 200: SourceRunSchema, 404: ErrorSchema, 409: ErrorSchema },
        detail: { summary: "Poll a source now (waits for the result, at most the plugin call timeout)", tags: ["sources"] },
      },
    )
    .get("/api/v1/jobs", ({ query }) => pageList(deps.scheduler.list().map(jobJson), (job) => job.name, query.limit, query.cursor), {
      query: ListQuery,
      response: ListOf(JobSchema),
      detail: { summary: "List scheduled jobs with their last-run status", tags: ["jobs"] },
    })
    .post(
      "/api/v1/jobs/:name/run",
      async ({ params, principal, status }) => {
        if (!deps.scheduler.status(params.name)) return status(404, errorBody("not_found", `There is no job ${JSON.stringify(params.name)}.`));
        const result = await deps.scheduler.runNow(params.name);
        deps.log.info("job run by hand", { job: params.name, by: principal!.name, status: result.status });
        if (result.status === "skipped") return status(409, errorBody("busy", `Job ${params.name} is still running; try again when it has finished.`));
        return { result: { status: result.status, error: result.error, duration_ms: Math.round(result.durationMs) }, job: jobJson(deps.scheduler.status(params.name)!) };
      },
      {
        params: t.Object({ name: t.String() }),
        body: FormBody,
        requires: "manage_settings",
        response: { 200: JobRunSchema, 404: ErrorSchema, 409: ErrorSchema },
        detail: { summary: "Run a job now (waits for it, at most its timeout)", tags: ["jobs"] },
      },
    );
}
