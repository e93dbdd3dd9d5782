/** Config reloads reach the running host and scheduler; a reload with a broken plugin file is rejected and nothing changes. */
import { afterAll, expect, test } from "bun:test";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig, type LoadOptions } from "../../src/config/load";
import { ConfigStore } from "../../src/config/store";
import { Auth } from "../../src/auth/service";
import { openDatabase } from "../../src/db/open";
import { migrate } from "../../src/db/migrate";
import { createLogger } from "../../src/log";
import { Metrics } from "../../src/metrics/registry";
import { PluginCatalog } from "../../src/plugins/registry";
import { createRuntime, startRuntime, stopRuntime } from "../../src/plugins/runtime";
import { fixturePlugins } from "../fixtures/plugins";
import { tempDir } from "../helpers/app";

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

async function waitFor(check: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(10);
  }
}

const source = (id: string, count: number) => [`  - id: ${id}`, "    plugin: test-good", '    schedule: "0 0 1 1 *"', `    count: ${count}`].join("\n");

test("SIGHUP-style reload: sources are reconciled, job overrides applied, a broken plugin file rejects the reload", async () => {
  const dir = tempDir();
  dirs.push(dir);
  mkdirSync(join(dir, "plugins"));
  const file = join(dir, "haulbox.yaml");
  const write = (sources: string[], extra = "") => writeFileSync(file, [`data_dir: ${join(dir, "data")}`, "plugins_dir: ./plugins", extra, "sources:", ...sources].join("\n"));
  write([source("alpha", 1), source("beta", 2)]);

  const catalog = new PluginCatalog(fixturePlugins);
  const loadOptions: LoadOptions = { path: file, env: {}, plugins: catalog.resolver };
  const loaded = await loadConfig(loadOptions);
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  const config = new ConfigStore(loaded.config, loaded.file, loadOptions, loaded.secrets);
  const db = openDatabase(loaded.config.data_dir);
  migrate(db);
  const log = createLogger({ level: "error", write: () => {} });
  const runtime = createRuntime({ config, db, log, auth: new Auth(db, () => config.current()), metrics: new Metrics(), catalog, stopGraceMs: 20 });
  await startRuntime(runtime, config);
  const { host, scheduler } = runtime;
  try {
    await waitFor(() => host.list().every((s) => s.state === "ok"), "the first polls");
    expect(host.list().map((s) => [s.id, s.items])).toEqual([
      ["alpha", 1],
      ["beta", 2],
    ]);

    write([source("alpha", 5), source("gamma", 3)], "jobs:\n  session-cleanup:\n    enabled: false");
    expect(await config.reload()).toEqual({ ok: true });
    await waitFor(() => host.list().map((s) => s.id).join() === "alpha,gamma" && host.status("alpha")!.items === 6 && host.status("gamma")!.state === "ok", "the reload to apply");
    expect(scheduler.status("session-cleanup")).toMatchObject({ enabled: false, nextRunAt: null });

    // A plugin file that does not load makes the new config invalid: rejected, the running one stays.
    writeFileSync(join(dir, "plugins", "broken.js"), "export default {\n");
    write([source("delta", 1)]);
    const rejected = await config.reload();
    expect(rejected.ok).toBe(false);
    if (!rejected.ok) expect(rejected.errors.join("\n")).toContain(`${join(dir, "plugins", "broken.js")}:`);
    await Bun.sleep(20);
    expect(host.list().map((s) => s.id)).toEqual(["alpha", "gamma"]);
  } finally {
    await stopRuntime(runtime);
    db.close();
  }
});
