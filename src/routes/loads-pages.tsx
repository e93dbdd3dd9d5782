/** @jsxImportSource @kitajs/html */
/**
 * The Loads and Brokers sections of the web UI: `/loads` (the board), `/loads/new` (a phoned-in
 * load), `/loads/:id` (one load, its figures for every truck and the lifecycle forms), `/brokers`
 * and `/brokers/:id`. Any role reads (a driver's board is scored for their own truck); `dispatch`
 * enters, books and moves loads. Forms post and redirect, or re-render with the message.
 */
import { Elysia, t } from "elysia";
import type { AppDeps } from "../deps";
import { authGuard } from "../auth/guard";
import type { Principal } from "../auth/principal";
import { canOnPage } from "../auth/roles";
import { errorPage, renderPage } from "../http/pages";
import { redirect } from "../http/respond";
import { scopeFor } from "../telemetry/queries";
import { LoadViews, type LoadView } from "../loads/views";
import { LoadActionError, LOAD_STATUSES, type LoadStatus } from "../loads/service";
import { EQUIPMENT_CODES, type LoadRecord } from "../loads/records";
import { localTimeToEpochMs, toMoneyCents } from "../loads/transforms";
import { PreferencesError, writePreferences } from "../loads/preferences";
import { BoardBreakdown, LoadBoardPage, type BoardFilterValues } from "../../views/loads/board";
import { LoadPage, type LaneView } from "../../views/loads/load";
import { NewLoadPage } from "../../views/loads/new";
import { BrokerPage, BrokersPage } from "../../views/brokers/page";
import { formField } from "../http/form";
import { assistantStatus } from "../assistant/provider-for";

const FormBody = t.Optional(t.Object({}, { additionalProperties: true }));
/** Rows a board page shows (phones scroll; the pager and the filters find the rest). */
const BOARD_ROWS = 50;
const DAY_MS = 86_400_000;

export function loadsPages(deps: AppDeps) {
  const views = new LoadViews(deps.db, deps.loads);
  const canEdit = (principal: Principal) => canOnPage(principal, "dispatch");
  const timeZone = () => deps.config.current().timezone;
  /** A datetime-local value read in the fleet's time zone. */
  const localTime = (text: string): number | null => {
    if (!text) return null;
    const wall = Date.parse(`${text.length === 16 ? `${text}:00` : text}Z`);
    return Number.isFinite(wall) ? localTimeToEpochMs(wall, timeZone()) : null;
  };

  /** The load's lane by states and equipment (the chart works at state level). */
  const laneOf = (load: LoadView): LaneView | null => {
    if (!load.origin.state || !load.destination.state) return null;
    const query = {
      origin: { state: load.origin.state, ...(load.origin.zip ? { zip: load.origin.zip } : {}) },
      destination: { state: load.destination.state, ...(load.destination.zip ? { zip: load.destination.zip } : {}) },
      equipment: load.equipment,
    };
    const stateQuery = { origin: { state: load.origin.state }, destination: { state: load.destination.state }, equipment: load.equipment };
    return { label: `${load.origin.state} → ${load.destination.state} (${load.equipment})`, report: deps.loads.lanes.report(query), series: deps.loads.lanes.dailySeries(stateQuery) };
  };

  const loadPage = (request: Request, principal: Principal, id: number, flash?: { kind: "success" | "error"; text: string }, status = 200) => {
    const load = views.load(id);
    if (!load) return errorPage(404, "No such load", `There is no load ${id}.`, principal);
    const scope = scopeFor(principal);
    const matches = deps.loads.engine.forLoad(id).filter((match) => scope.all || match.truck_id === scope.vehicleId);
    return renderPage(
      request,
      principal,
      "Load",
      LoadPage({
        load,
        matches,
        trucks: deps.loads.engine.trucks(),
        broker: load.broker ? deps.loads.brokers.broker(load.broker.id) : null,
        lane: laneOf(load),
        events: views.events(id),
        timeZone: timeZone(),
        canEdit: canEdit(principal),
        csrfToken: principal.csrfToken,
        flash,
        assistant: assistantStatus(deps.config.current().assistant),
      }),
      { status },
    );
  };

  /** Runs a lifecycle action from a form: redirect to the load, or show the refusal on its page. */
  const lifecycle = (request: Request, principal: Principal, id: number, action: () => void) => {
    try {
      action();
      return redirect(request, `/loads/${id}`);
    } catch (error) {
      if (!(error instanceof LoadActionError)) throw error;
      return loadPage(request, principal, id, { kind: "error", text: error.message }, error.code === "not_found" ? 404 : 422);
    }
  };

  const newLoadPage = (request: Request, principal: Principal, form: Record<string, string> = {}, error?: string) =>
    renderPage(request, principal, "Enter a load", NewLoadPage({ csrfToken: principal.csrfToken, form, error, timeZone: timeZone() }), { status: error ? 422 : 200 });

  return new Elysia({ name: "loads-pages", seed: deps })
    .use(authGuard(deps))
    .get(
      "/loads",
      ({ request, principal, query }) => {
        const scope = scopeFor(principal!);
        const trucks = deps.loads.engine.trucks().filter((truck) => scope.all || truck.id === scope.vehicleId);
        const asked = query.truck ? Number(query.truck) : null;
        const truckId = scope.all ? (asked !== null && Number.isFinite(asked) ? asked : null) : (scope.vehicleId ?? -1);
        const radius = query.radius ? Number(query.radius) : null;
        const truck = truckId === null ? null : trucks.find((entry) => entry.id === truckId) ?? null;
        const equipment = (EQUIPMENT_CODES as readonly string[]).includes(query.equipment ?? "") ? query.equipment! : "";
        const pickupDay = /^\d{4}-\d{2}-\d{2}$/.test(query.pickup ?? "") ? query.pickup! : "";
        const dayStart = pickupDay ? localTime(`${pickupDay}T00:00`) : null;
        const filter: BoardFilterValues = { truckId, equipment, radiusMiles: radius !== null && radius > 0 ? radius : null, pickupDate: pickupDay };
        const offset = Math.max(0, Math.floor(Number(query.from ?? 0)) || 0);
        const { rows, total } = views.board({
          offset,
          truckId: truckId ?? undefined,
          equipment: equipment || undefined,
          near: filter.radiusMiles !== null && truck?.match ? { ...truck.match.at, miles: filter.radiusMiles } : undefined,
          pickupFrom: dayStart ?? undefined,
          pickupTo: dayStart === null ? undefined : dayStart + DAY_MS,
          limit: BOARD_ROWS,
        });
        // Why the board is empty, worked out only when it is.
        const emptyText = rows.length
          ? ""
          : equipment || pickupDay || filter.radiusMiles
            ? "No open load matches these filters."
            : !deps.host.list().some((source) => source.kind === "loadboard" && source.enabled)
              ? "No load-board source is configured: add one under sources: in the YAML (see the plugins list in the README), or enter a load by hand."
              : "No open loads right now: the sources are polled on their schedule (see Sources).";
        return renderPage(
          request,
          principal!,
          "Loads",
          LoadBoardPage({
            rows,
            total,
            offset,
            pageSize: BOARD_ROWS,
            trucks,
            filter,
            timeZone: timeZone(),
            canEdit: canEdit(principal!),
            truckNames: new Map(trucks.map((entry) => [entry.id, entry.unit])),
            emptyText,
          }),
        );
      },
      { query: t.Object({ truck: t.Optional(t.String()), equipment: t.Optional(t.String()), radius: t.Optional(t.String()), pickup: t.Optional(t.String()), from: t.Optional(t.String()) }), detail: { hide: true } },
    )
    .get(
      "/loads/:id/breakdown",
      ({ principal, params, query }) => {
        // The fragment a board row fetches when opened: the pair's full breakdown.
        const scope = scopeFor(principal!);
        const truckId = Number(query.truck);
        const fragment = (status: number, body: JSX.Element | string) => new Response(body as string, { status, headers: { "content-type": "text/html; charset=utf-8" } });
        if (!scope.all && truckId !== scope.vehicleId) return fragment(403, <p class="muted">This truck is not yours to see.</p>);
        const match = deps.loads.engine.shown(truckId, params.id);
        const load = match ? views.load(params.id) : null;
        if (!match || !load) return fragment(404, <p class="muted">No breakdown: the load or the truck is gone. Reload the board.</p>);
        const truck = deps.loads.engine.truck(truckId);
        return fragment(200, BoardBreakdown({ match, truckName: truck?.unit ?? String(truckId), brokerName: load.broker?.name ?? null, timeZone: timeZone() }));
      },
      { params: t.Object({ id: t.Numeric() }), query: t.Object({ truck: t.String() }), detail: { hide: true } },
    )
    .get(
      "/loads/new",
      ({ request, principal }) => (canEdit(principal!) ? newLoadPage(request, principal!) : errorPage(403, "Not allowed", "Entering loads is for dispatchers.", principal!)),
      { detail: { hide: true } },
    )
    .post(
      "/loads/new",
      ({ request, principal, body }) => {
        if (!canEdit(principal!)) return errorPage(403, "Not allowed", "Entering loads is for dispatchers.", principal!);
        const form = Object.fromEntries(Object.entries((body ?? {}) as Record<string, unknown>).filter(([, v]) => typeof v === "string")) as Record<string, string>;
        const place = (prefix: string) => ({
          ...(formField(body, `${prefix}_city`) ? { city: formField(body, `${prefix}_city`) } : {}),
          ...(formField(body, `${prefix}_state`) ? { state: formField(body, `${prefix}_state`).toUpperCase() } : {}),
          ...(formField(body, `${prefix}_zip`) ? { zip: formField(body, `${prefix}_zip`) } : {}),
        });
        let record: Omit<LoadRecord, "external_id">;
        try {
          const number = (name: string) => (formField(body, name) ? Number(formField(body, name).replace(/,/g, "")) : undefined);
          const pickup = localTime(formField(body, "pickup_at"));
          if (pickup === null) return newLoadPage(request, principal!, form, "The earliest pickup time is needed.");
          record = {
            origin: place("origin") as LoadRecord["origin"],
            destination: place("dest") as LoadRecord["destination"],
            pickup_earliest: pickup,
            ...(localTime(formField(body, "pickup_latest")) !== null ? { pickup_latest: localTime(formField(body, "pickup_latest"))! } : {}),
            ...(localTime(formField(body, "delivery_at")) !== null ? { delivery_earliest: localTime(formField(body, "delivery_at"))! } : {}),
            equipment: (formField(body, "equipment") || "V") as LoadRecord["equipment"],
            ...(number("weight_lb") !== undefined ? { weight_lb: number("weight_lb") } : {}),
            ...(formField(body, "rate") ? { rate_cents: toMoneyCents(formField(body, "rate")) } : {}),
            ...(number("loaded_miles") !== undefined ? { loaded_miles: number("loaded_miles") } : {}),
            ...(formField(body, "commodity") ? { commodity: formField(body, "commodity") } : {}),
            ...(formField(body, "comments") ? { comments: formField(body, "comments") } : {}),
            broker: {
              name: formField(body, "broker_name"),
              ...(formField(body, "broker_mc") ? { mc: formField(body, "broker_mc").replace(/\D/g, "") } : {}),
              ...(formField(body, "broker_phone") ? { phone: formField(body, "broker_phone") } : {}),
            },
          };
        } catch (error) {
          return newLoadPage(request, principal!, form, (error as Error).message);
        }
        try {
          const id = deps.loads.createManual(record);
          deps.log.info("load entered by hand", { id, by: principal!.name });
          return redirect(request, `/loads/${id}`);
        } catch (error) {
          if (!(error instanceof LoadActionError)) throw error;
          return newLoadPage(request, principal!, form, error.message);
        }
      },
      { body: FormBody, detail: { hide: true } },
    )
    .get("/loads/:id", ({ request, principal, params }) => loadPage(request, principal!, params.id), { params: t.Object({ id: t.Numeric() }), detail: { hide: true } })
    .post(
      "/loads/:id/book",
      ({ request, principal, params, body }) => {
        if (!canEdit(principal!)) return errorPage(403, "Not allowed", "Booking loads is for dispatchers.", principal!);
        return lifecycle(request, principal!, params.id, () => {
          let rate: number;
          try {
            rate = toMoneyCents(formField(body, "rate"));
          } catch (error) {
            throw new LoadActionError("invalid", `The agreed rate: ${(error as Error).message}`);
          }
          deps.loads.book(params.id, Number(formField(body, "truck_id")), rate, principal!.userId);
          deps.log.info("load booked", { id: params.id, by: principal!.name });
        });
      },
      { params: t.Object({ id: t.Numeric() }), body: FormBody, detail: { hide: true } },
    )
    .post(
      "/loads/:id/status",
      ({ request, principal, params, body }) => {
        if (!canEdit(principal!)) return errorPage(403, "Not allowed", "Moving loads along is for dispatchers.", principal!);
        const status = formField(body, "status");
        return lifecycle(request, principal!, params.id, () => {
          if (!(LOAD_STATUSES as readonly string[]).includes(status)) throw new LoadActionError("invalid", `unknown status ${JSON.stringify(status)}`);
          deps.loads.setStatus(params.id, status as LoadStatus, principal!.userId, { cancelledBy: formField(body, "cancelled_by") === "broker" ? "broker" : "fleet" });
        });
      },
      { params: t.Object({ id: t.Numeric() }), body: FormBody, detail: { hide: true } },
    )
    .post(
      "/trucks/:id/preferences",
      ({ request, principal, params, body }) => {
        if (!canEdit(principal!)) return errorPage(403, "Not allowed", "Truck preferences are for dispatchers.", principal!);
        if (!deps.fleet.vehicle(params.id)) return errorPage(404, "No such truck", `There is no truck ${params.id}.`, principal!);
        const number = (name: string) => (formField(body, name) === "" ? null : Number(formField(body, name).replace(/[$,]/g, "")));
        const states = (name: string) => formField(body, name).split(/[\s,]+/).filter(Boolean);
        const rpm = number("min_rpm");
        try {
          writePreferences(deps.db, params.id, {
            max_deadhead_miles: number("max_deadhead_miles"),
            min_rpm_all_in_cents: rpm === null ? null : Math.round(rpm * 100),
            preferred_states: states("preferred_states"),
            avoided_states: states("avoided_states"),
            max_weight_lb: number("max_weight_lb"),
            home_by: formField(body, "home_by") || null,
          });
        } catch (error) {
          if (!(error instanceof PreferencesError)) throw error;
          return errorPage(422, "Preferences not saved", error.message, principal!);
        }
        deps.loads.engine.truckChanged(params.id);
        return redirect(request, `/trucks/${params.id}#best-loads`);
      },
      { params: t.Object({ id: t.Numeric() }), body: FormBody, detail: { hide: true } },
    )
    .post(
      "/loads/:id/dispute",
      ({ request, principal, params, body }) => {
        if (!canEdit(principal!)) return errorPage(403, "Not allowed", "Disputes are for dispatchers.", principal!);
        return lifecycle(request, principal!, params.id, () => deps.loads.setDisputed(params.id, formField(body, "disputed") === "true", principal!.userId));
      },
      { params: t.Object({ id: t.Numeric() }), body: FormBody, detail: { hide: true } },
    )
    .get("/brokers", ({ request, principal }) => renderPage(request, principal!, "Brokers", BrokersPage({ brokers: deps.loads.brokers.list() })), { detail: { hide: true } })
    .get(
      "/brokers/:id",
      ({ request, principal, params }) => {
        const broker = deps.loads.brokers.broker(params.id);
        return broker ? renderPage(request, principal!, broker.name, BrokerPage({ broker, canEdit: canEdit(principal!), csrfToken: principal!.csrfToken })) : errorPage(404, "No such broker", `There is no broker ${params.id}.`, principal!);
      },
      { params: t.Object({ id: t.Numeric() }), detail: { hide: true } },
    )
    .post(
      "/brokers/:id/notes",
      ({ request, principal, params, body }) => {
        if (!canEdit(principal!)) return errorPage(403, "Not allowed", "Broker notes are for dispatchers.", principal!);
        if (!deps.loads.brokers.setNotes(params.id, formField(body, "notes"))) return errorPage(404, "No such broker", `There is no broker ${params.id}.`, principal!);
        return redirect(request, `/brokers/${params.id}`);
      },
      { params: t.Object({ id: t.Numeric() }), body: FormBody, detail: { hide: true } },
    );
}
