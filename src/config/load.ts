/**
 * Loads the appliance config: finds the file, parses YAML keeping positions, substitutes
 * `${ENV_VAR}`, reads `*_file` secrets, applies defaults and validates the core schema and each
 * source's plugin options. Every problem is collected, so the owner sees them all at once.
 */
import { readFileSync, existsSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { parseDocument, LineCounter, visit, isScalar, isMap, isSeq, isPair, type Document, type Node, type YAMLMap } from "yaml";
import { Value } from "@sinclair/typebox/value";
import { ValueErrorType } from "@sinclair/typebox/value";
import type { TSchema } from "@sinclair/typebox";
import { ConfigSchema, type Config, type SourceConfig } from "./schema";
import { displayPath, describeValueError, pointerSegments, suggestKey, type ConfigError } from "./errors";
import { parseListen } from "./formats";
import { coreJobNames, coreJobSettingsSections } from "../scheduler/jobs";
import { deviceTopicProblem } from "../ingest/topics";

/** HTTP ingest paths: under /ingest/, URL-safe segments. */
const INGEST_PATH = /^\/ingest(\/[A-Za-z0-9._~-]+)+$/;
import defaultConfigText from "./default.yaml" with { type: "text" };

/** Label used in messages when no file was given and the built-in default is in use. */
export const EMBEDDED_LABEL = "(embedded default)";

/** Plugins that make demo data; --no-demo (HAULBOX_NO_DEMO=1) drops their sources. */
export const DEMO_PLUGINS = ["telemetry-sim", "loadboard-demo"];

/** What the loader needs to know about a plugin to validate a source that uses it. */
export interface PluginSchemaInfo {
  configSchema: TSchema;
  /** Pull plugins need a `schedule:`. */
  requiresSchedule?: boolean;
  /** Decode plugins: where their messages arrive, so `topic:` or `path:` can be checked. */
  ingest?: "mqtt" | "http";
}

/** Finds a plugin by name; given the core config so external plugins can be loaded from plugins_dir first. */
export type PluginResolver = (core: Config) => Promise<{ lookup: (name: string) => PluginSchemaInfo | undefined; names: string[]; errors?: ConfigError[] }>;

export interface LoadOptions {
  /** Explicit config file (from --config or HAULBOX_CONFIG); null/undefined means search then default. */
  path?: string | null;
  /** Environment used for `${VAR}` and HAULBOX_* variables. */
  env?: Record<string, string | undefined>;
  /** Directory searched for ./haulbox.yaml. */
  cwd?: string;
  /** Command-line overrides, which beat the file. */
  overrides?: { listen?: string; data_dir?: string; mqtt_listen?: string; no_demo?: boolean };
  /** How to find plugin schemas for `sources:`; without it, sources are checked for core fields only. */
  plugins?: PluginResolver;
}

export type LoadResult =
  | { ok: true; config: Config; file: string; secrets: string[] }
  | { ok: false; errors: ConfigError[]; file: string };

/** Picks the config file: --config, else HAULBOX_CONFIG, else ./haulbox.yaml if present, else null (embedded). */
export function resolveConfigPath(explicit: string | null | undefined, env: Record<string, string | undefined>, cwd: string): string | null {
  if (explicit) return resolve(cwd, explicit);
  if (env.HAULBOX_CONFIG) return resolve(cwd, env.HAULBOX_CONFIG);
  const local = resolve(cwd, "haulbox.yaml");
  return existsSync(local) ? local : null;
}

/** The YAML text of the built-in default configuration. */
export function embeddedDefaultConfig(): string {
  return defaultConfigText;
}

/** Loads and validates the config; never throws for bad input, returns every error instead. */
export async function loadConfig(options: LoadOptions = {}): Promise<LoadResult> {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const path = resolveConfigPath(options.path, env, cwd);
  let text: string;
  let label: string;
  if (path) {
    label = path;
    try {
      text = readFileSync(path, "utf8");
    } catch (error) {
      return { ok: false, file: path, errors: [{ file: path, line: 1, column: 1, path: "", message: `cannot read the config file: ${(error as Error).message}` }] };
    }
  } else {
    label = EMBEDDED_LABEL;
    text = defaultConfigText;
  }
  const result = await validateConfigText(text, { ...options, env, cwd, label: path ? displayFileName(path, cwd) : label, baseDir: path ? dirname(path) : cwd });
  // Messages name the file as the owner typed it (`haulbox.yaml:14:15 …`); callers get the full path.
  return { ...result, file: label };
}

/** The config file as messages show it: relative to the working directory when inside it, else absolute. */
function displayFileName(path: string, cwd: string): string {
  const relativePath = relative(cwd, path);
  return relativePath && !relativePath.startsWith("..") && !isAbsolute(relativePath) ? relativePath : path;
}

interface ValidateOptions extends LoadOptions {
  label: string;
  baseDir: string;
}

/** Validates YAML text as a config; exposed for tests and for `check-config` on arbitrary text. */
export async function validateConfigText(text: string, options: ValidateOptions): Promise<LoadResult> {
  const env = options.env ?? process.env;
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const errors: ConfigError[] = [];
  const at = (offset: number | undefined, path: (string | number)[], message: string) => {
    const pos = offset === undefined ? { line: 1, col: 1 } : lineCounter.linePos(offset);
    errors.push({ file: options.label, line: pos.line, column: pos.col, path: displayPath(path), message });
  };

  for (const problem of doc.errors) {
    // prettyErrors is off, so the position comes from the error's offset, not linePos.
    let offset = problem.pos[0];
    // An unclosed quote is noticed at the end of the file; point at the quote that opened it instead.
    const quote = problem.code === "MISSING_CHAR" ? /Missing closing (["'])quote/.exec(problem.message)?.[1] : undefined;
    if (quote && text.lastIndexOf(quote, offset - 1) >= 0) offset = text.lastIndexOf(quote, offset - 1);
    const pos = problem.linePos?.[0] ?? lineCounter.linePos(offset);
    let message = `YAML syntax: ${problem.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "")}`;
    if (problem.code === "DUPLICATE_KEY") {
      const key = /^\s*("[^"\n]*"|'[^'\n]*'|[^:\n]+?)\s*:/.exec(text.slice(problem.pos[0]))?.[1]?.replace(/^["']|["']$/g, "");
      message = `${key ? `duplicate key ${JSON.stringify(key)}` : "duplicate key"}: each key may appear only once in a mapping (remove or merge the repeated one)`;
    }
    if (quote) message = `YAML syntax: this quoted value is never closed: add the closing ${quote}`;
    errors.push({ file: options.label, line: pos.line, column: pos.col, path: "", message });
  }
  if (errors.length) return { ok: false, errors, file: options.label };

  const secrets: string[] = [];
  const substitutionFailed = new Set<string>();
  substituteEnv(doc, env, (node, message) => {
    const segments = nodePath(doc, node);
    substitutionFailed.add(displayPath(segments));
    at(node.range?.[0], segments, message);
  });

  const raw = doc.toJS() ?? {};
  if (typeof raw !== "object" || Array.isArray(raw)) {
    at(0, [], "the config must be a mapping of options (key: value)");
    return { ok: false, errors, file: options.label };
  }
  const locate = (segments: (string | number)[], preferKey = false) => locateNode(doc, segments, preferKey);

  resolveSecretFiles(raw, ConfigSchema, [], options.baseDir, secrets, (segments, message) => at(locate(segments, true), segments, message));

  // Command-line and environment overrides beat the file.
  const overrides = {
    listen: options.overrides?.listen ?? env.HAULBOX_LISTEN,
    data_dir: options.overrides?.data_dir ?? env.HAULBOX_DATA_DIR,
    mqtt_listen: options.overrides?.mqtt_listen ?? env.HAULBOX_MQTT_LISTEN,
    no_demo: options.overrides?.no_demo ?? ["1", "true", "yes"].includes((env.HAULBOX_NO_DEMO ?? "").toLowerCase()),
  };
  if (overrides.listen !== undefined) {
    if (!parseListen(overrides.listen)) errors.push({ file: "--listen", line: 1, column: 1, path: "listen", message: `${JSON.stringify(overrides.listen)} is not HOST:PORT (like "127.0.0.1:8080")` });
    else raw.listen = overrides.listen;
  }
  if (overrides.data_dir) raw.data_dir = overrides.data_dir;
  if (overrides.mqtt_listen !== undefined) {
    if (!parseListen(overrides.mqtt_listen)) errors.push({ file: "--mqtt-listen", line: 1, column: 1, path: "mqtt.listen", message: `${JSON.stringify(overrides.mqtt_listen)} is not HOST:PORT (like "127.0.0.1:1883")` });
    else if (raw.mqtt === undefined || (raw.mqtt && typeof raw.mqtt === "object" && !Array.isArray(raw.mqtt))) raw.mqtt = { ...(raw.mqtt ?? {}), listen: overrides.mqtt_listen };
  }
  // --no-demo: the same config without the simulated fleet and demo loads.
  if (overrides.no_demo && Array.isArray(raw.sources)) raw.sources = raw.sources.filter((entry: unknown) => !DEMO_PLUGINS.includes((entry as { plugin?: string } | null)?.plugin ?? ""));

  // Value.Default would quietly turn `sources: {}` into [] and `jobs: []` into {}: report such
  // list-versus-mapping mix-ups first, and skip whatever follows from them.
  const seen = new Set<string>();
  for (const mismatch of containerMismatches(ConfigSchema, raw, [])) {
    seen.add(toPointer(mismatch.segments));
    at(locate(mismatch.segments), mismatch.segments, mismatch.message);
  }
  const withDefaults = Value.Default(ConfigSchema, structuredClone(raw)) as Record<string, any>;
  for (const error of Value.Errors(ConfigSchema, withDefaults)) {
    if (seen.has(error.path) || [...seen].some((parent) => parent && error.path.startsWith(`${parent}/`))) continue;
    seen.add(error.path);
    const segments = pointerSegments(error.path);
    if (substitutionFailed.has(displayPath(segments))) continue; // already reported as a missing variable
    let message = describeValueError(error);
    if (error.type === ValueErrorType.ObjectAdditionalProperties) {
      const parentSchema = schemaAt(ConfigSchema, segments.slice(0, -1));
      const hint = suggestKey(String(segments.at(-1)), Object.keys(parentSchema?.properties ?? {}));
      if (hint) message += ` (did you mean "${hint}"?)`;
    }
    at(locate(segments, error.type === ValueErrorType.ObjectAdditionalProperties), segments, message);
  }
  // `jobs:` is a mapping by job name: a name that matches no job is a typo that would silently do nothing.
  const knownJobs = coreJobNames();
  const jobs = withDefaults.jobs && typeof withDefaults.jobs === "object" && !Array.isArray(withDefaults.jobs) ? withDefaults.jobs : {};
  for (const name of Object.keys(jobs).filter((name) => !knownJobs.includes(name))) {
    const hint = suggestKey(name, knownJobs);
    at(locate(["jobs", name], true), ["jobs", name], `unknown job ${JSON.stringify(name)}${hint ? ` (did you mean "${hint}"?)` : ""}; jobs: ${knownJobs.join(", ")}`);
  }
  // A job configured by a section of its own (backup → backups:) takes its schedule and on/off
  // only from there: two places for one setting would leave the owner guessing which one counts.
  for (const [name, section] of Object.entries(coreJobSettingsSections())) {
    const override = jobs[name];
    if (!override || typeof override !== "object") continue;
    for (const key of ["schedule", "enabled"].filter((key) => key in override)) {
      at(locate(["jobs", name, key], true), ["jobs", name, key], `set ${section}.${key} instead: the ${name} job takes its schedule and on/off from the ${section}: section (jobs.${name} may set only timeout_seconds)`);
    }
  }
  // Sources are checked even when core keys have errors, so the owner sees every problem at once.
  const core = withDefaults as Config & { sources: Record<string, unknown>[] };
  if (!isAbsolute(core.data_dir)) core.data_dir = resolve(options.cwd ?? process.cwd(), core.data_dir);
  if (core.plugins_dir && !isAbsolute(core.plugins_dir)) core.plugins_dir = resolve(options.baseDir, core.plugins_dir);
  // Backups default to a folder inside the data folder; a folder of their own is relative to this file, like plugins_dir.
  const backups = (core as { backups?: { dir?: unknown } }).backups;
  if (backups && typeof backups.dir === "string" && typeof core.data_dir === "string") backups.dir = backups.dir ? resolve(options.baseDir, backups.dir) : join(core.data_dir, "backups");
  // A missing model file is not a config error: the assistant says so and uses the template.
  const embedded = (core as { assistant?: { embedded?: { model_file?: unknown } } }).assistant?.embedded;
  if (embedded && typeof embedded.model_file === "string" && embedded.model_file && !isAbsolute(embedded.model_file)) embedded.model_file = resolve(options.baseDir, embedded.model_file);

  // TLS files for the embedded broker are read at start: check them now, relative to this file.
  const tls = (core as { mqtt?: { tls?: { listen?: string; cert_file?: string; key_file?: string } } }).mqtt?.tls;
  if (tls && typeof tls === "object") {
    for (const key of ["cert_file", "key_file"] as const) {
      const value = tls[key];
      if (typeof value !== "string") continue;
      if (value && !isAbsolute(value)) tls[key] = resolve(options.baseDir, value);
      const segments = ["mqtt", "tls", key];
      if (tls.listen && !value) at(locate(["mqtt", "tls"], true), segments, `is required when mqtt.tls.listen is set (a PEM ${key === "cert_file" ? "certificate" : "private key"} file)`);
      else if (value && !existsSync(tls[key]!)) at(locate(segments), segments, `cannot read ${JSON.stringify(tls[key])}: no such file`);
    }
  }

  const sources: SourceConfig[] = [];
  const resolver = options.plugins ? await options.plugins({ ...core, sources: [] }) : undefined;
  errors.push(...(resolver?.errors ?? []));
  const ids = new Map<string, number>();
  const ingestPaths = new Map<string, number>();
  const entries = Array.isArray(core.sources) ? core.sources : [];
  entries.forEach((entry, index) => {
    if (!entry || typeof entry !== "object" || typeof (entry as any).plugin !== "string") return; // already reported
    const { id, plugin, enabled, schedule, ...rest } = entry as Record<string, any>;
    const base: (string | number)[] = ["sources", index];
    if (ids.has(id)) at(locate([...base, "id"]), [...base, "id"], `duplicate source id ${JSON.stringify(id)} (also used by sources[${ids.get(id)}])`);
    ids.set(id, index);
    const options_: Record<string, unknown> = rest;
    if (resolver) {
      const info = resolver.lookup(plugin);
      if (!info) {
        const hint = suggestKey(plugin, resolver.names);
        at(locate([...base, "plugin"]), [...base, "plugin"], `unknown plugin ${JSON.stringify(plugin)}${hint ? ` (did you mean "${hint}"?)` : ""}; available: ${resolver.names.join(", ") || "none"}`);
      } else {
        if (info.requiresSchedule && !schedule) at(locate(base), base, `plugin ${plugin} polls on a schedule: add "schedule:" with a cron expression`);
        const schema = strictObject(info.configSchema);
        resolveSecretFiles(options_, schema, base, options.baseDir, secrets, (segments, message) => at(locate(segments, true), segments, message));
        const filled = Value.Default(schema, options_) as Record<string, unknown>;
        const optionSeen = new Set<string>();
        for (const error of Value.Errors(schema, filled)) {
          if (optionSeen.has(error.path)) continue;
          optionSeen.add(error.path);
          const segments = [...base, ...pointerSegments(error.path)];
          let message = describeValueError(error);
          if (error.type === ValueErrorType.ObjectAdditionalProperties) {
            const parentSchema = schemaAt(schema, pointerSegments(error.path).slice(0, -1));
            const allowed = [...Object.keys(parentSchema?.properties ?? {}), ...(segments.length === 3 ? ["id", "plugin", "enabled", "schedule"] : [])];
            const hint = suggestKey(String(segments.at(-1)), allowed);
            if (hint) message += ` (did you mean "${hint}"?)`;
          }
          at(locate(segments, error.type === ValueErrorType.ObjectAdditionalProperties), segments, message);
        }
        if (info.ingest === "mqtt" && typeof filled.topic === "string" && !optionSeen.has("/topic")) {
          const problem = deviceTopicProblem(filled.topic);
          if (problem) at(locate([...base, "topic"]), [...base, "topic"], problem);
        }
        if (info.ingest === "http" && typeof filled.path === "string" && !optionSeen.has("/path")) {
          const path = filled.path.replace(/\/+$/, "");
          if (!INGEST_PATH.test(path)) at(locate([...base, "path"]), [...base, "path"], `${JSON.stringify(filled.path)} must be a path under /ingest/, like "/ingest/osmand"`);
          else if (ingestPaths.has(path)) at(locate([...base, "path"]), [...base, "path"], `the path ${path} is already used by sources[${ingestPaths.get(path)}]`);
          else ingestPaths.set(path, index);
        }
        collectSchemaSecrets(filled, schema, secrets);
        Object.assign(options_, filled);
      }
    }
    sources.push({ id, plugin, enabled, schedule, options: options_ });
  });
  if (errors.length) {
    errors.sort((a, b) => (a.file === b.file ? a.line - b.line || a.column - b.column : 0));
    // Messages quote bad values; a value read from a *_file must not reach the terminal or a reload log line.
    const hidden = [...new Set(secrets)].filter((secret) => secret.length >= 4).sort((a, b) => b.length - a.length);
    for (const error of errors) for (const secret of hidden) error.message = error.message.split(JSON.stringify(secret)).join("(the secret value)").split(secret).join("(the secret value)");
    return { ok: false, errors, file: options.label };
  }

  return { ok: true, config: { ...core, sources }, file: options.label, secrets: [...new Set(secrets)].filter((s) => s.length > 0) };
}

/** Replaces `${NAME}` and `${NAME:-fallback}` in every string scalar; `$${` stays a literal `${`. */
function substituteEnv(doc: Document, env: Record<string, string | undefined>, report: (node: Node, message: string) => void) {
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value !== "string" || !node.value.includes("${")) return;
      const original = node.value;
      const replaced = original.replace(/\$?\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (match, name: string, fallback: string | undefined) => {
        if (match.startsWith("$$")) return match.slice(1);
        const value = env[name];
        if (value !== undefined && value !== "") return value;
        if (fallback !== undefined) return fallback;
        report(node, `environment variable ${name} is not set`);
        return "";
      });
      // A whole-value substitution may be a number or boolean ("port: ${PORT}").
      if (/^\$\{[^}]+\}$/.test(original)) {
        if (/^-?\d+(\.\d+)?$/.test(replaced)) node.value = Number(replaced);
        else if (replaced === "true" || replaced === "false") node.value = replaced === "true";
        else node.value = replaced;
      } else node.value = replaced;
    },
  });
}

/** JSON pointer for path segments, as TypeBox reports error paths. */
function toPointer(segments: (string | number)[]): string {
  return segments.map((s) => `/${String(s).replace(/~/g, "~0").replace(/\//g, "~1")}`).join("");
}

/** Places where the schema wants a list and the YAML has a mapping (or the reverse), with a message. */
function containerMismatches(schema: any, value: unknown, segments: (string | number)[]): { segments: (string | number)[]; message: string }[] {
  if (value === undefined || value === null || !schema) return [];
  const isList = Array.isArray(value);
  const isMapping = typeof value === "object" && !isList;
  if (schema.type === "array") {
    if (isMapping) return [{ segments, message: "expected a list (items starting with \"- \"), got a mapping" }];
    if (!isList) return [];
    return (value as unknown[]).flatMap((item, index) => containerMismatches(schema.items, item, [...segments, index]));
  }
  if (schema.type === "object") {
    if (isList) return [{ segments, message: "expected a mapping of keys, got a list" }];
    if (!isMapping) return [];
    const found: { segments: (string | number)[]; message: string }[] = [];
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      const childSchema = schema.properties?.[key] ?? (schema.patternProperties ? Object.values(schema.patternProperties)[0] : undefined);
      found.push(...containerMismatches(childSchema, child, [...segments, key]));
    }
    return found;
  }
  return [];
}

/** Schema of the value at a path (object properties, array items, record values), if it can be found. */
function schemaAt(schema: any, segments: (string | number)[]): any {
  let current = schema;
  for (const segment of segments) {
    if (!current) return undefined;
    if (typeof segment === "number" && current.items) current = current.items;
    else if (current.properties?.[segment]) current = current.properties[segment];
    else if (current.patternProperties) current = Object.values(current.patternProperties)[0];
    else return undefined;
  }
  return current;
}

/** Gives a plugin's top-level option schema `additionalProperties: false` unless it chose otherwise. */
function strictObject(schema: TSchema): TSchema {
  if ((schema as any).type === "object" && (schema as any).additionalProperties === undefined) return { ...schema, additionalProperties: false } as TSchema;
  return schema;
}

/**
 * Replaces `KEY_file: path` with `KEY: <file contents>` where the schema has a `KEY` and no
 * `KEY_file` of its own (so real file options like `cert_file` keep their meaning).
 */
function resolveSecretFiles(value: any, schema: any, path: (string | number)[], baseDir: string, secrets: string[], report: (segments: (string | number)[], message: string) => void) {
  if (!value || typeof value !== "object") return;
  if (Array.isArray(value)) {
    value.forEach((item, index) => resolveSecretFiles(item, schema?.items, [...path, index], baseDir, secrets, report));
    return;
  }
  const properties = schema?.properties ?? {};
  for (const key of Object.keys(value)) {
    const child = value[key];
    if (key.endsWith("_file") && !(key in properties)) {
      const base = key.slice(0, -"_file".length);
      if (!(base in properties) && schema?.additionalProperties === false) continue; // reported as unknown key
      if (schema?.additionalProperties === true) continue; // open object: its plugin's schema decides later
      if (base in value) {
        report([...path, key], `set either ${base} or ${key}, not both`);
        delete value[key]; // reported here; not again as an unknown key
        continue;
      }
      if (typeof child !== "string" || child === "") {
        report([...path, key], "expected the path of a file holding the secret");
        continue;
      }
      const file = isAbsolute(child) ? child : resolve(baseDir, child);
      try {
        const secret = readFileSync(file, "utf8").replace(/\r?\n$/, "");
        secrets.push(secret);
        value[base] = secret;
        delete value[key];
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? "";
        const reason = { ENOENT: "no such file", EACCES: "permission denied", EISDIR: "it is a folder, not a file" }[code] ?? (error as Error).message;
        report([...path, key], `cannot read secret file ${JSON.stringify(file)}: ${reason}`);
        delete value[key];
      }
      continue;
    }
    const childSchema = properties[key] ?? (schema?.patternProperties ? Object.values(schema.patternProperties)[0] : undefined);
    if (childSchema?.secret && typeof child === "string") secrets.push(child);
    resolveSecretFiles(child, childSchema, [...path, key], baseDir, secrets, report);
  }
}

/** Adds values of schema fields marked `secret: true` to the list the logger redacts. */
function collectSchemaSecrets(value: any, schema: any, secrets: string[]) {
  if (!value || typeof value !== "object" || !schema) return;
  if (Array.isArray(value)) return value.forEach((item) => collectSchemaSecrets(item, schema.items, secrets));
  for (const [key, childSchema] of Object.entries<any>(schema.properties ?? {})) {
    if (childSchema?.secret && typeof value[key] === "string") secrets.push(value[key]);
    else collectSchemaSecrets(value[key], childSchema, secrets);
  }
}

/** Start offset of the node at a path, or of its key when `preferKey`; falls back to the nearest existing ancestor. */
function locateNode(doc: Document, segments: (string | number)[], preferKey: boolean): number | undefined {
  for (let depth = segments.length; depth >= 0; depth--) {
    const parentPath = segments.slice(0, Math.max(0, depth - 1));
    if (depth === 0) return (doc.contents as Node | null)?.range?.[0] ?? 0;
    const parent = parentPath.length ? doc.getIn(parentPath, true) : doc.contents;
    const last = segments[depth - 1]!;
    if (isMap(parent)) {
      const pair = (parent as YAMLMap).items.find((item) => isScalar(item.key) && String(item.key.value) === String(last));
      if (pair) {
        const keyNode = pair.key as Node;
        const valueNode = pair.value as Node | null;
        if ((preferKey && depth === segments.length) || !valueNode?.range) return keyNode.range?.[0];
        return valueNode.range[0];
      }
    } else if (isSeq(parent) && typeof last === "number") {
      const item = parent.items[last] as Node | undefined;
      if (item?.range) return item.range[0];
    }
  }
  return 0;
}

/** Path of segments leading to a node, for messages about substitution problems. */
function nodePath(doc: Document, target: Node): (string | number)[] {
  let found: (string | number)[] = [];
  const walk = (node: unknown, path: (string | number)[]) => {
    if (node === target) found = path;
    else if (isMap(node)) node.items.forEach((pair) => isPair(pair) && walk(pair.value, [...path, String((pair.key as any)?.value)]));
    else if (isSeq(node)) node.items.forEach((item, i) => walk(item, [...path, i]));
  };
  walk(doc.contents, []);
  return found;
}
