/** writeBackup: what is at the target afterwards is a whole checked copy or nothing, and failures say why. */
import { afterEach, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "../../src/db/open";
import { LATEST_VERSION, migrate } from "../../src/db/migrate";
import { BackupError, writeBackup } from "../../src/backup/write-backup";

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A migrated database with a few rows, open (as the appliance keeps it). */
function liveDatabase(): Database {
  dir = mkdtempSync(join(tmpdir(), "haulbox-write-backup-"));
  const db = openDatabase(join(dir, "data"));
  migrate(db);
  db.query("INSERT INTO settings (key, value) VALUES ('a', '1')").run();
  return db;
}

describe("writeBackup", () => {
  test("writes a checked copy of an open WAL database, creating the folder, and leaves no partial file", async () => {
    const db = liveDatabase();
    // Uncheckpointed changes in the WAL are part of the copy.
    db.query("INSERT INTO settings (key, value) VALUES ('b', '2')").run();
    const target = join(dir, "out/nested/copy.db");
    const written = await writeBackup({ database: db.filename, target });
    expect(written).toMatchObject({ path: target, schemaVersion: LATEST_VERSION });
    expect(written.bytes).toBeGreaterThan(10_000);
    const copy = new Database(target, { readonly: true });
    expect(copy.query("SELECT key, value FROM settings ORDER BY key").all()).toEqual([{ key: "a", value: "1" }, { key: "b", value: "2" }]);
    // Rollback-journal mode: opening a backup creates no -wal or -shm beside it.
    expect(copy.query("PRAGMA journal_mode").get()).toEqual({ journal_mode: "delete" });
    copy.close();
    expect(readdirSync(join(dir, "out/nested"))).toEqual(["copy.db"]);
    db.close();
  });

  test("an existing target is never replaced", async () => {
    const db = liveDatabase();
    const target = join(dir, "copy.db");
    writeFileSync(target, "precious");
    await expect(writeBackup({ database: db.filename, target })).rejects.toThrow(`${target} already exists: choose another name or remove it first`);
    expect(await Bun.file(target).text()).toBe("precious");
    db.close();
  });

  test("a missing database or one SQLite cannot read fails with the reason, and nothing is left behind", async () => {
    dir = mkdtempSync(join(tmpdir(), "haulbox-write-backup-"));
    await expect(writeBackup({ database: join(dir, "none.db"), target: join(dir, "b/copy.db") })).rejects.toThrow(`there is no database at ${join(dir, "none.db")}: nothing to back up`);
    const garbage = join(dir, "garbage.db");
    writeFileSync(garbage, "x".repeat(5000));
    const failure = writeBackup({ database: garbage, target: join(dir, "b/copy.db") });
    await expect(failure).rejects.toBeInstanceOf(BackupError);
    await expect(failure).rejects.toThrow(/^cannot copy .*garbage\.db to .*copy\.db: file is not a database$/);
    expect(readdirSync(join(dir, "b"))).toEqual([]);
  });

  test("a partial file left by a backup process that died is cleaned up; one of a live process is not", async () => {
    const db = liveDatabase();
    const out = join(dir, "out");
    mkdirSync(out);
    const dead = join(out, ".haulbox-20250101-000000.db.haulbox-partial-999999999");
    const alive = join(out, `.haulbox-20250101-000000.db.haulbox-partial-${process.ppid}`);
    writeFileSync(dead, "half a copy");
    writeFileSync(alive, "being written");
    await writeBackup({ database: db.filename, target: join(out, "copy.db") });
    expect(existsSync(dead)).toBe(false);
    expect(existsSync(alive)).toBe(true);
    db.close();
  });
});
