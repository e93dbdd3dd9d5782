/**
 * The kill -9 test: a device publishes QoS 1 messages to the real appliance (a separate process,
 * embedded broker) while the appliance is killed with SIGKILL several times and restarted on the
 * same data. Every message the device saw acknowledged must be stored exactly once, and no message
 * may be stored twice. Each payload carries its own time (as J1939 JSON, OwnTracks and Traccar do),
 * so a stored row names its message. (The redelivery guard for payloads without a time is proven
 * in writer.test.ts: here messages arrive faster than one per millisecond, and a position is keyed
 * by vehicle and millisecond.)
 */
import { afterAll, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import mqtt, { type MqttClient } from "mqtt";
import { freePort, makeTempDir, sourceCommand, startProcess, stopAll, type AppProcess } from "../helpers/server";
import { migrate } from "../../src/db/migrate";
import { Fleet } from "../../src/telemetry/fleet";

afterAll(stopAll);

const PLUGINS = resolve(import.meta.dir, "../fixtures/plugins/ingest");
const MESSAGES = 3000;
const KILLS = 3;
const T0 = Date.UTC(2026, 10, 1);

test(
  "every acknowledged message survives kill -9 exactly once",
  async () => {
    const cwd = makeTempDir("haulbox-crash-");
    const dataDir = join(cwd, "data");
    mkdirSync(dataDir);
    // The device exists before the first start, as if added with `haulbox device add`.
    const db = new Database(join(dataDir, "haulbox.db"));
    migrate(db);
    const fleet = new Fleet(db);
    const vehicleId = fleet.createVehicle({ unit: "K-9" }).id;
    const { secret } = fleet.createDevice({ id: "crash-dev", vehicle_id: vehicleId });
    db.close();
    // Transactions wait 5 ms to gather messages, as on slow storage: the window in which an early
    // acknowledgement would be lost by a crash is wide enough for this test to catch one.
    writeFileSync(join(cwd, "haulbox.yaml"), `ingest:\n  batch_wait_ms: 5\nplugins_dir: ${PLUGINS}\nsources:\n  - id: seq\n    plugin: test-seq\n`);
    const mqttPort = await freePort();
    const start = () => startProcess({ cmd: sourceCommand(), cwd, dataDir, args: ["--config", join(cwd, "haulbox.yaml"), "--mqtt-listen", `127.0.0.1:${mqttPort}`] });

    let app: AppProcess = await start();
    const url = `mqtt://127.0.0.1:${mqttPort}`;
    const acked = new Set<number>();
    // The device's own outbox: a message not acknowledged when its connection dies goes back in
    // and is sent again on the next connection, as a gateway with a store-and-forward queue does.
    const outbox = Array.from({ length: MESSAGES }, (_, i) => MESSAGES - 1 - i);
    const inFlight = new Set<number>();
    let client: MqttClient | null = null;
    // Set when it is time to crash: the kill fires from inside an acknowledgement, i.e. exactly
    // when the appliance has just told the device "stored" — the moment a lie would be caught.
    let killNow: (() => void) | null = null;

    const connectDevice = async () => {
      for (;;) {
        try {
          const next = await mqtt.connectAsync(url, { clientId: "crash-dev", username: "crash-dev", password: secret, protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 2000 });
          next.on("error", () => {});
          next.on("close", () => {
            if (client !== next) return;
            client = null;
            for (const seq of inFlight) outbox.push(seq);
            inFlight.clear();
          });
          client = next;
          return;
        } catch {
          await Bun.sleep(50); // the appliance is still starting
        }
      }
    };
    const publishSome = (count: number) => {
      const current = client;
      if (!current) return;
      for (let i = 0; i < count && outbox.length; i++) {
        const seq = outbox.pop()!;
        inFlight.add(seq);
        // lat encodes seq, so each stored row names its message.
        current.publish("test/crash-dev/seq", JSON.stringify({ seq, ts: T0 + seq * 1000, lat: 30 + seq / 100_000 }), { qos: 1 }, (error) => {
          if (error || !inFlight.delete(seq)) return;
          acked.add(seq);
          killNow?.();
        });
      }
    };

    await connectDevice();
    for (let kill = 0; kill < KILLS; kill++) {
      // Publish while the appliance runs, then kill it in the middle of the stream.
      const until = Date.now() + 300;
      while (Date.now() < until) {
        publishSome(10);
        await Bun.sleep(5);
      }
      const killed = new Promise<void>((resolveKill) => (killNow = () => (app.kill(), (killNow = null), resolveKill())));
      while (killNow) {
        publishSome(10);
        await Bun.sleep(2);
        // Nothing left to acknowledge: crash now all the same.
        if (killNow && !outbox.length && !inFlight.size) (killNow as () => void)();
      }
      await killed;
      await app.exited;
      app = await start();
      await connectDevice();
    }
    const deadline = Date.now() + 60_000;
    while (acked.size < MESSAGES && Date.now() < deadline) {
      publishSome(50);
      await Bun.sleep(5);
    }
    await (client as MqttClient | null)?.endAsync();
    expect(await app.stop()).toBe(0);

    const check = new Database(join(dataDir, "haulbox.db"), { readonly: true });
    const rows = check.query("SELECT lat_e6, count(*) AS n FROM positions WHERE vehicle_id = ? GROUP BY lat_e6").all(vehicleId) as { lat_e6: number; n: number }[];
    check.close();
    const stored = new Map(rows.map((row) => [Math.round((row.lat_e6 / 1e6 - 30) * 100_000), row.n]));
    const doubles = [...stored].filter(([, n]) => n > 1).map(([seq]) => seq);
    const lost = [...acked].filter((seq) => !stored.has(seq));
    expect({ doubles, lost, ackedAll: acked.size }).toEqual({ doubles: [], lost: [], ackedAll: MESSAGES });
  },
  120_000,
);
