/**
 * Passwords, API tokens, session cookies and `*_file` secrets never reach the log. Real flows run
 * through the app (setup, logins good and bad, token creation and use, a password change, a
 * plugin's secret read from a file), at debug level so every request is logged, and then every
 * captured line is searched for each secret.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Type } from "@sinclair/typebox";
import { testApp, type TestApp } from "../helpers/app";
import { loadConfig, type PluginResolver } from "../../src/config/load";
import { ConfigStore } from "../../src/config/store";
import { createLogger } from "../../src/log";

const secretsDir = mkdtempSync(join(tmpdir(), "haulbox-secrets-"));
let t: TestApp | undefined;
afterAll(() => {
  t?.cleanup();
  rmSync(secretsDir, { recursive: true, force: true });
});

/** A stand-in load-board plugin whose `api_key` is a secret, so `api_key_file:` can be used. */
const plugins: PluginResolver = async () => ({
  lookup: (name) => (name === "loadboard-test" ? { configSchema: Type.Object({ url: Type.String(), api_key: Type.String({ secret: true }) }), requiresSchedule: true } : undefined),
  names: ["loadboard-test"],
});

/** The value of a set-cookie header's cookie, by name. */
function cookieFrom(response: Response, name: string): string | undefined {
  for (const header of response.headers.getSetCookie()) {
    const [pair] = header.split(";");
    const eq = pair!.indexOf("=");
    if (pair!.slice(0, eq) === name) return pair!.slice(eq + 1);
  }
  return undefined;
}

function hiddenField(html: string, name: string): string {
  const value = new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1];
  if (value === undefined) throw new Error(`no hidden field ${name}`);
  return value;
}

/** Every secret in `secrets` that occurs in any line, with the line. */
function leaks(lines: string[], secrets: Record<string, string>): string[] {
  const found: string[] = [];
  for (const [what, secret] of Object.entries(secrets)) {
    for (const line of lines) if (line.includes(secret)) found.push(`${what} in: ${line}`);
  }
  return found;
}

describe("secrets never reach the log", () => {
  test("through setup, logins, tokens, a password change and a plugin's *_file secret", async () => {
    const apiKey = "pk_live_9Xq2mN7vB4sR8tY1";
    writeFileSync(join(secretsDir, "partner-key.txt"), `${apiKey}\n`);
    t = await testApp({
      plugins,
      yaml: `sources:\n  - id: partner\n    plugin: loadboard-test\n    schedule: "*/5 * * * *"\n    url: https://loads.example.com/feed\n    api_key_file: ${join(secretsDir, "partner-key.txt")}\n`,
    });
    const app = t;
    expect(app.deps.config.current().sources[0]!.options.api_key).toBe(apiKey);
    const secrets: Record<string, string> = { "plugin api_key from *_file": apiKey };
    const post = (path: string, fields: Record<string, string>, cookie: string) =>
      app.app.handle(new Request(`http://localhost${path}`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", cookie }, body: new URLSearchParams(fields).toString() }));

    // Setup: the owner's password travels in a form.
    const ownerPassword = "owner-Pa55word-never-logged";
    secrets["owner password"] = ownerPassword;
    const setupToken = app.deps.auth.issueSetupToken()!;
    const setupForm = await app.request("GET", `/setup?token=${setupToken}`);
    const setupCsrf = cookieFrom(setupForm, "hb_csrf")!;
    secrets["pre-session CSRF token"] = setupCsrf;
    const setupDone = await post("/setup", { _csrf: hiddenField(await setupForm.text(), "_csrf"), token: setupToken, username: "maria", password: ownerPassword, password_again: ownerPassword }, `hb_csrf=${setupCsrf}`);
    expect(setupDone.status).toBe(303);

    // A failed login with a wrong password, then a good one.
    const wrongPassword = "wrong-Pa55word-also-never-logged";
    secrets["wrong password"] = wrongPassword;
    const loginForm = await app.request("GET", "/login");
    const loginCsrf = cookieFrom(loginForm, "hb_csrf")!;
    const loginFields = { _csrf: hiddenField(await loginForm.text(), "_csrf"), next: "/" };
    expect((await post("/login", { ...loginFields, username: "maria", password: wrongPassword }, `hb_csrf=${loginCsrf}`)).status).toBe(401);
    const loggedIn = await post("/login", { ...loginFields, username: "maria", password: ownerPassword }, `hb_csrf=${loginCsrf}`);
    expect(loggedIn.status).toBe(303);
    const sessionId = cookieFrom(loggedIn, "hb_session")!;
    secrets["session cookie"] = sessionId;
    const session = { cookie: sessionId, csrf: "", username: "maria", password: ownerPassword, userId: 1 };
    const csrfPage = await app.request("GET", "/settings", { session });
    session.csrf = /name="_csrf" value="([^"]+)"/.exec(await csrfPage.text())?.[1] ?? "";
    expect(session.csrf).not.toBe("");
    secrets["session CSRF token"] = session.csrf;

    // Tokens: one created in the service as the CLI does, one through the API with the session.
    const serviceToken = app.deps.auth.tokens.create("prometheus", "viewer", null).token;
    secrets["token from auth.tokens.create"] = serviceToken;
    const created = await app.request("POST", "/api/v1/tokens", { session, json: { name: "dispatch-script", role: "dispatcher" } });
    expect(created.status).toBe(201);
    const apiToken = ((await created.json()) as { token: string }).token;
    secrets["token from POST /api/v1/tokens"] = apiToken;

    // Using the tokens: as Bearer, on the API and /metrics, once even in the query string, and a bad one.
    expect((await app.request("GET", "/api/v1/me", { token: apiToken })).status).toBe(200);
    expect((await app.request("GET", "/metrics", { token: serviceToken })).status).toBe(200);
    await app.request("GET", `/api/v1/me?access_token=${apiToken}`, { token: apiToken });
    const forged = "hb_forgedTokenThatDoesNotExist0123456789";
    secrets["forged token"] = forged;
    expect((await app.request("GET", "/api/v1/me", { token: forged })).status).toBe(401);

    // A second user and a password change through the API.
    const newPassword = "changed-Pa55word-for-dispatcher";
    secrets["changed password"] = newPassword;
    const added = await app.request("POST", "/api/v1/users", { session, json: { username: "dave", password: "first-Pa55word-for-dave", role: "dispatcher" } });
    expect(added.status).toBe(201);
    secrets["new user's password"] = "first-Pa55word-for-dave";
    const daveId = ((await added.json()) as { id: number }).id;
    expect((await app.request("PATCH", `/api/v1/users/${daveId}`, { session, json: { password: newPassword } })).status).toBe(200);

    // A careless plugin and a careless debug line: the logger must still hide the secrets.
    const sourceLog = app.deps.log.child({ source: "partner" });
    sourceLog.error("poll failed", { error: new Error(`GET https://loads.example.com/feed?key=${apiKey} answered 401`), options: app.deps.config.current().sources[0]!.options });
    sourceLog.debug(`retrying with key ${apiKey}`);
    app.deps.log.debug("incoming headers", { headers: { authorization: `Bearer ${apiToken}`, cookie: `hb_session=${sessionId}` } });
    app.deps.log.warn(`token ${serviceToken} used from a new address`);

    await Bun.sleep(20); // after-response hooks write the request lines
    expect(app.logLines.length).toBeGreaterThan(15);
    expect(app.logLines.some((line) => line.includes('"route":"/api/v1/tokens"'))).toBe(true);
    expect(leaks(app.logLines, secrets)).toEqual([]);
    // The redacted lines are still there, with the marker instead of the secret.
    expect(app.logLines.some((line) => line.includes("poll failed") && line.includes("[redacted]"))).toBe(true);
  });

  test("a *_file secret that fails validation is not quoted in the errors a reload logs", async () => {
    const dir = mkdtempSync(join(secretsDir, "reload-"));
    const secret = "hunter2-this-is-the-secret";
    writeFileSync(join(dir, "level.txt"), secret);
    writeFileSync(join(dir, "haulbox.yaml"), "log:\n  level: info\n");
    const options = { path: join(dir, "haulbox.yaml"), cwd: dir, env: {} };
    const first = await loadConfig(options);
    if (!first.ok) throw new Error("fixture invalid");
    const lines: string[] = [];
    const log = createLogger({ write: (line) => lines.push(line) });
    const store = new ConfigStore(first.config, first.file, options, first.secrets);

    // The reload path of handleSignals: a bad value read from a file, errors logged.
    writeFileSync(join(dir, "haulbox.yaml"), "log:\n  level_file: level.txt\n");
    const result = await store.reload();
    expect(result.ok).toBe(false);
    if (!result.ok) log.error("configuration reload rejected; the running configuration stays", { errors: result.errors });
    expect(lines.join("\n")).not.toContain(secret);
    expect(lines.join("\n")).toContain("log.level: (the secret value) is not one of: debug, info, warn, error");
  });
});
