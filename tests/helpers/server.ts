/**
 * Starts the real appliance as a child process — from source (`bun src/main.ts`) or a compiled
 * binary — on a free loopback port with a fresh data directory, waits for `/healthz`, and keeps its
 * log lines. Also a tiny cookie-keeping HTTP client for the setup and login forms.
 *
 * Every started process is tracked: call `stopAll()` in `afterAll`, and an exit hook kills any that
 * are left, so a failing test never leaves a server behind.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Subprocess } from "bun";

/** The repository root (this file is tests/helpers/server.ts). */
export const REPO_ROOT = resolve(import.meta.dir, "../..");

/**
 * How to start the app from source with the Bun that runs this code. The child runs in a temp
 * directory (so a developer's ./haulbox.yaml is never picked up); that also checks that every .tsx
 * file carries its `@jsxImportSource` pragma, since Bun reads tsconfig.json only from the working directory.
 */
export function sourceCommand(): string[] {
  return [process.execPath, join(REPO_ROOT, "src/main.ts")];
}

/** Options for `startProcess`. */
export interface StartOptions {
  /** Program and its leading arguments, e.g. `sourceCommand()` or `["/tmp/x/haulbox"]`. */
  cmd: string[];
  /** Extra arguments after `--listen` and `--data-dir` (e.g. `["--config", file]`). */
  args?: string[];
  /** Working directory (default: a new temp directory, removed by `stop()`). */
  cwd?: string;
  /** Extra environment. HAULBOX_* from the parent is never inherited, so a test sees no stray config. */
  env?: Record<string, string>;
  /** Data directory passed as `--data-dir` (default: `<cwd>/data`); `null` passes none (the app's default). */
  dataDir?: string | null;
  /** How long to wait for `/healthz` 200 (default 20 s: a busy 2-core CI machine is slow). */
  readyTimeoutMs?: number;
  /** Copy the child's output to this process's stderr as it arrives (also: HAULBOX_TEST_ECHO=1). */
  echo?: boolean;
}

/** A started appliance process. */
export interface AppProcess {
  /** Base URL, e.g. http://127.0.0.1:41234. */
  url: string;
  port: number;
  pid: number;
  cwd: string;
  dataDir: string | null;
  /** Every stdout line so far (JSON log lines, in order). */
  lines: string[];
  /** Everything written to stderr so far. */
  stderr(): string;
  /** stdout lines parsed as JSON (lines that are not JSON are skipped). */
  logs(): Record<string, unknown>[];
  /** Waits for a log line that matches, returning it parsed. */
  waitForLog(match: (record: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** The one-time setup URL the app logged (waits for the line). */
  setupUrl(timeoutMs?: number): Promise<string>;
  /** Sends SIGTERM, waits for exit, returns the exit code (128 + signal number if killed). */
  stop(timeoutMs?: number): Promise<number>;
  /** SIGKILL, for cleanup after a failure. */
  kill(): void;
  /** Resolves with the exit code when the process ends on its own. */
  exited: Promise<number>;
}

const running = new Set<AppProcess>();

// Last line of defence: if the test runner exits with children alive, kill them.
process.on("exit", () => {
  for (const app of running) app.kill();
});

/** A temporary directory under the OS temp folder. */
export function makeTempDir(prefix = "haulbox-proc-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A loopback TCP port that was free a moment ago (bind to 0, read it, release it). */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15, SIGABRT: 6, SIGSEGV: 11 };

function exitCodeOf(proc: Subprocess): number {
  if (proc.exitCode !== null) return proc.exitCode;
  return 128 + (proc.signalCode ? (SIGNALS[proc.signalCode] ?? 0) : 0);
}

function parseJson(line: string): Record<string, unknown> | null {
  if (!line.startsWith("{")) return null;
  try {
    const value = JSON.parse(line);
    return value && typeof value === "object" ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

async function pump(stream: ReadableStream<Uint8Array>, onText: (text: string) => void): Promise<void> {
  const decoder = new TextDecoder();
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    onText(decoder.decode(value, { stream: true }));
  }
  onText(decoder.decode());
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts the app with `--listen 127.0.0.1:<free port>` and waits until `/healthz` answers 200.
 * If another process grabs the port between our probe and the app's bind, it retries on a new port.
 */
export async function startProcess(options: StartOptions): Promise<AppProcess> {
  let lastError: Error | null = null;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(options, await freePort());
    } catch (error) {
      lastError = error as Error;
      // Only a lost port race is worth another try; anything else is a real failure.
      if (!/cannot listen|EADDRINUSE|address already in use/i.test(lastError.message)) throw lastError;
    }
  }
  throw lastError!;
}

async function startOnce(options: StartOptions, port: number): Promise<AppProcess> {
  const ownCwd = options.cwd === undefined;
  const cwd = options.cwd ?? makeTempDir();
  const dataDir = options.dataDir === undefined ? join(cwd, "data") : options.dataDir;
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined && !key.startsWith("HAULBOX_")) env[key] = value;
  Object.assign(env, { NO_COLOR: "1" }, options.env);
  // The embedded MQTT broker takes a free port too, so processes started side by side do not clash on 1883.
  const mqttArgs = options.args?.includes("--mqtt-listen") ? [] : ["--mqtt-listen", "127.0.0.1:0"];
  const args = [...options.cmd, "--listen", `127.0.0.1:${port}`, ...(dataDir ? ["--data-dir", dataDir] : []), ...mqttArgs, ...(options.args ?? [])];
  const echo = options.echo ?? process.env.HAULBOX_TEST_ECHO === "1";

  const proc = Bun.spawn(args, { cwd, env, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const lines: string[] = [];
  let partial = "";
  let stderrText = "";
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const wake of waiters) wake();
  };
  const stdoutDone = pump(proc.stdout, (text) => {
    if (echo) process.stderr.write(text);
    const parts = (partial + text).split("\n");
    partial = parts.pop() ?? "";
    lines.push(...parts.filter((l) => l.length));
    notify();
  }).then(() => {
    if (partial) lines.push(partial);
    partial = "";
    notify();
  });
  const stderrDone = pump(proc.stderr, (text) => {
    if (echo) process.stderr.write(text);
    stderrText += text;
  });
  let exitedFlag = false;
  const exited = proc.exited.then(async () => {
    exitedFlag = true;
    await Promise.all([stdoutDone, stderrDone]).catch(() => {});
    notify();
    return exitCodeOf(proc);
  });

  const describe = () => `command: ${args.join(" ")}\n--- stdout ---\n${lines.slice(-30).join("\n")}\n--- stderr ---\n${stderrText.slice(-3000)}`;

  const app: AppProcess = {
    url: `http://127.0.0.1:${port}`,
    port,
    pid: proc.pid,
    cwd,
    dataDir,
    lines,
    exited,
    stderr: () => stderrText,
    logs: () => lines.map(parseJson).filter((r): r is Record<string, unknown> => r !== null),
    async waitForLog(match, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      let seen = 0;
      for (;;) {
        for (; seen < lines.length; seen++) {
          const record = parseJson(lines[seen]!);
          if (record && match(record)) return record;
        }
        if (exitedFlag) throw new Error(`the app exited before logging the expected line\n${describe()}`);
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`timed out waiting for a log line\n${describe()}`);
        await new Promise<void>((wake) => {
          const done = () => {
            clearTimeout(timer);
            waiters.delete(done);
            wake();
          };
          const timer = setTimeout(done, left);
          waiters.add(done);
        });
      }
    },
    async setupUrl(timeoutMs = 5000) {
      const record = await app.waitForLog((r) => typeof r.setup_url === "string", timeoutMs);
      return String(record.setup_url);
    },
    async stop(timeoutMs = 15_000) {
      if (!exitedFlag) proc.kill("SIGTERM");
      const code = await Promise.race([exited, sleep(timeoutMs).then(() => null)]);
      running.delete(app);
      if (code === null) {
        proc.kill("SIGKILL");
        await exited;
        throw new Error(`the app did not exit within ${timeoutMs} ms of SIGTERM (killed)\n${describe()}`);
      }
      if (ownCwd) rmSync(cwd, { recursive: true, force: true });
      return code;
    },
    kill() {
      if (!exitedFlag) {
        try {
          proc.kill("SIGKILL");
        } catch {}
      }
      running.delete(app);
    },
  };
  running.add(app);

  const deadline = Date.now() + (options.readyTimeoutMs ?? 20_000);
  for (;;) {
    if (exitedFlag) {
      running.delete(app);
      await exited;
      if (ownCwd) rmSync(cwd, { recursive: true, force: true });
      throw new Error(`the app exited with code ${exitCodeOf(proc)} before /healthz answered\n${describe()}`);
    }
    try {
      const response = await fetch(`${app.url}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (response.status === 200) return app;
      await response.body?.cancel();
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      app.kill();
      throw new Error(`/healthz did not answer 200 within ${options.readyTimeoutMs ?? 20_000} ms\n${describe()}`);
    }
    await sleep(25);
  }
}

/** Stops every process still running (SIGTERM, then SIGKILL after a few seconds); for `afterAll`. */
export async function stopAll(): Promise<void> {
  await Promise.all(
    [...running].map(async (app) => {
      try {
        await app.stop(5000);
      } catch {
        app.kill();
      }
    }),
  );
}

/** A minimal browser stand-in: keeps cookies between requests and never follows redirects. */
export class HttpClient {
  readonly cookies = new Map<string, string>();
  constructor(readonly baseUrl: string) {}

  /** Sends a request with the stored cookies and remembers the ones set in the answer. */
  async request(method: string, path: string, form?: Record<string, string>): Promise<Response> {
    const headers: Record<string, string> = {};
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    let body: string | undefined;
    if (form) {
      body = new URLSearchParams(form).toString();
      headers["content-type"] = "application/x-www-form-urlencoded";
    }
    const url = path.startsWith("http") ? path : this.baseUrl + path;
    const response = await fetch(url, { method, headers, body, redirect: "manual" });
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(";");
      const eq = pair!.indexOf("=");
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a));
      if (expired || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }

  /** GET and return the body text (throws unless the status is `expected`). */
  async getText(path: string, expected = 200): Promise<string> {
    const response = await this.request("GET", path);
    const text = await response.text();
    if (response.status !== expected) throw new Error(`GET ${path}: expected ${expected}, got ${response.status}\n${text.slice(0, 500)}`);
    return text;
  }
}

/** The value of a hidden form field in an HTML page, e.g. `_csrf`. */
export function formField(html: string, name: string): string {
  const tag = html.match(new RegExp(`<input[^>]*name="${name}"[^>]*>`))?.[0];
  const value = tag?.match(/value="([^"]*)"/)?.[1];
  if (value === undefined) throw new Error(`no input named ${name} in the page`);
  return value.replaceAll("&quot;", '"').replaceAll("&#39;", "'").replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&amp;", "&");
}

/** Owner credentials used by tests that complete setup. */
export const TEST_OWNER = { username: "owner", password: "correct-horse-battery-staple" };

/** Creates the owner through the real /setup form, as a person following the logged link would. */
export async function completeSetup(app: AppProcess, owner = TEST_OWNER): Promise<void> {
  const client = new HttpClient(app.url);
  const setupUrl = new URL(await app.setupUrl());
  const html = await client.getText(setupUrl.pathname + setupUrl.search);
  const response = await client.request("POST", "/setup", {
    _csrf: formField(html, "_csrf"),
    token: formField(html, "token"),
    username: owner.username,
    password: owner.password,
    password_again: owner.password,
  });
  if (response.status !== 303) throw new Error(`POST /setup: expected 303, got ${response.status}\n${(await response.text()).slice(0, 500)}`);
  await response.body?.cancel();
}

/** Logs in through the real /login form; returns the client holding the session cookie. */
export async function loginOverHttp(app: AppProcess, owner = TEST_OWNER): Promise<HttpClient> {
  const client = new HttpClient(app.url);
  const html = await client.getText("/login");
  const response = await client.request("POST", "/login", { _csrf: formField(html, "_csrf"), next: "/", username: owner.username, password: owner.password });
  if (response.status !== 303) throw new Error(`POST /login: expected 303, got ${response.status}\n${(await response.text()).slice(0, 500)}`);
  await response.body?.cancel();
  if (!client.cookies.has("hb_session")) throw new Error("POST /login set no hb_session cookie");
  return client;
}

/** A JSON API call: status and parsed body. */
export type JsonApi = (method: string, path: string, body?: unknown) => Promise<{ status: number; body: any }>;

/** Logs in through the real form and returns a JSON API caller carrying the session and its CSRF token. */
export async function jsonApiOverHttp(app: AppProcess, owner = TEST_OWNER): Promise<JsonApi> {
  const client = await loginOverHttp(app, owner);
  const csrf = formField(await client.getText("/"), "_csrf");
  return async (method, path, body) => {
    const headers: Record<string, string> = { "x-csrf-token": csrf, cookie: [...client.cookies].map(([name, value]) => `${name}=${value}`).join("; ") };
    if (body) headers["content-type"] = "application/json";
    const response = await fetch(app.url + path, { method, headers, body: body ? JSON.stringify(body) : undefined });
    return { status: response.status, body: await response.json() };
  };
}

/** A demo load that a demo truck can take, once the demo fleet and load board have one (they need a few seconds after start; up to 90 s). */
export async function demoLoadForATruck(api: JsonApi): Promise<{ load: number; truck: number }> {
  for (let tries = 0; tries < 90; tries++) {
    for (const vehicle of (await api("GET", "/api/v1/vehicles")).body.data ?? []) {
      const row = ((await api("GET", `/api/v1/loads?truck_id=${vehicle.id}&limit=5`)).body.data ?? []).find((load: { match?: unknown }) => load.match);
      if (row) return { load: row.id, truck: vehicle.id };
    }
    await Bun.sleep(1000);
  }
  throw new Error("no demo load was scored for a demo truck within 90 s");
}
