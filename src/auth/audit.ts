/** The audit log: who did what, when, from where. Written for logins, user, token and config changes. */
import type { Database } from "bun:sqlite";

/** One audit entry as stored. */
export interface AuditEntry {
  id: number;
  at: number;
  actor: string | null;
  action: string;
  target: string | null;
  ip: string | null;
  details: string | null;
}

/** Actions recorded in the audit log. */
export type AuditAction =
  | "setup_completed"
  | "login"
  | "login_failed"
  | "login_rate_limited"
  | "logout"
  | "user_created"
  | "user_updated"
  | "password_changed"
  | "token_created"
  | "token_revoked"
  | "config_reloaded"
  | "config_reload_rejected";

/** Appends and lists audit entries. */
export class AuditLog {
  private readonly insert;
  constructor(private readonly db: Database, private readonly now: () => number = Date.now) {
    this.insert = db.prepare("INSERT INTO audit_log (at, actor, action, target, ip, details) VALUES (?, ?, ?, ?, ?, ?)");
  }

  /** Records one event; `details` is stored as JSON and must never hold a secret. */
  record(action: AuditAction, entry: { actor?: string | null; target?: string | null; ip?: string | null; details?: Record<string, unknown> } = {}): void {
    this.insert.run(this.now(), entry.actor ?? null, action, entry.target ?? null, entry.ip ?? null, entry.details ? JSON.stringify(entry.details) : null);
  }

  /** Newest entries first, before an optional id cursor. */
  list(limit = 50, beforeId?: number): AuditEntry[] {
    if (beforeId) return this.db.query("SELECT * FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT ?").all(beforeId, limit) as AuditEntry[];
    return this.db.query("SELECT * FROM audit_log ORDER BY id DESC LIMIT ?").all(limit) as AuditEntry[];
  }
}
