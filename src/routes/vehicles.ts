/**
 * Vehicles API: `GET/POST /api/v1/vehicles`, `GET/PATCH /api/v1/vehicles/:id`, and a vehicle's
 * `faults`, `positions` and `readings`. Any role reads (drivers only their own truck: another
 * truck answers 404, as if it did not exist); `dispatch` creates and edits. Units are SI, times
 * ISO 8601 UTC; ranges take `from`/`to` as ISO or epoch ms and default to the last 24 hours.
 */
import { Elysia, t } from "elysia";
import type { AppDeps } from "../deps";
import { authGuard } from "../auth/guard";
import type { Principal } from "../auth/principal";
import { isoTime } from "../http/respond";
import { ListOf, ListQuery, pageList } from "../http/pagination";
import { isoToEpochMs } from "../domain/units";
import { READING_NAMES, type ReadingName } from "../ingest/records";
import { FleetInputError, type VehicleInput } from "../telemetry/fleet";
import { inScope, queriesFor, readingUnit, scopeFor, type FaultView, type TrackPoint, type VehicleOverview } from "../telemetry/queries";
import { Integer } from "../http/schema";
import { errorBody, refusalOf } from "../http/refusal";

const Timestamp = t.Union([t.String({ format: "date-time" }), t.Null()]);
const NullableString = t.Union([t.String(), t.Null()]);
const NullableNumber = t.Union([t.Number(), t.Null()]);
/** The API error body, as everywhere in /api/v1. */
export const ErrorSchema = t.Object({ error: t.Object({ code: t.String(), message: t.String(), details: t.Optional(t.Unknown()) }) });

const StatusSchema = t.Union([t.Literal("moving"), t.Literal("idle"), t.Literal("off"), t.Literal("offline")], {
  description: "moving (≥ 5 km/h), idle (engine on, standing), off (ignition off or a standing phone tracker), offline (nothing heard for telemetry.offline_after_minutes).",
});
const LampSchema = t.Union([t.Literal("off"), t.Literal("on"), t.Literal("slow_flash"), t.Literal("fast_flash")]);

/** A vehicle in API form. */
export const VehicleSchema = t.Object({
  id: Integer(),
  unit: t.String({ description: "Unit number painted on the truck." }),
  name: t.String(),
  vin: NullableString,
  make: NullableString,
  model: NullableString,
  year: t.Union([Integer(), t.Null()]),
  equipment: t.Array(t.String(), { description: "Equipment type codes (V, R, F…)." }),
  tank_l: t.Union([t.Number(), t.Null()], { description: "Fuel tank size in litres." }),
  mpg: t.Union([t.Number(), t.Null()], { description: "Configured fuel economy, miles per US gallon." }),
  home_base: NullableString,
  demo: t.Boolean({ description: "True for the simulated demo fleet." }),
  device_ids: t.Array(t.String(), { description: "Devices reporting for this vehicle (disabled ones left out)." }),
  last_seen: Timestamp,
  position: t.Union([
    t.Object({ lat: t.Number(), lon: t.Number(), speed_kmh: NullableNumber, heading: NullableNumber, ts: t.String({ format: "date-time" }) }),
    t.Null(),
  ]),
  odometer_km: NullableNumber,
  engine_hours: NullableNumber,
  fuel_level_pct: NullableNumber,
  status: StatusSchema,
  active_faults: Integer({ description: "Active J1939 fault codes." }),
});

const FaultSchema = t.Object({
  spn: Integer(),
  fmi: Integer(),
  oc: Integer({ description: "Occurrence count." }),
  cm: Integer({ description: "SPN conversion method bit." }),
  source_address: Integer({ description: "J1939 source address of the ECU that reported it." }),
  lamps: t.Object({ mil: LampSchema, red_stop: LampSchema, amber_warning: LampSchema, protect: LampSchema }),
  spn_name: t.String(),
  fmi_text: t.String(),
  active: t.Boolean(),
  first_seen: t.String({ format: "date-time" }),
  last_seen: t.String({ format: "date-time" }),
  cleared_at: Timestamp,
});

const PositionSchema = t.Object({ ts: t.String({ format: "date-time" }), lat: t.Number(), lon: t.Number(), speed_kmh: NullableNumber, heading: NullableNumber });
const ReadingSchema = t.Object({ ts: t.String({ format: "date-time" }), name: t.String(), value: t.Number(), unit: t.String({ description: "SI unit of the value." }) });

const VehicleFields = {
  name: t.Optional(t.String()),
  vin: t.Optional(NullableString),
  make: t.Optional(NullableString),
  model: t.Optional(NullableString),
  year: t.Optional(t.Union([t.Integer(), t.Null()])),
  equipment: t.Optional(t.Array(t.String())),
  tank_l: t.Optional(NullableNumber),
  mpg: t.Optional(NullableNumber),
  home_base: t.Optional(NullableString),
};
const VehicleCreateBody = t.Object({ unit: t.String({ description: "Unit number, 1–32 characters, unique." }), ...VehicleFields });
const VehiclePatchBody = t.Object({ unit: t.Optional(t.String()), ...VehicleFields });

const RangeQuery = {
  from: t.Optional(t.String({ description: "Start: ISO 8601 or epoch milliseconds (default: 24 hours before `to`)." })),
  to: t.Optional(t.String({ description: "End: ISO 8601 or epoch milliseconds (default: now)." })),
};


/** A vehicle overview in API form. */
export function vehicleJson(overview: VehicleOverview) {
  const { vehicle, state } = overview;
  return {
    id: vehicle.id,
    unit: vehicle.unit,
    name: vehicle.name,
    vin: vehicle.vin,
    make: vehicle.make,
    model: vehicle.model,
    year: vehicle.year,
    equipment: vehicle.equipment,
    tank_l: vehicle.tank_l,
    mpg: vehicle.mpg,
    home_base: vehicle.home_base,
    demo: vehicle.demo,
    device_ids: overview.device_ids,
    last_seen: isoTime(state?.last_seen),
    position:
      state && state.lat !== null && state.lon !== null
        ? { lat: state.lat, lon: state.lon, speed_kmh: state.speed_kmh, heading: state.heading, ts: isoTime(state.position_ts ?? state.last_seen)! }
        : null,
    odometer_km: state?.odometer_km ?? null,
    engine_hours: state?.engine_hours ?? null,
    fuel_level_pct: state?.fuel_level_pct ?? null,
    status: overview.status,
    active_faults: overview.active_faults,
  };
}

/** A fault in API form. */
export function faultJson(fault: FaultView) {
  return {
    spn: fault.spn,
    fmi: fault.fmi,
    oc: fault.oc,
    cm: fault.cm,
    source_address: fault.source_address,
    lamps: fault.lamps,
    spn_name: fault.spn_name,
    fmi_text: fault.fmi_text,
    active: fault.active,
    first_seen: isoTime(fault.first_seen)!,
    last_seen: isoTime(fault.last_seen)!,
    cleared_at: isoTime(fault.cleared_at),
  };
}

/** A fix in API form. */
export function positionJson(point: TrackPoint) {
  return { ts: isoTime(point.ts)!, lat: point.lat, lon: point.lon, speed_kmh: point.speed_kmh, heading: point.heading };
}

/** Epoch ms from a query value (digits = epoch ms, else ISO 8601), or a message saying what is wrong. */
export function parseTimeParam(value: string | undefined, name: string): number | undefined | { problem: string } {
  if (value === undefined || value === "") return undefined;
  const text = value.trim();
  const at = /^\d{1,15}$/.test(text) ? Number(text) : isoToEpochMs(text);
  if (at === null || !Number.isFinite(at)) return { problem: `${name}: ${JSON.stringify(value)} is not a time; give ISO 8601 (2024-05-01T14:00:00Z) or epoch milliseconds` };
  return at;
}

/** The [from, to] range of a request (default: the 24 hours up to now), or a problem for a 422. */
export function parseRange(query: { from?: string; to?: string }, now = Date.now()): { from: number; to: number } | { problem: string } {
  const to = parseTimeParam(query.to, "to");
  if (typeof to === "object") return to;
  const from = parseTimeParam(query.from, "from");
  if (typeof from === "object") return from;
  const end = to ?? now;
  const start = from ?? end - 24 * 3600_000;
  if (start > end) return { problem: `from (${new Date(start).toISOString()}) is after to (${new Date(end).toISOString()})` };
  return { from: start, to: end };
}

/** Reading names from a comma-separated `names` (default: all), or a problem naming the unknown ones. */
export function parseReadingNames(names: string | undefined): ReadingName[] | { problem: string } {
  if (!names?.trim()) return [...READING_NAMES];
  const wanted = [...new Set(names.split(",").map((name) => name.trim()).filter(Boolean))];
  const unknown = wanted.filter((name) => !(READING_NAMES as string[]).includes(name));
  if (unknown.length) return { problem: `names: unknown reading ${unknown.map((name) => JSON.stringify(name)).join(", ")}; known: ${READING_NAMES.join(", ")}` };
  return wanted as ReadingName[];
}

/** The vehicles API. */
export function vehiclesApi(deps: AppDeps) {
  const queries = queriesFor(deps);
  /** The vehicle if the principal may see it; a driver asking for another truck gets the same 404 as for a missing one. */
  const visible = (principal: Principal, id: number) => (inScope(scopeFor(principal), id) ? queries.vehicle(id) : null);
  const notFound = (id: number) => errorBody("not_found", `There is no vehicle ${id}.`);
  const refused = refusalOf(FleetInputError);

  return new Elysia({ name: "vehicles-api", seed: deps, prefix: "/api/v1" })
    .use(authGuard(deps))
    .get("/vehicles", ({ principal, query }) => pageList(queries.vehicles(scopeFor(principal!)).map(vehicleJson), (vehicle) => vehicle.id, query.limit, query.cursor), {
      query: ListQuery,
      requires: "read",
      response: ListOf(VehicleSchema),
      detail: { summary: "List vehicles with latest position, readings, status and active fault count (drivers: their own)", tags: ["vehicles"] },
    })
    .post(
      "/vehicles",
      ({ body, principal, set, status }) => {
        try {
          const vehicle = deps.fleet.createVehicle(body as VehicleInput);
          deps.log.info("vehicle added", { unit: vehicle.unit, by: principal!.name });
          set.status = 201;
          return vehicleJson(queries.vehicle(vehicle.id)!);
        } catch (error) {
          const answer = refused(error);
          return status(answer.status, answer.body);
        }
      },
      {
        body: VehicleCreateBody,
        requires: "dispatch",
        response: { 201: VehicleSchema, 404: ErrorSchema, 409: ErrorSchema, 422: ErrorSchema },
        detail: { summary: "Add a vehicle", tags: ["vehicles"] },
      },
    )
    .get(
      "/vehicles/:id",
      ({ params, principal, status }) => {
        const overview = visible(principal!, params.id);
        return overview ? vehicleJson(overview) : status(404, notFound(params.id));
      },
      { params: t.Object({ id: t.Numeric() }), requires: "read", response: { 200: VehicleSchema, 404: ErrorSchema }, detail: { summary: "One vehicle", tags: ["vehicles"] } },
    )
    .patch(
      "/vehicles/:id",
      ({ params, body, principal, status }) => {
        if (!deps.fleet.vehicle(params.id)) return status(404, notFound(params.id));
        try {
          const vehicle = deps.fleet.updateVehicle(params.id, body as VehicleInput);
          deps.log.info("vehicle changed", { unit: vehicle.unit, by: principal!.name });
          return vehicleJson(queries.vehicle(vehicle.id)!);
        } catch (error) {
          const answer = refused(error);
          return status(answer.status, answer.body);
        }
      },
      {
        params: t.Object({ id: t.Numeric() }),
        body: VehiclePatchBody,
        requires: "dispatch",
        response: { 200: VehicleSchema, 404: ErrorSchema, 409: ErrorSchema, 422: ErrorSchema },
        detail: { summary: "Change a vehicle's details (only the fields given)", tags: ["vehicles"] },
      },
    )
    .get(
      "/vehicles/:id/faults",
      ({ params, query, principal, status }) => {
        if (!visible(principal!, params.id)) return status(404, notFound(params.id));
        const active = query.active === undefined ? undefined : query.active === "true";
        return { data: queries.faults(params.id, { active }).map(faultJson) };
      },
      {
        params: t.Object({ id: t.Numeric() }),
        query: t.Object({ active: t.Optional(t.Union([t.Literal("true"), t.Literal("false")], { description: "true: active codes only; false: cleared ones only; absent: both." })) }),
        requires: "read",
        response: { 200: t.Object({ data: t.Array(FaultSchema) }), 404: ErrorSchema },
        detail: { summary: "A vehicle's J1939 fault codes with SPN name, FMI text and lamps, newest first (at most 500)", tags: ["vehicles"] },
      },
    )
    .get(
      "/vehicles/:id/positions",
      ({ params, query, principal, status }) => {
        if (!visible(principal!, params.id)) return status(404, notFound(params.id));
        const range = parseRange(query);
        if ("problem" in range) return status(422, errorBody("invalid", range.problem));
        return { data: queries.positions(params.id, range.from, range.to).map(positionJson) };
      },
      {
        params: t.Object({ id: t.Numeric() }),
        query: t.Object(RangeQuery),
        requires: "read",
        response: { 200: t.Object({ data: t.Array(PositionSchema) }), 404: ErrorSchema, 422: ErrorSchema },
        detail: { summary: "A vehicle's GPS track in a range, oldest first (thinned evenly to at most 5000 points)", tags: ["vehicles"] },
      },
    )
    .get(
      "/vehicles/:id/readings",
      ({ params, query, principal, status }) => {
        if (!visible(principal!, params.id)) return status(404, notFound(params.id));
        const range = parseRange(query);
        if ("problem" in range) return status(422, errorBody("invalid", range.problem));
        const names = parseReadingNames(query.names);
        if ("problem" in names) return status(422, errorBody("invalid", names.problem));
        return { data: queries.readings(params.id, names, range.from, range.to).map((point) => ({ ts: isoTime(point.ts)!, name: point.name, value: point.value, unit: readingUnit(point.name) })) };
      },
      {
        params: t.Object({ id: t.Numeric() }),
        query: t.Object({ ...RangeQuery, names: t.Optional(t.String({ description: `Comma-separated reading names (default: all): ${READING_NAMES.join(", ")}.` })) }),
        requires: "read",
        response: { 200: t.Object({ data: t.Array(ReadingSchema) }), 404: ErrorSchema, 422: ErrorSchema },
        detail: { summary: "A vehicle's readings in a range, by name then time (each name thinned to at most 5000 points)", tags: ["vehicles"] },
      },
    );
}
