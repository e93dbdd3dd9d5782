/** `haulbox check-config` in a real process: every error and exit 1, or `config OK`, a summary and exit 0. */
import { afterAll, describe, expect, test, setDefaultTimeout } from "bun:test";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { runHaulbox } from "./run-haulbox";

// Each test starts real processes; a busy 2-core machine needs more than the 5 s default.
setDefaultTimeout(30_000);

const FIXTURES = resolve(import.meta.dir, "../fixtures/config");
const cwd = mkdtempSync(join(tmpdir(), "haulbox-check-config-"));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

describe("haulbox check-config", () => {
  test("a valid file: config OK and a summary of file, listen, data dir, timezone and sources", async () => {
    const run = await runHaulbox(["check-config", "--config", join(FIXTURES, "valid.yaml")], { cwd });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split("\n");
    expect(lines[0]).toBe("config OK");
    expect(lines).toContain(`  file:      ${join(FIXTURES, "valid.yaml")}`);
    expect(lines).toContain("  listen:    127.0.0.1:8181");
    expect(lines).toContain(`  data dir:  ${join(cwd, "fleet-data")}`);
    expect(lines).toContain("  timezone:  America/Chicago");
    expect(lines).toContain("  log level: warn");
    expect(lines).toContain("  sources:   2 (1 enabled)");
    expect(lines).toContain("    north-lanes  example-board  enabled   schedule */15 * * * *");
    expect(lines).toContain("    south-lanes  example-board  disabled  schedule 0 * * * *");
  });

  test("an invalid file: every error as file:line:column path: message, then exit 1", async () => {
    copyFileSync(join(FIXTURES, "many-errors.yaml"), join(cwd, "haulbox.yaml"));
    // With the plugins known (as the CLI always checks), the unknown plugin is a ninth error.
    try {
      // No --config: ./haulbox.yaml in the working directory is found, and named as such.
      const run = await runHaulbox(["check-config"], { cwd });
      expect(run.code).toBe(1);
      expect(run.stdout).toBe("");
      const lines = run.stderr.trimEnd().split("\n");
      expect(lines).toHaveLength(10);
      expect(lines[0]).toBe('haulbox.yaml:2:9 listen: "localhost" is not HOST:PORT (like "127.0.0.1:8080" or "0.0.0.0:8080")');
      expect(lines[2]).toBe('haulbox.yaml:5:3 log.levle: unknown key (did you mean "level"?)');
      expect(lines[7]).toStartWith("haulbox.yaml:15:9 sources[0].id:");
      expect(lines[8]).toStartWith('haulbox.yaml:16:13 sources[0].plugin: unknown plugin "no-such-board"');
      expect(lines[9]).toBe("9 errors in the configuration; nothing was done.");
    } finally {
      rmSync(join(cwd, "haulbox.yaml"));
    }
  });

  test("the issue's example, through HAULBOX_CONFIG: exactly that one error", async () => {
    const run = await runHaulbox(["check-config"], { cwd, env: { HAULBOX_CONFIG: join(FIXTURES, "issue-example.yaml") } });
    expect(run.code).toBe(1);
    const lines = run.stderr.trimEnd().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toStartWith(`${join(FIXTURES, "issue-example.yaml")}:14:15 sources[1].schedule: "every 5 min" is not a cron expression`);
    expect(lines[1]).toBe("1 error in the configuration; nothing was done.");
  });

  test("plugin options are checked against the plugin's schema: unknown options, missing ones, schedules, secret files", async () => {
    writeFileSync(
      join(cwd, "sources.yaml"),
      [
        `plugins_dir: ${join(FIXTURES, "plugins")}`,
        "sources:",
        "  - id: north",
        "    plugin: example-board",
        '    schedule: "@hourly"',
        "    lanes: TX-OK",
        "  - id: south",
        "    plugin: example-bord",
        '    schedule: "@hourly"',
        "  - id: west",
        "    plugin: example-board",
        "    lane: CA-AZ",
        "    api_key_file: keys/west.txt",
        "",
      ].join("\n"),
    );
    const run = await runHaulbox(["check-config", "--config", "sources.yaml"], { cwd });
    expect(run.code).toBe(1);
    expect(run.stderr.trimEnd().split("\n")).toEqual([
      "sources.yaml:3:5 sources[0].lane: is required but missing",
      'sources.yaml:6:5 sources[0].lanes: unknown key (did you mean "lane"?)',
      'sources.yaml:8:13 sources[1].plugin: unknown plugin "example-bord" (did you mean "example-board"?); available: example-board, loadboard-csv, loadboard-demo, loadboard-http-json, telemetry-j1939, telemetry-json, telemetry-osmand, telemetry-owntracks, telemetry-sim',
      'sources.yaml:10:5 sources[2]: plugin example-board polls on a schedule: add "schedule:" with a cron expression',
      `sources.yaml:13:5 sources[2].api_key_file: cannot read secret file "${join(cwd, "keys/west.txt")}": no such file`,
      "5 errors in the configuration; nothing was done.",
    ]);
  });

  test("no file at all: the embedded default is OK; --listen and --data-dir show in the summary", async () => {
    const run = await runHaulbox(["check-config", "--listen", "0.0.0.0:9000", "--data-dir", "/srv/haulbox"], { cwd });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("  file:      (embedded default)");
    expect(run.stdout).toContain("  listen:    0.0.0.0:9000");
    expect(run.stdout).toContain("  data dir:  /srv/haulbox");
    expect(run.stdout).toContain("  backups:   /srv/haulbox/backups, keep 14, schedule 15 2 * * *\n");
    // The embedded default runs the demo fleet and the demo load board and listens for every kind of tracker.
    expect(run.stdout).toContain("  sources:   6 (6 enabled)");
    expect(run.stdout).toMatch(/demo-fleet\s+telemetry-sim\s+enabled/);
    expect(run.stdout).toMatch(/demo-loads\s+loadboard-demo\s+enabled\s+schedule \*\/2 \* \* \* \*/);
    const noDemo = await runHaulbox(["check-config", "--no-demo"], { cwd });
    expect(noDemo.code).toBe(0);
    expect(noDemo.stdout).toContain("  sources:   4 (4 enabled)");
    expect(noDemo.stdout).not.toContain("telemetry-sim");
    expect(noDemo.stdout).not.toContain("loadboard-demo");
  });

  test("HAULBOX_LISTEN is applied; a missing --config file and an unknown flag are errors", async () => {
    writeFileSync(join(cwd, "small.yaml"), "timezone: America/Denver\n");
    const env = await runHaulbox(["check-config", "--config", "small.yaml"], { cwd, env: { HAULBOX_LISTEN: "127.0.0.1:7000" } });
    expect(env.code).toBe(0);
    expect(env.stdout).toContain("  listen:    127.0.0.1:7000");

    const missing = await runHaulbox(["check-config", "--config", "nope.yaml"], { cwd });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`${join(cwd, "nope.yaml")}:1:1 cannot read the config file`);

    const unknown = await runHaulbox(["check-config", "--confg", "x.yaml"], { cwd });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("Unknown option '--confg'");
  });
});
