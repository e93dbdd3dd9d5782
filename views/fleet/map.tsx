/** @jsxImportSource @kitajs/html */
/**
 * The fleet map and the truck list beside it, shared by the dashboard and the truck page. The map
 * is drawn by /static/fleet-map.js (Leaflet) from JSON in data attributes; the list is plain HTML,
 * so the page reads without JavaScript and the script only moves markers and updates chips as live
 * events arrive. Truck names and units come from users: rendered with `safe`, and in the script
 * only through textContent.
 */
import type { VehicleStatus } from "../../src/domain/vehicle-status";
import { formatFuel, formatMph, type VehicleOverview } from "../../src/telemetry/queries";
import { ASSET_VERSION } from "../../src/version";
import { Time } from "../components";

/** What the map script needs about one truck. */
export interface MapVehicle {
  id: number;
  unit: string;
  name: string;
  demo: boolean;
  lat: number | null;
  lon: number | null;
  heading: number | null;
  speed_mph: number | null;
  status: VehicleStatus;
  last_seen: number | null;
  active_faults: number;
}

/** Map settings from the config. */
export interface MapSettings {
  /** Tile URL template; empty shows only the bundled outline. */
  tileUrl: string;
  attribution: string;
  /** Silence after which the script marks a truck offline itself (no event says so). */
  offlineAfterMs: number;
}

/** The map script's view of a vehicle overview. */
export function mapVehicle(overview: VehicleOverview): MapVehicle {
  const state = overview.state;
  return {
    id: overview.vehicle.id,
    unit: overview.vehicle.unit,
    name: overview.vehicle.name,
    demo: overview.vehicle.demo,
    lat: state?.lat ?? null,
    lon: state?.lon ?? null,
    heading: state?.heading ?? null,
    speed_mph: state?.speed_kmh === null || state?.speed_kmh === undefined ? null : Math.round(state.speed_kmh / 1.609344),
    status: overview.status,
    last_seen: state?.last_seen ?? null,
    active_faults: overview.active_faults,
  };
}

/**
 * JSON for a data attribute. kitajs escapes only `"` in attributes, so `&` (which the browser would
 * decode as an entity) and `<`/`>` are written as JSON escapes: the parsed value is exactly the input.
 */
export function jsonAttribute(value: unknown): string {
  return JSON.stringify(value).replace(/&/g, "\\u0026").replace(/</g, "\\u003c").replace(/>/g, "\\u003e").replace(/'/g, "\\u0027");
}

/** The stylesheet and scripts the map needs (in the body: the layout's head is shared by every page). */
export function MapAssets({ charts = false }: { charts?: boolean }): JSX.Element {
  return (
    <>
      <link rel="stylesheet" href={`/static/leaflet.css?v=${ASSET_VERSION}`} />
      <link rel="stylesheet" href={`/static/fleet.css?v=${ASSET_VERSION}`} />
      {charts ? <link rel="stylesheet" href={`/static/uPlot.min.css?v=${ASSET_VERSION}`} /> : ""}
      <script src={`/static/leaflet.js?v=${ASSET_VERSION}`} defer></script>
      <script src={`/static/fleet-map.js?v=${ASSET_VERSION}`} defer></script>
      {charts ? <script src={`/static/uPlot.iife.min.js?v=${ASSET_VERSION}`} defer></script> : ""}
      {charts ? <script src={`/static/truck-charts.js?v=${ASSET_VERSION}`} defer></script> : ""}
    </>
  );
}

/** A status chip: moving, idle, off or offline. */
export function StatusChip({ status }: { status: VehicleStatus }): JSX.Element {
  return (
    <span class={`chip status-${status}`} data-status-chip>
      {status}
    </span>
  );
}

/** The "demo" marker on simulated trucks. */
export function DemoBadge({ demo }: { demo: boolean }): JSX.Element {
  return demo ? (
    <span class="badge demo" title="A simulated truck from the demo fleet">
      demo
    </span>
  ) : (
    ""
  );
}

/** The map element; `track` draws a line (the truck page's day), `live` subscribes to /live/vehicles, `small` is the one-truck map. */
export function FleetMap({ vehicles, settings, track, live = true, small = false }: { vehicles: MapVehicle[]; settings: MapSettings; track?: [number, number][]; live?: boolean; small?: boolean }): JSX.Element {
  return (
    <div class="map-box">
      <div
        id="fleet-map"
        class={small ? "fleet-map small" : "fleet-map"}
        role="img"
        aria-label={`Map of ${vehicles.length} truck${vehicles.length === 1 ? "" : "s"}`}
        data-vehicles={jsonAttribute(vehicles)}
        data-track={track ? jsonAttribute(track) : undefined}
        data-single={small ? "true" : undefined}
        data-settings={jsonAttribute({ ...settings, live: live ? "/live/vehicles" : null, outline: `/static/us-states.geojson?v=${ASSET_VERSION}` })}
      >
        <noscript>
          <p class="muted map-fallback">The map needs JavaScript; the list shows every truck.</p>
        </noscript>
      </div>
      <div class="map-legend" aria-hidden="true">
        <span class="chip status-moving">moving</span> <span class="chip status-idle">idle</span> <span class="chip status-off">off</span> <span class="chip status-offline">offline</span>
      </div>
    </div>
  );
}

/** One truck in the list beside the map. */
function FleetListItem({ overview }: { overview: VehicleOverview }): JSX.Element {
  const { vehicle, state } = overview;
  const speed = formatMph(state?.speed_kmh);
  const fuel = formatFuel(state?.fuel_level_pct, vehicle.tank_l);
  return (
    <li class="fleet-item" id={`truck-${vehicle.id}`} data-vehicle-id={String(vehicle.id)}>
      <a href={`/trucks/${vehicle.id}`} class="fleet-link">
        <strong class="unit" safe>
          {vehicle.unit}
        </strong>{" "}
        <span class="muted name" safe>
          {vehicle.name}
        </span>
      </a>{" "}
      <DemoBadge demo={vehicle.demo} />
      <div class="fleet-meta">
        <StatusChip status={overview.status} />{" "}
        <span class={overview.active_faults ? "badge bad" : "badge"} data-faults={String(overview.active_faults)}>
          <span safe>{`${overview.active_faults} fault${overview.active_faults === 1 ? "" : "s"}`}</span>
        </span>{" "}
        {speed && overview.status === "moving" ? <span class="muted" data-speed safe>{speed}</span> : <span class="muted" data-speed></span>}
        {fuel ? <span class="muted" safe>{`fuel ${fuel}`}</span> : ""}
      </div>
      <div class="muted small">
        last heard <span data-last-seen>{state ? <Time at={state.last_seen} /> : "never"}</span>
      </div>
    </li>
  );
}

/** The list of trucks with status chips and fault counts, each linking to its page. */
export function FleetList({ vehicles }: { vehicles: VehicleOverview[] }): JSX.Element {
  return (
    <ul class="fleet-list" id="fleet-list">
      {vehicles.map((overview) => (
        <FleetListItem overview={overview} />
      ))}
    </ul>
  );
}
