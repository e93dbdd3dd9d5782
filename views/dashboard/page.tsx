/** @jsxImportSource @kitajs/html */
/**
 * The dashboard: the fleet map with every truck's status and fault count (live over SSE), proof
 * that the appliance is alive (version, uptime, database, sources, jobs, dead letters) and, for the
 * owner, what to set up next. The status part reloads itself through htmx; source errors come from
 * plugins and truck names from users, so they are `safe`.
 */
import type { SourceStatus } from "../../src/plugins/host";
import type { JobStatus } from "../../src/scheduler/scheduler";
import type { VehicleOverview } from "../../src/telemetry/queries";
import { Time } from "../components";
import { FleetList, FleetMap, MapAssets, mapVehicle, type MapSettings } from "../fleet/map";

/** How often the status fragment reloads itself. */
export const DASHBOARD_REFRESH_SECONDS = 15;

/** What the dashboard shows. */
export interface DashboardProps {
  version: string;
  commit: string;
  startedAt: number;
  now: number;
  databaseBytes: number;
  sources: SourceStatus[];
  jobs: JobStatus[];
  /** The trucks this user may see, for the map and the list. */
  fleet: { vehicles: VehicleOverview[]; settings: MapSettings; canAddTrucks: boolean };
  /** Dead letters in the last 24 hours; null for drivers, who do not see them. */
  deadLetters24h: number | null;
  /** Shown to owners only: where the config and data live, and the set-up checklist. */
  owner: null | { configFile: string; dataDir: string; userCount: number; tokenCount: number; realDevices: number };
}

/** "3 d 4 h", "2 h 5 min", "12 min", "40 s": how long the appliance has been up. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  const days = Math.floor(seconds / 86400);
  const hours = Math.floor((seconds % 86400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  if (days) return `${days} d ${hours} h`;
  if (hours) return `${hours} h ${minutes} min`;
  if (minutes) return `${minutes} min`;
  return `${seconds} s`;
}

/** "812 KB", "3.4 MB", "1.2 GB". */
export function formatBytes(bytes: number): string {
  if (bytes < 1024 * 1024) return `${Math.max(1, Math.round(bytes / 1024))} KB`;
  if (bytes < 1024 * 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  return `${(bytes / 1024 / 1024 / 1024).toFixed(1)} GB`;
}

function count<T>(items: T[], test: (item: T) => boolean): number {
  return items.filter(test).length;
}

function SourcesSummary({ sources }: { sources: SourceStatus[] }): JSX.Element {
  if (!sources.length) {
    return <p class="muted">No sources configured yet: no telemetry or load boards are connected.</p>;
  }
  const failing = sources.filter((source) => source.state === "failing");
  return (
    <>
      <p>
        <span class="badge ok" safe>{`${count(sources, (s) => s.state === "ok")} ok`}</span>{" "}
        <span class={failing.length ? "badge bad" : "badge"} safe>{`${failing.length} failing`}</span>{" "}
        <span class="badge" safe>{`${count(sources, (s) => s.state === "disabled")} disabled`}</span>
        {count(sources, (s) => s.state === "starting") ? <span class="badge warn" safe>{` ${count(sources, (s) => s.state === "starting")} starting`}</span> : ""}
      </p>
      {failing.length ? (
        <ul class="plain">
          {failing.map((source) => (
            <li>
              <strong safe>{source.id}</strong>: <span class="mono" safe>{source.lastError ?? "failing"}</span>
            </li>
          ))}
        </ul>
      ) : (
        ""
      )}
    </>
  );
}

function JobsSummary({ jobs }: { jobs: JobStatus[] }): JSX.Element {
  const failed = jobs.filter((job) => job.lastStatus === "failed" || job.lastStatus === "timed_out");
  return (
    <p>
      <span safe>{`${count(jobs, (job) => job.enabled)} of ${jobs.length} jobs scheduled. `}</span>
      {failed.length ? <span class="badge bad" safe>{`last run failed: ${failed.map((job) => job.name).join(", ")}`}</span> : <span class="muted">No failed runs.</span>}
    </p>
  );
}

/** The part htmx reloads: appliance, sources and jobs. */
export function DashboardStatus(props: DashboardProps): JSX.Element {
  return (
    <div id="dashboard-status" class="grid" hx-get="/dashboard/status" hx-trigger={`every ${DASHBOARD_REFRESH_SECONDS}s`} hx-swap="outerHTML">
      <section class="card">
        <h2>Haulbox is running</h2>
        <dl class="facts">
          <dt>Version</dt>
          <dd safe>{`${props.version} (${props.commit})`}</dd>
          <dt>Up for</dt>
          <dd>
            <span safe>{formatDuration(props.now - props.startedAt)}</span> <span class="muted">since <Time at={props.startedAt} /></span>
          </dd>
          <dt>Database</dt>
          <dd safe>{`${formatBytes(props.databaseBytes)}, healthy`}</dd>
          {props.owner ? (
            <>
              <dt>Config</dt>
              <dd class="mono" safe>{props.owner.configFile}</dd>
              <dt>Data folder</dt>
              <dd class="mono" safe>{props.owner.dataDir}</dd>
            </>
          ) : (
            ""
          )}
        </dl>
      </section>
      <section class="card">
        <h2>
          <a href="/sources">Sources and jobs</a>
        </h2>
        <SourcesSummary sources={props.sources} />
        <JobsSummary jobs={props.jobs} />
        {props.deadLetters24h !== null ? (
          <p>
            <a href="/dead-letters" safe>{`${props.deadLetters24h} dead letter${props.deadLetters24h === 1 ? "" : "s"} in the last 24 h`}</a>
            {props.deadLetters24h ? <span class="muted"> — messages that could not be stored, with the reason.</span> : ""}
          </p>
        ) : (
          ""
        )}
      </section>
    </div>
  );
}

/** Steps a new owner takes; each is ticked once done. */
function GettingStarted({ owner, sources }: { owner: NonNullable<DashboardProps["owner"]>; sources: SourceStatus[] }): JSX.Element {
  const steps = [
    { done: true, text: "Create the owner account." },
    { done: owner.userCount > 1, text: "Add your dispatchers, drivers and viewers under Settings → Users.", href: "/settings" },
    { done: owner.realDevices > 0, text: "Add your trucks and the gateway or phone on each (Trucks → Devices); the demo fleet shows the way until then.", href: "/trucks/devices" },
    { done: sources.some((source) => source.kind === "loadboard"), text: "Connect a load board: add it under sources: in the configuration file (see config.example.yaml), then reload it.", href: "/sources" },
    { done: owner.tokenCount > 0, text: "Optional: create an API token for scripts or monitoring under Settings → API tokens.", href: "/settings" },
  ];
  return (
    <section class="card">
      <h2>Getting started</h2>
      <ol class="checklist">
        {steps.map((step) => (
          <li class={step.done ? "done" : undefined}>
            <span aria-hidden="true">{step.done ? "✓" : "○"}</span> {step.href && !step.done ? <a href={step.href} safe>{step.text}</a> : <span safe>{step.text}</span>}
            {step.done ? <span class="sr-only"> (done)</span> : ""}
          </li>
        ))}
      </ol>
    </section>
  );
}

/**
 * The fleet map and truck list. With no trucks there is nothing to map (and no reason to fetch
 * tiles), so it says how to add one instead.
 */
function FleetSection({ vehicles, settings, canAddTrucks }: DashboardProps["fleet"]): JSX.Element {
  if (!vehicles.length) {
    return (
      <section class="card" id="fleet">
        <h2>Fleet</h2>
        <p class="muted">
          No trucks yet. {canAddTrucks ? <a href="/trucks#add-truck">Add a truck</a> : "A dispatcher or the owner adds them"}, then its device, and it appears here on the map.
        </p>
      </section>
    );
  }
  const counts = (["moving", "idle", "off", "offline"] as const).map((status) => `${vehicles.filter((v) => v.status === status).length} ${status}`).join(" · ");
  return (
    <section class="card" id="fleet">
      <MapAssets />
      <h2>
        <a href="/trucks">Fleet</a> <span class="muted small" safe>{counts}</span>
      </h2>
      <div class="fleet-grid">
        <FleetMap vehicles={vehicles.map(mapVehicle)} settings={settings} />
        <FleetList vehicles={vehicles} />
      </div>
    </section>
  );
}

/** The whole dashboard body. */
export function DashboardPage(props: DashboardProps): JSX.Element {
  return (
    <>
      <h1>Dashboard</h1>
      <FleetSection {...props.fleet} />
      <DashboardStatus {...props} />
      {props.owner ? <GettingStarted owner={props.owner} sources={props.sources} /> : ""}
    </>
  );
}
