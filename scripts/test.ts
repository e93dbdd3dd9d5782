/**
 * `npm test`: the whole suite, in three steps, all of which run even when one fails:
 *   1. kitajs `xss-scan` over every .tsx file in tsconfig (an unescaped untrusted value fails),
 *   2. `tsc --noEmit` (a type error fails),
 *   3. `bun test` with normal console output plus a JUnit file in .test-results/ (git-ignored).
 * Extra arguments go to `bun test`: `npm test -- tests/config` or `npm test -- -t "login"`.
 *
 * The static checks are also written to .test-results/checks.xml as JUnit test cases, so the
 * one-line summary that .ci/run prints counts them too. bun test does not put a test file that fails
 * to load into its JUnit output, so such errors are added there as well.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

const REPO_ROOT = resolve(import.meta.dir, "..");
/** Where JUnit files go; .ci/run reads every *.xml in it. */
const RESULTS_DIR = join(REPO_ROOT, ".test-results");
const BIN = join(REPO_ROOT, "node_modules/.bin");

interface StepResult {
  name: string;
  ok: boolean;
  ms: number;
  output: string;
  /** Why it failed, for the JUnit file. */
  reason?: string;
}

/** Runs a command to completion with its output captured (the static checks run side by side). */
async function captured(name: string, cmd: string[], judge: (code: number, output: string) => string | null): Promise<StepResult> {
  const started = performance.now();
  const proc = Bun.spawn(cmd, { cwd: REPO_ROOT, stdin: "ignore", stdout: "pipe", stderr: "pipe", env: { ...process.env, FORCE_COLOR: "0", NO_COLOR: "1" } });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  const output = (stdout + stderr).trim();
  const reason = judge(code, output);
  return { name, ok: reason === null, ms: Math.round(performance.now() - started), output, reason: reason ?? undefined };
}

function xssScan(): Promise<StepResult> {
  // Run by Bun rather than Node so the suite needs one runtime. No file list: the scanner then
  // checks every .tsx/.jsx file that tsconfig.json includes (src, views, plugins, tests…).
  return captured("xss-scan", [process.execPath, join(BIN, "xss-scan"), "--project", join(REPO_ROOT, "tsconfig.json"), "--simplified"], (code, output) => {
    // Exit 1 = unsafe values found, 2 = warnings only (shown, not failing). The CLI swallows its own
    // crashes with exit 0, so success also needs its success line.
    if (code === 1) return "xss-scan found values rendered without escaping (add `safe`, or escape them)";
    if (code === 2) return null;
    if (code !== 0 || !/No XSS vulnerabilities found/.test(output)) return `xss-scan did not complete (exit ${code})`;
    return null;
  });
}

function typecheck(): Promise<StepResult> {
  return captured("tsc --noEmit", [process.execPath, join(BIN, "tsc"), "--noEmit", "--pretty", "false", "-p", join(REPO_ROOT, "tsconfig.json")], (code) =>
    code === 0 ? null : "type errors",
  );
}

/** Runs bun test with its output streamed through, and reads the closing counts from it. */
async function bunTest(args: string[]): Promise<StepResult & { failsOutsideTests: number }> {
  const started = performance.now();
  const junit = join(RESULTS_DIR, "bun-test.xml");
  const proc = Bun.spawn([process.execPath, "test", "--reporter=junit", `--reporter-outfile=${junit}`, ...args], {
    cwd: REPO_ROOT,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    env: { ...process.env, ...(process.stdout.isTTY ? { FORCE_COLOR: "1" } : {}) },
  });
  let tail = "";
  const forward = async (stream: ReadableStream<Uint8Array>, to: NodeJS.WriteStream) => {
    const decoder = new TextDecoder();
    const reader = stream.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      to.write(value);
      tail = (tail + decoder.decode(value, { stream: true })).slice(-4000);
    }
  };
  await Promise.all([forward(proc.stdout, process.stdout), forward(proc.stderr, process.stderr)]);
  const code = await proc.exited;
  // bun test's closing block: " N pass", " N fail", " N error"… A file that throws while loading
  // counts as a fail and an error here but never appears in the JUnit file.
  const plain = tail.replace(/\x1b\[[0-9;]*m/g, "");
  const count = (word: string) => Number(plain.match(new RegExp(`^\\s*(\\d+) ${word}\\b`, "m"))?.[1] ?? 0);
  const errors = count("error");
  return {
    name: "bun test",
    ok: code === 0,
    ms: Math.round(performance.now() - started),
    output: "",
    reason: code === 0 ? undefined : `bun test exited with ${code}`,
    failsOutsideTests: errors,
  };
}

function xmlEscape(text: string): string {
  return text.replace(/[<>&"]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;" })[c]!).replace(/[\x00-\x08\x0b\x0c\x0e-\x1f]/g, "");
}

/** JUnit test cases for steps that are not bun tests. */
function writeChecksJunit(cases: { name: string; ok: boolean; ms: number; reason?: string; output?: string }[]): void {
  const failures = cases.filter((c) => !c.ok).length;
  const body = cases
    .map((c) => {
      const open = `    <testcase name="${xmlEscape(c.name)}" classname="checks" time="${(c.ms / 1000).toFixed(3)}"`;
      if (c.ok) return `${open} />`;
      return `${open}>\n      <failure message="${xmlEscape(c.reason ?? "failed")}">${xmlEscape((c.output ?? "").slice(0, 20_000))}</failure>\n    </testcase>`;
    })
    .join("\n");
  const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="checks" tests="${cases.length}" failures="${failures}">\n  <testsuite name="checks" tests="${cases.length}" failures="${failures}">\n${body}\n  </testsuite>\n</testsuites>\n`;
  writeFileSync(join(RESULTS_DIR, "checks.xml"), xml);
}

function banner(text: string): void {
  console.log(`\n── ${text} ${"─".repeat(Math.max(4, 70 - text.length))}`);
}

const args = process.argv.slice(2);
const started = performance.now();
// Old results would be counted again by .ci/run: start clean.
rmSync(RESULTS_DIR, { recursive: true, force: true });
mkdirSync(RESULTS_DIR, { recursive: true });

banner("static checks: xss-scan, tsc --noEmit");
const checks = await Promise.all([xssScan(), typecheck()]);
for (const check of checks) {
  console.log(`${check.ok ? "ok  " : "FAIL"} ${check.name} (${check.ms} ms)${check.reason && !check.ok ? ` — ${check.reason}` : ""}`);
  if (check.output && (!check.ok || check.name === "xss-scan")) console.log(check.output.replace(/^/gm, "     "));
}
writeChecksJunit(checks);

banner(`bun test ${args.join(" ")}`.trim());
const tests = await bunTest(args);
const outsideTests = tests.failsOutsideTests > 0 ? [{ name: "bun test: errors outside any test (e.g. a test file that failed to load)", ok: false, ms: 0, reason: `${tests.failsOutsideTests} error(s); see the bun test output above` }] : [];
writeChecksJunit([...checks, ...outsideTests]);

const failed = [...checks.filter((c) => !c.ok).map((c) => c.name), ...(tests.ok ? [] : ["bun test"])];
banner(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
if (failed.length) {
  console.log(`FAILED: ${failed.join(", ")}`);
  process.exit(1);
}
console.log("all checks and tests passed");
