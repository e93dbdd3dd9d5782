/**
 * GET /api/v1/openapi.json: the OpenAPI document, generated from the route schemas by
 * @elysiajs/openapi's `toOpenAPISchema`. Only the API is described (`/api/v1/*`, `/healthz`,
 * `/metrics`); HTML pages set `detail: { hide: true }` and anything outside those prefixes is left
 * out even if a page forgets to. The plugin's browsable UI is not served: both of its providers
 * (Scalar, Swagger UI) load their scripts from a CDN, and the appliance serves nothing from one.
 */
import { Elysia, type AnyElysia } from "elysia";
import { toOpenAPISchema } from "@elysiajs/openapi/openapi";
import type { AppDeps } from "../deps";
import { authGuard, isPublicPath } from "../auth/guard";
import { SESSION_COOKIE } from "../auth/sessions";
import { VERSION } from "../version";

/** Where the document is served. */
export const OPENAPI_PATH = "/api/v1/openapi.json";

/** OpenAPI version emitted (3.1 matches the JSON Schema that TypeBox produces). */
const OPENAPI_VERSION = "3.1.2";

/** True for paths the API document describes. */
export function isApiPath(path: string): boolean {
  return path.startsWith("/api/v1/") || path === "/healthz" || path === "/metrics";
}

/** The shared error body, referenced by every operation's 4xx/5xx answers. */
const ERROR_SCHEMA = {
  type: "object",
  required: ["error"],
  properties: {
    error: {
      type: "object",
      required: ["code", "message"],
      properties: {
        code: { type: "string", description: "Stable machine-readable code, e.g. not_found, validation, unauthorized, forbidden, read_only, csrf." },
        message: { type: "string", description: "What went wrong, for a person." },
        details: { description: "Extra facts, e.g. the failing fields of a validation error." },
      },
    },
  },
};

const ERROR_RESPONSE = (description: string) => ({ description, content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } });

/**
 * Elysia's t.Integer/t.Numeric accept numeric strings too (for query and path parameters), which
 * the generator writes as `anyOf: [string with format integer, integer]`. Clients should see the
 * plain number type.
 */
function plainNumbers(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(plainNumbers);
  if (!node || typeof node !== "object") return node;
  const object = node as Record<string, any>;
  if (Array.isArray(object.anyOf) && object.anyOf.length === 2) {
    const numeric = object.anyOf.find((s: any) => s?.type === "integer" || s?.type === "number");
    const stringForm = object.anyOf.find((s: any) => s?.type === "string" && (s.format === "integer" || s.format === "numeric"));
    if (numeric && stringForm) {
      const { anyOf: _anyOf, ...rest } = object;
      return plainNumbers({ ...rest, ...numeric });
    }
  }
  return Object.fromEntries(Object.entries(object).map(([key, value]) => [key, plainNumbers(value)]));
}

/** Builds the document from every route registered in the app that `instance` belongs to. */
function buildDocument(instance: AnyElysia) {
  const generated = toOpenAPISchema(instance, { methods: ["options", "head"], staticFile: false }, undefined, undefined, OPENAPI_VERSION);
  const paths: Record<string, Record<string, any>> = {};
  for (const [path, operations] of Object.entries(generated.paths ?? {})) {
    if (!isApiPath(path) || path === OPENAPI_PATH) continue;
    const described: Record<string, any> = {};
    for (const [method, operation] of Object.entries(operations as Record<string, any>)) {
      if (!operation || typeof operation !== "object") continue;
      const responses = { ...operation.responses };
      if (!isPublicPath(path)) {
        responses["401"] ??= ERROR_RESPONSE("Not logged in, or the API token is missing or invalid.");
        responses["403"] ??= ERROR_RESPONSE("The role of this principal may not do this.");
      }
      if (operation.parameters?.length || operation.requestBody) responses["422"] ??= ERROR_RESPONSE("The request failed validation; details name the fields.");
      // A DELETE answers 204 with no body, which needs no schema; other operations must declare theirs.
      if (method === "delete" && !Object.keys(responses).some((status) => status.startsWith("2"))) responses["204"] = { description: "Done; there is no body." };
      described[method] = {
        ...operation,
        responses,
        // Public routes need no credentials; everything else takes a token or a session.
        ...(isPublicPath(path) ? { security: [] } : {}),
      };
    }
    paths[path] = plainNumbers(described) as Record<string, any>;
  }
  return {
    openapi: OPENAPI_VERSION,
    info: {
      title: "Haulbox API",
      version: VERSION,
      description:
        "JSON API of the Haulbox fleet appliance. Fields are snake_case, timestamps ISO 8601 UTC strings, lists `{ data, next_cursor }` with `limit` and `cursor`, errors `{ error: { code, message, details? } }`. Authenticate with an API token: `Authorization: Bearer hb_…`.",
    },
    servers: [{ url: "/" }],
    security: [{ bearer: [] }, { session: [] }],
    paths,
    components: {
      ...("components" in generated ? { schemas: { ...(generated.components?.schemas ?? {}), Error: ERROR_SCHEMA } } : { schemas: { Error: ERROR_SCHEMA } }),
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", description: "An API token (hb_…) created in Settings or with `haulbox token create --name N --role R`; it carries that role." },
        session: { type: "apiKey", in: "cookie", name: SESSION_COOKIE, description: "The browser session after logging in; state-changing requests also need the X-CSRF-Token header." },
      },
    },
  };
}

/** The route serving the document (requires auth like the rest of the API). */
export function openapiRoutes(deps: AppDeps) {
  const instance = new Elysia({ name: "openapi", seed: deps }).use(authGuard(deps));
  // The route table only grows while the app is being composed, so one document per route count.
  let cached: { routeCount: number; body: string } | undefined;
  return instance.get(
    OPENAPI_PATH,
    () => {
      // getGlobalRoutes is protected in the types; the generator itself calls it the same way.
      const routeCount = (instance as unknown as { getGlobalRoutes(): unknown[] }).getGlobalRoutes().length;
      if (!cached || cached.routeCount !== routeCount) cached = { routeCount, body: JSON.stringify(buildDocument(instance)) };
      return new Response(cached.body, { headers: { "content-type": "application/json; charset=utf-8" } });
    },
    { detail: { hide: true } },
  );
}
