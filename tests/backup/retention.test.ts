/** Backup names and retention: exactly the newest N backups stay, and nothing but backups is ever deleted. */
import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { backupFileName, listBackups, newBackupPath } from "../../src/backup/backup-files";
import { pruneBackups } from "../../src/backup/retention";

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A folder holding these files (name → contents). */
function folderWith(names: string[]): string {
  dir = mkdtempSync(join(tmpdir(), "haulbox-retention-"));
  for (const name of names) writeFileSync(join(dir, name), name);
  return dir;
}

describe("backup names", () => {
  test("are UTC times that sort in time order, with -N for a second backup in the same second", () => {
    expect(backupFileName(Date.UTC(2025, 10, 29, 2, 15, 0))).toBe("haulbox-20251129-021500.db");
    expect(backupFileName(Date.UTC(2025, 0, 5, 23, 59, 58, 999), 3)).toBe("haulbox-20250105-235958-3.db");
    folderWith(["haulbox-20251129-021500.db"]);
    expect(newBackupPath(dir, Date.UTC(2025, 10, 29, 2, 15, 0, 400))).toBe(join(dir, "haulbox-20251129-021500-2.db"));
    expect(newBackupPath(dir, Date.UTC(2025, 10, 29, 2, 15, 1))).toBe(join(dir, "haulbox-20251129-021501.db"));
  });

  test("only files shaped exactly like a backup are listed, oldest first, a -2 after its first", () => {
    folderWith(["haulbox-20251129-021500-2.db", "haulbox-20251128-021500.db", "haulbox-20251129-021500.db", "haulbox.db", "haulbox-latest.db", "haulbox-20251129-021500.db-wal", "my-haulbox-20251101-000000.db", "haulbox-2025112-021500.db"]);
    expect(listBackups(dir).map((file) => file.name)).toEqual(["haulbox-20251128-021500.db", "haulbox-20251129-021500.db", "haulbox-20251129-021500-2.db"]);
    expect(listBackups(join(dir, "not-yet"))).toEqual([]);
  });
});

describe("pruneBackups", () => {
  const days = (count: number) => Array.from({ length: count }, (_, i) => backupFileName(Date.UTC(2025, 10, 1 + i, 2, 15)));

  test("keeps exactly the newest N and deletes only backups", () => {
    const others = ["haulbox.db", "notes.txt", "haulbox-20250101-000000.db.keep"];
    folderWith([...days(20), ...others]);
    const result = pruneBackups(dir, 14);
    expect(result.kept.map((file) => file.name)).toEqual(days(20).slice(6));
    expect(result.deleted.map((file) => file.name)).toEqual(days(20).slice(0, 6));
    expect(readdirSync(dir).sort()).toEqual([...days(20).slice(6), ...others].sort());
    // Run again: nothing more to do.
    expect(pruneBackups(dir, 14).deleted).toEqual([]);
  });

  test("fewer than N backups: nothing is deleted", () => {
    folderWith(days(3));
    expect(pruneBackups(dir, 14)).toMatchObject({ deleted: [] });
    expect(listBackups(dir)).toHaveLength(3);
  });

  test("the backup just written is never deleted, even when a clock set back made it sort oldest", () => {
    folderWith(days(5));
    const justWritten = join(dir, backupFileName(Date.UTC(2020, 0, 1)));
    writeFileSync(justWritten, "new");
    const result = pruneBackups(dir, 2, justWritten);
    expect(result.kept.map((file) => file.path).sort()).toEqual([justWritten, join(dir, days(5)[4]!)].sort());
    expect(listBackups(dir)).toHaveLength(2);
  });

  test("keep below 1 is refused rather than deleting everything", () => {
    folderWith(days(2));
    expect(() => pruneBackups(dir, 0)).toThrow(/at least 1/);
    expect(listBackups(dir)).toHaveLength(2);
  });
});
