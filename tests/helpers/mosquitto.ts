/**
 * Starts Debian's Mosquitto (installed by .ci/run) on a free loopback port for a test, with a
 * queue big enough that a slow subscriber loses nothing (its default of 1000 queued messages
 * silently drops). Without the binary, `mosquittoAvailable` is false and tests skip with a message.
 */
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { connect } from "node:net";
import type { Subprocess } from "bun";
import { freePort, makeTempDir } from "./server";

export const MOSQUITTO = ["/usr/sbin/mosquitto", "/usr/bin/mosquitto"].find((path) => existsSync(path)) ?? null;
export const mosquittoAvailable = MOSQUITTO !== null;

export interface Mosquitto {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** Waits until something accepts TCP connections on the port. */
async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => (socket.destroy(), resolve(true)));
      socket.once("error", () => resolve(false));
    });
    if (open) return;
    await Bun.sleep(25);
  }
  throw new Error(`mosquitto did not listen on ${port} within ${timeoutMs} ms`);
}

export async function startMosquitto(): Promise<Mosquitto> {
  if (!MOSQUITTO) throw new Error("mosquitto is not installed (apt-get install mosquitto)");
  const dir = makeTempDir("haulbox-mosquitto-");
  const port = await freePort();
  const conf = join(dir, "mosquitto.conf");
  writeFileSync(
    conf,
    [
      `listener ${port} 127.0.0.1`,
      "allow_anonymous true",
      "persistence false",
      "max_queued_messages 1000000",
      "max_inflight_messages 0",
      "log_dest stderr",
      "log_type error",
      "",
    ].join("\n"),
  );
  const proc: Subprocess = Bun.spawn([MOSQUITTO, "-c", conf], { stdout: "ignore", stderr: "pipe" });
  await waitForPort(port, 5000);
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    async stop() {
      proc.kill("SIGTERM");
      await proc.exited;
    },
  };
}
