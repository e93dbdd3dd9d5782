/**
 * `definePlugin`: how every plugin — built in or an external file — declares itself. It checks the
 * definition at once, so a malformed plugin fails where it is written (or, for an external file,
 * is reported as a config error naming the file) instead of when a source first runs.
 *
 *   export default definePlugin({
 *     kind: "loadboard", name: "demo", version: "1.0.0",
 *     configSchema: Type.Object({ count: Type.Integer({ default: 10 }) }),
 *     create: ({ options }) => ({ poll: async () => ({ loads: [] }) }),
 *   });
 */
import { Kind, Type, type TSchema } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { VERSION } from "../version";
import { PLUGIN_KINDS, type AnyPluginDefinition, type LoadboardPlugin, type NotifierPlugin, type PluginDefinition, type TelemetryDecodePlugin, type TelemetryPullPlugin, type TelemetryPushPlugin } from "./types";
import { DecodeError } from "../ingest/records";
import { LoadboardOutputSchema, NotifierMessageSchema, TelemetryOutputSchema } from "./types";

/** Pattern a plugin name must match (it is the `plugin:` value in the YAML). */
export const PLUGIN_NAME_PATTERN = /^[a-z][a-z0-9-]{0,62}$/;

/** A definition that does not describe a usable plugin; `problems` lists every reason. */
export class PluginDefinitionError extends Error {
  constructor(readonly problems: string[], name?: string) {
    super(`${name ? `plugin ${JSON.stringify(name)}` : "plugin definition"} is not valid: ${problems.join("; ")}`);
    this.name = "PluginDefinitionError";
  }
}

/** Every reason `value` is not a usable plugin definition (empty when it is one). */
export function definitionProblems(value: unknown): string[] {
  if (!value || typeof value !== "object" || Array.isArray(value)) return [`expected an object from definePlugin({ kind, name, version, configSchema, create }), got ${describe(value)}`];
  const definition = value as Record<string, unknown>;
  const problems: string[] = [];
  if (!PLUGIN_KINDS.includes(definition.kind as never)) problems.push(`kind must be one of ${PLUGIN_KINDS.join(", ")} (got ${describe(definition.kind)})`);
  if (typeof definition.name !== "string" || !PLUGIN_NAME_PATTERN.test(definition.name)) problems.push(`name must be lowercase letters, digits and dashes, starting with a letter (got ${describe(definition.name)})`);
  if (typeof definition.version !== "string" || !definition.version.trim()) problems.push(`version must be a non-empty string (got ${describe(definition.version)})`);
  if (definition.description !== undefined && typeof definition.description !== "string") problems.push("description must be text");
  if (definition.kind === "telemetry" && definition.mode !== "push" && definition.mode !== "pull" && definition.mode !== "decode") problems.push(`a telemetry plugin needs mode: "push" (start/stop), "pull" (poll on a schedule) or "decode" (the core's MQTT or HTTP ingest hands it messages) (got ${describe(definition.mode)})`);
  if (definition.kind === "telemetry" && definition.mode === "decode") {
    if (definition.transport !== "mqtt" && definition.transport !== "http") problems.push(`a decode plugin needs transport: "mqtt" or "http" (got ${describe(definition.transport)})`);
    else {
      // The ingest reads where messages come from out of the source's options: the schema must offer it, with a default.
      const key = definition.transport === "mqtt" ? "topic" : "path";
      const property = (definition.configSchema as { properties?: Record<string, { default?: unknown; type?: string }> } | undefined)?.properties?.[key];
      if (!property || property.type !== "string" || typeof property.default !== "string") problems.push(`a decode plugin with transport "${definition.transport}" needs a "${key}" text option with a default in its configSchema`);
    }
  }
  if (definition.kind === "telemetry" && definition.mode !== "decode" && definition.transport !== undefined) problems.push(`transport is only for decode plugins`);
  if (definition.kind !== "telemetry" && definition.mode !== undefined) problems.push(`mode is only for telemetry plugins`);
  if (typeof definition.create !== "function") problems.push(`create must be a function returning the plugin instance (got ${describe(definition.create)})`);
  const schema = definition.configSchema as TSchema | undefined;
  if (!schema || typeof schema !== "object" || !(Kind in schema)) {
    problems.push("configSchema must be a TypeBox schema, like Type.Object({ ... }) (use Type.Object({}) for no options)");
  } else if ((schema as { type?: string }).type !== "object") {
    problems.push("configSchema must be an object schema (Type.Object), since a source's options are keys");
  } else {
    try {
      Value.Check(schema, Value.Default(schema, {}));
    } catch (error) {
      problems.push(`configSchema cannot be used: ${(error as Error).message}`);
    }
  }
  return problems;
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (typeof value === "function") return "a function";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "an object";
  return JSON.stringify(value);
}

/** Declares a plugin; throws PluginDefinitionError listing every problem when the definition is not usable. */
export function definePlugin<S extends TSchema>(definition: TelemetryPushPlugin<S>): TelemetryPushPlugin<S>;
export function definePlugin<S extends TSchema>(definition: TelemetryPullPlugin<S>): TelemetryPullPlugin<S>;
export function definePlugin<S extends TSchema>(definition: TelemetryDecodePlugin<S>): TelemetryDecodePlugin<S>;
export function definePlugin<S extends TSchema>(definition: LoadboardPlugin<S>): LoadboardPlugin<S>;
export function definePlugin<S extends TSchema>(definition: NotifierPlugin<S>): NotifierPlugin<S>;
export function definePlugin<S extends TSchema>(definition: PluginDefinition<S>): PluginDefinition<S> {
  const problems = definitionProblems(definition);
  if (problems.length) throw new PluginDefinitionError(problems, typeof (definition as { name?: unknown })?.name === "string" ? (definition as { name: string }).name : undefined);
  return definition;
}

/**
 * What an external plugin file gets, either as `import { definePlugin, Type } from "haulbox"` or
 * as the argument of a default-exported function `(api) => definition`. Both work from the compiled
 * binary, where bare imports cannot be resolved from disk.
 */
export const pluginApi = Object.freeze({
  /** Declares a plugin (the same function built-in plugins use). */
  definePlugin,
  /** TypeBox's builder, for `configSchema`. */
  Type,
  /** The same builder under the name Elysia code uses. */
  t: Type,
  /** Output schemas results are validated against. */
  schemas: Object.freeze({ telemetry: TelemetryOutputSchema, loadboard: LoadboardOutputSchema, notifierMessage: NotifierMessageSchema }),
  /** Throw this from a decoder for a payload it cannot use: the message becomes a dead letter with the reason. */
  DecodeError,
  /** Version of the plugin API (bumped on breaking changes). */
  apiVersion: 1,
  /** Version of the running Haulbox. */
  haulboxVersion: VERSION,
});

/** The API object an external plugin receives. */
export type PluginApi = typeof pluginApi;

/** True for the kinds of value definePlugin returns (for callers holding `unknown`). */
export function isPluginDefinition(value: unknown): value is AnyPluginDefinition {
  return definitionProblems(value).length === 0;
}
