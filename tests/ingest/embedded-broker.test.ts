/**
 * The embedded broker end to end through testApp (real aedes on a free port, real mqtt.js
 * clients, real SQLite): device logins, the topic ACL, pending devices and adoption, dead letters
 * for bad payloads and decoder crashes, and the PUBACK arriving only once the data is committed.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import mqtt, { type MqttClient } from "mqtt";
import { testApp, type TestApp } from "../helpers/app";
import seqDecoder from "../fixtures/plugins/ingest/seq-decoder";
import { pluginApi } from "../../src/plugins/define";

let t: TestApp;
let url: string;
let vehicleId: number;
let secret: string;
const clients: MqttClient[] = [];

beforeAll(async () => {
  t = await testApp({ yaml: "sources:\n  - id: seq\n    plugin: test-seq\n", extraPlugins: [seqDecoder(pluginApi)] });
  url = t.deps.ingest.mqttUrl()!;
  vehicleId = t.deps.fleet.createVehicle({ unit: "T-1" }).id;
  secret = t.deps.fleet.createDevice({ id: "dev-1", vehicle_id: vehicleId }).secret;
});
afterAll(async () => {
  await Promise.all(clients.map((client) => client.endAsync(true).catch(() => {})));
  await t.cleanup();
});

async function connect(username: string, password: string): Promise<MqttClient> {
  const client = await mqtt.connectAsync(url, { username, password, clientId: `${username}-${clients.length}`, protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 3000 });
  clients.push(client);
  return client;
}
const positions = () => (t.deps.db.query("SELECT count(*) AS n FROM positions WHERE vehicle_id = ?").get(vehicleId) as { n: number }).n;
const deadLetters = () => t.deps.db.query("SELECT device_id, topic, payload, reason FROM dead_letters ORDER BY id").all() as { device_id: string; topic: string; payload: string; reason: string }[];

describe("embedded broker", () => {
  test("the URL is on loopback with the port the broker took", () => {
    expect(url).toMatch(/^mqtt:\/\/127\.0\.0\.1:\d+$/);
    expect(url).not.toEndWith(":1883");
  });

  test("a registered device publishes at QoS 1 and the PUBACK comes only after the row is committed", async () => {
    const client = await connect("dev-1", secret);
    const before = positions();
    await client.publishAsync("test/dev-1/seq", JSON.stringify({ seq: 1, ts: Date.now() }), { qos: 1 });
    // publishAsync resolved: the broker acknowledged. The row must already be there — no waiting.
    expect(positions()).toBe(before + 1);
    expect(t.deps.fleet.device("dev-1")!.last_seen).toBeGreaterThan(0);
  });

  test("a wrong secret is refused at connect", async () => {
    await expect(connect("dev-1", "not-the-secret")).rejects.toThrow(/Bad username or password|Not authorized/i);
  });

  test("a device may not publish to another device's topic: it is disconnected and nothing is stored", async () => {
    const client = await connect("dev-1", secret);
    const before = positions();
    const closed = new Promise<void>((resolve) => client.once("close", () => resolve()));
    client.publish("test/dev-2/seq", JSON.stringify({ seq: 2 }), { qos: 1 });
    await closed;
    expect(positions()).toBe(before);
  });

  test("bad payloads and decoder crashes become dead letters with reasons, and are still acknowledged", async () => {
    const client = await connect("dev-1", secret);
    await client.publishAsync("test/dev-1/seq", "{not json", { qos: 1 });
    await client.publishAsync("test/dev-1/seq", JSON.stringify({ seq: 3, crash: true }), { qos: 1 });
    await client.publishAsync("test/dev-1/elsewhere", "hello", { qos: 1 });
    const reasons = deadLetters().slice(-3).map((d) => d.reason);
    expect(reasons).toEqual(["not JSON", "decoder test-seq crashed: decoder bug", 'no telemetry source listens on topic "test/dev-1/elsewhere"']);
    expect(deadLetters().at(-3)!.payload).toBe("{not json");
  });

  test("an unknown device connects, is listed as pending, its data kept as dead letters; once adopted its data is stored", async () => {
    const client = await connect("gw-new", "its-own-password");
    await client.publishAsync("test/gw-new/seq", JSON.stringify({ seq: 10 }), { qos: 1 });
    const pending = t.deps.fleet.device("gw-new")!;
    expect(pending.status).toBe("pending");
    expect(pending.first_seen).toBeGreaterThan(0);
    expect(deadLetters().at(-1)).toMatchObject({ device_id: "gw-new", reason: "unknown device" });

    const truck = t.deps.fleet.createVehicle({ unit: "T-2" }).id;
    t.deps.fleet.adopt("gw-new", truck);
    await client.publishAsync("test/gw-new/seq", JSON.stringify({ seq: 11 }), { qos: 1 });
    expect((t.deps.db.query("SELECT count(*) AS n FROM positions WHERE vehicle_id = ?").get(truck) as { n: number }).n).toBe(1);
    // Adoption kept the password it presented: it reconnects unchanged.
    await client.endAsync();
    await expect(connect("gw-new", "its-own-password")).resolves.toBeDefined();
  });

  test("devices cannot subscribe to anything", async () => {
    const client = await connect("dev-1", secret);
    // The SUBACK carries 0x80 (failure), which mqtt.js reports as a subscribe error.
    const error = (await client.subscribeAsync("test/#", { qos: 1 }).catch((e) => e)) as { packet?: { granted: number[] } };
    expect(error.packet?.granted).toEqual([128]);
  });

  test("a disabled device is refused", async () => {
    const truck = t.deps.fleet.createVehicle({ unit: "T-3" }).id;
    const { secret: s } = t.deps.fleet.createDevice({ id: "dev-off", vehicle_id: truck });
    t.deps.fleet.setDisabled("dev-off", true);
    await expect(connect("dev-off", s)).rejects.toThrow();
  });

  test("the source counts what was stored", () => {
    const status = t.deps.host.status("seq")!;
    expect(status.state).toBe("ok");
    expect(status.items).toBeGreaterThanOrEqual(2);
  });
});
