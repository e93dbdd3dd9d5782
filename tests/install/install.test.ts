/**
 * install.sh as an admin runs it, against a REAL bundle built from these sources and served from
 * 127.0.0.1, each install in its own scratch root (HAULBOX_ROOT) with stand-ins for systemctl, the
 * user commands and chown (see harness.ts): fresh install (piped, as `curl … | sh`), upgrade keeping
 * config, data and the owner account, re-install of the same build, rollback (a build that exits 1,
 * one that also wrecks the database), a build that does not run at all, checksum mismatch, not root,
 * no systemd, architecture detection, --from-file, --uninstall and --uninstall --purge.
 *
 * The cases of one scratch root build on each other (fresh → upgrade → … → rollback), in file order.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, linkSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, statSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { buildBundle, bundleName, VERSION } from "../../scripts/release";
import { completeSetup, demoLoadForATruck, formField, freePort, HttpClient, jsonApiOverHttp, startProcess, stopAll, TEST_OWNER } from "../helpers/server";
import { writeTinyGguf } from "../helpers/tiny-gguf";
import { INSTALL_SH, killServices, makeTemp, ReleaseServer, Repacker, runInstaller, scratchRoot, sha256, writeStubs, type Release, type Run, type Scratch } from "./harness";

setDefaultTimeout(60_000);

let stubDir: string;
let server: ReleaseServer;
let tarball: string;
let tarballSha: string;
const releases: Record<"good" | "next" | "bad" | "wrecker" | "dud" | "tampered" | "arm", Release> = {} as never;
const timings: string[] = [];

/** A stand-in "haulbox" for a build that passes the installer's checks but does not come up. */
const brokenBinary = (version: string, serve: string) => `#!/bin/sh
case "$1" in
  version) echo "haulbox ${version} (test build that does not start)" ;;
  check-config) echo "config OK" ;;
  serve)
${serve}
    echo "test build: exiting with 1" >&2
    exit 1 ;;
  *) exit 1 ;;
esac
`;

beforeAll(async () => {
  const started = performance.now();
  const out = makeTemp("haulbox-install-bundles-");
  const bundle = await buildBundle({ arch: "x64", out, quiet: true });
  tarball = bundle.tarball;
  tarballSha = bundle.sha256;
  timings.push(`bundle ${((performance.now() - started) / 1000).toFixed(1)} s`);
  stubDir = writeStubs(join(out, "stubs"));
  server = new ReleaseServer();
  releases.good = server.add("good", { [basename(tarball)]: tarball });
  const repackStarted = performance.now();
  const repacker = new Repacker(tarball, out);
  releases.bad = server.add("bad", { "haulbox-0.2.0-linux-x64.tar.gz": repacker.withBinary("0.2.0", brokenBinary("0.2.0", "")) });
  const wreck = `    data=$(sed -n 's/^data_dir: *//p' "$3")
    printf 'this is not a database' >"$data/haulbox.db"
    rm -f "$data/haulbox.db-wal" "$data/haulbox.db-shm"`;
  releases.wrecker = server.add("wrecker", { "haulbox-0.2.1-linux-x64.tar.gz": repacker.withBinary("0.2.1", brokenBinary("0.2.1", wreck)) });
  const dud = repacker.withBinary("0.2.2", "#!/bin/sh\necho 'cannot execute binary file: Exec format error' >&2\nexit 1\n");
  releases.dud = server.add("dud", { "haulbox-0.2.2-linux-x64.tar.gz": dud });
  releases.next = server.add("next", { "haulbox-0.1.1-linux-x64.tar.gz": repacker.as("0.1.1") });
  releases.tampered = server.add("tampered", { [basename(tarball)]: tarball }, `${"0".repeat(64)}  ${basename(tarball)}\n`);
  // An arm64 entry whose tarball really holds an x64 build: the installer must notice.
  releases.arm = server.add("arm", { [basename(tarball)]: tarball, "haulbox-0.2.2-linux-arm64.tar.gz": dud });
  timings.push(`repacks ${((performance.now() - repackStarted) / 1000).toFixed(1)} s`);
}, 240_000);

afterAll(async () => {
  await stopAll();
  killServices();
  server?.stop();
  if (timings.length) console.error(`install tests: ${timings.join(", ")}`);
});

const RELEASE_ID = () => `${VERSION}-${tarballSha.slice(0, 12)}`;
const idOf = (sha: string, version: string) => `${version}-${sha.slice(0, 12)}`;
const served = (release: Release, name: string) => sha256(release.files.get(name)!);

/** Ports for one install, and the environment that makes a new config use them. */
async function listenEnv() {
  const port = await freePort();
  const mqtt = await freePort();
  return { port, env: { HAULBOX_LISTEN: `127.0.0.1:${port}`, HAULBOX_MQTT_LISTEN: `127.0.0.1:${mqtt}` } };
}

async function install(scratch: Scratch, args: string[], options: { release?: Release; env?: Record<string, string>; pipe?: boolean; cwd?: string } = {}): Promise<Run> {
  const started = performance.now();
  const run = await runInstaller(scratch, args, { stubDir, baseUrl: options.release?.url, env: options.env, pipe: options.pipe, cwd: options.cwd });
  timings.push(`${args.join(" ") || "install"} ${options.release?.name ?? ""} ${((performance.now() - started) / 1000).toFixed(1)} s`.replace(/ +/g, " "));
  return run;
}

/** Actions in systemctl.log, without the status queries the installer makes while waiting. */
const actions = (scratch: Scratch) => scratch.systemctl().filter((line) => !line.startsWith("show ") && !line.startsWith("is-active "));

/** Every path under the scratch root but the stand-ins' own folder and /run. */
function tree(scratch: Scratch): string[] {
  const found: string[] = [];
  const walk = (dir: string, rel: string) => {
    for (const name of readdirSync(dir)) {
      const path = rel ? `${rel}/${name}` : name;
      if (path === ".stub" || path === "run") continue;
      found.push(path);
      if (lstatSync(join(dir, name)).isDirectory() && !path.startsWith("opt/haulbox/releases/")) walk(join(dir, name), path);
    }
  };
  walk(scratch.root, "");
  return found.sort();
}

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);

async function healthz(port: number): Promise<number> {
  try {
    return (await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(3000) })).status;
  } catch {
    return 0;
  }
}

async function login(port: number): Promise<number> {
  const client = new HttpClient(`http://127.0.0.1:${port}`);
  const html = await client.getText("/login");
  const response = await client.request("POST", "/login", { _csrf: formField(html, "_csrf"), next: "/", username: TEST_OWNER.username, password: TEST_OWNER.password });
  await response.body?.cancel();
  return response.status;
}

const HARDENING = [
  "NoNewPrivileges=yes",
  "ProtectSystem=strict",
  "ProtectHome=yes",
  "PrivateTmp=yes",
  "PrivateDevices=yes",
  "ProtectKernelTunables=yes",
  "ProtectKernelModules=yes",
  "ProtectControlGroups=yes",
  "RestrictSUIDSGID=yes",
  "RestrictNamespaces=yes",
  "LockPersonality=yes",
  "SystemCallArchitectures=native",
  "Restart=on-failure",
  "TimeoutStopSec=15",
  "User=haulbox",
  "Group=haulbox",
  "ExecReload=/bin/kill -HUP $MAINPID",
];

describe("install.sh: the script itself", () => {
  test("shellcheck finds nothing (POSIX sh)", () => {
    const shellcheck = Bun.which("shellcheck");
    expect(shellcheck ?? "shellcheck is not installed (apt-get install shellcheck)").toEndWith("shellcheck");
    const result = Bun.spawnSync([shellcheck!, "--shell=sh", "--severity=style", INSTALL_SH], { stdout: "pipe", stderr: "pipe" });
    expect(result.stdout.toString() + result.stderr.toString()).toBe("");
    expect(result.exitCode).toBe(0);
    expect(readFileSync(INSTALL_SH, "utf8")).toStartWith("#!/bin/sh\n");
  });

  test("--help explains the options; an unknown option is a usage error; --purge alone is refused", async () => {
    const scratch = scratchRoot();
    const help = await install(scratch, ["--help"]);
    expect(help.code).toBe(0);
    for (const text of ["--from-file FILE", "--uninstall", "--purge", "HAULBOX_BASE_URL", "| sudo sh"]) expect(help.stdout).toContain(text);
    const wrong = await install(scratch, ["--frm-file", "x"]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain("Unknown option: --frm-file");
    const purge = await install(scratch, ["--purge"]);
    expect(purge.code).toBe(1);
    expect(purge.stderr).toContain("--uninstall --purge");
    expect(tree(scratch)).toEqual([]);
  });
});

describe("install.sh: install, upgrade, rollback", () => {
  let a: Scratch;
  let port: number;
  let setupLink: string;

  test("fresh install, piped as curl | sh: files, modes, unit, systemctl calls, URL and a setup link that works", async () => {
    a = scratchRoot();
    const ports = await listenEnv();
    port = ports.port;
    const run = await install(a, [], { release: releases.good, env: ports.env, pipe: true });
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: "" });
    expect(server.requests).toContain(`/good/${basename(tarball)}`);
    expect(run.stdout).toContain("Checksum OK");

    // The build in its own folder, with llama/ beside the binary; current and /usr/local/bin point at it.
    expect(readlinkSync(a.path("opt/haulbox/current"))).toBe(`releases/${RELEASE_ID()}`);
    expect(existsSync(a.path(`opt/haulbox/releases/${RELEASE_ID()}/llama`))).toBe(true);
    expect(readlinkSync(a.path("usr/local/bin/haulbox"))).toBe(a.path("opt/haulbox/current/haulbox"));
    const version = Bun.spawnSync([a.path("usr/local/bin/haulbox"), "version"], { stdout: "pipe" });
    expect(version.stdout.toString()).toStartWith(`haulbox ${VERSION} (`);
    expect(existsSync(a.path("opt/haulbox/previous"))).toBe(false);

    // Config from the example with the server's data folder; never world-readable.
    const config = readFileSync(a.path("etc/haulbox/haulbox.yaml"), "utf8");
    expect(config).toContain(`\nlisten: 127.0.0.1:${port}\n`);
    expect(config).toContain(`\ndata_dir: ${a.path("var/lib/haulbox")}\n`);
    expect(config).toContain(`\nmqtt:\n`);
    expect(config).toContain(`\n  ${ports.env.HAULBOX_MQTT_LISTEN.replace(/^/, "listen: ")}\n`);
    expect(config).toContain("# Address and port of the web UI"); // the example's comments stay
    expect(mode(a.path("etc/haulbox/haulbox.yaml"))).toBe("640");
    expect(mode(a.path("etc/haulbox"))).toBe("750");
    expect(mode(a.path("var/lib/haulbox"))).toBe("750");
    expect(a.record("chown.log").split("\n").filter(Boolean)).toEqual([
      `chown haulbox:haulbox ${a.path("var/lib/haulbox")}`,
      `chown root:haulbox ${a.path("etc/haulbox")}`,
      `chown root:haulbox ${a.path("etc/haulbox/haulbox.yaml.new")}`,
    ]);
    expect(a.record("users.log")).toBe(`useradd --system --user-group --home-dir ${a.path("var/lib/haulbox")} --no-create-home --shell /usr/sbin/nologin haulbox\n`);

    // The hardened unit.
    const unitFile = a.path("etc/systemd/system/haulbox.service");
    const unit = readFileSync(unitFile, "utf8").split("\n");
    for (const line of HARDENING) expect(unit).toContain(line);
    expect(unit).toContain(`ExecStart=${a.path("opt/haulbox/current/haulbox")} serve --config ${a.path("etc/haulbox/haulbox.yaml")}`);
    expect(unit).toContain(`ReadWritePaths=${a.path("var/lib/haulbox")}`);
    expect(unit).toContain("CapabilityBoundingSet=");
    expect(unit.filter((line) => /^(AmbientCapabilities|MemoryDenyWriteExecute)=/.test(line))).toEqual([]);
    expect(unit).toContain("WantedBy=multi-user.target");
    const analyze = Bun.which("systemd-analyze");
    if (analyze) {
      // verify exits 0 even for unknown keys; its warnings name the file.
      const verified = Bun.spawnSync([analyze, "verify", unitFile], { stdout: "pipe", stderr: "pipe" });
      expect((verified.stdout.toString() + verified.stderr.toString()).split("\n").filter((line) => line.includes("haulbox.service"))).toEqual([]);
    }

    expect(actions(a)).toEqual(["daemon-reload", "enable --quiet haulbox", "start haulbox"]);
    expect(a.record("runuser.log")).toContain(`-u haulbox -- ${a.path("opt/haulbox/current/haulbox")} setup-link --config ${a.path("etc/haulbox/haulbox.yaml")}`);

    expect(run.stdout).toContain(`Haulbox ${VERSION} is running.`);
    expect(run.stdout).toContain(`Open it at:  http://127.0.0.1:${port}\n`);
    setupLink = /^ {4}(http:\/\/\S+\/setup\?token=\S+)$/m.exec(run.stdout)?.[1] ?? "";
    expect(setupLink).toStartWith(`http://127.0.0.1:${port}/setup?token=`);
    const page = await fetch(setupLink);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('action="/setup"');
    expect(await healthz(port)).toBe(200);
  });

  test("re-run with a newer release upgrades in place: config, data and the owner kept; the previous build kept, older ones deleted", async () => {
    // Create the owner with the printed link, as the admin would.
    const client = new HttpClient(`http://127.0.0.1:${port}`);
    const html = await client.getText(new URL(setupLink).pathname + new URL(setupLink).search);
    const created = await client.request("POST", "/setup", { _csrf: formField(html, "_csrf"), token: formField(html, "token"), username: TEST_OWNER.username, password: TEST_OWNER.password, password_again: TEST_OWNER.password });
    expect(created.status).toBe(303);
    expect(await login(port)).toBe(303);

    mkdirSync(a.path("opt/haulbox/releases/0.0.9-aaaaaaaaaaaa"), { recursive: true });
    const config = readFileSync(a.path("etc/haulbox/haulbox.yaml"), "utf8");
    const pid = a.servicePid();
    const callsBefore = a.systemctl().length;
    const run = await install(a, [], { release: releases.next });
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: "" });

    const next = idOf(served(releases.next, "haulbox-0.1.1-linux-x64.tar.gz"), "0.1.1");
    expect(readlinkSync(a.path("opt/haulbox/current"))).toBe(`releases/${next}`);
    expect(readlinkSync(a.path("opt/haulbox/previous"))).toBe(`releases/${RELEASE_ID()}`);
    expect(readdirSync(a.path("opt/haulbox/releases")).sort()).toEqual([RELEASE_ID(), next].sort());
    expect(run.stdout).toContain("Deleted the old build 0.0.9-aaaaaaaaaaaa");
    expect(readFileSync(a.path("etc/haulbox/haulbox.yaml"), "utf8")).toBe(config);
    expect(run.stdout).toContain("Kept your config");
    expect(existsSync(a.path("var/lib/haulbox/before-upgrade/haulbox.db"))).toBe(true);
    expect(a.systemctl().slice(callsBefore).filter((line) => !line.startsWith("show ") && !line.startsWith("is-active "))).toEqual(["daemon-reload", "enable --quiet haulbox", "stop haulbox", "start haulbox"]);
    expect(a.record("users.log").split("\n").filter(Boolean)).toHaveLength(1); // the user is not made twice
    // The config is checked by the new build, and the service probed, as the haulbox user (never plugin code as root).
    expect(a.record("runuser.log")).toMatch(/-u haulbox -- \S+\/\.incoming\.\w+\/unpack\/haulbox-0\.1\.1-linux-x64\/haulbox check-config --config /);
    expect(a.record("runuser.log")).toContain(`-u haulbox -- ${a.path("opt/haulbox/current/haulbox")} healthcheck --config`);

    expect(a.servicePid()).not.toBe(pid);
    expect(await healthz(port)).toBe(200);
    expect(await login(port)).toBe(303);
    expect(run.stdout).not.toContain("setup?token=");
    expect(run.stdout).toContain("Log in with your owner account");
  });

  test("re-running the same build restarts it and changes nothing else", async () => {
    const current = readlinkSync(a.path("opt/haulbox/current"));
    const callsBefore = a.systemctl().length;
    const run = await install(a, [], { release: releases.next });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("is already installed; restarting it");
    expect(readlinkSync(a.path("opt/haulbox/current"))).toBe(current);
    expect(readlinkSync(a.path("opt/haulbox/previous"))).toBe(`releases/${RELEASE_ID()}`);
    expect(actions({ ...a, systemctl: () => a.systemctl().slice(callsBefore) })).toEqual(["daemon-reload", "enable --quiet haulbox", "restart haulbox"]);
    expect(await login(port)).toBe(303);
  });

  test("a new build that exits 1 is rolled back: the previous build runs again, exit non-zero, its folder gone", async () => {
    const current = readlinkSync(a.path("opt/haulbox/current"));
    const callsBefore = a.systemctl().length;
    const run = await install(a, [], { release: releases.bad });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("Haulbox 0.2.0 did not start, so the installer is putting the previous version back.");
    expect(run.stderr).toContain(`the previous version (${current.slice("releases/".length)}) runs again with your config and data`);
    expect(run.stderr).toContain("test build: exiting with 1"); // the service's log is shown
    expect(readlinkSync(a.path("opt/haulbox/current"))).toBe(current);
    expect(readlinkSync(a.path("opt/haulbox/previous"))).toBe(`releases/${RELEASE_ID()}`);
    expect(readdirSync(a.path("opt/haulbox/releases")).some((name) => name.startsWith("0.2.0-"))).toBe(false);
    expect(actions({ ...a, systemctl: () => a.systemctl().slice(callsBefore) })).toEqual(["daemon-reload", "enable --quiet haulbox", "stop haulbox", "start haulbox", "stop haulbox", "start haulbox"]);
    expect(await healthz(port)).toBe(200);
    expect(await login(port)).toBe(303);
  });

  test("a new build that wrecks the database and exits: rolled back with the copy of the database taken before the upgrade", async () => {
    const current = readlinkSync(a.path("opt/haulbox/current"));
    const run = await install(a, [], { release: releases.wrecker });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("restoring the copy taken before the upgrade");
    expect(run.stderr).toContain("runs again, with the database as it was before the upgrade");
    expect(readlinkSync(a.path("opt/haulbox/current"))).toBe(current);
    expect(await healthz(port)).toBe(200);
    expect(await login(port)).toBe(303);
  });

  test("a new build that does not run here at all is refused before the service is touched", async () => {
    const pid = a.servicePid();
    const calls = a.systemctl().length;
    const run = await install(a, [], { release: releases.dud });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("the new Haulbox program does not run on this machine");
    expect(run.stderr).toContain("Exec format error");
    expect(run.stderr).toContain("Nothing was installed or changed.");
    expect(a.systemctl()).toHaveLength(calls);
    expect(a.servicePid()).toBe(pid);
    expect(readdirSync(a.path("opt/haulbox")).sort()).toEqual(["current", "previous", "releases"]);
  });

  test("a checksum mismatch is refused and changes nothing on an installed machine", async () => {
    const pid = a.servicePid();
    const calls = a.systemctl().length;
    const before = tree(a);
    const run = await install(a, [], { release: releases.tampered });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("its SHA-256 is");
    expect(run.stderr).toContain(tarballSha);
    expect(run.stderr).toContain("Nothing was installed or changed.");
    expect(tree(a)).toEqual(before);
    expect(a.systemctl()).toHaveLength(calls);
    expect(a.servicePid()).toBe(pid);
  });
});

describe("install.sh: refusals", () => {
  test("a checksum mismatch on a fresh machine creates nothing", async () => {
    const scratch = scratchRoot();
    const run = await install(scratch, [], { release: releases.tampered, env: (await listenEnv()).env });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("SHA256SUMS says");
    expect(tree(scratch)).toEqual([]);
    expect(scratch.record("users.log")).toBe("");
    expect(scratch.systemctl()).toEqual([]);
  });

  test("not root: refused with how to run it with sudo, before downloading anything", async () => {
    const scratch = scratchRoot();
    const requests = server.requests.length;
    const run = await install(scratch, ["--from-file", "bundle.tar.gz"], { release: releases.good, env: { STUB_UID: "1000" } });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("must run as root");
    expect(run.stderr).toContain(`curl -fsSL ${releases.good.url}/install.sh | sudo sh`);
    expect(run.stderr).toContain("sudo sh install.sh --from-file bundle.tar.gz");
    expect(server.requests.length).toBe(requests);
    expect(tree(scratch)).toEqual([]);
    const uninstall = await install(scratch, ["--uninstall"], { env: { STUB_UID: "1000" } });
    expect(uninstall.code).toBe(1);
    expect(uninstall.stderr).toContain("must run as root");
  });

  test("no systemd: refused with the manual steps and the unit to install by hand (with the capability only for a port below 1024)", async () => {
    const scratch = scratchRoot({ systemd: false });
    const run = await install(scratch, [], { release: releases.good });
    expect(run.code).toBe(1);
    for (const text of ["does not run systemd", `curl -fLO ${releases.good.url}/SHA256SUMS`, "sha256sum -c --ignore-missing SHA256SUMS", "tar -xzf haulbox-<version>-linux-x64.tar.gz", "useradd --system", `haulbox serve --config ${scratch.path("etc/haulbox/haulbox.yaml")}`, "[Service]", "    NoNewPrivileges=yes", "    ProtectSystem=strict"]) {
      expect(run.stderr).toContain(text);
    }
    expect(run.stderr).not.toContain("AmbientCapabilities");
    expect(tree(scratch)).toEqual([]);

    // An existing config on port 443 (web) or 883 (MQTT): the unit grants binding low ports, nothing more.
    for (const config of ["listen: 0.0.0.0:443\n", "listen: 0.0.0.0:8080\nmqtt:\n  enabled: true\n  listen: '0.0.0.0:883' # trucks\n"]) {
      mkdirSync(scratch.path("etc/haulbox"), { recursive: true });
      writeFileSync(scratch.path("etc/haulbox/haulbox.yaml"), config);
      const low = await install(scratch, [], { release: releases.good });
      expect(low.code).toBe(1);
      expect(low.stderr).toContain("    AmbientCapabilities=CAP_NET_BIND_SERVICE\n");
      expect(low.stderr).toContain("    CapabilityBoundingSet=CAP_NET_BIND_SERVICE\n");
    }
  });

  test("architecture: an arm64 machine asks for the arm64 tarball (and refuses an x64 build inside it); 32-bit ARM and others are refused", async () => {
    const scratch = scratchRoot();
    const arm = await install(scratch, [], { release: releases.arm, env: { STUB_ARCH: "aarch64" } });
    expect(arm.code).toBe(1);
    expect(server.requests).toContain("/arm/haulbox-0.2.2-linux-arm64.tar.gz");
    expect(arm.stderr).toContain("this bundle is for x64, but this machine is arm64");
    const none = await install(scratch, [], { release: releases.good, env: { STUB_ARCH: "arm64" } });
    expect(none.code).toBe(1);
    expect(none.stderr).toContain("this release has no Haulbox for arm64");
    const pi32 = await install(scratch, [], { release: releases.good, env: { STUB_ARCH: "armv7l" } });
    expect(pi32.code).toBe(1);
    expect(pi32.stderr).toContain("install the 64-bit Raspberry Pi OS");
    const other = await install(scratch, [], { release: releases.good, env: { STUB_ARCH: "riscv64" } });
    expect(other.code).toBe(1);
    expect(other.stderr).toContain("(riscv64) is not supported");
    expect(tree(scratch)).toEqual([]);
  });
});

describe("install.sh: --from-file, --uninstall, --purge", () => {
  let c: Scratch;
  let port: number;

  test("--from-file: checked against a SHA256SUMS beside it (refused when it differs or does not list the file); without one, installed with a note", async () => {
    c = scratchRoot();
    const ports = await listenEnv();
    port = ports.port;
    const requests = server.requests.length;
    const withSums = makeTemp("haulbox-offline-");
    linkSync(tarball, join(withSums, basename(tarball)));
    writeFileSync(join(withSums, "SHA256SUMS"), `${"1".repeat(64)}  ${basename(tarball)}\n`);
    const mismatch = await install(c, ["--from-file", join(withSums, basename(tarball))], { env: ports.env });
    expect(mismatch.code).toBe(1);
    expect(mismatch.stderr).toContain("SHA256SUMS says");
    writeFileSync(join(withSums, "SHA256SUMS"), `${tarballSha}  haulbox-9.9.9-linux-x64.tar.gz\n`);
    const unlisted = await install(c, ["--from-file", join(withSums, basename(tarball))], { env: ports.env });
    expect(unlisted.code).toBe(1);
    expect(unlisted.stderr).toContain(`does not list ${basename(tarball)}`);
    expect(tree(c)).toEqual([]);

    // A relative path, from the folder it is in, with no SHA256SUMS: installed, with a note. The
    // haulbox group is already there (left from an earlier install), so the user joins it.
    writeFileSync(join(c.state, "group"), "haulbox:x:990:\n");
    const alone = makeTemp("haulbox-offline-");
    linkSync(tarball, join(alone, basename(tarball)));
    const run = await install(c, [`--from-file=${basename(tarball)}`], { env: ports.env, cwd: alone });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(`there is no SHA256SUMS beside ${basename(tarball)}, so its checksum is not checked`);
    expect(readlinkSync(c.path("opt/haulbox/current"))).toBe(`releases/${RELEASE_ID()}`);
    expect(c.record("users.log")).toContain("useradd --system --gid haulbox --home-dir");
    expect(server.requests.length).toBe(requests);
    expect(await healthz(port)).toBe(200);
    // And with the release's own SHA256SUMS beside it, the same file is checked and accepted.
    writeFileSync(join(alone, "SHA256SUMS"), readFileSync(releases.good.files.get("SHA256SUMS")!));
    const checked = await install(c, ["--from-file", join(alone, basename(tarball))]);
    expect(checked.code).toBe(0);
    expect(checked.stdout).toContain("Checksum OK");
  });

  test("--uninstall stops and removes the service and the program, keeps config, data and the user", async () => {
    const pid = c.servicePid();
    expect(pid).not.toBeNull();
    const callsBefore = c.systemctl().length;
    const run = await install(c, ["--uninstall"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Your config");
    expect(run.stdout).toContain("are kept");
    expect(c.servicePid()).toBeNull();
    expect(await healthz(port)).toBe(0);
    expect(c.systemctl().slice(callsBefore).filter((line) => !line.startsWith("is-active "))).toEqual(["stop haulbox", "disable --quiet haulbox", "daemon-reload", "reset-failed haulbox"]);
    expect(tree(c)).toEqual(["etc", "etc/haulbox", "etc/haulbox/haulbox.yaml", "etc/systemd", "etc/systemd/system", "opt", "usr", "usr/local", "usr/local/bin", "var", "var/lib", "var/lib/haulbox", "var/lib/haulbox/haulbox.db"]);
    expect(c.record("passwd")).toContain("haulbox:");
    const again = await install(c, ["--uninstall"]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("Haulbox is not installed here");
  });

  test("--uninstall --purge also deletes the config, the data and the user", async () => {
    const run = await install(c, ["--uninstall", "--purge"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Deleted the config");
    expect(existsSync(c.path("etc/haulbox"))).toBe(false);
    expect(existsSync(c.path("var/lib/haulbox"))).toBe(false);
    expect(c.record("users.log")).toContain("userdel haulbox");
    expect(c.record("passwd")).not.toContain("haulbox:");
    expect(c.record("group")).not.toContain("haulbox:");
    const nothing = await install(c, ["--uninstall", "--purge"]);
    expect(nothing.code).toBe(0);
    expect(nothing.stdout).toContain("Haulbox was not installed here; nothing to remove.");
  });
});

/** True when this process may make a mount namespace (root, as in CI): the sandbox test needs it. */
const canSandbox = Bun.spawnSync(["unshare", "-m", "sh", "-c", "mount -t tmpfs tmpfs /mnt"], { stdout: "ignore", stderr: "ignore" }).exitCode === 0;

describe("install.sh: the unit's sandbox", () => {
  // ProtectSystem=strict + ReadWritePaths + PrivateTmp, emulated with a mount namespace (no systemd
  // here): the whole file system read-only but the data folder, a private /tmp. The installed layout's
  // build must still run, and node-llama-cpp must load the model from its read-only llama/ folder.
  test.skipIf(!canSandbox)("the installed build, with / read-only but the data folder and a private /tmp: serves, and the embedded assistant words a plan with a tiny GGUF", async () => {
    const base = makeTemp("haulbox-sandbox-", "/var/tmp"); // not under /tmp, which the sandbox hides
    mkdirSync(join(base, "opt/haulbox/releases"), { recursive: true });
    Bun.spawnSync(["tar", "-xzf", tarball, "-C", join(base, "opt/haulbox/releases")]);
    const binary = join(base, "opt/haulbox/releases", bundleName("x64"), "haulbox");
    const etc = join(base, "etc/haulbox");
    const data = join(base, "var/lib/haulbox");
    mkdirSync(join(etc, "models"), { recursive: true });
    mkdirSync(data, { recursive: true });
    writeTinyGguf(join(etc, "models/assistant.gguf"), { seed: 3, contextLength: 4096 });
    // The built-in default (demo fleet and loads, so there is a load to negotiate) with one model thread.
    const defaults = readFileSync(join(import.meta.dir, "../../src/config/default.yaml"), "utf8").replace(/^data_dir:.*$/m, "");
    writeFileSync(join(etc, "haulbox.yaml"), `${defaults}\nassistant:\n  embedded:\n    threads: 1\n`);
    const sandbox = `set -e
mount --make-rprivate /
mount --bind ${data} ${data}
mount -o remount,bind,ro /
mount -t tmpfs tmpfs /tmp
if touch ${base}/etc/haulbox/probe 2>/dev/null; then echo "the sandbox is not read-only" >&2; exit 99; fi
exec env -i PATH=/usr/bin:/bin HOME=${data} ${binary} serve --config ${etc}/haulbox.yaml "$@"`;
    const app = await startProcess({ cmd: ["unshare", "-m", "sh", "-c", sandbox, "sh"], dataDir: data, cwd: data, readyTimeoutMs: 30_000 });
    try {
      await completeSetup(app);
      const api = await jsonApiOverHttp(app);
      const pair = await demoLoadForATruck(api);
      const plan = await api("POST", `/api/v1/loads/${pair.load}/negotiation`, { truck_id: pair.truck });
      expect(plan.status).toBe(200);
      expect(plan.body.data).toMatchObject({ provider: "embedded", model: "assistant.gguf", fallback: null });
      expect((await api("GET", "/api/v1/assistant")).body.data).toMatchObject({ name: "embedded", ready: true });
    } finally {
      expect(await app.stop()).toBe(0);
    }
  }, 150_000);
});

test("the bundle under test is the one release.ts builds for this version", () => {
  expect(basename(tarball)).toBe(`${bundleName("x64")}.tar.gz`);
});
