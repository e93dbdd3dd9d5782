/**
 * No API response schema may hold a transform: one anywhere (Elysia's t.Integer is one) makes
 * Elysia encode every response with TypeBox's dynamic Value.Encode instead of its compiled check,
 * which was most of the load board API's CPU. Response integers use src/http/schema.ts.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { testApp, type TestApp } from "../helpers/app";
import { Integer } from "../../src/http/schema";
import { t } from "elysia";

const TRANSFORM = Symbol.for("TypeBox.Transform");

/** Paths inside a schema that carry a transform. */
function transforms(schema: unknown, path = "$"): string[] {
  if (!schema || typeof schema !== "object") return [];
  const found = (schema as Record<symbol, unknown>)[TRANSFORM] ? [path] : [];
  for (const [key, value] of Object.entries(schema)) found.push(...transforms(value, `${path}.${key}`));
  return found;
}

let app: TestApp;
beforeAll(async () => {
  app = await testApp({ start: false });
});
afterAll(() => app.cleanup());

test("the check itself finds Elysia's integer and passes the plain one", () => {
  expect(transforms(t.Object({ a: t.Array(t.Object({ b: t.Integer() })) }))).toEqual(["$.properties.a.items.properties.b"]);
  expect(transforms(t.Object({ a: t.Array(t.Object({ b: Integer() })) }))).toEqual([]);
});

test("every route's response schemas are free of transforms", () => {
  const offenders: string[] = [];
  let checked = 0;
  for (const route of (app.app as unknown as { routes: { method: string; path: string; hooks: { response?: unknown } }[] }).routes) {
    const response = route.hooks.response;
    if (!response) continue;
    checked++;
    for (const path of transforms(response)) offenders.push(`${route.method} ${route.path} ${path}`);
  }
  expect(checked).toBeGreaterThan(20);
  expect(offenders).toEqual([]);
});
