/**
 * Subscribing to an external broker (Mosquitto, EMQX) with a persistent session (MQTT 5, clean
 * start off, a long session expiry), so messages published while Haulbox is down wait for it.
 *
 * Acknowledge after commit, without stalling: mqtt.js sends a PUBACK as soon as its message
 * handler returns and reads the next packet only after that, so holding the handler until the
 * batch commits would serialise the connection to one message per commit. Instead the handler
 * returns at once and the PUBACK mqtt.js wants to send is held back; when the message's batch has
 * committed, the held PUBACKs go out in arrival order (MQTT requires that order for QoS 1).
 * If the connection drops first, the broker redelivers what was not acknowledged (DUP set), and
 * the writer's redelivery guard stores it once.
 */
import { createHash } from "node:crypto";
import mqtt, { type IClientOptions, type MqttClient, type Packet } from "mqtt";
import type { Logger } from "../log";
import type { IngestRouter } from "./router";

export interface ExternalOptions {
  url: string;
  clientId: string;
  router: IngestRouter;
  log: Logger;
  /** Called when the connection state changes, for the Sources page and /metrics. */
  onState?: (state: { connected: boolean; error: string | null }) => void;
}

export interface ExternalSubscription {
  connected(): boolean;
  /** Messages whose PUBACK is waiting for their commit. */
  heldAcks(): number;
  close(): Promise<void>;
}

/** A stable client id for this appliance's session: the same data folder gets the same session. */
export function defaultClientId(dataDir: string): string {
  return `haulbox-${createHash("sha256").update(dataDir).digest("hex").slice(0, 12)}`;
}

/** The URL with any password removed, for logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(invalid url)";
  }
}

interface HeldAck {
  messageId: number;
  committed: boolean;
  failed: boolean;
}

type SendPacket = (packet: Packet, cb?: (error?: Error) => void, cbStorePut?: unknown, noStore?: boolean) => void;

export async function startExternalSubscription(options: ExternalOptions): Promise<ExternalSubscription> {
  const { router, log } = options;
  const clientOptions: IClientOptions = {
    clientId: options.clientId,
    clean: false,
    protocolVersion: 5,
    // Keep the session (and what queues in it) a week; let the broker send as many unacknowledged messages as it likes.
    properties: { sessionExpiryInterval: 7 * 24 * 3600, receiveMaximum: 65535 },
    reconnectPeriod: 2000,
    connectTimeout: 10_000,
    resubscribe: true,
  };
  const client: MqttClient = mqtt.connect(options.url, clientOptions);
  // The acks of the current connection, in arrival order.
  let queue: HeldAck[] = [];
  const holding = new Set<number>();
  const internal = client as unknown as { _sendPacket: SendPacket };
  const send = internal._sendPacket.bind(client);
  internal._sendPacket = (packet, cb, cbStorePut, noStore) => {
    if (packet.cmd === "puback" && packet.messageId !== undefined && holding.has(packet.messageId)) {
      cb?.();
      return;
    }
    return send(packet, cb, cbStorePut, noStore);
  };

  const drain = () => {
    while (queue.length && queue[0]!.committed) {
      const entry = queue.shift()!;
      holding.delete(entry.messageId);
      // A message we could not store is not acknowledged: the broker will send it again.
      if (!entry.failed) send({ cmd: "puback", messageId: entry.messageId } as Packet);
    }
  };

  client.handleMessage = (packet, callback) => {
    const publish = packet as Packet & { topic: string; payload: Buffer | string; qos: number; messageId?: number; dup?: boolean };
    const payload = typeof publish.payload === "string" ? Buffer.from(publish.payload) : publish.payload;
    const held: HeldAck | null = publish.qos === 1 && publish.messageId !== undefined ? { messageId: publish.messageId, committed: false, failed: false } : null;
    const generation = queue;
    if (held) {
      queue.push(held);
      holding.add(held.messageId);
    }
    router.handleMqtt(
      { topic: publish.topic, payload, receivedAt: Date.now(), connection: `external:${options.clientId}`, messageId: publish.qos > 0 ? publish.messageId : undefined, dup: publish.dup },
      (error) => {
        if (!held || generation !== queue) return; // the connection it came on is gone; the broker redelivers
        held.committed = true;
        held.failed = Boolean(error);
        drain();
      },
    );
    callback();
  };

  let connected = false;
  let subscribed: string[] = [];
  const subscribe = async () => {
    const filters = router.filters();
    const removed = subscribed.filter((f) => !filters.includes(f));
    if (removed.length) await client.unsubscribeAsync(removed).catch(() => {});
    if (filters.length) await client.subscribeAsync(Object.fromEntries(filters.map((filter) => [filter, { qos: 1 as const }])));
    subscribed = filters;
    log.info("subscribed on the external MQTT broker", { filters });
  };
  client.on("connect", () => {
    connected = true;
    options.onState?.({ connected: true, error: null });
    log.info("connected to the external MQTT broker", { url: redactUrl(options.url), client_id: options.clientId });
    subscribe().catch((error) => log.error("subscribing on the external MQTT broker failed", { error: error as Error }));
  });
  client.on("close", () => {
    if (connected) log.warn("connection to the external MQTT broker lost; reconnecting", { url: redactUrl(options.url) });
    connected = false;
    // Unacknowledged messages of that connection will be redelivered; forget their acks.
    queue = [];
    holding.clear();
    options.onState?.({ connected: false, error: null });
  });
  client.on("error", (error) => {
    log.warn("external MQTT broker error", { url: redactUrl(options.url), error: error.message });
    options.onState?.({ connected: false, error: error.message });
  });
  const unsubscribeRoutes = router.onRoutesChanged(() => {
    if (connected) subscribe().catch((error) => log.error("re-subscribing failed", { error: error as Error }));
  });

  return {
    connected: () => connected,
    heldAcks: () => queue.length,
    async close() {
      unsubscribeRoutes();
      await client.endAsync(false).catch(() => {});
    },
  };
}
