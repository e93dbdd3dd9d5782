/** @jsxImportSource @kitajs/html */
/**
 * The Trucks section of the web UI: `/trucks` (list and add-truck form), `/trucks/:id` (one
 * truck), `/trucks/devices` (devices: adopt, add with one-time credentials, reset secret, disable)
 * and `/dead-letters`. Any role reads (drivers: only their own truck, no devices admin and no dead
 * letters); `dispatch` changes. Forms post and redirect, or re-render with the message inline.
 */
import { Elysia, t } from "elysia";
import type { AppDeps } from "../deps";
import { authGuard } from "../auth/guard";
import type { Principal } from "../auth/principal";
import { canOnPage } from "../auth/roles";
import { errorPage, renderPage } from "../http/pages";
import { redirect } from "../http/respond";
import { decodeCursor, encodeCursor } from "../http/pagination";
import { celsiusToFahrenheit, gallonsToLitres, kmhToMph } from "../domain/units";
import { FleetInputError, type VehicleInput } from "../telemetry/fleet";
import { deadLetterKey, inScope, parseDeadLetterKey, queriesFor, scopeFor, startOfDay } from "../telemetry/queries";
import type { MapSettings } from "../../views/fleet/map";
import { TruckPage, TrucksPage, CHART_RANGES, type ChartRange, type PageFlash } from "../../views/trucks/page";
import { DevicesPage, type ShownCredentials } from "../../views/trucks/devices";
import { DeadLettersPage } from "../../views/trucks/dead-letters";
import type { BestLoadsProps } from "../../views/loads/best";
import { LoadViews } from "../loads/views";
import { readPreferences } from "../loads/preferences";
import { truckMoney } from "../loads/money-report";
import { formField } from "../http/form";

const FormBody = t.Optional(t.Object({}, { additionalProperties: true }));
/** Most points a page chart or track carries: plenty for a phone-width chart. */
const PAGE_SERIES_POINTS = 2000;
const DAY_MS = 24 * 3600_000;

/** The map settings from the running config (tile URL, attribution, offline threshold). */
export function mapSettings(deps: AppDeps): MapSettings {
  const telemetry = (deps.config.current() as { telemetry?: { map_tile_url?: string; map_attribution?: string } }).telemetry;
  return {
    tileUrl: telemetry?.map_tile_url ?? "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
    attribution: telemetry?.map_attribution ?? "© OpenStreetMap contributors",
    offlineAfterMs: queriesFor(deps).offlineAfterMs(),
  };
}

/** The truck page's "Best loads now": its five best open loads with a score above zero. */
function bestLoadsFor(deps: AppDeps, truckId: number, principal: Principal): BestLoadsProps {
  const views = new LoadViews(deps.db, deps.loads);
  const truck = deps.loads.engine.truck(truckId);
  const rows = deps.loads.engine
    .best(truckId, 5)
    .filter((match) => match.score > 0)
    .flatMap((match) => {
      const load = views.load(match.load_id);
      return load ? [{ load, match }] : [];
    });
  const note = !truck?.match ? `Not matched: ${truck?.unavailableReason ?? "unknown truck"}.` : `From where it is free next, at ${truck.match.mpg} mpg (${truck.mpg.reason}).`;
  return {
    truckId,
    rows,
    note,
    timeZone: deps.config.current().timezone,
    preferences: readPreferences(deps.db, truckId),
    fleetMaxDeadheadMiles: deps.config.current().matching.max_deadhead_miles,
    canEdit: canOnPage(principal, "dispatch"),
    csrfToken: principal.csrfToken,
  };
}

/** A number from a form field, null when empty; NaN marks a typo for the fleet service to refuse. */
function numberField(body: unknown, name: string): number | null {
  const text = formField(body, name);
  return text === "" ? null : Number(text);
}

/** The pages. */
export function trucksRoutes(deps: AppDeps) {
  const queries = queriesFor(deps);
  const canEdit = (principal: Principal) => canOnPage(principal, "dispatch");
  const timeZone = () => (deps.config.current() as { timezone?: string }).timezone ?? "UTC";

  const trucksPage = (request: Request, principal: Principal, extra: { flash?: PageFlash; form?: Record<string, string> } = {}, status = 200) =>
    renderPage(
      request,
      principal,
      "Trucks",
      TrucksPage({ vehicles: queries.vehicles(scopeFor(principal)), canEdit: canEdit(principal), csrfToken: principal.csrfToken, pendingDevices: scopeFor(principal).all ? queries.pendingDevices().length : 0, ...extra }),
      { status },
    );

  const devicesPage = (request: Request, principal: Principal, extra: { flash?: PageFlash; credentials?: ShownCredentials } = {}, status = 200) =>
    renderPage(
      request,
      principal,
      "Devices",
      DevicesPage({ devices: deps.fleet.devices(), vehicles: deps.fleet.vehicles(), canEdit: canEdit(principal), csrfToken: principal.csrfToken, deadLetters24h: queries.deadLetterCount(Date.now() - DAY_MS), ...extra }),
      { status },
    );

  const fleetOnly = (request: Request, principal: Principal) =>
    scopeFor(principal).all ? null : errorPage(403, "Not allowed", "Drivers see their own truck; devices and dead letters are for dispatchers.", principal);

  /** Runs a device action and shows the devices page with its outcome. */
  const deviceAction = (request: Request, principal: Principal, action: () => { flash: PageFlash; credentials?: ShownCredentials }) => {
    try {
      return devicesPage(request, principal, action());
    } catch (error) {
      if (!(error instanceof FleetInputError)) throw error;
      return devicesPage(request, principal, { flash: { kind: "error", message: error.message } }, error.code === "not_found" ? 404 : 422);
    }
  };

  return new Elysia({ name: "trucks", seed: deps })
    .use(authGuard(deps))
    .get("/trucks", ({ request, principal }) => trucksPage(request, principal!), { requires: "read", detail: { hide: true } })
    .post(
      "/trucks",
      ({ request, principal, body }) => {
        const form = Object.fromEntries(["unit", "name", "vin", "make", "model", "year", "mpg", "tank_gal", "equipment", "home_base"].map((name) => [name, formField(body, name)]));
        const tankGallons = numberField(body, "tank_gal");
        const input: VehicleInput = {
          unit: form.unit!,
          name: form.name,
          vin: form.vin || null,
          make: form.make || null,
          model: form.model || null,
          year: numberField(body, "year"),
          mpg: numberField(body, "mpg"),
          tank_l: tankGallons === null ? null : gallonsToLitres(tankGallons),
          equipment: form.equipment ? form.equipment.split(/[\s,]+/).filter(Boolean) : [],
          home_base: form.home_base || null,
        };
        try {
          const vehicle = deps.fleet.createVehicle(input);
          deps.log.info("vehicle added", { unit: vehicle.unit, by: principal!.name });
          return redirect(request, `/trucks/${vehicle.id}`);
        } catch (error) {
          if (!(error instanceof FleetInputError)) throw error;
          return trucksPage(request, principal!, { flash: { kind: "error", message: error.message }, form }, 422);
        }
      },
      { body: FormBody, requires: "dispatch", detail: { hide: true } },
    )
    .get(
      "/trucks/devices",
      ({ request, principal }) => fleetOnly(request, principal!) ?? devicesPage(request, principal!),
      { requires: "read", detail: { hide: true } },
    )
    .post(
      "/trucks/devices",
      ({ request, principal, body }) =>
        deviceAction(request, principal!, () => {
          const vehicleId = Number(formField(body, "vehicle_id"));
          if (!Number.isInteger(vehicleId) || vehicleId <= 0) throw new FleetInputError("Pick the truck this device reports for.");
          const { device, secret } = deps.fleet.createDevice({ id: formField(body, "id"), vehicle_id: vehicleId, name: formField(body, "name") || undefined });
          deps.log.info("device added", { device: device.id, vehicle_id: device.vehicle_id, by: principal!.name });
          return { flash: { kind: "success", message: `Device ${device.id} added.` }, credentials: { deviceId: device.id, secret, unit: deps.fleet.vehicle(vehicleId)?.unit ?? null } };
        }),
      { body: FormBody, requires: "dispatch", detail: { hide: true } },
    )
    .post(
      "/trucks/devices/:id/adopt",
      ({ request, principal, params, body }) =>
        deviceAction(request, principal!, () => {
          const device = deps.fleet.adopt(params.id, Number(formField(body, "vehicle_id")));
          deps.log.info("device adopted", { device: device.id, vehicle_id: device.vehicle_id, by: principal!.name });
          return { flash: { kind: "success", message: `Device ${device.id} adopted to truck ${deps.fleet.vehicle(device.vehicle_id!)?.unit ?? device.vehicle_id}. It keeps the password it presented.` } };
        }),
      { params: t.Object({ id: t.String() }), body: FormBody, requires: "dispatch", detail: { hide: true } },
    )
    .post(
      "/trucks/devices/:id/reset",
      ({ request, principal, params }) =>
        deviceAction(request, principal!, () => {
          const secret = deps.fleet.resetSecret(params.id);
          deps.log.info("device secret reset", { device: params.id, by: principal!.name });
          const device = deps.fleet.device(params.id)!;
          return { flash: { kind: "success", message: `New secret for ${params.id}: the old one no longer works.` }, credentials: { deviceId: params.id, secret, unit: device.vehicle_id ? (deps.fleet.vehicle(device.vehicle_id)?.unit ?? null) : null } };
        }),
      { params: t.Object({ id: t.String() }), body: FormBody, requires: "dispatch", detail: { hide: true } },
    )
    .post(
      "/trucks/devices/:id/disable",
      ({ request, principal, params, body }) => {
        const result = deviceAction(request, principal!, () => {
          const disabled = formField(body, "disabled") !== "0";
          const device = deps.fleet.setDisabled(params.id, disabled);
          deps.log.info(disabled ? "device disabled" : "device enabled", { device: device.id, by: principal!.name });
          return { flash: { kind: "success", message: `Device ${device.id} is ${device.status}.` } };
        });
        return result.status === 200 ? redirect(request, "/trucks/devices") : result;
      },
      { params: t.Object({ id: t.String() }), body: FormBody, requires: "dispatch", detail: { hide: true } },
    )
    .get(
      "/trucks/:id",
      ({ request, principal, params, query }) => {
        const id = Number(params.id);
        const overview = Number.isInteger(id) && inScope(scopeFor(principal!), id) ? queries.vehicle(id) : null;
        if (!overview) return errorPage(404, "Not found", "There is no such truck.", principal);
        const range: ChartRange = (query.range ?? "") in CHART_RANGES ? (query.range as ChartRange) : "24h";
        const now = Date.now();
        const today = startOfDay(now, timeZone());
        const from = range === "today" ? today : range === "7d" ? now - 7 * DAY_MS : now - DAY_MS;
        const positions = queries.positions(id, from, now, PAGE_SERIES_POINTS);
        const readings = queries.readings(id, ["fuel_level_pct", "coolant_c"], from, now, PAGE_SERIES_POINTS);
        const seconds = (ms: number) => Math.round(ms / 1000);
        const series = (name: "fuel_level_pct" | "coolant_c", convert: (value: number) => number): [number[], number[]] => {
          const points = readings.filter((reading) => reading.name === name);
          return [points.map((point) => seconds(point.ts)), points.map((point) => Math.round(convert(point.value) * 10) / 10)];
        };
        const todaysTrack = range === "today" ? positions : queries.positions(id, today, now, PAGE_SERIES_POINTS);
        return renderPage(
          request,
          principal,
          `Truck ${overview.vehicle.unit}`,
          TruckPage({
            overview,
            devices: deps.fleet.devicesOf(id),
            activeFaults: queries.faults(id, { active: true }),
            recentFaults: queries.faults(id, { active: false, limit: 20 }),
            trips: queries.trips(id, today, now + 1),
            track: todaysTrack.map((point) => [point.lat, point.lon]),
            range,
            series: {
              speed: [positions.map((point) => seconds(point.ts)), positions.map((point) => (point.speed_kmh === null ? null : Math.round(kmhToMph(point.speed_kmh) * 10) / 10))],
              fuel: series("fuel_level_pct", (value) => value),
              coolant: series("coolant_c", celsiusToFahrenheit),
            },
            settings: mapSettings(deps),
            bestLoads: bestLoadsFor(deps, id, principal!),
            money: {
              weeks: truckMoney(deps.db, { period: "week", timeZone: timeZone(), truckId: id }),
              months: truckMoney(deps.db, { period: "month", timeZone: timeZone(), truckId: id }),
            },
          }),
        );
      },
      { params: t.Object({ id: t.String() }), query: t.Object({ range: t.Optional(t.String()) }), requires: "read", detail: { hide: true } },
    )
    .get(
      "/dead-letters",
      ({ request, principal, query }) => {
        const refused = fleetOnly(request, principal!);
        if (refused) return refused;
        const limit = 50;
        const before = parseDeadLetterKey(decodeCursor(query.cursor));
        const letters = queries.deadLetters(limit, before);
        const nextHref = letters.length === limit ? `/dead-letters?cursor=${encodeCursor(deadLetterKey(letters[letters.length - 1]!))}` : null;
        return renderPage(request, principal, "Dead letters", DeadLettersPage({ letters, nextHref, paged: before !== undefined }));
      },
      { query: t.Object({ cursor: t.Optional(t.String()) }), requires: "read", detail: { hide: true } },
    );
}
