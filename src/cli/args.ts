/**
 * Flags every command that reads the config or the database shares (`--config`, `--data-dir`,
 * `--listen`), and the one way commands load the config and open the database, so `migrate`,
 * `healthcheck`, `user` and `token` all honour the same files, environment and overrides as `serve`.
 *
 *   const { values, positionals } = parseCommonArgs(args, { role: { type: "string" } });
 *   const { db, config } = await openConfiguredDatabase(values);
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import type { Database } from "bun:sqlite";
import { formatConfigError } from "../config/errors";
import { loadConfig, type LoadOptions } from "../config/load";
import type { Config } from "../config/schema";
import { openDatabase } from "../db/open";
import { migrate } from "../db/migrate";
import type { Migration } from "../db/migrations";
import { PluginCatalog } from "../plugins/registry";
import { builtinPlugins } from "../../plugins";

/** A command failure whose message is meant for the terminal as is; `runCli` prints it and exits with `exitCode`. */
export class CommandFailed extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
  }
}

/** Option definitions in the form `node:util` parseArgs takes. */
export type OptionSpecs = NonNullable<ParseArgsConfig["options"]>;

/** The shared flags, as parseArgs options. */
export const COMMON_OPTIONS = {
  config: { type: "string" },
  "data-dir": { type: "string" },
  listen: { type: "string" },
  "mqtt-listen": { type: "string" },
  "no-demo": { type: "boolean" },
} as const satisfies OptionSpecs;

/** Values of the shared flags (undefined when not given). */
export interface CommonArgValues {
  config?: string;
  "data-dir"?: string;
  listen?: string;
  "mqtt-listen"?: string;
  "no-demo"?: boolean;
}

/** Parsed values of extra options: strings for `type: "string"`, booleans for `type: "boolean"`. */
export type ExtraArgValues<E extends OptionSpecs> = { [K in keyof E]?: E[K]["type"] extends "boolean" ? boolean : string };

/**
 * Parses a command's arguments: the shared flags plus `extraOptions`, positionals allowed.
 * Unknown flags and missing values throw a CommandFailed with exit code 2 (usage error).
 */
export function parseCommonArgs<E extends OptionSpecs = {}>(args: string[], extraOptions?: E): { values: CommonArgValues & ExtraArgValues<E>; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ args, options: { ...COMMON_OPTIONS, ...extraOptions }, strict: true, allowPositionals: true });
    return { values: values as CommonArgValues & ExtraArgValues<E>, positionals };
  } catch (error) {
    throw new CommandFailed(`haulbox: ${(error as Error).message.replace(/\. To specify a positional argument.*$/s, "")}`, 2);
  }
}

/**
 * Loader options for these flags: --config file, --listen and --data-dir overrides, this process's
 * environment, and the plugin catalog (built-ins plus plugins_dir), so every command checks
 * `sources:` against each plugin's schema exactly as `serve` does.
 */
export function configLoadOptions(values: CommonArgValues, env: Record<string, string | undefined> = process.env): LoadOptions {
  return { path: values.config, env, overrides: { listen: values.listen, data_dir: values["data-dir"], mqtt_listen: values["mqtt-listen"], no_demo: values["no-demo"] }, plugins: new PluginCatalog(builtinPlugins).resolver };
}

/** A loaded, valid configuration and where it came from. */
export interface LoadedConfig {
  config: Config;
  /** The file read, or "(embedded default)". */
  configFile: string;
  /** Secret values from the config, for a logger to redact. */
  secrets: string[];
}

/** Loads the config for these flags; on errors throws CommandFailed listing every one (exit 1). */
export async function loadConfiguredConfig(values: CommonArgValues, env?: Record<string, string | undefined>): Promise<LoadedConfig> {
  const loaded = await loadConfig(configLoadOptions(values, env));
  if (!loaded.ok) {
    const count = loaded.errors.length;
    throw new CommandFailed([...loaded.errors.map(formatConfigError), `${count} error${count === 1 ? "" : "s"} in the configuration; nothing was done.`].join("\n"), 1);
  }
  return { config: loaded.config, configFile: loaded.file, secrets: loaded.secrets };
}

/** The config plus an open database and the migrations applied while opening it. */
export interface ConfiguredDatabase extends LoadedConfig {
  db: Database;
  /** Migrations applied by this call (empty when the database was current or `migrate: false`). */
  applied: Migration[];
}

/**
 * Loads the config (exit 1 with every error printed when invalid), opens the database in its data
 * directory and, unless `migrate: false`, brings the schema up to date. A database written by a
 * newer Haulbox, or a failing migration, is a CommandFailed naming the problem. Close `db` when done.
 */
export async function openConfiguredDatabase(values: CommonArgValues, options: { migrate?: boolean; env?: Record<string, string | undefined> } = {}): Promise<ConfiguredDatabase> {
  const loaded = await loadConfiguredConfig(values, options.env);
  let db: Database;
  try {
    db = openDatabase(loaded.config.data_dir);
  } catch (error) {
    throw new CommandFailed(`haulbox: cannot open the database in ${loaded.config.data_dir}: ${(error as Error).message}`, 1);
  }
  let applied: Migration[] = [];
  if (options.migrate !== false) {
    try {
      applied = migrate(db);
    } catch (error) {
      db.close();
      throw new CommandFailed(`haulbox: ${(error as Error).message}`, 1);
    }
  }
  return { ...loaded, db, applied };
}
