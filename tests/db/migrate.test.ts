/** Migrations: an empty database comes up to date, re-runs change nothing, failures roll back, newer databases are refused. */
import { afterAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { rmSync } from "node:fs";
import { tempDir } from "../helpers/app";
import { openDatabase } from "../../src/db/open";
import { LATEST_VERSION, migrate, NewerDatabaseError, schemaVersion } from "../../src/db/migrate";
import { migrations, type Migration } from "../../src/db/migrations";

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A new database in its own temp data directory. */
function freshDatabase(): Database {
  const dir = tempDir("haulbox-db-");
  dirs.push(dir);
  return openDatabase(dir);
}

function tableNames(db: Database): string[] {
  return (db.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[]).map((row) => row.name);
}

describe("migrate", () => {
  test("an empty database is brought to the latest version, every migration applied in order", () => {
    const db = freshDatabase();
    expect(schemaVersion(db)).toBe(0);
    const applied = migrate(db);
    expect(applied.map((m) => m.version)).toEqual(migrations.map((_, i) => i + 1));
    expect(schemaVersion(db)).toBe(LATEST_VERSION);
    expect(tableNames(db)).toEqual(expect.arrayContaining(["users", "sessions", "api_tokens", "audit_log", "settings"]));
    expect(db.query("PRAGMA integrity_check").get()).toEqual({ integrity_check: "ok" });
    expect(db.query("PRAGMA foreign_key_check").all()).toEqual([]);
    db.close();
  });

  test("re-running is idempotent: nothing applied, schema unchanged", () => {
    const db = freshDatabase();
    migrate(db);
    const schemaBefore = db.query("SELECT type, name, sql FROM sqlite_master ORDER BY name").all();
    expect(migrate(db)).toEqual([]);
    expect(migrate(db)).toEqual([]);
    expect(schemaVersion(db)).toBe(LATEST_VERSION);
    expect(db.query("SELECT type, name, sql FROM sqlite_master ORDER BY name").all()).toEqual(schemaBefore);
    db.close();
  });

  test("a failing migration rolls back its whole transaction and names itself; earlier ones stay", () => {
    const db = freshDatabase();
    const list: Migration[] = [
      ...migrations,
      { version: migrations.length + 1, name: "add_trucks", up: "CREATE TABLE trucks (id INTEGER PRIMARY KEY, name TEXT NOT NULL);" },
      {
        version: migrations.length + 2,
        name: "broken_step",
        // The first statement succeeds and must be undone when the second fails.
        up: "CREATE TABLE half_done (id INTEGER PRIMARY KEY); INSERT INTO trucks (name) VALUES ('T1'); INSERT INTO no_such_table VALUES (1);",
      },
    ];
    const failed = String(migrations.length + 2).padStart(4, "0");
    expect(() => migrate(db, list)).toThrow(`migration ${failed}_broken_step failed: no such table: no_such_table`);
    expect(schemaVersion(db)).toBe(migrations.length + 1);
    expect(tableNames(db)).toContain("trucks");
    expect(tableNames(db)).not.toContain("half_done");
    expect(db.query("SELECT COUNT(*) AS n FROM trucks").get()).toEqual({ n: 0 });
    db.close();
  });

  test("a migration written as a function that throws rolls back too", () => {
    const db = freshDatabase();
    const list: Migration[] = [
      ...migrations,
      {
        version: migrations.length + 1,
        name: "backfill",
        up(database) {
          database.exec("CREATE TABLE backfilled (id INTEGER)");
          throw new Error("source data is inconsistent");
        },
      },
    ];
    expect(() => migrate(db, list)).toThrow(/migration \d{4}_backfill failed: source data is inconsistent/);
    expect(tableNames(db)).not.toContain("backfilled");
    expect(schemaVersion(db)).toBe(LATEST_VERSION);
    db.close();
  });

  test("downgrade protection: a database from a newer Haulbox is refused, untouched", () => {
    const db = freshDatabase();
    migrate(db);
    db.exec(`PRAGMA user_version = ${LATEST_VERSION + 5}`);
    let error: unknown;
    try {
      migrate(db);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(NewerDatabaseError);
    expect((error as Error).message).toContain(`the database is at schema version ${LATEST_VERSION + 5}, but this Haulbox only knows up to ${LATEST_VERSION}`);
    expect((error as Error).message).toContain("written by a newer version");
    expect(schemaVersion(db)).toBe(LATEST_VERSION + 5);
    db.close();
  });

  test("a broken migration list (gap or wrong number) is refused before anything runs", () => {
    const db = freshDatabase();
    expect(() => migrate(db, [{ version: 2, name: "skipped_one", up: "CREATE TABLE x (id INTEGER)" }])).toThrow("migration list is broken");
    expect(tableNames(db)).toEqual([]);
    db.close();
  });
});

describe("connection pragmas", () => {
  test("WAL, foreign keys, busy timeout and synchronous=NORMAL are in force on every connection", () => {
    const db = freshDatabase();
    expect(db.query("PRAGMA journal_mode").get()).toEqual({ journal_mode: "wal" });
    expect(db.query("PRAGMA foreign_keys").get()).toEqual({ foreign_keys: 1 });
    expect((db.query("PRAGMA busy_timeout").get() as Record<string, number>).timeout).toBe(5000);
    expect(db.query("PRAGMA synchronous").get()).toEqual({ synchronous: 1 });
    db.close();
  });

  test("foreign keys are enforced, not just declared", () => {
    const db = freshDatabase();
    migrate(db);
    expect(() => db.query("INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at, last_seen_at) VALUES ('h', 999, 'c', 0, 0, 0)").run()).toThrow(/FOREIGN KEY/);
    db.close();
  });

  test("a second connection waits for the writer instead of failing with SQLITE_BUSY", async () => {
    const db = freshDatabase();
    migrate(db);
    // Another process (as the CLI beside a running appliance would be) holds the write lock for 400 ms.
    const holder = Bun.spawn(
      [process.execPath, "-e", `const { Database } = require("bun:sqlite"); const db = new Database(${JSON.stringify(db.filename)}); db.exec("BEGIN IMMEDIATE"); db.exec("INSERT INTO settings (key, value) VALUES ('a', '1')"); console.log("locked"); setTimeout(() => { db.exec("COMMIT"); db.close(); }, 400);`],
      { stdout: "pipe", stderr: "inherit" },
    );
    const reader = holder.stdout.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toContain("locked");
    const started = performance.now();
    db.query("INSERT INTO settings (key, value) VALUES ('b', '2')").run(); // would throw "database is locked" without busy_timeout
    expect(performance.now() - started).toBeGreaterThan(150);
    expect(db.query("SELECT COUNT(*) AS n FROM settings").get()).toEqual({ n: 2 });
    expect(await holder.exited).toBe(0);
    db.close();
  });
});
