/**
 * The Loads and Brokers pages through app.handle(): the board lists scored loads best first with
 * their figures, hostile text from a board is escaped, the load page books and moves a load with
 * forms (CSRF required, dispatchers only), a phoned-in load is entered and geocoded from a form,
 * and the broker pages show the risk with its reasons.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { testApp, type TestApp, type TestSession } from "../helpers/app";

let t: TestApp;
let owner: TestSession;
let viewer: TestSession;
let truck: number;
const HOUR = 3_600_000;
const now = Date.now();
const HOSTILE = `<script>alert("x")</script><img src=x onerror=alert(1)>`;

beforeAll(async () => {
  t = await testApp({ yaml: "timezone: America/Chicago\n" });
  owner = await t.login("owner");
  viewer = await t.login("viewer");
  truck = t.deps.fleet.createVehicle({ unit: "101", equipment: ["V"] }).id;
  t.deps.db.query("INSERT INTO vehicle_state (vehicle_id, last_seen, position_ts, lat, lon, updated_at) VALUES (?, ?, ?, 41.88, -87.63, ?)").run(truck, now, now, now);
  t.deps.loads.engine.rebuild();
  const base = { origin: { lat: 41.53, lon: -88.08, state: "IL", city: "Joliet" }, pickup_earliest: now + 6 * HOUR, pickup_latest: now + 10 * HOUR, equipment: "V", loaded_miles: 930 };
  t.deps.loads.ingest({
    sourceId: "board",
    loads: [
      { ...base, external_id: "tx", destination: { lat: 32.78, lon: -96.8, state: "TX", city: "Dallas" }, rate_cents: 280_000, broker: { name: "Prairie Freight", mc: "123456" } },
      { ...base, external_id: "ga", destination: { lat: 33.75, lon: -84.39, state: "GA", city: "Atlanta" }, rate_cents: 150_000, comments: HOSTILE, broker: { name: HOSTILE } },
    ],
    receivedAt: now,
  });
});
afterAll(() => t.cleanup());

const page = async (path: string, session: TestSession = owner) => {
  const response = await t.request("GET", path, { session });
  return { status: response.status, html: await response.text() };
};
const idOf = (externalId: string) => (t.deps.db.query("SELECT id FROM loads WHERE external_id = ?").get(externalId) as { id: number }).id;

describe("load board and load page", () => {
  test("the board lists loads best first with net, all-in and deadhead; hostile board text is escaped", async () => {
    const { status, html } = await page(`/loads?truck=${truck}`);
    expect(status).toBe(200);
    expect(html.indexOf("Joliet, IL → Dallas, TX")).toBeGreaterThan(0);
    expect(html.indexOf("Joliet, IL → Dallas, TX")).toBeLessThan(html.indexOf("Joliet, IL → Atlanta, GA"));
    expect(html).toContain('<span class="label">Net</span>');
    expect(html).toContain("All-in");
    expect(html).not.toContain("<script>alert");
    expect(html).not.toContain("<img src=x");
    // (The hostile broker name shows, escaped, in the row's breakdown: the next test.)
    // The truck's own page lists its best loads now.
    const truckPage = (await page(`/trucks/${truck}`)).html;
    expect(truckPage).toContain("Best loads now");
    expect(truckPage).toContain(`href="/loads/${idOf("tx")}"`);
    // Filters: a reefer-only board has nothing; the empty text says why.
    expect((await page(`/loads?truck=${truck}&equipment=R`)).html).toContain("No open load matches these filters.");
  });

  test("an opened row fetches its breakdown: the figures the row ranked by; a driver sees only their own truck's", async () => {
    const { html } = await page(`/loads?truck=${truck}`);
    const id = idOf("tx");
    expect(html).toContain(`hx-get="/loads/${id}/breakdown?truck=${truck}"`);
    // The row's page weight stays small: no breakdown is in the board itself.
    expect(html).not.toContain("Net profit");
    const fragment = await t.request("GET", `/loads/${id}/breakdown?truck=${truck}`, { session: owner });
    expect(fragment.status).toBe(200);
    const text = await fragment.text();
    expect(text).not.toContain("<html");
    expect(text).toContain("Net profit");
    expect(text).toContain("For truck 101, broker Prairie Freight:");
    const shown = t.deps.loads.engine.best(truck).find((match) => match.load_id === id)!;
    expect(text.replace(/<[^>]+>/g, "")).toContain(`$${(shown.net_cents / 100).toLocaleString("en-US", { minimumFractionDigits: 2 })}`);
    // Escaped like the page: the hostile broker's name never arrives as markup.
    const hostile = await (await t.request("GET", `/loads/${idOf("ga")}/breakdown?truck=${truck}`, { session: owner })).text();
    expect(hostile).not.toContain("<script>alert");
    expect(hostile).toContain("&lt;script&gt;");
    // A driver bound to another truck, and a truck or load that does not exist.
    const other = t.deps.fleet.createVehicle({ unit: "102", equipment: ["V"] }).id;
    const driver = await t.login("driver");
    t.deps.db.query("UPDATE users SET vehicle_id = ? WHERE id = ?").run(other, driver.userId);
    expect((await t.request("GET", `/loads/${id}/breakdown?truck=${truck}`, { session: driver })).status).toBe(403);
    expect((await t.request("GET", `/loads/${id}/breakdown?truck=99999`, { session: owner })).status).toBe(404);
    expect((await t.request("GET", `/loads/99999/breakdown?truck=${truck}`, { session: owner })).status).toBe(404);
  });

  test("preferences from the truck page's form rescore the truck; a bad state comes back with the reason", async () => {
    const saved = await t.request("POST", `/trucks/${truck}/preferences`, { session: owner, form: { max_deadhead_miles: "", min_rpm: "2.10", preferred_states: "tx ok", avoided_states: "", max_weight_lb: "", home_by: "" } });
    expect(saved.status).toBe(303);
    expect(t.deps.loads.engine.truck(truck)!.match!.preferences).toMatchObject({ minRpmAllInCents: 210, preferredStates: ["TX", "OK"], maxDeadheadMiles: 300 });
    expect((await page(`/trucks/${truck}`)).html).toContain("Preferences: deadhead up to 300 mi (fleet setting) · at least $2.10/mi all-in · prefers TX, OK");
    const bad = await t.request("POST", `/trucks/${truck}/preferences`, { session: owner, form: { avoided_states: "Texas" } });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain("is not a US state code");
    expect((await t.request("POST", `/trucks/${truck}/preferences`, { session: viewer, form: {} })).status).toBe(403);
    await t.request("POST", `/trucks/${truck}/preferences`, { session: owner, form: {} });
  });

  test("the load page shows the breakdown and comments escaped; a viewer gets no forms", async () => {
    const { html } = await page(`/loads/${idOf("ga")}`);
    expect(html).toContain("Comments from the board");
    expect(html).toContain("Lane IL → GA (V)");
    expect(html).toContain('id="lane-chart" data-series=');
    expect(html).not.toContain("<script>alert");
    expect(html).toContain('action="/loads/' + idOf("ga") + '/book"');
    const asViewer = await page(`/loads/${idOf("ga")}`, viewer);
    expect(asViewer.html).not.toContain("/book");
    expect((await page("/loads/999999")).status).toBe(404);
  });

  test("booking and the next step by form: CSRF required, dispatchers only, refusals shown on the page", async () => {
    const id = idOf("tx");
    expect((await t.request("POST", `/loads/${id}/book`, { session: owner, form: { truck_id: String(truck), rate: "2,850" }, csrf: false })).status).toBe(403);
    expect((await t.request("POST", `/loads/${id}/book`, { session: viewer, form: { truck_id: String(truck), rate: "2,850" } })).status).toBe(403);
    const booked = await t.request("POST", `/loads/${id}/book`, { session: owner, form: { truck_id: String(truck), rate: "2,850" } });
    expect(booked.status).toBe(303);
    expect(booked.headers.get("location")).toBe(`/loads/${id}`);
    expect(t.deps.db.query("SELECT status, agreed_rate_cents FROM loads WHERE id = ?").get(id)).toEqual({ status: "booked", agreed_rate_cents: 285_000 });
    const skipped = await t.request("POST", `/loads/${id}/status`, { session: owner, form: { status: "paid" } });
    expect(skipped.status).toBe(422);
    expect(await skipped.text()).toContain("a booked load cannot become paid");
    expect((await t.request("POST", `/loads/${id}/status`, { session: owner, form: { status: "picked_up" } })).status).toBe(303);
    expect((await page(`/loads/${id}`)).html).toContain("picked up");
    const truckPage = (await page(`/trucks/${truck}`)).html;
    expect(truckPage).toContain("By week");
    expect(truckPage).toContain("$2,850");
  });

  test("a phoned-in load from the form: stored, scored and shown; a missing pickup time comes back with the message", async () => {
    const form = { origin_city: "Chicago", origin_state: "il", dest_city: "Atlanta", dest_state: "GA", pickup_at: new Date(now + 5 * HOUR).toISOString().slice(0, 16), equipment: "V", rate: "1,900", broker_name: "Caller Co", broker_mc: "MC-998877" };
    const created = await t.request("POST", "/loads/new", { session: owner, form });
    expect(created.status).toBe(303);
    const location = created.headers.get("location")!;
    expect(location).toMatch(/^\/loads\/\d+$/);
    const id = Number(location.split("/").pop());
    expect(t.deps.db.query("SELECT source_id, origin_state, rate_cents FROM loads WHERE id = ?").get(id)).toEqual({ source_id: "manual", origin_state: "IL", rate_cents: 190_000 });
    expect(t.deps.db.query("SELECT mc FROM brokers WHERE name = 'Caller Co'").get()).toEqual({ mc: "998877" });
    const missing = await t.request("POST", "/loads/new", { session: owner, form: { ...form, pickup_at: "" } });
    expect(missing.status).toBe(422);
    expect(await missing.text()).toContain("The earliest pickup time is needed.");
    expect((await page("/loads/new", viewer)).status).toBe(403);
  });
});

describe("broker pages", () => {
  test("the list and one broker with its risk reasons; names escaped", async () => {
    const list = await page("/brokers");
    expect(list.html).toContain("Prairie Freight");
    expect(list.html).not.toContain("<script>alert");
    const { id } = t.deps.db.query("SELECT id FROM brokers WHERE mc = '123456'").get() as { id: number };
    const one = await page(`/brokers/${id}`);
    expect(one.html).toContain("Risk ");
    expect(one.html).toContain("Our history");
    const saved = await t.request("POST", `/brokers/${id}/notes`, { session: owner, form: { notes: "Pays fast, call Jo" } });
    expect(saved.status).toBe(303);
    expect((await page(`/brokers/${id}`)).html).toContain("Pays fast, call Jo");
  });
});

describe("a load-board source end to end", () => {
  test("the matching engine is built right after start, not by the first page, and says so in the log", async () => {
    const app = await testApp();
    try {
      for (let i = 0; i < 100 && !app.logLines.some((line) => line.includes('"matching engine ready"')); i++) await Bun.sleep(10);
      const line = JSON.parse(app.logLines.find((entry) => entry.includes('"matching engine ready"'))!);
      expect(line).toMatchObject({ level: "info", open_loads: 0, trucks: 0 });
      expect(typeof line.ms).toBe("number");
    } finally {
      await app.cleanup();
    }
  });

  test("the demo board's first poll is stored and scored; the Sources page shows new / updated / expired / rejected", async () => {
    const app = await testApp({ yaml: 'sources:\n  - id: demo-loads\n    plugin: loadboard-demo\n    schedule: "*/2 * * * *"\n' });
    try {
      const session = await app.login("owner");
      // The host polls a source once at start; wait for it to land.
      for (let i = 0; i < 100 && !app.deps.loads.store.sourceCounts().get("demo-loads"); i++) await Bun.sleep(50);
      const counts = app.deps.loads.store.sourceCounts().get("demo-loads")!;
      expect(counts.last_new).toBeGreaterThan(100);
      expect(counts.last_rejected).toBe(0);
      const sources = await (await app.request("GET", "/sources", { session })).text();
      expect(sources.replace(/<[^>]+>/g, "")).toContain(`last poll: ${counts.last_new} new · 0 updated · 0 expired · 0 rejected (all time: ${counts.last_new} new, 0 rejected)`);
      const board = await (await app.request("GET", "/loads", { session })).text();
      expect(board).toContain("Synthetic data from the demo load board");
      expect(board).toContain('class="load-row"');
      // A page of 50 rows, and the pager to the next 50 (the open loads are all on the board).
      const open = (app.deps.db.query("SELECT count(*) AS n FROM loads WHERE status = 'open' AND duplicate_of IS NULL").get() as { n: number }).n;
      const rowIds = (html: string) => [...html.matchAll(/<details[^>]* id="load-(\d+)"/g)].map((match) => Number(match[1]));
      const first = rowIds(board);
      expect(first.length).toBe(50);
      expect(board).toContain(`1–50 of ${open.toLocaleString("en-US")} loads`);
      expect(board).toContain('href="/loads?from=50"');
      const second = await (await app.request("GET", "/loads?from=50", { session })).text();
      expect(second).toContain(`51–${Math.min(100, open)} of ${open.toLocaleString("en-US")} loads`);
      expect(second).toContain('href="/loads"');
      expect(rowIds(second).filter((id) => first.includes(id))).toEqual([]);
    } finally {
      await app.cleanup();
    }
  });
});
