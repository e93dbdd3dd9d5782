/**
 * THIRD-PARTY-NOTICES.txt for a release bundle: the license of every package that ends up in it —
 * the ones Bun bundled into the binary (read from the build's metafile, so nothing the binary does
 * not contain is listed) and the ones in the llama/ sidecar — with each package's own license text,
 * plus the Bun runtime the binary is made of.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";

const REPO_ROOT = resolve(import.meta.dir, "..");

const BUN_NOTICE = `Bun (the runtime the haulbox binary is built on) — MIT
Bun statically links JavaScriptCore and WebKit's libraries (LGPL-2.0 / BSD), and other libraries
under their own permissive licenses; their list and texts: https://bun.sh/docs/project/licensing
The exact Bun version is printed by \`BUN_BE_BUN=1 ./haulbox --version\`.`;

interface PackageLicense {
  name: string;
  version: string;
  license: string;
  text: string | null;
}

/** Package folders under node_modules that a list of bundled file paths came from (the innermost node_modules/<name>). */
export function packageDirsOf(paths: Iterable<string>, root = REPO_ROOT): string[] {
  const dirs = new Set<string>();
  for (const path of paths) {
    const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(path);
    if (match) dirs.add(resolve(root, match[1]!));
  }
  return [...dirs];
}

function licenseOf(dir: string): PackageLicense {
  const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name: string; version: string; license?: string | { type?: string } };
  const license = typeof pkg.license === "string" ? pkg.license : (pkg.license?.type ?? "not stated in package.json");
  const file = readdirSync(dir).find((name) => /^(licen[sc]e|copying|notice)(\.(md|txt|markdown))?$/i.test(name));
  return { name: pkg.name, version: pkg.version, license, text: file ? readFileSync(join(dir, file), "utf8").trim() : null };
}

/** The notices text for a binary built with `metafile` and other package folders shipped beside it (the sidecar's). */
export function thirdPartyNotices(options: { metafile: string; packageDirs: string[] }): string {
  const meta = JSON.parse(readFileSync(options.metafile, "utf8")) as { inputs: Record<string, unknown> };
  const dirs = [...packageDirsOf(Object.keys(meta.inputs)), ...options.packageDirs];
  const byId = new Map<string, PackageLicense>();
  for (const dir of dirs) {
    const entry = licenseOf(dir);
    byId.set(`${entry.name}@${entry.version}`, entry);
  }
  const entries = [...byId.values()].sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
  const rule = "-".repeat(78);
  return [
    "Third-party software in this Haulbox release, with the license each is used under.",
    `${entries.length} packages, then the Bun runtime.`,
    "",
    ...entries.flatMap((entry) => [rule, `${entry.name} ${entry.version} — ${entry.license}`, "", entry.text ?? "(the package carries no license file; its package.json names the license above)", ""]),
    rule,
    BUN_NOTICE,
    "",
  ].join("\n");
}
