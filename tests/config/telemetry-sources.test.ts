/**
 * Telemetry sources in the YAML, checked against the built-in plugins: a topic without exactly
 * one {device} level, an HTTP path outside /ingest/ or used twice, and --no-demo.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../src/config/load";
import { formatConfigError } from "../../src/config/errors";
import { PluginCatalog } from "../../src/plugins/registry";
import { builtinPlugins } from "../../plugins/index";

const root = mkdtempSync(join(tmpdir(), "haulbox-telemetry-config-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function errorsOf(yaml: string, overrides = {}): Promise<string[]> {
  writeFileSync(join(root, "haulbox.yaml"), yaml);
  const result = await loadConfig({ path: "haulbox.yaml", cwd: root, env: {}, overrides, plugins: new PluginCatalog(builtinPlugins).resolver });
  return result.ok ? [] : result.errors.map(formatConfigError);
}

describe("telemetry sources", () => {
  test("a topic needs exactly one {device} level; an HTTP path lives under /ingest/ and once", async () => {
    const yaml = [
      "sources:",
      "  - id: can",
      "    plugin: telemetry-j1939",
      "    topic: fleet/+/can",
      "  - id: phones",
      "    plugin: telemetry-owntracks",
      "    topic: owntracks/{device}/{device}",
      "  - id: traccar",
      "    plugin: telemetry-osmand",
      "    path: /osmand",
      "  - id: traccar2",
      "    plugin: telemetry-osmand",
      "  - id: traccar3",
      "    plugin: telemetry-osmand",
      "",
    ].join("\n");
    expect(await errorsOf(yaml)).toEqual([
      'haulbox.yaml:4:12 sources[0].topic: the topic "fleet/+/can" must have exactly one level that is {device} (like "fleet/{device}/can")',
      'haulbox.yaml:7:12 sources[1].topic: the topic "owntracks/{device}/{device}" must have exactly one level that is {device} (like "fleet/{device}/can")',
      'haulbox.yaml:10:11 sources[2].path: "/osmand" must be a path under /ingest/, like "/ingest/osmand"',
      "haulbox.yaml:13:5 sources[4].path: the path /ingest/osmand is already used by sources[3]",
    ]);
  });

  test("the default topics and path are valid", async () => {
    expect(await errorsOf("sources:\n  - id: a\n    plugin: telemetry-j1939\n  - id: b\n    plugin: telemetry-owntracks\n  - id: c\n    plugin: telemetry-osmand\n  - id: d\n    plugin: telemetry-json\n")).toEqual([]);
  });

  test("--no-demo drops the demo fleet from any config, not only the embedded one", async () => {
    writeFileSync(join(root, "haulbox.yaml"), "sources:\n  - id: sim\n    plugin: telemetry-sim\n  - id: can\n    plugin: telemetry-j1939\n");
    const result = await loadConfig({ path: "haulbox.yaml", cwd: root, env: {}, overrides: { no_demo: true }, plugins: new PluginCatalog(builtinPlugins).resolver });
    expect(result.ok && result.config.sources.map((s) => s.id)).toEqual(["can"]);
    const viaEnv = await loadConfig({ path: "haulbox.yaml", cwd: root, env: { HAULBOX_NO_DEMO: "1" }, plugins: new PluginCatalog(builtinPlugins).resolver });
    expect(viaEnv.ok && viaEnv.config.sources.map((s) => s.id)).toEqual(["can"]);
  });

  test("--mqtt-listen overrides mqtt.listen and is checked", async () => {
    writeFileSync(join(root, "haulbox.yaml"), "mqtt:\n  listen: 0.0.0.0:1883\n");
    const result = await loadConfig({ path: "haulbox.yaml", cwd: root, env: {}, overrides: { mqtt_listen: "127.0.0.1:1999" } });
    expect(result.ok && result.config.mqtt.listen).toBe("127.0.0.1:1999");
    expect(await errorsOf("log:\n  level: info\n", { mqtt_listen: "nope" })).toEqual(['--mqtt-listen:1:1 mqtt.listen: "nope" is not HOST:PORT (like "127.0.0.1:1883")']);
  });
});
