/** Server-side login sessions. The cookie carries a random id; the table keeps only its hash. */
import type { Database } from "bun:sqlite";
import { hashToken, randomToken } from "./secrets";
import type { User } from "./users";

/** Name of the session cookie. */
export const SESSION_COOKIE = "hb_session";

/** A live session joined with its user. */
export interface SessionWithUser {
  idHash: string;
  csrfToken: string;
  expiresAt: number;
  user: User;
}

/** Creates, finds, refreshes and ends sessions. */
export class Sessions {
  constructor(private readonly db: Database, private readonly now: () => number = Date.now) {}

  /** Starts a session; returns the cookie value (shown only to the browser) and the CSRF token. */
  create(userId: number, ttlMs: number, meta: { ip?: string | null; userAgent?: string | null } = {}): { id: string; csrfToken: string; expiresAt: number } {
    const id = randomToken(32);
    const csrfToken = randomToken(24);
    const at = this.now();
    const expiresAt = at + ttlMs;
    this.db
      .query("INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at, last_seen_at, ip, user_agent) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
      .run(hashToken(id), userId, csrfToken, at, expiresAt, at, meta.ip ?? null, (meta.userAgent ?? "").slice(0, 200) || null);
    return { id, csrfToken, expiresAt };
  }

  /** The session for a cookie value, when it exists, has not expired and its user is enabled. */
  find(id: string): SessionWithUser | null {
    if (!id || id.length > 200) return null;
    const row = this.db
      .query(
        `SELECT s.id_hash, s.csrf_token, s.expires_at, s.last_seen_at, u.id, u.username, u.role, u.vehicle_id, u.disabled, u.created_at, u.last_login_at
         FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = ?`,
      )
      .get(hashToken(id)) as any;
    const at = this.now();
    if (!row || row.expires_at <= at || row.disabled) return null;
    // Touch at most once a minute: a page load should not always write.
    if (at - row.last_seen_at > 60_000) this.db.query("UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?").run(at, row.id_hash);
    return {
      idHash: row.id_hash,
      csrfToken: row.csrf_token,
      expiresAt: row.expires_at,
      user: { id: row.id, username: row.username, role: row.role, vehicle_id: row.vehicle_id, disabled: false, created_at: row.created_at, last_login_at: row.last_login_at },
    };
  }

  /** Ends one session (logout). */
  destroy(idHash: string): void {
    this.db.query("DELETE FROM sessions WHERE id_hash = ?").run(idHash);
  }

  /** Ends every session of a user, optionally keeping one (after a password change). */
  destroyForUser(userId: number, keepIdHash?: string): number {
    return this.db.query("DELETE FROM sessions WHERE user_id = ? AND id_hash != ?").run(userId, keepIdHash ?? "").changes;
  }

  /** Deletes expired sessions; returns how many. */
  purgeExpired(): number {
    return this.db.query("DELETE FROM sessions WHERE expires_at <= ?").run(this.now()).changes;
  }
}
