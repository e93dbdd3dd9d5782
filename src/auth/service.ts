/** The authentication service: setup link, login with rate limits, sessions, tokens and the audit trail together. */
import type { Database } from "bun:sqlite";
import type { Config } from "../config/schema";
import { AuditLog } from "./audit";
import type { Principal } from "./principal";
import { FailureLimiter } from "./rate-limit";
import { hashToken, randomToken, safeEqual } from "./secrets";
import { Sessions } from "./sessions";
import { ApiTokens } from "./tokens";
import { UserInputError, Users, type User } from "./users";

const SETUP_TOKEN_KEY = "setup_token_hash";

/** Outcome of a login attempt. */
export type LoginResult =
  | { ok: true; user: User; sessionId: string; csrfToken: string; expiresAt: number }
  | { ok: false; reason: "invalid" }
  | { ok: false; reason: "rate_limited"; retryAfterMs: number };

export class Auth {
  readonly users: Users;
  readonly sessions: Sessions;
  readonly tokens: ApiTokens;
  readonly audit: AuditLog;
  private readonly byAddress: FailureLimiter;
  private readonly byAccount: FailureLimiter;

  constructor(private readonly db: Database, private readonly config: () => Config, readonly now: () => number = Date.now) {
    this.users = new Users(db, now);
    this.sessions = new Sessions(db, now);
    this.tokens = new ApiTokens(db, now);
    this.audit = new AuditLog(db, now);
    const windowMs = () => this.config().auth.login_window_minutes * 60_000;
    this.byAddress = new FailureLimiter(() => this.config().auth.login_attempts_per_ip, windowMs, now);
    this.byAccount = new FailureLimiter(() => this.config().auth.login_attempts_per_account, windowMs, now);
  }

  /** True while no enabled owner exists: the setup page is open (with the token). */
  setupOpen(): boolean {
    return !this.users.hasOwner();
  }

  /**
   * Issues a fresh one-time setup token when no owner exists (each start prints a new link; only
   * its hash is stored). Returns null once an owner exists.
   */
  issueSetupToken(): string | null {
    if (!this.setupOpen()) return null;
    const token = randomToken(24);
    this.db.query("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value").run(SETUP_TOKEN_KEY, hashToken(token));
    return token;
  }

  /** True when `token` is the current setup token and setup is still open. */
  checkSetupToken(token: string | undefined | null): boolean {
    if (!token || !this.setupOpen()) return false;
    const row = this.db.query("SELECT value FROM settings WHERE key = ?").get(SETUP_TOKEN_KEY) as { value: string } | null;
    return !!row && safeEqual(row.value, hashToken(token));
  }

  /** Creates the owner account with the setup token, which is then spent. */
  async completeSetup(token: string, username: string, password: string, ip: string | null): Promise<User> {
    if (!this.checkSetupToken(token)) throw new UserInputError("this setup link is no longer valid: run `haulbox setup-link` on the server (or restart Haulbox) for a new one");
    const user = await this.users.create(username, password, "owner");
    this.db.query("DELETE FROM settings WHERE key = ?").run(SETUP_TOKEN_KEY);
    this.audit.record("setup_completed", { actor: user.username, target: user.username, ip });
    return user;
  }

  /** Checks a login with per-address and per-account failure limits; starts a session on success. */
  async login(username: string, password: string, meta: { ip: string | null; userAgent?: string | null }): Promise<LoginResult> {
    const addressKey = `ip:${meta.ip ?? "unknown"}`;
    const accountKey = `user:${username.trim().toLowerCase()}`;
    const wait = Math.max(this.byAddress.retryAfterMs(addressKey), this.byAccount.retryAfterMs(accountKey));
    if (wait > 0) {
      this.audit.record("login_rate_limited", { actor: username.slice(0, 64), ip: meta.ip });
      return { ok: false, reason: "rate_limited", retryAfterMs: wait };
    }
    const user = await this.users.verify(username, password);
    if (!user) {
      this.byAddress.fail(addressKey);
      this.byAccount.fail(accountKey);
      this.audit.record("login_failed", { actor: username.slice(0, 64), ip: meta.ip });
      return { ok: false, reason: "invalid" };
    }
    this.byAccount.reset(accountKey);
    const session = this.sessions.create(user.id, this.config().auth.session_hours * 3_600_000, { ip: meta.ip, userAgent: meta.userAgent });
    this.audit.record("login", { actor: user.username, ip: meta.ip });
    return { ok: true, user, sessionId: session.id, csrfToken: session.csrfToken, expiresAt: session.expiresAt };
  }

  /** Resolves the principal from a session cookie or a bearer token; null when neither is valid. */
  principal(sessionCookie: string | undefined, authorization: string | null): Principal | null {
    if (authorization) {
      const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
      const token = match ? this.tokens.verify(match[1]!) : null;
      if (!token) return null;
      return { via: "token", userId: token.user_id, name: `token:${token.name}`, role: token.role, vehicleId: token.user_id ? (this.users.byId(token.user_id)?.vehicle_id ?? null) : null, tokenId: token.id };
    }
    if (!sessionCookie) return null;
    const session = this.sessions.find(sessionCookie);
    if (!session) return null;
    const { user } = session;
    return { via: "session", userId: user.id, name: user.username, role: user.role, vehicleId: user.vehicle_id, sessionIdHash: session.idHash, csrfToken: session.csrfToken };
  }
}
