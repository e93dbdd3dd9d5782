/** `haulbox healthcheck`: exit 0 only when /healthz on the configured address answers 200 with ok:true. */
import { afterAll, beforeAll, describe, expect, test, setDefaultTimeout } from "bun:test";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort, makeTempDir, sourceCommand, startProcess, stopAll, type AppProcess } from "../helpers/server";
import { runHaulbox } from "./run-haulbox";

// Each test starts real processes; a busy 2-core machine needs more than the 5 s default.
setDefaultTimeout(30_000);

let app: AppProcess;
const cwd = makeTempDir("haulbox-healthcheck-");
const fakes: ReturnType<typeof Bun.serve>[] = [];

beforeAll(async () => {
  app = await startProcess({ cmd: sourceCommand() });
}, 30_000);
afterAll(async () => {
  for (const fake of fakes) fake.stop(true);
  await stopAll();
  rmSync(cwd, { recursive: true, force: true });
});

/** A stand-in server on a free loopback port answering /healthz with `handler`. */
function fakeServer(handler: () => Response | Promise<Response>): string {
  const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: handler });
  fakes.push(server);
  return `127.0.0.1:${server.port}`;
}

describe("haulbox healthcheck", () => {
  test("healthy server via --listen: exit 0 and one line", async () => {
    const run = await runHaulbox(["healthcheck", "--listen", `127.0.0.1:${app.port}`], { cwd });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^healthy: http://127\\.0\\.0\\.1:${app.port}/healthz \\(version \\S+, schema \\d+\\)\\n$`));
  });

  test("the address comes from --config, or HAULBOX_LISTEN, like every other command", async () => {
    writeFileSync(join(cwd, "haulbox.yaml"), `listen: 127.0.0.1:${app.port}\n`);
    expect((await runHaulbox(["healthcheck", "--config", "haulbox.yaml"], { cwd })).code).toBe(0);
    expect((await runHaulbox(["healthcheck"], { cwd, env: { HAULBOX_CONFIG: join(cwd, "haulbox.yaml") } })).code).toBe(0);
    const elsewhere = makeTempDir();
    expect((await runHaulbox(["healthcheck"], { cwd: elsewhere, env: { HAULBOX_LISTEN: `0.0.0.0:${app.port}` } })).code).toBe(0);
    rmSync(elsewhere, { recursive: true, force: true });
  });

  test("nothing listening: exit 1", async () => {
    const port = await freePort();
    const run = await runHaulbox(["healthcheck", "--listen", `127.0.0.1:${port}`], { cwd });
    expect(run.code).toBe(1);
    expect(run.stderr).toStartWith(`unhealthy: http://127.0.0.1:${port}/healthz:`);
  });

  test("503 with ok:false (database behind), a 200 that is not ours, and a hang: all exit 1", async () => {
    const degraded = fakeServer(() => Response.json({ ok: false, database: true, migrations_current: false }, { status: 503 }));
    const run = await runHaulbox(["healthcheck", "--listen", degraded], { cwd });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("answered 503");

    const notHaulbox = fakeServer(() => new Response("<html>hello</html>", { headers: { "content-type": "text/html" } }));
    expect((await runHaulbox(["healthcheck", "--listen", notHaulbox], { cwd })).code).toBe(1);

    const hanging = fakeServer(() => new Promise<Response>(() => {}));
    const slow = await runHaulbox(["healthcheck", "--listen", hanging, "--timeout", "0.5"], { cwd });
    expect(slow.code).toBe(1);
    expect(slow.stderr).toContain("no answer within 0.5 s");
  });

  test("an invalid config with no --listen is an error, not a false healthy", async () => {
    writeFileSync(join(cwd, "broken.yaml"), "listen: [\n");
    const run = await runHaulbox(["healthcheck", "--config", "broken.yaml"], { cwd });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("broken.yaml:");
  });
});
