/**
 * The telemetry ingest of one appliance: the batch writer, the router from messages to decode
 * sources, and the MQTT transport — the embedded broker, or a subscription on an external broker
 * when `mqtt.url` is set. Started before the plugin host (so the demo fleet finds a broker) and
 * stopped after it (so the last batches are written before the database closes).
 */
import type { Database } from "bun:sqlite";
import type { ConfigStore } from "../config/store";
import type { Logger } from "../log";
import type { Metrics } from "../metrics/registry";
import type { PluginHost } from "../plugins/host";
import type { DemoDeviceSpec, DeviceCredentials } from "../plugins/types";
import type { Fleet } from "../telemetry/fleet";
import type { TelemetryEvents } from "./events";
import { IngestRouter } from "./router";
import { IngestWriter } from "./writer";
import { startEmbeddedBroker, type EmbeddedBroker } from "./broker";
import { defaultClientId, startExternalSubscription, type ExternalSubscription } from "./external";

export interface IngestOptions {
  config: ConfigStore;
  db: Database;
  log: Logger;
  host: PluginHost;
  fleet: Fleet;
  events: TelemetryEvents;
  metrics?: Metrics;
}

export class Ingest {
  readonly writer: IngestWriter;
  readonly router: IngestRouter;
  private broker: EmbeddedBroker | null = null;
  private external: ExternalSubscription | null = null;
  private readonly log: Logger;

  constructor(private readonly options: IngestOptions) {
    const { config, db, host, fleet, events } = options;
    this.log = options.log.child({ component: "ingest" });
    const settings = config.current().ingest;
    this.writer = new IngestWriter(db, events, this.log, {
      maxRows: settings.batch_max_rows,
      maxBatchMs: settings.batch_max_ms,
      waitMs: settings.batch_wait_ms,
      deadLetterBytes: settings.dead_letter_bytes,
      onSourceCounts: (counts) => host.countIngest(counts),
    });
    this.router = new IngestRouter(host, fleet, this.writer, this.log);
    if (options.metrics) this.registerMetrics(options.metrics);
  }

  /** Starts the MQTT transport the config asks for. A broker that cannot listen is a startup error. */
  async start(): Promise<void> {
    const { mqtt, data_dir } = this.options.config.current();
    this.writer.open();
    if (!mqtt.enabled) {
      this.log.info("MQTT ingest is off (mqtt.enabled: false)");
      return;
    }
    if (mqtt.url) {
      this.external = await startExternalSubscription({ url: mqtt.url, clientId: mqtt.client_id || defaultClientId(data_dir), router: this.router, log: this.log });
      return;
    }
    try {
      this.broker = await startEmbeddedBroker({
        listen: mqtt.listen,
        tls: mqtt.tls.listen ? { listen: mqtt.tls.listen, certFile: mqtt.tls.cert_file, keyFile: mqtt.tls.key_file } : undefined,
        fleet: this.options.fleet,
        router: this.router,
        log: this.log,
      });
    } catch (error) {
      // The web UI, HTTP trackers and everything else still work: say what to do instead of refusing to start.
      this.log.error("the embedded MQTT broker could not start, so MQTT devices (and the demo fleet) cannot report. If another broker such as Mosquitto already uses the port, set mqtt.url to subscribe to it, or move the embedded one with mqtt.listen or --mqtt-listen.", { error: (error as Error).message });
    }
  }

  /** Stops taking messages, then writes what is queued. */
  async stop(): Promise<void> {
    await this.broker?.close().catch((error) => this.log.error("closing the MQTT broker failed", { error: error as Error }));
    await this.external?.close().catch(() => {});
    this.broker = null;
    this.external = null;
    await this.writer.close();
  }

  /** mqtt:// URL devices use: the embedded broker's, or the external broker's (credentials removed). */
  mqttUrl(): string | null {
    if (this.broker) return this.broker.url;
    const url = this.options.config.current().mqtt.url;
    if (!url) return null;
    const parsed = new URL(url);
    parsed.username = "";
    parsed.password = "";
    return parsed.toString().replace(/\/$/, "");
  }

  /** mqtts:// URL of the embedded broker's TLS listener, if it has one. */
  mqttTlsUrl(): string | null {
    return this.broker?.tlsUrl ?? null;
  }

  /**
   * For the demo fleet: registers its vehicle and device and hands back credentials. On an
   * external broker, Haulbox cannot create accounts, so the simulator gets the broker's URL and
   * its own device id (the broker must let it publish).
   */
  async provisionDemoDevice(spec: DemoDeviceSpec): Promise<DeviceCredentials | null> {
    const url = this.mqttUrl();
    if (!url) return null;
    const { vehicle, device, secret } = this.options.fleet.provisionDemo(spec);
    return { device_id: device.id, vehicle_id: vehicle.id, mqtt_url: url, username: device.id, password: secret };
  }

  private registerMetrics(metrics: Metrics): void {
    const stats = this.writer.stats;
    metrics.registerCollector(() => [
      { name: "haulbox_ingest_messages_total", help: "Telemetry messages taken by the ingest writer.", type: "counter", samples: [{ value: stats.messages }] },
      { name: "haulbox_ingest_duplicates_total", help: "Redelivered messages recognised and stored only once.", type: "counter", samples: [{ value: stats.duplicates }] },
      { name: "haulbox_ingest_dead_letters_total", help: "Messages kept as dead letters (rejected, unknown device).", type: "counter", samples: [{ value: stats.deadLetters }] },
      { name: "haulbox_ingest_positions_total", help: "Positions written.", type: "counter", samples: [{ value: stats.positions }] },
      { name: "haulbox_ingest_readings_total", help: "Readings written.", type: "counter", samples: [{ value: stats.readings }] },
      { name: "haulbox_ingest_batches_total", help: "Ingest transactions committed.", type: "counter", samples: [{ value: stats.batches }] },
      { name: "haulbox_ingest_pending_messages", help: "Messages waiting for their transaction.", type: "gauge", samples: [{ value: this.writer.pending }] },
      { name: "haulbox_mqtt_connected_clients", help: "Clients connected to the embedded MQTT broker.", type: "gauge", samples: [{ value: this.broker?.connectedClients() ?? 0 }] },
    ]);
  }
}
