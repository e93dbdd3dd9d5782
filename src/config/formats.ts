/** Custom string formats used by the config schema (cron, IANA timezone, HOST:PORT), registered with TypeBox. */
import { FormatRegistry } from "@sinclair/typebox";
import { Cron } from "croner";

/** True when croner accepts the pattern (5–7 fields or a nickname like @daily). */
export function isCronExpression(pattern: string): boolean {
  try {
    new Cron(pattern, { paused: true }).stop();
    return true;
  } catch {
    return false;
  }
}

/** True when the runtime knows the IANA timezone name. */
export function isTimezone(name: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** Parses "HOST:PORT" (IPv6 in brackets) into its parts; null when malformed. */
export function parseListen(value: string): { host: string; port: number } | null {
  const match = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+|\*)?:(\d{1,5})$/.exec(value.trim());
  if (!match) return null;
  const port = Number(match[2]);
  if (port < 0 || port > 65535) return null;
  let host = match[1] ?? "0.0.0.0";
  if (host === "*") host = "0.0.0.0";
  if (host.startsWith("[")) host = host.slice(1, -1);
  return { host, port };
}

/** What each custom format means, worded for the error message a fleet owner reads. */
export const formatDescriptions: Record<string, string> = {
  cron: "is not a cron expression (five fields like \"*/5 * * * *\", or @hourly/@daily)",
  timezone: "is not an IANA timezone (like \"America/Chicago\")",
  listen: "is not HOST:PORT (like \"127.0.0.1:8080\" or \"0.0.0.0:8080\")",
  url: "is not an http(s) URL",
  "mqtt-url": "is not an MQTT broker URL (like \"mqtt://host:1883\" or \"mqtts://user:pass@host:8883\")",
};

FormatRegistry.Set("cron", isCronExpression);
FormatRegistry.Set("timezone", isTimezone);
FormatRegistry.Set("listen", (v) => parseListen(v) !== null);
FormatRegistry.Set("url", (v) => {
  if (v === "") return true;
  try {
    const u = new URL(v);
    return u.protocol === "http:" || u.protocol === "https:";
  } catch {
    return false;
  }
});
FormatRegistry.Set("mqtt-url", (v) => {
  if (v === "") return true;
  try {
    const u = new URL(v);
    return ["mqtt:", "mqtts:", "tcp:", "tls:", "ws:", "wss:"].includes(u.protocol) && u.hostname !== "";
  } catch {
    return false;
  }
});
