/** CSRF on every state-changing browser request, and what each role may do. */
import { afterEach, describe, expect, test } from "bun:test";
import { testApp, type TestApp } from "../helpers/app";

let t: TestApp;
afterEach(() => t?.cleanup());

describe("CSRF", () => {
  test("a session POST without the token, with a wrong one, or from another origin is refused", async () => {
    t = await testApp();
    const owner = await t.login("owner");
    const create = { name: "grafana", role: "viewer" };
    expect((await t.request("POST", "/settings/tokens", { session: owner, form: create, csrf: false })).status).toBe(403);
    expect((await t.request("POST", "/settings/tokens", { session: owner, form: { ...create, _csrf: "forged" } })).status).toBe(403);
    expect((await t.request("POST", "/settings/tokens", { session: owner, form: create, headers: { origin: "https://evil.example" } })).status).toBe(403);
    expect((await t.request("POST", "/api/v1/tokens", { session: owner, json: create, csrf: false })).status).toBe(403);
    expect(t.deps.auth.tokens.list()).toHaveLength(0);
    // The right token in the form, or in the X-CSRF-Token header (htmx, JSON), works.
    expect((await t.request("POST", "/settings/tokens", { session: owner, form: create })).status).toBe(200);
    expect((await t.request("POST", "/api/v1/tokens", { session: owner, json: create })).status).toBe(201);
    expect(t.deps.auth.tokens.list()).toHaveLength(2);
  });

  test("bearer-token requests need no CSRF token (no cookies are involved)", async () => {
    t = await testApp();
    const response = await t.request("POST", "/api/v1/tokens", { token: t.token("owner"), json: { name: "ci", role: "viewer" } });
    expect(response.status).toBe(201);
  });
});

describe("roles", () => {
  test("only the owner manages users and reads the audit log", async () => {
    t = await testApp();
    for (const role of ["dispatcher", "driver", "viewer"] as const) {
      const token = t.token(role);
      expect((await t.request("GET", "/api/v1/users", { token })).status, role).toBe(403);
      expect((await t.request("GET", "/api/v1/audit", { token })).status, role).toBe(403);
      expect((await t.request("POST", "/api/v1/users", { token, json: { username: "x1", password: "0123456789ab", role: "owner" } })).status, role).toBe(403);
    }
    const owner = t.token("owner");
    const created = await t.request("POST", "/api/v1/users", { token: owner, json: { username: "dana", password: "dispatch-secret-1", role: "dispatcher" } });
    expect(created.status).toBe(201);
    expect(((await created.json()) as any).role).toBe("dispatcher");
    const list = (await (await t.request("GET", "/api/v1/users", { token: owner })).json()) as any;
    expect(list.data.map((u: any) => u.username)).toContain("dana");
    expect(list.next_cursor).toBeNull();
  });

  test("a token can be created only up to one's own role", async () => {
    t = await testApp();
    const dispatcher = await t.login("dispatcher");
    expect((await t.request("POST", "/api/v1/tokens", { session: dispatcher, json: { name: "a", role: "owner" } })).status).toBe(403);
    expect((await t.request("POST", "/settings/tokens", { session: dispatcher, form: { name: "a", role: "owner" } })).status).toBe(403);
    const ok = await t.request("POST", "/settings/tokens", { session: dispatcher, form: { name: "tablet", role: "viewer" } });
    expect(ok.status).toBe(200);
    const html = await ok.text();
    const token = /id="new-token">([^<]+)</.exec(html)![1]!;
    expect(token).toStartWith("hb_");
    // The token is stored only as a hash and works as a viewer.
    const row = t.deps.db.query("SELECT token_hash FROM api_tokens").get() as { token_hash: string };
    expect(row.token_hash).not.toContain(token);
    const me = (await (await t.request("GET", "/api/v1/me", { token })).json()) as any;
    expect(me).toMatchObject({ role: "viewer", via: "token" });
    // The page never shows it again.
    expect(await (await t.request("GET", "/settings", { session: dispatcher })).text()).not.toContain(token);
  });

  test("the last owner cannot be demoted or disabled", async () => {
    t = await testApp();
    const owner = await t.login("owner");
    const response = await t.request("POST", `/settings/users/${owner.userId}`, { session: owner, form: { role: "viewer", disabled: "false" } });
    expect(response.status).toBe(422);
    expect(await response.text()).toContain("only owner");
    expect(t.deps.auth.users.byId(owner.userId)?.role).toBe("owner");
  });

  test("changing your password logs out your other sessions and needs the current one", async () => {
    t = await testApp();
    const first = await t.login("dispatcher", "dana");
    const second = await t.deps.auth.login("dana", first.password, { ip: "10.0.0.2" });
    if (!second.ok) throw new Error("second login failed");
    const wrong = await t.request("POST", "/settings/password", { session: first, form: { current_password: "not-it-at-all", new_password: "a-brand-new-secret", new_password_again: "a-brand-new-secret" } });
    expect(wrong.status).toBe(422);
    const right = await t.request("POST", "/settings/password", { session: first, form: { current_password: first.password, new_password: "a-brand-new-secret", new_password_again: "a-brand-new-secret" } });
    expect(right.status).toBe(200);
    expect(t.deps.auth.principal(second.sessionId, null)).toBeNull();
    expect(t.deps.auth.principal(first.cookie, null)?.name).toBe("dana");
    expect(await t.deps.auth.users.verify("dana", "a-brand-new-secret")).not.toBeNull();
  });

  test("a dispatcher sees Settings without the users and audit sections", async () => {
    t = await testApp();
    const dispatcher = await t.login("dispatcher");
    const html = await (await t.request("GET", "/settings", { session: dispatcher })).text();
    expect(html).toContain("Change your password");
    expect(html).toContain("API tokens");
    expect(html).not.toContain("Add a user");
    expect(html).not.toContain("Audit log");
  });
});
