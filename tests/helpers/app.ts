/**
 * Test harness for the web app: real config, a real SQLite database in a temp folder, real auth.
 * `testApp()` returns the app plus helpers to log in as any role and make requests through
 * `app.handle()` — no port is opened.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildApp } from "../../src/app";
import { Auth } from "../../src/auth/service";
import type { Role } from "../../src/auth/roles";
import { SESSION_COOKIE } from "../../src/auth/sessions";
import { validateConfigText, type PluginResolver } from "../../src/config/load";
import { formatConfigError } from "../../src/config/errors";
import { ConfigStore } from "../../src/config/store";
import type { AppDeps } from "../../src/deps";
import { openDatabase } from "../../src/db/open";
import { migrate } from "../../src/db/migrate";
import { createLogger } from "../../src/log";
import { Metrics } from "../../src/metrics/registry";
import { PluginCatalog } from "../../src/plugins/registry";
import { createRuntime, startRuntime, stopRuntime } from "../../src/plugins/runtime";
import type { AnyPluginDefinition } from "../../src/plugins/types";
import type { Clock } from "../../src/scheduler/clock";
import { builtinPlugins } from "../../plugins/index";

/** A temporary folder removed by `cleanup()`. */
export function tempDir(prefix = "haulbox-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface TestApp {
  app: ReturnType<typeof buildApp>;
  deps: AppDeps;
  /** Every JSON log line written so far. */
  logLines: string[];
  dataDir: string;
  /** Creates a user with this role and returns a logged-in session for it. */
  login(role: Role, username?: string): Promise<TestSession>;
  /** Creates an API token with this role. */
  token(role: Role): string;
  /** Sends a request through the app. */
  request(method: string, path: string, init?: RequestOptions): Promise<Response>;
  /** Stops sources and jobs, closes the database and removes the temp folder. */
  cleanup(): Promise<void>;
}

export interface TestSession {
  cookie: string;
  csrf: string;
  username: string;
  password: string;
  userId: number;
}

export interface RequestOptions {
  session?: TestSession;
  token?: string;
  /** Form fields (sent urlencoded, with the session's CSRF token added unless `csrf: false`). */
  form?: Record<string, string>;
  json?: unknown;
  headers?: Record<string, string>;
  csrf?: boolean;
}

/** Builds an app over a fresh database with the given YAML config (default: empty). */
export async function testApp(
  options: {
    yaml?: string;
    plugins?: PluginResolver;
    env?: Record<string, string>;
    /** Plugins available besides the built-ins (e.g. the throwaway ones in tests/fixtures/plugins). */
    extraPlugins?: AnyPluginDefinition[];
    /** Start the plugin host and scheduler (default true), as the server does. */
    start?: boolean;
    /** The scheduler's and plugin host's clock (a ManualClock makes cron ticks happen on demand). */
    clock?: Clock;
  } = {},
): Promise<TestApp> {
  const dataDir = tempDir();
  const yaml = options.yaml ?? "";
  const catalog = new PluginCatalog([...builtinPlugins, ...(options.extraPlugins ?? [])]);
  const loaded = await validateConfigText(yaml, { label: "test.yaml", baseDir: dataDir, cwd: dataDir, env: options.env ?? {}, overrides: { data_dir: dataDir, mqtt_listen: "127.0.0.1:0" }, plugins: options.plugins ?? catalog.resolver });
  if (!loaded.ok) throw new Error(loaded.errors.map(formatConfigError).join("\n"));
  const logLines: string[] = [];
  const log = createLogger({ level: "debug", write: (line) => logLines.push(line) });
  log.addSecrets(loaded.secrets);
  const db = openDatabase(dataDir);
  migrate(db);
  const config = new ConfigStore(loaded.config, "test.yaml", { path: join(dataDir, "missing.yaml") }, loaded.secrets);
  const auth = new Auth(db, () => config.current());
  const metrics = new Metrics();
  const runtime = createRuntime({ config, db, log, auth, metrics, catalog, stopGraceMs: 50, clock: options.clock });
  const deps: AppDeps = { config, db, log, auth, metrics, host: runtime.host, scheduler: runtime.scheduler, fleet: runtime.fleet, telemetryEvents: runtime.telemetryEvents, ingest: runtime.ingest, loads: runtime.loads, startedAt: Date.now() };
  const app = buildApp(deps);
  if (options.start !== false) await startRuntime(runtime, config);
  let counter = 0;

  const request = (method: string, path: string, init: RequestOptions = {}) => {
    const headers: Record<string, string> = { ...init.headers };
    if (init.session) headers.cookie = `${SESSION_COOKIE}=${init.session.cookie}`;
    if (init.token) headers.authorization = `Bearer ${init.token}`;
    let body: string | undefined;
    if (init.form) {
      const fields = { ...init.form };
      if (init.session && init.csrf !== false && !("_csrf" in fields)) fields._csrf = init.session.csrf;
      body = new URLSearchParams(fields).toString();
      headers["content-type"] = "application/x-www-form-urlencoded";
    } else if (init.json !== undefined) {
      body = JSON.stringify(init.json);
      headers["content-type"] = "application/json";
      if (init.session && init.csrf !== false) headers["x-csrf-token"] = init.session.csrf;
    } else if (init.session && init.csrf !== false && method !== "GET" && method !== "HEAD") {
      headers["x-csrf-token"] = init.session.csrf;
    }
    return app.handle(new Request(`http://localhost${path}`, { method, headers, body }));
  };

  return {
    app,
    deps,
    logLines,
    dataDir,
    request,
    async login(role, username) {
      const name = username ?? `${role}${++counter}`;
      const password = `pw-${name}-correct-horse`;
      const user = await auth.users.create(name, password, role);
      const result = await auth.login(name, password, { ip: "127.0.0.1" });
      if (!result.ok) throw new Error("test login failed");
      return { cookie: result.sessionId, csrf: result.csrfToken, username: name, password, userId: user.id };
    },
    token(role) {
      return auth.tokens.create(`test-${role}-${++counter}`, role, null).token;
    },
    async cleanup() {
      try {
        await stopRuntime(runtime);
      } catch {}
      try {
        db.close();
      } catch {}
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
