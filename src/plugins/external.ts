/**
 * Loads extra plugins from `plugins_dir`: every `*.ts`, `*.js`, `*.mts` or `*.mjs` file (and every
 * sub-folder with an `index.ts`/`index.js`), except names starting with `.` or `_` (helpers) and
 * `*.test.*` files. A file's default export is a plugin definition, or a function
 * `(api) => definition` that receives `definePlugin` and TypeBox's `Type` — the form that needs no
 * imports at all. `import { definePlugin, Type } from "haulbox"` also works: that module is
 * provided by the running Haulbox, so both forms work from the compiled binary, where bare imports
 * cannot be resolved from disk.
 *
 * Nothing here throws: a file that does not parse, throws while loading, hangs, or exports
 * something that is not a plugin becomes a ConfigError naming the file (and line when known).
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import type { ConfigError } from "../config/errors";
import { definitionProblems, pluginApi, PluginDefinitionError } from "./define";
import type { AnyPluginDefinition } from "./types";

/** A plugin loaded from a file. */
export interface ExternalPlugin {
  definition: AnyPluginDefinition;
  /** Absolute path of the file (or folder index) it came from. */
  file: string;
}

/** What loading a plugins_dir produced: the good plugins and an error per bad file. */
export interface ExternalLoadResult {
  plugins: ExternalPlugin[];
  errors: ConfigError[];
}

/** Module specifier external plugin files may import the plugin API from. */
export const PLUGIN_API_MODULE = "haulbox";

/** Longest a plugin file may take to load (top-level await included) before it is reported. */
const LOAD_TIMEOUT_MS = 10_000;

const PLUGIN_FILE = /\.(ts|js|mts|mjs)$/;

let apiModuleRegistered = false;

/** Makes `import … from "haulbox"` resolve to the plugin API inside this process (once). */
export function registerPluginApiModule(): void {
  if (apiModuleRegistered) return;
  apiModuleRegistered = true;
  Bun.plugin({
    name: "haulbox-plugin-api",
    setup(build) {
      build.module(PLUGIN_API_MODULE, () => ({ exports: { ...pluginApi, default: pluginApi }, loader: "object" }));
    },
  });
}

/** The plugin files in a folder, sorted so errors and clashes are reported in a stable order. */
export function pluginFiles(dir: string): string[] {
  const files: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (name.startsWith(".") || name.startsWith("_") || name.endsWith(".d.ts") || /\.test\.[mc]?[tj]s$/.test(name)) continue;
    const path = join(dir, name);
    let stats;
    try {
      stats = statSync(path);
    } catch {
      continue; // a dangling symlink: nothing to load
    }
    if (stats.isFile() && PLUGIN_FILE.test(name)) files.push(path);
    else if (stats.isDirectory()) {
      const index = ["index.ts", "index.js", "index.mts", "index.mjs"].map((file) => join(path, file)).find((file) => existsSync(file));
      if (index) files.push(index);
    }
  }
  return files;
}

/**
 * Definitions already loaded, by file and version, so an unchanged file gives the same definition
 * object on a reload (the host then keeps its sources running) and a changed file is imported afresh.
 */
const loaded = new Map<string, AnyPluginDefinition>();

/** Loads every plugin file in `dir`; a missing folder is one error. */
export async function loadExternalPlugins(dir: string): Promise<ExternalLoadResult> {
  const result: ExternalLoadResult = { plugins: [], errors: [] };
  const folder = resolve(dir);
  let files: string[];
  try {
    if (!statSync(folder).isDirectory()) throw new Error("it is not a folder");
    files = pluginFiles(folder);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "the folder does not exist" : (error as Error).message;
    result.errors.push({ file: folder, line: 1, column: 1, path: "plugins_dir", message: `cannot read the plugins folder: ${reason}` });
    return result;
  }
  registerPluginApiModule();
  for (const file of files) {
    const outcome = await loadPluginFile(file);
    if ("definition" in outcome) result.plugins.push({ definition: outcome.definition, file });
    else result.errors.push(outcome.error);
  }
  return result;
}

/** Imports one plugin file; never throws. */
export async function loadPluginFile(file: string): Promise<{ definition: AnyPluginDefinition } | { error: ConfigError }> {
  const fail = (message: string, line = 1, column = 1): { error: ConfigError } => ({ error: { file, line, column, path: "", message } });
  let version: string;
  try {
    const stats = statSync(file);
    version = `${Math.floor(stats.mtimeMs)}-${stats.size}`;
  } catch (error) {
    return fail(`cannot read the plugin file: ${(error as Error).message}`);
  }
  const key = `${file}?v=${version}`;
  const cached = loaded.get(key);
  if (cached) return { definition: cached };

  let exported: unknown;
  try {
    // A plain path with a query string: Bun treats a new query as a new module, so an edited file
    // is loaded again on a config reload (a file:// URL would be served from the module cache).
    const module = await withTimeout(import(key), LOAD_TIMEOUT_MS);
    exported = (module as { default?: unknown }).default;
    if (exported === undefined) return fail('the file has no default export: end it with "export default definePlugin({ ... })"');
    if (typeof exported === "function") exported = await withTimeout(Promise.resolve((exported as (api: typeof pluginApi) => unknown)(pluginApi)), LOAD_TIMEOUT_MS);
  } catch (error) {
    const where = errorPosition(error, file);
    return fail(`cannot load this plugin file: ${loadErrorMessage(error)}`, where.line, where.column);
  }
  const problems = definitionProblems(exported);
  if (problems.length) return fail(`not a plugin definition: ${problems.join("; ")}`);
  const definition = exported as AnyPluginDefinition;
  for (const stale of [...loaded.keys()]) if (stale.startsWith(`${file}?v=`)) loaded.delete(stale);
  loaded.set(key, definition);
  return { definition };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`loading took longer than ${ms / 1000} s (a top-level await that never finishes?)`)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function loadErrorMessage(error: unknown): string {
  if (error instanceof PluginDefinitionError) return error.message;
  if (error instanceof AggregateError && error.errors.length) return error.errors.map(loadErrorMessage).join("; ");
  const message = error && typeof error === "object" && "message" in error ? String((error as { message: unknown }).message) : String(error);
  const name = error && typeof error === "object" && "name" in error ? String((error as { name: unknown }).name) : "";
  // Bun reports parse errors as BuildMessage and unresolvable imports as ResolveMessage.
  if (name === "BuildMessage") return `syntax error: ${message}`;
  if (name === "ResolveMessage") return `${message}${/from ["']?haulbox/.test(message) ? "" : ' (external plugins can import only relative files and "haulbox")'}`;
  return message.split("\n")[0]!;
}

/** Line and column of a load error inside `file`, from a parse error's position or the stack. */
function errorPosition(error: unknown, file: string): { line: number; column: number } {
  const first = error instanceof AggregateError ? error.errors[0] : error;
  const position = (first as { position?: { line?: number; column?: number; file?: string } } | null)?.position;
  if (position?.line && (!position.file || position.file.split("?")[0] === file)) return { line: position.line, column: Math.max(1, position.column ?? 1) };
  const stack = (first as { stack?: string } | null)?.stack ?? "";
  const escaped = file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const match = new RegExp(`${escaped}(?:\\?[^:\\s)]*)?:(\\d+):(\\d+)`).exec(stack);
  if (match) return { line: Number(match[1]), column: Number(match[2]) };
  return { line: 1, column: 1 };
}
