/** @jsxImportSource @kitajs/html */
/**
 * The Trucks pages: the list (status, last seen, fuel, odometer in US units) with the add-truck
 * form, and one truck's page (live readings, today's track and trips, charts over a chosen range,
 * faults with lamp badges, devices). Everything a user or device typed is rendered with `safe`;
 * chart and track data travel as JSON in data attributes for /static/truck-charts.js and
 * /static/fleet-map.js, and the page reads completely without them.
 */
import { BestLoads, type BestLoadsProps } from "../loads/best";
import { TruckMoneyCard } from "../loads/money";
import type { TruckMoney } from "../../src/loads/money-report";
import type { Device } from "../../src/telemetry/fleet";
import type { FaultView, TripView, VehicleOverview } from "../../src/telemetry/queries";
import { formatFahrenheit, formatFuel, formatHours, formatMiles, formatMph } from "../../src/telemetry/queries";
import { ASSET_VERSION } from "../../src/version";
import { CardTable, CsrfField, Flash, Time } from "../components";
import { DemoBadge, FleetMap, MapAssets, jsonAttribute, mapVehicle, StatusChip, type MapSettings } from "../fleet/map";

/** A message after a form post. */
export interface PageFlash {
  kind: "success" | "error" | "notice";
  message: string;
}

/** What the trucks list shows. */
export interface TrucksPageProps {
  vehicles: VehicleOverview[];
  /** May add trucks and manage devices (dispatch, in a browser session). */
  canEdit: boolean;
  csrfToken?: string;
  flash?: PageFlash;
  /** Values to put back in the add form after a refused post. */
  form?: Record<string, string>;
  pendingDevices: number;
}

const dash = <span class="muted">—</span>;

/** The value, or a muted dash. */
function Value({ text }: { text: string | null | undefined }): JSX.Element {
  return text ? <span safe>{text}</span> : dash;
}

function AddTruckForm({ csrfToken, form = {} }: { csrfToken?: string; form?: Record<string, string> }): JSX.Element {
  return (
    <section class="card" id="add-truck">
      <h2>Add a truck</h2>
      <form method="post" action="/trucks" class="stack">
        <CsrfField token={csrfToken} />
        <div class="form-grid">
          <label>
            Unit number
            <input name="unit" required maxlength="32" value={form.unit ?? ""} autocomplete="off" />
          </label>
          <label>
            Name
            <input name="name" maxlength="80" value={form.name ?? ""} />
          </label>
          <label>
            VIN
            <input name="vin" maxlength="17" value={form.vin ?? ""} autocomplete="off" />
          </label>
          <label>
            Make
            <input name="make" maxlength="40" value={form.make ?? ""} />
          </label>
          <label>
            Model
            <input name="model" maxlength="40" value={form.model ?? ""} />
          </label>
          <label>
            Year
            <input name="year" inputmode="numeric" value={form.year ?? ""} />
          </label>
          <label>
            Fuel economy (mpg)
            <input name="mpg" inputmode="decimal" value={form.mpg ?? ""} />
          </label>
          <label>
            Tank (gallons)
            <input name="tank_gal" inputmode="decimal" value={form.tank_gal ?? ""} />
          </label>
          <label>
            Equipment codes
            <input name="equipment" placeholder="V,R" value={form.equipment ?? ""} />
          </label>
          <label>
            Home base
            <input name="home_base" maxlength="80" value={form.home_base ?? ""} />
          </label>
        </div>
        <div>
          <button type="submit">Add truck</button>
        </div>
      </form>
    </section>
  );
}

/** The trucks list page. */
export function TrucksPage(props: TrucksPageProps): JSX.Element {
  return (
    <>
      <link rel="stylesheet" href={`/static/fleet.css?v=${ASSET_VERSION}`} />
      <h1>Trucks</h1>
      <p class="muted">
        <a href="/trucks/devices">Devices</a>
        {props.pendingDevices ? <span class="badge warn" safe>{` ${props.pendingDevices} waiting to be adopted`}</span> : ""} · <a href="/dead-letters">Dead letters</a>
      </p>
      {props.flash ? (
        <Flash kind={props.flash.kind}>
          <span safe>{props.flash.message}</span>
        </Flash>
      ) : (
        ""
      )}
      <section class="card">
        {props.vehicles.length ? (
          <CardTable columns={["Truck", "Status", "Last seen", "Speed", "Fuel", "Odometer", "Faults"]}>
            {props.vehicles.map((overview) => (
              <tr id={`truck-${overview.vehicle.id}`}>
                <td data-label="Truck">
                  <a href={`/trucks/${overview.vehicle.id}`}>
                    <strong safe>{overview.vehicle.unit}</strong>
                  </a>{" "}
                  <DemoBadge demo={overview.vehicle.demo} />
                  <div class="muted" safe>
                    {overview.vehicle.name}
                  </div>
                </td>
                <td data-label="Status">
                  <StatusChip status={overview.status} />
                </td>
                <td data-label="Last seen">
                  <Time at={overview.state?.last_seen} />
                </td>
                <td data-label="Speed">
                  <Value text={overview.status === "moving" ? formatMph(overview.state?.speed_kmh) : null} />
                </td>
                <td data-label="Fuel">
                  <Value text={formatFuel(overview.state?.fuel_level_pct, overview.vehicle.tank_l)} />
                </td>
                <td data-label="Odometer">
                  <Value text={formatMiles(overview.state?.odometer_km)} />
                </td>
                <td data-label="Faults">
                  <span class={overview.active_faults ? "badge bad" : "badge"} safe>{String(overview.active_faults)}</span>
                </td>
              </tr>
            ))}
          </CardTable>
        ) : (
          <p class="notice">No trucks yet. {props.canEdit ? "Add one below, then add its device (gateway or phone tracker)." : "A dispatcher or the owner adds them."}</p>
        )}
      </section>
      {props.canEdit ? <AddTruckForm csrfToken={props.csrfToken} form={props.form} /> : ""}
    </>
  );
}

/** The ranges the truck page charts offer. */
export const CHART_RANGES = { today: "Today", "24h": "24 hours", "7d": "7 days" } as const;
export type ChartRange = keyof typeof CHART_RANGES;

/** Chart series: [timestamps in seconds, values] per chart, already in US units. */
export interface ChartSeries {
  speed: [number[], (number | null)[]];
  fuel: [number[], (number | null)[]];
  coolant: [number[], (number | null)[]];
}

/** What one truck's page shows. */
export interface TruckPageProps {
  overview: VehicleOverview;
  devices: Device[];
  activeFaults: FaultView[];
  recentFaults: FaultView[];
  trips: TripView[];
  track: [number, number][];
  range: ChartRange;
  series: ChartSeries;
  settings: MapSettings;
  /** "Best loads now" (the loads feature's matches for this truck). */
  bestLoads?: BestLoadsProps;
  /** Revenue, cost and net per week and month. */
  money?: { weeks: TruckMoney[]; months: TruckMoney[] };
}

const LAMP_LABELS = { red_stop: "Stop", amber_warning: "Warning", mil: "Check engine", protect: "Protect" } as const;

/** Badges for the lamps a fault lit, most severe first. */
function Lamps({ fault }: { fault: FaultView }): JSX.Element {
  const lit = (Object.keys(LAMP_LABELS) as (keyof typeof LAMP_LABELS)[]).filter((lamp) => fault.lamps[lamp] !== "off");
  if (!lit.length) return <span class="muted">no lamp</span>;
  return (
    <>
      {lit.map((lamp) => (
        <span class={`lamp ${lamp}${fault.lamps[lamp].includes("flash") ? " flash" : ""}`} title={fault.lamps[lamp].replace("_", " ")}>
          {LAMP_LABELS[lamp] + (fault.lamps[lamp].includes("flash") ? " (flashing)" : "")}
        </span>
      ))}
    </>
  );
}

function FaultsTable({ faults, emptyText }: { faults: FaultView[]; emptyText: string }): JSX.Element {
  if (!faults.length) return <p class="muted" safe>{emptyText}</p>;
  return (
    <CardTable columns={["Code", "What", "Lamps", "First seen", "Last seen", "Cleared"]}>
      {faults.map((fault) => (
        <tr>
          <td data-label="Code" class="mono" safe>{`SPN ${fault.spn} / FMI ${fault.fmi}`}</td>
          <td data-label="What">
            <strong safe>{fault.spn_name}</strong>
            <div class="muted" safe>
              {`${fault.fmi_text} · ECU ${fault.source_address} · seen ${fault.oc}×`}
            </div>
          </td>
          <td data-label="Lamps">
            <Lamps fault={fault} />
          </td>
          <td data-label="First seen">
            <Time at={fault.first_seen} />
          </td>
          <td data-label="Last seen">
            <Time at={fault.last_seen} />
          </td>
          <td data-label="Cleared">{fault.cleared_at ? <Time at={fault.cleared_at} /> : <span class="badge bad">active</span>}</td>
        </tr>
      ))}
    </CardTable>
  );
}

/** One live reading tile. */
function Reading({ label, text, id }: { label: string; text: string | null; id: string }): JSX.Element {
  return (
    <div>
      <dt safe>{label}</dt>
      <dd id={id}>{text ? <span safe>{text}</span> : dash}</dd>
    </div>
  );
}

/** One truck's page. */
export function TruckPage(props: TruckPageProps): JSX.Element {
  const { vehicle, state } = props.overview;
  const details = [vehicle.year ? String(vehicle.year) : "", vehicle.make ?? "", vehicle.model ?? ""].filter(Boolean).join(" ");
  return (
    <>
      <MapAssets charts />
      <p class="muted">
        <a href="/trucks">← Trucks</a>
      </p>
      <h1>
        <span safe>{`Truck ${vehicle.unit}`}</span> <StatusChip status={props.overview.status} /> <DemoBadge demo={vehicle.demo} />
      </h1>
      <p class="muted" safe>
        {[vehicle.name, details, vehicle.vin ? `VIN ${vehicle.vin}` : "", vehicle.home_base ? `based in ${vehicle.home_base}` : ""].filter(Boolean).join(" · ") || "No details yet."}
      </p>
      <section class="card">
        <h2>Now</h2>
        <dl class="readings">
          <Reading id="reading-speed" label="Speed" text={formatMph(state?.speed_kmh)} />
          <Reading id="reading-fuel" label="Fuel" text={formatFuel(state?.fuel_level_pct, vehicle.tank_l)} />
          <Reading id="reading-odometer" label="Odometer" text={formatMiles(state?.odometer_km)} />
          <Reading id="reading-hours" label="Engine hours" text={formatHours(state?.engine_hours)} />
          <Reading id="reading-coolant" label="Coolant" text={formatFahrenheit(state?.coolant_c)} />
          <Reading id="reading-rpm" label="Engine speed" text={state?.engine_rpm === null || state?.engine_rpm === undefined ? null : `${Math.round(state.engine_rpm)} rpm`} />
          <Reading id="reading-battery" label="Battery" text={state?.battery_v === null || state?.battery_v === undefined ? null : `${state.battery_v.toFixed(1)} V`} />
          <div>
            <dt>Last heard</dt>
            <dd class="small">
              <Time at={state?.last_seen} />
            </dd>
          </div>
        </dl>
      </section>
      {props.bestLoads ? <BestLoads {...props.bestLoads} /> : ""}
      {props.money ? <TruckMoneyCard {...props.money} /> : ""}
      <section class="card">
        <h2>Today's track</h2>
        <FleetMap vehicles={[mapVehicle(props.overview)]} settings={props.settings} track={props.track} small />
        {props.trips.length ? (
          <CardTable columns={["Trip", "Started", "Ended", "Distance"]}>
            {props.trips.map((trip, index) => (
              <tr>
                <td data-label="Trip" safe>{String(index + 1)}</td>
                <td data-label="Started">
                  <Time at={trip.start_ts} />
                </td>
                <td data-label="Ended">{trip.end_ts ? <Time at={trip.end_ts} /> : <span class="badge ok">under way</span>}</td>
                <td data-label="Distance" safe>
                  {`${formatMiles(trip.distance_km)}${trip.distance_source === "gps" ? " (GPS)" : ""}`}
                </td>
              </tr>
            ))}
          </CardTable>
        ) : (
          <p class="muted">{props.track.length ? "No trips recorded today." : "No positions today."}</p>
        )}
      </section>
      <section class="card" id="charts">
        <h2>Charts</h2>
        <nav class="range-tabs" aria-label="Chart range">
          {(Object.keys(CHART_RANGES) as ChartRange[]).map((range) => (
            <a href={`/trucks/${vehicle.id}?range=${range}#charts`} class={range === props.range ? "active" : undefined} aria-current={range === props.range ? "true" : undefined}>
              {CHART_RANGES[range]}
            </a>
          ))}
        </nav>
        <div class="charts" id="truck-charts" data-series={jsonAttribute(props.series)}>
          <div class="chart" data-chart="speed">
            <h3>Speed (mph)</h3>
          </div>
          <div class="chart" data-chart="fuel">
            <h3>Fuel level (%)</h3>
          </div>
          <div class="chart" data-chart="coolant">
            <h3>Coolant (°F)</h3>
          </div>
          <noscript>
            <p class="muted">Charts need JavaScript; the readings above are current.</p>
          </noscript>
        </div>
      </section>
      <section class="card" id="faults">
        <h2>Active faults</h2>
        <FaultsTable faults={props.activeFaults} emptyText="No active fault codes." />
        <h2>Recent faults</h2>
        <FaultsTable faults={props.recentFaults} emptyText="No cleared fault codes yet." />
      </section>
      <section class="card" id="devices">
        <h2>Devices</h2>
        {props.devices.length ? (
          <CardTable columns={["Device", "Status", "Last seen", "Heard on"]}>
            {props.devices.map((device) => (
              <tr>
                <td data-label="Device" class="mono" safe>
                  {device.id}
                </td>
                <td data-label="Status">
                  <span class={device.status === "active" ? "badge ok" : device.status === "pending" ? "badge warn" : "badge"}>{device.status}</span>
                </td>
                <td data-label="Last seen">
                  <Time at={device.last_seen} />
                </td>
                <td data-label="Heard on" class="mono" safe>
                  {device.last_topic ?? device.last_source ?? "—"}
                </td>
              </tr>
            ))}
          </CardTable>
        ) : (
          <p class="muted">No device reports for this truck yet.</p>
        )}
        <p>
          <a href="/trucks/devices">Manage devices</a>
        </p>
      </section>
    </>
  );
}
