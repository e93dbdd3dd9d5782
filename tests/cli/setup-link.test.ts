/**
 * `haulbox setup-link` in a real process: a fresh one-time link while no owner exists (public_url or
 * the listen address), one that a server already running accepts, and none once the owner exists.
 */
import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Database } from "bun:sqlite";
import { formField, HttpClient, makeTempDir, sourceCommand, startProcess, stopAll, TEST_OWNER } from "../helpers/server";
import { runHaulbox } from "./run-haulbox";

setDefaultTimeout(30_000);

const dirs: string[] = [];
function scratch(): string {
  const dir = makeTempDir("haulbox-setup-link-");
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  await stopAll();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const TOKEN_URL = /^(http:\/\/[^/]+|https:\/\/[^/]+)\/setup\?token=([A-Za-z0-9_-]{20,})\n$/;

describe("haulbox setup-link", () => {
  test("no owner yet: prints one link on stdout, built from the listen address; each run issues a new token", async () => {
    const cwd = scratch();
    writeFileSync(join(cwd, "haulbox.yaml"), "listen: 0.0.0.0:8123\ndata_dir: ./data\n");
    const first = await runHaulbox(["setup-link", "--config", "haulbox.yaml"], { cwd });
    expect(first.code).toBe(0);
    const match = TOKEN_URL.exec(first.stdout);
    expect(match?.[1]).toBe("http://127.0.0.1:8123");
    expect(first.stderr).toContain("create the owner account");
    // Only the hash is stored, in the settings row the server reads.
    const db = new Database(join(cwd, "data", "haulbox.db"), { readonly: true });
    const row = db.query("SELECT value FROM settings WHERE key = 'setup_token_hash'").get() as { value: string } | null;
    db.close();
    expect(row?.value).toBeString();
    expect(row!.value).not.toContain(match![2]!);

    const second = await runHaulbox(["setup-link", "--config", "haulbox.yaml"], { cwd });
    expect(TOKEN_URL.exec(second.stdout)?.[2]).not.toBe(match![2]);
  });

  test("public_url wins over the listen address (trailing slash dropped); --data-dir is honoured", async () => {
    const cwd = scratch();
    writeFileSync(join(cwd, "haulbox.yaml"), "listen: 127.0.0.1:8124\npublic_url: https://fleet.example.com/\n");
    const run = await runHaulbox(["setup-link", "--config", "haulbox.yaml", "--data-dir", join(cwd, "elsewhere")], { cwd });
    expect(run.code).toBe(0);
    expect(TOKEN_URL.exec(run.stdout)?.[1]).toBe("https://fleet.example.com");
    expect(await Bun.file(join(cwd, "elsewhere", "haulbox.db")).exists()).toBe(true);
  });

  test("the link works on a server that is already running; after setup there is no link and exit 0", async () => {
    const cwd = scratch();
    const app = await startProcess({ cmd: [...sourceCommand(), "serve", "--no-demo"], cwd });
    const logged = await app.setupUrl();
    const run = await runHaulbox(["setup-link", "--data-dir", app.dataDir!, "--listen", `127.0.0.1:${app.port}`], { cwd });
    expect(run.code).toBe(0);
    const link = run.stdout.trim();
    expect(link).toStartWith(`${app.url}/setup?token=`);

    // The server's own link from its log is replaced; the new one shows the form and creates the owner.
    const client = new HttpClient(app.url);
    expect((await client.request("GET", new URL(logged).pathname + new URL(logged).search)).status).toBe(403);
    const html = await client.getText(new URL(link).pathname + new URL(link).search);
    expect(html).toContain('action="/setup"');
    const response = await client.request("POST", "/setup", {
      _csrf: formField(html, "_csrf"),
      token: formField(html, "token"),
      username: TEST_OWNER.username,
      password: TEST_OWNER.password,
      password_again: TEST_OWNER.password,
    });
    expect(response.status).toBe(303);

    const after = await runHaulbox(["setup-link", "--data-dir", app.dataDir!, "--listen", `127.0.0.1:${app.port}`], { cwd });
    expect(after.code).toBe(0);
    expect(after.stdout).toBe("");
    expect(after.stderr).toContain("An owner account already exists");
    expect(after.stderr).toContain(`${app.url}/login`);
  });

  test("an invalid config: exit 1 with the error, no link", async () => {
    const cwd = scratch();
    writeFileSync(join(cwd, "haulbox.yaml"), "listen: nowhere\n");
    const run = await runHaulbox(["setup-link", "--config", "haulbox.yaml"], { cwd });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain("haulbox.yaml:1");
  });
});
