/** External plugins from plugins_dir: both file forms load, every kind of broken file is reported by name, nothing throws. */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { loadExternalPlugins } from "../../src/plugins/external";
import { PluginCatalog } from "../../src/plugins/registry";
import { builtinPlugins } from "../../plugins/index";
import { fixturePlugins } from "../fixtures/plugins";
import { validateConfigText } from "../../src/config/load";
import { formatConfigError } from "../../src/config/errors";
import { tempDir } from "../helpers/app";

const FIXTURES = resolve(import.meta.dir, "../fixtures/plugins/external");
const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function pluginDir(files: Record<string, string>): string {
  const dir = tempDir("haulbox-plugins-");
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const GOOD_FUNCTION_FORM = `export default ({ definePlugin, Type }) => definePlugin({
  kind: "telemetry", mode: "pull", name: "NAME", version: "2.0.0",
  configSchema: Type.Object({ url: Type.String() }),
  create: ({ options }) => ({ poll: async () => ({ records: [{ url: options.url }] }) }),
});
`;

describe("External plugin files", () => {
  test("loads the function form and the `import from \"haulbox\"` form from a folder", async () => {
    const result = await loadExternalPlugins(FIXTURES);
    expect(result.errors).toEqual([]);
    expect(result.plugins.map((p) => [p.definition.name, p.definition.kind, p.file])).toEqual([
      ["echo-board", "loadboard", join(FIXTURES, "echo-board.ts")],
      ["module-import", "notifier", join(FIXTURES, "module-import.ts")],
    ]);
    const echo = result.plugins[0]!.definition;
    const instance = (await echo.create({ sourceId: "x", options: { origin: "Tulsa, OK", rate_cents_per_mile: 275 }, log: null as never, signal: new AbortController().signal, services: { provisionDemoDevice: async () => null } })) as { poll(): Promise<unknown> };
    expect(await instance.poll()).toEqual({ loads: [{ origin: "Tulsa, OK", rate_cents_per_mile: 275 }] });
  });

  test("every broken file is a config error naming the file; good files beside them still load", async () => {
    const dir = pluginDir({
      "a-good.js": GOOD_FUNCTION_FORM.replace("NAME", "gps-poller"),
      "b-syntax.ts": 'import { definePlugin } from "haulbox";\nconst broken: number = ;\nexport default broken;\n',
      "c-throws.js": "const ready = true;\nthrow new Error('missing API key at import');\n",
      "d-bad-definition.js": 'export default { kind: "loadboard", name: "Bad Name", version: "" };\n',
      "e-no-default.js": "export const plugin = 1;\n",
      "f-define-throws.ts": 'import { definePlugin, Type } from "haulbox";\nexport default definePlugin({ kind: "telemetry", name: "no-mode", version: "1", configSchema: Type.Object({}), create: () => ({}) } as never);\n',
      "g-bare-import.ts": 'import left from "left-pad";\nexport default left;\n',
      "h-clash.js": GOOD_FUNCTION_FORM.replace("NAME", "test-good"),
      "i-duplicate.js": GOOD_FUNCTION_FORM.replace("NAME", "gps-poller"),
      "_helper.js": "throw new Error('helpers are not plugins and are not loaded');\n",
      "notes.txt": "not a plugin",
      "multi/index.ts": GOOD_FUNCTION_FORM.replace("NAME", "multi-file"),
    });
    const catalog = new PluginCatalog(fixturePlugins);
    const { registry, errors } = await catalog.load({ plugins_dir: dir });
    expect(registry.get("gps-poller")?.origin).toBe(join(dir, "a-good.js"));
    expect(registry.get("multi-file")?.origin).toBe(join(dir, "multi/index.ts"));
    expect(registry.get("test-good")?.origin).toBe("builtin");
    const byFile = Object.fromEntries(errors.map((error) => [error.file.slice(dir.length + 1), formatConfigError(error)]));
    expect(Object.keys(byFile).sort()).toEqual(["b-syntax.ts", "c-throws.js", "d-bad-definition.js", "e-no-default.js", "f-define-throws.ts", "g-bare-import.ts", "h-clash.js", "i-duplicate.js"]);
    expect(byFile["b-syntax.ts"]).toStartWith(`${join(dir, "b-syntax.ts")}:2:24 cannot load this plugin file: syntax error: Unexpected ;`);
    expect(byFile["c-throws.js"]).toBe(`${join(dir, "c-throws.js")}:2:11 cannot load this plugin file: missing API key at import`);
    expect(byFile["d-bad-definition.js"]).toContain("not a plugin definition: name must be lowercase letters");
    expect(byFile["d-bad-definition.js"]).toContain("version must be a non-empty string");
    expect(byFile["d-bad-definition.js"]).toContain("create must be a function");
    expect(byFile["e-no-default.js"]).toContain("the file has no default export");
    expect(byFile["f-define-throws.ts"]).toContain('a telemetry plugin needs mode: "push"');
    expect(byFile["g-bare-import.ts"]).toContain("left-pad");
    expect(byFile["h-clash.js"]).toContain('plugin name "test-good" is already used by a built-in plugin');
    expect(byFile["i-duplicate.js"]).toContain(`plugin name "gps-poller" is already used by the plugin file ${join(dir, "a-good.js")}`);
  });

  test("a missing plugins_dir is one error, not a crash", async () => {
    const result = await loadExternalPlugins("/nonexistent/haulbox-plugins");
    expect(result.plugins).toEqual([]);
    expect(result.errors).toHaveLength(1);
    expect(formatConfigError(result.errors[0]!)).toBe("/nonexistent/haulbox-plugins:1:1 plugins_dir: cannot read the plugins folder: the folder does not exist");
  });

  test("a reload re-imports an edited file and reuses an unchanged one", async () => {
    const dir = pluginDir({ "a.js": GOOD_FUNCTION_FORM.replace("NAME", "edited").replace("2.0.0", "1.0.0"), "b.js": GOOD_FUNCTION_FORM.replace("NAME", "unchanged") });
    const first = await loadExternalPlugins(dir);
    writeFileSync(join(dir, "a.js"), GOOD_FUNCTION_FORM.replace("NAME", "edited").replace("2.0.0", "1.1.0"));
    utimesSync(join(dir, "a.js"), new Date(), new Date(Date.now() + 5_000));
    const second = await loadExternalPlugins(dir);
    expect(second.plugins[0]!.definition.version).toBe("1.1.0");
    expect(second.plugins[1]!.definition).toBe(first.plugins[1]!.definition);
  });
});

describe("Plugin options in the YAML", () => {
  const check = async (yaml: string, pluginsDir?: string) => {
    const catalog = new PluginCatalog([...builtinPlugins, ...fixturePlugins]);
    const baseDir = pluginsDir ?? tempDir();
    if (!pluginsDir) dirs.push(baseDir);
    const result = await validateConfigText(yaml, { label: "haulbox.yaml", baseDir, cwd: baseDir, env: {}, plugins: catalog.resolver });
    return { result, errors: result.ok ? [] : result.errors.map(formatConfigError), catalog };
  };

  test("each source's options are validated against its plugin's schema with file:line:column", async () => {
    const { errors } = await check(
      [
        "sources:",
        "  - id: board",
        "    plugin: test-good",
        '    schedule: "*/5 * * * *"',
        "    cuont: 3",
        "  - id: board2",
        "    plugin: test-good",
        '    schedule: "*/5 * * * *"',
        "    count: many",
        "  - id: board3",
        "    plugin: test-goood",
        "  - id: board4",
        "    plugin: test-throws",
      ].join("\n"),
    );
    expect(errors).toEqual([
      'haulbox.yaml:5:5 sources[0].cuont: unknown key (did you mean "count"?)',
      'haulbox.yaml:9:12 sources[1].count: expected a whole number, got "many"',
      `haulbox.yaml:11:13 sources[2].plugin: unknown plugin "test-goood" (did you mean "test-good"?); available: ${[...builtinPlugins, ...fixturePlugins].map((plugin) => plugin.name).sort().join(", ")}`,
      'haulbox.yaml:12:5 sources[3]: plugin test-throws polls on a schedule: add "schedule:" with a cron expression',
    ]);
  });

  test("defaults from the plugin's schema are applied to a valid source", async () => {
    const { result } = await check(["sources:", "  - id: board", "    plugin: test-good", '    schedule: "0 * * * *"'].join("\n"));
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.config.sources[0]).toEqual({ id: "board", plugin: "test-good", enabled: true, schedule: "0 * * * *", options: { count: 2 } });
  });

  test("a plugin from plugins_dir validates like a built-in, and a broken plugin file is a config error", async () => {
    const dir = pluginDir({ "echo-board.ts": await Bun.file(join(FIXTURES, "echo-board.ts")).text().then((text) => text.replace(/^import type .*$/m, "")), "broken.js": "export default {\n" });
    const { errors, catalog } = await check(["plugins_dir: .", "sources:", "  - id: echo", "    plugin: echo-board", '    schedule: "0 * * * *"', "    origin: X"].join("\n"), dir);
    expect(errors).toHaveLength(2);
    expect(errors[0]).toStartWith(`${join(dir, "broken.js")}:`);
    expect(errors[0]).toContain("cannot load this plugin file: syntax error");
    expect(errors[1]).toBe('haulbox.yaml:6:13 sources[0].origin: is shorter than 2 characters');
    expect(catalog.current().get("echo-board")?.origin).toBe(join(dir, "echo-board.ts"));
  });
});

