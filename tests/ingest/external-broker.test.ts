/**
 * Ingest from an external broker: a real Mosquitto on a free loopback port, Haulbox subscribed
 * with a persistent session. Everything published is stored exactly once, including what was
 * published while Haulbox was away, and acknowledgements never run ahead of the commits.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import mqtt, { type MqttClient } from "mqtt";
import { testApp, type TestApp } from "../helpers/app";
import { mosquittoAvailable, startMosquitto, type Mosquitto } from "../helpers/mosquitto";
import seqDecoder from "../fixtures/plugins/ingest/seq-decoder";
import { pluginApi } from "../../src/plugins/define";

const suite = mosquittoAvailable ? describe : describe.skip;
if (!mosquittoAvailable) console.warn("skipping external broker tests: mosquitto is not installed (apt-get install mosquitto)");

let broker: Mosquitto;
let t: TestApp;
let publisher: MqttClient;
let vehicleId: number;

const stored = () => t.deps.db.query("SELECT count(*) AS n, count(DISTINCT speed_dkmh) AS distinct_seq FROM positions WHERE vehicle_id = ?").get(vehicleId) as { n: number; distinct_seq: number };

async function waitFor(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(20);
  }
}

suite("external broker (Mosquitto)", () => {
  beforeAll(async () => {
    broker = await startMosquitto();
    t = await testApp({ yaml: `mqtt:\n  url: ${broker.url}\n  client_id: haulbox-test\nsources:\n  - id: seq\n    plugin: test-seq\n`, extraPlugins: [seqDecoder(pluginApi)] });
    vehicleId = t.deps.fleet.createVehicle({ unit: "X-1" }).id;
    t.deps.fleet.createDevice({ id: "gw-x", vehicle_id: vehicleId });
    publisher = await mqtt.connectAsync(broker.url, { clientId: "gw-x", protocolVersion: 4 });
    // The subscription is made once the connection is up.
    await waitFor(() => t.deps.ingest.mqttUrl() !== null, "the ingest");
    await Bun.sleep(300);
  });
  afterAll(async () => {
    await publisher?.endAsync().catch(() => {});
    await t?.cleanup();
    await broker?.stop();
  });

  test("a burst of QoS 1 messages is stored exactly once each", async () => {
    const base = Date.now();
    // Timestamps one second apart and distinct speeds: a lost or doubled message shows in the counts.
    await Promise.all(Array.from({ length: 500 }, (_, i) => publisher.publishAsync("test/gw-x/seq", JSON.stringify({ seq: i % 1000, ts: base - 600_000 + i * 1000 }), { qos: 1 })));
    await waitFor(() => stored().n >= 500, "500 positions");
    await Bun.sleep(100);
    expect(stored().n).toBe(500);
  });

  test("messages published while Haulbox is away wait in its session and arrive after it comes back", async () => {
    const before = stored().n;
    await t.deps.ingest.stop();
    const base = Date.now();
    for (let i = 0; i < 50; i++) await publisher.publishAsync("test/gw-x/seq", JSON.stringify({ seq: i, ts: base + i }), { qos: 1 });
    expect(stored().n).toBe(before);
    await t.deps.ingest.start();
    await waitFor(() => stored().n >= before + 50, "the queued messages");
    await Bun.sleep(100);
    expect(stored().n).toBe(before + 50);
  });

  test("a device that is not registered is listed as pending and its data kept as dead letters", async () => {
    const other = await mqtt.connectAsync(broker.url, { clientId: "gw-unknown", protocolVersion: 4 });
    await other.publishAsync("test/gw-unknown/seq", JSON.stringify({ seq: 1 }), { qos: 1 });
    await other.endAsync();
    await waitFor(() => t.deps.fleet.device("gw-unknown") !== null, "the pending device");
    expect(t.deps.fleet.device("gw-unknown")!.status).toBe("pending");
    await waitFor(() => (t.deps.db.query("SELECT count(*) AS n FROM dead_letters WHERE device_id = 'gw-unknown'").get() as { n: number }).n === 1, "the dead letter");
  });
});
