/**
 * Loads API: the board (`GET /api/v1/loads`), one load with a match for every truck, a load entered
 * by hand, booking and the lifecycle, lane rates and the broker book. Any role reads (a driver's
 * board is scored for their own truck); `dispatch` enters, books and moves loads. Money is integer
 * cents, distances miles, times ISO 8601 UTC.
 */
import { Elysia, t } from "elysia";
import type { AppDeps } from "../deps";
import { authGuard } from "../auth/guard";
import type { Principal } from "../auth/principal";
import { isoTime } from "../http/respond";
import { isoToEpochMs } from "../domain/units";
import { scopeFor } from "../telemetry/queries";
import { LoadActionError, LOAD_STATUSES, type LoadStatus } from "../loads/service";
import { LoadViews, type LoadView } from "../loads/views";
import { EQUIPMENT_CODES, LoadRecordSchema, type LoadRecord } from "../loads/records";
import type { Match } from "../domain/matching";
import type { BrokerView } from "../loads/brokers";
import { ErrorSchema } from "./vehicles";
import { decodeCursor, encodeCursor, ListOf, ListQuery, pageList } from "../http/pagination";
import { CostsError, type Costs } from "../loads/cost-settings";
import { truckMoney } from "../loads/money-report";
import { PreferencesError, readPreferences, writePreferences, type TruckPreferencesInput } from "../loads/preferences";
import { US_STATES } from "../loads/records";
import { inScope } from "../telemetry/queries";
import { snakeCaseKeys } from "../http/snake-case";
import { Integer } from "../http/schema";
import { errorBody, refusalOf } from "../http/refusal";

const NullableNumber = t.Union([t.Number(), t.Null()]);
const NullableString = t.Union([t.String(), t.Null()]);
const PlaceSchema = t.Object({ city: NullableString, state: NullableString, zip: NullableString, lat: t.Number(), lon: t.Number() });

const MatchSchema = t.Object({
  truck_id: Integer(),
  deadhead_miles: t.Number(),
  loaded_miles: t.Number(),
  total_miles: t.Number(),
  revenue_cents: Integer(),
  revenue_estimated: t.Boolean({ description: "True when the load has no posted rate and revenue is the lane median × loaded miles." }),
  fuel_cost_cents: Integer(),
  variable_cost_cents: Integer({ description: "Maintenance, tires and other per-mile costs." }),
  fixed_cost_cents: Integer({ description: "Fixed cost per day × the days the trip takes." }),
  driver_pay_cents: Integer(),
  net_cents: Integer(),
  rpm_all_in_cents: Integer({ description: "Revenue per mile driven, deadhead included." }),
  rpm_loaded_cents: Integer(),
  hos_feasible: t.Boolean({ description: "The pickup window can be reached under the FMCSA hours-of-service rules." }),
  trip_days: t.Number(),
  pickup_at: t.String({ format: "date-time" }),
  empty_at: t.String({ format: "date-time" }),
  score: Integer({ minimum: 0, maximum: 100 }),
  reasons: t.Array(t.Object({ text: t.String(), effect: t.Union([t.Literal("good"), t.Literal("bad"), t.Literal("blocking"), t.Literal("info")]), points: Integer() })),
  breakdown: t.Optional(t.Array(t.Object({ key: t.String(), label: t.String(), cents: Integer(), how: t.String() }), { description: "The cost lines; on the board only with include=breakdown." })),
});

const LoadSchema = t.Object({
  id: Integer(),
  source: t.String(),
  external_id: t.String(),
  status: t.String({ description: `One of ${LOAD_STATUSES.join(", ")}.` }),
  demo: t.Boolean({ description: "Synthetic demo data." }),
  origin: PlaceSchema,
  destination: PlaceSchema,
  pickup_at: t.String({ format: "date-time", description: "Earliest pickup." }),
  pickup_latest: t.Union([t.String({ format: "date-time" }), t.Null()]),
  delivery_at: t.Union([t.String({ format: "date-time" }), t.Null()], { description: "Earliest delivery." }),
  delivery_latest: t.Union([t.String({ format: "date-time" }), t.Null()]),
  equipment: t.String(),
  weight_lb: NullableNumber,
  rate_cents: t.Union([Integer(), t.Null()]),
  loaded_miles: NullableNumber,
  commodity: NullableString,
  comments: t.Union([t.String(), t.Null()], { description: "Free text from the board: untrusted." }),
  broker: t.Union([t.Object({ id: Integer(), name: t.String(), mc: NullableString, risk: Integer({ description: "Broker risk 0–100, higher is riskier." }) }), t.Null()]),
  truck_id: t.Union([Integer(), t.Null()]),
  agreed_rate_cents: t.Union([Integer(), t.Null()]),
  match: t.Union([MatchSchema, t.Null()]),
});

const BrokerSchema = t.Object({
  id: Integer(),
  name: t.String(),
  mc: NullableString,
  dot: NullableString,
  phone: NullableString,
  email: NullableString,
  credit_score: NullableNumber,
  days_to_pay: NullableNumber,
  notes: t.String(),
  demo: t.Boolean(),
  history: t.Record(t.String(), t.Union([t.Number(), t.String(), t.Null()]), { description: "The fleet's own history with the broker; first_seen is ISO 8601." }),
  risk: t.Object({ score: Integer(), level: t.String(), reasons: t.Array(t.Object({ text: t.String(), points: t.Number() })) }),
});

const PreferencesSchema = t.Object({
  max_deadhead_miles: t.Union([t.Number({ minimum: 0 }), t.Null()], { description: "Longest empty run to a pickup; null: the fleet's matching.max_deadhead_miles." }),
  min_rpm_all_in_cents: t.Union([Integer({ minimum: 0 }), t.Null()], { description: "Least all-in rate per mile, cents; null: none." }),
  preferred_states: t.Array(t.String({ minLength: 2, maxLength: 2 }), { description: "Delivery states this driver prefers." }),
  avoided_states: t.Array(t.String({ minLength: 2, maxLength: 2 }), { description: "Delivery states this driver avoids." }),
  max_weight_lb: t.Union([t.Number({ minimum: 0 }), t.Null()]),
  home_by: t.Union([t.String({ pattern: "^\\d{4}-\\d{2}-\\d{2}$" }), t.Null()], { description: "Date (fleet time zone) the driver wants to be empty by." }),
});

/** The costs block without the EIA key, which only says whether one is set. */
function publicCosts(costs: Costs) {
  const { api_key, ...diesel } = costs.diesel;
  return { ...costs, diesel: { ...diesel, api_key_set: api_key !== "" } };
}

const iso = (ms: number | null) => (ms === null ? null : isoTime(ms)!);

/** A match in API form; the cost lines only with `breakdown` (a board page lists the figures, the load has the lines). */
export function matchJson(match: Match, breakdown = true) {
  const { load_id: _load, diesel_cents_per_gallon: _diesel, diesel_source: _source, breakdown: lines, ...rest } = match;
  return { ...rest, ...(breakdown ? { breakdown: lines } : {}), pickup_at: isoTime(match.pickup_at)!, empty_at: isoTime(match.empty_at)! };
}

export function loadJson(load: LoadView, match: Match | null, options: { breakdown?: boolean } = {}) {
  return {
    id: load.id,
    source: load.source,
    external_id: load.external_id,
    status: load.status,
    demo: load.demo,
    origin: load.origin,
    destination: load.destination,
    pickup_at: isoTime(load.pickup_earliest)!,
    pickup_latest: iso(load.pickup_latest),
    delivery_at: iso(load.delivery_earliest),
    delivery_latest: iso(load.delivery_latest),
    equipment: load.equipment,
    weight_lb: load.weight_lb,
    rate_cents: load.rate_cents,
    loaded_miles: load.loaded_miles,
    commodity: load.commodity,
    comments: load.comments,
    broker: load.broker ? { id: load.broker.id, name: load.broker.name, mc: load.broker.mc, risk: load.broker.risk } : null,
    truck_id: load.truck_id,
    agreed_rate_cents: load.agreed_rate_cents,
    match: match ? matchJson(match, options.breakdown ?? true) : null,
  };
}

function brokerJson(broker: BrokerView) {
  const { first_seen, ...history } = broker.history;
  return { ...broker, history: { ...history, first_seen: iso(first_seen ?? null) } as Record<string, number | string | null> };
}


/** A time given as ISO 8601 or epoch ms. */
function parseTime(value: string | number | undefined): number | undefined | null {
  if (value === undefined) return undefined;
  if (typeof value === "number") return value;
  return isoToEpochMs(value) ?? (/^\d+$/.test(value) ? Number(value) : null);
}

export function loadsApi(deps: AppDeps) {
  const views = new LoadViews(deps.db, deps.loads);
  /** Drivers see the board scored for their own truck only. */
  const truckFor = (principal: Principal, asked: number | undefined): number | undefined => {
    const scope = scopeFor(principal);
    return scope.all ? asked : (scope.vehicleId ?? -1);
  };
  const refused = refusalOf(LoadActionError);

  return new Elysia({ name: "loads-api", seed: deps, prefix: "/api/v1" })
    .use(authGuard(deps))
    .get(
      "/loads",
      ({ principal, query, status }) => {
        if (query.status && !(LOAD_STATUSES as readonly string[]).includes(query.status)) return status(422, errorBody("invalid", `status must be one of ${LOAD_STATUSES.join(", ")}`));
        const truckId = truckFor(principal!, query.truck_id);
        // Offset paging: the board's order is the engine's ranking, which has no stable key to seek from.
        const limit = query.limit ?? 50;
        const offset = Math.max(0, Number(decodeCursor(query.cursor) ?? 0) || 0);
        const { rows, total } = views.board({ status: query.status as LoadStatus | undefined, truckId, equipment: query.equipment, sort: query.sort ?? "score", limit, offset });
        const breakdown = query.include === "breakdown";
        return { data: rows.map((row) => loadJson(row.load, row.match, { breakdown })), next_cursor: offset + rows.length < total ? encodeCursor(offset + rows.length) : null };
      },
      {
        query: t.Object({
          truck_id: t.Optional(t.Numeric({ description: "Score for this truck (default: each load's best truck)." })),
          status: t.Optional(t.String({ description: `One of ${LOAD_STATUSES.join(", ")} (default open).` })),
          equipment: t.Optional(t.Union(EQUIPMENT_CODES.map((code) => t.Literal(code)))),
          sort: t.Optional(t.Union([t.Literal("score"), t.Literal("pickup"), t.Literal("rate"), t.Literal("newest")])),
          include: t.Optional(t.Literal("breakdown", { description: "Add each match's cost lines (how every cost was made); without it a page lists the figures and reasons, about half the bytes." })),
          ...ListQuery.properties,
        }),
        requires: "read",
        response: { 200: ListOf(LoadSchema), 422: ErrorSchema },
        detail: { summary: "The load board: loads with their match (net profit, rate per mile, deadhead, HOS, score and reasons), best first", tags: ["loads"] },
      },
    )
    .get(
      "/loads/:id",
      ({ params, principal, status }) => {
        const load = views.load(params.id);
        if (!load) return status(404, errorBody("not_found", `There is no load ${params.id}.`));
        const scope = scopeFor(principal!);
        const matches = deps.loads.engine.forLoad(params.id).filter((match) => scope.all || match.truck_id === scope.vehicleId);
        return { ...loadJson(load, matches[0] ?? null), matches: matches.map((match) => matchJson(match)), events: views.events(params.id).map((event) => ({ ...event, at: isoTime(event.at)! })) };
      },
      {
        params: t.Object({ id: t.Numeric() }),
        requires: "read",
        response: {
          200: t.Composite([LoadSchema, t.Object({ matches: t.Array(MatchSchema), events: t.Array(t.Object({ at: t.String(), status: t.String(), note: NullableString, user: NullableString })) })]),
          404: ErrorSchema,
        },
        detail: { summary: "One load with a match for every truck (best first) and its lifecycle events", tags: ["loads"] },
      },
    )
    .post(
      "/loads",
      ({ body, principal, set, status }) => {
        try {
          const id = deps.loads.createManual(body as Omit<LoadRecord, "external_id">);
          deps.log.info("load entered by hand", { id, by: principal!.name });
          set.status = 201;
          const [match] = deps.loads.engine.forLoad(id);
          return loadJson(views.load(id)!, match ?? null);
        } catch (error) {
          const answer = refused(error);
          return status(answer.status, answer.body);
        }
      },
      {
        body: t.Omit(LoadRecordSchema, ["external_id", "demo"]),
        requires: "dispatch",
        response: { 201: LoadSchema, 404: ErrorSchema, 409: ErrorSchema, 422: ErrorSchema },
        detail: { summary: "Enter a load a broker phoned in (places are geocoded offline; an unknown place is a 422)", tags: ["loads"] },
      },
    )
    .post(
      "/loads/:id/book",
      ({ params, body, principal, status }) => {
        try {
          deps.loads.book(params.id, body.truck_id, body.rate_cents, principal!.userId);
          deps.log.info("load booked", { id: params.id, truck_id: body.truck_id, rate_cents: body.rate_cents, by: principal!.name });
          return loadJson(views.load(params.id)!, deps.loads.engine.pair(body.truck_id, params.id));
        } catch (error) {
          const answer = refused(error);
          return status(answer.status, answer.body);
        }
      },
      {
        params: t.Object({ id: t.Numeric() }),
        body: t.Object({ truck_id: t.Integer(), rate_cents: t.Integer({ minimum: 1, description: "The agreed all-in rate, cents." }) }),
        requires: "dispatch",
        response: { 200: LoadSchema, 404: ErrorSchema, 409: ErrorSchema, 422: ErrorSchema },
        detail: { summary: "Book a load to a truck at an agreed rate", tags: ["loads"] },
      },
    )
    .post(
      "/loads/:id/status",
      ({ params, body, principal, status }) => {
        const at = parseTime(body.at);
        if (at === null) return status(422, errorBody("invalid", "at must be an ISO 8601 time or epoch milliseconds"));
        try {
          deps.loads.setStatus(params.id, body.status as LoadStatus, principal!.userId, { at, cancelledBy: body.cancelled_by, note: body.note });
          return loadJson(views.load(params.id)!, null);
        } catch (error) {
          const answer = refused(error);
          return status(answer.status, answer.body);
        }
      },
      {
        params: t.Object({ id: t.Numeric() }),
        body: t.Object({
          status: t.Union(["saved", "negotiating", "picked_up", "delivered", "invoiced", "paid", "cancelled", "open"].map((s) => t.Literal(s))),
          at: t.Optional(t.Union([t.String(), t.Number()], { description: "When it happened (default now)." })),
          cancelled_by: t.Optional(t.Union([t.Literal("fleet"), t.Literal("broker")])),
          note: t.Optional(t.String({ maxLength: 1000 })),
        }),
        requires: "dispatch",
        response: { 200: LoadSchema, 404: ErrorSchema, 409: ErrorSchema, 422: ErrorSchema },
        detail: { summary: "Move a load along its lifecycle (one step at a time; cancel from any state before paid)", tags: ["loads"] },
      },
    )
    .post(
      "/loads/:id/dispute",
      ({ params, body, principal, status }) => {
        try {
          deps.loads.setDisputed(params.id, body.disputed);
          deps.log.info(body.disputed ? "load payment disputed" : "load dispute resolved", { id: params.id, by: principal!.name });
          return loadJson(views.load(params.id)!, null);
        } catch (error) {
          const answer = refused(error);
          return status(answer.status, answer.body);
        }
      },
      {
        params: t.Object({ id: t.Numeric() }),
        body: t.Object({ disputed: t.Boolean() }),
        requires: "dispatch",
        response: { 200: LoadSchema, 404: ErrorSchema, 409: ErrorSchema, 422: ErrorSchema },
        detail: { summary: "Mark a booked load's payment disputed (or settled): it counts in the broker's risk", tags: ["loads"] },
      },
    )
    .get(
      "/lanes",
      ({ query, status }) => {
        if (query.origin === undefined && query.destination === undefined) {
          return pageList(deps.loads.lanes.busiest(), (lane) => `${lane.origin}>${lane.destination}|${lane.equipment}`, query.limit, query.cursor);
        }
        const state = (text: string | undefined) => (text && /^[A-Za-z]{2}$/.test(text.trim()) ? text.trim().toUpperCase() : null);
        const origin = state(query.origin);
        const destination = state(query.destination);
        if (!origin || !destination || !query.equipment) return status(422, errorBody("invalid", "give origin and destination as two-letter state codes (IL, TX) and an equipment code, or none of them for the busiest lanes"));
        return { data: snakeCaseKeys(deps.loads.lanes.report({ origin: { state: origin }, destination: { state: destination }, equipment: query.equipment })) };
      },
      {
        query: t.Object({
          origin: t.Optional(t.String({ description: "Origin state (two letters)." })),
          destination: t.Optional(t.String({ description: "Destination state (two letters)." })),
          equipment: t.Optional(t.Union(EQUIPMENT_CODES.map((code) => t.Literal(code)))),
          ...ListQuery.properties,
        }),
        requires: "read",
        response: { 200: t.Object({ data: t.Unknown(), next_cursor: t.Optional(t.Union([t.String(), t.Null()])) }), 422: ErrorSchema },
        detail: { summary: "Lane rates for one lane (count, p25/median/p75 per loaded mile over 7, 30 and 90 days, trend, confidence), or the busiest lanes", tags: ["loads"] },
      },
    )
    .get(
      "/vehicles/:id/preferences",
      ({ params, principal, status }) => {
        if (!inScope(scopeFor(principal!), params.id) || !deps.fleet.vehicle(params.id)) return status(404, errorBody("not_found", `There is no vehicle ${params.id}.`));
        return readPreferences(deps.db, params.id);
      },
      { params: t.Object({ id: t.Numeric() }), requires: "read", response: { 200: PreferencesSchema, 404: ErrorSchema }, detail: { summary: "A truck's dispatch preferences", tags: ["loads"] } },
    )
    .put(
      "/vehicles/:id/preferences",
      ({ params, body, principal, status }) => {
        if (!deps.fleet.vehicle(params.id)) return status(404, errorBody("not_found", `There is no vehicle ${params.id}.`));
        try {
          const saved = writePreferences(deps.db, params.id, body as TruckPreferencesInput);
          deps.loads.engine.truckChanged(params.id);
          deps.log.info("truck preferences changed", { vehicle_id: params.id, by: principal!.name });
          return saved;
        } catch (error) {
          if (!(error instanceof PreferencesError)) throw error;
          return status(422, errorBody("invalid", error.message));
        }
      },
      {
        params: t.Object({ id: t.Numeric() }),
        body: PreferencesSchema,
        requires: "dispatch",
        response: { 200: PreferencesSchema, 404: ErrorSchema, 422: ErrorSchema },
        detail: { summary: `Set a truck's dispatch preferences (states are two-letter codes: ${US_STATES.slice(0, 3).join(", ")}…); its loads are rescored`, tags: ["loads"] },
      },
    )
    .get(
      "/settings/costs",
      () => {
        const { costs, source } = deps.loads.costs.current();
        return { ...publicCosts(costs), source };
      },
      { requires: "read", response: t.Object({ source: t.Union([t.Literal("settings"), t.Literal("config")]) }, { additionalProperties: true }), detail: { summary: "The costs in force (the YAML costs block, or the ones saved here) and where they come from; the EIA key is never returned", tags: ["settings"] } },
    )
    .put(
      "/settings/costs",
      ({ body, principal, status }) => {
        try {
          const saved = deps.loads.costs.save(body);
          deps.loads.engine.rescoreAll();
          deps.log.info("costs changed", { by: principal!.name });
          return { ...publicCosts(saved), source: "settings" as const };
        } catch (error) {
          if (!(error instanceof CostsError)) throw error;
          return status(422, errorBody("invalid", error.message));
        }
      },
      {
        body: t.Unknown({ description: "The same structure as the YAML costs: block (missing keys take their defaults; diesel.api_key stays in the YAML)." }),
        requires: "manage_settings",
        response: { 200: t.Object({ source: t.Literal("settings") }, { additionalProperties: true }), 422: ErrorSchema },
        detail: { summary: "Save the costs every load is scored with (overrides the YAML's costs block until cleared); every load is rescored", tags: ["settings"] },
      },
    )
    .delete(
      "/settings/costs",
      ({ principal }) => {
        deps.loads.costs.clear();
        deps.loads.engine.rescoreAll();
        deps.log.info("costs back to the YAML", { by: principal!.name });
        const { costs, source } = deps.loads.costs.current();
        return { ...publicCosts(costs), source };
      },
      { requires: "manage_settings", response: t.Object({ source: t.Union([t.Literal("settings"), t.Literal("config")]) }, { additionalProperties: true }), detail: { summary: "Forget the saved costs: the YAML's costs block is used again", tags: ["settings"] } },
    )
    .get(
      "/reports/trucks",
      ({ query, principal }) => {
        const scope = scopeFor(principal!);
        const truckId = scope.all ? query.truck_id : (scope.vehicleId ?? -1);
        const rows = truckMoney(deps.db, { period: query.period ?? "week", timeZone: deps.config.current().timezone, truckId });
        return pageList(rows, (row) => `${row.truck_id}|${row.period}`, query.limit, query.cursor);
      },
      {
        query: t.Object({ period: t.Optional(t.Union([t.Literal("week"), t.Literal("month")])), truck_id: t.Optional(t.Numeric()), ...ListQuery.properties }),
        requires: "read",
        response: ListOf(
          t.Object({
            truck_id: Integer(),
            unit: t.String(),
            period: t.String({ description: "ISO week (2026-W48) or month (2026-11), in the fleet's time zone." }),
            loads: Integer(),
            revenue_cents: Integer({ description: "Agreed rates." }),
            cost_cents: Integer({ description: "Costs computed at booking." }),
            net_cents: Integer(),
            miles: t.Number(),
            loads_without_cost: Integer({ description: "Loads booked when no cost could be computed: in revenue only." }),
          }),
        ),
        detail: { summary: "Revenue, cost and net per truck per week or month, from booked loads (newest first)", tags: ["loads"] },
      },
    )
    .get("/brokers", ({ query }) => pageList(deps.loads.brokers.list().map(brokerJson), (broker) => broker.id, query.limit, query.cursor), {
      query: ListQuery,
      requires: "read",
      response: ListOf(BrokerSchema),
      detail: { summary: "The broker book, riskiest first", tags: ["brokers"] },
    })
    .get(
      "/brokers/:id",
      ({ params, status }) => {
        const broker = deps.loads.brokers.broker(params.id);
        return broker ? brokerJson(broker) : status(404, errorBody("not_found", `There is no broker ${params.id}.`));
      },
      { params: t.Object({ id: t.Numeric() }), requires: "read", response: { 200: BrokerSchema, 404: ErrorSchema }, detail: { summary: "One broker: board facts, the fleet's history and the risk with its reasons", tags: ["brokers"] } },
    );
}
