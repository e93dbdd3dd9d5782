/** The OpenAPI document at /api/v1/openapi.json: valid, complete for the API, free of HTML pages, with Bearer auth. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { testApp, type TestApp } from "../helpers/app";
import { isApiPath, OPENAPI_PATH } from "../../src/routes/openapi";

let t: TestApp;
let doc: any;
beforeAll(async () => {
  t = await testApp();
  const response = await t.request("GET", OPENAPI_PATH, { token: t.token("viewer") });
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toStartWith("application/json");
  doc = JSON.parse(await response.text());
});
afterAll(() => t.cleanup());

/** `/api/v1/users/:id` → `/api/v1/users/{id}`, as OpenAPI writes path parameters. */
function openapiPath(elysiaPath: string): string {
  return elysiaPath.replace(/:([A-Za-z0-9_]+)\??/g, "{$1}");
}

/** The app's API routes (method, path) — the ones the document must describe. */
function apiRoutes(): { method: string; path: string }[] {
  return t.app.routes
    .filter((route) => isApiPath(route.path) && route.path !== OPENAPI_PATH && !["HEAD", "OPTIONS"].includes(route.method))
    .map((route) => ({ method: route.method.toLowerCase(), path: openapiPath(route.path) }));
}

/** Every operation in the document as `METHOD path` with its object. */
function operations(): [string, any][] {
  return Object.entries<any>(doc.paths).flatMap(([path, byMethod]) => Object.entries<any>(byMethod).map(([method, operation]) => [`${method.toUpperCase()} ${path}`, operation] as [string, any]));
}

describe("GET /api/v1/openapi.json", () => {
  test("is OpenAPI 3.x JSON describing Haulbox", () => {
    expect(doc.openapi).toMatch(/^3\.\d+\.\d+$/);
    expect(doc.info.title).toBe("Haulbox API");
    expect(typeof doc.info.version).toBe("string");
    expect(Object.keys(doc.paths).length).toBeGreaterThan(3);
  });

  test("requires auth like the rest of the API", async () => {
    const anonymous = await t.request("GET", OPENAPI_PATH);
    expect(anonymous.status).toBe(401);
  });

  test("lists every API route of the app", () => {
    const routes = apiRoutes();
    expect(routes.length).toBeGreaterThan(3);
    const missing = routes.filter(({ method, path }) => !doc.paths[path]?.[method]).map(({ method, path }) => `${method.toUpperCase()} ${path}`);
    expect(missing).toEqual([]);
    expect(doc.paths["/healthz"]?.get).toBeDefined();
    expect(doc.paths["/metrics"]?.get).toBeDefined();
  });

  test("describes only API routes: no HTML pages, no static files, not itself", () => {
    const outside = Object.keys(doc.paths).filter((path) => !isApiPath(path) || path === OPENAPI_PATH);
    expect(outside).toEqual([]);
    for (const page of ["/login", "/setup", "/settings", "/", "/static/{name}"]) expect(doc.paths[page]).toBeUndefined();
  });

  test("every operation declares a success response, with a schema unless it is 204", () => {
    const problems: string[] = [];
    for (const [name, operation] of operations()) {
      const successes = Object.entries<any>(operation.responses ?? {}).filter(([status]) => status.startsWith("2"));
      if (!successes.length) problems.push(`${name}: no 2xx response`);
      for (const [status, response] of successes) {
        if (status === "204") continue;
        const schemas = Object.values<any>(response.content ?? {}).map((media) => media.schema);
        if (!schemas.length || schemas.some((schema) => !schema || typeof schema !== "object")) problems.push(`${name}: ${status} has no schema`);
      }
    }
    expect(problems).toEqual([]);
  });

  test("protected operations document the error shape for 401 and 403", () => {
    expect(doc.components.schemas.Error.properties.error.required).toEqual(["code", "message"]);
    for (const [name, operation] of operations()) {
      if (name === "GET /healthz") continue;
      expect({ name, ref: operation.responses["401"]?.content?.["application/json"]?.schema?.$ref }).toEqual({ name, ref: "#/components/schemas/Error" });
    }
  });

  test("Bearer tokens are the documented security scheme; /healthz needs none", () => {
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: "http", scheme: "bearer" });
    expect(doc.security).toContainEqual({ bearer: [] });
    expect(doc.paths["/healthz"].get.security).toEqual([]);
    expect(doc.paths["/metrics"].get.security).toBeUndefined();
  });

  test("numbers are plain numbers, not Elysia's numeric-string unions", () => {
    expect(JSON.stringify(doc.paths)).not.toContain('"format":"integer"');
    expect(doc.paths["/healthz"].get.responses["200"].content["application/json"].schema.properties.uptime_seconds).toEqual({ type: "integer" });
  });
});
