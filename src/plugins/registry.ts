/**
 * Which plugins exist: the built-in ones (plugins/index.ts, compiled into the binary) plus the
 * external files in `plugins_dir`. The catalog gives the config loader its PluginResolver and
 * remembers the registry of the last configuration it resolved, which the host runs sources from.
 *
 * Wiring (the server does this; testApp too):
 *   const catalog = new PluginCatalog(builtinPlugins);
 *   await loadConfig({ ..., plugins: catalog.resolver });
 *   const host = new PluginHost({ registry: () => catalog.current(), ... });
 */
import type { ConfigError } from "../config/errors";
import type { PluginResolver, PluginSchemaInfo } from "../config/load";
import type { Config } from "../config/schema";
import { definitionProblems } from "./define";
import { loadExternalPlugins, type ExternalLoadResult } from "./external";
import { requiresSchedule, type AnyPluginDefinition } from "./types";

/** A known plugin and where it came from. */
export interface RegisteredPlugin {
  definition: AnyPluginDefinition;
  /** "builtin", or the path of the external file. */
  origin: "builtin" | string;
}

/** An immutable set of plugins by name. */
export class PluginRegistry {
  private readonly byName: Map<string, RegisteredPlugin>;

  constructor(entries: RegisteredPlugin[] = []) {
    this.byName = new Map(entries.map((entry) => [entry.definition.name, entry]));
  }

  /** The plugin with this name, or undefined. */
  get(name: string): RegisteredPlugin | undefined {
    return this.byName.get(name);
  }

  /** Every plugin name, sorted. */
  names(): string[] {
    return [...this.byName.keys()].sort();
  }

  /** Every plugin, sorted by name. */
  list(): RegisteredPlugin[] {
    return this.names().map((name) => this.byName.get(name)!);
  }

  /** What the config loader needs to validate a source of this plugin. */
  schemaInfo(name: string): PluginSchemaInfo | undefined {
    const entry = this.byName.get(name);
    if (!entry) return undefined;
    const { definition } = entry;
    const ingest = definition.kind === "telemetry" && definition.mode === "decode" ? definition.transport : undefined;
    return { configSchema: definition.configSchema, requiresSchedule: requiresSchedule(definition), ingest };
  }
}

/**
 * Checks the built-in list: every entry a valid definition, no two with one name. These are
 * programming errors, so they throw (a test runs this over plugins/index.ts).
 */
export function checkBuiltins(builtins: readonly AnyPluginDefinition[]): void {
  const seen = new Set<string>();
  for (const definition of builtins) {
    const problems = definitionProblems(definition);
    if (problems.length) throw new Error(`built-in plugin ${JSON.stringify((definition as { name?: unknown })?.name)} is not valid: ${problems.join("; ")}`);
    if (seen.has(definition.name)) throw new Error(`two built-in plugins are called ${JSON.stringify(definition.name)}`);
    seen.add(definition.name);
  }
}

/** Merges built-ins and external plugins; an external name already taken is an error naming its file. */
export function buildRegistry(builtins: readonly AnyPluginDefinition[], external: ExternalLoadResult = { plugins: [], errors: [] }): { registry: PluginRegistry; errors: ConfigError[] } {
  const entries = new Map<string, RegisteredPlugin>(builtins.map((definition) => [definition.name, { definition, origin: "builtin" }]));
  const errors = [...external.errors];
  for (const plugin of external.plugins) {
    const taken = entries.get(plugin.definition.name);
    if (taken) {
      const by = taken.origin === "builtin" ? "a built-in plugin" : `the plugin file ${taken.origin}`;
      errors.push({ file: plugin.file, line: 1, column: 1, path: "", message: `plugin name ${JSON.stringify(plugin.definition.name)} is already used by ${by}: give this plugin another name` });
      continue;
    }
    entries.set(plugin.definition.name, { definition: plugin.definition, origin: plugin.file });
  }
  return { registry: new PluginRegistry([...entries.values()]), errors };
}

/** Built-ins plus the external plugins of the last resolved config; hands the config loader its resolver. */
export class PluginCatalog {
  private latest: PluginRegistry;

  constructor(
    private readonly builtins: readonly AnyPluginDefinition[],
    private readonly loadExternal: (dir: string) => Promise<ExternalLoadResult> = loadExternalPlugins,
  ) {
    checkBuiltins(builtins);
    this.latest = buildRegistry(builtins).registry;
  }

  /**
   * The plugins of the most recently resolved config. ConfigStore only switches to a config that
   * validated, and a reload that fails is not applied, so read this when a config takes effect.
   */
  current(): PluginRegistry {
    return this.latest;
  }

  /** Loads the plugins for a config (built-ins plus its plugins_dir) and returns the registry and any errors. */
  async load(core: Pick<Config, "plugins_dir">): Promise<{ registry: PluginRegistry; errors: ConfigError[] }> {
    const external = core.plugins_dir ? await this.loadExternal(core.plugins_dir) : undefined;
    return buildRegistry(this.builtins, external);
  }

  /** The PluginResolver for loadConfig / validateConfigText. */
  readonly resolver: PluginResolver = async (core) => {
    const { registry, errors } = await this.load(core);
    this.latest = registry;
    return { lookup: (name) => registry.schemaInfo(name), names: registry.names(), errors };
  };
}
