/**
 * `npm run bench:backup`: how long the appliance's event loop stops while a backup is made, with
 * the copy on the main thread (the plain way: `VACUUM INTO` and `PRAGMA integrity_check` called
 * in-process) beside the way Haulbox does it (src/backup/write-backup.ts: both on a worker thread
 * with its own read-only connection), on a database of realistic size.
 *
 * The database: 50 trucks, `--positions` positions (default 6 000 000, one every 5 s) and a
 * readings row for every other one, about 510 MB, built once in a temp folder. While each backup
 * runs, the main thread does what ingest does: a timer every 2 ms commits one position (a
 * transaction per message, as mqtt.js hands them over) and notes how late it fired. Reported per
 * variant (median of `--rounds` rounds, alternating): copy and check time, the longest event-loop
 * stall, and the positions committed during the backup against the ideal (one per 2 ms), beside
 * the same timer with no backup running (what "ideal" looks like on this machine).
 * Writes a table into bench/README.md between the backup markers and prints it.
 */
import { closeSync, fsyncSync, openSync, rmSync, statSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Database } from "bun:sqlite";
import { writeBenchSection } from "./readme";
import { gitCommit } from "../scripts/build";
import { makeTempDir } from "../tests/helpers/server";
import { databasePath, openDatabase } from "../src/db/open";
import { migrate } from "../src/db/migrate";
import { writeBackup } from "../src/backup/write-backup";
import { formatBytes } from "../src/backup/backup-folder";

const { values } = parseArgs({ args: process.argv.slice(2), options: { positions: { type: "string" }, rounds: { type: "string" } }, strict: true });
const POSITIONS = Number(values.positions ?? 6_000_000);
const ROUNDS = Number(values.rounds ?? 3);
const TRUCKS = 50;
const WRITE_EVERY_MS = 2;

/** One backup's numbers. */
interface Sample {
  copyMs: number;
  checkMs: number;
  stallMs: number;
  writes: number;
  idealWrites: number;
  bytes: number;
}

/** Builds the database: positions and readings for 50 trucks, checkpointed. */
function fill(dir: string): string {
  const db = openDatabase(dir);
  migrate(db);
  const now = Date.UTC(2026, 0, 1);
  const perTruck = Math.floor(POSITIONS / TRUCKS);
  const truck = db.prepare("INSERT INTO vehicles (id, unit, created_at, updated_at) VALUES (?, ?, 0, 0)");
  const position = db.prepare("INSERT INTO positions (vehicle_id, ts, lat_e6, lon_e6, speed_dkmh, heading, altitude_m, accuracy_m) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  const reading = db.prepare("INSERT INTO readings (vehicle_id, ts, odometer_km, engine_hours, fuel_level_pct, fuel_used_l, engine_rpm, wheel_speed_kmh, coolant_c) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  for (let v = 1; v <= TRUCKS; v++) {
    truck.run(v, `T-${v}`);
    db.transaction(() => {
      for (let i = 0; i < perTruck; i++) {
        const ts = now - (perTruck - i) * 5000;
        position.run(v, ts, 40_000_000 + ((i * 37) % 1_000_000), -90_000_000 + ((i * 53) % 1_000_000), (i * 7) % 1200, i % 360, 200 + (i % 50), 5);
        if (i % 2 === 0) reading.run(v, ts, 100_000 + i * 0.03, 5000 + i / 720, 50 + (i % 50), 40_000 + i * 0.01, 1400 + (i % 300), 90 + (i % 20), 85 + (i % 10));
      }
    })();
  }
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  db.close();
  return databasePath(dir);
}

/** Runs `backup` while the main thread commits a position every 2 ms and watches its own lateness. */
async function measure(db: Database, backup: () => Promise<{ copyMs: number; checkMs: number; bytes: number }>): Promise<Sample> {
  const insert = db.prepare("INSERT INTO positions (vehicle_id, ts, lat_e6, lon_e6) VALUES (?, ?, 1, 1)");
  let writes = 0;
  let stallMs = 0;
  let last = performance.now();
  let ts = Date.now();
  const timer = setInterval(() => {
    const now = performance.now();
    stallMs = Math.max(stallMs, now - last);
    last = now;
    insert.run(1 + (writes % TRUCKS), ts++);
    writes++;
  }, WRITE_EVERY_MS);
  const started = performance.now();
  const result = await backup();
  const elapsed = performance.now() - started;
  clearInterval(timer);
  stallMs = Math.max(stallMs, performance.now() - last);
  return { ...result, stallMs, writes, idealWrites: Math.floor(elapsed / WRITE_EVERY_MS) };
}

/** The plain way: both SQLite calls on this thread. */
function onMainThread(source: string, target: string) {
  return async () => {
    const copyStarted = performance.now();
    const live = new Database(source, { readonly: true });
    live.query("VACUUM INTO ?").run(target);
    live.close();
    const fd = openSync(target, "r");
    fsyncSync(fd);
    closeSync(fd);
    const copyMs = performance.now() - copyStarted;
    const checkStarted = performance.now();
    const copy = new Database(target, { readonly: true });
    const integrity = copy.query("PRAGMA integrity_check").all();
    copy.close();
    if (JSON.stringify(integrity) !== JSON.stringify([{ integrity_check: "ok" }])) throw new Error(`integrity: ${JSON.stringify(integrity)}`);
    return { copyMs, checkMs: performance.now() - checkStarted, bytes: statSync(target).size };
  };
}

/** No backup at all, for as long as one takes: how many writes the timer manages on its own. */
function idle(ms: number) {
  return async () => {
    await Bun.sleep(ms);
    return { copyMs: 0, checkMs: 0, bytes: 0 };
  };
}

/** Haulbox's way. */
function onWorker(source: string, target: string) {
  return async () => {
    const written = await writeBackup({ database: source, target });
    return { copyMs: written.copyMs, checkMs: written.checkMs, bytes: written.bytes };
  };
}

const median = (numbers: number[]) => [...numbers].sort((a, b) => a - b)[Math.floor(numbers.length / 2)]!;

const dir = makeTempDir("haulbox-bench-backup-");
try {
  const fillStarted = performance.now();
  const source = fill(join(dir, "data"));
  const size = statSync(source).size;
  console.log(`filled ${formatBytes(size)} in ${((performance.now() - fillStarted) / 1000).toFixed(1)} s`);
  const live = openDatabase(join(dir, "data"));
  const samples: Record<"main" | "worker" | "idle", Sample[]> = { main: [], worker: [], idle: [] };
  const load = loadavg().map((n) => n.toFixed(2)).join(" ");
  for (let round = 0; round < ROUNDS; round++) {
    for (const variant of ["main", "worker", "idle"] as const) {
      const target = join(dir, `copy-${variant}-${round}.db`);
      const sample = await measure(live, variant === "idle" ? idle(3000) : (variant === "main" ? onMainThread : onWorker)(source, target));
      samples[variant].push(sample);
      rmSync(target, { force: true });
      console.log(`round ${round + 1} ${variant}: copy ${Math.round(sample.copyMs)} ms, check ${Math.round(sample.checkMs)} ms, longest stall ${Math.round(sample.stallMs)} ms, writes ${sample.writes}/${sample.idealWrites}`);
    }
  }
  live.close();
  const row = (label: string, list: Sample[]) => {
    const pick = (key: keyof Sample) => median(list.map((sample) => sample[key]));
    const stalls = list.map((sample) => Math.round(sample.stallMs)).sort((a, b) => a - b);
    return `| ${label} | ${Math.round(pick("copyMs"))} ms | ${Math.round(pick("checkMs"))} ms | ${Math.round(pick("stallMs"))} ms (${stalls[0]}–${stalls.at(-1)} ms) | ${Math.round((100 * pick("writes")) / pick("idealWrites"))} % |`;
  };
  const table = [
    `Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} cores (${cpus()[0]?.model.trim() ?? "unknown CPU"}), Bun ${Bun.version}, commit ${gitCommit()}; load average at start ${load}.`,
    `Command: \`npm run bench:backup\` (${POSITIONS.toLocaleString("en-US")} positions and ${(POSITIONS / 2).toLocaleString("en-US")} readings of ${TRUCKS} trucks: a ${formatBytes(size)} database; copy ${formatBytes(samples.worker[0]!.bytes)}). Median of ${ROUNDS} rounds, alternating. While each backup runs the main thread commits one position every ${WRITE_EVERY_MS} ms; "longest stall" is the longest time that timer was held up (min–max over the rounds), "writes" the positions committed against one per ${WRITE_EVERY_MS} ms.`,
    "",
    "| backup | copy (VACUUM INTO + fsync) | integrity_check | longest event-loop stall | writes kept up |",
    "|---|---|---|---|---|",
    row("on the main thread", samples.main),
    row("on a worker thread (Haulbox)", samples.worker),
    row("none (the same 3 s without a backup, for comparison)", samples.idle).replace(/\| 0 ms \| 0 ms \|/, "| — | — |"),
  ].join("\n");
  writeBenchSection("backup", table);
  console.log(`\n${table}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
