/** Who is making a request: a logged-in user (session) or an API token. */
import type { Role } from "./roles";

export interface Principal {
  via: "session" | "token";
  /** The user behind a session, or the user who created a token (null if that user is gone). */
  userId: number | null;
  /** Username, or `token:NAME` for API tokens; used in the audit log. */
  name: string;
  role: Role;
  /** For drivers: their truck. */
  vehicleId: number | null;
  /** Session only: hash of the session id, and the CSRF token forms must echo. */
  sessionIdHash?: string;
  csrfToken?: string;
  /** Token only: the token's id. */
  tokenId?: number;
}
