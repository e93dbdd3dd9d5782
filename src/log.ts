/**
 * JSON-lines logger on stdout. Redacts by key name (password, token, secret, cookie, authorization…)
 * and by value (every secret the config loaded, e.g. from `*_file`), so secrets never reach the log.
 */

export type LogLevel = "debug" | "info" | "warn" | "error";
const LEVEL_ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const SECRET_KEY = /pass(word|wd)?|secret|token|authorization|cookie|api[_-]?key|csrf/i;
export const REDACTED = "[redacted]";

/** A structured logger; `fields` are merged into the JSON line. */
export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  /** A logger that adds these fields to every line (e.g. `{ source: "dat" }`). */
  child(fields: Record<string, unknown>): Logger;
  /** Changes the lowest level written (config reload). */
  setLevel(level: LogLevel): void;
  /** Registers secret values (config secrets) that must never appear in a line. */
  addSecrets(values: Iterable<string>): void;
}

interface LoggerState {
  level: LogLevel;
  secrets: Set<string>;
  write: (line: string) => void;
}

/** Creates the root logger; `write` defaults to stdout (tests pass a collector). */
export function createLogger(options: { level?: LogLevel; write?: (line: string) => void } = {}): Logger {
  const state: LoggerState = {
    level: options.level ?? "info",
    secrets: new Set(),
    write: options.write ?? ((line) => process.stdout.write(line + "\n")),
  };
  return makeLogger(state, {});
}

function makeLogger(state: LoggerState, bound: Record<string, unknown>): Logger {
  const emit = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (LEVEL_ORDER[level] < LEVEL_ORDER[state.level]) return;
    const record = { time: new Date().toISOString(), level, msg, ...bound, ...fields };
    let line: string;
    try {
      line = JSON.stringify(redact(record, state.secrets, 0));
    } catch {
      line = JSON.stringify({ time: record.time, level, msg: redactString(msg, state.secrets), note: "fields could not be serialised" });
    }
    state.write(line);
  };
  return {
    debug: (msg, fields) => emit("debug", msg, fields),
    info: (msg, fields) => emit("info", msg, fields),
    warn: (msg, fields) => emit("warn", msg, fields),
    error: (msg, fields) => emit("error", msg, fields),
    child: (fields) => makeLogger(state, { ...bound, ...fields }),
    setLevel: (level) => {
      state.level = level;
    },
    addSecrets: (values) => {
      // Very short values would redact ordinary words; real secrets are longer.
      for (const value of values) if (value.length >= 4) state.secrets.add(value);
    },
  };
}

function redactString(text: string, secrets: Set<string>): string {
  let out = text;
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  // Bearer tokens and session cookies that slipped into free text.
  return out.replace(/(Bearer\s+)[A-Za-z0-9._~+/=-]+/gi, `$1${REDACTED}`).replace(/\bhb_[A-Za-z0-9_-]{16,}/g, REDACTED);
}

function redact(value: unknown, secrets: Set<string>, depth: number): unknown {
  if (depth > 8) return "[deep]";
  if (typeof value === "string") return redactString(value, secrets);
  if (value instanceof Error) return { name: value.name, message: redactString(value.message, secrets), stack: value.stack ? redactString(value.stack, secrets) : undefined };
  if (Array.isArray(value)) return value.map((item) => redact(item, secrets, depth + 1));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      out[key] = SECRET_KEY.test(key) && child !== undefined && child !== null && child !== "" ? REDACTED : redact(child, secrets, depth + 1);
    }
    return out;
  }
  return value;
}
