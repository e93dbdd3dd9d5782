/**
 * The release as a user downloads it: `buildRelease` for x64 (this machine's architecture; arm64 is
 * cross-compiled only by `npm run release`, since it fetches Bun's arm64 runtime from the registry),
 * SHA256SUMS checked by `sha256sum -c` (and a changed tarball failing it), the tarball's one folder
 * with everything the bundle promises, unpacked on a clean directory where its binary serves
 * /healthz, and notices naming what is inside and nothing that is not.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { appendFileSync, copyFileSync, existsSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { gitCommit } from "../../scripts/build";
import { buildRelease, bundleName, VERSION, type BundleResult } from "../../scripts/release";
import { makeTempDir, startProcess, stopAll } from "../helpers/server";

let out: string;
let bundle: BundleResult;
const dirs: string[] = [];

beforeAll(async () => {
  out = makeTempDir("haulbox-release-");
  dirs.push(out);
  bundle = (await buildRelease({ arches: ["x64"], out, quiet: true })).bundles[0]!;
}, 180_000);

afterAll(async () => {
  await stopAll();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const sh = (cmd: string[], cwd: string) => {
  const result = Bun.spawnSync(cmd, { cwd, stdout: "pipe", stderr: "pipe" });
  return { code: result.exitCode, stdout: result.stdout.toString(), stderr: result.stderr.toString() };
};

describe("release bundle (x64)", () => {
  test("the release folder holds the tarball, SHA256SUMS and install.sh; sha256sum -c passes, and fails for a changed tarball", () => {
    expect(readdirSync(out).sort()).toEqual([`${bundleName("x64")}.tar.gz`, "SHA256SUMS", "install.sh"].sort());
    expect(readFileSync(join(out, "SHA256SUMS"), "utf8")).toBe(`${bundle.sha256}  ${bundleName("x64")}.tar.gz\n`);
    expect(sh(["sha256sum", "-c", "SHA256SUMS"], out)).toMatchObject({ code: 0 });
    const tampered = makeTempDir("haulbox-tampered-");
    dirs.push(tampered);
    copyFileSync(join(out, "SHA256SUMS"), join(tampered, "SHA256SUMS"));
    copyFileSync(bundle.tarball, join(tampered, `${bundleName("x64")}.tar.gz`));
    appendFileSync(join(tampered, `${bundleName("x64")}.tar.gz`), "x");
    expect(sh(["sha256sum", "-c", "SHA256SUMS"], tampered).code).toBe(1);
  });

  test("one folder named for the version and architecture, with everything the bundle promises, owned by 0 with the commit's time", () => {
    const listing = sh(["tar", "-tvzf", bundle.tarball, "--numeric-owner"], out);
    expect(listing.code).toBe(0);
    const lines = listing.stdout.trim().split("\n");
    const paths = lines.map((line) => line.split(/\s+/).at(-1)!);
    expect(new Set(paths.map((path) => path.split("/")[0]))).toEqual(new Set([bundleName("x64")]));
    for (const file of ["haulbox", "llama/worker.js", "llama/README.txt", "llama/node_modules/node-llama-cpp/package.json", "llama/node_modules/@node-llama-cpp/linux-x64/package.json", "config.example.yaml", "models/README.md", "LICENSE", "THIRD-PARTY-NOTICES.txt", "README.txt", "install.sh"]) {
      expect({ file, inTarball: paths.includes(`${bundleName("x64")}/${file}`) }).toEqual({ file, inTarball: true });
    }
    // Only this architecture's CPU build of the llama library; no llama.cpp sources.
    const prebuilt = new Set(paths.map((path) => /\/@node-llama-cpp\/([^/]+)\//.exec(path)?.[1]).filter(Boolean));
    expect([...prebuilt]).toEqual(["linux-x64"]);
    expect(paths.filter((path) => path.includes("gitRelease.bundle"))).toEqual([]);
    expect(lines.every((line) => line.split(/\s+/)[1] === "0/0")).toBe(true);
    const commitDay = new Date(Number(sh(["git", "log", "-1", "--format=%ct"], join(import.meta.dir, "../..")).stdout.trim()) * 1000).toISOString().slice(0, 10);
    expect(lines.every((line) => line.includes(commitDay))).toBe(true);
    expect(lines.find((line) => line.endsWith(`${bundleName("x64")}/haulbox`))!.startsWith("-rwx")).toBe(true);
  });

  test(
    "unpacked on a clean directory, its binary serves /healthz with this commit, and README.txt and the notices say what is inside",
    async () => {
      const clean = makeTempDir("haulbox-unpacked-");
      dirs.push(clean);
      expect(sh(["tar", "-xzf", bundle.tarball, "-C", clean], clean).code).toBe(0);
      const folder = join(clean, bundleName("x64"));
      const app = await startProcess({ cmd: [join(folder, "haulbox")], cwd: folder, env: { PATH: "/usr/bin:/bin" } });
      const health = (await (await fetch(`${app.url}/healthz`)).json()) as { ok: boolean; version: string; commit: string };
      expect(health).toMatchObject({ ok: true, version: VERSION, commit: gitCommit() });
      expect(await app.stop()).toBe(0);

      expect(readFileSync(join(folder, "README.txt"), "utf8")).toContain(`Haulbox ${VERSION} for Linux x64`);
      const notices = readFileSync(join(folder, "THIRD-PARTY-NOTICES.txt"), "utf8");
      const listed = new Set([...notices.matchAll(/^(\S+) \S+ — /gm)].map((match) => match[1]));
      for (const name of ["elysia", "yaml", "htmx.org", "leaflet", "uplot", "mqtt", "aedes", "node-llama-cpp", "@node-llama-cpp/linux-x64"]) expect({ name, listed: listed.has(name) }).toEqual({ name, listed: true });
      for (const name of ["playwright-core", "typescript", "dockerfile-utils", "bun"]) expect({ name, listed: listed.has(name) }).toEqual({ name, listed: false });
      expect(notices).toContain("Bun (the runtime the haulbox binary is built on)");
      expect(existsSync(join(folder, "LICENSE"))).toBe(true);
    },
    60_000,
  );
});
