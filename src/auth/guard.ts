/**
 * The auth guard every feature uses. Deny by default: every route needs a principal except the
 * public ones below; every state-changing request from a browser session must carry the CSRF
 * token; a viewer can change nothing (bar logging out and its own password); routes demand
 * further capabilities with `{ requires: "manage_users" }`.
 */
import { Elysia } from "elysia";
import type { AppDeps } from "../deps";
import { apiError, wantsJson } from "../http/respond";
import { errorPage } from "../http/pages";
import type { Principal } from "./principal";
import { can, type Capability } from "./roles";
import { safeEqual } from "./secrets";
import { SESSION_COOKIE } from "./sessions";

/**
 * Paths anyone may reach. `/setup` itself refuses once an owner exists. `/ingest/…` is for
 * trackers, which have no user account: each request carries its device's own token, checked there.
 */
export function isPublicPath(path: string): boolean {
  return path === "/healthz" || path === "/login" || path === "/setup" || path.startsWith("/static/") || path === "/favicon.ico" || path.startsWith("/ingest/");
}

/** Mutations a read-only principal may still make on its own session. */
const VIEWER_SELF_SERVICE = new Set(["/logout", "/settings/password"]);
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** The address of the client, from the server socket (no proxy headers are trusted). */
export function clientAddress(server: { requestIP?: (r: Request) => { address: string } | null } | null | undefined, request: Request): string | null {
  try {
    return server?.requestIP?.(request)?.address ?? null;
  } catch {
    return null;
  }
}

function deny(request: Request, status: 401 | 403, code: string, message: string, principal: Principal | null): Response {
  if (wantsJson(request) || request.headers.get("hx-request") === "true" || request.headers.get("authorization")) {
    return apiError(status, code, message, undefined, status === 401 ? { "www-authenticate": 'Bearer realm="haulbox"' } : {});
  }
  if (status === 401) {
    const url = new URL(request.url);
    const next = url.pathname + url.search;
    return new Response(null, { status: 303, headers: { location: `/login?next=${encodeURIComponent(next)}` } });
  }
  return errorPage(status, "Not allowed", message, principal);
}

function csrfFrom(request: Request, body: unknown): string | null {
  const header = request.headers.get("x-csrf-token");
  if (header) return header;
  if (body && typeof body === "object" && "_csrf" in body) return String((body as Record<string, unknown>)._csrf ?? "");
  return null;
}

/** True when the Origin header, if the browser sent one, names this host. */
function sameOrigin(request: Request): boolean {
  const origin = request.headers.get("origin");
  if (!origin || origin === "null") return origin !== "null";
  try {
    const host = request.headers.get("host") ?? new URL(request.url).host;
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

const guards = new WeakMap<AppDeps, ReturnType<typeof makeGuard>>();

/** The guard plugin for these deps (one instance per app, shared by every feature). */
export function authGuard(deps: AppDeps) {
  let guard = guards.get(deps);
  if (!guard) {
    guard = makeGuard(deps);
    guards.set(deps, guard);
  }
  return guard;
}

let guardSeed = 0;

function makeGuard(deps: AppDeps) {
  return new Elysia({ name: "auth-guard", seed: ++guardSeed })
    .derive({ as: "global" }, ({ request, cookie, server }) => {
      const sessionCookie = cookie[SESSION_COOKIE]?.value;
      const principal = deps.auth.principal(typeof sessionCookie === "string" ? sessionCookie : undefined, request.headers.get("authorization"));
      return { principal, clientIp: clientAddress(server as any, request) };
    })
    // Checked at transform, before body/query validation, so an anonymous or read-only caller learns nothing about a route's schema.
    .onTransform({ as: "global" }, ({ request, path, principal, body }) => {
      if (isPublicPath(path)) return;
      // A transform hook cannot answer by returning a Response, so the refusal is thrown (Elysia sends a thrown Response as is).
      if (!principal) throw deny(request, 401, "unauthorized", "Log in or send an API token to use this.", null);
      if (SAFE_METHODS.has(request.method)) return;
      if (principal.via === "session") {
        const presented = csrfFrom(request, body);
        if (!sameOrigin(request) || !presented || !principal.csrfToken || !safeEqual(presented, principal.csrfToken)) {
          throw deny(request, 403, "csrf", "This form has expired or came from another site. Reload the page and try again.", principal);
        }
      }
      if (principal.role === "viewer" && !(principal.via === "session" && VIEWER_SELF_SERVICE.has(path))) {
        throw deny(request, 403, "read_only", "Your role is read-only: it cannot change anything.", principal);
      }
    })
    .macro({
      /** Route option: the capability the principal's role must have. */
      requires: (capability: Capability) => ({
        transform({ request, principal }: { request: Request; principal: Principal | null }) {
          if (!principal) throw deny(request, 401, "unauthorized", "Log in or send an API token to use this.", null);
          if (!can(principal.role, capability)) throw deny(request, 403, "forbidden", `Your role (${principal.role}) cannot do this.`, principal);
        },
      }),
    });
}
