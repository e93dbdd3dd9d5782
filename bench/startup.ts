/**
 * `npm run bench:startup`: how big the compiled binary is, how fast it starts, how much memory it
 * idles at — next to the same app run from source (`bun src/main.ts`) in the same run, on the same
 * machine. Writes a table into bench/README.md between the startup markers and prints it.
 *
 * Cold start = from spawning the process to the first `/healthz` 200, each run with a fresh data
 * directory (so it includes creating and migrating the database). Runs of the binary and of the
 * source alternate so background load hits both alike; one warm-up run of each is discarded.
 */
import { cpus } from "node:os";
import { loadavg } from "node:os";
import { readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { buildBinary } from "../scripts/build";
import { freePort, makeTempDir, sourceCommand } from "../tests/helpers/server";
import { BENCH_README as README, writeBenchSection } from "./readme";

const REPO_ROOT = resolve(import.meta.dir, "..");
const RUNS = 10;
const IDLE_MS = 5000;
const TARGET_START_MS = 150;
const TARGET_RSS_MB = 80;
const MB = 1_000_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Started {
  proc: ReturnType<typeof Bun.spawn>;
  ms: number;
  dir: string;
}

/** Spawns the app on a free port with a fresh data dir and times it to the first /healthz 200. */
async function startTimed(cmd: string[], extra: string[] = []): Promise<Started> {
  const dir = makeTempDir("haulbox-bench-");
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/healthz`;
  const t0 = performance.now();
  // The embedded default config, demo fleet included (what `npm start` runs); the MQTT broker on a
  // free port so the binary and the source run can be up side by side.
  const proc = Bun.spawn([...cmd, "--listen", `127.0.0.1:${port}`, "--data-dir", join(dir, "data"), "--mqtt-listen", "127.0.0.1:0", ...extra], { cwd: dir, stdin: "ignore", stdout: "ignore", stderr: "pipe", env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: dir } });
  for (;;) {
    try {
      const response = await fetch(url);
      if (response.status === 200) {
        const ms = performance.now() - t0;
        await response.body?.cancel();
        return { proc, ms, dir };
      }
    } catch {
      // not listening yet
    }
    if (proc.exitCode !== null) throw new Error(`${cmd.join(" ")} exited with ${proc.exitCode}: ${await new Response(proc.stderr as ReadableStream).text()}`);
    if (performance.now() - t0 > 30_000) {
      proc.kill("SIGKILL");
      throw new Error(`${cmd.join(" ")} did not answer /healthz within 30 s`);
    }
    await sleep(1);
  }
}

async function stop(started: Started): Promise<void> {
  started.proc.kill("SIGTERM");
  await started.proc.exited;
  rmSync(started.dir, { recursive: true, force: true });
}

/** Resident memory of a process in bytes, from /proc. */
function rssBytes(pid: number): number {
  const kb = readFileSync(`/proc/${pid}/status`, "utf8").match(/^VmRSS:\s+(\d+) kB/m)?.[1];
  return Number(kb) * 1024;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const fmtMs = (ms: number) => `${Math.round(ms)} ms`;
const fmtMb = (bytes: number) => `${(bytes / MB).toFixed(1)} MB`;

console.error("building dist/haulbox …");
const build = await buildBinary({ quiet: true });
const binaryCmd = [build.outfile];
const sourceCmd = sourceCommand();
const load = loadavg().map((n) => n.toFixed(2)).join(" ");

// Warm-up: the first start of each pays for reading the files into the page cache.
await stop(await startTimed(binaryCmd));
await stop(await startTimed(sourceCmd));

const binaryMs: number[] = [];
const sourceMs: number[] = [];
for (let i = 0; i < RUNS; i++) {
  const b = await startTimed(binaryCmd);
  binaryMs.push(b.ms);
  await stop(b);
  const s = await startTimed(sourceCmd);
  sourceMs.push(s.ms);
  await stop(s);
  console.error(`run ${i + 1}/${RUNS}: binary ${fmtMs(b.ms)}, source ${fmtMs(s.ms)}`);
}

console.error(`idle RSS: waiting ${IDLE_MS / 1000} s with both running …`);
const [idleBinary, idleSource] = await Promise.all([startTimed(binaryCmd), startTimed(sourceCmd)]);
await sleep(IDLE_MS);
const binaryRss = rssBytes(idleBinary.proc.pid);
const sourceRss = rssBytes(idleSource.proc.pid);
await Promise.all([stop(idleBinary), stop(idleSource)]);
// The same without the demo fleet (six simulated trucks publishing over MQTT is not idle): what a
// real install with no trucks connected yet holds.
console.error(`idle RSS with --no-demo: waiting ${IDLE_MS / 1000} s …`);
const [quietBinary, quietSource] = await Promise.all([startTimed(binaryCmd, ["--no-demo"]), startTimed(sourceCmd, ["--no-demo"])]);
await sleep(IDLE_MS);
const quietBinaryRss = rssBytes(quietBinary.proc.pid);
const quietSourceRss = rssBytes(quietSource.proc.pid);
await Promise.all([stop(quietBinary), stop(quietSource)]);

const startMedian = median(binaryMs);
const sourceMedian = median(sourceMs);
const verdict = (ok: boolean) => (ok ? "**pass**" : "**FAIL**");
const cpuModel = cpus()[0]?.model.trim() ?? "unknown";
const nproc = Bun.spawnSync(["nproc"]).stdout.toString().trim();
const date = new Date().toISOString().slice(0, 10);

const table = [
  `Measured ${date} on ${nproc} cores (${cpuModel}), Bun ${Bun.version}, commit ${build.commit}; load average at start ${load}.`,
  `Command: \`npm run bench:startup\`. Cold start: median of ${RUNS} runs (min–max), each with a fresh data directory; RSS: VmRSS ${IDLE_MS / 1000} s after the first 200. Every start runs the embedded default config (broker, demo fleet, telemetry sources) unless marked \`--no-demo\`. 1 MB = 10⁶ bytes.`,
  "",
  "| measure | binary `dist/haulbox` | source `bun src/main.ts` | source ÷ binary | target (binary) | result |",
  "|---|---|---|---|---|---|",
  `| size | ${fmtMb(build.sizeBytes)} | — | — | — | — |`,
  `| cold start to first \`/healthz\` 200 | ${fmtMs(startMedian)} (${fmtMs(Math.min(...binaryMs))}–${fmtMs(Math.max(...binaryMs))}) | ${fmtMs(sourceMedian)} (${fmtMs(Math.min(...sourceMs))}–${fmtMs(Math.max(...sourceMs))}) | ${(sourceMedian / startMedian).toFixed(1)}× | ≤ ${TARGET_START_MS} ms | ${verdict(startMedian <= TARGET_START_MS)} |`,
  `| idle RSS after ${IDLE_MS / 1000} s, \`--no-demo\` | ${fmtMb(quietBinaryRss)} | ${fmtMb(quietSourceRss)} | ${(quietSourceRss / quietBinaryRss).toFixed(1)}× | ≤ ${TARGET_RSS_MB} MB | ${verdict(quietBinaryRss <= TARGET_RSS_MB * MB)} |`,
  `| RSS after ${IDLE_MS / 1000} s, default config (demo fleet of 6 trucks publishing) | ${fmtMb(binaryRss)} | ${fmtMb(sourceRss)} | ${(sourceRss / binaryRss).toFixed(1)}× | — | — |`,
].join("\n");

writeBenchSection("startup", table);
console.log(table);
console.error(`\nwritten to ${README}`);
