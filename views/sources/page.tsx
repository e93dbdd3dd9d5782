/** @jsxImportSource @kitajs/html */
/**
 * The Sources page: every configured source with its plugin, state, last run, last success, last
 * error and counters, then the scheduled jobs. The tables live in one fragment that htmx reloads
 * every few seconds; without JavaScript the page is complete and a reload refreshes it.
 * Error messages come from plugins, so every value from a source or job is rendered with `safe`.
 */
import type { SourceState, SourceStatus } from "../../src/plugins/host";
import type { JobStatus } from "../../src/scheduler/scheduler";
import type { LoadSourceCounts } from "../../src/loads/store";
import { CardTable, Flash, RunNowForm, Time } from "../components";

/** How often the live fragment reloads itself. */
export const LIVE_REFRESH_SECONDS = 10;

/** A message after "Run now". */
export interface SourcesFlash {
  kind: "success" | "error" | "notice";
  message: string;
}

/** What the page and its live fragment show. */
export interface SourcesViewProps {
  sources: SourceStatus[];
  jobs: JobStatus[];
  /** True when the viewer may press "Run now" (manage_settings, in a browser session). */
  canRun: boolean;
  csrfToken?: string;
  flash?: SourcesFlash;
  /** What each load-board source's polls stored (new / updated / expired / rejected). */
  loadCounts?: Map<string, LoadSourceCounts>;
}

const STATE_BADGE: Record<SourceState, string> = { ok: "badge ok", failing: "badge bad", starting: "badge warn", disabled: "badge" };
const JOB_BADGE: Record<string, string> = { ok: "badge ok", failed: "badge bad", timed_out: "badge bad", skipped: "badge warn" };

/** The next run, or a dash when nothing is scheduled (disabled, push source, stopped). */
function NextRun({ at }: { at: number | null }): JSX.Element {
  return at ? <Time at={at} /> : <span class="muted">—</span>;
}

function StateBadge({ source }: { source: SourceStatus }): JSX.Element {
  return (
    <span class={STATE_BADGE[source.state]}>
      {source.state}
    </span>
  );
}

function SourceRow({ source, canRun, csrfToken, loads }: { source: SourceStatus; canRun: boolean; csrfToken?: string; loads?: LoadSourceCounts }): JSX.Element {
  const pollable = source.mode === "pull" && source.enabled;
  const what = source.kind ? `${source.kind}${source.mode === "push" ? " (push)" : ""}` : "unknown plugin";
  return (
    <tr id={`source-${source.id}`}>
      <td data-label="Source">
        <strong safe>{source.id}</strong>
        <div class="muted" safe>
          {source.schedule ? `cron ${source.schedule}` : what}
        </div>
      </td>
      <td data-label="Plugin">
        <span safe>{source.plugin}</span>
        <div class="muted" safe>
          {source.pluginVersion ? `${what} · v${source.pluginVersion}` : what}
        </div>
      </td>
      <td data-label="State">
        <StateBadge source={source} />
        {source.running ? <div class="muted">running…</div> : ""}
        {source.consecutiveFailures > 1 ? <div class="muted" safe>{`${source.consecutiveFailures} failures in a row`}</div> : ""}
      </td>
      <td data-label="Last run">
        <Time at={source.lastRunAt} />
      </td>
      <td data-label="Last success">
        <Time at={source.lastSuccessAt} />
      </td>
      <td data-label="Last error">
        {source.lastError ? (
          <>
            <div class="mono" safe>
              {source.lastError}
            </div>
            <div class="muted">
              <Time at={source.lastErrorAt} />
            </div>
          </>
        ) : (
          <span class="muted">none</span>
        )}
      </td>
      <td data-label="Runs / failures / items">
        <span safe>{`${source.runs} / ${source.failures} / ${source.items}${source.skipped ? ` (${source.skipped} skipped)` : ""}`}</span>
        {loads ? (
          <div class="muted small">
            <span safe>{`last poll: ${loads.last_new} new · ${loads.last_updated} updated · ${loads.last_expired} expired · `}</span>
            {loads.last_rejected ? (
              <a href="/dead-letters" safe>
                {`${loads.last_rejected} rejected`}
              </a>
            ) : (
              "0 rejected"
            )}
            <span safe>{` (all time: ${loads.total_new} new, ${loads.total_rejected} rejected)`}</span>
          </div>
        ) : (
          ""
        )}
      </td>
      <td data-label="Next run">
        <NextRun at={source.nextRunAt} />
      </td>
      {canRun ? (
        <td>
          {pollable ? (
            <RunNowForm action={`/sources/${encodeURIComponent(source.id)}/run`} target="#sources-live" csrfToken={csrfToken} />
          ) : (
            ""
          )}
        </td>
      ) : (
        ""
      )}
    </tr>
  );
}

function SourcesTable({ sources, canRun, csrfToken, loadCounts }: Pick<SourcesViewProps, "sources" | "canRun" | "csrfToken" | "loadCounts">): JSX.Element {
  if (!sources.length) {
    return (
      <p class="notice">
        No sources are configured. Add telemetry and load-board sources under <code>sources:</code> in the configuration file, then reload it (SIGHUP) or restart Haulbox.
      </p>
    );
  }
  return (
    <CardTable columns={["Source", "Plugin", "State", "Last run", "Last success", "Last error", { label: "Runs / failures / items", title: "runs / failures / items received" }, "Next run", canRun && ""]}>
      {sources.map((source) => (
        <SourceRow source={source} canRun={canRun} csrfToken={csrfToken} loads={loadCounts?.get(source.id)} />
      ))}
    </CardTable>
  );
}

function JobRow({ job, canRun, csrfToken }: { job: JobStatus; canRun: boolean; csrfToken?: string }): JSX.Element {
  return (
    <tr id={`job-${job.name}`}>
      <td data-label="Job">
        <strong safe>{job.name}</strong>
        <div class="muted" safe>
          {job.description}
        </div>
      </td>
      <td data-label="Schedule">
        <code safe>{job.schedule}</code>
        <div class="muted">
          {job.enabled ? job.timezone : "disabled"}
        </div>
      </td>
      <td data-label="Last status">
        {job.lastStatus ? (
          <span class={JOB_BADGE[job.lastStatus] ?? "badge"} safe>
            {job.lastStatus.replace("_", " ")}
          </span>
        ) : (
          <span class="muted">never run</span>
        )}
        {job.running ? <div class="muted">running…</div> : ""}
      </td>
      <td data-label="Last run">
        <Time at={job.lastStartedAt} />
        {job.lastDurationMs !== null ? <div class="muted" safe>{`took ${job.lastDurationMs} ms`}</div> : ""}
        {job.lastSummary ? (
          <div class="muted" safe>
            {job.lastSummary}
          </div>
        ) : (
          ""
        )}
      </td>
      <td data-label="Last error">
        {job.lastError ? (
          <div class="mono" safe>
            {job.lastError}
          </div>
        ) : (
          <span class="muted">none</span>
        )}
      </td>
      <td data-label="Runs / failures / skipped" safe>
        {`${job.runs} / ${job.failures} / ${job.skipped}`}
      </td>
      <td data-label="Next run">
        <NextRun at={job.nextRunAt} />
      </td>
      {canRun ? (
        <td>
          <RunNowForm action={`/sources/jobs/${encodeURIComponent(job.name)}/run`} target="#sources-live" csrfToken={csrfToken} />
        </td>
      ) : (
        ""
      )}
    </tr>
  );
}

function JobsTable({ jobs, canRun, csrfToken }: Pick<SourcesViewProps, "jobs" | "canRun" | "csrfToken">): JSX.Element {
  return (
    <CardTable columns={["Job", "Schedule", "Last status", "Last run", "Last error", { label: "Runs / failures / skipped", title: "runs / failures / skipped" }, "Next run", canRun && ""]}>
      {jobs.map((job) => (
        <JobRow job={job} canRun={canRun} csrfToken={csrfToken} />
      ))}
    </CardTable>
  );
}

/** The part of the page htmx refreshes: both tables and any message. */
export function SourcesLive(props: SourcesViewProps): JSX.Element {
  return (
    <div id="sources-live" hx-get="/sources/status" hx-trigger={`every ${LIVE_REFRESH_SECONDS}s`} hx-swap="outerHTML">
      {props.flash ? (
        <Flash kind={props.flash.kind}>
          <span safe>{props.flash.message}</span>
        </Flash>
      ) : (
        ""
      )}
      <section class="card">
        <h2>Sources</h2>
        <SourcesTable sources={props.sources} canRun={props.canRun} csrfToken={props.csrfToken} loadCounts={props.loadCounts} />
      </section>
      <section class="card" id="jobs">
        <h2>Jobs</h2>
        <JobsTable jobs={props.jobs} canRun={props.canRun} csrfToken={props.csrfToken} />
      </section>
    </div>
  );
}

/** The whole Sources page body. */
export function SourcesPage(props: SourcesViewProps): JSX.Element {
  const failing = props.sources.filter((source) => source.state === "failing").length;
  return (
    <>
      <h1>Sources</h1>
      <p class="muted">
        {props.sources.length
          ? `${props.sources.length} source${props.sources.length === 1 ? "" : "s"}${failing ? `, ${failing} failing` : ""}. A failing source is retried with growing delays; other sources keep running.`
          : "Telemetry and load-board sources, and the jobs Haulbox runs on a schedule."}
      </p>
      <SourcesLive {...props} />
    </>
  );
}
