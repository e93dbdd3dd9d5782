/** @jsxImportSource @kitajs/html */
/** Login, logout and first-run setup of the owner account. */
import { Elysia, t } from "elysia";
import type { AppDeps } from "../deps";
import { authGuard } from "../auth/guard";
import { SESSION_COOKIE } from "../auth/sessions";
import { randomToken, safeEqual } from "../auth/secrets";
import { MIN_PASSWORD_LENGTH, UserInputError } from "../auth/users";
import { renderPage } from "../http/pages";
import { redirect, safeNextPath } from "../http/respond";

/** Cookie holding the CSRF token for forms shown before login (double-submit). */
const PRE_SESSION_CSRF = "hb_csrf";

function cookieFlags(deps: AppDeps): string {
  const secure = deps.config.current().public_url.startsWith("https:") ? "; Secure" : "";
  return `Path=/; HttpOnly; SameSite=Lax${secure}`;
}

function preSessionToken(existing: unknown): string {
  return typeof existing === "string" && /^[A-Za-z0-9_-]{20,64}$/.test(existing) ? existing : randomToken(24);
}

function LoginForm({ csrf, next, username, error }: { csrf: string; next: string; username?: string; error?: string }) {
  return (
    <section class="card narrow">
      <h1>Log in</h1>
      {error ? (
        <p class="error" role="alert" safe>
          {error}
        </p>
      ) : (
        ""
      )}
      <form class="stack" method="post" action="/login">
        <input type="hidden" name="_csrf" value={csrf} />
        <input type="hidden" name="next" value={next} />
        <label>
          Username
          <input name="username" autocomplete="username" required value={username ?? ""} autofocus />
        </label>
        <label>
          Password
          <input name="password" type="password" autocomplete="current-password" required />
        </label>
        <button type="submit">Log in</button>
      </form>
    </section>
  );
}

function SetupForm({ csrf, token, username, error }: { csrf: string; token: string; username?: string; error?: string }) {
  return (
    <section class="card narrow">
      <h1>Create the owner account</h1>
      <p class="muted">This account manages users, settings and sources. There is no default password: choose one now.</p>
      {error ? (
        <p class="error" role="alert" safe>
          {error}
        </p>
      ) : (
        ""
      )}
      <form class="stack" method="post" action="/setup">
        <input type="hidden" name="_csrf" value={csrf} />
        <input type="hidden" name="token" value={token} />
        <label>
          Username
          <input name="username" autocomplete="username" required value={username ?? ""} autofocus />
        </label>
        <label>
          Password (at least {MIN_PASSWORD_LENGTH} characters)
          <input name="password" type="password" autocomplete="new-password" required minlength={String(MIN_PASSWORD_LENGTH)} />
        </label>
        <label>
          Password again
          <input name="password_again" type="password" autocomplete="new-password" required />
        </label>
        <button type="submit">Create owner account</button>
      </form>
    </section>
  );
}

const FormBody = t.Object({}, { additionalProperties: true });

/** GET/POST /login, POST /logout, GET/POST /setup. */
export function authRoutes(deps: AppDeps) {
  const setCsrfCookie = (token: string) => `${PRE_SESSION_CSRF}=${token}; ${cookieFlags(deps)}; Max-Age=7200`;
  const preSessionOk = (cookieValue: unknown, body: Record<string, unknown>) =>
    typeof cookieValue === "string" && typeof body._csrf === "string" && safeEqual(cookieValue, body._csrf);

  return new Elysia({ name: "auth-routes", seed: deps })
    .use(authGuard(deps))
    .get(
      "/login",
      ({ request, principal, query, cookie }) => {
        if (principal?.via === "session") return redirect(request, safeNextPath(query.next));
        if (deps.auth.setupOpen()) {
          const body = (
            <section class="card narrow">
              <h1>Finish setting up Haulbox</h1>
              <p>No owner account exists yet. Open the setup link printed in the Haulbox log when it started (it looks like <code>/setup?token=…</code>).</p>
            </section>
          );
          return renderPage(request, null, "Set up", body);
        }
        const csrf = preSessionToken(cookie[PRE_SESSION_CSRF]?.value);
        return renderPage(request, null, "Log in", <LoginForm csrf={csrf} next={safeNextPath(query.next)} />, { headers: { "set-cookie": setCsrfCookie(csrf) } });
      },
      { query: t.Object({ next: t.Optional(t.String()) }), detail: { hide: true } },
    )
    .post(
      "/login",
      async ({ request, body, cookie, clientIp }) => {
        const form = body as Record<string, unknown>;
        const username = String(form.username ?? "");
        const password = String(form.password ?? "");
        const next = safeNextPath(form.next);
        const csrf = preSessionToken(cookie[PRE_SESSION_CSRF]?.value);
        const again = (status: number, error: string, headers: Record<string, string> = {}) =>
          renderPage(request, null, "Log in", <LoginForm csrf={csrf} next={next} username={username} error={error} />, { status, headers: { "set-cookie": setCsrfCookie(csrf), ...headers } });
        if (!preSessionOk(cookie[PRE_SESSION_CSRF]?.value, form)) return again(403, "The login form expired. Please try again.");
        const result = await deps.auth.login(username, password, { ip: clientIp, userAgent: request.headers.get("user-agent") });
        if (!result.ok && result.reason === "rate_limited") {
          const seconds = Math.ceil(result.retryAfterMs / 1000);
          return again(429, `Too many failed logins. Try again in ${Math.ceil(seconds / 60)} minute(s).`, { "retry-after": String(seconds) });
        }
        if (!result.ok) return again(401, "Wrong username or password.");
        const maxAge = Math.floor((result.expiresAt - deps.auth.now()) / 1000);
        const headers = new Headers({ location: next });
        headers.append("set-cookie", `${SESSION_COOKIE}=${result.sessionId}; ${cookieFlags(deps)}; Max-Age=${maxAge}`);
        headers.append("set-cookie", `${PRE_SESSION_CSRF}=; ${cookieFlags(deps)}; Max-Age=0`);
        return new Response(null, { status: 303, headers });
      },
      { body: FormBody, detail: { hide: true } },
    )
    .post(
      "/logout",
      ({ request, principal }) => {
        if (principal?.sessionIdHash) {
          deps.auth.sessions.destroy(principal.sessionIdHash);
          deps.auth.audit.record("logout", { actor: principal.name });
        }
        return redirect(request, "/login", { "set-cookie": `${SESSION_COOKIE}=; ${cookieFlags(deps)}; Max-Age=0` });
      },
      { body: t.Optional(FormBody), detail: { hide: true } },
    )
    .get(
      "/setup",
      ({ request, query, cookie, status }) => {
        if (!deps.auth.setupOpen()) return status(404, "Setup is finished. Log in at /login.");
        if (!deps.auth.checkSetupToken(query.token)) {
          const body = (
            <section class="card narrow">
              <h1>Setup link not valid</h1>
              <p>Use the newest setup link from the Haulbox log. For a fresh one, run this on the server (as the installer set it up):</p>
              <p><code>sudo -u haulbox haulbox setup-link --config /etc/haulbox/haulbox.yaml</code></p>
              <p>or just <code>haulbox setup-link</code> where you run Haulbox yourself. Restarting Haulbox also prints one.</p>
            </section>
          );
          return renderPage(request, null, "Set up", body, { status: 403 });
        }
        const csrf = preSessionToken(cookie[PRE_SESSION_CSRF]?.value);
        return renderPage(request, null, "Set up", <SetupForm csrf={csrf} token={query.token!} />, { headers: { "set-cookie": setCsrfCookie(csrf) } });
      },
      { query: t.Object({ token: t.Optional(t.String()) }), detail: { hide: true } },
    )
    .post(
      "/setup",
      async ({ request, body, cookie, clientIp, status }) => {
        if (!deps.auth.setupOpen()) return status(404, "Setup is finished. Log in at /login.");
        const form = body as Record<string, unknown>;
        const token = String(form.token ?? "");
        const username = String(form.username ?? "");
        const password = String(form.password ?? "");
        const csrf = preSessionToken(cookie[PRE_SESSION_CSRF]?.value);
        const again = (code: number, error: string) =>
          renderPage(request, null, "Set up", <SetupForm csrf={csrf} token={token} username={username} error={error} />, { status: code, headers: { "set-cookie": setCsrfCookie(csrf) } });
        if (!preSessionOk(cookie[PRE_SESSION_CSRF]?.value, form)) return again(403, "The setup form expired. Please try again.");
        if (!deps.auth.checkSetupToken(token)) return again(403, "This setup link is no longer valid. On the server, run haulbox setup-link (with the installer: sudo -u haulbox haulbox setup-link --config /etc/haulbox/haulbox.yaml) or restart Haulbox for a new one.");
        if (password !== String(form.password_again ?? "")) return again(422, "The two passwords differ.");
        try {
          await deps.auth.completeSetup(token, username, password, clientIp);
        } catch (error) {
          if (error instanceof UserInputError) return again(422, error.message);
          throw error;
        }
        deps.log.info("owner account created", { username });
        return redirect(request, "/login");
      },
      { body: FormBody, detail: { hide: true } },
    );
}
