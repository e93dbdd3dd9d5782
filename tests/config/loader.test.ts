/**
 * The config loader as scenario tables: each case is a YAML file (plus environment and secret
 * files) and either the exact `file:line:column path: message` lines it must produce, or checks on
 * the loaded config. Files are written to a temp folder and loaded the way `serve` loads them.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { EMBEDDED_LABEL, loadConfig, resolveConfigPath, type LoadResult } from "../../src/config/load";
import { formatConfigError } from "../../src/config/errors";
import type { Config } from "../../src/config/schema";
import { coreJobNames } from "../../src/scheduler/jobs";

const FIXTURES = resolve(import.meta.dir, "../fixtures/config");
const roots: string[] = [];
afterAll(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));

/** A fresh folder to run a scenario in (the working directory the loader sees). */
function scratch(): string {
  const root = mkdtempSync(join(tmpdir(), "haulbox-config-"));
  roots.push(root);
  return root;
}

/** Writes `files` (path → content) under `root`. */
function writeFiles(root: string, files: Record<string, string>) {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
}

interface Scenario {
  name: string;
  yaml: string;
  /** Where the config file goes, relative to the working directory. */
  file?: string;
  env?: Record<string, string>;
  /** Other files (secrets) relative to the working directory. */
  files?: Record<string, string>;
  overrides?: { listen?: string; data_dir?: string };
  /** Exact error lines, in order. */
  errors?: string[];
  /** Error lines that must start with these prefixes, in order (when the message adds a hint). */
  errorPrefixes?: string[];
  /** Checks on a valid result. */
  check?: (config: Config, result: LoadResult & { ok: true }, root: string) => void;
}

async function runScenario(scenario: Scenario) {
  const root = scratch();
  const file = scenario.file ?? "haulbox.yaml";
  writeFiles(root, { [file]: scenario.yaml, ...scenario.files });
  const result = await loadConfig({ path: file, cwd: root, env: scenario.env ?? {}, overrides: scenario.overrides });
  const lines = result.ok ? [] : result.errors.map(formatConfigError);
  if (scenario.errors) expect(lines).toEqual(scenario.errors);
  if (scenario.errorPrefixes) {
    expect(lines.length).toBe(scenario.errorPrefixes.length);
    scenario.errorPrefixes.forEach((prefix, i) => expect(lines[i]!).toStartWith(prefix));
  }
  if (scenario.check) {
    expect(lines).toEqual([]);
    if (result.ok) scenario.check(result.config, result, root);
  }
}

function table(scenarios: Scenario[]) {
  for (const scenario of scenarios) test(scenario.name, () => runScenario(scenario));
}

describe("positions and messages", () => {
  table([
    {
      name: "the issue's example: haulbox.yaml:14:15 sources[1].schedule",
      yaml: readFileSync(join(FIXTURES, "issue-example.yaml"), "utf8"),
      errorPrefixes: ['haulbox.yaml:14:15 sources[1].schedule: "every 5 min" is not a cron expression'],
    },
    {
      name: "every error is reported at once, in file order",
      yaml: readFileSync(join(FIXTURES, "many-errors.yaml"), "utf8"),
      errors: [
        'haulbox.yaml:2:9 listen: "localhost" is not HOST:PORT (like "127.0.0.1:8080" or "0.0.0.0:8080")',
        'haulbox.yaml:3:11 timezone: "Mars/Olympus" is not an IANA timezone (like "America/Chicago")',
        'haulbox.yaml:5:3 log.levle: unknown key (did you mean "level"?)',
        "haulbox.yaml:7:18 auth.session_hours: 0 is too small: the minimum is 1",
        'haulbox.yaml:8:26 auth.login_attempts_per_ip: expected a whole number, got "many"',
        "haulbox.yaml:10:22 plugin_host.retry_max_seconds: -5 is too small: it must be more than 0",
        'haulbox.yaml:13:15 jobs.session-cleanup.schedule: "61 * * * *" is not a cron expression (five fields like "*/5 * * * *", or @hourly/@daily)',
        'haulbox.yaml:15:9 sources[0].id: "Bad Id" is not a valid source id: use lowercase letters, digits, - and _ (at most 63, starting with a letter or digit)',
      ],
    },
    {
      name: "the file is named as given, in a subfolder too",
      file: "etc/haulbox/main.yaml",
      yaml: "listen: 8080\n",
      errors: ["etc/haulbox/main.yaml:1:9 listen: expected text, got 8080"],
    },
  ]);
});

describe("unknown keys", () => {
  table([
    {
      name: "misspelt top-level keys suggest the right one",
      yaml: "listn: 127.0.0.1:8080\ndatadir: ./data\n",
      errors: ['haulbox.yaml:1:1 listn: unknown key (did you mean "listen"?)', 'haulbox.yaml:2:1 datadir: unknown key (did you mean "data_dir"?)'],
    },
    {
      name: "nested misspellings point at the key, not the value",
      yaml: "auth:\n  sesion_hours: 12\njobs:\n  session-cleanup:\n    enabld: false\n",
      errors: ['haulbox.yaml:2:3 auth.sesion_hours: unknown key (did you mean "session_hours"?)', 'haulbox.yaml:5:5 jobs.session-cleanup.enabld: unknown key (did you mean "enabled"?)'],
    },
    {
      name: "a job name that matches no job is an unknown key, with a hint",
      yaml: "jobs:\n  session-cleanup:\n    enabled: true\n  sesion-cleanup:\n    enabled: false\n",
      errors: [`haulbox.yaml:4:3 jobs.sesion-cleanup: unknown job "sesion-cleanup" (did you mean "session-cleanup"?); jobs: ${coreJobNames().join(", ")}`],
    },
    {
      name: "a key like nothing we know gets no suggestion",
      yaml: "colour_scheme: dark\n",
      errors: ["haulbox.yaml:1:1 colour_scheme: unknown key"],
    },
  ]);
});

describe("types", () => {
  table([
    {
      name: "a mapping where a list belongs (and the reverse) is an error, not silently defaulted",
      yaml: "log: debug\nsources: {}\njobs: []\n",
      errors: [
        'haulbox.yaml:1:6 log: expected a mapping of keys, got "debug"',
        'haulbox.yaml:2:10 sources: expected a list (items starting with "- "), got a mapping',
        "haulbox.yaml:3:7 jobs: expected a mapping of keys, got a list",
      ],
    },
    {
      name: "enumerations list the allowed values",
      yaml: "log:\n  level: verbose\n",
      errors: ['haulbox.yaml:2:10 log.level: "verbose" is not one of: debug, info, warn, error'],
    },
    {
      name: "sources: a missing id, a duplicate id, a non-boolean enabled",
      yaml: "sources:\n  - plugin: a\n  - id: one\n    plugin: a\n  - id: one\n    plugin: b\n    enabled: sometimes\n",
      errors: [
        "haulbox.yaml:2:5 sources[0].id: is required but missing",
        'haulbox.yaml:5:9 sources[2].id: duplicate source id "one" (also used by sources[1])',
        'haulbox.yaml:7:14 sources[2].enabled: expected true or false, got "sometimes"',
      ],
    },
    {
      name: "a file that is not a mapping",
      yaml: "- listen\n- data_dir\n",
      errors: ["haulbox.yaml:1:1 the config must be a mapping of options (key: value)"],
    },
    {
      name: "an empty file means every default",
      yaml: "# nothing set yet\n",
      check(config, _result, root) {
        expect(config.listen).toBe("127.0.0.1:8080");
        expect(config.data_dir).toBe(join(root, "data"));
        expect(config.timezone).toBe("UTC");
        expect(config.log.level).toBe("info");
        expect(config.auth.session_hours).toBe(168);
        expect(config.sources).toEqual([]);
      },
    },
  ]);
});

describe("YAML syntax", () => {
  table([
    {
      name: "tab indentation is located at its line",
      yaml: "log:\n\tlevel: info\n",
      errorPrefixes: ["haulbox.yaml:2:1 YAML syntax: Tabs are not allowed as indentation"],
    },
    {
      name: "an unclosed quote",
      yaml: 'listen: 127.0.0.1:8080\npublic_url: "https://fleet.example.com\ntimezone: UTC\n',
      errors: ["haulbox.yaml:2:13 YAML syntax: this quoted value is never closed: add the closing \""],
    },
    {
      name: "a duplicate key points at the second one",
      yaml: "listen: 127.0.0.1:8080\nlog:\n  level: info\nlisten: 0.0.0.0:8080\n",
      errors: ['haulbox.yaml:4:1 duplicate key "listen": each key may appear only once in a mapping (remove or merge the repeated one)'],
    },
    {
      name: "a duplicate key inside a source",
      yaml: "sources:\n  - id: a\n    plugin: x\n    id: b\n",
      errors: ['haulbox.yaml:4:5 duplicate key "id": each key may appear only once in a mapping (remove or merge the repeated one)'],
    },
  ]);
});

describe("${ENV} substitution", () => {
  table([
    {
      name: "whole values, parts of values, fallbacks, numbers and a literal $${",
      yaml: 'listen: ${HB_HOST}:${HB_PORT}\npublic_url: https://${HB_DOMAIN:-fleet.example.com}/\nauth:\n  session_hours: ${HB_HOURS}\nplugins_dir: "$${NOT_A_VAR}"\n',
      env: { HB_HOST: "0.0.0.0", HB_PORT: "9090", HB_HOURS: "24" },
      check(config) {
        expect(config.listen).toBe("0.0.0.0:9090");
        expect(config.public_url).toBe("https://fleet.example.com/");
        expect(config.auth.session_hours).toBe(24);
        expect(config.plugins_dir).toEndWith("${NOT_A_VAR}");
      },
    },
    {
      name: "an unset variable is one error at its value (the empty result is not reported again)",
      yaml: "listen: 127.0.0.1:8080\ndata_dir: ${HB_DATA}\ntimezone: ${HB_TZ}\n",
      errors: ["haulbox.yaml:2:11 data_dir: environment variable HB_DATA is not set", "haulbox.yaml:3:11 timezone: environment variable HB_TZ is not set"],
    },
    {
      name: "an empty variable counts as unset, so the fallback applies",
      yaml: "timezone: ${HB_TZ:-America/Denver}\n",
      env: { HB_TZ: "" },
      check: (config) => expect(config.timezone).toBe("America/Denver"),
    },
  ]);
});

describe("*_file secrets", () => {
  table([
    {
      name: "read relative to the config file's folder, trailing newline dropped, registered as a secret",
      file: "etc/haulbox.yaml",
      yaml: "public_url_file: secrets/url.txt\n",
      files: { "etc/secrets/url.txt": "https://fleet.example.com\n" },
      check(config, result) {
        expect(config.public_url).toBe("https://fleet.example.com");
        expect(result.secrets).toContain("https://fleet.example.com");
      },
    },
    {
      name: "a missing secret file names the key and the full path it tried",
      file: "etc/haulbox.yaml",
      yaml: "listen: 127.0.0.1:8080\npublic_url_file: secrets/missing.txt\n",
      errorPrefixes: ['etc/haulbox.yaml:2:1 public_url_file: cannot read secret file "'],
    },
    {
      name: "setting both the value and its _file is an error",
      yaml: "public_url: https://a.example\npublic_url_file: url.txt\n",
      files: { "url.txt": "https://b.example" },
      errors: ["haulbox.yaml:2:1 public_url_file: set either public_url or public_url_file, not both"],
    },
    {
      name: "a _file key for an option that does not exist is an unknown key",
      yaml: "colour_file: colour.txt\n",
      errors: ["haulbox.yaml:1:1 colour_file: unknown key"],
    },
  ]);

  test("an absolute path works from anywhere", async () => {
    const secretDir = scratch();
    writeFileSync(join(secretDir, "url"), "https://abs.example.com");
    await runScenario({ name: "absolute", yaml: `public_url_file: ${join(secretDir, "url")}\n`, check: (config) => expect(config.public_url).toBe("https://abs.example.com") });
  });

  test("the missing-file message says which file and why", async () => {
    const root = scratch();
    writeFiles(root, { "etc/haulbox.yaml": "public_url_file: secrets/missing.txt\n" });
    const result = await loadConfig({ path: "etc/haulbox.yaml", cwd: root, env: {} });
    expect(result.ok ? [] : result.errors.map(formatConfigError)).toEqual([`etc/haulbox.yaml:1:1 public_url_file: cannot read secret file "${join(root, "etc/secrets/missing.txt")}": no such file`]);
  });
});

describe("which file: --config > HAULBOX_CONFIG > ./haulbox.yaml > embedded default", () => {
  const setUp = () => {
    const root = scratch();
    writeFiles(root, {
      "haulbox.yaml": "listen: 127.0.0.1:1001\n",
      "from-env.yaml": "listen: 127.0.0.1:1002\n",
      "from-flag.yaml": "listen: 127.0.0.1:1003\n",
    });
    return root;
  };

  test("--config wins over everything", async () => {
    const root = setUp();
    const result = await loadConfig({ path: "from-flag.yaml", cwd: root, env: { HAULBOX_CONFIG: "from-env.yaml" } });
    expect(result.ok && result.config.listen).toBe("127.0.0.1:1003");
    expect(result.file).toBe(join(root, "from-flag.yaml"));
  });

  test("HAULBOX_CONFIG comes next", async () => {
    const root = setUp();
    const result = await loadConfig({ cwd: root, env: { HAULBOX_CONFIG: "from-env.yaml" } });
    expect(result.ok && result.config.listen).toBe("127.0.0.1:1002");
  });

  test("then ./haulbox.yaml in the working directory", async () => {
    const root = setUp();
    const result = await loadConfig({ cwd: root, env: {} });
    expect(result.ok && result.config.listen).toBe("127.0.0.1:1001");
    expect(resolveConfigPath(undefined, {}, root)).toBe(join(root, "haulbox.yaml"));
  });

  test("and the embedded default when there is no file at all", async () => {
    const root = scratch();
    const result = await loadConfig({ cwd: root, env: {} });
    expect(result.ok).toBe(true);
    expect(result.file).toBe(EMBEDDED_LABEL);
    expect(result.ok && result.config.listen).toBe("127.0.0.1:8080");
    expect(result.ok && result.config.data_dir).toBe(join(root, "data"));
    expect(resolveConfigPath(undefined, {}, root)).toBeNull();
  });

  test("a --config file that does not exist is an error, not a silent fallback", async () => {
    const root = setUp();
    const result = await loadConfig({ path: "nope.yaml", cwd: root, env: {} });
    expect(result.ok).toBe(false);
    expect(!result.ok && formatConfigError(result.errors[0]!)).toStartWith(`${join(root, "nope.yaml")}:1:1 cannot read the config file`);
  });
});

describe("--listen / --data-dir and HAULBOX_LISTEN / HAULBOX_DATA_DIR override the file", () => {
  const yaml = "listen: 127.0.0.1:1001\ndata_dir: ./from-file\n";
  table([
    {
      name: "environment beats the file",
      yaml,
      env: { HAULBOX_LISTEN: "0.0.0.0:2002", HAULBOX_DATA_DIR: "/srv/haulbox" },
      check(config) {
        expect(config.listen).toBe("0.0.0.0:2002");
        expect(config.data_dir).toBe("/srv/haulbox");
      },
    },
    {
      name: "flags beat the environment",
      yaml,
      env: { HAULBOX_LISTEN: "0.0.0.0:2002", HAULBOX_DATA_DIR: "/srv/haulbox" },
      overrides: { listen: "127.0.0.1:3003", data_dir: "/var/lib/haulbox" },
      check(config) {
        expect(config.listen).toBe("127.0.0.1:3003");
        expect(config.data_dir).toBe("/var/lib/haulbox");
      },
    },
    {
      name: "a relative data dir is taken from the working directory",
      yaml,
      overrides: { data_dir: "elsewhere" },
      check: (config, _result, root) => expect(config.data_dir).toBe(join(root, "elsewhere")),
    },
    {
      name: "a malformed --listen is reported like a file error",
      yaml,
      overrides: { listen: "8080" },
      errors: ['--listen:1:1 listen: "8080" is not HOST:PORT (like "127.0.0.1:8080")'],
    },
  ]);
});

describe("backups:", () => {
  table([
    {
      name: "the default folder is backups inside the data folder, which follows --data-dir",
      yaml: "data_dir: ./var/lib\n",
      overrides: { data_dir: "/srv/haulbox" },
      check: (config) => expect(config.backups).toEqual({ enabled: true, schedule: "15 2 * * *", keep: 14, dir: "/srv/haulbox/backups" }),
    },
    {
      name: "a folder of their own is relative to the config file's folder, like plugins_dir",
      file: "etc/haulbox.yaml",
      yaml: "backups:\n  dir: ../mnt/usb/haulbox\n  keep: 3\n",
      check: (config, _result, root) => {
        expect(config.backups.dir).toBe(join(root, "mnt/usb/haulbox"));
        expect(config.backups.keep).toBe(3);
      },
    },
    {
      name: "keep must be at least 1 and the schedule a cron expression",
      yaml: "backups:\n  keep: 0\n  schedule: nightly\n",
      errorPrefixes: ["haulbox.yaml:2:9 backups.keep:", 'haulbox.yaml:3:13 backups.schedule: "nightly" is not a cron expression'],
    },
    {
      name: "the backup job's schedule and on/off belong to backups:, not jobs.backup (its timeout may be set there)",
      yaml: "jobs:\n  backup:\n    schedule: \"0 4 * * *\"\n    enabled: false\n    timeout_seconds: 600\n",
      errors: [
        "haulbox.yaml:3:5 jobs.backup.schedule: set backups.schedule instead: the backup job takes its schedule and on/off from the backups: section (jobs.backup may set only timeout_seconds)",
        "haulbox.yaml:4:5 jobs.backup.enabled: set backups.enabled instead: the backup job takes its schedule and on/off from the backups: section (jobs.backup may set only timeout_seconds)",
      ],
    },
  ]);
});
