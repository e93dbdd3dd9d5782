/**
 * The compiled binary on its own: built from the current sources, copied into an empty directory
 * (no repo, no node_modules, no config), started, set up and logged into over HTTP, then stopped
 * with SIGTERM — exit 0 and the WAL folded back into the database.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { copyFileSync, existsSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { buildBinary, type BuildResult } from "../../scripts/build";
import { completeSetup, formField, loginOverHttp, makeTempDir, startProcess, stopAll, TEST_OWNER } from "../helpers/server";

let build: BuildResult;
let binary: string;
const dirs: string[] = [];

beforeAll(async () => {
  // Built into a temp folder, not dist/, so the test always checks the current sources and never
  // races a developer's `npm run build`.
  const buildDir = makeTempDir("haulbox-build-");
  dirs.push(buildDir);
  build = await buildBinary({ outfile: join(buildDir, "haulbox"), quiet: true });
  const runDir = makeTempDir("haulbox-bin-");
  dirs.push(runDir);
  binary = join(runDir, "haulbox");
  copyFileSync(build.outfile, binary);
  rmSync(buildDir, { recursive: true, force: true });
}, 120_000);

afterAll(async () => {
  await stopAll();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function run(args: string[]) {
  const out = Bun.spawnSync([binary, ...args], { cwd: makeTempDirFor(), stdout: "pipe", stderr: "pipe", env: { PATH: "/usr/bin:/bin" } });
  return { code: out.exitCode, stdout: out.stdout.toString(), stderr: out.stderr.toString() };
}

function makeTempDirFor(): string {
  const dir = makeTempDir("haulbox-cwd-");
  dirs.push(dir);
  return dir;
}

describe("compiled binary", () => {
  test("`haulbox version` prints the version and the commit it was built from", () => {
    const out = run(["version"]);
    expect(out.code).toBe(0);
    expect(out.stdout.trim()).toMatch(/^haulbox \d+\.\d+\.\d+/);
    expect(out.stdout).toContain(build.commit);
  });

  test("`haulbox --help` lists the commands", () => {
    const out = run(["--help"]);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain("Usage: haulbox");
    expect(out.stdout).toContain("serve");
    expect(out.stdout).toContain("version");
  });

  test("`haulbox backup` copies on a worker thread inside the binary too, and `haulbox restore` puts the copy back", () => {
    // A compiled binary starts a worker only from code it carries: the copy's worker is a Blob URL.
    const dataDir = makeTempDirFor();
    expect(run(["migrate", "--data-dir", dataDir]).code).toBe(0);
    const backup = run(["backup", "--data-dir", dataDir]);
    expect(backup.stderr).toBe("");
    expect(backup.code).toBe(0);
    const file = backup.stdout.match(/^backup written: (\S+) \(/)?.[1] ?? "";
    expect(file).toStartWith(join(dataDir, "backups", "haulbox-"));
    const fresh = join(makeTempDirFor(), "restored");
    const restore = run(["restore", file, "--data-dir", fresh]);
    expect(restore.stderr).toBe("");
    expect(restore.code).toBe(0);
    expect(readdirSync(fresh)).toEqual(["haulbox.db"]);
  });

  test(
    "runs from an empty directory: setup, login, a protected page, SIGTERM → exit 0 with the WAL checkpointed",
    async () => {
      const runDir = binary.slice(0, -"/haulbox".length);
      expect(readdirSync(runDir)).toEqual(["haulbox"]);
      // No --data-dir: the embedded default config puts data in ./data beside where it starts.
      const app = await startProcess({ cmd: [binary], cwd: runDir, dataDir: null, env: { PATH: "/usr/bin:/bin" } });
      const health = (await (await fetch(`${app.url}/healthz`)).json()) as Record<string, unknown>;
      expect(health.ok).toBe(true);
      expect(String(health.commit)).toBe(build.commit);

      const started = app.logs().find((r) => String(r.msg).startsWith("starting Haulbox"));
      expect(started?.config).toBe("(embedded default)");

      // Static assets come out of the binary.
      const htmx = await fetch(`${app.url}/static/htmx.min.js`);
      expect(htmx.status).toBe(200);
      expect((await htmx.text()).length).toBeGreaterThan(10_000);

      await completeSetup(app);
      const client = await loginOverHttp(app);
      const home = await client.getText("/");
      expect(home).toContain(TEST_OWNER.username);
      expect(home).toContain('action="/logout"');
      expect(formField(home, "_csrf").length).toBeGreaterThan(10);
      const trucks = await client.getText("/trucks");
      expect(trucks).toContain("<nav");

      // Anonymous requests to the same page are turned away.
      const anonymous = await fetch(`${app.url}/trucks`, { redirect: "manual" });
      expect([302, 303, 401]).toContain(anonymous.status);

      const code = await app.stop();
      expect(code).toBe(0);
      expect(app.logs().some((r) => r.msg === "database checkpointed")).toBe(true);
      expect(app.logs().some((r) => r.msg === "Haulbox stopped")).toBe(true);

      const dbFile = join(runDir, "data", "haulbox.db");
      expect(existsSync(dbFile)).toBe(true);
      const wal = `${dbFile}-wal`;
      expect(existsSync(wal) ? statSync(wal).size : 0).toBe(0);
      const db = new Database(dbFile, { readonly: true });
      try {
        const owner = db.query("SELECT username, role FROM users WHERE role = 'owner'").get() as { username: string; role: string } | null;
        expect(owner).toEqual({ username: TEST_OWNER.username, role: "owner" });
      } finally {
        db.close();
      }
    },
    60_000,
  );
});
