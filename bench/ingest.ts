/**
 * `npm run bench:ingest`: how many J1939 + GPS gateway messages per second the compiled binary
 * stores when it subscribes to an external Mosquitto (QoS 1, each PUBACK held until its batch
 * commits) — beside, in the same run on the same machine:
 *
 *  - the ceiling: Mosquitto publish → subscribe alone, one QoS 1 subscriber that acks at once;
 *  - the peer: Node-RED (npm `node-red`) with an MQTT-in → function → SQLite flow, the tool a
 *    home-server user would wire instead. It is installed on demand into bench/.peers/
 *    (git-ignored), never into the project's package.json.
 *
 * The same publishers (N mqtt.js connections, QoS 1, pipelined with a bounded in-flight window)
 * send the same pre-built payloads to each. Rate = messages ÷ (time from the first publish to the
 * last message received / committed). Writes a table into bench/README.md between the ingest
 * markers and prints it. Also: bytes per stored position (dbstat on a VACUUMed copy) and the cost
 * of the redelivery guard (`ingest_seen`) per message.
 *
 * `bun bench/ingest.ts --subscriber URL COUNT` is the ceiling's subscriber process (internal).
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join, resolve } from "node:path";
import { connect } from "node:net";
import { createHash } from "node:crypto";
import { Database } from "bun:sqlite";
import mqtt, { type MqttClient } from "mqtt";
import { BENCH_README as README, writeBenchSection } from "./readme";
import { READING_NAMES } from "../src/ingest/records";

/** Reading values stored: readings are a row per vehicle and time with a column per name. */
const COUNT_READING_VALUES = `SELECT coalesce(sum(${READING_NAMES.map((name) => `(${name} IS NOT NULL)`).join(" + ")}), 0) AS n FROM readings`;

const REPO_ROOT = resolve(import.meta.dir, "..");

// ---- the ceiling's subscriber (a child process, so it has its own thread like Haulbox) ---------

function subscriber(): void {
  const [url, countText] = process.argv.slice(3);
  const expected = Number(countText);
  const client = mqtt.connect(url!, { clientId: `bench-ceiling-${process.pid}`, protocolVersion: 5, clean: true, properties: { receiveMaximum: 65535 } });
  let count = 0;
  let first = 0;
  client.on("message", () => {
    if (count === 0) first = Date.now();
    count++;
    if (count === expected) {
      console.log(JSON.stringify({ done: true, first, last: Date.now(), count }));
      // Stays up (idle) until the bench has read its CPU time and stops it.
    }
  });
  client.on("connect", () => {
    client.subscribe({ "fleet/+/can": { qos: 1 } }, (error) => {
      if (error) throw error;
      console.log(JSON.stringify({ ready: true }));
    });
  });
  setInterval(() => console.log(JSON.stringify({ count })), 2000).unref();
}

// ---- settings ----------------------------------------------------------------------------------

/** Messages per run for Mosquitto alone and Haulbox. */
const MESSAGES = Number(process.env.BENCH_INGEST_MESSAGES ?? 200_000);
/** Messages for Node-RED (the same by default; its rate is computed the same way). */
const NODE_RED_MESSAGES = Number(process.env.BENCH_INGEST_NODE_RED_MESSAGES ?? MESSAGES);
/**
 * For profiling by hand (the table is then not written): BENCH_INGEST_ONLY=haulbox runs one part,
 * BENCH_INGEST_HAULBOX_CMD replaces the binary, e.g.
 * "node_modules/.bin/bun --cpu-prof-md --cpu-prof-dir=/tmp/prof src/main.ts".
 */
const ONLY = process.env.BENCH_INGEST_ONLY ?? "";
const HAULBOX_CMD = process.env.BENCH_INGEST_HAULBOX_CMD?.split(/\s+/).filter(Boolean).map((part, i) => (existsSync(resolve(REPO_ROOT, part)) ? resolve(REPO_ROOT, part) : part));
const DEVICES = 50;
/** Rounds of all three; the table shows each one's median round. */
const ROUNDS = Number(process.env.BENCH_INGEST_ROUNDS ?? 3);
const PUBLISHERS = 4;
/** Unacknowledged QoS 1 publishes each publisher keeps in flight. */
const WINDOW = 1000;
/** Give up on a run after this long (the bench must end). */
const RUN_TIMEOUT_MS = 120_000;
const NODE_RED_VERSION = "4.1.8"; // 5.x needs Node ≥ 22.9; this machine has Node 20
const NODE_RED_SQLITE_VERSION = "1.1.1";
const TARGET_RATE = 50_000;
const TARGET_CEILING_RATIO = 0.5;
const TARGET_NODE_RED_RATIO = 10;

const PEERS = join(REPO_ROOT, "bench/.peers");

interface Message {
  device: string;
  topic: string;
  payload: Buffer;
  ts: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (text: string) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${text}`);
const fmtRate = (n: number) => `${Math.round(n).toLocaleString("en-US")} msgs/s`;

// ---- payloads ------------------------------------------------------------------------------------

/**
 * The messages, in publishing order: message k is device k % DEVICES, its (k / DEVICES)-th
 * message, one second after the previous one (positions are keyed by vehicle and time, so every
 * message has its own). 6 frames always (EEC1, CCVS1, ET1, LFE1, DD1, VEP1), every second message
 * also LFC1, HOURS and VD, every tenth a DM1 with no fault: 6–10 frames + a GPS fix.
 */
async function buildMessages(count: number, t0: number): Promise<Message[]> {
  const e = await import("../src/domain/j1939/encode");
  const ENGINE_SA = 0;
  const CLUSTER_SA = 23;
  const messages: Message[] = [];
  const start = Array.from({ length: DEVICES }, (_, d) => ({ lat: 30 + (d % 10) * 1.3, lon: -118 + Math.floor(d / 10) * 5.1, heading: (d * 37) % 360 }));
  for (let k = 0; k < count; k++) {
    const d = k % DEVICES;
    const s = Math.floor(k / DEVICES);
    const truck = start[d]!;
    const speed = 80 + ((s + d) % 25);
    const rad = (truck.heading * Math.PI) / 180;
    const km = s * 0.025;
    const lat = truck.lat + (Math.cos(rad) * km) / 111;
    const lon = truck.lon + (Math.sin(rad) * km) / (111 * Math.cos((truck.lat * Math.PI) / 180));
    const engine = [e.encodeCcvs1(speed), e.encodeEt1(85 + (s % 7)), e.encodeLfe1(30 + (s % 20) * 0.5, 2.5 + (s % 10) * 0.05), e.encodeVep1(27.5 + (s % 4) * 0.1)];
    if (s % 2 === 0) engine.push(e.encodeLfc1(100_000 + d * 1000 + s * 0.5), e.encodeHours(8000 + d * 10 + s * 0.05));
    if (s % 10 === 0) engine.push(e.encodeDm1({}, []));
    const cluster = [e.encodeDd1(80 - (s % 400) * 0.1)];
    if (s % 2 === 0) cluster.push(e.encodeVd(500_000 + d * 1000 + km));
    const frames = [...e.frameLines(ENGINE_SA, [e.encodeEec1(1200 + (s % 40) * 10)], 3), ...e.frameLines(ENGINE_SA, engine), ...e.frameLines(CLUSTER_SA, cluster)];
    const ts = t0 + s * 1000;
    const device = `truck-${String(d + 1).padStart(3, "0")}`;
    const body = { ts, frames, gps: { lat: Number(lat.toFixed(6)), lon: Number(lon.toFixed(6)), speed_kmh: speed, heading: truck.heading } };
    messages.push({ device, topic: `fleet/${device}/can`, payload: Buffer.from(JSON.stringify(body)), ts });
  }
  return messages;
}

// ---- publishing ----------------------------------------------------------------------------------

interface Published {
  first: number;
  lastAck: number;
}

/**
 * Publishes `messages` over PUBLISHERS connections (a device always on the same one, so its
 * messages stay in order), QoS 1, each connection keeping up to WINDOW publishes unacknowledged.
 */
async function publishAll(url: string, messages: Message[], label: string): Promise<Published> {
  const lanes: Message[][] = Array.from({ length: PUBLISHERS }, () => []);
  for (const message of messages) lanes[Number(message.device.slice(-3)) % PUBLISHERS]!.push(message);
  const clients: MqttClient[] = await Promise.all(lanes.map((_, i) => mqtt.connectAsync(url, { clientId: `bench-pub-${i}-${process.pid}`, protocolVersion: 4, clean: true, reconnectPeriod: 0 })));
  let acked = 0;
  const progress = setInterval(() => log(`${label}: ${acked.toLocaleString("en-US")} of ${messages.length.toLocaleString("en-US")} publishes acknowledged by Mosquitto`), 2000);
  const first = Date.now();
  await Promise.all(
    clients.map(
      (client, i) =>
        new Promise<void>((resolveLane, rejectLane) => {
          const lane = lanes[i]!;
          let next = 0;
          let inFlight = 0;
          const pump = () => {
            while (inFlight < WINDOW && next < lane.length) {
              const message = lane[next++]!;
              inFlight++;
              client.publish(message.topic, message.payload, { qos: 1 }, (error) => {
                if (error) return rejectLane(error);
                inFlight--;
                acked++;
                if (next === lane.length && inFlight === 0) resolveLane();
                else pump();
              });
            }
          };
          if (!lane.length) resolveLane();
          else pump();
        }),
    ),
  );
  const lastAck = Date.now();
  clearInterval(progress);
  await Promise.all(clients.map((client) => client.endAsync(false)));
  return { first, lastAck };
}

// ---- processes -----------------------------------------------------------------------------------

/** Reads a child's output as lines, keeping the last ones for error messages. */
function lineReader(stream: ReadableStream<Uint8Array>, onLine: (line: string) => void): { tail: () => string } {
  const kept: string[] = [];
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = "";
    const reader = stream.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let nl: number;
      while ((nl = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        kept.push(line);
        if (kept.length > 40) kept.shift();
        onLine(line);
      }
    }
  })().catch(() => {});
  return { tail: () => kept.join("\n") };
}

async function waitFor(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/**
 * Watches a SQLite file until every message in `messages` has its row: first each device's last
 * message (a cheap point lookup every few ms), then a full count. Returns when the count reached
 * the total (or the time ran out) and the count.
 */
async function waitForRows(dbPath: string, lookup: string, countSql: string, keys: Map<string, unknown[]>, total: number, label: string, deadline: number): Promise<{ at: number; count: number }> {
  const db = new Database(dbPath, { readonly: true });
  db.exec("PRAGMA busy_timeout = 5000");
  const point = db.prepare(lookup);
  const counter = db.prepare(countSql);
  const pending = new Map(keys);
  let lastLog = Date.now();
  try {
    while (Date.now() < deadline) {
      for (const [device, params] of pending) if (point.get(...(params as never[]))) pending.delete(device);
      if (!pending.size) {
        const count = (counter.get() as { n: number }).n;
        if (count >= total) return { at: Date.now(), count };
      }
      if (Date.now() - lastLog >= 2000) {
        lastLog = Date.now();
        log(`${label}: ${((counter.get() as { n: number }).n).toLocaleString("en-US")} of ${total.toLocaleString("en-US")} stored`);
      }
      await sleep(pending.size ? 5 : 20);
    }
    return { at: Date.now(), count: (counter.get() as { n: number }).n };
  } finally {
    db.close();
  }
}

/** The last message of each device (when it is stored, the device's earlier ones are too, or nearly). */
function lastPerDevice(messages: Message[]): Map<string, Message> {
  const last = new Map<string, Message>();
  for (const message of messages) last.set(message.device, message);
  return last;
}

// ---- Mosquitto ------------------------------------------------------------------------------------

interface Broker {
  url: string;
  port: number;
  pid: number;
  stop(): Promise<void>;
}

/**
 * Debian's Mosquitto on a free loopback port: no persistence, no limit on queued or in-flight
 * messages (its default queue of 1000 silently drops for a slow subscriber).
 */
async function startBroker(workDir: string): Promise<Broker> {
  const { freePort } = await import("../tests/helpers/server");
  const port = await freePort();
  const conf = join(workDir, `mosquitto-${port}.conf`);
  writeFileSync(conf, [`listener ${port} 127.0.0.1`, "allow_anonymous true", "persistence false", "max_queued_messages 0", "max_inflight_messages 0", "log_dest stderr", "log_type error", ""].join("\n"));
  const proc = Bun.spawn(["/usr/sbin/mosquitto", "-c", conf], { stdout: "ignore", stderr: "inherit" });
  const deadline = Date.now() + 5000;
  for (;;) {
    const open = await new Promise<boolean>((resolveOpen) => {
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => (socket.destroy(), resolveOpen(true)));
      socket.once("error", () => resolveOpen(false));
    });
    if (open) break;
    if (Date.now() > deadline || proc.exitCode !== null) throw new Error(`mosquitto did not listen on ${port}`);
    await sleep(20);
  }
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    pid: proc.pid,
    async stop() {
      proc.kill("SIGTERM");
      await proc.exited;
    },
  };
}

/** CPU seconds (user + system) a process has used so far, from /proc. */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /, "").split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** CPU seconds this process (the publishers) has used so far. */
const ownCpuSeconds = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
};

// ---- 1. Mosquitto alone --------------------------------------------------------------------------

/** CPU seconds used by the broker, the consumer and the publishers between `start()` and `stop()`. */
interface Cpu {
  broker: number;
  consumer: number;
  publishers: number;
}

function cpuMeter(brokerPid: number, consumerPid: number): { stop(): Cpu } {
  const start = { broker: cpuSeconds(brokerPid), consumer: cpuSeconds(consumerPid), publishers: ownCpuSeconds() };
  return {
    stop: () => ({ broker: cpuSeconds(brokerPid) - start.broker, consumer: cpuSeconds(consumerPid) - start.consumer, publishers: ownCpuSeconds() - start.publishers }),
  };
}

interface RunResult {
  cpu: Cpu;
  rate: number;
  seconds: number;
  stored: number;
  published: number;
  publishRate: number;
  extra?: Record<string, number | string>;
}

async function runCeiling(messages: Message[], workDir: string): Promise<RunResult> {
  const broker = await startBroker(workDir);
  const sub = Bun.spawn([process.execPath, import.meta.path, "--subscriber", broker.url, String(messages.length)], { stdout: "pipe", stderr: "inherit" });
  let ready = false;
  let done: { first: number; last: number; count: number } | null = null;
  let count = 0;
  lineReader(sub.stdout, (line) => {
    const data = JSON.parse(line);
    if (data.ready) ready = true;
    if (data.done) done = data;
    if (typeof data.count === "number") count = data.count;
  });
  try {
    await waitFor("the ceiling subscriber", () => ready, 10_000);
    const meter = cpuMeter(broker.pid, sub.pid);
    const published = await publishAll(broker.url, messages, "mosquitto alone");
    const deadline = Date.now() + RUN_TIMEOUT_MS;
    let lastLog = Date.now();
    while (!done && Date.now() < deadline) {
      await sleep(20);
      if (!done && Date.now() - lastLog >= 2000) {
        lastLog = Date.now();
        log(`mosquitto alone: ${count.toLocaleString("en-US")} received`);
      }
    }
    const finished = done as { first: number; last: number; count: number } | null;
    const end = finished?.last ?? Date.now();
    const stored = finished?.count ?? count;
    const seconds = (end - published.first) / 1000;
    const cpu = meter.stop();
    return { rate: stored / seconds, seconds, stored, published: messages.length, publishRate: messages.length / ((published.lastAck - published.first) / 1000), cpu };
  } finally {
    sub.kill("SIGTERM");
    await sub.exited;
    await broker.stop();
  }
}

// ---- 2. Haulbox ------------------------------------------------------------------------------------

async function runHaulbox(command: string[], messages: Message[], workDir: string): Promise<RunResult & { dataDir: string }> {
  const { freePort } = await import("../tests/helpers/server");
  const { openDatabase, databasePath } = await import("../src/db/open");
  const { migrate } = await import("../src/db/migrate");
  const { Fleet } = await import("../src/telemetry/fleet");
  const runDir = mkdtempSync(join(workDir, "haulbox-"));
  const dataDir = join(runDir, "data");
  // The fleet first: a device without a vehicle would make every message a dead letter.
  const vehicleOf = new Map<string, number>();
  {
    const db = openDatabase(dataDir);
    migrate(db);
    const fleet = new Fleet(db);
    for (const device of new Set(messages.map((m) => m.device))) {
      const vehicle = fleet.createVehicle({ unit: device.replace("truck-", "T"), name: `Bench ${device}` });
      fleet.createDevice({ id: device, vehicle_id: vehicle.id });
      vehicleOf.set(device, vehicle.id);
    }
    db.close();
  }
  const broker = await startBroker(workDir);
  const config = join(runDir, "haulbox.yaml");
  writeFileSync(config, [`mqtt:`, `  url: ${broker.url}`, `sources:`, `  - id: trucks-can`, `    plugin: telemetry-j1939`, `    topic: "fleet/{device}/can"`, ""].join("\n"));
  const port = await freePort();
  let proc: ReturnType<typeof spawnHaulbox>;
  try {
    proc = spawnHaulbox();
  } catch (error) {
    // A command that cannot start must not leave the broker running (and the bench hanging).
    await broker.stop();
    throw error;
  }
  function spawnHaulbox() {
    return Bun.spawn([...command, "--config", config, "--no-demo", "--listen", `127.0.0.1:${port}`, "--data-dir", dataDir], { cwd: runDir, stdin: "ignore", stdout: "pipe", stderr: "pipe", env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: runDir } });
  }
  let subscribed = false;
  let warnings = 0;
  const out = lineReader(proc.stdout, (line) => {
    if (line.includes("subscribed on the external MQTT broker")) subscribed = true;
    // The "no owner account yet" setup notice is expected on a fresh data folder.
    if (/"level":"(warn|error)"/.test(line) && !line.includes("No owner account yet")) {
      if (!warnings) log(`haulbox logged: ${line.slice(0, 300)}`);
      warnings++;
    }
  });
  const err = lineReader(proc.stderr, () => {});
  try {
    await waitFor("Haulbox to subscribe on Mosquitto", () => subscribed || proc.exitCode !== null, 30_000).catch((error) => {
      throw new Error(`${(error as Error).message}\n${out.tail()}\n${err.tail()}`);
    });
    if (proc.exitCode !== null) throw new Error(`haulbox exited with ${proc.exitCode}\n${out.tail()}\n${err.tail()}`);
    const keys = new Map([...lastPerDevice(messages)].map(([device, m]) => [device, [vehicleOf.get(device)!, m.ts]]));
    const deadline = Date.now() + RUN_TIMEOUT_MS;
    const meter = cpuMeter(broker.pid, proc.pid);
    const [published, stored] = await Promise.all([
      publishAll(broker.url, messages, "haulbox"),
      waitForRows(databasePath(dataDir), "SELECT 1 FROM positions WHERE vehicle_id = ? AND ts = ?", "SELECT count(*) AS n FROM positions", keys, messages.length, "haulbox", deadline),
    ]);
    const cpu = meter.stop();
    const seconds = (stored.at - published.first) / 1000;
    const db = new Database(databasePath(dataDir), { readonly: true });
    const one = (sql: string) => (db.query(sql).get() as { n: number }).n;
    const extra = { readings: one(COUNT_READING_VALUES), readingRows: one("SELECT count(*) AS n FROM readings"), seen: one("SELECT count(*) AS n FROM ingest_seen"), deadLetters: one("SELECT count(*) AS n FROM dead_letters"), warnings };
    db.close();
    return { rate: stored.count / seconds, seconds, stored: stored.count, published: messages.length, publishRate: messages.length / ((published.lastAck - published.first) / 1000), extra, dataDir, cpu };
  } finally {
    proc.kill("SIGTERM");
    await proc.exited;
    await broker.stop();
  }
}

// ---- 3. Node-RED -----------------------------------------------------------------------------------

/** Installs Node-RED and its SQLite node into bench/.peers/ unless that version is there. */
function ensureNodeRed(): string {
  const red = join(PEERS, "node_modules/node-red/red.js");
  const installed = (name: string) => {
    try {
      return JSON.parse(readFileSync(join(PEERS, "node_modules", name, "package.json"), "utf8")).version as string;
    } catch {
      return null;
    }
  };
  if (installed("node-red") !== NODE_RED_VERSION || installed("node-red-node-sqlite") !== NODE_RED_SQLITE_VERSION || !existsSync(join(PEERS, "node_modules/sqlite3/build/Release/node_sqlite3.node"))) {
    log(`installing node-red@${NODE_RED_VERSION} and node-red-node-sqlite@${NODE_RED_SQLITE_VERSION} into bench/.peers/ (sqlite3 compiles from source: about a minute) …`);
    mkdirSync(PEERS, { recursive: true });
    const npm = Bun.spawnSync(["npm", "install", "--prefix", PEERS, "--no-save", "--no-package-lock", "--no-audit", "--no-fund", `node-red@${NODE_RED_VERSION}`, `node-red-node-sqlite@${NODE_RED_SQLITE_VERSION}`], { stdout: "inherit", stderr: "inherit" });
    if (!npm.success) throw new Error("npm install of node-red failed");
  }
  return red;
}

/**
 * The flow a user would wire: MQTT in (QoS 1, `fleet/+/can`) → a function that parses the JSON and
 * picks the GPS fix → the SQLite node running a prepared INSERT. At deploy an inject node sets the
 * connection to synchronous=NORMAL (the file is created in WAL mode), Haulbox's own durability.
 */
function nodeRedFlow(brokerPort: number, dbFile: string): unknown[] {
  const fn = [
    "const body = JSON.parse(msg.payload);",
    "const device = msg.topic.split('/')[1];",
    "if (!body.gps) return null;",
    "msg.params = { $device: device, $ts: body.ts, $lat: body.gps.lat, $lon: body.gps.lon, $speed: body.gps.speed_kmh, $heading: body.gps.heading };",
    "return msg;",
  ].join("\n");
  return [
    { id: "tab1", type: "tab", label: "ingest" },
    { id: "broker1", type: "mqtt-broker", name: "mosquitto", broker: "127.0.0.1", port: String(brokerPort), clientid: "node-red-bench", autoConnect: true, usetls: false, protocolVersion: "4", keepalive: "60", cleansession: true },
    { id: "db1", type: "sqlitedb", db: dbFile, mode: "RWC" },
    { id: "in1", type: "mqtt in", z: "tab1", name: "", topic: "fleet/+/can", qos: "1", datatype: "utf8", broker: "broker1", nl: false, rap: true, rh: 0, inputs: 0, x: 100, y: 100, wires: [["fn1"]] },
    { id: "fn1", type: "function", z: "tab1", name: "gps → params", func: fn, outputs: 1, x: 300, y: 100, wires: [["sql1"]] },
    { id: "sql1", type: "sqlite", z: "tab1", mydb: "db1", sqlquery: "prepared", sql: "INSERT INTO positions (device, ts, lat, lon, speed_kmh, heading) VALUES ($device, $ts, $lat, $lon, $speed, $heading)", name: "store", x: 500, y: 100, wires: [[]] },
    { id: "inj1", type: "inject", z: "tab1", name: "pragma", props: [{ p: "topic", vt: "str" }], topic: "PRAGMA synchronous = NORMAL", once: true, onceDelay: 0.1, repeat: "", x: 100, y: 200, wires: [["sql2"]] },
    { id: "sql2", type: "sqlite", z: "tab1", mydb: "db1", sqlquery: "msg.topic", sql: "", name: "pragma", x: 300, y: 200, wires: [[]] },
  ];
}

async function runNodeRed(messages: Message[], workDir: string): Promise<RunResult> {
  const red = ensureNodeRed();
  const { freePort } = await import("../tests/helpers/server");
  const userDir = mkdtempSync(join(workDir, "node-red-"));
  const dbFile = join(userDir, "positions.db");
  {
    const db = new Database(dbFile, { create: true });
    db.exec("PRAGMA journal_mode = WAL");
    db.exec("CREATE TABLE positions (device TEXT NOT NULL, ts INTEGER NOT NULL, lat REAL NOT NULL, lon REAL NOT NULL, speed_kmh REAL, heading REAL, PRIMARY KEY (device, ts))");
    db.close();
  }
  const broker = await startBroker(workDir);
  writeFileSync(join(userDir, "flows.json"), JSON.stringify(nodeRedFlow(broker.port, dbFile), null, 1));
  const uiPort = await freePort();
  writeFileSync(
    join(userDir, "settings.js"),
    `module.exports = { uiPort: ${uiPort}, uiHost: "127.0.0.1", httpAdminRoot: false, httpNodeRoot: false, userDir: ${JSON.stringify(userDir)}, flowFile: "flows.json", credentialSecret: false, logging: { console: { level: "info", metrics: false, audit: false } }, functionExternalModules: false, externalModules: { autoInstall: false } };\n`,
  );
  const proc = Bun.spawn(["node", red, "--settings", join(userDir, "settings.js"), "--userDir", userDir], { cwd: userDir, stdin: "ignore", stdout: "pipe", stderr: "pipe", env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: userDir } });
  let connected = false;
  let errors = 0;
  const out = lineReader(proc.stdout, (line) => {
    if (line.includes("Connected to broker")) connected = true;
    if (line.includes("[error]")) errors++;
  });
  const err = lineReader(proc.stderr, () => {});
  try {
    await waitFor("Node-RED to connect to Mosquitto", () => connected || proc.exitCode !== null, 60_000).catch((error) => {
      throw new Error(`${(error as Error).message}\n${out.tail()}\n${err.tail()}`);
    });
    if (proc.exitCode !== null) throw new Error(`node-red exited with ${proc.exitCode}\n${out.tail()}\n${err.tail()}`);
    // The subscription follows the connection: a probe message proves the flow stores before the clock starts.
    const probe = await mqtt.connectAsync(broker.url, { clientId: `bench-probe-${process.pid}` });
    const probeDb = new Database(dbFile, { readonly: true });
    const probeRow = probeDb.prepare("SELECT 1 FROM positions WHERE device = 'probe'");
    const probeDeadline = Date.now() + 30_000;
    while (!probeRow.get()) {
      if (Date.now() > probeDeadline) throw new Error(`Node-RED did not store the probe message\n${out.tail()}`);
      await probe.publishAsync("fleet/probe/can", JSON.stringify({ ts: Date.now(), frames: [], gps: { lat: 1, lon: 1, speed_kmh: 0, heading: 0 } }), { qos: 1 });
      await sleep(200);
    }
    probeDb.close();
    await probe.endAsync();
    const keys = new Map([...lastPerDevice(messages)].map(([device, m]) => [device, [device, m.ts]]));
    const deadline = Date.now() + RUN_TIMEOUT_MS;
    const meter = cpuMeter(broker.pid, proc.pid);
    const [published, stored] = await Promise.all([
      publishAll(broker.url, messages, "node-red"),
      waitForRows(dbFile, "SELECT 1 FROM positions WHERE device = ? AND ts = ?", "SELECT count(*) AS n FROM positions WHERE device <> 'probe'", keys, messages.length, "node-red", deadline),
    ]);
    const cpu = meter.stop();
    const seconds = (stored.at - published.first) / 1000;
    return { rate: stored.count / seconds, seconds, stored: stored.count, published: messages.length, publishRate: messages.length / ((published.lastAck - published.first) / 1000), extra: { errors }, cpu };
  } finally {
    proc.kill("SIGTERM");
    await proc.exited;
    await broker.stop();
  }
}

// ---- storage cost ----------------------------------------------------------------------------------

interface Storage {
  positionBytes: number;
  readingBytesPerMessage: number;
  readingBytes: number;
  seenBytes: number;
  seenRows: number;
  dbBytesPerMessage: number;
  seenHashUs: number;
  seenInsertUs: number;
  baseInsertUs: number;
}

/**
 * Bytes per row from the dbstat virtual table (page bytes of each table, free space inside pages
 * included) on a VACUUMed copy of the run's database; and the redelivery guard's time per message,
 * measured apart in this process: SHA-256 of the delivery (as the router computes it) and its
 * INSERT, in transactions of 2000 like the writer's, WAL with synchronous=NORMAL.
 */
function measureStorage(dataDir: string, workDir: string, messages: Message[]): Storage {
  const copy = join(workDir, "copy.db");
  copyFileSync(join(dataDir, "haulbox.db"), copy);
  const db = new Database(copy);
  db.exec("VACUUM");
  const bytes = (name: string) => (db.query("SELECT coalesce(sum(pgsize), 0) AS n FROM dbstat WHERE name = ?").get(name) as { n: number }).n;
  const rows = (name: string) => (db.query(`SELECT count(*) AS n FROM ${name}`).get() as { n: number }).n;
  const positions = rows("positions");
  const readingValues = (db.query(COUNT_READING_VALUES).get() as { n: number }).n;
  const total = (db.query("SELECT page_count * page_size AS n FROM pragma_page_count(), pragma_page_size()").get() as { n: number }).n;
  const storage = {
    positionBytes: bytes("positions") / positions,
    readingBytesPerMessage: bytes("readings") / positions,
    readingBytes: bytes("readings") / readingValues,
    // Zero rows when every payload carries its own time: then the guard is not needed and not written.
    seenRows: rows("ingest_seen"),
    seenBytes: rows("ingest_seen") ? bytes("ingest_seen") / rows("ingest_seen") : 0,
    dbBytesPerMessage: total / positions,
  };
  db.close();

  const guard = new Database(join(workDir, "guard.db"), { create: true });
  guard.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL");
  guard.exec("CREATE TABLE ingest_seen (hash BLOB PRIMARY KEY, received_at INTEGER NOT NULL) WITHOUT ROWID");
  guard.exec("CREATE TABLE base (vehicle_id INTEGER NOT NULL, ts INTEGER NOT NULL, PRIMARY KEY (vehicle_id, ts)) WITHOUT ROWID");
  const insertSeen = guard.prepare("INSERT OR IGNORE INTO ingest_seen (hash, received_at) VALUES (?, ?)");
  const insertBase = guard.prepare("INSERT OR IGNORE INTO base (vehicle_id, ts) VALUES (?, ?)");
  let t = performance.now();
  const keys = messages.map((m, i) => {
    const hash = createHash("sha256");
    hash.update(`external:haulbox-bench\u0000${(i % 65535) + 1}\u0000${m.topic}\u0000`);
    hash.update(m.payload);
    return hash.digest().subarray(0, 16);
  });
  const seenHashUs = ((performance.now() - t) * 1000) / messages.length;
  const batched = (run: (i: number) => void) => {
    const started = performance.now();
    for (let i = 0; i < messages.length; i += 2000) guard.transaction(() => { for (let j = i; j < Math.min(i + 2000, messages.length); j++) run(j); })();
    return ((performance.now() - started) * 1000) / messages.length;
  };
  const now = Date.now();
  const baseInsertUs = batched((j) => insertBase.run(j % DEVICES, messages[j]!.ts));
  const seenInsertUs = batched((j) => insertSeen.run(keys[j]!, now));
  guard.close();
  t = 0;
  return { ...storage, seenHashUs, seenInsertUs, baseInsertUs };
}

/** The run with the median rate (the lower middle one for an even count). */
function medianRun<T extends RunResult>(runs: T[]): T {
  const sorted = [...runs].sort((a, b) => a.rate - b.rate);
  return sorted[(sorted.length - 1) >> 1]!;
}

// ---- main ------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const { buildBinary } = await import("../scripts/build");
  const { makeTempDir } = await import("../tests/helpers/server");
  const load = loadavg().map((n) => n.toFixed(2)).join(" ");
  const workDir = makeTempDir("haulbox-bench-ingest-");
  try {
    log("building the binary …");
    const build = await buildBinary({ outfile: join(workDir, "haulbox"), quiet: true });
    const mosquittoVersion = Bun.spawnSync(["/usr/sbin/mosquitto", "-h"]).stdout.toString().match(/mosquitto version (\S+)/)?.[1] ?? "?";
    const t0 = Math.floor(Date.now() / 1000) * 1000 - (Math.ceil(MESSAGES / DEVICES) + 3600) * 1000;
    const messages = await buildMessages(MESSAGES, t0);
    const avgBytes = messages.reduce((sum, m) => sum + m.payload.byteLength, 0) / messages.length;
    const frameCounts = messages.map((m) => (JSON.parse(m.payload.toString()) as { frames: string[] }).frames.length);
    log(`${messages.length.toLocaleString("en-US")} messages for ${DEVICES} devices built, ${Math.round(avgBytes)} bytes on average, ${Math.min(...frameCounts)}–${Math.max(...frameCounts)} frames`);

    if (ONLY) {
      if (ONLY.includes("ceiling")) log(`mosquitto alone: ${fmtRate((await runCeiling(messages, workDir)).rate)}`);
      if (ONLY.includes("haulbox")) {
        const result = await runHaulbox(HAULBOX_CMD ?? [build.outfile], messages, workDir);
        log(`haulbox: ${fmtRate(result.rate)}, ${result.stored} of ${result.published} stored, CPU s: ${JSON.stringify(result.cpu)}`);
      }
      if (ONLY.includes("node-red")) log(`node-red: ${fmtRate((await runNodeRed(messages.slice(0, NODE_RED_MESSAGES), workDir)).rate)}`);
      log("BENCH_INGEST_ONLY is set: bench/README.md is left as it is");
      return;
    }

    // Rounds alternate the three so that other load on the machine hits them alike; the table shows the median round of each.
    const ceilings: RunResult[] = [];
    const haulboxes: (RunResult & { dataDir: string })[] = [];
    const nodeReds: RunResult[] = [];
    const nodeRedMessages = messages.slice(0, NODE_RED_MESSAGES);
    for (let round = 1; round <= ROUNDS; round++) {
      log(`round ${round}/${ROUNDS}: Mosquitto alone (the ceiling) …`);
      ceilings.push(await runCeiling(messages, workDir));
      log(`mosquitto alone: ${fmtRate(ceilings.at(-1)!.rate)}`);
      log(`round ${round}/${ROUNDS}: Haulbox (compiled binary, external Mosquitto) …`);
      haulboxes.push(await runHaulbox([build.outfile], messages, workDir));
      log(`haulbox: ${fmtRate(haulboxes.at(-1)!.rate)}, ${haulboxes.at(-1)!.stored} of ${haulboxes.at(-1)!.published} stored`);
      log(`round ${round}/${ROUNDS}: Node-RED …`);
      nodeReds.push(await runNodeRed(nodeRedMessages, workDir));
      log(`node-red: ${fmtRate(nodeReds.at(-1)!.rate)}, ${nodeReds.at(-1)!.stored} of ${nodeReds.at(-1)!.published} stored`);
    }
    const ceiling = medianRun(ceilings);
    const haulbox = medianRun(haulboxes);
    const nodeRed = medianRun(nodeReds);
    const storage = measureStorage(haulbox.dataDir, workDir, messages);
    const range = (runs: RunResult[]) => `${fmtRate(medianRun(runs).rate)} (${n(Math.round(Math.min(...runs.map((r) => r.rate))))}–${n(Math.round(Math.max(...runs.map((r) => r.rate))))})`;

    const n = (x: number) => x.toLocaleString("en-US");
    const verdict = (ok: boolean) => (ok ? "**pass**" : "**FAIL**");
    const ratioCeiling = haulbox.rate / ceiling.rate;
    const ratioNodeRed = haulbox.rate / nodeRed.rate;
    const noLoss = haulboxes.every((run) => run.stored === run.published && run.extra!.deadLetters === 0);
    const cpuModel = cpus()[0]?.model.trim() ?? "unknown";
    const s = (x: number) => `${x.toFixed(1)} s`;
    const cpuText = (cpu: Cpu) => `${cpu.broker.toFixed(1)} / ${cpu.consumer.toFixed(1)} / ${cpu.publishers.toFixed(1)}`;
    const us = (run: RunResult) => ((run.cpu.consumer / run.stored) * 1e6).toFixed(1);
    const busy = (run: RunResult) => `${Math.round(((run.cpu.broker + run.cpu.consumer + run.cpu.publishers) / (cpus().length * run.seconds)) * 100)} %`;
    // Haulbox cannot store faster than the broker delivers to a subscriber that does nothing: a
    // target above the ceiling measured in this same run cannot be met through it on this machine.
    const overCeiling = (rate: number) => rate / ceiling.rate;
    const reach = `Reachability, from this run: a subscriber cannot receive faster than Mosquitto delivers to one that only counts (${fmtRate(ceiling.rate)} here). The absolute target, ${n(TARGET_RATE)} msgs/s, is ${overCeiling(TARGET_RATE).toFixed(2)}× that ceiling, and ${TARGET_NODE_RED_RATIO}× Node-RED (${fmtRate(TARGET_NODE_RED_RATIO * nodeRed.rate)}) is ${overCeiling(TARGET_NODE_RED_RATIO * nodeRed.rate).toFixed(2)}× it${[overCeiling(TARGET_RATE), overCeiling(TARGET_NODE_RED_RATIO * nodeRed.rate)].some((x) => x > 1) ? ": a target above 1× cannot be met through this broker on this machine by any consumer" : ""}. Haulbox reached ${ratioCeiling.toFixed(2)}× the ceiling.`;
    const table = [
      `Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} cores (${cpuModel}), Bun ${Bun.version}, Node ${Bun.spawnSync(["node", "--version"]).stdout.toString().trim()}, Mosquitto ${mosquittoVersion}, Node-RED ${NODE_RED_VERSION} + node-red-node-sqlite ${NODE_RED_SQLITE_VERSION}, commit ${build.commit}; load average at start ${load}.`,
      `Command: \`npm run bench:ingest\`. ${n(MESSAGES)} messages (${n(NODE_RED_MESSAGES)} for Node-RED) from ${DEVICES} devices, ${Math.round(avgBytes)} bytes on average (${Math.min(...frameCounts)}–${Math.max(...frameCounts)} J1939 frames + a GPS fix, JSON on \`fleet/{device}/can\`), published QoS 1 by ${PUBLISHERS} mqtt.js connections with up to ${WINDOW} unacknowledged each. ${ROUNDS} rounds of the three, alternating; rates are the median round (min–max), the other rows are from that round.`,
      "",
      "| measure | Mosquitto alone | Haulbox | Node-RED | Haulbox ÷ Mosquitto | Haulbox ÷ Node-RED | target | result |",
      "|---|---|---|---|---|---|---|---|",
      `| msgs/s, first publish → last received (Mosquitto) / stored (Haulbox, Node-RED) | ${range(ceilings)} | ${range(haulboxes)} | ${range(nodeReds)} | ${ratioCeiling.toFixed(2)}× | ${ratioNodeRed.toFixed(1)}× | ≥ ${n(TARGET_RATE)} msgs/s; ≥ ${TARGET_CEILING_RATIO}× Mosquitto; ≥ ${TARGET_NODE_RED_RATIO}× Node-RED | ${verdict(haulbox.rate >= TARGET_RATE)}; ${verdict(ratioCeiling >= TARGET_CEILING_RATIO)}; ${verdict(ratioNodeRed >= TARGET_NODE_RED_RATIO)} |`,
      `| messages stored of published, median round (its time) | ${n(ceiling.stored)} of ${n(ceiling.published)} received (${s(ceiling.seconds)}) | ${n(haulbox.stored)} of ${n(haulbox.published)} (${s(haulbox.seconds)}) | ${n(nodeRed.stored)} of ${n(nodeRed.published)} (${s(nodeRed.seconds)}) | — | — | no loss, every round | ${verdict(noLoss)} |`,
      `| publishers' rate (PUBACKs from Mosquitto) | ${fmtRate(ceiling.publishRate)} | ${fmtRate(haulbox.publishRate)} | ${fmtRate(nodeRed.publishRate)} | — | — | — | — |`,
      `| CPU seconds during the run: broker / consumer / publishers (bench process) | ${cpuText(ceiling.cpu)} | ${cpuText(haulbox.cpu)} | ${cpuText(nodeRed.cpu)} | — | — | — | — |`,
      `| consumer CPU per message (µs): counting subscriber / decode + store + ack / Node-RED flow | ${us(ceiling)} | ${us(haulbox)} | ${us(nodeRed)} | ${(haulbox.cpu.consumer / haulbox.stored / (ceiling.cpu.consumer / ceiling.stored)).toFixed(1)}× | ${(haulbox.cpu.consumer / haulbox.stored / (nodeRed.cpu.consumer / nodeRed.stored)).toFixed(2)}× | — | — |`,
      `| both cores busy during the run (all three processes' CPU ÷ (2 × run time)) | ${busy(ceiling)} | ${busy(haulbox)} | ${busy(nodeRed)} | — | — | — | — |`,
      `| table rows written per second (positions + readings + redelivery keys) | — | ${n(Math.round((haulbox.stored + (haulbox.extra!.readingRows as number) + (haulbox.extra!.seen as number)) / haulbox.seconds))} | ${n(Math.round(nodeRed.stored / nodeRed.seconds))} | — | — | — | — |`,
      `| what is stored per message | — | 1 position + ${(haulbox.extra!.readings as number / haulbox.stored).toFixed(1)} readings (in ${(haulbox.extra!.readingRows as number / haulbox.stored).toFixed(1)} row)${(haulbox.extra!.seen as number) ? " + redelivery key" : ""}, ack after commit | 1 position (GPS only), acked on receipt | — | — | — | — |`,
      "",
      `Storage (dbstat page bytes on a VACUUMed copy of the median round's Haulbox database): **${storage.positionBytes.toFixed(1)} bytes per stored position**; readings ${storage.readingBytes.toFixed(1)} bytes per value (${storage.readingBytesPerMessage.toFixed(0)} bytes per message); the redelivery guard \`ingest_seen\` ${storage.seenRows ? `${storage.seenBytes.toFixed(1)} bytes per guarded message (${n(storage.seenRows)} rows)` : "not written (these payloads carry their own time, so a redelivered copy cannot double a row)"}; whole file ${storage.dbBytesPerMessage.toFixed(0)} bytes per message.`,
      reach,
      `Redelivery guard time per message, measured apart in this process (bun:sqlite, WAL, synchronous=NORMAL, 2000 per transaction): SHA-256 key ${storage.seenHashUs.toFixed(2)} µs + \`ingest_seen\` INSERT ${storage.seenInsertUs.toFixed(2)} µs (a ${"(vehicle, ts)"}-keyed row for comparison: ${storage.baseInsertUs.toFixed(2)} µs). Haulbox run: ${n(haulbox.extra!.deadLetters as number)} dead letters, ${n(haulbox.extra!.warnings as number)} warnings logged; Node-RED: ${n(nodeRed.extra!.errors as number)} errors logged.`,
    ].join("\n");

    writeBenchSection("ingest", table);
    console.log(table);
    log(`written to ${README}`);
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

if (process.argv[2] === "--subscriber") subscriber();
else await main();
