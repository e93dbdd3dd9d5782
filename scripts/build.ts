/**
 * `npm run build`: compiles the appliance into one self-contained executable, dist/haulbox.
 *
 * Everything the app needs at run time is reached through static imports, so the bundler embeds it:
 * views (JSX compiled in), static assets (`with { type: "file" }`), migrations (`with { type: "text" }`)
 * and built-in plugins (plugins/index.ts). The result runs from any directory without the repo or
 * node_modules. Beside it goes the llama sidecar (`llama/`, scripts/llama-sidecar.ts) that the
 * embedded assistant runs its model with; the binary works without it (assistant `ollama` or `none`).
 * Usage: `bun scripts/build.ts [--outfile PATH] [--without-llama]`.
 */
import { statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { SIDECAR_FOLDER } from "../src/assistant/llama-library";
import { buildLlamaSidecar } from "./llama-sidecar";

const REPO_ROOT = resolve(import.meta.dir, "..");

/** Default output path of the compiled binary. */
export const DEFAULT_OUTFILE = resolve(REPO_ROOT, "dist/haulbox");

/** Short git commit of the checkout; HAULBOX_COMMIT when set (a Docker build has no .git); "unknown" outside git. */
export function gitCommit(): string {
  const given = process.env.HAULBOX_COMMIT?.trim();
  if (given && /^[0-9a-f]{4,40}$/.test(given)) return given.slice(0, 12);
  try {
    const out = Bun.spawnSync(["git", "rev-parse", "--short", "HEAD"], { cwd: REPO_ROOT, stdout: "pipe", stderr: "ignore" });
    const sha = out.success ? out.stdout.toString().trim() : "";
    return /^[0-9a-f]{4,40}$/.test(sha) ? sha : "unknown";
  } catch {
    return "unknown";
  }
}

/** Bun's compile targets a release is built for ("bun": this machine). Cross-compiling fetches that target's Bun runtime from the npm registry once. */
export type BuildTarget = "bun" | "bun-linux-x64" | "bun-linux-arm64";

/** What a build produced. */
export interface BuildResult {
  outfile: string;
  commit: string;
  sizeBytes: number;
  ms: number;
}

/**
 * Compiles src/main.ts into a standalone executable.
 * - `--bytecode --format esm`: precompiled bytecode with ESM gives ≈80 ms cold start (≈210 ms without).
 * - `--compile` implies `--production`, i.e. full minification; Elysia and kitajs were checked to run
 *   minified (the binary test drives setup, login and pages through it).
 * - no autoloading of `.env` or `bunfig.toml` from the working directory: an appliance binary must
 *   behave the same wherever it is started; configuration comes only from haulbox.yaml, flags and env.
 * - `--external node-llama-cpp`: a native library that cannot live inside the binary; the embedded
 *   assistant's model process runs from the sidecar folder instead (without it, the assistant says so
 *   and the template words the plans).
 */
export async function buildBinary(options: { outfile?: string; quiet?: boolean; target?: BuildTarget; metafile?: string } = {}): Promise<BuildResult> {
  const outfile = resolve(options.outfile ?? DEFAULT_OUTFILE);
  const commit = gitCommit();
  const started = performance.now();
  const args = [
    process.execPath,
    "build",
    "--compile",
    "--bytecode",
    "--format=esm",
    `--target=${options.target ?? "bun"}`,
    "--minify",
    "--no-compile-autoload-dotenv",
    "--no-compile-autoload-bunfig",
    "--external=node-llama-cpp",
    `--define=HAULBOX_BUILD_COMMIT=${JSON.stringify(commit)}`,
    `--outfile=${outfile}`,
    ...(options.metafile ? [`--metafile=${options.metafile}`] : []),
    "src/main.ts",
  ];
  const proc = Bun.spawn(args, { cwd: REPO_ROOT, stdout: options.quiet ? "pipe" : "inherit", stderr: "pipe", env: { ...process.env, NO_COLOR: "1" } });
  const [code, stderr, stdout] = await Promise.all([proc.exited, new Response(proc.stderr).text(), options.quiet ? new Response(proc.stdout as ReadableStream).text() : Promise.resolve("")]);
  if (code !== 0) throw new Error(`bun build failed (exit ${code}):\n${stdout}${stderr}`);
  if (!options.quiet && stderr.trim()) process.stderr.write(stderr);
  return { outfile, commit, sizeBytes: statSync(outfile).size, ms: Math.round(performance.now() - started) };
}

/** Runs the binary's `version` command and checks it names this build's commit. */
export function checkVersion(result: BuildResult): string {
  const out = Bun.spawnSync([result.outfile, "version"], { cwd: "/", stdout: "pipe", stderr: "pipe" });
  const text = out.stdout.toString().trim();
  if (!out.success || !text.includes(result.commit)) throw new Error(`${result.outfile} version printed "${text}" (exit ${out.exitCode}), expected the commit ${result.commit}\n${out.stderr.toString()}`);
  return text;
}

if (import.meta.main) {
  const { values } = parseArgs({ args: process.argv.slice(2), options: { outfile: { type: "string" }, "without-llama": { type: "boolean" } }, strict: true });
  try {
    const result = await buildBinary({ outfile: values.outfile });
    const version = checkVersion(result);
    console.log(`built ${result.outfile} — ${(result.sizeBytes / 1e6).toFixed(1)} MB in ${result.ms} ms — ${version}`);
    if (!values["without-llama"]) {
      const sidecar = await buildLlamaSidecar({ out: join(dirname(result.outfile), SIDECAR_FOLDER) });
      console.log(`wrote ${sidecar.dir}/ — the embedded assistant's node-llama-cpp ${sidecar.version} (${sidecar.packages.length} packages, ${(sidecar.bytes / 1e6).toFixed(1)} MB); keep it beside the binary`);
    }
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
}
