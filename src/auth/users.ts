/** User accounts: create, find, verify passwords (argon2id via Bun.password), change roles and passwords. */
import type { Database } from "bun:sqlite";
import { isRole, type Role } from "./roles";

/** A user as the rest of the app sees it (never the hash). */
export interface User {
  id: number;
  username: string;
  role: Role;
  vehicle_id: number | null;
  disabled: boolean;
  created_at: number;
  last_login_at: number | null;
}

/** Raised for a bad username, password or role; its message is shown to the user. */
export class UserInputError extends Error {}

export const MIN_PASSWORD_LENGTH = 10;
const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{1,63}$/;

/** Checks a new password; returns the problem or null. */
export function passwordProblem(password: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return `password must be at least ${MIN_PASSWORD_LENGTH} characters`;
  if (password.length > 1024) return "password is too long";
  return null;
}

/** Hashes a password with argon2id. */
export function hashPassword(password: string): Promise<string> {
  return Bun.password.hash(password, { algorithm: "argon2id" });
}

// A real argon2id hash, so that unknown usernames take as long to reject as wrong passwords.
let dummyHash: Promise<string> | null = null;

function toUser(row: any): User {
  return { id: row.id, username: row.username, role: row.role, vehicle_id: row.vehicle_id ?? null, disabled: !!row.disabled, created_at: row.created_at, last_login_at: row.last_login_at ?? null };
}

/** User storage and password checks. */
export class Users {
  constructor(private readonly db: Database, private readonly now: () => number = Date.now) {}

  /** Number of users, and whether an enabled owner exists (setup is open until one does). */
  hasOwner(): boolean {
    return !!this.db.query("SELECT 1 FROM users WHERE role = 'owner' AND disabled = 0 LIMIT 1").get();
  }

  count(): number {
    return (this.db.query("SELECT COUNT(*) AS n FROM users").get() as { n: number }).n;
  }

  list(): User[] {
    return (this.db.query("SELECT * FROM users ORDER BY username").all() as any[]).map(toUser);
  }

  byId(id: number): User | null {
    const row = this.db.query("SELECT * FROM users WHERE id = ?").get(id);
    return row ? toUser(row) : null;
  }

  byName(username: string): User | null {
    const row = this.db.query("SELECT * FROM users WHERE username = ?").get(username);
    return row ? toUser(row) : null;
  }

  /** Creates a user; throws UserInputError for a taken name, weak password or bad role. */
  async create(username: string, password: string, role: Role): Promise<User> {
    username = username.trim();
    if (!USERNAME.test(username)) throw new UserInputError("username must be 2–64 letters, digits, or . _ @ -, starting with a letter or digit");
    if (!isRole(role)) throw new UserInputError(`role must be one of owner, dispatcher, driver, viewer`);
    const problem = passwordProblem(password);
    if (problem) throw new UserInputError(problem);
    if (this.byName(username)) throw new UserInputError(`a user named ${username} already exists`);
    const hash = await hashPassword(password);
    const at = this.now();
    const row = this.db.query("INSERT INTO users (username, password_hash, role, created_at, updated_at) VALUES (?, ?, ?, ?, ?) RETURNING *").get(username, hash, role, at, at);
    return toUser(row);
  }

  /** Returns the user when name and password match an enabled account, else null; constant work either way. */
  async verify(username: string, password: string): Promise<User | null> {
    const row = this.db.query("SELECT * FROM users WHERE username = ?").get(username.trim()) as any;
    if (!row) {
      dummyHash ??= hashPassword("not a real password, only spends the time");
      await Bun.password.verify(password, await dummyHash);
      return null;
    }
    const ok = await Bun.password.verify(password, row.password_hash);
    if (!ok || row.disabled) return null;
    this.db.query("UPDATE users SET last_login_at = ? WHERE id = ?").run(this.now(), row.id);
    return toUser(row);
  }

  /** Sets a new password (after checking it). */
  async setPassword(userId: number, password: string): Promise<void> {
    const problem = passwordProblem(password);
    if (problem) throw new UserInputError(problem);
    const hash = await hashPassword(password);
    this.db.query("UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?").run(hash, this.now(), userId);
  }

  /** Changes role, disabled flag or driver's vehicle; refuses to remove the last enabled owner. */
  update(userId: number, change: { role?: Role; disabled?: boolean; vehicle_id?: number | null }): User {
    const user = this.byId(userId);
    if (!user) throw new UserInputError("no such user");
    if (change.role !== undefined && !isRole(change.role)) throw new UserInputError("role must be one of owner, dispatcher, driver, viewer");
    const losesOwner = user.role === "owner" && !user.disabled && ((change.role && change.role !== "owner") || change.disabled === true);
    if (losesOwner) {
      const owners = (this.db.query("SELECT COUNT(*) AS n FROM users WHERE role = 'owner' AND disabled = 0").get() as { n: number }).n;
      if (owners <= 1) throw new UserInputError("this is the only owner: make another user owner first");
    }
    this.db
      .query("UPDATE users SET role = ?, disabled = ?, vehicle_id = ?, updated_at = ? WHERE id = ?")
      .run(change.role ?? user.role, (change.disabled ?? user.disabled) ? 1 : 0, change.vehicle_id !== undefined ? change.vehicle_id : user.vehicle_id, this.now(), userId);
    return this.byId(userId)!;
  }
}
