/** @jsxImportSource @kitajs/html */
/**
 * The Devices page (under Trucks): pending devices first with an adopt form, every device with its
 * truck, status and last contact, the add-device form, reset secret and disable. A new or reset
 * secret is shown once, right after the post, with the MQTT and HTTP settings to type into the
 * gateway; only its hash is kept. Device ids, topics and sources come from the wire: all `safe`.
 */
import type { Device, Vehicle } from "../../src/telemetry/fleet";
import { CardTable, CsrfField, Flash, Time } from "../components";
import type { PageFlash } from "./page";

/** Credentials to show once. */
export interface ShownCredentials {
  deviceId: string;
  secret: string;
  unit: string | null;
}

/** What the devices page shows. */
export interface DevicesPageProps {
  devices: Device[];
  vehicles: Vehicle[];
  canEdit: boolean;
  csrfToken?: string;
  flash?: PageFlash;
  credentials?: ShownCredentials;
  /** Dead letters in the last 24 hours, for the link. */
  deadLetters24h: number;
}

function VehicleSelect({ vehicles, selected }: { vehicles: Vehicle[]; selected?: number | null }): JSX.Element {
  return (
    <select name="vehicle_id" required aria-label="Truck">
      <option value="">Pick a truck…</option>
      {vehicles.map((vehicle) => (
        <option value={String(vehicle.id)} selected={vehicle.id === selected} safe>
          {vehicle.name ? `${vehicle.unit} · ${vehicle.name}` : vehicle.unit}
        </option>
      ))}
    </select>
  );
}

function Credentials({ credentials }: { credentials: ShownCredentials }): JSX.Element {
  return (
    <section class="credentials" role="status" id="credentials">
      <h2 safe>{`Credentials for ${credentials.deviceId}`}</h2>
      <p>
        <strong>Copy these now: the secret is shown only this once.</strong> Haulbox keeps only a hash of it; if it is lost, reset it.
      </p>
      <dl class="facts">
        <dt>MQTT username</dt>
        <dd>
          <code safe>{credentials.deviceId}</code>
        </dd>
        <dt>MQTT password</dt>
        <dd>
          <code safe>{credentials.secret}</code>
        </dd>
        <dt>HTTP token</dt>
        <dd>
          <code safe>{credentials.secret}</code>
        </dd>
        {credentials.unit ? (
          <>
            <dt>Truck</dt>
            <dd safe>{credentials.unit}</dd>
          </>
        ) : (
          ""
        )}
      </dl>
    </section>
  );
}

function DeviceRow({ device, vehicles, canEdit, csrfToken }: { device: Device; vehicles: Vehicle[]; canEdit: boolean; csrfToken?: string }): JSX.Element {
  const vehicle = vehicles.find((v) => v.id === device.vehicle_id);
  const base = `/trucks/devices/${encodeURIComponent(device.id)}`;
  return (
    <tr id={`device-${device.id}`}>
      <td data-label="Device">
        <strong class="mono" safe>
          {device.id}
        </strong>
        {device.name ? <div class="muted" safe>{device.name}</div> : ""}
        {device.demo ? <span class="badge demo">demo</span> : ""}
      </td>
      <td data-label="Status">
        <span class={device.status === "active" ? "badge ok" : device.status === "pending" ? "badge warn" : "badge"}>{device.status}</span>
      </td>
      <td data-label="Truck">{vehicle ? <a href={`/trucks/${vehicle.id}`} safe>{vehicle.unit}</a> : <span class="muted">none</span>}</td>
      <td data-label="First / last seen">
        <Time at={device.first_seen} /> / <Time at={device.last_seen} />
      </td>
      <td data-label="Heard on" class="mono" safe>
        {device.last_topic ?? device.last_source ?? "—"}
      </td>
      {canEdit ? (
        <td>
          {device.status === "pending" ? (
            <form method="post" action={`${base}/adopt`} class="inline">
              <CsrfField token={csrfToken} />
              <VehicleSelect vehicles={vehicles} />
              <button type="submit">Adopt</button>
            </form>
          ) : (
            <>
              <form method="post" action={`${base}/reset`} class="inline">
                <CsrfField token={csrfToken} />
                <button type="submit" class="secondary">
                  Reset secret
                </button>
              </form>{" "}
              <form method="post" action={`${base}/disable`} class="inline">
                <CsrfField token={csrfToken} />
                <input type="hidden" name="disabled" value={device.status === "disabled" ? "0" : "1"} />
                <button type="submit" class={device.status === "disabled" ? "secondary" : "danger"}>
                  {device.status === "disabled" ? "Enable" : "Disable"}
                </button>
              </form>
            </>
          )}
        </td>
      ) : (
        ""
      )}
    </tr>
  );
}

/** The devices page body. */
export function DevicesPage(props: DevicesPageProps): JSX.Element {
  const pending = props.devices.filter((device) => device.status === "pending").length;
  return (
    <>
      <p class="muted">
        <a href="/trucks">← Trucks</a>
      </p>
      <h1>Devices</h1>
      <p class="muted">
        Gateways and phone trackers that report for your trucks. A device Haulbox hears but does not know waits here as <em>pending</em> until you adopt it to a truck.{" "}
        <a href="/dead-letters" safe>{`Dead letters (${props.deadLetters24h} in the last 24 h)`}</a>
      </p>
      {props.flash ? (
        <Flash kind={props.flash.kind}>
          <span safe>{props.flash.message}</span>
        </Flash>
      ) : (
        ""
      )}
      {props.credentials ? <Credentials credentials={props.credentials} /> : ""}
      {pending ? <p class="notice" safe>{`${pending} device${pending === 1 ? " is" : "s are"} waiting to be adopted.`}</p> : ""}
      <section class="card">
        {props.devices.length ? (
          <CardTable columns={["Device", "Status", "Truck", "First / last seen", "Heard on", props.canEdit && ""]}>
            {props.devices.map((device) => (
              <DeviceRow device={device} vehicles={props.vehicles} canEdit={props.canEdit} csrfToken={props.csrfToken} />
            ))}
          </CardTable>
        ) : (
          <p class="muted">No devices yet.</p>
        )}
      </section>
      {props.canEdit ? (
        <section class="card" id="add-device">
          <h2>Add a device</h2>
          {props.vehicles.length ? (
            <form method="post" action="/trucks/devices" class="stack">
              <CsrfField token={props.csrfToken} />
              <div class="form-grid">
                <label>
                  Device id
                  <input name="id" required maxlength="64" pattern="[A-Za-z0-9][A-Za-z0-9_.:\-]{0,63}" placeholder="gw-101" autocomplete="off" />
                </label>
                <label>
                  Truck
                  <VehicleSelect vehicles={props.vehicles} />
                </label>
                <label>
                  Name (optional)
                  <input name="name" maxlength="80" />
                </label>
              </div>
              <div>
                <button type="submit">Add device</button>
              </div>
            </form>
          ) : (
            <p class="muted">
              <a href="/trucks#add-truck">Add a truck</a> first.
            </p>
          )}
        </section>
      ) : (
        ""
      )}
    </>
  );
}
