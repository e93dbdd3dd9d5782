/**
 * The geodata inside a compiled binary: a small entry point that uses the gazetteer and the state
 * shapes is built with `bun build --compile` (the flags scripts/build.ts uses), copied into an empty
 * directory with no node_modules, and run. Its answers must equal the ones from source, which
 * shows the bundler embedded the GeoNames file and us-atlas, and that nothing is read at start.
 */
import { afterAll, expect, test } from "bun:test";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { geocode, lookupZip, zip3Market } from "../../src/geo/gazetteer";
import { paddOfPoint, stateOfPoint } from "../../src/geo/states";

const GEO_DIR = resolve(import.meta.dir, "../../src/geo");
const dirs: string[] = [];

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

test("the gazetteer and state shapes work from a compiled binary run outside the repo", () => {
  const buildDir = mkdtempSync(join(tmpdir(), "haulbox-geo-build-"));
  const runDir = mkdtempSync(join(tmpdir(), "haulbox-geo-run-"));
  dirs.push(buildDir, runDir);
  const entry = join(buildDir, "entry.ts");
  writeFileSync(
    entry,
    [
      `import { geocode, isGazetteerLoaded, lookupZip, zip3Market } from ${JSON.stringify(join(GEO_DIR, "gazetteer.ts"))};`,
      `import { paddOfPoint, stateOfPoint } from ${JSON.stringify(join(GEO_DIR, "states.ts"))};`,
      "const loadedAtStart = isGazetteerLoaded();",
      "console.log(JSON.stringify({",
      "  loadedAtStart,",
      '  city: geocode({ city: "Ft Worth", state: "tx" }),',
      '  zip: lookupZip("02108"),',
      '  market: zip3Market("631"),',
      "  state: stateOfPoint(39.7817, -89.6501),",
      "  padd: paddOfPoint(29.7604, -95.3698),",
      "}));",
    ].join("\n"),
  );
  const outfile = join(buildDir, "geo-probe");
  const build = Bun.spawnSync(
    [process.execPath, "build", entry, "--compile", "--bytecode", "--format=esm", "--target=bun", "--minify", "--no-compile-autoload-dotenv", "--no-compile-autoload-bunfig", `--outfile=${outfile}`],
    { stdout: "pipe", stderr: "pipe" },
  );
  expect(build.stderr.toString()).not.toContain("error");
  expect(build.exitCode).toBe(0);
  const binary = join(runDir, "geo-probe");
  copyFileSync(outfile, binary);
  rmSync(buildDir, { recursive: true, force: true });

  const run = Bun.spawnSync([binary], { cwd: runDir, stdout: "pipe", stderr: "pipe", env: { PATH: "/usr/bin:/bin" } });
  expect(run.stderr.toString()).toBe("");
  expect(run.exitCode).toBe(0);
  expect(JSON.parse(run.stdout.toString())).toEqual({
    loadedAtStart: false,
    city: geocode({ city: "Ft Worth", state: "tx" }),
    zip: lookupZip("02108"),
    market: zip3Market("631"),
    state: stateOfPoint(39.7817, -89.6501),
    padd: paddOfPoint(29.7604, -95.3698),
  });
}, 180_000);
