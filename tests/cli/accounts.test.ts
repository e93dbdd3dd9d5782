/** `haulbox user` and `haulbox token` as an admin runs them: real process, password on stdin, database on disk. */
import { afterAll, describe, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { Database } from "bun:sqlite";
import { tempDir } from "../helpers/app";

const ROOT = join(import.meta.dir, "../..");
const dataDir = tempDir("haulbox-cli-");
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** Runs `haulbox ARGS` from source with optional stdin; returns exit code and output. */
async function haulbox(args: string[], stdin?: string) {
  const child = Bun.spawn([process.execPath, join(ROOT, "src/main.ts"), ...args, "--data-dir", dataDir], {
    cwd: dataDir,
    stdin: stdin === undefined ? "ignore" : new TextEncoder().encode(stdin),
    stdout: "pipe",
    stderr: "pipe",
    env: { ...process.env, HAULBOX_CONFIG: "" },
  });
  const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  return { code, stdout, stderr };
}

describe("haulbox user", () => {
  test("add reads the password from stdin, refuses weak ones and bad roles", async () => {
    const added = await haulbox(["user", "add", "maria", "--role", "owner"], "correct horse battery\n");
    expect(added).toMatchObject({ code: 0 });
    expect(added.stdout).toContain("maria added as owner");

    const weak = await haulbox(["user", "add", "bob", "--role", "dispatcher"], "short\n");
    expect(weak.code).toBe(1);
    expect(weak.stderr).toContain("at least 10 characters");

    const badRole = await haulbox(["user", "add", "bob", "--role", "admin"], "long enough password\n");
    expect(badRole.code).toBe(2);
    expect(badRole.stderr).toContain("owner, dispatcher, driver, viewer");

    const duplicate = await haulbox(["user", "add", "MARIA", "--role", "viewer"], "long enough password\n");
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toContain("already exists");

    const db = new Database(join(dataDir, "haulbox.db"), { readonly: true });
    const row = db.query("SELECT password_hash FROM users WHERE username = 'maria'").get() as { password_hash: string };
    db.close();
    expect(row.password_hash).toStartWith("$argon2id$");
    expect(await Bun.password.verify("correct horse battery", row.password_hash)).toBe(true);
  });

  test("passwd changes the password; list shows users", async () => {
    const changed = await haulbox(["user", "passwd", "maria"], "a new long password\n");
    expect(changed.code).toBe(0);
    const db = new Database(join(dataDir, "haulbox.db"), { readonly: true });
    const row = db.query("SELECT password_hash FROM users WHERE username = 'maria'").get() as { password_hash: string };
    const audit = db.query("SELECT action FROM audit_log ORDER BY id").all() as { action: string }[];
    db.close();
    expect(await Bun.password.verify("a new long password", row.password_hash)).toBe(true);
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(["user_created", "password_changed"]));

    const missing = await haulbox(["user", "passwd", "nobody"], "a new long password\n");
    expect(missing.code).toBe(1);

    const list = await haulbox(["user", "list"]);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/maria\s+owner\s+active/);
  });
});

describe("haulbox token", () => {
  test("create prints only the token, which is stored hashed; revoke stops it", async () => {
    const created = await haulbox(["token", "create", "--name", "prometheus", "--role", "viewer"]);
    expect(created.code).toBe(0);
    const token = created.stdout.trim();
    expect(token).toMatch(/^hb_[A-Za-z0-9_-]{40,}$/);
    expect(created.stdout.split("\n").filter(Boolean)).toHaveLength(1);

    const db = new Database(join(dataDir, "haulbox.db"), { readonly: true });
    const stored = db.query("SELECT id, token_hash, role FROM api_tokens").all() as { id: number; token_hash: string; role: string }[];
    db.close();
    expect(stored).toHaveLength(1);
    expect(stored[0]!.role).toBe("viewer");
    expect(stored[0]!.token_hash).not.toContain(token.slice(3));

    const list = await haulbox(["token", "list"]);
    expect(list.stdout).toContain("prometheus");
    expect(list.stdout).not.toContain(token);

    expect((await haulbox(["token", "revoke", String(stored[0]!.id)])).code).toBe(0);
    expect((await haulbox(["token", "revoke", String(stored[0]!.id)])).code).toBe(1);
    expect((await haulbox(["token", "create", "--name", "x", "--role", "root"])).code).toBe(2);
  });
});
