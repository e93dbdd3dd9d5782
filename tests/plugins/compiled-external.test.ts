/**
 * External plugins from inside a compiled binary, where bare imports cannot be resolved from disk:
 * a small entry using the real loader is compiled, run from an empty folder, and must load both
 * file forms (`(api) => definition` and `import … from "haulbox"`) and report a broken file.
 */
import { afterAll, expect, test } from "bun:test";
import { copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { tempDir } from "../helpers/app";

const FIXTURES = resolve(import.meta.dir, "../fixtures/plugins");
const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

test("a compiled binary loads external plugins in both forms and reports a broken one", async () => {
  const buildDir = tempDir("haulbox-plugin-bin-");
  const runDir = tempDir("haulbox-plugin-run-");
  dirs.push(buildDir, runDir);
  const binary = join(buildDir, "entry");
  const build = Bun.spawnSync([process.execPath, "build", "--compile", join(FIXTURES, "compiled-entry.ts"), "--outfile", binary], { stdout: "pipe", stderr: "pipe" });
  expect(build.stderr.toString()).not.toContain("error");
  expect(build.exitCode).toBe(0);

  const pluginsDir = join(runDir, "plugins");
  mkdirSync(pluginsDir);
  for (const file of readdirSync(join(FIXTURES, "external"))) copyFileSync(join(FIXTURES, "external", file), join(pluginsDir, file));
  writeFileSync(join(pluginsDir, "broken.ts"), "export default {\n  kind: ,\n};\n");

  // Run from the empty folder with no PATH to the repo: nothing can come from node_modules.
  const run = Bun.spawnSync([binary, pluginsDir], { cwd: runDir, stdout: "pipe", stderr: "pipe", env: { PATH: "/usr/bin:/bin" } });
  expect(run.stderr.toString()).toBe("");
  const out = JSON.parse(run.stdout.toString()) as { names: string[]; errors: string[]; polled: unknown[] };
  expect(out.names).toEqual(["echo-board", "module-import"]);
  expect(out.polled).toEqual([{ loads: [{ origin: "Amarillo, TX", rate_cents_per_mile: 300 }] }]);
  expect(out.errors).toHaveLength(1);
  expect(out.errors[0]).toStartWith("broken.ts:2:");
  expect(out.errors[0]).toContain("syntax error");
}, 60_000);
