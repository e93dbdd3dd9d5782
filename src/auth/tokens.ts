/** API tokens for `Authorization: Bearer …`: random, shown once, stored as a hash, bound to a role. */
import type { Database } from "bun:sqlite";
import { hashToken, randomToken } from "./secrets";
import { isRole, type Role } from "./roles";
import { UserInputError } from "./users";

/** Every token starts with this, so logs and secret scanners can recognise one. */
export const TOKEN_PREFIX = "hb_";

/** A token's public record (never the token itself). */
export interface ApiToken {
  id: number;
  name: string;
  prefix: string;
  role: Role;
  user_id: number | null;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

/** Creates, checks, lists and revokes API tokens. */
export class ApiTokens {
  constructor(private readonly db: Database, private readonly now: () => number = Date.now) {}

  /** Creates a token and returns it in full — the only time it is ever available. */
  create(name: string, role: Role, userId: number | null): { token: string; record: ApiToken } {
    name = name.trim();
    if (!name || name.length > 80) throw new UserInputError("token name must be 1–80 characters");
    if (!isRole(role)) throw new UserInputError("role must be one of owner, dispatcher, driver, viewer");
    const token = TOKEN_PREFIX + randomToken(32);
    const record = this.db
      .query("INSERT INTO api_tokens (name, token_hash, prefix, role, user_id, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id, name, prefix, role, user_id, created_at, last_used_at, revoked_at")
      .get(name, hashToken(token), token.slice(0, 7), role, userId, this.now()) as ApiToken;
    return { token, record };
  }

  /** The live token record for a presented token, or null; notes when it was last used. */
  verify(token: string): ApiToken | null {
    if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return null;
    const record = this.db
      .query("SELECT id, name, prefix, role, user_id, created_at, last_used_at, revoked_at FROM api_tokens WHERE token_hash = ? AND revoked_at IS NULL")
      .get(hashToken(token)) as ApiToken | null;
    if (!record) return null;
    const at = this.now();
    if (!record.last_used_at || at - record.last_used_at > 60_000) this.db.query("UPDATE api_tokens SET last_used_at = ? WHERE id = ?").run(at, record.id);
    return record;
  }

  /** Tokens, newest first; only those of one user when `userId` is given. */
  list(userId?: number): ApiToken[] {
    const columns = "id, name, prefix, role, user_id, created_at, last_used_at, revoked_at";
    if (userId === undefined) return this.db.query(`SELECT ${columns} FROM api_tokens ORDER BY id DESC`).all() as ApiToken[];
    return this.db.query(`SELECT ${columns} FROM api_tokens WHERE user_id = ? ORDER BY id DESC`).all(userId) as ApiToken[];
  }

  byId(id: number): ApiToken | null {
    return this.db.query("SELECT id, name, prefix, role, user_id, created_at, last_used_at, revoked_at FROM api_tokens WHERE id = ?").get(id) as ApiToken | null;
  }

  /** Revokes a token; it stops working at once. */
  revoke(id: number): boolean {
    return this.db.query("UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL").run(this.now(), id).changes > 0;
  }
}
