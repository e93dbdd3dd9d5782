/** Roles and what each may do. Checked on the server for every request; the UI only hides what a role cannot use. */

export const ROLES = ["owner", "dispatcher", "driver", "viewer"] as const;
/** A user's or API token's role. */
export type Role = (typeof ROLES)[number];

/** Things a request may need permission for. */
export type Capability =
  | "read" // see pages and API data (drivers: their own truck and loads only)
  | "manage_users" // add, change and disable users
  | "manage_settings" // appliance settings, sources, config reload
  | "manage_tokens" // create and revoke API tokens (up to one's own role)
  | "dispatch" // change trucks, loads, brokers, alerts
  | "drive"; // a driver's own updates (load status, notes)

const GRANTS: Record<Role, Capability[]> = {
  owner: ["read", "manage_users", "manage_settings", "manage_tokens", "dispatch", "drive"],
  dispatcher: ["read", "manage_tokens", "dispatch", "drive"],
  driver: ["read", "manage_tokens", "drive"],
  viewer: ["read"],
};

/** One line per role, shown in Settings and the README. */
export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  owner: "Everything: users, settings, sources, tokens, plus all dispatcher work.",
  dispatcher: "Trucks, loads, brokers and alerts; cannot manage users or settings.",
  driver: "Their own truck and its assigned loads; read-mostly.",
  viewer: "Read-only access to everything a dispatcher sees.",
};

/** True when the role has the capability. */
export function can(role: Role, capability: Capability): boolean {
  return GRANTS[role].includes(capability);
}

/** Whether a page may offer this principal forms needing `capability`: logged in (a session with its CSRF token, not an API token) and allowed. */
export function canOnPage(principal: { via: string; role: Role }, capability: Capability): boolean {
  return principal.via === "session" && can(principal.role, capability);
}

/** True when `role` is a valid role name. */
export function isRole(role: unknown): role is Role {
  return typeof role === "string" && (ROLES as readonly string[]).includes(role);
}

/** Roles a holder of `role` may hand to an API token it creates (never more than its own). */
export function grantableRoles(role: Role): Role[] {
  switch (role) {
    case "owner":
      return [...ROLES];
    case "dispatcher":
      return ["dispatcher", "viewer"];
    case "driver":
      return ["driver"];
    case "viewer":
      return [];
  }
}
