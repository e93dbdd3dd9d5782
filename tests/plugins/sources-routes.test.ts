/** The Sources page and the sources/jobs API through testApp(), with the throwaway plugins running for real. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { testApp, type TestApp, type TestSession } from "../helpers/app";
import { fixturePlugins } from "../fixtures/plugins";

const YEARLY = '"0 0 1 1 *"';
const YAML = `
plugin_host:
  call_timeout_seconds: 0.2
  retry_initial_seconds: 600
sources:
  - id: good-board
    plugin: test-good
    schedule: ${YAML_SCHEDULE()}
    count: 3
  - id: bad-board
    plugin: test-throws
    schedule: ${YEARLY}
    message: "<script>alert('pwned')</script> upstream 503"
  - id: slow-board
    plugin: test-hangs
    schedule: ${YEARLY}
  - id: off-board
    plugin: test-good
    enabled: false
    schedule: ${YEARLY}
  - id: phone
    plugin: test-notifier
`;
function YAML_SCHEDULE() {
  return YEARLY;
}

let t: TestApp;
let owner: TestSession;
let viewer: TestSession;

/** Waits (real time) until `check` holds; the runtime polls at start on real timers. */
async function waitFor(check: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(10);
  }
}

beforeAll(async () => {
  t = await testApp({ yaml: YAML, extraPlugins: fixturePlugins });
  owner = await t.login("owner", "olivia");
  viewer = await t.login("viewer", "victor");
  await waitFor(() => t.deps.host.status("slow-board")?.state === "failing" && t.deps.host.status("good-board")?.state === "ok" && t.deps.host.status("bad-board")?.state === "failing", "the first polls");
});
afterAll(() => t.cleanup());

describe("GET /api/v1/sources", () => {
  test("lists every source with state, times and counters in snake_case", async () => {
    const response = await t.request("GET", "/api/v1/sources", { token: t.token("viewer") });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { data: Record<string, unknown>[]; next_cursor: string | null };
    expect(body.next_cursor).toBeNull();
    expect(body.data.map((s) => [s.id, s.state])).toEqual([
      ["good-board", "ok"],
      ["bad-board", "failing"],
      ["slow-board", "failing"],
      ["off-board", "disabled"],
      ["phone", "ok"],
    ]);
    const good = body.data[0]!;
    expect(good).toMatchObject({ plugin: "test-good", kind: "loadboard", mode: "pull", plugin_version: "1.0.0", plugin_source: "builtin", enabled: true, schedule: "0 0 1 1 *", runs: 1, failures: 0, items: 3, last_error: null, consecutive_failures: 0 });
    expect(good.last_success_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(good.next_run_at).toMatch(/-01-01T00:00:00\.000Z$/);
    expect(body.data[1]).toMatchObject({ last_error: "poll failed: <script>alert('pwned')</script> upstream 503", failures: 1 });
    expect(body.data[2]).toMatchObject({ last_error: "poll timed out after 200 ms" });
    expect(body.data[2]!.last_error_at).toMatch(/Z$/);
  });

  test("pages with limit and cursor", async () => {
    const token = t.token("viewer");
    const first = (await (await t.request("GET", "/api/v1/sources?limit=2", { token })).json()) as { data: { id: string }[]; next_cursor: string };
    expect(first.data.map((s) => s.id)).toEqual(["good-board", "bad-board"]);
    const second = (await (await t.request("GET", `/api/v1/sources?limit=2&cursor=${first.next_cursor}`, { token })).json()) as { data: { id: string }[] };
    expect(second.data.map((s) => s.id)).toEqual(["slow-board", "off-board"]);
  });

  test("one source by id, and 404 for an unknown id", async () => {
    const token = t.token("viewer");
    expect(((await (await t.request("GET", "/api/v1/sources/phone", { token })).json()) as { kind: string }).kind).toBe("notifier");
    const missing = await t.request("GET", "/api/v1/sources/nope", { token });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe("not_found");
  });

  test("anonymous requests are denied", async () => {
    for (const path of ["/api/v1/sources", "/api/v1/sources/good-board", "/api/v1/jobs"]) {
      const response = await t.request("GET", path);
      expect(response.status).toBe(401);
    }
    expect((await t.request("POST", "/api/v1/sources/good-board/run")).status).toBe(401);
  });
});

describe("POST /api/v1/sources/:id/run", () => {
  test("the owner polls a source now and gets the result", async () => {
    const token = t.token("owner");
    const response = await t.request("POST", "/api/v1/sources/good-board/run", { token });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { result: Record<string, unknown>; source: Record<string, unknown> };
    expect(body.result).toMatchObject({ status: "ok", error: null, items: 3 });
    expect(body.source).toMatchObject({ id: "good-board", runs: 2, items: 6 });
    const failed = (await (await t.request("POST", "/api/v1/sources/bad-board/run", { token })).json()) as { result: Record<string, unknown> };
    expect(failed.result).toMatchObject({ status: "failed", items: 0 });
  });

  test("refusals: unknown 404, disabled or not polled 409, and roles without manage_settings 403", async () => {
    const token = t.token("owner");
    const cases: [string, number, string][] = [
      ["/api/v1/sources/nope/run", 404, "not_found"],
      ["/api/v1/sources/off-board/run", 409, "disabled"],
      ["/api/v1/sources/phone/run", 409, "not_pollable"],
    ];
    for (const [path, status, code] of cases) {
      const response = await t.request("POST", path, { token });
      expect(response.status).toBe(status);
      expect(response.headers.get("content-type")).toStartWith("application/json");
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe(code);
    }
    expect((await t.request("POST", "/api/v1/sources/good-board/run", { token: t.token("viewer") })).status).toBe(403);
    expect((await t.request("POST", "/api/v1/sources/good-board/run", { token: t.token("dispatcher") })).status).toBe(403);
  });

  test("a source already polling answers 409 busy", async () => {
    const token = t.token("owner");
    const first = t.request("POST", "/api/v1/sources/slow-board/run", { token });
    await waitFor(() => t.deps.host.status("slow-board")!.running, "the slow poll to start");
    const second = await t.request("POST", "/api/v1/sources/slow-board/run", { token });
    expect(second.status).toBe(409);
    expect(((await second.json()) as { error: { code: string } }).error.code).toBe("busy");
    const firstBody = (await (await first).json()) as { result: Record<string, unknown> };
    expect(firstBody.result).toMatchObject({ status: "timed_out", error: "poll timed out after 200 ms" });
  });
});

describe("Jobs API", () => {
  test("GET /api/v1/jobs lists session-cleanup with its schedule and status", async () => {
    const body = (await (await t.request("GET", "/api/v1/jobs", { token: t.token("viewer") })).json()) as { data: Record<string, unknown>[]; next_cursor: null };
    expect(body.next_cursor).toBeNull();
    const job = body.data.find((j) => j.name === "session-cleanup")!;
    expect(job).toMatchObject({ schedule: "0 * * * *", timezone: "UTC", enabled: true, timeout_seconds: 60, running: false });
    expect(job.next_run_at).toMatch(/T\d\d:00:00\.000Z$/);
  });

  test("POST /api/v1/jobs/session-cleanup/run deletes expired sessions", async () => {
    const stale = await t.login("driver", "stale-driver");
    t.deps.db.query("UPDATE sessions SET expires_at = 1 WHERE user_id = ?").run(stale.userId);
    const response = await t.request("POST", "/api/v1/jobs/session-cleanup/run", { token: t.token("owner") });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { result: Record<string, unknown>; job: Record<string, unknown> };
    expect(body.result).toMatchObject({ status: "ok", error: null });
    expect(body.job).toMatchObject({ last_status: "ok", runs: 1 });
    expect(t.deps.db.query("SELECT count(*) AS n FROM sessions WHERE user_id = ?").get(stale.userId)).toEqual({ n: 0 });
    expect((await t.request("POST", "/api/v1/jobs/nope/run", { token: t.token("owner") })).status).toBe(404);
    expect((await t.request("POST", "/api/v1/jobs/session-cleanup/run", { token: t.token("viewer") })).status).toBe(403);
  });
});

describe("The Sources page", () => {
  test("anonymous browsers are sent to the login page", async () => {
    const response = await t.request("GET", "/sources");
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/login?next=%2Fsources");
  });

  test("a viewer sees every source with its state and escaped errors, the jobs, and no Run now buttons", async () => {
    const response = await t.request("GET", "/sources", { session: viewer });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain("<!doctype html>");
    expect(html).toContain('class="table-wrap"');
    for (const id of ["good-board", "bad-board", "slow-board", "off-board", "phone"]) expect(html).toContain(`id="source-${id}"`);
    expect(html).toContain('<span class="badge ok">ok</span>');
    expect(html).toContain('<span class="badge bad">failing</span>');
    expect(html).toContain('<span class="badge">disabled</span>');
    // The plugin's error message is shown, escaped: a plugin cannot inject markup.
    expect(html).not.toContain("<script>alert");
    expect(html).toContain("&lt;script&gt;alert(&#x27;pwned&#x27;)&lt;/script&gt; upstream 503");
    expect(html).toContain('id="job-session-cleanup"');
    expect(html).not.toContain("Run now");
    expect(html).toContain('hx-get="/sources/status"');
  });

  test("the owner gets Run now buttons for polling sources and jobs, with the CSRF token", async () => {
    const html = await (await t.request("GET", "/sources", { session: owner })).text();
    expect(html).toContain('action="/sources/good-board/run"');
    expect(html).not.toContain('action="/sources/off-board/run"');
    expect(html).not.toContain('action="/sources/phone/run"');
    expect(html).toContain('action="/sources/jobs/session-cleanup/run"');
    expect(html).toContain(`name="_csrf" value="${owner.csrf}"`);
  });

  test("htmx gets only the live fragment", async () => {
    const html = await (await t.request("GET", "/sources/status", { session: viewer, headers: { "hx-request": "true" } })).text();
    expect(html).toStartWith('<div id="sources-live"');
    expect(html).not.toContain("<html");
    expect(html).toContain('id="source-good-board"');
  });

  test("Run now from the page: htmx gets the fragment with the outcome, a plain form is redirected back", async () => {
    const htmx = await t.request("POST", "/sources/good-board/run", { session: owner, form: {}, headers: { "hx-request": "true" } });
    expect(htmx.status).toBe(200);
    const fragment = await htmx.text();
    expect(fragment).toStartWith('<div id="sources-live"');
    expect(fragment).toContain("good-board: polled, 3 items received.");
    const plain = await t.request("POST", "/sources/bad-board/run", { session: owner, form: {} });
    expect(plain.status).toBe(303);
    expect(plain.headers.get("location")).toBe("/sources");
    const job = await t.request("POST", "/sources/jobs/session-cleanup/run", { session: owner, form: {}, headers: { "hx-request": "true" } });
    expect(await job.text()).toContain("session-cleanup: finished in");
  });

  test("Run now is refused without the CSRF token and for roles without manage_settings", async () => {
    expect((await t.request("POST", "/sources/good-board/run", { session: owner, form: {}, csrf: false })).status).toBe(403);
    const dispatcher = await t.login("dispatcher", "dana");
    expect((await t.request("POST", "/sources/good-board/run", { session: dispatcher, form: {} })).status).toBe(403);
    expect((await t.request("POST", "/sources/good-board/run", { session: viewer, form: {} })).status).toBe(403);
  });
});

describe("/metrics", () => {
  test("has per-source and per-job counters", async () => {
    const text = await (await t.request("GET", "/metrics", { token: t.token("owner") })).text();
    expect(text).toMatch(/haulbox_source_items_total\{source="good-board",plugin="test-good"\} \d+/);
    expect(text).toContain('haulbox_source_failing{source="bad-board",plugin="test-throws"} 1');
    expect(text).toMatch(/haulbox_job_runs_total\{job="session-cleanup"\} \d+/);
  });
});
