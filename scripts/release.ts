/**
 * `npm run release`: the files a release publishes, in dist/release/:
 *
 *   haulbox-<version>-linux-x64.tar.gz     one folder, haulbox-<version>-linux-<arch>/, holding
 *   haulbox-<version>-linux-arm64.tar.gz   haulbox (the binary), llama/ (the embedded assistant's
 *                                          sidecar), config.example.yaml, models/README.md,
 *                                          LICENSE, THIRD-PARTY-NOTICES.txt and README.txt
 *   SHA256SUMS                             `sha256sum -c` format, one line a tarball
 *   install.sh                             what `curl -fsSL <base url>/install.sh | sh` runs
 *
 * Each binary is cross-compiled by Bun (`--target bun-linux-<arch>`, with bytecode: ~80 ms cold
 * start instead of ~210) and checked by running `haulbox version` — the arm64 one under
 * qemu-aarch64-static when it is installed, else said to be unchecked. Tarballs list their files in
 * a fixed way (sorted names, owner 0, the commit's time on every file), but two builds of one commit
 * are not byte-identical: Bun's compiled binaries differ in about 10 bytes each time (measured), so a
 * SHA256SUMS belongs to one build.
 * Usage: `bun scripts/release.ts [--arch x64,arm64] [--out DIR]`.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { buildBinary, gitCommit } from "./build";
import { buildLlamaSidecar, type SidecarArch } from "./llama-sidecar";
import { thirdPartyNotices } from "./notices";
import { SIDECAR_FOLDER } from "../src/assistant/llama-library";

const REPO_ROOT = resolve(import.meta.dir, "..");
export const DEFAULT_RELEASE_DIR = join(REPO_ROOT, "dist", "release");

export const VERSION = (JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { version: string }).version;

/** The folder (and tarball) name of a release for an architecture. */
export function bundleName(arch: SidecarArch, version = VERSION): string {
  return `haulbox-${version}-linux-${arch}`;
}

export interface BundleResult {
  arch: SidecarArch;
  tarball: string;
  sha256: string;
  bytes: number;
  /** How the binary was checked: "ran", "ran under qemu" or why it was not. */
  checked: string;
}

const hostArch = (): SidecarArch => (process.arch === "arm64" ? "arm64" : "x64");

function run(cmd: string[], cwd = REPO_ROOT): string {
  const out = Bun.spawnSync(cmd, { cwd, stdout: "pipe", stderr: "pipe" });
  if (!out.success) throw new Error(`${cmd.join(" ")} failed (exit ${out.exitCode}):\n${out.stderr.toString()}`);
  return out.stdout.toString();
}

/** Runs `haulbox version` of a built binary: directly on its own architecture, under qemu for the other. */
function checkBinary(binary: string, arch: SidecarArch, commit: string): string {
  const qemu = ["/usr/bin/qemu-aarch64-static", "/usr/bin/qemu-x86_64-static"].find((path) => path.includes(arch === "arm64" ? "aarch64" : "x86_64") && existsSync(path));
  const libs = arch === "arm64" ? "/usr/aarch64-linux-gnu" : "/usr/x86_64-linux-gnu";
  const cmd = arch === hostArch() ? [binary, "version"] : qemu && existsSync(libs) ? [qemu, "-L", libs, binary, "version"] : null;
  if (!cmd) return `not run: this machine is ${hostArch()} and has no qemu-user-static with the ${arch} C library`;
  const printed = run(cmd, "/").trim();
  if (!printed.includes(commit)) throw new Error(`${binary} version printed "${printed}", expected the commit ${commit}`);
  return arch === hostArch() ? `ran: ${printed}` : `ran under qemu: ${printed}`;
}

const BUNDLE_README = (version: string, arch: SidecarArch) => `Haulbox ${version} for Linux ${arch}

Install as a service (Debian, Ubuntu, Raspberry Pi OS, with systemd), from this folder:

    sudo sh install.sh --from-file ../${bundleName(arch, version)}.tar.gz

or from the release's web address:

    curl -fsSL <release url>/install.sh | sudo sh

Or run it here, in the foreground:

    ./haulbox                       # http://127.0.0.1:8080, data in ./data, the demo on
    ./haulbox --help                # every command
    ./haulbox check-config --config haulbox.yaml

config.example.yaml describes every option (copy it to haulbox.yaml and edit).
llama/ is the embedded negotiation assistant's library: keep it beside the binary. Put a GGUF model
at models/assistant.gguf (see models/README.md) or use Ollama; without either, the template words
the negotiation plans.
`;

/** Builds one architecture's bundle folder and tarball in `out`. */
export async function buildBundle(options: { arch: SidecarArch; out: string; quiet?: boolean }): Promise<BundleResult> {
  const { arch, out } = options;
  const name = bundleName(arch);
  const stage = join(out, name);
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(join(stage, "models"), { recursive: true });
  const metafile = join(out, `${name}.meta.json`);
  const build = await buildBinary({ outfile: join(stage, "haulbox"), quiet: true, target: `bun-linux-${arch}`, metafile });
  const checked = checkBinary(build.outfile, arch, build.commit);
  const sidecar = await buildLlamaSidecar({ out: join(stage, SIDECAR_FOLDER), arch });
  copyFileSync(join(REPO_ROOT, "config.example.yaml"), join(stage, "config.example.yaml"));
  copyFileSync(join(REPO_ROOT, "models", "README.md"), join(stage, "models", "README.md"));
  copyFileSync(join(REPO_ROOT, "LICENSE"), join(stage, "LICENSE"));
  copyFileSync(join(REPO_ROOT, "install.sh"), join(stage, "install.sh"));
  writeFileSync(join(stage, "README.txt"), BUNDLE_README(VERSION, arch));
  writeFileSync(join(stage, "THIRD-PARTY-NOTICES.txt"), thirdPartyNotices({ metafile, packageDirs: sidecar.packages.map((pkg) => join(sidecar.dir, pkg)) }));
  rmSync(metafile, { force: true });

  const tarball = join(out, `${name}.tar.gz`);
  const commitTime = run(["git", "log", "-1", "--format=%ct"]).trim() || String(Math.floor(Date.now() / 1000));
  run(["tar", "--sort=name", "--owner=0", "--group=0", "--numeric-owner", `--mtime=@${commitTime}`, "-czf", tarball, "-C", out, name]);
  rmSync(stage, { recursive: true, force: true });
  const sha256 = new Bun.CryptoHasher("sha256").update(readFileSync(tarball)).digest("hex");
  if (!options.quiet) console.error(`${basename(tarball)}: ${(statSync(tarball).size / 1e6).toFixed(1)} MB (binary ${(build.sizeBytes / 1e6).toFixed(1)} MB, llama/ ${(sidecar.bytes / 1e6).toFixed(1)} MB); ${checked}`);
  return { arch, tarball, sha256, bytes: statSync(tarball).size, checked };
}

/** Builds every architecture's bundle, then SHA256SUMS and install.sh beside them. */
export async function buildRelease(options: { arches?: SidecarArch[]; out?: string; quiet?: boolean } = {}): Promise<{ out: string; bundles: BundleResult[]; sums: string }> {
  const out = resolve(options.out ?? DEFAULT_RELEASE_DIR);
  mkdirSync(out, { recursive: true });
  const bundles: BundleResult[] = [];
  for (const arch of options.arches ?? ["x64", "arm64"]) bundles.push(await buildBundle({ arch, out, quiet: options.quiet }));
  const sums = join(out, "SHA256SUMS");
  writeFileSync(sums, bundles.map((bundle) => `${bundle.sha256}  ${basename(bundle.tarball)}\n`).join(""));
  copyFileSync(join(REPO_ROOT, "install.sh"), join(out, "install.sh"));
  return { out, bundles, sums };
}

if (import.meta.main) {
  const { values } = parseArgs({ args: process.argv.slice(2), options: { arch: { type: "string" }, out: { type: "string" } }, strict: true });
  const arches = (values.arch ?? "x64,arm64").split(",").map((arch) => arch.trim());
  const wrong = arches.filter((arch) => arch !== "x64" && arch !== "arm64");
  if (wrong.length) {
    console.error(`--arch takes x64 and/or arm64, not ${wrong.join(", ")}`);
    process.exit(2);
  }
  try {
    const started = performance.now();
    const release = await buildRelease({ arches: arches as SidecarArch[], out: values.out });
    console.log(`release ${VERSION} (${gitCommit()}) in ${release.out} — ${((performance.now() - started) / 1000).toFixed(0)} s`);
    for (const bundle of release.bundles) console.log(`  ${basename(bundle.tarball)}  ${(bundle.bytes / 1e6).toFixed(1)} MB  sha256 ${bundle.sha256.slice(0, 16)}…  ${bundle.checked}`);
    console.log(`  SHA256SUMS, install.sh`);
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
}
