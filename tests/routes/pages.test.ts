/** The web shell: every nav page renders in the layout, htmx gets fragments, untrusted text is escaped. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { NAV_ITEMS } from "../../views/layout";
import { testApp, type TestApp, type TestSession } from "../helpers/app";

let t: TestApp;
let owner: TestSession;
beforeAll(async () => {
  t = await testApp();
  owner = await t.login("owner");
});
afterAll(() => t.cleanup());

describe("pages", () => {
  test("every nav page answers a full page with the navigation and the active entry marked", async () => {
    for (const item of NAV_ITEMS) {
      const response = await t.request("GET", item.href, { session: owner });
      expect(response.status, item.href).toBe(200);
      expect(response.headers.get("content-type")).toContain("text/html");
      const html = await response.text();
      expect(html).toStartWith("<!doctype html>");
      for (const other of NAV_ITEMS) expect(html).toContain(`href="${other.href}"`);
      expect(html).toMatch(new RegExp(`<a href="${item.href}" class="active" aria-current="page">`));
      expect(html).toContain('name="viewport"');
    }
  });

  test("an htmx request gets only the fragment", async () => {
    const response = await t.request("GET", "/alerts", { session: owner, headers: { "HX-Request": "true" } });
    const html = await response.text();
    expect(html).not.toContain("<html");
    expect(html).not.toContain('class="nav"');
    expect(html).toContain("not built yet");
  });

  test("pages not built yet say so plainly", async () => {
    for (const path of ["/alerts", "/reports"]) {
      expect(await (await t.request("GET", path, { session: owner })).text(), path).toContain("This page is not built yet.");
    }
  });

  test("untrusted text is escaped, never markup", async () => {
    const hostile = `<script>alert("x")</script><img src=x onerror=alert(1)>`;
    t.deps.auth.tokens.create(hostile, "viewer", owner.userId);
    const html = await (await t.request("GET", "/settings", { session: owner })).text();
    expect(html).not.toContain("<script>alert");
    expect(html).not.toContain("<img src=x");
    expect(html).toContain("&lt;script&gt;");
  });

  test("an unknown page is a 404 page, an unknown API path a JSON 404", async () => {
    const page = await t.request("GET", "/no-such-page", { session: owner });
    expect(page.status).toBe(404);
    expect(page.headers.get("content-type")).toContain("text/html");
    const api = await t.request("GET", "/api/v1/no-such-thing", { session: owner });
    expect(api.status).toBe(404);
    expect(((await api.json()) as any).error.code).toBe("not_found");
  });
});
