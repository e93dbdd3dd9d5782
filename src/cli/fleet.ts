/**
 * `haulbox vehicle …` and `haulbox device …`: add and list trucks and their devices from the shell
 * (first setup over SSH, scripts). `device add` prints the device's MQTT and HTTP credentials —
 * the only time the secret is shown; Haulbox keeps its hash.
 */
import { Fleet, FleetInputError, type VehicleInput } from "../telemetry/fleet";
import { gallonsToLitres } from "../domain/units";
import type { Command } from "./index";
import { openConfiguredDatabase, parseCommonArgs, type CommonArgValues } from "./args";

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows.map((row) => row.map((cell, i) => cell.padEnd(widths[i]!)).join("  ").trimEnd()).join("\n");
}

function when(at: number | null): string {
  return at ? new Date(at).toISOString().replace("T", " ").slice(0, 16) + "Z" : "never";
}

/** Opens the configured database and a Fleet over it; `close()` when done. */
async function openFleet(values: CommonArgValues) {
  const opened = await openConfiguredDatabase(values);
  return { fleet: new Fleet(opened.db), close: () => opened.db.close() };
}

/** A number option, or null when absent; a typo stays NaN so the fleet service refuses it by name. */
function numberOption(value: string | boolean | undefined): number | null {
  return typeof value === "string" && value.trim() !== "" ? Number(value) : null;
}

const VEHICLE_OPTIONS = {
  name: { type: "string" },
  vin: { type: "string" },
  make: { type: "string" },
  model: { type: "string" },
  year: { type: "string" },
  mpg: { type: "string" },
  "tank-gal": { type: "string" },
  equipment: { type: "string" },
  "home-base": { type: "string" },
} as const;

export const vehicleCommand: Command = {
  summary: "Add and list trucks",
  usage: [
    "haulbox vehicle add UNIT [--name N] [--vin V] [--make M] [--model M] [--year Y] [--mpg X] [--tank-gal G] [--equipment V,R] [--home-base TEXT]",
    "       haulbox vehicle list",
    "Every form also takes --config FILE and --data-dir DIR.",
  ].join("\n"),
  async run(args) {
    const { values, positionals } = parseCommonArgs(args, VEHICLE_OPTIONS);
    const [action, unit] = positionals;
    if (action === "list") {
      const { fleet, close } = await openFleet(values);
      try {
        const vehicles = fleet.vehicles();
        if (!vehicles.length) console.log("no trucks yet: `haulbox vehicle add UNIT --name NAME`");
        else console.log(table([["ID", "UNIT", "NAME", "VIN", "MPG", "DEVICES"], ...vehicles.map((v) => [String(v.id), v.unit + (v.demo ? " (demo)" : ""), v.name, v.vin ?? "", v.mpg === null ? "" : String(v.mpg), fleet.devicesOf(v.id).map((d) => d.id).join(",")])]));
        return 0;
      } finally {
        close();
      }
    }
    if (action !== "add" || !unit) {
      console.error(`usage: ${this.usage}`);
      return 2;
    }
    const tankGallons = numberOption(values["tank-gal"]);
    const input: VehicleInput = {
      unit,
      name: values.name,
      vin: values.vin ?? null,
      make: values.make ?? null,
      model: values.model ?? null,
      year: numberOption(values.year),
      mpg: numberOption(values.mpg),
      tank_l: tankGallons === null ? null : gallonsToLitres(tankGallons),
      equipment: values.equipment ? String(values.equipment).split(/[\s,]+/).filter(Boolean) : [],
      home_base: values["home-base"] ?? null,
    };
    const { fleet, close } = await openFleet(values);
    try {
      const vehicle = fleet.createVehicle(input);
      console.log(`truck ${vehicle.unit} added (id ${vehicle.id})`);
      return 0;
    } catch (error) {
      if (error instanceof FleetInputError) {
        console.error(`haulbox vehicle add: ${error.message}`);
        return 1;
      }
      throw error;
    } finally {
      close();
    }
  },
};

export const deviceCommand: Command = {
  summary: "Add devices to trucks (prints their credentials once) and list them",
  usage: [
    "haulbox device add ID --vehicle UNIT [--name N]   (prints the MQTT and HTTP credentials, once)",
    "       haulbox device list",
    "Every form also takes --config FILE and --data-dir DIR. A running Haulbox picks up a new device on its next login.",
  ].join("\n"),
  async run(args) {
    const { values, positionals } = parseCommonArgs(args, { vehicle: { type: "string" }, name: { type: "string" } });
    const [action, id] = positionals;
    if (action === "list") {
      const { fleet, close } = await openFleet(values);
      try {
        const devices = fleet.devices();
        const units = new Map(fleet.vehicles().map((v) => [v.id, v.unit]));
        if (!devices.length) console.log("no devices yet: `haulbox device add ID --vehicle UNIT`");
        else console.log(table([["DEVICE", "STATUS", "TRUCK", "LAST SEEN", "HEARD ON"], ...devices.map((d) => [d.id, d.status, d.vehicle_id ? (units.get(d.vehicle_id) ?? "?") : "", when(d.last_seen), d.last_topic ?? d.last_source ?? ""])]));
        return 0;
      } finally {
        close();
      }
    }
    if (action !== "add" || !id || !values.vehicle) {
      console.error(`usage: ${this.usage}`);
      return 2;
    }
    const { fleet, close } = await openFleet(values);
    try {
      const vehicle = fleet.vehicleByUnit(String(values.vehicle));
      if (!vehicle) {
        console.error(`haulbox device add: no truck with unit ${values.vehicle} (see \`haulbox vehicle list\`)`);
        return 1;
      }
      const { device, secret } = fleet.createDevice({ id, vehicle_id: vehicle.id, name: values.name });
      console.log(
        [
          `device ${device.id} added to truck ${vehicle.unit}. Its secret is shown only now; Haulbox keeps only a hash.`,
          "",
          `  MQTT username  ${device.id}`,
          `  MQTT password  ${secret}`,
          `  HTTP token     ${secret}`,
        ].join("\n"),
      );
      return 0;
    } catch (error) {
      if (error instanceof FleetInputError) {
        console.error(`haulbox device add: ${error.message}`);
        return 1;
      }
      throw error;
    } finally {
      close();
    }
  },
};
