/**
 * Walks the app's whole route table: every route except the public ones denies an anonymous
 * request, and a viewer (token or session) cannot change anything. Routes added by later issues
 * are covered automatically.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { isPublicPath } from "../../src/auth/guard";
import { testApp, type TestApp, type TestSession } from "../helpers/app";

let t: TestApp;
let viewerToken: string;
let viewerSession: TestSession;

beforeAll(async () => {
  t = await testApp();
  viewerToken = t.token("viewer");
  viewerSession = await t.login("viewer");
});
afterAll(() => t.cleanup());

const MUTATING = new Set(["POST", "PUT", "PATCH", "DELETE"]);
/** Mutations a viewer may make on its own session only. */
const VIEWER_SELF_SERVICE = new Set(["POST /logout", "POST /settings/password"]);

/** Every concrete (method, path) in the route table, with params filled in. */
function routes(): { method: string; path: string; pattern: string }[] {
  return t.app.routes
    .filter((route) => route.method !== "ALL" || true)
    .map((route) => ({
      method: route.method === "ALL" ? "GET" : route.method,
      pattern: route.path,
      path: route.path.replace(/:[A-Za-z_]+/g, "1").replace(/\*$/, "x"),
    }));
}

describe("route table", () => {
  test("the table is not empty and includes the features we expect", () => {
    const patterns = routes().map((r) => `${r.method} ${r.pattern}`);
    expect(patterns).toEqual(expect.arrayContaining(["GET /healthz", "GET /login", "POST /login", "GET /setup", "GET /settings", "GET /api/v1/me", "POST /api/v1/tokens"]));
  });

  test("every protected route denies an anonymous request", async () => {
    const checked: string[] = [];
    for (const route of routes()) {
      if (isPublicPath(route.path)) continue;
      const headers: Record<string, string> = {};
      let body: string | undefined;
      if (MUTATING.has(route.method)) {
        headers["content-type"] = "application/json";
        body = "{}";
      }
      const response = await t.app.handle(new Request(`http://localhost${route.path}`, { method: route.method, headers, body }));
      const label = `${route.method} ${route.pattern} → ${response.status}`;
      if (response.status === 303) expect(response.headers.get("location") ?? "", label).toStartWith("/login");
      else expect(response.status, label).toBe(401);
      checked.push(label);
    }
    expect(checked.length).toBeGreaterThan(5);
  });

  test("an API request without a session gets JSON 401, never a page", async () => {
    for (const route of routes().filter((r) => r.path.startsWith("/api/"))) {
      const response = await t.app.handle(new Request(`http://localhost${route.path}`, { method: route.method }));
      expect(response.status, `${route.method} ${route.pattern}`).toBe(401);
      const payload = (await response.json()) as { error: { code: string } };
      expect(payload.error.code).toBe("unauthorized");
    }
  });

  test("a bad or revoked bearer token is anonymous", async () => {
    expect((await t.request("GET", "/api/v1/me", { token: "hb_notarealtokenatallxxxxxxxxxxxx" })).status).toBe(401);
    const { token, record } = t.deps.auth.tokens.create("short-lived", "owner", null);
    expect((await t.request("GET", "/api/v1/me", { token })).status).toBe(200);
    t.deps.auth.tokens.revoke(record.id);
    expect((await t.request("GET", "/api/v1/me", { token })).status).toBe(401);
  });

  test("a viewer token cannot change anything", async () => {
    const mutations = routes().filter((r) => MUTATING.has(r.method) && !isPublicPath(r.path));
    expect(mutations.length).toBeGreaterThan(3);
    for (const route of mutations) {
      const response = await t.request(route.method, route.path, { token: viewerToken, json: {} });
      expect(response.status, `${route.method} ${route.pattern}`).toBe(403);
    }
  });

  test("a viewer session cannot change anything but its own password and logout", async () => {
    for (const route of routes().filter((r) => MUTATING.has(r.method) && !isPublicPath(r.path))) {
      if (VIEWER_SELF_SERVICE.has(`${route.method} ${route.pattern}`)) continue;
      const response = await t.request(route.method, route.path, { session: viewerSession, form: {} });
      expect(response.status, `${route.method} ${route.pattern}`).toBe(403);
    }
  });

  test("a viewer can read every page and API list it is shown", async () => {
    for (const route of routes().filter((r) => r.method === "GET" && !isPublicPath(r.path) && !r.pattern.includes(":"))) {
      const response = await t.request("GET", route.path, { token: viewerToken });
      // Reading is allowed; owner-only reads (users, audit) are forbidden, never a server error.
      expect([200, 403], `${route.method} ${route.pattern} → ${response.status}`).toContain(response.status);
    }
  });

  test("public routes answer without auth", async () => {
    expect((await t.request("GET", "/healthz")).status).toBe(200);
    expect((await t.request("GET", "/login")).status).toBe(200);
    expect((await t.request("GET", "/static/app.css")).status).toBe(200);
    expect((await t.request("GET", "/static/htmx.min.js")).status).toBe(200);
  });
});
