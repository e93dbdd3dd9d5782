/**
 * The embedded broker's optional TLS listener: a self-signed certificate made with openssl for the
 * test, a device publishing over mqtts and its data stored; and the config errors when the files
 * are missing.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt from "mqtt";
import { testApp, type TestApp } from "../helpers/app";
import { loadConfig } from "../../src/config/load";
import { formatConfigError } from "../../src/config/errors";
import seqDecoder from "../fixtures/plugins/ingest/seq-decoder";
import { pluginApi } from "../../src/plugins/define";

const OPENSSL = ["/usr/bin/openssl", "/bin/openssl"].find((path) => existsSync(path));
const suite = OPENSSL ? describe : describe.skip;
const dir = mkdtempSync(join(tmpdir(), "haulbox-tls-"));
let t: TestApp;

suite("MQTT over TLS", () => {
  beforeAll(async () => {
    const made = Bun.spawnSync([OPENSSL!, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem"), "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"]);
    if (made.exitCode !== 0) throw new Error(`openssl failed: ${made.stderr.toString()}`);
    t = await testApp({
      yaml: `mqtt:\n  tls:\n    listen: 127.0.0.1:0\n    cert_file: ${join(dir, "cert.pem")}\n    key_file: ${join(dir, "key.pem")}\nsources:\n  - id: seq\n    plugin: test-seq\n`,
      extraPlugins: [seqDecoder(pluginApi)],
    });
  });
  afterAll(async () => {
    await t?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  test("a device publishes over mqtts with the server's certificate and its data is stored", async () => {
    const url = t.deps.ingest.mqttTlsUrl();
    expect(url).toMatch(/^mqtts:\/\/127\.0\.0\.1:\d+$/);
    const vehicleId = t.deps.fleet.createVehicle({ unit: "TLS-1" }).id;
    const { secret } = t.deps.fleet.createDevice({ id: "tls-dev", vehicle_id: vehicleId });
    const client = await mqtt.connectAsync(url!, { username: "tls-dev", password: secret, protocolVersion: 4, ca: readFileSync(join(dir, "cert.pem")), reconnectPeriod: 0 });
    await client.publishAsync("test/tls-dev/seq", JSON.stringify({ seq: 1, ts: Date.now() }), { qos: 1 });
    await client.endAsync();
    expect((t.deps.db.query("SELECT count(*) AS n FROM positions WHERE vehicle_id = ?").get(vehicleId) as { n: number }).n).toBe(1);
  });

  test("a client that does not trust the certificate cannot connect", async () => {
    await expect(mqtt.connectAsync(t.deps.ingest.mqttTlsUrl()!, { username: "x", password: "y", protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 2000 })).rejects.toThrow();
  });

  test("missing TLS files are config errors naming the key", async () => {
    writeFileSync(join(dir, "haulbox.yaml"), "mqtt:\n  tls:\n    listen: 0.0.0.0:8883\n    cert_file: certs/missing.pem\n");
    const result = await loadConfig({ path: "haulbox.yaml", cwd: dir, env: {} });
    expect(result.ok ? [] : result.errors.map(formatConfigError)).toEqual([
      "haulbox.yaml:2:3 mqtt.tls.key_file: is required when mqtt.tls.listen is set (a PEM private key file)",
      `haulbox.yaml:4:16 mqtt.tls.cert_file: cannot read "${join(dir, "certs/missing.pem")}": no such file`,
    ]);
  });
});
