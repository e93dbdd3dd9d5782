/**
 * JSON API conventions, checked over the whole route table so every later feature is held to them:
 * errors are `{ error: { code, message, details? } }` JSON with the right status (never HTML),
 * keys are snake_case, timestamps are ISO 8601 UTC strings, lists are `{ data, next_cursor }`.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { testApp, type TestApp, type TestSession } from "../helpers/app";
import { OPENAPI_PATH } from "../../src/routes/openapi";

let t: TestApp;
let owner: TestSession;
let ownerToken: string;
beforeAll(async () => {
  t = await testApp();
  owner = await t.login("owner", "maria");
  ownerToken = t.token("owner");
  // Some data so lists are not empty: users, tokens, audit entries.
  await t.request("POST", "/api/v1/users", { token: ownerToken, json: { username: "dave", password: "dispatcher-password-1", role: "dispatcher" } });
  await t.request("POST", "/api/v1/tokens", { token: ownerToken, json: { name: "prometheus", role: "viewer" } });
  await t.login("viewer", "vic");
});
afterAll(() => t.cleanup());

/** Reads a response that must be an API error and returns its body. */
async function expectApiError(response: Response, status: number, code: string) {
  expect(response.status).toBe(status);
  expect(response.headers.get("content-type") ?? "").toStartWith("application/json");
  const text = await response.text();
  expect(text).not.toContain("<html");
  const body = JSON.parse(text) as { error: { code: string; message: string; details?: unknown } };
  expect(Object.keys(body)).toEqual(["error"]);
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe("string");
  expect(body.error.message.length).toBeGreaterThan(0);
  return body;
}

describe("API errors are JSON with the right status, never HTML", () => {
  const cases: { name: string; method: string; path: string; as?: "owner" | "viewer" | "session" | "anonymous"; json?: unknown; body?: string; status: number; code: string }[] = [
    { name: "unknown route under /api/v1", method: "GET", path: "/api/v1/no-such-thing", as: "owner", status: 404, code: "not_found" },
    { name: "unknown route under /api/v1, anonymously", method: "GET", path: "/api/v1/no-such-thing", as: "anonymous", status: 404, code: "not_found" },
    { name: "wrong method on a known path", method: "PUT", path: "/api/v1/me", as: "owner", status: 404, code: "not_found" },
    { name: "no credentials", method: "GET", path: "/api/v1/me", as: "anonymous", status: 401, code: "unauthorized" },
    { name: "a bad token", method: "GET", path: "/api/v1/me", as: "anonymous", status: 401, code: "unauthorized" },
    { name: "a viewer changing something", method: "POST", path: "/api/v1/tokens", as: "viewer", json: { name: "x", role: "viewer" }, status: 403, code: "read_only" },
    { name: "validation failure", method: "POST", path: "/api/v1/tokens", as: "owner", json: { name: 7 }, status: 422, code: "validation" },
    { name: "a path parameter that is not a number", method: "DELETE", path: "/api/v1/tokens/abc", as: "owner", status: 422, code: "validation" },
    { name: "a body that is not JSON", method: "POST", path: "/api/v1/tokens", as: "owner", body: "{not json", status: 400, code: "bad_request" },
    { name: "a missing record", method: "DELETE", path: "/api/v1/tokens/99999", as: "owner", status: 404, code: "not_found" },
  ];
  for (const c of cases) {
    test(`${c.name}: ${c.status} ${c.code}`, async () => {
      const headers: Record<string, string> = { accept: "text/html,application/xhtml+xml" }; // a browser asking for HTML still gets JSON from the API
      if (c.as === "owner") headers.authorization = `Bearer ${ownerToken}`;
      if (c.as === "viewer") headers.authorization = `Bearer ${t.token("viewer")}`;
      if (c.name === "a bad token") headers.authorization = "Bearer hb_notARealTokenAtAll000000000000";
      let body: string | undefined;
      if (c.json !== undefined) body = JSON.stringify(c.json);
      if (c.body !== undefined) body = c.body;
      if (body !== undefined) headers["content-type"] = "application/json";
      const response = await t.app.handle(new Request(`http://localhost${c.path}`, { method: c.method, headers, body }));
      await expectApiError(response, c.status, c.code);
    });
  }

  test("a validation failure names the failing fields in details", async () => {
    const response = await t.request("POST", "/api/v1/tokens", { token: ownerToken, json: { name: 7 } });
    const body = await expectApiError(response, 422, "validation");
    const details = body.error.details as { path: string; message: string }[];
    expect(Array.isArray(details)).toBe(true);
    expect(details.map((d) => d.path)).toEqual(expect.arrayContaining(["/name"]));
    for (const detail of details) expect(typeof detail.message).toBe("string");
  });
});

/** Keys that break snake_case anywhere in a JSON value, with their paths. */
function nonSnakeKeys(value: unknown, path = "$"): string[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => nonSnakeKeys(item, `${path}[${i}]`));
  if (!value || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([key, child]) => [...(/^[a-z][a-z0-9]*(_[a-z0-9]+)*$/.test(key) ? [] : [`${path}.${key}`]), ...nonSnakeKeys(child, `${path}.${key}`)]);
}

/** `*_at` fields that are neither null nor an ISO 8601 UTC timestamp. */
function badTimestamps(value: unknown, path = "$"): string[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => badTimestamps(item, `${path}[${i}]`));
  if (!value || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([key, child]) => {
    const own = (key.endsWith("_at") || key === "at") && child !== null && !(typeof child === "string" && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/.test(child)) ? [`${path}.${key}=${JSON.stringify(child)}`] : [];
    return [...own, ...badTimestamps(child, `${path}.${key}`)];
  });
}

describe("every GET route under /api/v1 (without path parameters), as the owner", () => {
  /** Routes walked, filled by the test below (OpenAPI's own document uses its standard's camelCase keys). */
  const routes = () => t.app.routes.filter((route) => route.method === "GET" && route.path.startsWith("/api/v1/") && !route.path.includes(":") && route.path !== OPENAPI_PATH).map((route) => route.path);

  test("answers JSON with snake_case keys only, ISO timestamps and { data, next_cursor } lists", async () => {
    const walked = routes();
    expect(walked.length).toBeGreaterThanOrEqual(3);
    const problems: string[] = [];
    for (const path of walked) {
      for (const [via, response] of [
        ["token", await t.request("GET", path, { token: ownerToken })],
        ["session", await t.request("GET", path, { session: owner })],
      ] as const) {
        if (!(response.headers.get("content-type") ?? "").startsWith("application/json")) {
          problems.push(`${path} (${via}): ${response.status} ${response.headers.get("content-type")}, not JSON`);
          continue;
        }
        const body = await response.json();
        if (response.status !== 200) problems.push(`${path} (${via}): status ${response.status}`);
        problems.push(...nonSnakeKeys(body).map((key) => `${path}: key ${key} is not snake_case`));
        problems.push(...badTimestamps(body).map((field) => `${path}: ${field} is not an ISO 8601 UTC timestamp`));
        if (body && typeof body === "object" && "data" in body && Array.isArray(body.data) && !("next_cursor" in body)) problems.push(`${path}: a list without next_cursor`);
      }
    }
    expect(problems).toEqual([]);
  });

  test("the snake_case check itself catches camelCase, PascalCase and kebab-case keys, deep down", () => {
    expect(nonSnakeKeys({ ok_key: 1, list: [{ lastSeen: 1 }], nested: { "Bad-Key": { deep_ok: { BadKey: 2 } } } })).toEqual(["$.list[0].lastSeen", "$.nested.Bad-Key", "$.nested.Bad-Key.deep_ok.BadKey"]);
    expect(badTimestamps({ created_at: 1700000000000, updated_at: "2026-01-02T03:04:05.678Z", at: null })).toEqual(["$.created_at=1700000000000"]);
  });
});
