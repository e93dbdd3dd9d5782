/**
 * `haulbox restore` in a real process: every kind of bad file is refused with one line naming the
 * file and the reason, and the current database is left exactly as it was; a good backup (an
 * older schema, a WAL-mode file) goes in place, the replaced database is kept aside whole, and the
 * next `migrate` brings an older backup up to date. (Restore while the appliance runs:
 * tests/backup/backup-restore.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, test, setDefaultTimeout } from "bun:test";
import { Database } from "bun:sqlite";
import { createHash } from "node:crypto";
import { chmodSync, chownSync, closeSync, copyFileSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LATEST_VERSION, migrate } from "../../src/db/migrate";
import { migrations } from "../../src/db/migrations";
import { databasePath, openDatabase } from "../../src/db/open";
import { writeBackup } from "../../src/backup/write-backup";
import { databaseContents, fillPositions } from "../backup/database-contents";
import { runHaulbox } from "./run-haulbox";

// Each test starts a real process; a busy 2-core machine needs more than the 5 s default.
setDefaultTimeout(30_000);

const cwd = mkdtempSync(join(tmpdir(), "haulbox-restore-"));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

/** The data folder restores are tried against, holding a database with its own rows. */
const current = join(cwd, "current");
/** A good backup, made the way `haulbox backup` makes one, from another database. */
const goodBackup = join(cwd, "good.db");

/** The files in a folder with a hash of each: "untouched" means this is equal before and after. */
function folderState(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).sort().map((name) => [name, createHash("sha256").update(readFileSync(join(dir, name))).digest("hex")]));
}

/** A migrated database in `dir` with a setting that tells it apart, closed cleanly. */
function makeDatabase(dir: string, marker: string, version = LATEST_VERSION): string {
  const db = openDatabase(dir);
  migrate(db, migrations.slice(0, version));
  db.query("INSERT INTO settings (key, value) VALUES ('marker', ?)").run(marker);
  db.close();
  return databasePath(dir);
}

beforeAll(async () => {
  makeDatabase(current, "current");
  const source = makeDatabase(join(cwd, "source"), "from backup");
  await writeBackup({ database: source, target: goodBackup });
});

/** Runs `haulbox restore FILE --data-dir <current>` and checks it was refused with exactly `reason`, changing nothing. */
async function expectRefused(file: string, reason: string | RegExp) {
  const before = folderState(current);
  const run = await runHaulbox(["restore", file, "--data-dir", current], { cwd });
  expect(run.stdout).toBe("");
  expect(run.code).toBe(1);
  const line = run.stderr.trimEnd();
  expect(line.split("\n")).toHaveLength(1);
  if (typeof reason === "string") expect(line).toBe(`haulbox restore: ${file}: ${reason}; nothing was changed`);
  else expect(line).toMatch(reason);
  expect(folderState(current)).toEqual(before);
}

describe("haulbox restore refuses, changing nothing", () => {
  test("a text file, an empty file, a folder and a missing file", async () => {
    const text = join(cwd, "notes.txt");
    writeFileSync(text, "these are not the trucks you are looking for\n");
    await expectRefused(text, "is not a SQLite database (it does not start with the SQLite file header)");
    const empty = join(cwd, "empty.db");
    writeFileSync(empty, "");
    await expectRefused(empty, "is empty, not a SQLite database");
    mkdirSync(join(cwd, "a-folder.db"));
    await expectRefused(join(cwd, "a-folder.db"), "is a folder, not a database file");
    await expectRefused(join(cwd, "missing.db"), "no such file");
  });

  test("a SQLite database that is not Haulbox's: no schema version, or tables missing for its version", async () => {
    const other = join(cwd, "other-app.db");
    const db = new Database(other, { create: true });
    db.exec("CREATE TABLE recipes (name TEXT); INSERT INTO recipes VALUES ('chili')");
    db.close();
    await expectRefused(other, "is not a Haulbox database (schema version 0; its tables: recipes)");
    const versioned = new Database(other);
    versioned.exec("PRAGMA user_version = 3");
    versioned.close();
    await expectRefused(other, "is not a Haulbox database: at schema version 3 it should have the tables users, sessions, api_tokens, audit_log, settings, …");
  });

  test("a database written by a newer Haulbox", async () => {
    const newer = join(cwd, "newer.db");
    copyFileSync(goodBackup, newer);
    const db = new Database(newer);
    db.exec(`PRAGMA user_version = ${LATEST_VERSION + 1}`);
    db.close();
    await expectRefused(newer, `the database is at schema version ${LATEST_VERSION + 1}, but this Haulbox only knows up to ${LATEST_VERSION}: it was written by a newer version. Install that version again (or restore a backup made by this one); refusing to open it.`);
  });

  test("a damaged database (pages overwritten) fails the integrity check", async () => {
    const damaged = join(cwd, "damaged.db");
    const db = openDatabase(join(cwd, "to-damage"));
    migrate(db);
    db.query("INSERT INTO vehicles (id, unit, created_at, updated_at) VALUES (1, 'D-1', 0, 0)").run();
    fillPositions(db, { vehicles: [1], perVehicle: 20_000, endMs: Date.UTC(2025, 0, 1) });
    db.close();
    await writeBackup({ database: databasePath(join(cwd, "to-damage")), target: damaged });
    // Scribble over the middle of the file (positions pages), leaving page 1 and the schema readable.
    const fd = openSync(damaged, "r+");
    const size = readFileSync(damaged).length;
    writeSync(fd, Buffer.alloc(3 * 4096, 0x5a), 0, 3 * 4096, Math.floor(size / 2 / 4096) * 4096);
    closeSync(fd);
    await expectRefused(damaged, new RegExp(`^haulbox restore: ${damaged.replaceAll(".", "\\.")}: is damaged: .+; nothing was changed$`));
  });

  test("a file whose -wal beside it holds changes not in the file", async () => {
    const raw = join(cwd, "raw-copy.db");
    copyFileSync(goodBackup, raw);
    writeFileSync(`${raw}-wal`, Buffer.alloc(5000, 1));
    await expectRefused(raw, `${raw}-wal beside it holds changes that are not in the file yet: restore a file made by \`haulbox backup\`, or open this one once with sqlite3 to fold them in`);
  });

  test("no file, or two", async () => {
    const none = await runHaulbox(["restore", "--data-dir", current], { cwd });
    expect(none.code).toBe(2);
    expect(none.stderr).toBe("haulbox restore: which backup? give its path: haulbox restore PATH\n");
    const two = await runHaulbox(["restore", goodBackup, goodBackup, "--data-dir", current], { cwd });
    expect(two.code).toBe(2);
  });
});

describe("haulbox restore puts a good backup in place", () => {
  test("an older-schema backup replaces the database, which is kept aside whole; migrate brings it up to date", async () => {
    const older = join(cwd, "older.db");
    const olderSource = makeDatabase(join(cwd, "older-source"), "older", 5);
    await writeBackup({ database: olderSource, target: older });
    // A crash left changes in the current database's WAL (and a -shm): they must be in the copy kept aside.
    const crashed = Bun.spawnSync([process.execPath, "-e", `
      const { Database } = require("bun:sqlite");
      const db = new Database(${JSON.stringify(databasePath(current))});
      db.exec("PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0");
      db.query("INSERT INTO settings (key, value) VALUES ('in the wal', 'yes')").run();
      process.kill(process.pid, "SIGKILL");`]);
    expect(crashed.signalCode).toBe("SIGKILL");
    expect(readdirSync(current).sort()).toEqual(["haulbox.db", "haulbox.db-shm", "haulbox.db-wal"]);

    const run = await runHaulbox(["restore", older, "--data-dir", current], { cwd });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(new RegExp(`^restored ${older.replaceAll(".", "\\.")} \\(schema version 5, [\\d.]+ kB, \\d+ tables, integrity ok\\) to ${databasePath(current).replaceAll(".", "\\.")}$`));
    const aside = lines[1]!.replace("the database it replaced is kept as ", "");
    expect(aside).toMatch(/\/haulbox\.db\.before-restore-\d{8}-\d{6}$/);
    expect(lines[2]).toBe(`start Haulbox again (systemctl start haulbox); it will migrate the database from schema version 5 to ${LATEST_VERSION} as it starts`);
    expect(readdirSync(current).sort()).toEqual(["haulbox.db", aside.slice(current.length + 1)].sort());
    const keptAside = new Database(aside, { readonly: true });
    expect(keptAside.query("SELECT key, value FROM settings ORDER BY key").all()).toEqual([{ key: "in the wal", value: "yes" }, { key: "marker", value: "current" }]);
    keptAside.close();

    const restored = new Database(databasePath(current), { readonly: true });
    expect(restored.query("SELECT value FROM settings WHERE key = 'marker'").get()).toEqual({ value: "older" });
    restored.close();
    const migrated = await runHaulbox(["migrate", "--data-dir", current], { cwd });
    expect(migrated.code).toBe(0);
    expect(migrated.stdout).toContain(`database is now at version ${LATEST_VERSION}`);
    expect(migrated.stdout).toContain("applied 0006_loads");
  });

  test("a -wal left without its database is moved aside too, so it is never replayed into the restored one", async () => {
    const orphaned = join(cwd, "orphaned");
    mkdirSync(orphaned);
    writeFileSync(join(orphaned, "haulbox.db-wal"), Buffer.alloc(8192, 7));
    const run = await runHaulbox(["restore", goodBackup, "--data-dir", orphaned], { cwd });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const names = readdirSync(orphaned).sort();
    expect(names).toHaveLength(2);
    expect(names[0]).toBe("haulbox.db");
    expect(names[1]).toMatch(/^haulbox\.db\.before-restore-\d{8}-\d{6}-wal$/);
    expect(run.stdout).toContain(`kept as ${join(orphaned, names[1]!)}`);
    const restored = new Database(databasePath(orphaned), { readonly: true });
    expect(restored.query("SELECT value FROM settings WHERE key = 'marker'").get()).toEqual({ value: "from backup" });
    restored.close();
  });

  // Only root can hand files to another user; CI runs as root.
  test.skipIf(process.getuid?.() !== 0)("run as root, the restored database gets the owner and mode of the one it replaces", async () => {
    const serviceData = join(cwd, "service-data");
    const live = makeDatabase(serviceData, "service");
    chownSync(live, 4321, 4322);
    chmodSync(live, 0o640);
    const run = await runHaulbox(["restore", goodBackup, "--data-dir", serviceData], { cwd });
    expect(run.code).toBe(0);
    const restored = statSync(live);
    expect({ uid: restored.uid, gid: restored.gid, mode: restored.mode & 0o777 }).toEqual({ uid: 4321, gid: 4322, mode: 0o640 });
  });

  test("a WAL-mode database file (a copy taken with Haulbox stopped) works too, and nothing appears beside it", async () => {
    const walFile = join(cwd, "wal-mode", "haulbox-copy.db");
    mkdirSync(join(cwd, "wal-mode"));
    const db = openDatabase(join(cwd, "wal-source"));
    migrate(db);
    db.query("INSERT INTO settings (key, value) VALUES ('marker', 'wal mode')").run();
    db.close();
    copyFileSync(databasePath(join(cwd, "wal-source")), walFile);
    const fresh = join(cwd, "fresh-for-wal");
    const run = await runHaulbox(["restore", walFile, "--data-dir", fresh], { cwd });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain("kept as");
    expect(run.stdout).toContain("start Haulbox again (systemctl start haulbox)\n");
    expect(readdirSync(join(cwd, "wal-mode"))).toEqual(["haulbox-copy.db"]);
    expect(readdirSync(fresh)).toEqual(["haulbox.db"]);
    expect(databaseContents(databasePath(fresh))).toEqual(databaseContents(walFile));
  });
});
