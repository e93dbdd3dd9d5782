/**
 * Vehicles and the devices that report for them. A device has an id, a secret (stored as a hash,
 * shown once) and a vehicle. A device heard on the wire but not registered is kept as *pending*
 * with its first-seen time, so the owner can adopt it to a vehicle without touching the gateway:
 * the password it presented (on the embedded broker) becomes its secret.
 */
import type { Database } from "bun:sqlite";
import { hashToken, randomToken, safeEqual } from "../auth/secrets";

/** A device id: what a gateway puts in its topic or username. */
export const DEVICE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;

/** A bad request to the fleet service (shown to the user as is). */
export class FleetInputError extends Error {
  constructor(message: string, readonly code: "invalid" | "not_found" | "conflict" = "invalid") {
    super(message);
  }
}

export interface Vehicle {
  id: number;
  unit: string;
  name: string;
  vin: string | null;
  make: string | null;
  model: string | null;
  year: number | null;
  equipment: string[];
  tank_l: number | null;
  mpg: number | null;
  home_base: string | null;
  demo: boolean;
  created_at: number;
  updated_at: number;
}

/** What creating or editing a vehicle takes. */
export interface VehicleInput {
  unit: string;
  name?: string;
  vin?: string | null;
  make?: string | null;
  model?: string | null;
  year?: number | null;
  equipment?: string[];
  tank_l?: number | null;
  mpg?: number | null;
  home_base?: string | null;
}

export type DeviceStatus = "active" | "pending" | "disabled";

export interface Device {
  id: string;
  vehicle_id: number | null;
  status: DeviceStatus;
  name: string;
  demo: boolean;
  has_secret: boolean;
  last_source: string | null;
  last_topic: string | null;
  first_seen: number | null;
  last_seen: number | null;
  created_at: number;
}

/** How a device authenticates: checked on every MQTT connect and HTTP ingest request. */
export type DeviceCheck =
  | { ok: true; device: Device }
  | { ok: false; reason: "unknown" | "bad_secret" | "disabled" | "pending"; device: Device | null };

/** Equipment type codes a vehicle may list (DAT/Truckstop conventions). */
export const EQUIPMENT_CODES = ["V", "R", "F", "SD", "DD", "RGN", "LB", "HS", "PO", "CONT", "TNK", "AC", "HB", "VR", "FR", "CV", "BT", "SB"] as const;

/** A `vehicles` row as SQLite returns it (equipment as text, demo as 0/1). */
export type VehicleTableRow = Omit<Vehicle, "equipment" | "demo"> & { equipment: string; demo: number };
type DeviceRow = Omit<Device, "demo" | "has_secret"> & { demo: number; secret_hash: string | null };

const VEHICLE_COLUMNS = "id, unit, name, vin, make, model, year, equipment, tank_l, mpg, home_base, demo, created_at, updated_at";
const DEVICE_COLUMNS = "id, vehicle_id, status, name, demo, secret_hash, last_source, last_topic, first_seen, last_seen, created_at";

function toVehicle(row: VehicleTableRow): Vehicle {
  return { ...row, equipment: row.equipment ? row.equipment.split(",") : [], demo: row.demo === 1 };
}

function toDevice(row: DeviceRow): Device {
  const { secret_hash, ...rest } = row;
  return { ...rest, demo: row.demo === 1, has_secret: secret_hash !== null };
}

/** Checks and normalises vehicle fields; throws FleetInputError naming the field. */
function cleanVehicle(input: VehicleInput): Required<VehicleInput> {
  const unit = String(input.unit ?? "").trim();
  if (!unit || unit.length > 32) throw new FleetInputError("unit: the unit number must be 1–32 characters");
  const text = (value: string | null | undefined, field: string, max: number): string | null => {
    if (value === null || value === undefined) return null;
    const trimmed = String(value).trim();
    if (trimmed.length > max) throw new FleetInputError(`${field}: at most ${max} characters`);
    return trimmed || null;
  };
  const vin = text(input.vin, "vin", 17)?.toUpperCase() ?? null;
  if (vin && !/^[A-HJ-NPR-Z0-9]{17}$/.test(vin)) throw new FleetInputError("vin: a VIN is 17 letters and digits (no I, O or Q)");
  const year = input.year ?? null;
  if (year !== null && (!Number.isInteger(year) || year < 1980 || year > 2100)) throw new FleetInputError("year: a model year between 1980 and 2100");
  const equipment = (input.equipment ?? []).map((code) => String(code).trim().toUpperCase()).filter(Boolean);
  const unknown = equipment.filter((code) => !(EQUIPMENT_CODES as readonly string[]).includes(code));
  if (unknown.length) throw new FleetInputError(`equipment: unknown code ${unknown.join(", ")} (known: ${EQUIPMENT_CODES.join(", ")})`);
  const positive = (value: number | null | undefined, field: string, max: number): number | null => {
    if (value === null || value === undefined) return null;
    if (typeof value !== "number" || !Number.isFinite(value) || value <= 0 || value > max) throw new FleetInputError(`${field}: a number above 0 and at most ${max}`);
    return value;
  };
  return {
    unit,
    name: text(input.name, "name", 80) ?? "",
    vin,
    make: text(input.make, "make", 40),
    model: text(input.model, "model", 40),
    year,
    equipment: [...new Set(equipment)],
    tank_l: positive(input.tank_l, "tank_l", 5000),
    mpg: positive(input.mpg, "mpg", 30),
    home_base: text(input.home_base, "home_base", 80),
  };
}

/** Vehicles and devices in the database. */
export class Fleet {
  private readonly listeners = new Set<() => void>();

  constructor(private readonly db: Database, private readonly now: () => number = Date.now) {}

  /** Calls `listener` after any change to which device feeds which vehicle (the ingest drops its cache). */
  onDevicesChanged(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private devicesChanged(): void {
    for (const listener of this.listeners) listener();
  }

  // ---- vehicles ------------------------------------------------------------------------------

  createVehicle(input: VehicleInput, options: { demo?: boolean } = {}): Vehicle {
    const v = cleanVehicle(input);
    if (this.vehicleByUnit(v.unit)) throw new FleetInputError(`unit: a vehicle with unit ${v.unit} exists already`, "conflict");
    const at = this.now();
    const row = this.db
      .query(`INSERT INTO vehicles (unit, name, vin, make, model, year, equipment, tank_l, mpg, home_base, demo, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING ${VEHICLE_COLUMNS}`)
      .get(v.unit, v.name, v.vin, v.make, v.model, v.year, v.equipment.join(","), v.tank_l, v.mpg, v.home_base, options.demo ? 1 : 0, at, at) as VehicleTableRow;
    return toVehicle(row);
  }

  updateVehicle(id: number, input: VehicleInput): Vehicle {
    const existing = this.vehicle(id);
    if (!existing) throw new FleetInputError(`no vehicle ${id}`, "not_found");
    const v = cleanVehicle({ ...existing, ...input });
    const clash = this.vehicleByUnit(v.unit);
    if (clash && clash.id !== id) throw new FleetInputError(`unit: a vehicle with unit ${v.unit} exists already`, "conflict");
    const row = this.db
      .query(`UPDATE vehicles SET unit = ?, name = ?, vin = ?, make = ?, model = ?, year = ?, equipment = ?, tank_l = ?, mpg = ?, home_base = ?, updated_at = ? WHERE id = ? RETURNING ${VEHICLE_COLUMNS}`)
      .get(v.unit, v.name, v.vin, v.make, v.model, v.year, v.equipment.join(","), v.tank_l, v.mpg, v.home_base, this.now(), id) as VehicleTableRow;
    return toVehicle(row);
  }

  vehicle(id: number): Vehicle | null {
    const row = this.db.query(`SELECT ${VEHICLE_COLUMNS} FROM vehicles WHERE id = ?`).get(id) as VehicleTableRow | null;
    return row ? toVehicle(row) : null;
  }

  vehicleByUnit(unit: string): Vehicle | null {
    const row = this.db.query(`SELECT ${VEHICLE_COLUMNS} FROM vehicles WHERE unit = ?`).get(unit.trim()) as VehicleTableRow | null;
    return row ? toVehicle(row) : null;
  }

  /** Every vehicle, by unit number. */
  vehicles(): Vehicle[] {
    return (this.db.query(`SELECT ${VEHICLE_COLUMNS} FROM vehicles ORDER BY unit COLLATE NOCASE`).all() as VehicleTableRow[]).map(toVehicle);
  }

  // ---- devices -------------------------------------------------------------------------------

  device(id: string): Device | null {
    const row = this.db.query(`SELECT ${DEVICE_COLUMNS} FROM devices WHERE id = ?`).get(id) as DeviceRow | null;
    return row ? toDevice(row) : null;
  }

  /** Every device: pending ones first (they need attention), then by id. */
  devices(): Device[] {
    return (this.db.query(`SELECT ${DEVICE_COLUMNS} FROM devices ORDER BY status = 'pending' DESC, id`).all() as DeviceRow[]).map(toDevice);
  }

  /** Devices of one vehicle. */
  devicesOf(vehicleId: number): Device[] {
    return (this.db.query(`SELECT ${DEVICE_COLUMNS} FROM devices WHERE vehicle_id = ? ORDER BY id`).all(vehicleId) as DeviceRow[]).map(toDevice);
  }

  /**
   * Registers a device on a vehicle and returns its secret — the only time it is available. A
   * pending device with this id is adopted instead (its presented secret is replaced by a new one
   * only when `newSecret` is true or it has none).
   */
  createDevice(input: { id: string; vehicle_id: number; name?: string; demo?: boolean; secret?: string }): { device: Device; secret: string } {
    const id = String(input.id ?? "").trim();
    if (!DEVICE_ID_PATTERN.test(id)) throw new FleetInputError("id: a device id is 1–64 letters, digits, _ . : or - (starting with a letter or digit)");
    if (!this.vehicle(input.vehicle_id)) throw new FleetInputError(`vehicle_id: no vehicle ${input.vehicle_id}`, "not_found");
    const existing = this.device(id);
    if (existing && existing.status !== "pending") throw new FleetInputError(`id: device ${id} exists already`, "conflict");
    const secret = input.secret ?? randomToken(24);
    const at = this.now();
    if (existing) {
      this.db.query("UPDATE devices SET vehicle_id = ?, status = 'active', secret_hash = ?, name = ?, demo = ? WHERE id = ?").run(input.vehicle_id, hashToken(secret), input.name ?? existing.name, input.demo ? 1 : 0, id);
    } else {
      this.db.query("INSERT INTO devices (id, vehicle_id, secret_hash, status, name, demo, created_at) VALUES (?, ?, ?, 'active', ?, ?, ?)").run(id, input.vehicle_id, hashToken(secret), input.name ?? "", input.demo ? 1 : 0, at);
    }
    this.devicesChanged();
    return { device: this.device(id)!, secret };
  }

  /**
   * Adopts a pending device to a vehicle. The secret it presented when it was first heard (if
   * any) stays its secret, so the gateway keeps working unchanged.
   */
  adopt(id: string, vehicleId: number): Device {
    const device = this.device(id);
    if (!device) throw new FleetInputError(`no device ${id}`, "not_found");
    if (device.status !== "pending") throw new FleetInputError(`device ${id} is not pending (it is ${device.status})`, "conflict");
    if (!this.vehicle(vehicleId)) throw new FleetInputError(`vehicle_id: no vehicle ${vehicleId}`, "not_found");
    this.db.query("UPDATE devices SET vehicle_id = ?, status = 'active' WHERE id = ?").run(vehicleId, id);
    this.devicesChanged();
    return this.device(id)!;
  }

  /** Issues a new secret for a device (the old one stops working at once). */
  resetSecret(id: string): string {
    if (!this.device(id)) throw new FleetInputError(`no device ${id}`, "not_found");
    const secret = randomToken(24);
    this.db.query("UPDATE devices SET secret_hash = ? WHERE id = ?").run(hashToken(secret), id);
    return secret;
  }

  setDisabled(id: string, disabled: boolean): Device {
    const device = this.device(id);
    if (!device) throw new FleetInputError(`no device ${id}`, "not_found");
    const status: DeviceStatus = disabled ? "disabled" : device.vehicle_id ? "active" : "pending";
    this.db.query("UPDATE devices SET status = ? WHERE id = ?").run(status, id);
    this.devicesChanged();
    return this.device(id)!;
  }

  /** Checks a device's id and secret (MQTT connect, HTTP ingest). Pending devices never pass. */
  check(id: string, secret: string | null): DeviceCheck {
    const row = this.db.query(`SELECT ${DEVICE_COLUMNS} FROM devices WHERE id = ?`).get(id) as DeviceRow | null;
    if (!row) return { ok: false, reason: "unknown", device: null };
    const device = toDevice(row);
    if (device.status === "disabled") return { ok: false, reason: "disabled", device };
    if (device.status === "pending") return { ok: false, reason: "pending", device };
    if (!row.secret_hash || secret === null || !safeEqual(row.secret_hash, hashToken(secret))) return { ok: false, reason: "bad_secret", device };
    return { ok: true, device };
  }

  /**
   * Notes a device that is not registered: kept as pending with its first-seen time (and the
   * secret it presented, for adoption). A known device is left alone. Returns the record.
   */
  notePending(id: string, seen: { secret?: string | null; source?: string | null; topic?: string | null; at?: number }): Device | null {
    if (!DEVICE_ID_PATTERN.test(id)) return null;
    const at = seen.at ?? this.now();
    this.db
      .query("INSERT INTO devices (id, status, secret_hash, last_source, last_topic, first_seen, last_seen, created_at) VALUES (?, 'pending', ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET last_seen = excluded.last_seen, last_source = excluded.last_source, last_topic = excluded.last_topic, secret_hash = CASE WHEN devices.status = 'pending' THEN coalesce(excluded.secret_hash, devices.secret_hash) ELSE devices.secret_hash END")
      .run(id, seen.secret ? hashToken(seen.secret) : null, seen.source ?? null, seen.topic ?? null, at, at, at);
    return this.device(id);
  }

  /** Notes when and where a device was heard (batched by the ingest writer). */
  touch(id: string, at: number, source: string | null, topic: string | null): void {
    this.db.query("UPDATE devices SET last_seen = ?, first_seen = coalesce(first_seen, ?), last_source = ?, last_topic = ? WHERE id = ?").run(at, at, source, topic, id);
  }

  /** The vehicle a device reports for, or null when it is pending, disabled or unknown. */
  vehicleIdOf(deviceId: string): number | null {
    const row = this.db.query("SELECT vehicle_id FROM devices WHERE id = ? AND status = 'active'").get(deviceId) as { vehicle_id: number | null } | null;
    return row?.vehicle_id ?? null;
  }

  /**
   * Finds or creates a demo vehicle and its device, with a fresh secret each time (the simulator
   * holds it only in memory). Used by the demo fleet so it rides the same path as real devices.
   */
  provisionDemo(spec: { device_id: string; vehicle: VehicleInput }): { vehicle: Vehicle; device: Device; secret: string } {
    const result = this.db.transaction(() => {
      const vehicle = this.vehicleByUnit(spec.vehicle.unit) ?? this.createVehicle(spec.vehicle, { demo: true });
      if (!vehicle.demo) throw new FleetInputError(`unit ${vehicle.unit} is a real vehicle: the demo fleet will not report for it`, "conflict");
      const existing = this.device(spec.device_id);
      if (existing && !existing.demo) throw new FleetInputError(`device ${spec.device_id} is a real device: the demo fleet will not use it`, "conflict");
      const secret = randomToken(24);
      if (existing) this.db.query("UPDATE devices SET vehicle_id = ?, status = 'active', secret_hash = ? WHERE id = ?").run(vehicle.id, hashToken(secret), spec.device_id);
      else this.createDevice({ id: spec.device_id, vehicle_id: vehicle.id, name: `Demo tracker ${vehicle.unit}`, demo: true, secret });
      return { vehicle, device: this.device(spec.device_id)!, secret };
    })();
    this.devicesChanged();
    return result;
  }
}
