/**
 * One HTTP exchange with a load board's API, and the error messages an owner reads on the Sources
 * page when it goes wrong: the status with a short excerpt of the answer, a timeout, an address
 * that cannot be reached, an answer that is not JSON. Every message passes through a Redactor
 * first, so a token, password or API key never reaches the page or the log, even when the API
 * echoes it back. Nothing here knows about loads.
 */

/** How much of an error answer a message quotes: enough to show `{"error":"invalid_client"}`. */
const EXCERPT_CHARS = 200;

/** Replaced for every secret in a message. */
export const REDACTED = "[redacted]";

/** A request or answer the poll cannot go on from; the message is written for the owner. */
export class SourceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SourceError";
  }
}

/**
 * Knows the secret values of one source (configured credentials, and tokens fetched at run time)
 * and removes them from any text. Values shorter than 4 characters are ignored: they would
 * redact ordinary words, and no real credential is that short.
 */
export class Redactor {
  private readonly secrets = new Set<string>();

  /** Adds secret values (empty and very short ones are ignored). */
  add(...values: (string | undefined)[]): void {
    for (const value of values) if (value && value.length >= 4) this.secrets.add(value);
  }

  /** `text` with every known secret, as written or as a URL query carries it, and any `Bearer …` or `Basic …` credential replaced. */
  apply(text: string): string {
    let out = text;
    // Longest first, so a secret that contains another is replaced whole.
    for (const secret of [...this.secrets].sort((a, b) => b.length - a.length)) {
      const inQuery = new URLSearchParams({ s: secret }).toString().slice(2);
      out = out.split(secret).join(REDACTED).split(inQuery).join(REDACTED);
    }
    return out.replace(/(Bearer\s+)[A-Za-z0-9._~+/=-]+/gi, `$1${REDACTED}`).replace(/(Basic\s+)[A-Za-z0-9+/=]{8,}/gi, `$1${REDACTED}`);
  }
}

/** A URL as messages show it: no user:password part; query values stay (the Redactor removes secret ones). */
export function displayUrl(url: URL): string {
  const copy = new URL(url);
  copy.username = "";
  copy.password = "";
  return copy.toString();
}

/** A short, one-line excerpt of an answer's body for a message. */
export function excerpt(text: string): string {
  const line = text.replace(/\s+/g, " ").trim();
  if (!line) return "(empty body)";
  return line.length > EXCERPT_CHARS ? `${line.slice(0, EXCERPT_CHARS)}…` : line;
}

/** Reason phrases of the statuses an owner meets most (RFC 9110 §15), for messages. */
const STATUS_TEXT: Record<number, string> = { 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable" };

/** What an answer's status most likely means to an owner. */
function statusHint(status: number): string {
  if (status === 401) return "the API did not accept the credentials: check auth";
  if (status === 403) return "the credentials are not allowed to use this endpoint";
  if (status === 404) return "check url: the API has nothing at this address";
  if (status === 400 || status === 422) return "the API refused the request: check query, body and pagination against its documentation";
  if (status === 429) return "the API is limiting how often Haulbox asks: poll less often";
  if (status >= 500) return "the API itself failed; Haulbox retries later";
  return "";
}

/** One request as the source sends it. */
export interface HttpRequest {
  method: "GET" | "POST";
  url: URL;
  headers: Headers;
  body?: string;
  /** Per-request limit, milliseconds. */
  timeoutMs: number;
  /** The host's signal: the call timeout, or the source stopping. */
  signal: AbortSignal;
  /** Names the request in messages: "the API", "the token endpoint". */
  label: string;
}

/** An answer, read whole. */
export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
  url: URL;
}

/** Why a fetch failed, in words: the error codes Bun gives for the usual network failures. */
function networkReason(error: unknown): string {
  const code = (error as { code?: string }).code;
  const reasons: Record<string, string> = {
    ECONNREFUSED: "the connection was refused (nothing listens at that address and port)",
    ENOTFOUND: "the host name does not resolve (check the address, or the box's DNS)",
    ECONNRESET: "the connection was reset",
    CERT_HAS_EXPIRED: "its TLS certificate has expired",
    DEPTH_ZERO_SELF_SIGNED_CERT: "its TLS certificate is self-signed",
  };
  return (code && reasons[code]) ?? (error as Error).message ?? String(error);
}

/**
 * Sends one request and reads the whole answer, under both the request's own timeout and the
 * host's signal. Any status comes back as an answer; a timeout, a refused connection or a
 * redirect becomes a SourceError (redirects are not followed, so credentials never travel to an
 * address the owner did not write).
 */
export async function send(request: HttpRequest, redactor: Redactor): Promise<HttpAnswer> {
  const timeout = AbortSignal.timeout(request.timeoutMs);
  const signal = AbortSignal.any([request.signal, timeout]);
  const where = `${request.method} ${displayUrl(request.url)}`;
  const fail = (message: string) => new SourceError(redactor.apply(message));
  let response: Response;
  let text: string;
  try {
    response = await fetch(request.url, { method: request.method, headers: request.headers, body: request.body, signal, redirect: "manual" });
    text = await response.text();
  } catch (error) {
    if (timeout.aborted) throw fail(`${request.label} did not answer within ${request.timeoutMs / 1000} s (${where}); raise timeout_seconds if it is just slow`);
    if (request.signal.aborted) throw fail(`the poll was stopped before ${request.label} answered (${where}): the host's call timeout, or the source stopping`);
    throw fail(`could not reach ${request.label} at ${request.url.host}: ${networkReason(error)} (${where})`);
  }
  if (response.status >= 300 && response.status < 400) {
    const location = response.headers.get("location");
    throw fail(`${request.label} answered HTTP ${response.status} redirecting to ${location ?? "nowhere"} (${where}); Haulbox does not follow redirects with credentials: put the final address in the config`);
  }
  return { status: response.status, headers: response.headers, text, url: request.url };
}

/** The SourceError for an answer whose status is not 2xx: status, hint and a short excerpt. */
export function statusError(request: Pick<HttpRequest, "method" | "url" | "label">, answer: HttpAnswer, redactor: Redactor, extraHint?: string): SourceError {
  const statusText = STATUS_TEXT[answer.status] ? ` ${STATUS_TEXT[answer.status]}` : "";
  const hint = extraHint ?? statusHint(answer.status);
  // Redacted before it is cut: a secret cut in half would no longer be recognised.
  const message = `${request.label} answered HTTP ${answer.status}${statusText} to ${request.method} ${displayUrl(request.url)}${hint ? `: ${hint}` : ""}. It said: ${excerpt(redactor.apply(answer.text))}`;
  return new SourceError(redactor.apply(message));
}

/** The answer's JSON, or a SourceError saying it is not JSON (with what it was instead). */
export function parseJson(request: Pick<HttpRequest, "method" | "url" | "label">, answer: HttpAnswer, redactor: Redactor): unknown {
  try {
    return JSON.parse(answer.text);
  } catch (error) {
    const type = answer.headers.get("content-type");
    const message = `${request.label} answered ${request.method} ${displayUrl(request.url)} with something that is not JSON${type ? ` (${type})` : ""}: ${(error as Error).message}. It began: ${excerpt(redactor.apply(answer.text))}`;
    throw new SourceError(redactor.apply(message));
  }
}
