/**
 * The built-in plugins compiled into the binary. A compiled binary cannot scan folders, so every
 * plugin folder `plugins/<kind>-<name>/` is imported here and added to the list:
 *
 *   import demoLoadboard from "./loadboard-demo";
 *   export const builtinPlugins: AnyPluginDefinition[] = [demoLoadboard];
 *
 * Extra plugins that are not built in go in `plugins_dir` (see src/plugins/external.ts).
 */
import type { AnyPluginDefinition } from "../src/plugins/types";

/** Every built-in plugin, each made with `definePlugin` (names must be unique). */
export const builtinPlugins: AnyPluginDefinition[] = [];
