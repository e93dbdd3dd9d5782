/** @jsxImportSource @kitajs/html */
/** Settings pages: change password, API tokens, users and the audit log. Forms post here and get the page back with a message. */
import { Elysia, t } from "elysia";
import type { AppDeps } from "../deps";
import { authGuard } from "../auth/guard";
import type { Principal } from "../auth/principal";
import { can, grantableRoles, isRole } from "../auth/roles";
import { UserInputError } from "../auth/users";
import { renderPage } from "../http/pages";
import { SettingsPage, type SettingsFlash } from "../../views/settings/page";
import { assistantStatus } from "../assistant/provider-for";

const FormBody = t.Object({}, { additionalProperties: true });
const IdParams = t.Object({ id: t.Numeric() });

/** Tokens a principal may see: all for the owner, else their own. */
export function visibleTokens(deps: AppDeps, principal: Principal) {
  if (can(principal.role, "manage_users")) return deps.auth.tokens.list();
  if (!can(principal.role, "manage_tokens") || principal.userId === null) return null;
  return deps.auth.tokens.list(principal.userId);
}

/** True when the principal may revoke this token: the owner any, others their own. */
export function mayRevoke(principal: Principal, tokenUserId: number | null): boolean {
  if (can(principal.role, "manage_users")) return true;
  return can(principal.role, "manage_tokens") && tokenUserId !== null && tokenUserId === principal.userId;
}

export function settingsRoutes(deps: AppDeps) {
  const page = (request: Request, principal: Principal, flash?: SettingsFlash, status = 200) => {
    const owner = can(principal.role, "manage_users");
    const body = SettingsPage({
      principal,
      users: owner ? deps.auth.users.list() : null,
      tokens: visibleTokens(deps, principal),
      tokenRoles: principal.via === "session" ? grantableRoles(principal.role) : [],
      audit: owner ? deps.auth.audit.list(50) : null,
      flash,
      assistant: assistantStatus(deps.config.current().assistant),
    });
    return renderPage(request, principal, "Settings", body, { status });
  };

  return new Elysia({ name: "settings", seed: deps })
    .use(authGuard(deps))
    .get("/settings", ({ request, principal }) => page(request, principal!), { detail: { hide: true } })
    .post(
      "/settings/password",
      async ({ request, principal, body }) => {
        const form = body as Record<string, unknown>;
        if (principal!.via !== "session" || principal!.userId === null) return page(request, principal!, { section: "password", kind: "error", message: "API tokens have no password." }, 400);
        const user = deps.auth.users.byId(principal!.userId)!;
        const current = String(form.current_password ?? "");
        const next = String(form.new_password ?? "");
        if (next !== String(form.new_password_again ?? "")) return page(request, principal!, { section: "password", kind: "error", message: "The two new passwords differ." }, 422);
        if (!(await deps.auth.users.verify(user.username, current))) return page(request, principal!, { section: "password", kind: "error", message: "Your current password is not right." }, 422);
        try {
          await deps.auth.users.setPassword(user.id, next);
        } catch (error) {
          if (error instanceof UserInputError) return page(request, principal!, { section: "password", kind: "error", message: error.message }, 422);
          throw error;
        }
        const ended = deps.auth.sessions.destroyForUser(user.id, principal!.sessionIdHash);
        deps.auth.audit.record("password_changed", { actor: principal!.name, target: user.username, details: { other_sessions_ended: ended } });
        return page(request, principal!, { section: "password", kind: "success", message: "Password changed. Other sessions were logged out." });
      },
      { body: FormBody, detail: { hide: true } },
    )
    .post(
      "/settings/tokens",
      ({ request, principal, body }) => {
        const form = body as Record<string, unknown>;
        const role = String(form.role ?? "");
        if (!isRole(role) || !grantableRoles(principal!.role).includes(role)) {
          return page(request, principal!, { section: "tokens", kind: "error", message: `Your role cannot create ${role || "such"} tokens.` }, 403);
        }
        try {
          const { token, record } = deps.auth.tokens.create(String(form.name ?? ""), role, principal!.userId);
          deps.auth.audit.record("token_created", { actor: principal!.name, target: `${record.name} (${record.role})` });
          return page(request, principal!, { section: "tokens", kind: "success", message: `Token "${record.name}" created with role ${record.role}.`, newToken: token });
        } catch (error) {
          if (error instanceof UserInputError) return page(request, principal!, { section: "tokens", kind: "error", message: error.message }, 422);
          throw error;
        }
      },
      { body: FormBody, requires: "manage_tokens", detail: { hide: true } },
    )
    .post(
      "/settings/tokens/:id/revoke",
      ({ request, principal, params }) => {
        const token = deps.auth.tokens.byId(params.id);
        if (!token || !mayRevoke(principal!, token.user_id)) return page(request, principal!, { section: "tokens", kind: "error", message: "No such token." }, 404);
        deps.auth.tokens.revoke(token.id);
        deps.auth.audit.record("token_revoked", { actor: principal!.name, target: token.name });
        return page(request, principal!, { section: "tokens", kind: "success", message: `Token "${token.name}" revoked.` });
      },
      { params: IdParams, body: t.Optional(FormBody), requires: "manage_tokens", detail: { hide: true } },
    )
    .post(
      "/settings/users",
      async ({ request, principal, body }) => {
        const form = body as Record<string, unknown>;
        const role = String(form.role ?? "");
        try {
          if (!isRole(role)) throw new UserInputError("choose a role");
          const user = await deps.auth.users.create(String(form.username ?? ""), String(form.password ?? ""), role);
          deps.auth.audit.record("user_created", { actor: principal!.name, target: user.username, details: { role } });
          return page(request, principal!, { section: "users", kind: "success", message: `User ${user.username} added as ${role}.` });
        } catch (error) {
          if (error instanceof UserInputError) return page(request, principal!, { section: "users", kind: "error", message: error.message }, 422);
          throw error;
        }
      },
      { body: FormBody, requires: "manage_users", detail: { hide: true } },
    )
    .post(
      "/settings/users/:id",
      ({ request, principal, params, body }) => {
        const form = body as Record<string, unknown>;
        const role = String(form.role ?? "");
        try {
          if (!isRole(role)) throw new UserInputError("choose a role");
          const user = deps.auth.users.update(params.id, { role, disabled: form.disabled === "true" });
          if (user.disabled) deps.auth.sessions.destroyForUser(user.id);
          deps.auth.audit.record("user_updated", { actor: principal!.name, target: user.username, details: { role: user.role, disabled: user.disabled } });
          return page(request, principal!, { section: "users", kind: "success", message: `User ${user.username} is now ${user.disabled ? "disabled" : user.role}.` });
        } catch (error) {
          if (error instanceof UserInputError) return page(request, principal!, { section: "users", kind: "error", message: error.message }, 422);
          throw error;
        }
      },
      { params: IdParams, body: FormBody, requires: "manage_users", detail: { hide: true } },
    );
}
