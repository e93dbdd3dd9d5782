/**
 * How the source proves who it is to a load board's API: a static bearer token, HTTP basic, an
 * API key in a header or the query, or an OAuth 2.0 client-credentials token (RFC 6749 §4.4)
 * fetched from the board's token endpoint, kept until shortly before it expires, and fetched
 * again when it has, or once when the API answers 401 to it.
 *
 * Every credential, and every token fetched, is registered with the source's Redactor so no
 * message shows it. The options are one object with a `kind` rather than a union of shapes, so
 * the config loader sees the `secret` marks (and `*_file` works for each secret) and a mistake
 * gets a message naming the key instead of "does not match any of the shapes".
 */
import { Type as T, type Static } from "@sinclair/typebox";
import { parseJson, send, SourceError, statusError, type Redactor } from "./http";

/** The `auth` option. */
export const AuthSchema = T.Object(
  {
    kind: T.Optional(
      T.Union([T.Literal("bearer"), T.Literal("basic"), T.Literal("api_key"), T.Literal("oauth2_client_credentials")], {
        description: "How the API wants credentials: bearer, basic, api_key or oauth2_client_credentials.",
      }),
    ),
    token: T.Optional(T.String({ minLength: 1, secret: true, description: "The token sent as Authorization: Bearer (kind bearer)." })),
    username: T.Optional(T.String({ minLength: 1, description: "The user name (kind basic)." })),
    password: T.Optional(T.String({ secret: true, description: "The password (kind basic)." })),
    in: T.Optional(T.Union([T.Literal("header"), T.Literal("query")], { description: "Where the key goes, header or query (kind api_key)." })),
    name: T.Optional(T.String({ minLength: 1, description: "The header or query parameter the key goes in, like X-Api-Key (kind api_key)." })),
    value: T.Optional(T.String({ minLength: 1, secret: true, description: "The API key (kind api_key)." })),
    token_url: T.Optional(T.String({ minLength: 1, description: "The token endpoint the access token is fetched from (kind oauth2_client_credentials)." })),
    client_id: T.Optional(T.String({ minLength: 1, description: "The client id the board issued (kind oauth2_client_credentials)." })),
    client_secret: T.Optional(T.String({ minLength: 1, secret: true, description: "The client secret the board issued (kind oauth2_client_credentials)." })),
    scope: T.Optional(T.String({ minLength: 1, description: "The scope to ask for, when the board wants one (kind oauth2_client_credentials)." })),
    audience: T.Optional(T.String({ minLength: 1, description: "The audience to ask for, when the board wants one (kind oauth2_client_credentials)." })),
    client_auth: T.Optional(
      T.Union([T.Literal("body"), T.Literal("basic")], {
        description: "How the client id and secret reach the token endpoint: body (form fields, the default) or basic (an Authorization header).",
      }),
    ),
  },
  { additionalProperties: false, description: "Credentials for the API: { kind: bearer | basic | api_key | oauth2_client_credentials, … }." },
);
/** The `auth` option as the YAML gives it. */
export type AuthOptions = Static<typeof AuthSchema>;
type AuthKind = NonNullable<AuthOptions["kind"]>;

/** Which keys each kind needs and which it may have; any other key is a mistake worth naming. */
const KIND_KEYS: Record<AuthKind, { required: (keyof AuthOptions)[]; optional: (keyof AuthOptions)[] }> = {
  bearer: { required: ["token"], optional: [] },
  basic: { required: ["username", "password"], optional: [] },
  api_key: { required: ["in", "name", "value"], optional: [] },
  oauth2_client_credentials: { required: ["token_url", "client_id", "client_secret"], optional: ["scope", "audience", "client_auth"] },
};

/** Longest a fetched token is trusted before its `expires_in` runs out: refreshing a minute early avoids a 401 in flight. */
const REFRESH_MARGIN_MS = 60_000;

/** What a request needs from the caller to fetch a token. */
export interface TokenContext {
  signal: AbortSignal;
  timeoutMs: number;
}

/** Adds credentials to requests. */
export interface Authenticator {
  /** Puts the credentials on a request's headers or URL, fetching a token first when there is none or it is about to expire. */
  authorize(url: URL, headers: Headers, context: TokenContext): Promise<void>;
  /** After the API answered 401: forgets the token and says whether one retry can help (true only for a fetched token). */
  renewAfterRejection(): boolean;
}

/** Checks `auth` and returns its authenticator; throws an Error naming the key (`auth.token_url: …`) when it cannot work. */
export function createAuth(options: AuthOptions | undefined, deps: { now: () => number; redactor: Redactor }): Authenticator {
  if (!options) return { authorize: async () => {}, renewAfterRejection: () => false };
  const { kind } = options;
  if (!kind) throw new Error("auth.kind: say how the API wants credentials: bearer, basic, api_key or oauth2_client_credentials");
  const keys = KIND_KEYS[kind];
  for (const key of keys.required) if (options[key] === undefined) throw new Error(`auth.${key}: kind ${kind} needs it`);
  for (const key of Object.keys(options) as (keyof AuthOptions)[]) {
    if (key !== "kind" && !keys.required.includes(key) && !keys.optional.includes(key)) throw new Error(`auth.${key}: not used by kind ${kind} (it takes ${[...keys.required, ...keys.optional].join(", ")})`);
  }
  deps.redactor.add(options.token, options.password, options.value, options.client_secret);

  switch (kind) {
    case "bearer":
      return { authorize: async (_url, headers) => headers.set("authorization", `Bearer ${options.token}`), renewAfterRejection: () => false };
    case "basic": {
      // RFC 7617: user-id ":" password, UTF-8, base64.
      const encoded = Buffer.from(`${options.username}:${options.password}`, "utf8").toString("base64");
      deps.redactor.add(encoded);
      return { authorize: async (_url, headers) => headers.set("authorization", `Basic ${encoded}`), renewAfterRejection: () => false };
    }
    case "api_key":
      return {
        authorize: async (url, headers) => {
          if (options.in === "header") headers.set(options.name!, options.value!);
          else url.searchParams.set(options.name!, options.value!);
        },
        renewAfterRejection: () => false,
      };
    case "oauth2_client_credentials":
      return new ClientCredentials(options, deps);
  }
}

/** An OAuth 2.0 client-credentials token, fetched on demand and cached until shortly before it expires. */
class ClientCredentials implements Authenticator {
  private token: { value: string; refreshAt: number } | null = null;
  /** A fetch under way, shared by requests that need a token at the same time. */
  private pending: Promise<string> | null = null;
  private readonly tokenUrl: URL;

  constructor(
    private readonly options: AuthOptions,
    private readonly deps: { now: () => number; redactor: Redactor },
  ) {
    try {
      this.tokenUrl = new URL(options.token_url!);
    } catch {
      throw new Error(`auth.token_url: ${JSON.stringify(options.token_url)} is not a URL like https://api.example.com/connect/token`);
    }
    if (this.tokenUrl.protocol !== "https:" && this.tokenUrl.protocol !== "http:") throw new Error(`auth.token_url: must be an http or https address (got ${this.tokenUrl.protocol})`);
    if (this.tokenUrl.username || this.tokenUrl.password) throw new Error("auth.token_url: put the client's credentials in client_id and client_secret, not in the address");
  }

  async authorize(_url: URL, headers: Headers, context: TokenContext): Promise<void> {
    if (!this.token || this.deps.now() >= this.token.refreshAt) {
      this.token = null;
      this.pending ??= this.fetchToken(context).finally(() => (this.pending = null));
      await this.pending;
    }
    headers.set("authorization", `Bearer ${this.token!.value}`);
  }

  renewAfterRejection(): boolean {
    this.token = null;
    return true;
  }

  private async fetchToken(context: TokenContext): Promise<string> {
    const { options, deps } = this;
    const form = new URLSearchParams({ grant_type: "client_credentials" });
    const headers = new Headers({ "content-type": "application/x-www-form-urlencoded", accept: "application/json" });
    if (options.client_auth === "basic") {
      // RFC 6749 §2.3.1: id and secret are form-urlencoded before they are joined and base64-encoded.
      const encoded = Buffer.from(`${encodeURIComponent(options.client_id!)}:${encodeURIComponent(options.client_secret!)}`).toString("base64");
      deps.redactor.add(encoded);
      headers.set("authorization", `Basic ${encoded}`);
    } else {
      form.set("client_id", options.client_id!);
      form.set("client_secret", options.client_secret!);
    }
    if (options.scope) form.set("scope", options.scope);
    if (options.audience) form.set("audience", options.audience);
    const request = { method: "POST" as const, url: this.tokenUrl, headers, body: form.toString(), timeoutMs: context.timeoutMs, signal: context.signal, label: "the token endpoint" };
    const answer = await send(request, deps.redactor);
    if (answer.status < 200 || answer.status >= 300) {
      const hint = answer.status === 400 || answer.status === 401 ? "check auth.client_id and auth.client_secret (and auth.scope, if the board wants one)" : undefined;
      throw statusError(request, answer, deps.redactor, hint);
    }
    const body = parseJson(request, answer, deps.redactor) as { access_token?: unknown; expires_in?: unknown } | null;
    const value = body?.access_token;
    if (typeof value !== "string" || !value) throw new SourceError(deps.redactor.apply(`the token endpoint (${this.tokenUrl}) answered without an access_token`));
    deps.redactor.add(value);
    // expires_in is RECOMMENDED, not required (RFC 6749 §5.1): without it the token is kept until the API refuses it.
    const lifetimeS = typeof body!.expires_in === "number" ? body!.expires_in : typeof body!.expires_in === "string" ? Number(body!.expires_in) : NaN;
    const lifetimeMs = Number.isFinite(lifetimeS) && lifetimeS > 0 ? lifetimeS * 1000 : Infinity;
    const margin = Math.min(REFRESH_MARGIN_MS, lifetimeMs / 10);
    this.token = { value, refreshAt: deps.now() + lifetimeMs - margin };
    return value;
  }
}
