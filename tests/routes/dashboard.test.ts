/** The dashboard: shows the appliance alive, sums up sources and jobs, and guides a new owner. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { testApp, type TestApp, type TestSession } from "../helpers/app";
import { fixturePlugins } from "../fixtures/plugins";
import { formatBytes, formatDuration } from "../../views/dashboard/page";
import { VERSION } from "../../src/version";

const YEARLY = '"0 0 1 1 *"';

async function waitFor(check: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(10);
  }
}

describe("dashboard on a fresh appliance", () => {
  let t: TestApp;
  let owner: TestSession;
  beforeAll(async () => {
    t = await testApp();
    owner = await t.login("owner", "olivia");
  });
  afterAll(() => t.cleanup());

  test("says Haulbox is running, with version, uptime and database, and what to do next", async () => {
    const html = await (await t.request("GET", "/", { session: owner })).text();
    expect(html).toContain("Haulbox is running");
    expect(html).toContain(VERSION);
    expect(html).toMatch(/Up for<\/dt>\s*<dd><span>\d+ (s|min)<\/span>/);
    expect(html).toContain(t.dataDir);
    expect(html).toContain("No sources configured yet");
    expect(html).toContain("Getting started");
    // Only the owner account exists: that step is ticked, adding users is not.
    expect(html).toMatch(/<li class="done">[^]*?Create the owner account/);
    expect(html).toMatch(/<li><span aria-hidden="true">○<\/span> <a href="\/settings">Add your dispatchers/);
  });

  test("ticks a step once it is done", async () => {
    await t.login("dispatcher", "dana");
    const html = await (await t.request("GET", "/", { session: owner })).text();
    expect(html).toMatch(/<li class="done">[^<]*<span aria-hidden="true">✓<\/span> <span>Add your dispatchers/);
  });

  test("a viewer sees the status but not paths or the set-up checklist", async () => {
    const viewer = await t.login("viewer", "victor");
    const html = await (await t.request("GET", "/", { session: viewer })).text();
    expect(html).toContain("Haulbox is running");
    expect(html).not.toContain(t.dataDir);
    expect(html).not.toContain("Getting started");
  });

  test("the status part refreshes itself as an htmx fragment", async () => {
    const page = await (await t.request("GET", "/", { session: owner })).text();
    expect(page).toContain('hx-get="/dashboard/status"');
    const fragment = await (await t.request("GET", "/dashboard/status", { session: owner, headers: { "HX-Request": "true" } })).text();
    expect(fragment).toStartWith('<div id="dashboard-status"');
    expect(fragment).not.toContain("<html");
  });
});

describe("dashboard with sources", () => {
  let t: TestApp;
  let owner: TestSession;
  beforeAll(async () => {
    t = await testApp({
      extraPlugins: fixturePlugins,
      yaml: `
plugin_host:
  retry_initial_seconds: 600
sources:
  - id: good-board
    plugin: test-good
    schedule: ${YEARLY}
  - id: bad-board
    plugin: test-throws
    schedule: ${YEARLY}
    message: "<img src=x onerror=alert(1)> upstream 503"
  - id: off-board
    plugin: test-good
    enabled: false
    schedule: ${YEARLY}
`,
    });
    owner = await t.login("owner", "olivia");
    await waitFor(() => t.deps.host.status("good-board")?.state === "ok" && t.deps.host.status("bad-board")?.state === "failing", "the first polls");
  });
  afterAll(() => t.cleanup());

  test("counts sources by state and names the failing one with its error, escaped", async () => {
    const html = await (await t.request("GET", "/", { session: owner })).text();
    expect(html).toContain("1 ok");
    expect(html).toContain('<span class="badge bad">1 failing</span>');
    expect(html).toContain("1 disabled");
    expect(html).toContain("<strong>bad-board</strong>");
    expect(html).toContain("&lt;img src=x onerror=alert(1)&gt; upstream 503");
    expect(html).not.toContain("<img src=x");
    // The fixture boards are load boards: that step is done; no real truck has a device yet, so that one is not.
    expect(html).toMatch(/<li class="done">[^<]*<span aria-hidden="true">✓<\/span> <span>Connect a load board/);
    expect(html).toMatch(/<li><span aria-hidden="true">○<\/span> <a href="\/trucks\/devices">Add your trucks/);
  });
});

describe("dashboard formats", () => {
  test.each([
    [0, "0 s"],
    [59_999, "59 s"],
    [60_000, "1 min"],
    [3_600_000 + 5 * 60_000, "1 h 5 min"],
    [3 * 86_400_000 + 4 * 3_600_000 + 59_000, "3 d 4 h"],
  ])("uptime %p ms reads %p", (ms, text) => expect(formatDuration(ms)).toBe(text));
  test.each([
    [0, "1 KB"],
    [831_488, "812 KB"],
    [3_565_158, "3.4 MB"],
    [1_288_490_189, "1.2 GB"],
  ])("%p bytes read %p", (bytes, text) => expect(formatBytes(bytes)).toBe(text));
});
