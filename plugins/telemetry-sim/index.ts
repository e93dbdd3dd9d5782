/**
 * telemetry-sim: the living demo fleet of the embedded default configuration. It registers a few
 * demo trucks (marked demo everywhere they show) through the core, then publishes, as each of those
 * trucks' own CAN-to-MQTT gateway would, J1939 frames and a GPS fix every couple of seconds to the
 * same MQTT topic a real gateway uses. So the demo exercises the real path — broker login, topic
 * ACL, the telemetry-j1939 decoder, the ingest writer — and `npm start` shows trucks moving at once.
 *
 * The trucks themselves (where they drive, fuel, faults) come from fleet.ts; this file only turns
 * the model's snapshots into payloads and publishes them.
 */
import { Type, type Static } from "@sinclair/typebox";
import mqtt, { type MqttClient } from "mqtt";
import { definePlugin } from "../../src/plugins/define";
import type { DemoDeviceSpec, DeviceCredentials, PushContext } from "../../src/plugins/types";
import { encodeCcvs1, encodeDd1, encodeDm1, encodeEec1, encodeEt1, encodeHours, encodeLfc1, encodeLfe1, encodeVd, encodeVdhr, encodeVep1, frameLines } from "../../src/domain/j1939/encode";
import { createFleet, fleetAnchorMs, type Fleet, type TruckProfile, type TruckSnapshot } from "./fleet";

/** The source's options. */
export const configSchema = Type.Object(
  {
    trucks: Type.Integer({ default: 6, minimum: 1, maximum: 50, description: "How many demo trucks drive." }),
    interval_seconds: Type.Number({ default: 2, minimum: 0.2, maximum: 3600, description: "How often each truck publishes, in seconds." }),
    time_scale: Type.Number({ default: 1, minimum: 0.1, maximum: 3600, description: "Simulated seconds per real second: 60 makes an hour of driving pass in a minute." }),
    fault_every_minutes: Type.Number({ default: 20, minimum: 0, maximum: 10_080, description: "Mean real minutes between two engine faults somewhere in the fleet; 0 turns faults off." }),
    seed: Type.Integer({ default: 1, minimum: 0, maximum: 2_147_483_647, description: "Seed of the fleet: the same seed gives the same trucks, routes and faults." }),
    topic: Type.String({ default: "fleet/{device}/can", pattern: "^[^#+]*\\{device\\}[^#+]*$", description: "Topic each truck publishes to, {device} being its device id; must match the telemetry-j1939 source's topic." }),
    device_prefix: Type.String({ default: "demo-", pattern: "^[a-z0-9_-]{0,24}$", description: "Prefix of the demo trucks' device ids (the unit number follows)." }),
  },
  { additionalProperties: false },
);

/** The options after defaults. */
export type SimOptions = Static<typeof configSchema>;

/** J1939 source addresses: the engine ECU and the instrument cluster (which owns the dash and odometer). */
const ENGINE_SA = 0x00;
const CLUSTER_SA = 0x17;
/** DM1 goes out this often even without a change (real ECUs send it every second; this is enough for a dashboard). */
export const DM1_EVERY_MS = 10_000;

/** The vehicle and device a truck registers as. */
export function demoDeviceSpec(profile: TruckProfile, prefix: string): DemoDeviceSpec {
  return {
    device_id: `${prefix}${profile.unit}`.toLowerCase(),
    vehicle: {
      unit: profile.unit,
      name: profile.name,
      vin: profile.vin,
      make: profile.make,
      model: profile.model,
      year: profile.year,
      equipment: profile.equipment,
      tank_l: profile.tankL,
      mpg: profile.mpg,
      home_base: profile.homeBase,
    },
  };
}

/** The JSON the telemetry-j1939 decoder reads on `fleet/{device}/can`. */
export interface GatewayPayload {
  ts: number;
  frames: string[];
  gps: { lat: number; lon: number; speed_kmh: number; heading: number };
}

/**
 * One gateway message for a truck: the frames a logger would have captured from its bus in the
 * last moment, plus its GPS fix. With the ignition off the gateway (on constant power) still
 * reports, with engine speed 0, so the dashboard can tell a parked truck from an idling one.
 */
export function truckPayload(truck: TruckSnapshot, nowMs: number, withDm1: boolean): GatewayPayload {
  const engine = [
    encodeCcvs1(truck.speedKmh),
    encodeEt1(Math.round(truck.coolantC)),
    encodeLfe1(truck.fuelRateLph, truck.economyKmpl),
    encodeLfc1(truck.fuelUsedL),
    encodeHours(truck.engineHours),
    encodeVep1(truck.batteryV),
  ];
  if (withDm1) engine.push(encodeDm1(truck.lamps, truck.dtcs));
  const frames = [
    // EEC1 is a priority 3 message on a real bus (engine control); the rest are information, 6.
    ...frameLines(ENGINE_SA, [encodeEec1(truck.rpm)], 3),
    ...frameLines(ENGINE_SA, engine),
    ...frameLines(CLUSTER_SA, [encodeDd1(truck.fuelLevelPct), truck.profile.highResOdometer ? encodeVdhr(truck.odometerKm) : encodeVd(truck.odometerKm)]),
  ];
  return { ts: nowMs, frames, gps: { lat: truck.lat, lon: truck.lon, speed_kmh: truck.gpsSpeedKmh, heading: truck.headingDeg } };
}

/** One truck's MQTT side. */
interface Gateway {
  profile: TruckProfile;
  credentials: DeviceCredentials;
  client: MqttClient;
  topic: string;
  lastDm1Ms: number;
  lastFaultsVersion: number;
  failing: boolean;
}

export default definePlugin({
  kind: "telemetry",
  mode: "push",
  name: "telemetry-sim",
  version: "1.0.0",
  description: "Demo fleet: trucks driving US interstates, publishing J1939 frames and GPS over MQTT like real gateways.",
  configSchema,
  create({ options, log, signal, services }) {
    const gateways: Gateway[] = [];
    let timer: ReturnType<typeof setInterval> | null = null;
    let stopped = false;

    async function stop(): Promise<void> {
      stopped = true;
      if (timer) clearInterval(timer);
      timer = null;
      const closing = gateways.splice(0).map(async ({ client }) => {
        // Give acknowledged-but-unanswered publishes a moment, then drop the connection.
        const graceful = client.endAsync(false);
        const late = await Promise.race([graceful.then(() => false), new Promise<boolean>((resolve) => setTimeout(() => resolve(true), 2000).unref?.())]);
        if (late) await client.endAsync(true);
      });
      await Promise.allSettled(closing);
    }
    signal.addEventListener("abort", () => void stop(), { once: true });

    return {
      async start(push: PushContext) {
        // The fleet of the current simulated day, fast-forwarded to now: a restart (config change,
        // reboot) finds every truck where it would have been, with the same totals.
        const fleetAt = (now: number): { fleet: Fleet; anchorMs: number } => {
          const anchorMs = fleetAnchorMs(now, options.time_scale);
          const fleet = createFleet({ trucks: options.trucks, seed: options.seed, timeScale: options.time_scale, faultEveryMinutes: options.fault_every_minutes, startMs: anchorMs });
          fleet.advanceTo(now);
          return { fleet, anchorMs };
        };
        let { fleet, anchorMs } = fleetAt(Date.now());

        const credentials: DeviceCredentials[] = [];
        for (const profile of fleet.profiles) {
          const provisioned = await services.provisionDemoDevice(demoDeviceSpec(profile, options.device_prefix));
          if (!provisioned) throw new Error("the demo fleet needs the MQTT ingest (mqtt.enabled)");
          credentials.push(provisioned);
        }

        const connected = await Promise.allSettled(
          credentials.map((creds) =>
            mqtt.connectAsync(
              creds.mqtt_url,
              // The embedded broker (aedes) speaks MQTT 3.1.1 only: a v5 CONNECT is refused.
              { username: creds.username, password: creds.password, clientId: creds.device_id, protocolVersion: 4, reconnectPeriod: 2000, connectTimeout: 10_000 },
              false,
            ),
          ),
        );
        const failure = connected.find((result) => result.status === "rejected");
        if (failure || stopped) {
          await Promise.allSettled(connected.map((result) => (result.status === "fulfilled" ? result.value.endAsync(true) : undefined)));
          if (stopped) return;
          throw new Error(`a demo truck could not connect to ${credentials[0]?.mqtt_url}: ${((failure as PromiseRejectedResult).reason as Error)?.message ?? failure}`);
        }

        connected.forEach((result, i) => {
          const client = (result as PromiseFulfilledResult<MqttClient>).value;
          const profile = fleet.profiles[i]!;
          const gateway: Gateway = { profile, credentials: credentials[i]!, client, topic: options.topic.replace("{device}", credentials[i]!.device_id), lastDm1Ms: -Infinity, lastFaultsVersion: -1, failing: false };
          client.on("error", (error) => {
            gateway.failing = true;
            push.reportError(new Error(`demo truck ${profile.unit}: ${error.message}`));
          });
          client.on("connect", () => {
            if (!gateway.failing) return;
            gateway.failing = false;
            if (gateways.every((other) => !other.failing)) push.reportOk();
          });
          gateways.push(gateway);
        });

        const tick = () => {
          if (stopped) return;
          const now = Date.now();
          if (fleetAnchorMs(now, options.time_scale) !== anchorMs) {
            ({ fleet, anchorMs } = fleetAt(now));
            for (const gateway of gateways) gateway.lastFaultsVersion = -1;
          }
          fleet.advanceTo(now);
          const snapshots = fleet.snapshot(now);
          for (const gateway of gateways) {
            const truck = snapshots[gateway.profile.index]!;
            // A gateway without a connection drops the sample rather than queueing an unbounded backlog.
            if (!gateway.client.connected) continue;
            const withDm1 = truck.faultsVersion !== gateway.lastFaultsVersion || now - gateway.lastDm1Ms >= DM1_EVERY_MS;
            let body: string;
            try {
              body = JSON.stringify(truckPayload(truck, now, withDm1));
            } catch (error) {
              // An encoder refusing a value is a model bug: say so on the Sources page, keep the others going.
              push.reportError(new Error(`demo truck ${gateway.profile.unit}: ${(error as Error).message}`));
              continue;
            }
            if (withDm1) {
              gateway.lastDm1Ms = now;
              gateway.lastFaultsVersion = truck.faultsVersion;
            }
            gateway.client.publishAsync(gateway.topic, body, { qos: 1 }).catch((error: Error) => {
              if (!stopped) push.reportError(new Error(`demo truck ${gateway.profile.unit}: publish failed: ${error.message}`));
            });
          }
        };
        // The first message goes out now, so the map fills as soon as the appliance is up.
        tick();
        timer = setInterval(tick, options.interval_seconds * 1000);
        log.info("demo fleet running", { trucks: gateways.length, interval_seconds: options.interval_seconds, time_scale: options.time_scale });
      },
      stop,
    };
  },
});
