/** What a new owner does: open the setup link, create the account, log in, use pages, log out. Through app.handle with real auth. */
import { afterEach, describe, expect, test } from "bun:test";
import { testApp, type TestApp } from "../helpers/app";

let t: TestApp;
afterEach(() => t?.cleanup());

/** Reads the named cookie's value from a response's set-cookie headers. */
function cookieFrom(response: Response, name: string): string | undefined {
  for (const header of response.headers.getSetCookie()) {
    const [pair] = header.split(";");
    const [key, value] = pair!.split("=");
    if (key === name) return value;
  }
  return undefined;
}

function hiddenField(html: string, name: string): string {
  const match = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  if (!match) throw new Error(`no hidden field ${name}`);
  return match[1]!;
}

async function formPost(path: string, fields: Record<string, string>, cookies: string, extraHeaders: Record<string, string> = {}) {
  return t.app.handle(
    new Request(`http://localhost${path}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookies, ...extraHeaders },
      body: new URLSearchParams(fields).toString(),
    }),
  );
}

describe("first start and setup", () => {
  test("setup link creates the owner once; no default password exists", async () => {
    t = await testApp();
    expect(t.deps.auth.setupOpen()).toBe(true);
    const token = t.deps.auth.issueSetupToken()!;

    // Without or with a wrong token the form is refused.
    expect((await t.request("GET", "/setup")).status).toBe(403);
    const wrong = await t.request("GET", "/setup?token=wrong");
    expect(wrong.status).toBe(403);
    // It says how to get a fresh link without restarting.
    expect(await wrong.text()).toContain("haulbox setup-link");
    // Login page says to finish setup instead of offering a form.
    expect(await (await t.request("GET", "/login")).text()).toContain("/setup?token=");

    const form = await t.request("GET", `/setup?token=${token}`);
    expect(form.status).toBe(200);
    const csrf = cookieFrom(form, "hb_csrf")!;
    const html = await form.text();
    expect(hiddenField(html, "_csrf")).toBe(csrf);

    // Mismatched passwords and weak passwords are shown inline.
    let response = await formPost("/setup", { _csrf: csrf, token, username: "maria", password: "long enough pw", password_again: "different pw!!" }, `hb_csrf=${csrf}`);
    expect(response.status).toBe(422);
    expect(await response.text()).toContain("differ");
    response = await formPost("/setup", { _csrf: csrf, token, username: "maria", password: "short", password_again: "short" }, `hb_csrf=${csrf}`);
    expect(response.status).toBe(422);
    // Without the pre-session CSRF cookie the post is refused.
    response = await formPost("/setup", { _csrf: csrf, token, username: "maria", password: "correct horse battery", password_again: "correct horse battery" }, "");
    expect(response.status).toBe(403);

    response = await formPost("/setup", { _csrf: csrf, token, username: "maria", password: "correct horse battery", password_again: "correct horse battery" }, `hb_csrf=${csrf}`);
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/login");
    expect(t.deps.auth.users.byName("maria")?.role).toBe("owner");

    // Setup is closed for good: the same token no longer works, the page is gone.
    expect((await t.request("GET", `/setup?token=${token}`)).status).toBe(404);
    response = await formPost("/setup", { _csrf: csrf, token, username: "mallory", password: "correct horse battery", password_again: "correct horse battery" }, `hb_csrf=${csrf}`);
    expect(response.status).toBe(404);
    expect(t.deps.auth.users.byName("mallory")).toBeNull();
    expect(t.deps.auth.issueSetupToken()).toBeNull();
    expect(t.deps.auth.audit.list().map((e) => e.action)).toContain("setup_completed");
  });
});

describe("login, session, logout", () => {
  test("login sets an HttpOnly SameSite=Lax session cookie and lands on the next page", async () => {
    t = await testApp();
    await t.deps.auth.users.create("dana", "dispatch-secret-1", "dispatcher");
    const page = await t.request("GET", "/login?next=/loads");
    const csrf = cookieFrom(page, "hb_csrf")!;
    const bad = await formPost("/login", { _csrf: csrf, username: "dana", password: "nope-nope-nope", next: "/loads" }, `hb_csrf=${csrf}`);
    expect(bad.status).toBe(401);
    expect(await bad.text()).toContain("Wrong username or password");
    const good = await formPost("/login", { _csrf: csrf, username: "dana", password: "dispatch-secret-1", next: "/loads" }, `hb_csrf=${csrf}`);
    expect(good.status).toBe(303);
    expect(good.headers.get("location")).toBe("/loads");
    const setCookie = good.headers.getSetCookie().find((c) => c.startsWith("hb_session="))!;
    expect(setCookie).toContain("HttpOnly");
    expect(setCookie).toContain("SameSite=Lax");
    expect(setCookie).not.toContain("Secure");
    const session = cookieFrom(good, "hb_session")!;

    const loads = await t.app.handle(new Request("http://localhost/loads", { headers: { cookie: `hb_session=${session}` } }));
    expect(loads.status).toBe(200);
    const html = await loads.text();
    expect(html).toContain("dana");
    const sessionCsrf = hiddenField(html, "_csrf");

    // Logging out needs the session's CSRF token, then the cookie stops working.
    expect((await formPost("/logout", {}, `hb_session=${session}`)).status).toBe(403);
    const out = await formPost("/logout", { _csrf: sessionCsrf }, `hb_session=${session}`);
    expect(out.status).toBe(303);
    expect(out.headers.get("location")).toBe("/login");
    const after = await t.app.handle(new Request("http://localhost/loads", { headers: { cookie: `hb_session=${session}` } }));
    expect(after.status).toBe(303);
    expect(after.headers.get("location")).toBe("/login?next=%2Floads");
    const actions = t.deps.auth.audit.list().map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(["login_failed", "login", "logout"]));
  });

  test("an off-site next= is ignored (no open redirect)", async () => {
    t = await testApp();
    await t.deps.auth.users.create("dana", "dispatch-secret-1", "dispatcher");
    const csrf = cookieFrom(await t.request("GET", "/login"), "hb_csrf")!;
    for (const next of ["https://evil.example/", "//evil.example/", "/\\evil.example"]) {
      const response = await formPost("/login", { _csrf: csrf, username: "dana", password: "dispatch-secret-1", next }, `hb_csrf=${csrf}`);
      expect(response.headers.get("location")).toBe("/");
    }
  });

  test("the session cookie is Secure when the public URL is https", async () => {
    t = await testApp({ yaml: "public_url: https://fleet.example.com\n" });
    await t.deps.auth.users.create("dana", "dispatch-secret-1", "dispatcher");
    const csrf = cookieFrom(await t.request("GET", "/login"), "hb_csrf")!;
    const good = await formPost("/login", { _csrf: csrf, username: "dana", password: "dispatch-secret-1" }, `hb_csrf=${csrf}`);
    expect(good.headers.getSetCookie().find((c) => c.startsWith("hb_session="))).toContain("Secure");
  });

  test("a session expires after session_hours", async () => {
    t = await testApp({ yaml: "auth:\n  session_hours: 1\n" });
    let now = Date.now();
    const { Sessions } = await import("../../src/auth/sessions");
    const sessions = new Sessions(t.deps.db, () => now);
    const user = await t.deps.auth.users.create("ed", "driver-secret-1", "driver");
    const created = sessions.create(user.id, 3_600_000);
    expect(sessions.find(created.id)?.user.username).toBe("ed");
    now += 3_600_001;
    expect(sessions.find(created.id)).toBeNull();
    expect(sessions.purgeExpired()).toBe(1);
  });

  test("a disabled user's sessions stop working at once", async () => {
    t = await testApp();
    const owner = await t.login("owner");
    const driver = await t.login("driver");
    expect((await t.request("GET", "/trucks", { session: driver })).status).toBe(200);
    const response = await t.request("POST", `/settings/users/${driver.userId}`, { session: owner, form: { role: "driver", disabled: "true" } });
    expect(response.status).toBe(200);
    expect((await t.request("GET", "/trucks", { session: driver })).status).toBe(303);
  });
});

describe("login rate limits", () => {
  test("an account is locked after too many failures, even for the right password", async () => {
    t = await testApp({ yaml: "auth:\n  login_attempts_per_account: 3\n  login_attempts_per_ip: 100\n" });
    await t.deps.auth.users.create("dana", "dispatch-secret-1", "dispatcher");
    const csrf = cookieFrom(await t.request("GET", "/login"), "hb_csrf")!;
    for (let i = 0; i < 3; i++) expect((await formPost("/login", { _csrf: csrf, username: "dana", password: `wrong-${i}-xxxxx` }, `hb_csrf=${csrf}`)).status).toBe(401);
    const locked = await formPost("/login", { _csrf: csrf, username: "Dana", password: "dispatch-secret-1" }, `hb_csrf=${csrf}`);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(t.deps.auth.audit.list().map((e) => e.action)).toContain("login_rate_limited");
  });

  test("one address guessing many accounts is stopped", async () => {
    t = await testApp({ yaml: "auth:\n  login_attempts_per_ip: 4\n" });
    for (let i = 0; i < 4; i++) {
      const attempt = await t.deps.auth.login(`user${i}`, "guess-guess-guess", { ip: "203.0.113.9" });
      expect(!attempt.ok && attempt.reason).toBe("invalid");
    }
    const blocked = await t.deps.auth.login("user9", "guess-guess-guess", { ip: "203.0.113.9" });
    expect(blocked.ok).toBe(false);
    expect(!blocked.ok && blocked.reason).toBe("rate_limited");
    // Another address is not affected.
    const other = await t.deps.auth.login("user9", "guess-guess-guess", { ip: "198.51.100.1" });
    expect(!other.ok && other.reason).toBe("invalid");
  });

  test("the window slides: failures older than the window are forgotten", async () => {
    const { FailureLimiter } = await import("../../src/auth/rate-limit");
    let now = 1_000_000;
    const limiter = new FailureLimiter(() => 2, () => 60_000, () => now);
    limiter.fail("k");
    limiter.fail("k");
    expect(limiter.retryAfterMs("k")).toBe(60_000);
    now += 30_000;
    expect(limiter.retryAfterMs("k")).toBe(30_000);
    now += 30_001;
    expect(limiter.retryAfterMs("k")).toBe(0);
  });
});
