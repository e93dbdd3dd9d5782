/** Starts the appliance: config, database, auth, the web app, signals. Used by `haulbox serve`. */
import { closeAssistant } from "./assistant/provider-for";
import type { Database } from "bun:sqlite";
import { buildApp } from "./app";
import { Auth } from "./auth/service";
import { formatConfigError } from "./config/errors";
import { parseListen } from "./config/formats";
import { loadConfig, type LoadOptions } from "./config/load";
import { ConfigStore } from "./config/store";
import type { AppDeps } from "./deps";
import { checkpoint, openDatabase } from "./db/open";
import { migrate } from "./db/migrate";
import { createLogger, type Logger } from "./log";
import { Metrics } from "./metrics/registry";
import { PluginCatalog } from "./plugins/registry";
import { createRuntime, startRuntime, stopRuntime } from "./plugins/runtime";
import { builtinPlugins } from "../plugins/index";
import { COMMIT, VERSION } from "./version";

export interface ServeOptions {
  configPath?: string | null;
  listen?: string;
  dataDir?: string;
  /** Address of the embedded MQTT broker (--mqtt-listen). */
  mqttListen?: string;
  /** Start without the demo sources (--no-demo). */
  noDemo?: boolean;
  env?: Record<string, string | undefined>;
}

/** A running appliance, for tests and the CLI. */
export interface RunningServer {
  url: string;
  deps: AppDeps;
  stop(): Promise<void>;
}

/** The URL people should open: the configured public URL, or the listen address made reachable. */
export function baseUrl(publicUrl: string, hostname: string, port: number): string {
  if (publicUrl) return publicUrl.replace(/\/+$/, "");
  const host = hostname === "0.0.0.0" || hostname === "::" ? "127.0.0.1" : hostname.includes(":") ? `[${hostname}]` : hostname;
  return `http://${host}:${port}`;
}

/** Loads config (exiting on errors), opens and migrates the database, and starts listening. */
export async function startServer(options: ServeOptions = {}, log?: Logger): Promise<RunningServer> {
  const env = options.env ?? process.env;
  // Built-in plugins plus those in plugins_dir: the loader checks each source's options against its plugin.
  const catalog = new PluginCatalog(builtinPlugins);
  const loadOptions: LoadOptions = { path: options.configPath, env, overrides: { listen: options.listen, data_dir: options.dataDir, mqtt_listen: options.mqttListen, no_demo: options.noDemo }, plugins: catalog.resolver };
  const loaded = await loadConfig(loadOptions);
  if (!loaded.ok) {
    for (const error of loaded.errors) console.error(formatConfigError(error));
    throw new StartupError(`the configuration has ${loaded.errors.length} error(s); nothing was started`);
  }
  const config = new ConfigStore(loaded.config, loaded.file, loadOptions, loaded.secrets);
  log ??= createLogger({ level: loaded.config.log.level });
  log.addSecrets(loaded.secrets);
  log.info("starting Haulbox", { version: VERSION, commit: COMMIT, config: loaded.file, data_dir: loaded.config.data_dir });

  let db: Database;
  try {
    db = openDatabase(loaded.config.data_dir);
    const applied = migrate(db);
    if (applied.length) log.info("database migrated", { applied: applied.map((m) => `${m.version}_${m.name}`) });
  } catch (error) {
    throw new StartupError(`cannot open the database in ${loaded.config.data_dir}: ${(error as Error).message}`);
  }

  const auth = new Auth(db, () => config.current());
  const metrics = new Metrics();
  const runtime = createRuntime({ config, db, log, auth, metrics, catalog });
  const deps: AppDeps = { config, db, log, auth, metrics, host: runtime.host, scheduler: runtime.scheduler, fleet: runtime.fleet, telemetryEvents: runtime.telemetryEvents, ingest: runtime.ingest, loads: runtime.loads, startedAt: Date.now() };
  const app = buildApp(deps);
  const listen = parseListen(loaded.config.listen)!;
  // Issued before listening, so once /healthz answers the server's own token is in place and a
  // fresh one from `haulbox setup-link` (install.sh asks for one then) is never overwritten by it.
  const setupToken = auth.issueSetupToken();
  try {
    app.listen({ hostname: listen.host, port: listen.port });
  } catch (error) {
    db.close();
    throw new StartupError(`cannot listen on ${loaded.config.listen}: ${(error as Error).message}`);
  }
  const server = app.server!;
  const url = baseUrl(loaded.config.public_url, listen.host, server.port ?? listen.port);
  log.info(`Haulbox is running at ${url}`, { url, listen: `${listen.host}:${server.port}` });

  await startRuntime(runtime, config);

  if (setupToken) log.warn(`No owner account yet. Open ${url}/setup?token=${setupToken} to create it.`, { setup_url: `${url}/setup?token=${setupToken}` });

  config.onChange((next) => {
    log!.setLevel(next.log.level);
    log!.addSecrets(config.secrets);
  });

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await app.stop(true);
    try {
      await stopRuntime(runtime);
    } catch (error) {
      log!.error("stopping sources and jobs failed", { error: (error as Error).message });
    }
    await closeAssistant();
    try {
      const result = checkpoint(db);
      log!.info("database checkpointed", result);
    } catch (error) {
      log!.error("checkpoint failed", { error: (error as Error).message });
    }
    db.close();
    log!.info("Haulbox stopped");
  };
  return { url, deps, stop };
}

/** A startup failure with a message for the person at the terminal. */
export class StartupError extends Error {}

/** Wires SIGHUP (reload config) and SIGTERM/SIGINT (graceful stop, exit 0) for the real process. */
export function handleSignals(running: RunningServer): void {
  const { deps } = running;
  // Plugins run in this process: an error thrown from a plugin's own callback (a socket handler, a
  // promise it forgot to handle) is outside the host's guarded calls. Log it and keep the appliance up.
  process.on("unhandledRejection", (reason) => deps.log.error("unhandled promise rejection (often from a plugin); Haulbox keeps running", { error: reason instanceof Error ? reason : String(reason) }));
  process.on("uncaughtException", (error) => deps.log.error("uncaught exception (often from a plugin); Haulbox keeps running", { error }));
  process.on("SIGHUP", async () => {
    const result = await deps.config.reload();
    if (result.ok) {
      deps.log.info("configuration reloaded", { file: deps.config.file });
      deps.auth.audit.record("config_reloaded", { actor: "SIGHUP", target: deps.config.file });
    } else {
      deps.log.error("configuration reload rejected; the running configuration stays", { file: deps.config.file, errors: result.errors });
      deps.auth.audit.record("config_reload_rejected", { actor: "SIGHUP", target: deps.config.file, details: { errors: result.errors.length } });
    }
  });
  const shutdown = async (signal: string) => {
    deps.log.info("shutting down", { signal });
    const timer = setTimeout(() => {
      deps.log.error("shutdown took too long; exiting");
      process.exit(1);
    }, 10_000);
    await running.stop();
    clearTimeout(timer);
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}
