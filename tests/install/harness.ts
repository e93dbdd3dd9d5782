/**
 * What install.sh runs against in tests: real release bundles served over HTTP on 127.0.0.1, a
 * scratch root per install (HAULBOX_ROOT, put in front of every system path the script touches), and
 * stand-in commands first on PATH for everything that would change the real machine or needs
 * systemd:
 *
 *   systemctl   records every call; start/restart run the unit's ExecStart in the background (so
 *               /healthz and the setup link are real), stop sends SIGTERM, show SubState reports
 *               running / dead / failed from the process itself
 *   journalctl  the service's output so far
 *   useradd, userdel, getent passwd|group   users and groups inside the scratch root; calls recorded
 *   chown       recorded, never run
 *   runuser     recorded, then runs the command as this user
 *   id -u       $STUB_UID (default 0), to test the root check
 *   uname -m    $STUB_ARCH when set, to test the architecture detection
 *
 * TRACE_INSTALL=1 in the environment runs the script under `sh -x` (its trace goes to stderr).
 *
 * Every service process a stand-in starts is killed by `killServices()` (call it in afterAll).
 */
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const REPO_ROOT = resolve(import.meta.dir, "../..");
export const INSTALL_SH = join(REPO_ROOT, "install.sh");

const which = (name: string) => {
  const found = Bun.which(name, { PATH: "/usr/bin:/bin:/usr/sbin:/sbin" });
  if (!found) throw new Error(`${name} is not installed`);
  return found;
};

/** The stand-in commands, as sh scripts. Each reads STUB_STATE (a folder in the scratch root). */
function stubs(): Record<string, string> {
  return {
    systemctl: `#!/bin/sh
set -eu
state=\${STUB_STATE:?}
echo "$*" >>"$state/systemctl.log"
unit="\${HAULBOX_ROOT:?}/etc/systemd/system/haulbox.service"
alive() {
  [ -f "$state/service.pid" ] || return 1
  pid=$(cat "$state/service.pid")
  [ -d "/proc/$pid" ] || return 1
  if grep -q '^[0-9]* ([^)]*) Z' "/proc/$pid/stat" 2>/dev/null; then return 1; fi
  return 0
}
substate() {
  if alive; then echo running; return; fi
  if [ -f "$state/stopped" ] || [ ! -f "$state/run" ]; then echo dead; return; fi
  code=$(cat "$state/exit.$(cat "$state/run")" 2>/dev/null || echo unknown)
  if [ "$code" = 0 ]; then echo dead; else echo failed; fi
}
stop() {
  touch "$state/stopped"
  if alive; then
    kill -TERM "$pid" 2>/dev/null || true
    i=0
    while alive && [ "$i" -lt 150 ]; do sleep 0.1; i=$((i + 1)); done
    if alive; then kill -KILL "$pid" 2>/dev/null || true; fi
  fi
}
start() {
  if alive; then return 0; fi
  command=$(sed -n 's/^ExecStart=//p' "$unit")
  workdir=$(sed -n 's/^WorkingDirectory=//p' "$unit")
  run=$(( $(cat "$state/run" 2>/dev/null || echo 0) + 1 ))
  echo "$run" >"$state/run"
  rm -f "$state/stopped" "$state/service.pid"
  echo "--- start $run: $command" >>"$state/service.log"
  (
    cd "$workdir"
    # shellcheck disable=SC2086
    env -i PATH=/usr/bin:/bin HOME="$workdir" NO_COLOR=1 $command >>"$state/service.log" 2>&1 &
    echo "$!" >"$state/service.pid.tmp"
    mv "$state/service.pid.tmp" "$state/service.pid"
    echo "$!" >>"$state/all-pids"
    wait "$!" && code=0 || code=$?
    echo "$code" >"$state/exit.$run"
  ) </dev/null >/dev/null 2>&1 &
  while [ ! -f "$state/service.pid" ]; do sleep 0.02; done
}
case "$1" in
  start) start ;;
  restart) stop; start ;;
  stop) stop ;;
  is-active) alive ;;
  show) substate ;;
  enable) touch "$state/enabled" ;;
  disable) rm -f "$state/enabled" ;;
  *) ;;
esac
`,
    journalctl: `#!/bin/sh
echo "journalctl $*" >>"\${STUB_STATE:?}/journalctl.log"
tail -n 15 "$STUB_STATE/service.log" 2>/dev/null || true
`,
    useradd: `#!/bin/sh
echo "useradd $*" >>"\${STUB_STATE:?}/users.log"
for last in "$@"; do :; done
echo "$last:x:990:990::/nonexistent:/usr/sbin/nologin" >>"$STUB_STATE/passwd"
case " $* " in *" --user-group "*) echo "$last:x:990:" >>"$STUB_STATE/group" ;; esac
`,
    userdel: `#!/bin/sh
echo "userdel $*" >>"\${STUB_STATE:?}/users.log"
for file in passwd group; do
  grep -v "^$1:" "$STUB_STATE/$file" >"$STUB_STATE/$file.new" 2>/dev/null || true
  mv "$STUB_STATE/$file.new" "$STUB_STATE/$file"
done
`,
    getent: `#!/bin/sh
if { [ "$1" = passwd ] || [ "$1" = group ]; } && [ $# -eq 2 ]; then grep "^$2:" "\${STUB_STATE:?}/$1" 2>/dev/null || exit 2; exit 0; fi
exec ${which("getent")} "$@"
`,
    chown: `#!/bin/sh
echo "chown $*" >>"\${STUB_STATE:?}/chown.log"
`,
    runuser: `#!/bin/sh
echo "runuser $*" >>"\${STUB_STATE:?}/runuser.log"
while [ $# -gt 0 ] && [ "$1" != "--" ]; do shift; done
shift
exec "$@"
`,
    id: `#!/bin/sh
if [ "\${1:-}" = -u ]; then echo "\${STUB_UID:-0}"; exit 0; fi
exec ${which("id")} "$@"
`,
    uname: `#!/bin/sh
if [ "\${1:-}" = -m ] && [ -n "\${STUB_ARCH:-}" ]; then echo "$STUB_ARCH"; exit 0; fi
exec ${which("uname")} "$@"
`,
  };
}

const temps: string[] = [];

/** A temporary folder (in the OS temp folder unless `parent` is given), removed by `killServices()`. */
export function makeTemp(prefix: string, parent = tmpdir()): string {
  const dir = mkdtempSync(join(parent, prefix));
  temps.push(dir);
  return dir;
}

/** Writes the stand-ins into a folder (once per test file) and returns it. */
export function writeStubs(dir: string): string {
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(stubs())) {
    writeFileSync(join(dir, name), text);
    chmodSync(join(dir, name), 0o755);
  }
  return dir;
}

/** A scratch root for one install; `systemd: false` leaves out /run/systemd/system. */
export interface Scratch {
  root: string;
  state: string;
  path(p: string): string;
  /** A file the stand-ins wrote (empty string when absent). */
  record(name: string): string;
  /** Lines of systemctl.log. */
  systemctl(): string[];
  /** The pid of the service process the stand-in started last, if it still runs. */
  servicePid(): number | null;
}

const roots: Scratch[] = [];

export function scratchRoot(options: { systemd?: boolean } = {}): Scratch {
  const root = mkdtempSync(join(tmpdir(), "haulbox-install-root-"));
  const state = join(root, ".stub");
  mkdirSync(state, { recursive: true });
  if (options.systemd !== false) mkdirSync(join(root, "run/systemd/system"), { recursive: true });
  const scratch: Scratch = {
    root,
    state,
    path: (p) => join(root, p),
    record: (name) => (existsSync(join(state, name)) ? readFileSync(join(state, name), "utf8") : ""),
    systemctl: () => scratch.record("systemctl.log").split("\n").filter(Boolean),
    servicePid() {
      const file = join(state, "service.pid");
      if (!existsSync(file)) return null;
      const pid = Number(readFileSync(file, "utf8").trim());
      try {
        process.kill(pid, 0);
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        return /^\d+ \(.*\) Z/.test(stat) ? null : pid;
      } catch {
        return null;
      }
    },
  };
  roots.push(scratch);
  return scratch;
}

/** Kills every service process any stand-in started, and removes the scratch roots and temporary folders. */
export function killServices(options: { keepRoots?: boolean } = {}): void {
  for (const scratch of roots) {
    for (const line of scratch.record("all-pids").split("\n").filter(Boolean)) {
      try {
        process.kill(Number(line), "SIGKILL");
      } catch {}
    }
  }
  if (options.keepRoots) return;
  for (const dir of [...roots.map((scratch) => scratch.root), ...temps]) rmSync(dir, { recursive: true, force: true });
}

// If the test runner exits without afterAll (a crash), the services still die with it.
process.on("exit", () => killServices({ keepRoots: true }));

/** Exit code and output of one installer run. */
export interface Run {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout and stderr together, for messages that may go to either. */
  all: string;
}

/** Runs install.sh in a scratch root with the stand-ins first on PATH. `pipe: true` feeds it on stdin, as `curl … | sh` does. */
export async function runInstaller(scratch: Scratch, args: string[], options: { stubDir: string; baseUrl?: string; env?: Record<string, string>; pipe?: boolean; cwd?: string }): Promise<Run> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || key.startsWith("HAULBOX_") || /_proxy$/i.test(key) || key.startsWith("STUB_")) continue;
    env[key] = value;
  }
  Object.assign(env, {
    PATH: `${options.stubDir}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
    HAULBOX_ROOT: scratch.root,
    STUB_STATE: scratch.state,
    HAULBOX_START_TIMEOUT: "30",
    LC_ALL: "C.UTF-8",
    ...(options.baseUrl ? { HAULBOX_BASE_URL: options.baseUrl } : {}),
    ...options.env,
  });
  const cmd = options.pipe ? ["/bin/sh", "-s", "--", ...args] : ["/bin/sh", ...(process.env.TRACE_INSTALL ? ["-x"] : []), INSTALL_SH, ...args];
  const child = Bun.spawn(cmd, { cwd: options.cwd ?? scratch.root, env, stdin: options.pipe ? Bun.file(INSTALL_SH) : "ignore", stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  return { code, stdout, stderr, all: `${stdout}\n${stderr}` };
}

/** A release as a web server serves it: SHA256SUMS plus tarballs, under /<name>/. */
export interface Release {
  name: string;
  /** File name → path on disk. */
  files: Map<string, string>;
  url: string;
}

const sha256 = (path: string) => new Bun.CryptoHasher("sha256").update(readFileSync(path)).digest("hex");

/** Serves releases from 127.0.0.1 on a free port and records every path asked for. */
export class ReleaseServer {
  readonly requests: string[] = [];
  private readonly releases = new Map<string, Release>();
  private readonly server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: (request) => {
      const path = new URL(request.url).pathname;
      this.requests.push(path);
      const [, name, file] = path.split("/");
      const release = this.releases.get(name ?? "");
      const onDisk = release?.files.get(file ?? "");
      return onDisk ? new Response(Bun.file(onDisk)) : new Response("not found", { status: 404 });
    },
  });

  /**
   * Adds a release. `tarballs` maps the served name to a file on disk; SHA256SUMS is computed unless
   * `sums` gives its text.
   */
  add(name: string, tarballs: Record<string, string>, sums?: string): Release {
    const files = new Map(Object.entries(tarballs));
    const dir = makeTemp(`haulbox-release-${name}-`);
    const sumsFile = join(dir, "SHA256SUMS");
    writeFileSync(sumsFile, sums ?? Object.entries(tarballs).map(([served, path]) => `${sha256(path)}  ${served}\n`).join(""));
    files.set("SHA256SUMS", sumsFile);
    files.set("install.sh", INSTALL_SH);
    const release = { name, files, url: `http://127.0.0.1:${this.server.port}/${name}` };
    this.releases.set(name, release);
    return release;
  }

  stop(): void {
    this.server.stop(true);
  }
}

function run(cmd: string[], cwd: string): void {
  const result = Bun.spawnSync(cmd, { cwd, stdout: "pipe", stderr: "pipe" });
  if (!result.success) throw new Error(`${cmd.join(" ")}: ${result.stderr.toString()}`);
}

/**
 * Makes other bundles from a real one, unpacking it once: the same contents as another version
 * (`as`), or a small bundle whose haulbox program is a script (`withBinary`: the bundle's small
 * files, no 45 MB llama/ folder, which such a stand-in does not need).
 */
export class Repacker {
  private readonly work = makeTemp("haulbox-repack-");
  private readonly folder: string;

  constructor(tarball: string, private readonly out: string) {
    run(["tar", "-xzf", tarball, "-C", this.work], this.work);
    this.folder = join(this.work, [...new Bun.Glob("haulbox-*-linux-x64").scanSync({ cwd: this.work, onlyFiles: false })][0]!);
  }

  withBinary(version: string, script: string): string {
    const name = `haulbox-${version}-linux-x64`;
    const dir = join(this.work, "small", name);
    mkdirSync(join(dir, "models"), { recursive: true });
    for (const file of ["config.example.yaml", "LICENSE", "README.txt", "install.sh", "models/README.md"]) copyFileSync(join(this.folder, file), join(dir, file));
    writeFileSync(join(dir, "haulbox"), script);
    chmodSync(join(dir, "haulbox"), 0o755);
    const out = join(this.out, `${name}.tar.gz`);
    run(["tar", "-czf", out, name], join(this.work, "small"));
    rmSync(dir, { recursive: true, force: true });
    return out;
  }

  /** The whole bundle as another version (fast gzip); the unpacked copy is used up. */
  as(version: string): string {
    const name = `haulbox-${version}-linux-x64`;
    run(["mv", this.folder, join(this.work, name)], this.work);
    const out = join(this.out, `${name}.tar.gz`);
    run(["sh", "-c", `tar -cf - ${name} | gzip -1 > ${JSON.stringify(out)}`], this.work);
    rmSync(this.work, { recursive: true, force: true });
    return out;
  }
}

export { sha256 };
