/** GET /healthz: public, reports database reachability, migration state and version; 503 when not ok. */
import { afterEach, describe, expect, test } from "bun:test";
import { testApp, type TestApp } from "../helpers/app";
import { LATEST_VERSION } from "../../src/db/migrate";
import { COMMIT, VERSION } from "../../src/version";

let t: TestApp | undefined;
afterEach(() => {
  t?.cleanup();
  t = undefined;
});

describe("GET /healthz", () => {
  test("answers anonymously with ok, version, commit, database and migration state", async () => {
    t = await testApp();
    const response = await t.request("GET", "/healthz");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toStartWith("application/json");
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ ok: true, version: VERSION, commit: COMMIT, database: true, migrations_current: true, schema_version: LATEST_VERSION });
    expect(typeof body.uptime_seconds).toBe("number");
  });

  test("a database behind the code's migrations is 503 with migrations_current false", async () => {
    t = await testApp();
    t.deps.db.exec(`PRAGMA user_version = ${LATEST_VERSION - 1}`);
    const response = await t.request("GET", "/healthz");
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ ok: false, database: true, migrations_current: false, schema_version: LATEST_VERSION - 1 });
  });

  test("an unreachable database is 503 with database false", async () => {
    t = await testApp();
    t.deps.db.close();
    const response = await t.request("GET", "/healthz");
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ ok: false, database: false });
  });
});
