/**
 * Right after a start, devices reconnect at once while decode sources may still be starting: their
 * messages must wait (unacknowledged) for the source, not be filed as "no source listens".
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import mqtt from "mqtt";
import { testApp, type TestApp } from "../helpers/app";
import seqDecoder from "../fixtures/plugins/ingest/seq-decoder";
import { pluginApi } from "../../src/plugins/define";

let t: TestApp;
beforeAll(async () => {
  t = await testApp({ yaml: "sources:\n  - id: slow\n    plugin: test-seq\n    create_delay_ms: 400\n", extraPlugins: [seqDecoder(pluginApi)] });
});
afterAll(() => t.cleanup());

test("a message that arrives while its source is starting is stored once the source is ready", async () => {
  expect(t.deps.host.status("slow")!.state).toBe("starting");
  const vehicleId = t.deps.fleet.createVehicle({ unit: "S-1" }).id;
  const { secret } = t.deps.fleet.createDevice({ id: "early", vehicle_id: vehicleId });
  const client = await mqtt.connectAsync(t.deps.ingest.mqttUrl()!, { username: "early", password: secret, protocolVersion: 4, reconnectPeriod: 0 });
  const started = Date.now();
  await client.publishAsync("test/early/seq", JSON.stringify({ seq: 1, ts: Date.now() }), { qos: 1 });
  // The PUBACK waited for the source to start, and then for the commit.
  expect(Date.now() - started).toBeGreaterThan(200);
  expect(t.deps.host.status("slow")!.state).toBe("ok");
  expect((t.deps.db.query("SELECT count(*) AS n FROM positions WHERE vehicle_id = ?").get(vehicleId) as { n: number }).n).toBe(1);
  expect((t.deps.db.query("SELECT count(*) AS n FROM dead_letters").get() as { n: number }).n).toBe(0);
  await client.endAsync();
});
