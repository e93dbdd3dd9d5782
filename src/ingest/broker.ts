/**
 * The embedded MQTT broker (aedes, MQTT 3.1.1 only) for the zero-setup default. Devices log in
 * with their id as username and their secret as password, and may publish only to topics whose
 * `{device}` level is their own id. Every publish goes to the ingest router, and aedes sends the
 * PUBACK only when the router calls back — after the message is committed to SQLite.
 *
 * A device that is not registered may connect (it is listed as pending, with the password it
 * presented kept for adoption); its messages are kept as dead letters until it is adopted. A
 * registered device with the wrong secret, or a disabled one, is refused.
 */
import { createServer, type Server } from "node:net";
import { createServer as createTlsServer } from "node:tls";
import { readFileSync } from "node:fs";
import { Aedes, type Client, type PublishPacket, type Subscription } from "aedes";
import type { Fleet } from "../telemetry/fleet";
import type { Logger } from "../log";
import { parseListen } from "../config/formats";
import type { IngestRouter } from "./router";

export interface BrokerOptions {
  /** HOST:PORT of the plain listener. */
  listen: string;
  tls?: { listen: string; certFile: string; keyFile: string };
  fleet: Fleet;
  router: IngestRouter;
  log: Logger;
}

/** A running embedded broker. */
export interface EmbeddedBroker {
  /** mqtt://host:port devices (and the demo fleet) connect to. */
  url: string;
  port: number;
  /** mqtts://host:port of the TLS listener, when there is one. */
  tlsUrl: string | null;
  connectedClients(): number;
  close(): Promise<void>;
}

/** MQTT 3.1.1 CONNACK return code 4: bad user name or password; 5: not authorized. */
const BAD_CREDENTIALS = 4;
const NOT_AUTHORIZED = 5;

/** What we remember about a connected client. */
interface DeviceSession {
  deviceId: string;
  pending: boolean;
}
const sessions = new WeakMap<Client, DeviceSession>();

function authError(code: number, message: string): Error & { returnCode: number } {
  return Object.assign(new Error(message), { returnCode: code });
}

export async function startEmbeddedBroker(options: BrokerOptions): Promise<EmbeddedBroker> {
  const { fleet, router, log } = options;
  const broker = await Aedes.createBroker({
    // Big enough for a gateway that batches many frames; small enough that one client cannot exhaust memory.
    maxClientsIdLength: 64,
    // A device reconnecting after an outage resends everything it kept (mqtt.js does so before the
    // CONNACK arrives); aedes drops the connection when more than queueLimit packets wait for it.
    queueLimit: 20_000,
    authenticate(client, username, password, done) {
      const deviceId = username ?? "";
      const secret = password ? Buffer.from(password).toString("utf8") : null;
      try {
        const check = fleet.check(deviceId, secret);
        if (check.ok) {
          sessions.set(client, { deviceId, pending: false });
          return done(null, true);
        }
        if (check.reason === "unknown" || check.reason === "pending") {
          const device = fleet.notePending(deviceId, { secret, at: Date.now() });
          if (!device) return done(authError(BAD_CREDENTIALS, "the username must be the device id"), false);
          log.info("a device that is not registered connected; it is listed as pending", { device: deviceId });
          sessions.set(client, { deviceId, pending: true });
          return done(null, true);
        }
        log.warn("MQTT login refused", { device: deviceId, reason: check.reason });
        return done(authError(check.reason === "disabled" ? NOT_AUTHORIZED : BAD_CREDENTIALS, check.reason === "disabled" ? "device disabled" : "bad device secret"), false);
      } catch (error) {
        log.error("checking an MQTT login failed", { error: error as Error });
        return done(authError(NOT_AUTHORIZED, "server error"), false);
      }
    },
    authorizePublish(client: Client | null, packet: PublishPacket, done: (error?: Error | null) => void) {
      // Wills are published by the broker on a client's behalf; devices have no use for them here.
      if (!client) return done(null);
      const session = sessions.get(client);
      if (!session) return done(new Error("not authenticated"));
      const match = router.matchTopic(packet.topic);
      if (match && match.deviceId !== session.deviceId) {
        log.warn("a device published to another device's topic; disconnected", { device: session.deviceId, topic: packet.topic });
        return done(new Error(`device ${session.deviceId} may not publish to ${packet.topic}`));
      }
      const payload = typeof packet.payload === "string" ? Buffer.from(packet.payload) : packet.payload;
      router.handleMqtt(
        {
          topic: packet.topic,
          payload,
          receivedAt: Date.now(),
          connection: `embedded:${session.deviceId}`,
          messageId: packet.qos > 0 ? packet.messageId : undefined,
          dup: packet.dup,
        },
        // Only now may aedes acknowledge: the message is committed (or it was not, and the device retries).
        (error) => done(error ?? null),
      );
    },
    authorizeSubscribe(client: Client | null, subscription: Subscription, done: (error: Error | null, subscription?: Subscription | null) => void) {
      // Devices only report; nothing here is for them to read. A null subscription is refused in the SUBACK.
      done(null, null);
    },
  });

  const servers: Server[] = [];
  const listenOn = (server: Server, address: string) =>
    new Promise<number>((resolve, reject) => {
      const parsed = parseListen(address);
      if (!parsed) return reject(new Error(`${address} is not HOST:PORT`));
      server.once("error", reject);
      server.listen(parsed.port, parsed.host, () => {
        server.off("error", reject);
        resolve((server.address() as { port: number }).port);
      });
    });

  const plain = createServer(broker.handle as never);
  let port: number;
  try {
    port = await listenOn(plain, options.listen);
  } catch (error) {
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    throw new Error(`the embedded MQTT broker cannot listen on ${options.listen}: ${(error as Error).message}`);
  }
  servers.push(plain);
  let tlsPort: number | null = null;
  if (options.tls?.listen) {
    const secure = createTlsServer({ cert: readFileSync(options.tls.certFile), key: readFileSync(options.tls.keyFile) }, broker.handle as never);
    servers.push(secure);
    try {
      tlsPort = await listenOn(secure, options.tls.listen);
    } catch (error) {
      for (const server of servers) server.close();
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      throw new Error(`the embedded MQTT broker cannot listen for TLS on ${options.tls.listen}: ${(error as Error).message}`);
    }
  }
  broker.on("clientError", (client, error) => log.debug("MQTT client error", { client: client?.id, error: error.message }));

  const host = parseListen(options.listen)!.host;
  const reachable = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
  log.info(`embedded MQTT broker listening on ${reachable}:${port}`, { listen: options.listen, tls: options.tls?.listen || null });
  const tlsHost = options.tls?.listen ? parseListen(options.tls.listen)!.host : null;
  return {
    url: `mqtt://${reachable}:${port}`,
    port,
    tlsUrl: tlsPort === null ? null : `mqtts://${tlsHost === "0.0.0.0" || tlsHost === "::" ? "127.0.0.1" : tlsHost}:${tlsPort}`,
    connectedClients: () => broker.connectedClients,
    async close() {
      for (const server of servers) server.close();
      await new Promise<void>((resolve) => broker.close(() => resolve()));
    },
  };
}
