/** `haulbox migrate` in a real process: applies what is pending, says so, is idempotent, refuses a newer database (and so does `haulbox serve`). */
import { afterAll, describe, expect, test, setDefaultTimeout } from "bun:test";
import { Database } from "bun:sqlite";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LATEST_VERSION } from "../../src/db/migrate";
import { migrations } from "../../src/db/migrations";
import { databasePath } from "../../src/db/open";
import { runHaulbox } from "./run-haulbox";

// Each test starts real processes; a busy 2-core machine needs more than the 5 s default.
setDefaultTimeout(30_000);

const cwd = mkdtempSync(join(tmpdir(), "haulbox-migrate-"));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

describe("haulbox migrate", () => {
  test("applies every migration to a new database, then reports it up to date", async () => {
    const dataDir = join(cwd, "first");
    const first = await runHaulbox(["migrate", "--data-dir", dataDir], { cwd });
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    const expected = migrations.map((m) => `applied ${String(m.version).padStart(4, "0")}_${m.name}`);
    expect(first.stdout).toBe([...expected, `database is now at version ${LATEST_VERSION} (${databasePath(dataDir)})`].join("\n") + "\n");

    const again = await runHaulbox(["migrate", "--data-dir", dataDir], { cwd });
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(`database is up to date at version ${LATEST_VERSION} (${databasePath(dataDir)})\n`);
  });

  test("finds the data directory through --config, and through HAULBOX_DATA_DIR", async () => {
    writeFileSync(join(cwd, "migrate.yaml"), "data_dir: ./from-config\n");
    const viaConfig = await runHaulbox(["migrate", "--config", "migrate.yaml"], { cwd });
    expect(viaConfig.code).toBe(0);
    expect(viaConfig.stdout).toContain(databasePath(join(cwd, "from-config")));

    const viaEnv = await runHaulbox(["migrate", "--config", "migrate.yaml"], { cwd, env: { HAULBOX_DATA_DIR: join(cwd, "from-env") } });
    expect(viaEnv.code).toBe(0);
    expect(viaEnv.stdout).toContain(databasePath(join(cwd, "from-env")));
  });

  test("refuses a database written by a newer Haulbox and leaves it alone", async () => {
    const dataDir = join(cwd, "newer");
    expect((await runHaulbox(["migrate", "--data-dir", dataDir], { cwd })).code).toBe(0);
    const db = new Database(databasePath(dataDir));
    db.exec(`PRAGMA user_version = ${LATEST_VERSION + 1}`);
    db.close();

    const refused = await runHaulbox(["migrate", "--data-dir", dataDir], { cwd });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe("");
    expect(refused.stderr).toContain(`the database is at schema version ${LATEST_VERSION + 1}, but this Haulbox only knows up to ${LATEST_VERSION}`);
    const after = new Database(databasePath(dataDir), { readonly: true });
    expect(after.query("PRAGMA user_version").get()).toEqual({ user_version: LATEST_VERSION + 1 });
    after.close();

    // The server too (a downgrade of the binary): it does not start, says why, and changes nothing.
    const serve = await runHaulbox(["serve", "--data-dir", dataDir, "--listen", "127.0.0.1:0", "--no-demo"], { cwd });
    expect(serve.code).toBe(1);
    expect(serve.stderr).toContain(`the database is at schema version ${LATEST_VERSION + 1}, but this Haulbox only knows up to ${LATEST_VERSION}: it was written by a newer version`);
    const untouched = new Database(databasePath(dataDir), { readonly: true });
    expect(untouched.query("PRAGMA user_version").get()).toEqual({ user_version: LATEST_VERSION + 1 });
    untouched.close();
  });

  test("an invalid config stops it before the database is touched", async () => {
    writeFileSync(join(cwd, "broken.yaml"), "data_dir: ./never-created\nlog:\n  level: loud\n");
    const run = await runHaulbox(["migrate", "--config", "broken.yaml"], { cwd });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('broken.yaml:3:10 log.level: "loud" is not one of: debug, info, warn, error');
    expect(await Bun.file(join(cwd, "never-created", "haulbox.db")).exists()).toBe(false);
  });
});
