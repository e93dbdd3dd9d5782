/**
 * `haulbox backup` in a real process: into the backups folder with retention by default, exactly
 * where --to says otherwise, and a clear refusal when there is nothing to copy or the target exists.
 * (Under concurrent telemetry with the appliance running: tests/backup/backup-restore.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, test, setDefaultTimeout } from "bun:test";
import { Database } from "bun:sqlite";
import { chownSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LATEST_VERSION, migrate } from "../../src/db/migrate";
import { databasePath, openDatabase } from "../../src/db/open";
import { BACKUP_NAME } from "../../src/backup/backup-files";
import { runHaulbox } from "./run-haulbox";

setDefaultTimeout(30_000);

const cwd = mkdtempSync(join(tmpdir(), "haulbox-backup-cli-"));
const dataDir = join(cwd, "data");
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

beforeAll(() => {
  const db = openDatabase(dataDir);
  migrate(db);
  db.query("INSERT INTO settings (key, value) VALUES ('marker', 'backed up')").run();
  db.close();
});

/** The size the CLI prints for a file ("12.3 kB"). */
const sizeText = /\(\d+\.\d (kB|MB), schema version (\d+), integrity ok\) in \d+(\.\d+)? m?s$/;

describe("haulbox backup", () => {
  test("without --to: a new haulbox-YYYYMMDD-HHMMSS.db in the backups folder, keeping backups.keep", async () => {
    writeFileSync(join(cwd, "haulbox.yaml"), "backups:\n  keep: 2\n  dir: ./kept\n");
    const backupsDir = join(cwd, "kept");
    mkdirSync(backupsDir);
    // Three older backups and a file of the operator's own.
    for (const name of ["haulbox-20240101-000000.db", "haulbox-20240102-000000.db", "haulbox-20240103-000000.db", "mine.db"]) writeFileSync(join(backupsDir, name), name);
    const run = await runHaulbox(["backup", "--data-dir", dataDir], { cwd });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const [written, kept] = run.stdout.trimEnd().split("\n");
    const path = written!.match(/^backup written: (\S+) /)?.[1] ?? "";
    expect(path.startsWith(`${backupsDir}/`)).toBe(true);
    const name = path.slice(backupsDir.length + 1);
    expect(name).toMatch(BACKUP_NAME);
    expect(written).toMatch(sizeText);
    expect(written!.match(sizeText)![2]).toBe(String(LATEST_VERSION));
    expect(kept).toBe(`2 backups kept in ${backupsDir} (backups.keep: 2) (2 older deleted: haulbox-20240101-000000.db, haulbox-20240102-000000.db)`);
    expect(readdirSync(backupsDir).sort()).toEqual(["haulbox-20240103-000000.db", name, "mine.db"].sort());
    const copy = new Database(path, { readonly: true });
    expect(copy.query("SELECT value FROM settings WHERE key = 'marker'").get()).toEqual({ value: "backed up" });
    copy.close();
    rmSync(join(cwd, "haulbox.yaml"));
  });

  test("--to FILE writes exactly there (and refuses to replace it); --to FOLDER/ names a new file in it; nothing is deleted", async () => {
    const target = join(cwd, "exports", "monday.db");
    const first = await runHaulbox(["backup", "--data-dir", dataDir, "--to", target], { cwd });
    expect(first.code).toBe(0);
    expect(first.stdout).toStartWith(`backup written: ${target} (`);
    const size = statSync(target).size;

    const again = await runHaulbox(["backup", "--data-dir", dataDir, "--to", target], { cwd });
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(`haulbox backup: ${target} already exists: choose another name or remove it first\n`);
    expect(statSync(target).size).toBe(size);

    const intoFolder = await runHaulbox(["backup", "--data-dir", dataDir, "--to", "exports/"], { cwd });
    expect(intoFolder.code).toBe(0);
    const names = readdirSync(join(cwd, "exports")).sort();
    expect(names).toHaveLength(2);
    expect(names[0]).toMatch(BACKUP_NAME);
    expect(names[1]).toBe("monday.db");
    // The default backups folder was not used, so nothing appeared there.
    expect(readdirSync(dataDir)).not.toContain("backups");
  });

  // Only root can hand files to another user; CI runs as root.
  test.skipIf(process.getuid?.() !== 0)("run as root, a backups folder it creates and the backup get the database's owner, so the service can use them", async () => {
    const serviceData = join(cwd, "service-data");
    const db = openDatabase(serviceData);
    migrate(db);
    db.close();
    const service = { uid: 4321, gid: 4322 };
    chownSync(databasePath(serviceData), service.uid, service.gid);
    const run = await runHaulbox(["backup", "--data-dir", serviceData], { cwd });
    expect(run.code).toBe(0);
    const folder = join(serviceData, "backups");
    expect(statSync(folder)).toMatchObject(service);
    const [name] = readdirSync(folder);
    expect(statSync(join(folder, name!))).toMatchObject(service);
  });

  test("no database, or a stray argument, is refused with the reason", async () => {
    const none = await runHaulbox(["backup", "--data-dir", join(cwd, "empty")], { cwd });
    expect(none.code).toBe(1);
    expect(none.stderr).toBe(`haulbox backup: there is no database at ${databasePath(join(cwd, "empty"))}: nothing to back up\n`);
    const stray = await runHaulbox(["backup", "somewhere.db", "--data-dir", dataDir], { cwd });
    expect(stray.code).toBe(2);
    expect(stray.stderr).toBe('haulbox backup: unexpected argument "somewhere.db" (use --to PATH)\n');
  });
});
