/**
 * Routes each received message to the telemetry source it belongs to, decodes it with that
 * source's plugin, finds the vehicle of the device, and hands the outcome to the batch writer.
 * Whatever goes wrong — an unknown device, a payload the decoder rejects, a decoder that crashes or
 * returns junk — the message becomes a dead letter with the reason; the pipeline never stops.
 */
import { createHash } from "node:crypto";
import type { Fleet } from "../telemetry/fleet";
import type { Logger } from "../log";
import type { PluginHost } from "../plugins/host";
import type { TelemetryDecodeInstance } from "../plugins/types";
import { DecodeError, recordProblem, type InboundMessage, type TelemetryRecord } from "./records";
import { compileDeviceTopic, type DeviceTopic } from "./topics";
import type { IngestWriter, Outcome } from "./writer";

/** A decode source listening on MQTT. */
export interface MqttRoute {
  sourceId: string;
  plugin: string;
  topic: DeviceTopic;
  instance: TelemetryDecodeInstance;
}

/** A decode source listening on an HTTP path. */
export interface HttpRoute {
  sourceId: string;
  plugin: string;
  path: string;
  instance: TelemetryDecodeInstance;
}

/** An MQTT message as a transport hands it over. */
export interface MqttDelivery {
  topic: string;
  payload: Uint8Array;
  receivedAt: number;
  /** Who delivered it (client id on the embedded broker, "external" for the subscription) — part of the redelivery key. */
  connection: string;
  /** MQTT packet id for QoS 1/2 (absent for QoS 0). */
  messageId?: number;
  /** The DUP flag: this may be a redelivery. */
  dup?: boolean;
}

/** Longest a message waits for a starting decode source before it is filed as unroutable. */
const HOLD_MS = 10_000;
/** Most messages held meanwhile (beyond that they are filed at once). */
const MAX_HELD = 10_000;

/** How long a device→vehicle lookup is trusted before it is read again (adoption takes effect within this). */
const VEHICLE_CACHE_MS = 5000;

export class IngestRouter {
  private mqttRoutes: MqttRoute[] = [];
  private httpRoutes: HttpRoute[] = [];
  private routesKey = "";
  private instances: TelemetryDecodeInstance[] = [];
  private readonly vehicles = new Map<string, { vehicleId: number | null; at: number }>();
  private readonly listeners = new Set<() => void>();
  private readonly pendingNoted = new Map<string, { at: number; disabled: boolean }>();
  private held: { delivery: MqttDelivery; done: (error?: Error) => void }[] = [];
  private heldTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly host: PluginHost,
    private readonly fleet: Fleet,
    private readonly writer: IngestWriter,
    private readonly log: Logger,
  ) {
    host.onChange(() => this.refresh());
    fleet.onDevicesChanged(() => this.invalidateDevices());
    this.refresh();
  }

  /** Calls `listener` when the set of MQTT filters changes (the external client re-subscribes). */
  onRoutesChanged(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** MQTT subscription filters of the decode sources, deduplicated. */
  filters(): string[] {
    return [...new Set(this.mqttRoutes.map((route) => route.topic.filter))];
  }

  /** The first MQTT source whose filter matches `topic`, with the device id it carries. */
  matchTopic(topic: string): { route: MqttRoute; deviceId: string } | null {
    for (const route of this.mqttRoutes) {
      const deviceId = route.topic.match(topic);
      if (deviceId !== null) return { route, deviceId };
    }
    return null;
  }

  /** The HTTP source for a request path. */
  matchPath(path: string): HttpRoute | null {
    const clean = path.replace(/\/+$/, "");
    return this.httpRoutes.find((route) => route.path === clean) ?? null;
  }

  /** The HTTP ingest paths in use (for the route and the docs). */
  paths(): string[] {
    return this.httpRoutes.map((route) => route.path);
  }

  /**
   * Takes one MQTT message: decodes it and queues the outcome; `done` runs after the commit
   * (acknowledge then), or with an error when it could not be stored (do not acknowledge).
   */
  handleMqtt(delivery: MqttDelivery, done: (error?: Error) => void, mayHold = true): void {
    const match = this.matchTopic(delivery.topic);
    // Hashing the payload costs a few µs: only messages that need the guard (below) pay for it.
    const key = () => (delivery.messageId !== undefined ? deliveryKey(delivery) : undefined);
    const base = { topic: delivery.topic, payload: delivery.payload, receivedAt: delivery.receivedAt, redelivery: delivery.dup === true, done };
    if (!match) {
      // Just after a start or reload, a decode source may still be starting: hold the message
      // (unacknowledged) until it is ready rather than file it as a dead letter.
      if (mayHold && this.held.length < MAX_HELD && this.decodersStarting()) {
        this.held.push({ delivery, done });
        this.heldTimer ??= setTimeout(() => this.releaseHeld(true), HOLD_MS);
        this.heldTimer.unref?.();
        return;
      }
      this.writer.submit({ ...base, key: key(), sourceId: null, deviceId: null, outcome: { kind: "dead", reason: `no telemetry source listens on topic ${JSON.stringify(delivery.topic)}` } });
      return;
    }
    const { route, deviceId } = match;
    const message: InboundMessage = { sourceId: route.sourceId, deviceId, topic: delivery.topic, payload: delivery.payload, receivedAt: delivery.receivedAt };
    const outcome = this.decodeFor(route, message, deviceId);
    // Records that carry their own time are stored idempotently (keyed by vehicle and time), so a
    // redelivered copy cannot double them: the redelivery guard is only needed when a record's
    // time is the receive time (bare CAN frames) — and it costs a random-key insert per message.
    const guard = outcome.kind === "dead" || outcome.records.length === 0 || outcome.records.some((record) => record.ts === delivery.receivedAt);
    this.writer.submit({ ...base, key: guard ? key() : undefined, sourceId: route.sourceId, deviceId, outcome });
  }

  /**
   * Takes one HTTP message for `route`; `authorize(deviceId)` checks the device's token once the
   * decoder has named the device. Resolves after the commit with what happened.
   */
  async handleHttp(route: HttpRoute, message: InboundMessage, authorize: (deviceId: string) => "ok" | "unknown" | "refused"): Promise<{ status: "stored" | "dead" | "refused"; reason?: string; deviceId?: string }> {
    const decoded = this.decode(route, message);
    const base = { sourceId: route.sourceId, topic: null, payload: message.payload, receivedAt: message.receivedAt };
    if (!decoded.ok) {
      await this.writer.write({ ...base, deviceId: null, outcome: { kind: "dead", reason: decoded.reason } });
      return { status: "dead", reason: decoded.reason };
    }
    const deviceId = decoded.device;
    if (!deviceId) {
      const reason = "the message does not say which device sent it";
      await this.writer.write({ ...base, deviceId: null, outcome: { kind: "dead", reason } });
      return { status: "dead", reason };
    }
    const access = authorize(deviceId);
    if (access === "refused") return { status: "refused", deviceId };
    const outcome = access === "unknown" ? this.unknownDevice(deviceId, route.sourceId, null) : this.withVehicle(deviceId, route.sourceId, null, decoded.records);
    await this.writer.write({ ...base, deviceId, outcome });
    return outcome.kind === "dead" ? { status: "dead", reason: outcome.reason, deviceId } : { status: "stored", deviceId };
  }

  /** True while an enabled decode source has not created its decoder yet. */
  private decodersStarting(): boolean {
    return this.host.list().some((source) => source.mode === "decode" && source.enabled && source.state === "starting");
  }

  /** Hands held messages on once routes changed (or, at the deadline, files them as they are). */
  private releaseHeld(deadline: boolean): void {
    if (!this.held.length) return;
    if (!deadline && this.decodersStarting()) return;
    const held = this.held;
    this.held = [];
    if (this.heldTimer) clearTimeout(this.heldTimer);
    this.heldTimer = null;
    // Routed without holding again: at the deadline, whatever still has no source becomes a dead letter.
    for (const { delivery, done } of held) this.handleMqtt(delivery, done, false);
  }

  /** Forgets cached device→vehicle lookups (after adopting or moving a device). */
  invalidateDevices(): void {
    this.vehicles.clear();
    this.pendingNoted.clear();
    this.writer.invalidate();
  }

  private decodeFor(route: MqttRoute, message: InboundMessage, deviceId: string): Outcome {
    const decoded = this.decode(route, message);
    if (!decoded.ok) return { kind: "dead", reason: decoded.reason };
    return this.withVehicle(deviceId, route.sourceId, message.topic, decoded.records);
  }

  /** Runs the plugin's decoder under guard and checks every record it returns. */
  private decode(route: MqttRoute | HttpRoute, message: InboundMessage): { ok: true; device?: string; records: TelemetryRecord[] } | { ok: false; reason: string } {
    let result;
    try {
      result = route.instance.decode(message);
    } catch (error) {
      if (error instanceof DecodeError) return { ok: false, reason: error.message || "the decoder rejected the payload" };
      // A decoder bug, not bad input: keep the message and say whose bug it is.
      this.log.warn("a telemetry decoder crashed", { source: route.sourceId, plugin: route.plugin, error: error as Error });
      return { ok: false, reason: `decoder ${route.plugin} crashed: ${error instanceof Error ? error.message : String(error)}` };
    }
    if (!result || typeof result !== "object" || !Array.isArray(result.records)) return { ok: false, reason: `decoder ${route.plugin} returned no records list` };
    for (const record of result.records) {
      const problem = recordProblem(record);
      if (problem) return { ok: false, reason: `decoder ${route.plugin} returned an invalid record: ${problem}` };
    }
    return { ok: true, device: typeof result.device === "string" ? result.device : (message.deviceId ?? undefined), records: result.records };
  }

  private withVehicle(deviceId: string, sourceId: string, topic: string | null, records: TelemetryRecord[]): Outcome {
    const vehicleId = this.vehicleOf(deviceId);
    if (vehicleId === null) return this.unknownDevice(deviceId, sourceId, topic);
    return { kind: "records", vehicleId, deviceId, records };
  }

  /**
   * A device with no vehicle: listed as pending, its data kept as a dead letter. The pending record
   * (first and last seen) is refreshed at most once a minute per device, not on every message.
   */
  private unknownDevice(deviceId: string, sourceId: string, topic: string | null): Outcome {
    const now = Date.now();
    const noted = this.pendingNoted.get(deviceId);
    if (noted === undefined || now - noted.at > 60_000) {
      let disabled = false;
      try {
        disabled = this.fleet.notePending(deviceId, { source: sourceId, topic, at: now })?.status === "disabled";
      } catch (error) {
        this.log.warn("cannot note a pending device", { device: deviceId, error: error as Error });
      }
      if (this.pendingNoted.size > 10_000) this.pendingNoted.clear();
      this.pendingNoted.set(deviceId, { at: now, disabled });
    }
    return { kind: "dead", reason: this.pendingNoted.get(deviceId)!.disabled ? "device is disabled" : "unknown device" };
  }

  private vehicleOf(deviceId: string): number | null {
    const now = Date.now();
    const cached = this.vehicles.get(deviceId);
    if (cached && now - cached.at < VEHICLE_CACHE_MS) return cached.vehicleId;
    const vehicleId = this.fleet.vehicleIdOf(deviceId);
    if (this.vehicles.size > 10_000) this.vehicles.clear();
    this.vehicles.set(deviceId, { vehicleId, at: now });
    return vehicleId;
  }

  /** Rebuilds the routes from the host's ready decoders (called on every source status change). */
  private refresh(): void {
    this.refreshRoutes();
    this.releaseHeld(false);
  }

  private refreshRoutes(): void {
    const decoders = this.host.decoders();
    const key = decoders.map((d) => `${d.id}|${d.transport}|${d.options.topic ?? d.options.path}`).join(";");
    // A source re-created after a failure has a new instance under the same key.
    const instancesChanged = decoders.length !== this.instances.length || decoders.some((d, i) => this.instances[i] !== d.instance);
    if (key === this.routesKey && !instancesChanged) return;
    this.instances = decoders.map((d) => d.instance);
    const mqtt: MqttRoute[] = [];
    const http: HttpRoute[] = [];
    for (const decoder of decoders) {
      if (decoder.transport === "mqtt") {
        try {
          mqtt.push({ sourceId: decoder.id, plugin: decoder.plugin, topic: compileDeviceTopic(String(decoder.options.topic)), instance: decoder.instance });
        } catch (error) {
          this.log.error("a telemetry source's topic is not usable; the source receives nothing", { source: decoder.id, error: (error as Error).message });
        }
      } else {
        http.push({ sourceId: decoder.id, plugin: decoder.plugin, path: String(decoder.options.path).replace(/\/+$/, ""), instance: decoder.instance });
      }
    }
    const filtersBefore = this.filters().join("\n");
    this.mqttRoutes = mqtt;
    this.httpRoutes = http;
    this.routesKey = key;
    if (this.filters().join("\n") !== filtersBefore) for (const listener of this.listeners) listener();
  }

}

/** The redelivery key of an MQTT delivery: who sent it, its packet id and a hash of its payload. */
function deliveryKey(delivery: MqttDelivery): Uint8Array {
  const hash = createHash("sha256");
  hash.update(`${delivery.connection}\u0000${delivery.messageId}\u0000${delivery.topic}\u0000`);
  hash.update(delivery.payload);
  return hash.digest().subarray(0, 16);
}
