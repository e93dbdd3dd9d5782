/**
 * loadboard-http-json against local fake APIs (Bun.serve on 127.0.0.1, port 0): every auth kind
 * (token cached, refreshed on expiry and once on a 401), every pagination kind and its stopping
 * rules, templates, items the mapping rejects while the rest load, the failures that fail a poll
 * (HTTP 500, bad JSON, timeout, refused connection, redirect), secret redaction, config errors,
 * and the Coyote preset against the examples in Coyote's own API description (testcases/).
 */
import { afterAll, beforeEach, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Value } from "@sinclair/typebox/value";
import { parse } from "yaml";
import { createLogger } from "../../src/log";
import { definitionProblems } from "../../src/plugins/define";
import type { LoadboardOutput, PollContext } from "../../src/plugins/types";
import plugin, { createHttpJsonSource, HttpJsonOptionsSchema, mergePreset, type HttpJsonOptions } from "./index";
import { nextFromLinkHeader } from "./pagination";
import { checkTemplate, renderTemplate, renderText, type TemplateValues } from "./templates";
import { PRESETS } from "./presets";

const cases = join(import.meta.dir, "testcases");
const testcase = (name: string) => JSON.parse(readFileSync(join(cases, name), "utf8")).example;

/** 2026-06-12 19:00:00.789 UTC: the clock of most tests (the .789 shows ISO templates drop milliseconds). */
const T0 = Date.UTC(2026, 5, 12, 19, 0, 0, 789);
const HOUR = 3_600_000;

// ---- a fake API --------------------------------------------------------------------------------

interface Seen {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Headers;
  body: string;
}
type Handler = (seen: Seen, index: number) => Response | Promise<Response>;

const seen: Seen[] = [];
let handler: Handler = () => new Response("no route", { status: 500 });
const server = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  async fetch(request) {
    const url = new URL(request.url);
    const entry = { method: request.method, path: url.pathname, query: url.searchParams, headers: request.headers, body: await request.text() };
    seen.push(entry);
    return handler(entry, seen.length - 1);
  },
});
const BASE = `http://127.0.0.1:${server.port}`;
afterAll(() => server.stop(true));
beforeEach(() => {
  seen.length = 0;
  handler = () => new Response("no route", { status: 500 });
});

const json = (body: unknown, init: ResponseInit = {}) => Response.json(body, init);
const apiCalls = () => seen.filter((entry) => entry.path !== "/token");
const tokenCalls = () => seen.filter((entry) => entry.path === "/token");

// ---- a generic board ---------------------------------------------------------------------------

const FIELDS = {
  external_id: "id",
  origin: "from",
  destination: "to",
  pickup_earliest: { path: "pickup", format: "iso" },
  equipment: "equipment",
  rate_cents: { path: "rate", from: "dollars" },
  "broker.name": { value: "Test Board" },
};

const item = (id: string, extra: Record<string, unknown> = {}) => ({ id, from: "Chicago, IL", to: "Dallas, TX", pickup: "2026-06-15T14:00:00Z", equipment: "V", rate: 1850, ...extra });

/** What `item(id)` becomes, worked out by hand: $1,850 is 185 000 cents, the pickup 2026-06-15 14:00 UTC. */
const expected = (id: string) => ({
  external_id: id,
  origin: { city: "Chicago", state: "IL" },
  destination: { city: "Dallas", state: "TX" },
  pickup_earliest: Date.UTC(2026, 5, 15, 14, 0, 0),
  equipment: "V",
  rate_cents: 185_000,
  broker: { name: "Test Board" },
});

/** Options as the core hands them over: checked against the plugin's schema. */
function checked(raw: Record<string, unknown>): HttpJsonOptions {
  if (!Value.Check(HttpJsonOptionsSchema, raw)) throw new Error(`invalid options: ${[...Value.Errors(HttpJsonOptionsSchema, raw)].map((e) => `${e.path} ${e.message}`).join("; ")}`);
  return raw as HttpJsonOptions;
}

const clock = { now: T0 };
beforeEach(() => {
  clock.now = T0;
});

function source(raw: Record<string, unknown>) {
  return createHttpJsonSource(checked({ url: `${BASE}/loads`, fields: FIELDS, ...raw }), { now: () => clock.now });
}

function context(overrides: Partial<PollContext> = {}): PollContext & { lines: string[] } {
  const lines: string[] = [];
  return { sourceId: "board", log: createLogger({ level: "debug", write: (line) => lines.push(line) }), signal: new AbortController().signal, lastSuccessAt: null, trigger: "manual", lines, ...overrides };
}

async function pollError(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error("expected the poll to fail");
}

function createError(raw: Record<string, unknown>): string {
  try {
    createHttpJsonSource(checked(raw), { now: () => clock.now });
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error("expected the options to be refused");
}

// ---- definition --------------------------------------------------------------------------------

describe("definition", () => {
  test("is a valid loadboard plugin", () => {
    expect(definitionProblems(plugin)).toEqual([]);
    expect(plugin.kind).toBe("loadboard");
    expect(plugin.name).toBe("loadboard-http-json");
  });

  test("every option of its own, auth and pagination included, has a sentence for a description", () => {
    const schema = HttpJsonOptionsSchema as unknown as { properties: Record<string, { description?: string; properties?: Record<string, { description?: string }> }> };
    for (const [key, child] of Object.entries(schema.properties)) {
      expect(child.description, key).toMatch(/^[A-Z].*[.)]$/);
      if (key === "fields") continue; // the shared mapping's schema, documented in src/loads/mapping.ts
      for (const [inner, grandchild] of Object.entries(child.properties ?? {})) expect(grandchild.description, `${key}.${inner}`).toMatch(/^[A-Z].*[.)]$/);
    }
  });

  test("secrets are marked, so the config loader redacts them and *_file works for each", () => {
    const auth = (HttpJsonOptionsSchema as unknown as { properties: { auth: { properties: Record<string, { secret?: boolean }> } } }).properties.auth.properties;
    expect(Object.keys(auth).filter((key) => auth[key]!.secret).sort()).toEqual(["client_secret", "password", "token", "value"]);
  });

  test("every source in sample.yaml is valid and starts", () => {
    const sample = parse(readFileSync(join(import.meta.dir, "sample.yaml"), "utf8")) as { sources: Record<string, unknown>[] };
    expect(sample.sources.length).toBeGreaterThanOrEqual(2);
    for (const entry of sample.sources) {
      const { id, plugin: name, schedule, ...options } = entry;
      expect(name).toBe("loadboard-http-json");
      expect(typeof schedule, String(id)).toBe("string");
      expect(() => createHttpJsonSource(checked(options), { now: () => T0 }), String(id)).not.toThrow();
    }
  });

  test("create() returns a pollable source", async () => {
    handler = () => json([item("L1")]);
    const instance = await plugin.create({ sourceId: "board", options: checked({ url: `${BASE}/loads`, fields: FIELDS }), log: createLogger({ write: () => {} }), signal: new AbortController().signal, services: { provisionDemoDevice: async () => null } });
    const out = (await instance.poll(context())) as LoadboardOutput;
    expect(out.loads).toEqual([expected("L1")]);
  });
});

// ---- templates ---------------------------------------------------------------------------------

describe("templates", () => {
  const values: TemplateValues = { now: T0, since: T0 - 24 * HOUR, page: 3, offset: 40, pageSize: 20 };

  test.each([
    ["{{now}}", String(T0)],
    ["{{now_s}}", String(Math.floor(T0 / 1000))],
    // Seconds precision: .789 is dropped, not rounded.
    ["{{now_iso}}", "2026-06-12T19:00:00Z"],
    ["{{ now_iso }}", "2026-06-12T19:00:00Z"],
    ["{{now_iso+3d}}", "2026-06-15T19:00:00Z"],
    ["{{now_iso-12h}}", "2026-06-12T07:00:00Z"],
    ["{{since_iso}}", "2026-06-11T19:00:00Z"],
    ["{{since_iso+30m}}", "2026-06-11T19:30:00Z"],
    ["{{since}}", String(T0 - 24 * HOUR)],
    ["p{{page}}-o{{offset}}-n{{page_size}}", "p3-o40-n20"],
    ["from {{since_iso}} to {{now_iso}}", "from 2026-06-11T19:00:00Z to 2026-06-12T19:00:00Z"],
    ["no placeholder", "no placeholder"],
  ])("%p → %p", (template, result) => {
    expect(renderText(template, values)).toBe(result);
  });

  test("a string that is one placeholder keeps the variable's type; one without a value is left out", () => {
    const body = { page: "{{page}}", label: "page {{page}}", cursor: "{{cursor}}", list: ["{{offset}}", "{{cursor}}"], nested: { at: "{{now}}" }, fixed: 5 };
    expect(renderTemplate(body, values)).toEqual({ page: 3, label: "page 3", list: [40], nested: { at: T0 }, fixed: 5 });
    expect(renderTemplate(body, { ...values, cursor: { after: 9 } })).toEqual({ page: 3, label: "page 3", cursor: { after: 9 }, list: [40, { after: 9 }], nested: { at: T0 }, fixed: 5 });
    expect(renderText("c={{cursor}}", { ...values, cursor: "abc" })).toBe("c=abc");
    expect(renderText("{{cursor}}", values)).toBeUndefined();
  });

  test("checkTemplate names the variables used, and the place of a bad one", () => {
    expect([...checkTemplate({ a: "{{since_iso}}", b: ["{{page}}", 1] }, "body")].sort()).toEqual(["page", "since_iso"]);
    expect(() => checkTemplate("{{nw}}", "query.from")).toThrow('query.from: unknown template variable "nw" in "{{nw}}"; known: now, now_s, now_iso');
    expect(() => checkTemplate({ x: ["ok", "{{page+1d}}"] }, "body")).toThrow("body.x[1]: only time variables take a shift like +3d, not page");
    expect(() => checkTemplate("{{now_iso", "url")).toThrow("url: \"{{now_iso\" has an unmatched {{ or }}");
    expect(() => checkTemplate("{{now_iso*2}}", "url")).toThrow('url: "{{now_iso*2}}" in "{{now_iso*2}}" is not a template variable');
  });

  test("query and body templates reach the API; since is the last success, or 24 h back before the first", async () => {
    handler = () => json({ data: [] });
    const board = source({ method: "POST", query: { from: "{{since_iso}}", to: "{{now_iso+3d}}", limit: 25 }, body: { page: "{{page}}", after: "{{since}}" }, items_path: "data" });
    await board.poll(context());
    expect(Object.fromEntries(seen[0]!.query)).toEqual({ from: "2026-06-11T19:00:00Z", to: "2026-06-15T19:00:00Z", limit: "25" });
    expect(JSON.parse(seen[0]!.body)).toEqual({ page: 1, after: T0 - 24 * HOUR });
    expect(seen[0]!.headers.get("content-type")).toBe("application/json");

    const lastSuccessAt = Date.UTC(2026, 5, 12, 18, 45, 30);
    await board.poll(context({ lastSuccessAt }));
    expect(seen[1]!.query.get("from")).toBe("2026-06-12T18:45:30Z");
    expect(JSON.parse(seen[1]!.body).after).toBe(lastSuccessAt);
  });

  test("a request that asks only for what changed since the last poll never says complete", async () => {
    handler = () => json([item("L1")]);
    const incremental = await source({ query: { since: "{{since_iso}}" } }).poll(context());
    expect(incremental).toEqual({ loads: [expected("L1")], rejected: [] });
    expect("complete" in incremental).toBe(false);
    expect(await source({ query: { until: "{{now_iso}}" } }).poll(context())).toEqual({ loads: [expected("L1")], rejected: [], complete: true });
  });

  test("headers may hold templates; configured headers beat the defaults", async () => {
    handler = () => json([]);
    await source({ headers: { "X-Asked-At": "{{now_s}}", Accept: "application/vnd.board+json" } }).poll(context());
    expect(seen[0]!.headers.get("x-asked-at")).toBe(String(Math.floor(T0 / 1000)));
    expect(seen[0]!.headers.get("accept")).toBe("application/vnd.board+json");
    expect(seen[0]!.headers.get("user-agent")).toStartWith("Haulbox/");
  });
});

// ---- auth --------------------------------------------------------------------------------------

describe("auth", () => {
  test("bearer sends the token", async () => {
    handler = () => json([item("L1")]);
    await source({ auth: { kind: "bearer", token: "tok-123456" } }).poll(context());
    expect(seen[0]!.headers.get("authorization")).toBe("Bearer tok-123456");
  });

  // RFC 7617 §2 ("Aladdin" / "open sesame") and §2.1 (UTF-8: "test" / "123£") published examples.
  test.each([
    ["Aladdin", "open sesame", "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="],
    ["test", "123£", "Basic dGVzdDoxMjPCow=="],
  ])("basic %p / %p sends %p", async (username, password, header) => {
    handler = () => json([]);
    await source({ auth: { kind: "basic", username, password } }).poll(context());
    expect(seen[0]!.headers.get("authorization")).toBe(header);
  });

  test("api_key goes in the named header, or the query", async () => {
    handler = () => json([]);
    await source({ auth: { kind: "api_key", in: "header", name: "X-Api-Key", value: "k-abcdef" } }).poll(context());
    expect(seen[0]!.headers.get("x-api-key")).toBe("k-abcdef");
    await source({ query: { limit: "5" }, auth: { kind: "api_key", in: "query", name: "key", value: "k-abcdef" } }).poll(context());
    expect(Object.fromEntries(seen[1]!.query)).toEqual({ limit: "5", key: "k-abcdef" });
  });

  describe("oauth2_client_credentials", () => {
    let issued = 0;
    let lifetimeS: number | undefined = 3600;
    beforeEach(() => {
      issued = 0;
      lifetimeS = 3600;
    });
    const tokenRoute = (entry: Seen): Response => {
      issued++;
      return json({ access_token: `access-${issued}-xyz`, token_type: "Bearer", ...(lifetimeS === undefined ? {} : { expires_in: lifetimeS }) });
    };
    const oauth = (extra: Record<string, unknown> = {}) => ({ kind: "oauth2_client_credentials", token_url: `${BASE}/token`, client_id: "haulbox-client", client_secret: "s3cret-value", ...extra });

    test("fetches a token with the form the RFC describes, and keeps it across polls", async () => {
      handler = (entry) => (entry.path === "/token" ? tokenRoute(entry) : json([item("L1")]));
      const board = source({ auth: oauth({ scope: "loads.read", audience: "https://board.example" }) });
      await board.poll(context());
      await board.poll(context());
      expect(tokenCalls().length).toBe(1);
      const request = tokenCalls()[0]!;
      expect(request.method).toBe("POST");
      expect(request.headers.get("content-type")).toBe("application/x-www-form-urlencoded");
      expect(Object.fromEntries(new URLSearchParams(request.body))).toEqual({ grant_type: "client_credentials", client_id: "haulbox-client", client_secret: "s3cret-value", scope: "loads.read", audience: "https://board.example" });
      expect(apiCalls().map((entry) => entry.headers.get("authorization"))).toEqual(["Bearer access-1-xyz", "Bearer access-1-xyz"]);
    });

    // RFC 6749 §2.3.1's example: client s6BhdRkqt3, secret gX1fBat3bV → "Basic czZCaGRSa3F0MzpnWDFmQmF0M2JW".
    test("client_auth: basic puts the client in an Authorization header instead of the form", async () => {
      handler = (entry) => (entry.path === "/token" ? tokenRoute(entry) : json([]));
      await source({ auth: oauth({ client_id: "s6BhdRkqt3", client_secret: "gX1fBat3bV", client_auth: "basic" }) }).poll(context());
      expect(tokenCalls()[0]!.headers.get("authorization")).toBe("Basic czZCaGRSa3F0MzpnWDFmQmF0M2JW");
      expect(Object.fromEntries(new URLSearchParams(tokenCalls()[0]!.body))).toEqual({ grant_type: "client_credentials" });
    });

    // expires_in 3600 s: refreshed 60 s early (at 3540 s). expires_in 30 s: 10 % early (at 27 s).
    test.each([
      [3600, 3539_000, 3541_000],
      [30, 26_900, 27_100],
    ])("a token that expires in %p s is reused until %p ms and replaced after", async (expiresIn, stillGood, replaced) => {
      lifetimeS = expiresIn;
      handler = (entry) => (entry.path === "/token" ? tokenRoute(entry) : json([]));
      const board = source({ auth: oauth() });
      await board.poll(context());
      clock.now = T0 + stillGood;
      await board.poll(context());
      expect(tokenCalls().length).toBe(1);
      clock.now = T0 + replaced;
      await board.poll(context());
      expect(tokenCalls().length).toBe(2);
      expect(apiCalls().at(-1)!.headers.get("authorization")).toBe("Bearer access-2-xyz");
    });

    test("without expires_in the token is kept until the API refuses it", async () => {
      lifetimeS = undefined;
      handler = (entry) => (entry.path === "/token" ? tokenRoute(entry) : json([]));
      const board = source({ auth: oauth() });
      await board.poll(context());
      clock.now = T0 + 30 * 24 * HOUR;
      await board.poll(context());
      expect(tokenCalls().length).toBe(1);
    });

    test("a 401 fetches a new token and asks once more", async () => {
      handler = (entry) => {
        if (entry.path === "/token") return tokenRoute(entry);
        return entry.headers.get("authorization") === "Bearer access-1-xyz" ? json({ error: "token revoked" }, { status: 401 }) : json([item("L1")]);
      };
      const ctx = context();
      const out = await source({ auth: oauth() }).poll(ctx);
      expect(out.loads).toEqual([expected("L1")]);
      expect(tokenCalls().length).toBe(2);
      expect(apiCalls().length).toBe(2);
      expect(ctx.lines.some((line) => line.includes("fetching a new one"))).toBe(true);
    });

    test("a 401 to the fresh token too fails the poll, after one retry", async () => {
      handler = (entry) => (entry.path === "/token" ? tokenRoute(entry) : json({ error: "forbidden client" }, { status: 401 }));
      const message = await pollError(source({ auth: oauth() }).poll(context()));
      expect(message).toBe(`the API answered HTTP 401 Unauthorized to GET ${BASE}/loads: the API refused a freshly fetched token too: the client may lack access to this endpoint. It said: {"error":"forbidden client"}`);
      expect(tokenCalls().length).toBe(2);
      expect(apiCalls().length).toBe(2);
    });

    test("a token endpoint that refuses the client fails the poll with a hint, the secret hidden", async () => {
      handler = (entry) => json({ error: "invalid_client", echo: new URLSearchParams(entry.body).get("client_secret") }, { status: 401 });
      const message = await pollError(source({ auth: oauth() }).poll(context()));
      expect(message).toBe(`the token endpoint answered HTTP 401 Unauthorized to POST ${BASE}/token: check auth.client_id and auth.client_secret (and auth.scope, if the board wants one). It said: {"error":"invalid_client","echo":"[redacted]"}`);
      expect(apiCalls().length).toBe(0);
    });

    test("with client_auth: basic, a token endpoint that quotes the bare credential does not show it", async () => {
      handler = (entry) => json({ error: "invalid_client", got: entry.headers.get("authorization")!.split(" ")[1] }, { status: 401 });
      const message = await pollError(source({ auth: oauth({ client_id: "s6BhdRkqt3", client_secret: "gX1fBat3bV", client_auth: "basic" }) }).poll(context()));
      expect(message).toEndWith('It said: {"error":"invalid_client","got":"[redacted]"}');
    });

    test("a token answer without access_token fails the poll", async () => {
      handler = (entry) => (entry.path === "/token" ? json({ token_type: "Bearer" }) : json([]));
      expect(await pollError(source({ auth: oauth() }).poll(context()))).toBe(`the token endpoint (${BASE}/token) answered without an access_token`);
    });
  });

  test("a static credential is not retried on 401", async () => {
    handler = () => json({ error: "bad token" }, { status: 401 });
    const message = await pollError(source({ auth: { kind: "bearer", token: "tok-123456" } }).poll(context()));
    expect(message).toContain("HTTP 401 Unauthorized");
    expect(message).toContain("check auth");
    expect(seen.length).toBe(1);
  });
});

// ---- pagination --------------------------------------------------------------------------------

describe("pagination", () => {
  test("none: one request, complete", async () => {
    handler = () => json([item("L1"), item("L2")]);
    expect(await source({}).poll(context())).toEqual({ loads: [expected("L1"), expected("L2")], rejected: [], complete: true });
    expect(seen.length).toBe(1);
  });

  test("page: counts from start, sends the size, stops at the empty page", async () => {
    const pages = [[item("L1"), item("L2")], [item("L3"), item("L4")], []];
    handler = (entry) => json({ loads: pages[Number(entry.query.get("p"))] ?? [] });
    const out = await source({ items_path: "loads", pagination: { kind: "page", param: "p", start: 0, size_param: "n", size: 2 } }).poll(context());
    expect(seen.map((entry) => entry.path + "?" + entry.query.toString())).toEqual(["/loads?p=0&n=2", "/loads?p=1&n=2", "/loads?p=2&n=2"]);
    expect(out.loads.map((load) => load.external_id)).toEqual(["L1", "L2", "L3", "L4"]);
    expect(out.complete).toBe(true);
  });

  test("page with total_path stops once it has read the total, without asking for an empty page", async () => {
    const pages = [[item("L1"), item("L2")], [item("L3")]];
    handler = (entry) => json({ meta: { total: 3 }, loads: pages[Number(entry.query.get("page")) - 1] });
    const out = await source({ items_path: "loads", pagination: { kind: "page", param: "page", total_path: "meta.total" } }).poll(context());
    expect(seen.map((entry) => entry.query.get("page"))).toEqual(["1", "2"]);
    expect(out.loads.length).toBe(3);
    expect(out.complete).toBe(true);
  });

  test("offset advances by the items received, so a server that caps the size loses nothing", async () => {
    const all = ["L1", "L2", "L3", "L4", "L5"].map((id) => item(id));
    // Asked for 5 a page, the server gives at most 2.
    handler = (entry) => {
      const offset = Number(entry.query.get("offset"));
      return json(all.slice(offset, offset + Math.min(2, Number(entry.query.get("limit")))));
    };
    const out = await source({ pagination: { kind: "offset", param: "offset", size_param: "limit", size: 5 } }).poll(context());
    expect(seen.map((entry) => entry.query.get("offset"))).toEqual(["0", "2", "4", "5"]);
    expect(out.loads.map((load) => load.external_id)).toEqual(["L1", "L2", "L3", "L4", "L5"]);
    expect(out.complete).toBe(true);
  });

  test("cursor: none on the first request, then the one each page returns, until it is empty", async () => {
    const pages: Record<string, { items: unknown[]; next: string | null }> = { "": { items: [item("L1")], next: "abc" }, abc: { items: [item("L2")], next: "def" }, def: { items: [item("L3")], next: null } };
    handler = (entry) => {
      const page = pages[entry.query.get("after") ?? ""]!;
      return json({ items: page.items, meta: { next: page.next } });
    };
    const out = await source({ items_path: "items", pagination: { kind: "cursor", param: "after", cursor_path: "meta.next" } }).poll(context());
    expect(seen.map((entry) => entry.query.get("after"))).toEqual([null, "abc", "def"]);
    expect(out.loads.length).toBe(3);
    expect(out.complete).toBe(true);
  });

  test("cursor in the body through {{cursor}}, with no param", async () => {
    handler = (entry) => {
      const cursor = JSON.parse(entry.body).after;
      return cursor === undefined ? json({ items: [item("L1")], next: 41 }) : json({ items: [item(`L${cursor}`)], next: null });
    };
    const out = await source({ method: "POST", body: { after: "{{cursor}}" }, items_path: "items", pagination: { kind: "cursor", cursor_path: "next" } }).poll(context());
    expect(seen.map((entry) => JSON.parse(entry.body))).toEqual([{}, { after: 41 }]);
    expect(out.loads.map((load) => load.external_id)).toEqual(["L1", "L41"]);
  });

  test("a cursor handed out twice ends the walk as incomplete, with a warning", async () => {
    handler = () => json({ items: [item("L1")], next: "same" });
    const ctx = context();
    const out = await source({ items_path: "items", pagination: { kind: "cursor", param: "c", cursor_path: "next" } }).poll(ctx);
    expect(seen.length).toBe(2);
    expect(out.complete).toBe(false);
    expect(ctx.lines.some((line) => line.includes("the API returned the same cursor twice"))).toBe(true);
  });

  test("next_link from a path in the body, relative to the page", async () => {
    handler = (entry) => (entry.query.get("page") === "2" ? json({ items: [item("L2")], links: { next: null } }) : json({ items: [item("L1")], links: { next: "/loads?page=2" } }));
    const out = await source({ items_path: "items", pagination: { kind: "next_link", next_path: "links.next" } }).poll(context());
    expect(seen.map((entry) => entry.path + "?" + entry.query.toString())).toEqual(["/loads?", "/loads?page=2"]);
    expect(out.loads.length).toBe(2);
    expect(out.complete).toBe(true);
  });

  test("next_link from the Link header, keeping the credentials on the same host", async () => {
    handler = (entry) =>
      entry.query.get("after")
        ? json([item("L2")])
        : json([item("L1")], { headers: { link: `<${BASE}/loads?after=L1>; rel="next", <${BASE}/loads?after=L9>; rel="last"` } });
    const out = await source({ auth: { kind: "bearer", token: "tok-123456" }, pagination: { kind: "next_link" } }).poll(context());
    expect(seen.map((entry) => entry.query.get("after"))).toEqual([null, "L1"]);
    expect(seen.map((entry) => entry.headers.get("authorization"))).toEqual(["Bearer tok-123456", "Bearer tok-123456"]);
    expect(out.complete).toBe(true);
  });

  test("a next link to another host fails the poll instead of sending credentials there", async () => {
    handler = () => json([item("L1")], { headers: { link: '<https://elsewhere.example/loads?page=2>; rel="next"' } });
    const message = await pollError(source({ auth: { kind: "bearer", token: "tok-123456" }, pagination: { kind: "next_link" } }).poll(context()));
    expect(message).toBe(`the next-page link goes to https://elsewhere.example, not ${BASE} where url points; Haulbox does not send credentials to another host`);
  });

  test("max_pages stops a walk that has more, as incomplete, with a warning", async () => {
    handler = (entry) => json([item(`L${entry.query.get("page")}`)]);
    const ctx = context();
    const out = await source({ max_pages: 2, pagination: { kind: "page", param: "page" } }).poll(ctx);
    expect(seen.length).toBe(2);
    expect(out.loads.length).toBe(2);
    expect(out.complete).toBe(false);
    expect(ctx.lines.some((line) => line.includes("stopped after max_pages (2) with more pages left"))).toBe(true);
  });

  test("{{page}} in the body carries the page instead of param", async () => {
    handler = (entry) => json(JSON.parse(entry.body).pageNumber < 3 ? [item(`L${JSON.parse(entry.body).pageNumber}`)] : []);
    const out = await source({ method: "POST", body: { pageNumber: "{{page}}" }, pagination: { kind: "page" } }).poll(context());
    expect(seen.map((entry) => JSON.parse(entry.body).pageNumber)).toEqual([1, 2, 3]);
    expect(out.loads.map((load) => load.external_id)).toEqual(["L1", "L2"]);
  });

  // RFC 8288 §3 syntax; the first case is GitHub's documented form.
  test.each([
    ['<https://api.github.com/repositories/1300192/issues?page=2>; rel="next", <https://api.github.com/repositories/1300192/issues?page=515>; rel="last"', "https://api.github.com/repositories/1300192/issues?page=2"],
    ["</loads?page=3>; rel=next", "/loads?page=3"],
    ['</a>; rel="prev", </b>; title="x"; rel="prev next"', "/b"],
    ['<http://example.com/TheBook/chapter2>; rel="previous"; title="previous chapter"', null],
    ["", null],
  ])("Link %p → next %p", (header, next) => {
    expect(nextFromLinkHeader(header)).toBe(next);
  });
});

// ---- items -------------------------------------------------------------------------------------

describe("items", () => {
  test("an item the mapping refuses is rejected with its page and place; the others load", async () => {
    const bad = item("L2", { pickup: "13/45/2025" });
    handler = (entry) => (entry.query.get("page") === "1" ? json([item("L1"), bad, item("L3")]) : entry.query.get("page") === "2" ? json([item("L4"), "not an object"]) : json([]));
    const out = await source({ pagination: { kind: "page", param: "page" } }).poll(context());
    expect(out.loads.map((load) => load.external_id)).toEqual(["L1", "L3", "L4"]);
    expect(out.rejected).toEqual([
      { ref: "page 1 item 2", reason: 'pickup_earliest: "13/45/2025" at "pickup" is not a date in ISO 8601', raw: JSON.stringify(bad) },
      { ref: "page 2 item 2", reason: 'the item is string "not an object", not a JSON object', raw: '"not an object"' },
    ]);
    expect(out.complete).toBe(true);
  });

  test("a mapped load the core would refuse is rejected here, with its place", async () => {
    handler = () => json([item("L1", { to: "Dallas, ZZ" })]);
    const out = await source({}).poll(context());
    expect(out.loads).toEqual([]);
    expect(out.rejected![0]!.ref).toBe("page 1 item 1");
    expect(out.rejected![0]!.reason).toContain("destination");
  });

  test("every item rejected: a warning says to check fields", async () => {
    handler = () => json([item("L1", { equipment: "Spaceship" })]);
    const ctx = context();
    await source({}).poll(ctx);
    expect(ctx.lines.some((line) => line.includes("every item was rejected; check fields"))).toBe(true);
  });

  test("require rejects an item with another value, and lets one without the path through", async () => {
    handler = () => json([item("L1", { currency: "USD" }), item("L2", { currency: "CAD" }), item("L3")]);
    const out = await source({ require: { currency: ["USD", "usd"] } }).poll(context());
    expect(out.loads.map((load) => load.external_id)).toEqual(["L1", "L3"]);
    expect(out.rejected!.map(({ ref, reason }) => ({ ref, reason }))).toEqual([{ ref: "page 1 item 2", reason: 'currency is "CAD", and this source only takes "USD" or "usd" (see require)' }]);
  });

  test("a posted rate of 0 means no rate, not a rejected load", async () => {
    handler = () => json([item("L1", { rate: 0 })]);
    const { rate_cents: _rate, ...withoutRate } = expected("L1");
    expect((await source({}).poll(context())).loads).toEqual([withoutRate]);
  });

  test("a raw item is cut to 4000 characters for the dead-letter view", async () => {
    handler = () => json([item("L1", { pickup: "never", notes: "x".repeat(5000) })]);
    const raw = (await source({}).poll(context())).rejected![0]!.raw!;
    expect(raw.length).toBe(4000);
    expect(raw.endsWith("…")).toBe(true);
  });

  test.each([
    ["an empty list at items_path", { data: { loads: [] } }, 200],
    ["null at items_path", { data: { loads: null } }, 200],
    ["HTTP 204 with no body", null, 204],
  ])("%p is an empty page", async (_name, body, status) => {
    handler = () => (body === null ? new Response(null, { status }) : json(body, { status }));
    expect(await source({ items_path: "data.loads" }).poll(context())).toEqual({ loads: [], rejected: [], complete: true });
  });

  test("an answer without a list where items_path points fails the poll, saying what is there", async () => {
    handler = () => json({ result: { rows: [] }, count: 0 });
    expect(await pollError(source({ items_path: "data.loads" }).poll(context()))).toBe('the answer has nothing at items_path "data.loads"; it is an object (keys: result, count)');
    expect(await pollError(source({ items_path: "count" }).poll(context()))).toBe('items_path "count" holds number 0, not a list of loads');
    expect(await pollError(source({}).poll(context()))).toBe("the answer is an object (keys: result, count), not a list of loads: set items_path to where the list is");
  });

  // US daylight saving time began 2025-03-09 02:00 local (second Sunday of March, Energy Policy Act of 2005):
  // 08:00 in Chicago is 14:00 UTC (CST, UTC−6) the day before and 13:00 UTC (CDT, UTC−5) the day after; Denver is an hour later.
  test.each([
    ["America/Chicago", "2025-03-08 08:00", Date.UTC(2025, 2, 8, 14)],
    ["America/Chicago", "2025-03-10 08:00", Date.UTC(2025, 2, 10, 13)],
    ["America/Denver", "2025-03-08 08:00", Date.UTC(2025, 2, 8, 15)],
    ["America/Denver", "2025-03-10 08:00", Date.UTC(2025, 2, 10, 14)],
  ])("time_zone %p reads local %p as %p", async (timeZone, pickup, epochMs) => {
    handler = () => json([item("L1", { pickup })]);
    const out = await source({ time_zone: timeZone, fields: { ...FIELDS, pickup_earliest: { path: "pickup", format: "YYYY-MM-DD HH:mm" } } }).poll(context());
    expect(out.loads[0]!.pickup_earliest).toBe(epochMs);
  });
});

// ---- failures ----------------------------------------------------------------------------------

describe("failures", () => {
  test("HTTP 500 fails the poll with the status, a hint and the start of the answer", async () => {
    handler = () => json({ error: "database down" }, { status: 500 });
    expect(await pollError(source({}).poll(context()))).toBe(`the API answered HTTP 500 Internal Server Error to GET ${BASE}/loads: the API itself failed; Haulbox retries later. It said: {"error":"database down"}`);
  });

  test("a long error answer is cut to 200 characters on one line", async () => {
    handler = () => new Response(`<html>\n  ${"oops ".repeat(100)}</html>`, { status: 502 });
    const message = await pollError(source({}).poll(context()));
    // "<html> " (7 characters) and 38 × "oops " (190) leave 3 of the 200 for "oop".
    expect(message).toEndWith(`It said: <html> ${"oops ".repeat(38)}oop…`);
  });

  test("an answer that is not JSON fails the poll, saying what it was", async () => {
    handler = () => new Response("<html><body>Maintenance</body></html>", { headers: { "content-type": "text/html" } });
    const message = await pollError(source({}).poll(context()));
    expect(message).toStartWith(`the API answered GET ${BASE}/loads with something that is not JSON (text/html): `);
    expect(message).toEndWith("It began: <html><body>Maintenance</body></html>");
  });

  test("an API slower than timeout_seconds fails the poll", async () => {
    handler = async () => {
      await Bun.sleep(1500);
      return json([]);
    };
    expect(await pollError(source({ timeout_seconds: 1 }).poll(context()))).toBe(`the API did not answer within 1 s (GET ${BASE}/loads); raise timeout_seconds if it is just slow`);
  });

  test("the host's signal stops a poll under way", async () => {
    handler = async () => {
      await Bun.sleep(1000);
      return json([]);
    };
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    expect(await pollError(source({}).poll(context({ signal: controller.signal })))).toBe(`the poll was stopped before the API answered (GET ${BASE}/loads): the host's call timeout, or the source stopping`);
  });

  test("an address where nothing listens fails the poll", async () => {
    const closed = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() });
    const port = closed.port;
    closed.stop(true);
    const message = await pollError(source({ url: `http://127.0.0.1:${port}/loads` }).poll(context()));
    expect(message).toBe(`could not reach the API at 127.0.0.1:${port}: the connection was refused (nothing listens at that address and port) (GET http://127.0.0.1:${port}/loads)`);
  });

  // .invalid is reserved by RFC 2606 and never resolves.
  test("a host name that does not resolve fails the poll", async () => {
    const message = await pollError(source({ url: "http://haulbox-test.invalid/loads", timeout_seconds: 10 }).poll(context()));
    // The reason depends on the machine's resolver (ENOTFOUND here, something else without one): only the frame is fixed.
    expect(message).toStartWith("could not reach the API at haulbox-test.invalid: ");
    expect(message).toEndWith(" (GET http://haulbox-test.invalid/loads)");
  });

  test("a redirect is not followed with credentials", async () => {
    handler = () => new Response(null, { status: 301, headers: { location: "https://elsewhere.example/loads" } });
    expect(await pollError(source({ auth: { kind: "bearer", token: "tok-123456" } }).poll(context()))).toBe(
      `the API answered HTTP 301 redirecting to https://elsewhere.example/loads (GET ${BASE}/loads); Haulbox does not follow redirects with credentials: put the final address in the config`,
    );
    expect(seen.length).toBe(1);
  });
});

// ---- secrets -----------------------------------------------------------------------------------

describe("secrets never reach a message or the log", () => {
  /** An API that fails, quoting the credentials it was sent (short enough to fit the message's excerpt). */
  const echo = () => {
    handler = (entry) => {
      const authorization = entry.headers.get("authorization");
      // Also the bare credential, without its "Bearer "/"Basic " label, as some APIs quote it.
      return json({ auth: authorization, bare: authorization?.split(" ")[1], key: entry.headers.get("x-api-key"), query: entry.query.toString() }, { status: 500 });
    };
  };

  test.each([
    ["bearer", { kind: "bearer", token: "tok-SECRET-1" }, "tok-SECRET-1"],
    ["basic", { kind: "basic", username: "driver", password: "pw-SECRET-2" }, "pw-SECRET-2"],
    ["api_key in a header", { kind: "api_key", in: "header", name: "X-Api-Key", value: "key-SECRET-3" }, "key-SECRET-3"],
    ["api_key in the query", { kind: "api_key", in: "query", name: "api_key", value: "key/SECRET+4" }, "key/SECRET+4"],
  ])("%p", async (_kind, auth, secret) => {
    echo();
    const ctx = context();
    const message = await pollError(source({ auth }).poll(ctx));
    expect(message).toContain("[redacted]");
    for (const form of [secret, encodeURIComponent(secret), Buffer.from(`driver:${secret}`).toString("base64")]) {
      expect(message).not.toContain(form);
      expect(ctx.lines.join("\n")).not.toContain(form);
    }
  });

  test("a fetched access token, and a secret-looking header", async () => {
    // The API quotes the bare token (no "Bearer " before it) and the session header, nothing else.
    handler = (entry) =>
      entry.path === "/token"
        ? json({ access_token: "access-SECRET-5", expires_in: 3600 })
        : json({ token: entry.headers.get("authorization")!.slice("Bearer ".length), session: entry.headers.get("x-session-token") }, { status: 500 });
    const ctx = context();
    const message = await pollError(
      source({ headers: { "X-Session-Token": "hdr-SECRET-6" }, auth: { kind: "oauth2_client_credentials", token_url: `${BASE}/token`, client_id: "id", client_secret: "cs-SECRET-7" } }).poll(ctx),
    );
    for (const secret of ["access-SECRET-5", "hdr-SECRET-6", "cs-SECRET-7"]) {
      expect(message).not.toContain(secret);
      expect(ctx.lines.join("\n")).not.toContain(secret);
    }
    expect(message).toEndWith('It said: {"token":"[redacted]","session":"[redacted]"}');
  });

  test("a Bearer or Basic credential under a header name that does not look secret", async () => {
    handler = (entry) => json({ forwarded: entry.headers.get("x-forwarded-auth"), upstream: entry.headers.get("x-upstream") }, { status: 500 });
    const message = await pollError(source({ headers: { "X-Forwarded-Auth": "Bearer fwd-SECRET-9", "X-Upstream": "Basic dXNlcjpzZWNyZXQ=" } }).poll(context()));
    expect(message).not.toContain("fwd-SECRET-9");
    expect(message).not.toContain("dXNlcjpzZWNyZXQ=");
    expect(message).toContain('{"forwarded":"Bearer [redacted]","upstream":"Basic [redacted]"}');
  });

  test("a secret that straddles the 200-character cut of an excerpt is not half shown", async () => {
    handler = () => new Response(`${"x".repeat(195)}tok-SECRET-10 and more`, { status: 500 });
    const message = await pollError(source({ auth: { kind: "bearer", token: "tok-SECRET-10" } }).poll(context()));
    expect(message).toEndWith(`It said: ${"x".repeat(195)}[reda…`);
  });

  test("a rejected item's reason is redacted too", async () => {
    handler = () => json([item("L1", { pickup: "tok-SECRET-8" })]);
    const out = await source({ auth: { kind: "bearer", token: "tok-SECRET-8" } }).poll(context());
    expect(out.rejected![0]!.reason).toBe('pickup_earliest: "[redacted]" at "pickup" is not a date in ISO 8601');
  });
});

// ---- config ------------------------------------------------------------------------------------

describe("config errors name the option", () => {
  test.each([
    ["url: give the API's address (or a preset, such as coyote)", { fields: FIELDS }],
    ["fields: say where each load field is in an item (see the README), or use a preset", { url: `${BASE}/loads` }],
    ["url: must be an http or https address (got ftp:)", { url: "ftp://board.example/loads", fields: FIELDS }],
    ['url: "not a url" is not a URL like https://api.example.com/loads', { url: "not a url", fields: FIELDS }],
    ["url: put the user name and password in auth (kind basic), not in the address", { url: "https://fleet:pw@board.example/loads", fields: FIELDS }],
    ["auth.token_url: put the client's credentials in client_id and client_secret, not in the address", { url: `${BASE}/loads`, fields: FIELDS, auth: { kind: "oauth2_client_credentials", token_url: "https://id:secret@board.example/token", client_id: "a", client_secret: "b" } }],
    ['fields: every load needs equipment; map it (a constant works too: broker.name: { value: "…" })', { url: `${BASE}/loads`, fields: { ...FIELDS, equipment: undefined } }],
    ['fields.pickup_earliest: unknown transform "dat"', { url: `${BASE}/loads`, fields: { ...FIELDS, pickup_earliest: { path: "pickup", transform: "dat" } } }],
    ["body: only sent with method: POST", { url: `${BASE}/loads`, fields: FIELDS, body: { a: 1 } }],
    ['time_zone: "Chicago" is not an IANA time zone', { url: `${BASE}/loads`, fields: FIELDS, time_zone: "Chicago" }],
    ['query.from: unknown template variable "nope"', { url: `${BASE}/loads`, fields: FIELDS, query: { from: "{{nope}}" } }],
    ["pagination.cursor_path: say where the next cursor is in the answer", { url: `${BASE}/loads`, fields: FIELDS, pagination: { kind: "cursor", param: "c" } }],
    ["pagination.cursor_path: not used by kind page (it takes param, start, size_param, size, total_path)", { url: `${BASE}/loads`, fields: FIELDS, pagination: { kind: "page", param: "p", cursor_path: "x" } }],
    ["pagination.param: say which query parameter carries the page, or put {{page}} in query or body", { url: `${BASE}/loads`, fields: FIELDS, pagination: { kind: "page" } }],
    ['pagination.size: size_param "n" needs a size to send', { url: `${BASE}/loads`, fields: FIELDS, pagination: { kind: "offset", param: "o", size_param: "n" } }],
    ["auth.kind: say how the API wants credentials", { url: `${BASE}/loads`, fields: FIELDS, auth: { token: "x" } }],
    ["auth.token: kind bearer needs it", { url: `${BASE}/loads`, fields: FIELDS, auth: { kind: "bearer" } }],
    ["auth.username: not used by kind bearer (it takes token)", { url: `${BASE}/loads`, fields: FIELDS, auth: { kind: "bearer", token: "t", username: "u" } }],
    ['auth.token_url: "nope" is not a URL', { url: `${BASE}/loads`, fields: FIELDS, auth: { kind: "oauth2_client_credentials", token_url: "nope", client_id: "a", client_secret: "b" } }],
  ])("%s", (message, options) => {
    expect(createError(options as Record<string, unknown>)).toStartWith(message);
  });
});

describe("presets", () => {
  test("mergePreset: maps merge, fields per target, body all the way down, auth unless the kind changes", () => {
    const preset = {
      url: "https://board.example/search",
      method: "POST" as const,
      headers: { Accept: "application/json", "X-Client": "haulbox" },
      body: { mode: "TL_LTL", origin: { deadheadRadius: { value: 100, unit: "Miles" } } },
      auth: { kind: "oauth2_client_credentials" as const, token_url: "https://board.example/token" },
      pagination: { kind: "page" as const, param: "page", size: 100 },
      fields: { external_id: "loadId", equipment: { path: "type", map: { V: "V" } } },
    };
    const merged = mergePreset(preset, {
      url: "https://sandbox.board.example/search",
      headers: { "X-Client": "fleet-7" },
      body: { equipmentType: "R", origin: { location: { latitude: 41.9, longitude: -87.7 }, deadheadRadius: { value: 150 } } },
      auth: { client_id: "id", client_secret: "secret" },
      pagination: { size: 25 },
      fields: { equipment: { path: "kind" } },
    } as HttpJsonOptions);
    expect(merged).toEqual({
      url: "https://sandbox.board.example/search",
      method: "POST",
      headers: { Accept: "application/json", "X-Client": "fleet-7" },
      body: { mode: "TL_LTL", equipmentType: "R", origin: { location: { latitude: 41.9, longitude: -87.7 }, deadheadRadius: { value: 150, unit: "Miles" } } },
      auth: { kind: "oauth2_client_credentials", token_url: "https://board.example/token", client_id: "id", client_secret: "secret" },
      pagination: { kind: "page", param: "page", size: 25 },
      fields: { external_id: "loadId", equipment: { path: "kind" } },
    } as never);
    expect(mergePreset(preset, { auth: { kind: "bearer", token: "t" }, pagination: { kind: "none" } } as HttpJsonOptions)).toMatchObject({ auth: { kind: "bearer", token: "t" }, pagination: { kind: "none" } });
  });

  test("every preset's own options are valid options and compile", () => {
    for (const preset of Object.values(PRESETS)) {
      expect(Value.Errors(HttpJsonOptionsSchema, { preset: preset.name, ...preset.options }).First()).toBeUndefined();
    }
  });
});

// ---- Coyote ------------------------------------------------------------------------------------

describe("coyote preset against the examples in Coyote's API description", () => {
  const searchRequest = testcase("coyote-search-request.json");
  const searchAnswer = testcase("coyote-search-response.json");
  const singleLoad = testcase("coyote-load-response.json");
  const { mode: _mode, ...ownSearch } = searchRequest;

  /** The owner's YAML: the preset, the fake server's addresses, credentials, and the description's example search (mode comes from the preset). */
  const coyoteOptions = (extra: Record<string, unknown> = {}) =>
    checked({ preset: "coyote", url: `${BASE}/api/v1/AvailableLoads/search`, auth: { token_url: `${BASE}/connect/token`, client_id: "carrier-client", client_secret: "coyote-SECRET" }, body: ownSearch, ...extra });
  const coyote = (extra: Record<string, unknown> = {}) => createHttpJsonSource(coyoteOptions(extra), { now: () => clock.now });

  /** A fake CoyoteGO: the token endpoint and the search, answering with `pages` by page number. */
  const serveCoyote = (pages: (unknown | null)[]) => {
    handler = (entry) => {
      if (entry.path === "/connect/token") return json({ access_token: "coyote-access-token", token_type: "Bearer", expires_in: 3600 });
      if (entry.path !== "/api/v1/AvailableLoads/search" || entry.method !== "POST") return new Response("not found", { status: 404 });
      if (entry.headers.get("authorization") !== "Bearer coyote-access-token") return new Response(null, { status: 401 });
      const page = pages[Number(entry.query.get("page")) - 1];
      return page === null || page === undefined ? new Response(null, { status: 204 }) : json(page);
    };
  };
  const searches = () => seen.filter((entry) => entry.path === "/api/v1/AvailableLoads/search");

  /**
   * The example answer's one load, read by hand: loadId 194536334; pickup Romulus, OH 48174-9725
   * (as published) at 40.246281, -82.868742; delivery Sunbury, OH 43074 at 41.246281, -81.868742;
   * appointments 2026-06-14T18:33:48.4337724Z (7 fractional digits, rounded to .434 ms); V, TL;
   * 1800 Pounds, 53 Feet, 1500 Miles, $654.00 USD.
   */
  const exampleLoad = {
    external_id: "194536334",
    origin: { city: "Romulus", state: "OH", zip: "48174", lat: 40.246281, lon: -82.868742 },
    destination: { city: "Sunbury", state: "OH", zip: "43074", lat: 41.246281, lon: -81.868742 },
    pickup_earliest: Date.UTC(2026, 5, 14, 18, 33, 48, 434),
    pickup_latest: Date.UTC(2026, 5, 14, 18, 33, 48, 434),
    delivery_earliest: Date.UTC(2026, 5, 14, 18, 33, 48, 434),
    delivery_latest: Date.UTC(2026, 5, 14, 18, 33, 48, 434),
    equipment: "V",
    full: true,
    weight_lb: 1800,
    length_ft: 53,
    loaded_miles: 1500,
    rate_cents: 65_400,
    broker: { name: "Coyote Logistics" },
  };

  test("sends the token request and the search the description documents", async () => {
    serveCoyote([searchAnswer]);
    await coyote().poll(context());
    const token = seen.find((entry) => entry.path === "/connect/token")!;
    expect(token.method).toBe("POST");
    expect(token.headers.get("content-type")).toBe("application/x-www-form-urlencoded");
    expect(Object.fromEntries(new URLSearchParams(token.body))).toEqual({ grant_type: "client_credentials", client_id: "carrier-client", client_secret: "coyote-SECRET" });
    const search = searches()[0]!;
    expect(Object.fromEntries(search.query)).toEqual({ page: "1", pageSize: "100" });
    expect(search.headers.get("authorization")).toBe("Bearer coyote-access-token");
    expect(search.headers.get("content-type")).toBe("application/json");
    // The preset's mode and the owner's search make exactly the description's example request.
    expect(JSON.parse(search.body)).toEqual(searchRequest);
  });

  test("the example answer becomes one load; totalCount 1 ends the walk after one page", async () => {
    serveCoyote([searchAnswer]);
    expect(await coyote().poll(context())).toEqual({ loads: [exampleLoad], rejected: [], complete: true });
    expect(searches().length).toBe(1);
  });

  test("the single-load example adds commodity and stop notes from stopDetails", async () => {
    serveCoyote([{ loads: [singleLoad], pagination: { limit: 1, offset: 1, totalCount: 1 } }]);
    const { loads } = await coyote().poll(context());
    // Its appointments are 18:33:48.4280298Z … .4280338Z: .428 s once rounded to milliseconds.
    const at = Date.UTC(2026, 5, 14, 18, 33, 48, 428);
    expect(loads).toEqual([{ ...exampleLoad, pickup_earliest: at, pickup_latest: at, delivery_earliest: at, delivery_latest: at, commodity: "Cans", comments: "This is the sample stop note" }]);
  });

  test("pages follow page=1, 2, … until totalCount; a 204 is the end too", async () => {
    const second = structuredClone(searchAnswer.loads[0]);
    second.loadId = 194536335;
    serveCoyote([
      { loads: searchAnswer.loads, pagination: { limit: 1, offset: 1, totalCount: 2 } },
      { loads: [second], pagination: { limit: 1, offset: 2, totalCount: 2 } },
    ]);
    const out = await coyote().poll(context());
    expect(searches().map((entry) => entry.query.get("page"))).toEqual(["1", "2"]);
    expect(out.loads.map((load) => load.external_id)).toEqual(["194536334", "194536335"]);
    expect(out.complete).toBe(true);

    serveCoyote([]);
    expect(await coyote().poll(context())).toEqual({ loads: [], rejected: [], complete: true });
  });

  test.each([
    ["a rate in Canadian dollars", (load: any) => (load.loadDetails.rate.currencyType = "CAD"), 'loadDetails.rate.currencyType is "CAD", and this source only takes "USD" (see require)'],
    ["a weight in kilograms", (load: any) => (load.loadDetails.weight.unit = "Kilograms"), 'loadDetails.weight.unit is "Kilograms", and this source only takes "Pounds" (see require)'],
    ["a delivery in Canada", (load: any) => (load.stops[1].facility.address.countryCode = "CA"), 'stops[-1].facility.address.countryCode is "CA", and this source only takes "US" (see require)'],
    ["an equipment code the description gives no meaning for", (load: any) => (load.loadDetails.equipment.equipmentType = "SS"), 'equipment: "SS" at "loadDetails.equipment.equipmentType" is not in the field\'s map (V, R, F, VR, SD, DD, HS, PO)'],
    ["no pickup appointment", (load: any) => (load.stops[0].appointment.appointmentStartDateTimeUtc = null), "pickup_earliest"],
  ])("%p is rejected with the reason, the rest of the page loads", async (_name, change, reason) => {
    const odd = structuredClone(searchAnswer.loads[0]);
    odd.loadId = 7;
    change(odd);
    serveCoyote([{ loads: [odd, ...searchAnswer.loads], pagination: { limit: 2, offset: 1, totalCount: 2 } }]);
    const out = await coyote().poll(context());
    expect(out.loads).toEqual([exampleLoad]);
    expect(out.rejected!.length).toBe(1);
    expect(out.rejected![0]!.ref).toBe("page 1 item 1");
    expect(out.rejected![0]!.reason).toContain(reason);
  });

  test("the owner can map more equipment codes and relax a requirement", async () => {
    const odd = structuredClone(searchAnswer.loads[0]);
    odd.loadDetails.equipment.equipmentType = "FT";
    odd.loadDetails.rate.currencyType = "Undefined";
    serveCoyote([{ loads: [odd], pagination: { totalCount: 1 } }]);
    const out = await coyote({
      fields: { equipment: { path: "loadDetails.equipment.equipmentType", map: { V: "V", FT: "F" } } },
      require: { "loadDetails.rate.currencyType": ["USD", "Undefined"] },
    }).poll(context());
    expect(out.loads).toEqual([{ ...exampleLoad, equipment: "F" }]);
  });

  test("without the owner's search and credentials the preset refuses to start, naming each", () => {
    expect(createError({ preset: "coyote" })).toBe(
      [
        "auth.client_id: preset coyote needs the client id Coyote's integrations team issued (apimanagement@coyote.com)",
        "auth.client_secret: preset coyote needs the client secret Coyote issued; use client_secret_file or ${ENV} to keep it out of the YAML",
        "body.equipmentType: preset coyote needs the one equipment type to search for, like V (dry van), R (reefer) or F (flatbed)",
        "body.origin: preset coyote needs where to search from: { location: { latitude, longitude }, deadheadRadius: { value, unit: Miles } }",
      ].join("; "),
    );
  });

  test("the client secret never shows, even when the token endpoint echoes it", async () => {
    handler = (entry) => new Response(`invalid_client for ${entry.body}`, { status: 400 });
    const message = await pollError(coyote().poll(context()));
    expect(message).not.toContain("coyote-SECRET");
    expect(message).toContain("client_secret=[redacted]");
  });
});
