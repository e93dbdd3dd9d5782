/**
 * The built-in plugins compiled into the binary. A compiled binary cannot scan folders, so every
 * plugin folder `plugins/<kind>-<name>/` is imported here and added to the list.
 * Extra plugins that are not built in go in `plugins_dir` (see src/plugins/external.ts).
 */
import type { AnyPluginDefinition } from "../src/plugins/types";
import loadboardCsv from "./loadboard-csv";
import loadboardDemo from "./loadboard-demo";
import loadboardHttpJson from "./loadboard-http-json";
import telemetryJ1939 from "./telemetry-j1939";
import telemetryJson from "./telemetry-json";
import telemetryOsmand from "./telemetry-osmand";
import telemetryOwntracks from "./telemetry-owntracks";
import telemetrySim from "./telemetry-sim";

/** Every built-in plugin, each made with `definePlugin` (names must be unique). */
export const builtinPlugins: AnyPluginDefinition[] = [telemetryJ1939, telemetryJson, telemetryOwntracks, telemetryOsmand, telemetrySim, loadboardDemo, loadboardHttpJson, loadboardCsv];
