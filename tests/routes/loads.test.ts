/**
 * Loads API through app.handle(): the board scored for a truck (exact match shape, best first), a
 * load with a match for every truck, a phoned-in load, booking and the lifecycle with 409s for
 * steps out of order, the broker book, lane rates, and roles (a driver's board is scored for their
 * own truck only; a viewer cannot book).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { testApp, type TestApp, type TestSession } from "../helpers/app";

let t: TestApp;
let ownerToken: string;
let viewerToken: string;
let driver: TestSession;
let chicago: number;
let dallas: number;
const HOUR = 3_600_000;
const now = Date.now();

/** A van load with its own coordinates (no geocoding needed). */
function load(id: string, from: [number, number, string], to: [number, number, string], rate: number | null, extra: Record<string, unknown> = {}) {
  return {
    external_id: id,
    origin: { lat: from[0], lon: from[1], state: from[2], city: "A" },
    destination: { lat: to[0], lon: to[1], state: to[2], city: "B" },
    pickup_earliest: now + 6 * HOUR,
    pickup_latest: now + 12 * HOUR,
    equipment: "V",
    weight_lb: 38_000,
    ...(rate === null ? {} : { rate_cents: rate }),
    loaded_miles: 900,
    broker: { name: "Prairie Freight", mc: "123456", credit_score: 93, days_to_pay: 29 },
    ...extra,
  };
}

const IL: [number, number, string] = [41.53, -88.08, "IL"];
const TX: [number, number, string] = [32.78, -96.8, "TX"];
const GA: [number, number, string] = [33.75, -84.39, "GA"];

beforeAll(async () => {
  t = await testApp();
  ownerToken = t.token("owner");
  viewerToken = t.token("viewer");
  chicago = t.deps.fleet.createVehicle({ unit: "101", equipment: ["V"], mpg: 6.5 }).id;
  dallas = t.deps.fleet.createVehicle({ unit: "202", equipment: ["V", "R"] }).id;
  driver = await t.login("driver");
  t.deps.auth.users.update(driver.userId, { vehicle_id: dallas });
  const state = t.deps.db.query("INSERT INTO vehicle_state (vehicle_id, last_seen, position_ts, lat, lon, updated_at) VALUES (?, ?, ?, ?, ?, ?)");
  state.run(chicago, now, now, 41.88, -87.63, now);
  state.run(dallas, now, now, 32.9, -96.9, now);
  t.deps.loads.engine.rebuild();
  const result = t.deps.loads.ingest({
    sourceId: "board",
    loads: [load("good", IL, TX, 290_000), load("cheap", IL, GA, 140_000), load("back", TX, IL, 240_000), load("call-for-rate", IL, GA, null)],
    receivedAt: now,
  });
  expect(result.new).toBe(4);
});
afterAll(() => t.cleanup());

const json = async (method: string, path: string, options: { token?: string; session?: TestSession; body?: unknown } = {}) => {
  const who = options.session ? { session: options.session } : { token: options.token ?? ownerToken };
  const response = await t.request(method, path, { ...who, ...(options.body === undefined ? {} : { json: options.body }) });
  return { status: response.status, body: (await response.json()) as any };
};

describe("the board", () => {
  test("scored for a truck: best first, every match figure present and consistent", async () => {
    const { status, body } = await json("GET", `/api/v1/loads?truck_id=${chicago}`);
    expect(status).toBe(200);
    const ids = body.data.map((row: any) => row.external_id);
    expect(ids[0]).toBe("good");
    // The Texas load starts 800 mi from Chicago: not scored for this truck.
    expect(body.data.find((row: any) => row.external_id === "back").match).toBeNull();
    const good = body.data[0];
    expect(good).toMatchObject({ source: "board", status: "open", equipment: "V", rate_cents: 290_000, loaded_miles: 900, broker: { name: "Prairie Freight", mc: "123456" } });
    const figures = ["truck_id", "deadhead_miles", "loaded_miles", "total_miles", "revenue_cents", "revenue_estimated", "fuel_cost_cents", "variable_cost_cents", "fixed_cost_cents", "driver_pay_cents", "net_cents", "rpm_all_in_cents", "rpm_loaded_cents", "hos_feasible", "trip_days", "pickup_at", "empty_at", "score", "reasons"];
    // A page lists the figures and reasons; the cost lines come with include=breakdown (and on the load).
    expect(Object.keys(good.match).sort()).toEqual([...figures].sort());
    const detailed = (await json("GET", `/api/v1/loads?truck_id=${chicago}&include=breakdown`)).body.data[0];
    expect(detailed.id).toBe(good.id);
    const match = detailed.match;
    expect(Object.keys(match).sort()).toEqual([...figures, "breakdown"].sort());
    expect({ ...match, breakdown: undefined }).toEqual({ ...good.match, breakdown: undefined });
    expect((await json("GET", `/api/v1/loads?truck_id=${chicago}&include=everything`)).status).toBe(422);
    expect(match.truck_id).toBe(chicago);
    expect(match.revenue_cents - match.fuel_cost_cents - match.variable_cost_cents - match.fixed_cost_cents - match.driver_pay_cents).toBe(match.net_cents);
    expect(match.breakdown.reduce((sum: number, line: any) => sum + line.cents, 0)).toBe(match.revenue_cents - match.net_cents);
    expect(match.total_miles).toBeCloseTo(match.deadhead_miles + match.loaded_miles, 5);
    // Without a truck: each load with its best truck; the Texas load's is the Dallas truck.
    const fleetBoard = await json("GET", "/api/v1/loads");
    expect(fleetBoard.body.data.find((row: any) => row.external_id === "back").match.truck_id).toBe(dallas);
    expect((await json("GET", "/api/v1/loads?status=nope")).status).toBe(422);
    // Paging walks the same order, scored loads first, each load once.
    const all = (await json("GET", `/api/v1/loads?truck_id=${chicago}&limit=100`)).body.data.map((row: any) => row.id);
    const walked: number[] = [];
    let cursor: string | null = "";
    while (cursor !== null) {
      const page: any = await json("GET", `/api/v1/loads?truck_id=${chicago}&limit=1${cursor ? `&cursor=${cursor}` : ""}`);
      walked.push(...page.body.data.map((row: any) => row.id));
      cursor = page.body.next_cursor;
    }
    expect(walked).toEqual(all);
    expect(new Set(walked).size).toBe(walked.length);
  });

  test("one load with a match for every truck, best first; a driver sees only their own truck's", async () => {
    const id = t.deps.db.query("SELECT id FROM loads WHERE external_id = 'back'").get() as { id: number };
    const { body } = await json("GET", `/api/v1/loads/${id.id}`);
    expect(body.matches.map((match: any) => match.truck_id)).toEqual([dallas, chicago]);
    expect(body.match.truck_id).toBe(dallas);
    const asDriver = await json("GET", `/api/v1/loads/${id.id}`, { session: driver });
    expect(asDriver.body.matches.map((match: any) => match.truck_id)).toEqual([dallas]);
    const driverBoard = await json("GET", `/api/v1/loads?truck_id=${chicago}`, { session: driver });
    expect(driverBoard.body.data.filter((row: any) => row.match).every((row: any) => row.match.truck_id === dallas)).toBe(true);
    expect((await json("GET", "/api/v1/loads/999999")).status).toBe(404);
  });
});

describe("truck preferences", () => {
  test("setting them rescores the truck at once; bad values are 422s naming the field; drivers read their own", async () => {
    const before = (await json("GET", `/api/v1/loads?truck_id=${chicago}`)).body.data.find((row: any) => row.external_id === "good").match;
    const put = await json("PUT", `/api/v1/vehicles/${chicago}/preferences`, { body: { max_deadhead_miles: 250, min_rpm_all_in_cents: null, preferred_states: [], avoided_states: ["tx"], max_weight_lb: 44_000, home_by: null } });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({ max_deadhead_miles: 250, min_rpm_all_in_cents: null, preferred_states: [], avoided_states: ["TX"], max_weight_lb: 44_000, home_by: null });
    const after = (await json("GET", `/api/v1/loads?truck_id=${chicago}`)).body.data.find((row: any) => row.external_id === "good").match;
    expect(after.score).toBe(Math.max(0, before.score - 30));
    expect(after.reasons).toContainEqual({ text: "Delivers in TX, a state this driver avoids", effect: "bad", points: -30 });
    const bad = await json("PUT", `/api/v1/vehicles/${chicago}/preferences`, { body: { max_deadhead_miles: null, min_rpm_all_in_cents: null, preferred_states: ["TX"], avoided_states: ["XX"], max_weight_lb: null, home_by: null } });
    expect(bad.status).toBe(422);
    expect(bad.body.error.message).toBe('avoided_states: "XX" is not a US state code');
    expect((await json("GET", `/api/v1/vehicles/${dallas}/preferences`, { session: driver })).status).toBe(200);
    expect((await json("GET", `/api/v1/vehicles/${chicago}/preferences`, { session: driver })).status).toBe(404);
    expect((await json("PUT", `/api/v1/vehicles/${chicago}/preferences`, { token: viewerToken, body: put.body })).status).toBe(403);
    // Back to no preferences for the tests below.
    await json("PUT", `/api/v1/vehicles/${chicago}/preferences`, { body: { max_deadhead_miles: null, min_rpm_all_in_cents: null, preferred_states: [], avoided_states: [], max_weight_lb: null, home_by: null } });
    expect((await json("GET", `/api/v1/loads?truck_id=${chicago}`)).body.data.find((row: any) => row.external_id === "good").match.score).toBe(before.score);
  });
});

describe("entering, booking and moving loads", () => {
  test("a phoned-in load is stored as manual and scored; a bad one is a 422 with the reason", async () => {
    const created = await json("POST", "/api/v1/loads", { body: { ...load("x", IL, TX, 250_000), external_id: undefined } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ source: "manual", status: "open", rate_cents: 250_000 });
    expect(created.body.match).not.toBeNull();
    const bad = await json("POST", "/api/v1/loads", { body: { ...load("x", IL, TX, 250_000), external_id: undefined, pickup_latest: now } });
    expect(bad.status).toBe(422);
    expect(bad.body.error.message).toContain("pickup_latest is before pickup_earliest");
  });

  test("book, then one step at a time; out-of-order steps are 409s; a viewer cannot book", async () => {
    const { id } = t.deps.db.query("SELECT id FROM loads WHERE external_id = 'good'").get() as { id: number };
    expect((await json("POST", `/api/v1/loads/${id}/book`, { token: viewerToken, body: { truck_id: chicago, rate_cents: 300_000 } })).status).toBe(403);
    const booked = await json("POST", `/api/v1/loads/${id}/book`, { body: { truck_id: chicago, rate_cents: 300_000 } });
    expect(booked.status).toBe(200);
    expect(booked.body).toMatchObject({ status: "booked", truck_id: chicago, agreed_rate_cents: 300_000 });
    expect(booked.body.match.revenue_cents).toBe(290_000);
    expect((await json("POST", `/api/v1/loads/${id}/book`, { body: { truck_id: chicago, rate_cents: 300_000 } })).status).toBe(409);
    const skipped = await json("POST", `/api/v1/loads/${id}/status`, { body: { status: "delivered" } });
    expect(skipped.status).toBe(409);
    expect(skipped.body.error.message).toBe("a booked load cannot become delivered (next: picked_up, or cancelled)");
    expect((await json("POST", `/api/v1/loads/${id}/status`, { body: { status: "picked_up", at: new Date(now + 7 * HOUR).toISOString() } })).status).toBe(200);
    expect((await json("POST", `/api/v1/loads/${id}/status`, { body: { status: "delivered", at: "yesterday" } })).status).toBe(422);
    const detail = await json("GET", `/api/v1/loads/${id}`);
    expect(detail.body.events.map((event: any) => event.status)).toEqual(["booked", "picked_up"]);
    expect(detail.body.events[1].at).toBe(new Date(now + 7 * HOUR).toISOString());
    // Booked loads leave the open board.
    const board = await json("GET", `/api/v1/loads?truck_id=${chicago}`);
    expect(board.body.data.map((row: any) => row.external_id)).not.toContain("good");
    expect((await json("GET", "/api/v1/loads?status=picked_up")).body.data.map((row: any) => row.external_id)).toEqual(["good"]);
    // A disputed payment counts against the broker; only a booked load can have one.
    expect((await json("POST", `/api/v1/loads/${id}/dispute`, { body: { disputed: true } })).status).toBe(200);
    expect(t.deps.loads.brokers.list().find((broker) => broker.mc === "123456")!.history.disputes).toBe(1);
    const open = (t.deps.db.query("SELECT id FROM loads WHERE external_id = 'cheap'").get() as { id: number }).id;
    expect((await json("POST", `/api/v1/loads/${open}/dispute`, { body: { disputed: true } })).status).toBe(409);
    expect((await json("POST", `/api/v1/loads/${id}/dispute`, { body: { disputed: false } })).status).toBe(200);
    expect(t.deps.loads.brokers.list().find((broker) => broker.mc === "123456")!.history.disputes).toBe(0);
    // The money of the booking, priced at the agreed rate when it was booked.
    const planned = t.deps.db.query("SELECT booked_cost_cents, booked_net_cents, booked_miles FROM loads WHERE id = ?").get(id) as { booked_cost_cents: number; booked_net_cents: number; booked_miles: number };
    expect(planned.booked_cost_cents + planned.booked_net_cents).toBe(300_000);
    const weeks = await json("GET", `/api/v1/reports/trucks?period=week&truck_id=${chicago}`);
    expect(weeks.body.data).toEqual([expect.objectContaining({ truck_id: chicago, unit: "101", loads: 1, revenue_cents: 300_000, cost_cents: planned.booked_cost_cents, net_cents: planned.booked_net_cents, miles: planned.booked_miles, loads_without_cost: 0 })]);
    expect(weeks.body.data[0].period).toMatch(/^\d{4}-W\d{2}$/);
    expect((await json("GET", "/api/v1/reports/trucks?period=month")).body.data[0].period).toMatch(/^\d{4}-\d{2}$/);
  });
});

describe("costs from the API", () => {
  test("PUT /settings/costs overrides the YAML block, rescoring every load; bad values are 422s naming the field; DELETE goes back", async () => {
    const before = await json("GET", "/api/v1/settings/costs");
    expect(before.body).toMatchObject({ source: "config", mpg: 6.5, fixed_cents_per_day: 15_000, driver_pay: { kind: "per_mile", cents_per_mile: 65 } });
    expect(before.body.diesel).toMatchObject({ source: "fixed", api_key_set: false });
    expect(before.body.diesel).not.toHaveProperty("api_key");
    // An owner-operator: no driver wages, cheaper fuel.
    const put = await json("PUT", "/api/v1/settings/costs", { body: { driver_pay: { kind: "per_mile", cents_per_mile: 0 }, diesel: { cents_per_gallon: 350 } } });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ source: "settings", driver_pay: { cents_per_mile: 0 }, diesel: { cents_per_gallon: 350 }, mpg: 6.5 });
    const rows = (await json("GET", `/api/v1/loads?truck_id=${chicago}&sort=pickup`)).body.data.filter((row: any) => row.match);
    for (const row of rows) expect(row.match.driver_pay_cents).toBe(0);
    const bad = await json("PUT", "/api/v1/settings/costs", { body: { mpg: -1 } });
    expect(bad.status).toBe(422);
    expect(bad.body.error.message).toStartWith("mpg:");
    expect((await json("PUT", "/api/v1/settings/costs", { body: { diesel: { api_key: "x" } } })).body.error.message).toContain("api_key_file");
    expect((await json("PUT", "/api/v1/settings/costs", { token: viewerToken, body: {} })).status).toBe(403);
    const cleared = await json("DELETE", "/api/v1/settings/costs");
    expect(cleared.body).toMatchObject({ source: "config", driver_pay: { cents_per_mile: 65 } });
    const again = (await json("GET", `/api/v1/loads?truck_id=${chicago}&sort=pickup`)).body.data.filter((row: any) => row.match);
    expect(again.every((row: any) => row.match.driver_pay_cents > 0)).toBe(true);
  });
});

describe("brokers and lanes", () => {
  test("the broker book lists the broker with its board facts, history and risk reasons", async () => {
    const { body } = await json("GET", "/api/v1/brokers");
    expect(body.data).toHaveLength(1);
    const broker = body.data[0];
    expect(broker).toMatchObject({ name: "Prairie Freight", mc: "123456", credit_score: 93, days_to_pay: 29 });
    expect(broker.risk.reasons.reduce((sum: number, reason: any) => sum + reason.points, 0)).toBe(broker.risk.score);
    expect((await json("GET", `/api/v1/brokers/${broker.id}`)).body.name).toBe("Prairie Freight");
    expect((await json("GET", "/api/v1/brokers/999999")).status).toBe(404);
  });

  test("lane rates for a lane, the busiest lanes without one, and a 422 for half a lane", async () => {
    const lane = await json("GET", "/api/v1/lanes?origin=IL&destination=TX&equipment=V");
    expect(lane.status).toBe(200);
    expect(lane.body.data.last30_days.reports).toBeGreaterThanOrEqual(1);
    expect(lane.body.data.last30_days).toHaveProperty("median_cents_per_mile");
    const busiest = await json("GET", "/api/v1/lanes");
    expect(busiest.body.data[0]).toMatchObject({ origin: expect.any(String), destination: expect.any(String), equipment: "V" });
    expect((await json("GET", "/api/v1/lanes?origin=IL")).status).toBe(422);
  });
});
