/**
 * SIGHUP reloads the config file: a valid new file takes effect, an invalid one is rejected with
 * its errors logged while the running config stays. In-process through ConfigStore, and against
 * the real server process.
 */
import { afterAll, describe, expect, test, setDefaultTimeout } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig, type LoadOptions } from "../../src/config/load";
import { ConfigStore } from "../../src/config/store";
import { makeTempDir, sourceCommand, startProcess, stopAll, type AppProcess } from "../helpers/server";

// Each test starts real processes; a busy 2-core machine needs more than the 5 s default.
setDefaultTimeout(30_000);

/** Waits for a log line written after line number `mark` that matches. */
async function logAfter(app: AppProcess, mark: number, match: (record: Record<string, any>) => boolean, timeoutMs = 5000): Promise<Record<string, any>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const line of app.lines.slice(mark)) {
      const record = line.startsWith("{") ? JSON.parse(line) : null;
      if (record && match(record)) return record;
    }
    if (Date.now() > deadline) throw new Error(`no matching log line after line ${mark}:\n${app.lines.slice(mark).join("\n")}`);
    await Bun.sleep(20);
  }
}

const dirs: string[] = [];
afterAll(async () => {
  await stopAll();
  dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true }));
});

describe("ConfigStore.reload", () => {
  test("swaps in a valid file and tells listeners; rejects an invalid one and keeps the old config", async () => {
    const dir = mkdtempSync(join(tmpdir(), "haulbox-reload-"));
    dirs.push(dir);
    const file = join(dir, "haulbox.yaml");
    writeFileSync(file, "log:\n  level: info\n");
    const options: LoadOptions = { path: file, cwd: dir, env: {} };
    const first = await loadConfig(options);
    if (!first.ok) throw new Error("fixture invalid");
    const store = new ConfigStore(first.config, first.file, options, first.secrets);
    const changes: string[] = [];
    store.onChange((next, previous) => changes.push(`${previous.log.level}->${next.log.level}`));

    writeFileSync(file, "log:\n  level: debug\n");
    expect(await store.reload()).toEqual({ ok: true });
    expect(store.current().log.level).toBe("debug");
    expect(changes).toEqual(["info->debug"]);

    writeFileSync(file, "log:\n  level: loud\ntimezone: Nowhere/Land\n");
    const rejected = await store.reload();
    expect(rejected.ok).toBe(false);
    expect(!rejected.ok && rejected.errors).toEqual([
      'haulbox.yaml:2:10 log.level: "loud" is not one of: debug, info, warn, error',
      'haulbox.yaml:3:11 timezone: "Nowhere/Land" is not an IANA timezone (like "America/Chicago")',
    ]);
    expect(store.current().log.level).toBe("debug");
    expect(changes).toEqual(["info->debug"]);
  });
});

describe("SIGHUP on the running server", () => {
  test("a valid file is reloaded (new log level in force); an invalid one is rejected and the server keeps serving", async () => {
    const cwd = makeTempDir("haulbox-sighup-");
    dirs.push(cwd);
    const file = join(cwd, "haulbox.yaml");
    writeFileSync(file, "log:\n  level: info\n");
    const app = await startProcess({ cmd: sourceCommand(), cwd, args: ["--config", file] });
    const isHealthzRequest = (r: Record<string, any>) => r.msg === "request" && r.route === "/healthz";

    // At info level a request writes no debug line.
    let mark = app.lines.length;
    await (await fetch(`${app.url}/healthz`)).json();
    await Bun.sleep(100);
    expect(app.logs().slice(mark).some(isHealthzRequest)).toBe(false);

    // A valid change: debug level.
    writeFileSync(file, "log:\n  level: debug\n");
    mark = app.lines.length;
    process.kill(app.pid, "SIGHUP");
    const reloaded = await logAfter(app, mark, (r) => r.msg === "configuration reloaded");
    expect(reloaded.level).toBe("info");
    mark = app.lines.length;
    await (await fetch(`${app.url}/healthz`)).json();
    await logAfter(app, mark, isHealthzRequest);

    // An invalid file: rejected with every error logged; the old config (debug) stays in force.
    writeFileSync(file, "log:\n  level: loud\ntimezone: Nowhere/Land\n");
    mark = app.lines.length;
    process.kill(app.pid, "SIGHUP");
    const rejected = await logAfter(app, mark, (r) => typeof r.msg === "string" && r.msg.startsWith("configuration reload rejected"));
    expect(rejected.level).toBe("error");
    const errors = rejected.errors as string[];
    expect(errors).toHaveLength(2);
    expect(errors[0]).toEndWith('haulbox.yaml:2:10 log.level: "loud" is not one of: debug, info, warn, error');
    expect(errors[1]).toContain('timezone: "Nowhere/Land" is not an IANA timezone');

    mark = app.lines.length;
    const health = await fetch(`${app.url}/healthz`);
    expect(health.status).toBe(200);
    expect(((await health.json()) as { ok: boolean }).ok).toBe(true);
    // Still at debug: the request was logged.
    await logAfter(app, mark, isHealthzRequest);

    expect(await app.stop()).toBe(0);
  }, 30_000);
});
