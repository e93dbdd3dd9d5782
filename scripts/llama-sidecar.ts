/**
 * The llama sidecar: the model's process (`worker.js`, built from src/assistant/llama-worker.ts)
 * and node-llama-cpp with everything it imports, copied out of this checkout's node_modules into a
 * folder that sits beside the compiled binary (`dist/llama/`). The binary runs the worker from there
 * (src/assistant/llama-library.ts); without the folder it runs the assistant with `ollama` or `none`.
 *
 * The folder keeps node_modules' own layout (nested copies stay nested), so every import inside it
 * resolves exactly as it does in the checkout. Left out: other platforms' prebuilt libraries, the
 * GPU builds (see models/README.md to add one), and the llama.cpp source bundle that is only used to
 * compile from source (the binary always loads a prebuilt library: `build: "never"`).
 * Usage: `bun scripts/llama-sidecar.ts [--out DIR] [--arch x64|arm64]`.
 */
import { cpSync, existsSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { parseArgs } from "node:util";
import { SIDECAR_WORKER } from "../src/assistant/llama-library";

const REPO_ROOT = resolve(import.meta.dir, "..");

export type SidecarArch = "x64" | "arm64";

/** The CPU build of the prebuilt library for a Linux architecture. */
export function prebuiltPackage(arch: SidecarArch): string {
  return `@node-llama-cpp/linux-${arch}`;
}

/** Files a prebuilt-only install never reads (34 MB of llama.cpp sources for building it anew). */
const LEFT_OUT = new Set([join("node_modules", "node-llama-cpp", "llama", "gitRelease.bundle")]);

interface PackageJson {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

function readPackage(dir: string): PackageJson {
  return JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as PackageJson;
}

/** Node's lookup of a package from a package's folder: node_modules/<name> there, then in each parent up to the checkout. */
function findPackage(name: string, fromDir: string, root: string): string | null {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, "node_modules", name);
    if (existsSync(join(candidate, "package.json"))) return candidate;
    if (dir === root || dirname(dir) === dir) return null;
  }
}

/**
 * The package folders node-llama-cpp needs, as paths relative to the checkout. Its optional
 * dependencies are the per-platform prebuilt libraries: only the target's CPU build is kept.
 */
export function sidecarPackages(arch: SidecarArch, root = REPO_ROOT): string[] {
  const start = findPackage("node-llama-cpp", root, root);
  if (!start) throw new Error("node-llama-cpp is not installed in node_modules: run npm install first");
  const found = new Set<string>([start]);
  const queue = [start];
  while (queue.length > 0) {
    const dir = queue.pop() as string;
    const pkg = readPackage(dir);
    const wanted = [...Object.keys(pkg.dependencies ?? {}).map((name) => ({ name, optional: false })), ...Object.keys(pkg.optionalDependencies ?? {}).map((name) => ({ name, optional: true }))];
    for (const { name, optional } of wanted) {
      if (name.startsWith("@node-llama-cpp/") && name !== prebuiltPackage(arch)) continue;
      const depDir = findPackage(name, dir, root);
      if (!depDir) {
        if (name === prebuiltPackage(arch)) throw new Error(`${name} is not in node_modules: npm skipped it for this machine (run npm install --force --os=linux --cpu=${arch} to fetch it)`);
        if (optional) continue;
        throw new Error(`${pkg.name} needs ${name}, which is not in node_modules: run npm install`);
      }
      if (!found.has(depDir)) {
        found.add(depDir);
        queue.push(depDir);
      }
    }
  }
  return [...found].map((dir) => relative(root, dir)).sort();
}

export interface SidecarResult {
  dir: string;
  /** Package folders in it, relative to it (node_modules/…). */
  packages: string[];
  bytes: number;
  version: string;
}

function folderBytes(dir: string): number {
  let total = 0;
  for (const entry of new Bun.Glob("**/*").scanSync({ cwd: dir, onlyFiles: true, dot: true })) total += statSync(join(dir, entry)).size;
  return total;
}

/** Writes the sidecar folder (replacing one that is there). */
export async function buildLlamaSidecar(options: { out: string; arch?: SidecarArch; root?: string }): Promise<SidecarResult> {
  const root = options.root ?? REPO_ROOT;
  const arch = options.arch ?? (process.arch === "arm64" ? "arm64" : "x64");
  const out = resolve(options.out);
  const packages = sidecarPackages(arch, root);
  rmSync(out, { recursive: true, force: true });
  for (const pkg of packages) {
    const from = join(root, pkg);
    cpSync(from, join(out, pkg), {
      recursive: true,
      // A package's own node_modules holds packages of the closure (copied on their own) or ones it does not need.
      filter: (path) => {
        const inside = relative(from, path);
        return !inside.startsWith(`node_modules`) && !LEFT_OUT.has(join(pkg, inside)) && !inside.split(sep).includes(".bin");
      },
    });
  }
  // Not minified: a fleet owner's admin may well read what runs beside the binary.
  const worker = await Bun.build({ entrypoints: [join(REPO_ROOT, "src", "assistant", "llama-worker.ts")], target: "bun", format: "esm", external: ["node-llama-cpp"] });
  if (!worker.success) throw new Error(`building the worker failed:\n${worker.logs.join("\n")}`);
  await Bun.write(join(out, SIDECAR_WORKER), worker.outputs[0]!);
  const version = readPackage(join(root, "node_modules", "node-llama-cpp")).version;
  writeFileSync(
    join(out, "README.txt"),
    [
      `node-llama-cpp ${version} for Linux ${arch} (CPU build), the library of Haulbox's embedded assistant.`,
      "",
      "Keep this folder beside the haulbox binary (or point HAULBOX_LLAMA_DIR at it). Without it Haulbox",
      "runs the negotiation assistant with assistant.provider ollama or none. A GPU build (CUDA, Vulkan)",
      "is not included: see models/README.md.",
      "",
    ].join("\n"),
  );
  return { dir: out, packages, bytes: folderBytes(out), version };
}

if (import.meta.main) {
  const { values } = parseArgs({ args: process.argv.slice(2), options: { out: { type: "string" }, arch: { type: "string" } }, strict: true });
  const arch = (values.arch ?? (process.arch === "arm64" ? "arm64" : "x64")) as SidecarArch;
  if (arch !== "x64" && arch !== "arm64") {
    console.error(`--arch must be x64 or arm64, not ${arch}`);
    process.exit(2);
  }
  try {
    const result = await buildLlamaSidecar({ out: values.out ?? join(REPO_ROOT, "dist", "llama"), arch });
    console.log(`wrote ${result.dir} — node-llama-cpp ${result.version}, ${result.packages.length} packages, ${(result.bytes / 1e6).toFixed(1)} MB`);
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
}
