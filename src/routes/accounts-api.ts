/** JSON API for accounts: who am I, users (owner), API tokens, and the audit log (owner). */
import { Elysia, t } from "elysia";
import type { AppDeps } from "../deps";
import { authGuard } from "../auth/guard";
import { grantableRoles } from "../auth/roles";
import type { ApiToken } from "../auth/tokens";
import { UserInputError, type User } from "../auth/users";
import type { AuditEntry } from "../auth/audit";
import { apiError, isoTime } from "../http/respond";
import { ListOf, ListQuery, decodeCursor, encodeCursor, pageList } from "../http/pagination";
import { mayRevoke, visibleTokens } from "./settings";
import { Integer } from "../http/schema";

const RoleSchema = t.Union([t.Literal("owner"), t.Literal("dispatcher"), t.Literal("driver"), t.Literal("viewer")]);
const Timestamp = t.Union([t.String({ format: "date-time" }), t.Null()]);

const UserSchema = t.Object({ id: Integer(), username: t.String(), role: RoleSchema, disabled: t.Boolean(), vehicle_id: t.Union([Integer(), t.Null()]), created_at: Timestamp, last_login_at: Timestamp });
const TokenSchema = t.Object({ id: Integer(), name: t.String(), role: RoleSchema, prefix: t.String(), user_id: t.Union([Integer(), t.Null()]), created_at: Timestamp, last_used_at: Timestamp, revoked_at: Timestamp });
const AuditSchema = t.Object({ id: Integer(), at: Timestamp, actor: t.Union([t.String(), t.Null()]), action: t.String(), target: t.Union([t.String(), t.Null()]), ip: t.Union([t.String(), t.Null()]), details: t.Union([t.Record(t.String(), t.Unknown()), t.Null()]) });
const ErrorSchema = t.Object({ error: t.Object({ code: t.String(), message: t.String(), details: t.Optional(t.Unknown()) }) });

/** A user in API form (ISO timestamps). */
function userJson(user: User) {
  return { id: user.id, username: user.username, role: user.role, disabled: user.disabled, vehicle_id: user.vehicle_id, created_at: isoTime(user.created_at), last_login_at: isoTime(user.last_login_at) };
}

/** A token record in API form. */
function tokenJson(token: ApiToken) {
  return { id: token.id, name: token.name, role: token.role, prefix: token.prefix, user_id: token.user_id, created_at: isoTime(token.created_at), last_used_at: isoTime(token.last_used_at), revoked_at: isoTime(token.revoked_at) };
}

function auditJson(entry: AuditEntry) {
  let details: Record<string, unknown> | null = null;
  try {
    details = entry.details ? JSON.parse(entry.details) : null;
  } catch {}
  return { id: entry.id, at: isoTime(entry.at), actor: entry.actor, action: entry.action, target: entry.target, ip: entry.ip, details };
}

export function accountsApi(deps: AppDeps) {
  /** The 422 answer for input the account rules refuse; anything else is a real failure. */
  const invalid = (error: unknown) => {
    if (error instanceof UserInputError) return { error: { code: "invalid", message: error.message } };
    throw error;
  };
  return new Elysia({ name: "accounts-api", seed: deps, prefix: "/api/v1" })
    .use(authGuard(deps))
    .get(
      "/me",
      ({ principal }) => ({ name: principal!.name, role: principal!.role, via: principal!.via, user_id: principal!.userId, vehicle_id: principal!.vehicleId }),
      {
        response: t.Object({ name: t.String(), role: RoleSchema, via: t.Union([t.Literal("session"), t.Literal("token")]), user_id: t.Union([Integer(), t.Null()]), vehicle_id: t.Union([Integer(), t.Null()]) }),
        detail: { summary: "The signed-in user or token", tags: ["accounts"] },
      },
    )
    .get("/users", ({ query }) => pageList(deps.auth.users.list().map(userJson), (u) => u.id, query.limit, query.cursor), {
      query: ListQuery,
      requires: "manage_users",
      response: ListOf(UserSchema),
      detail: { summary: "List users", tags: ["accounts"] },
    })
    .post(
      "/users",
      async ({ body, principal, set, status }) => {
        try {
          const user = await deps.auth.users.create(body.username, body.password, body.role);
          deps.auth.audit.record("user_created", { actor: principal!.name, target: user.username, details: { role: user.role } });
          set.status = 201;
          return userJson(user);
        } catch (error) {
          return status(422, invalid(error));
        }
      },
      {
        body: t.Object({ username: t.String(), password: t.String(), role: RoleSchema }),
        requires: "manage_users",
        response: { 201: UserSchema, 422: ErrorSchema },
        detail: { summary: "Add a user", tags: ["accounts"] },
      },
    )
    .patch(
      "/users/:id",
      async ({ params, body, principal, status }) => {
        try {
          if (body.password !== undefined) {
            await deps.auth.users.setPassword(params.id, body.password);
            deps.auth.sessions.destroyForUser(params.id);
          }
          const user = deps.auth.users.update(params.id, { role: body.role, disabled: body.disabled });
          if (user.disabled) deps.auth.sessions.destroyForUser(user.id);
          deps.auth.audit.record(body.password !== undefined ? "password_changed" : "user_updated", { actor: principal!.name, target: user.username, details: { role: user.role, disabled: user.disabled } });
          return userJson(user);
        } catch (error) {
          return status(422, invalid(error));
        }
      },
      {
        params: t.Object({ id: t.Numeric() }),
        body: t.Object({ role: t.Optional(RoleSchema), disabled: t.Optional(t.Boolean()), password: t.Optional(t.String()) }),
        requires: "manage_users",
        response: { 200: UserSchema, 422: ErrorSchema },
        detail: { summary: "Change a user's role, status or password", tags: ["accounts"] },
      },
    )
    .get("/tokens", ({ principal, query }) => pageList((visibleTokens(deps, principal!) ?? []).map(tokenJson), (x) => x.id, query.limit, query.cursor), {
      query: ListQuery,
      requires: "manage_tokens",
      response: ListOf(TokenSchema),
      detail: { summary: "List API tokens (the owner sees all, others their own)", tags: ["accounts"] },
    })
    .post(
      "/tokens",
      ({ body, principal, set, status }) => {
        if (!grantableRoles(principal!.role).includes(body.role)) return apiError(403, "forbidden", `Your role (${principal!.role}) cannot create ${body.role} tokens.`);
        try {
          const { token, record } = deps.auth.tokens.create(body.name, body.role, principal!.userId);
          deps.auth.audit.record("token_created", { actor: principal!.name, target: `${record.name} (${record.role})` });
          set.status = 201;
          return { ...tokenJson(record), token };
        } catch (error) {
          return status(422, invalid(error));
        }
      },
      {
        body: t.Object({ name: t.String(), role: RoleSchema }),
        requires: "manage_tokens",
        response: { 201: t.Composite([TokenSchema, t.Object({ token: t.String({ description: "The token itself; shown only in this response." }) })]), 403: ErrorSchema, 422: ErrorSchema },
        detail: { summary: "Create an API token (returned once)", tags: ["accounts"] },
      },
    )
    .delete(
      "/tokens/:id",
      ({ params, principal, set }) => {
        const token = deps.auth.tokens.byId(params.id);
        if (!token || !mayRevoke(principal!, token.user_id)) return apiError(404, "not_found", "No such token.");
        deps.auth.tokens.revoke(token.id);
        deps.auth.audit.record("token_revoked", { actor: principal!.name, target: token.name });
        set.status = 204;
        return null;
      },
      { params: t.Object({ id: t.Numeric() }), requires: "manage_tokens", detail: { summary: "Revoke an API token", tags: ["accounts"] } },
    )
    .get(
      "/audit",
      ({ query }) => {
        const before = decodeCursor<number>(query.cursor);
        const limit = query.limit ?? 50;
        const entries = deps.auth.audit.list(limit, typeof before === "number" ? before : undefined);
        return { data: entries.map(auditJson), next_cursor: entries.length === limit ? encodeCursor(entries[entries.length - 1]!.id) : null };
      },
      { query: ListQuery, requires: "manage_users", response: ListOf(AuditSchema), detail: { summary: "Audit log, newest first", tags: ["accounts"] } },
    );
}
