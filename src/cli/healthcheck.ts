/**
 * `haulbox healthcheck`: exit 0 when the running appliance answers GET /healthz with 200 and
 * `ok: true`, else 1. Meant for Docker HEALTHCHECK and systemd, so it prints one short line.
 */
import type { Command } from "./index";
import { parseListen } from "../config/formats";
import { CommandFailed, loadConfiguredConfig, parseCommonArgs } from "./args";

/** The URL of /healthz for a listen address; wildcard hosts are reached on loopback. */
export function healthzUrl(listen: string): string {
  const parsed = parseListen(listen);
  if (!parsed) throw new CommandFailed(`haulbox healthcheck: ${JSON.stringify(listen)} is not HOST:PORT`, 1);
  let host = parsed.host;
  if (host === "0.0.0.0" || host === "") host = "127.0.0.1";
  else if (host === "::") host = "::1";
  return `http://${host.includes(":") ? `[${host}]` : host}:${parsed.port}/healthz`;
}

export const healthcheckCommand: Command = {
  summary: "Exit 0 when the running appliance reports healthy, else 1 (for Docker and systemd)",
  usage: "haulbox healthcheck [--config FILE] [--listen HOST:PORT] [--timeout SECONDS]\n\nAsks GET /healthz on the configured listen address (or --listen).",
  async run(args) {
    const { values } = parseCommonArgs(args, { timeout: { type: "string" } });
    const timeoutSeconds = values.timeout === undefined ? 5 : Number(values.timeout);
    if (!(timeoutSeconds > 0)) throw new CommandFailed("haulbox healthcheck: --timeout must be a number of seconds above 0", 2);
    // An explicit --listen needs no config file: a probe must work even while the file is being edited.
    const listen = values.listen ?? (await loadConfiguredConfig(values)).config.listen;
    const url = healthzUrl(listen);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(timeoutSeconds * 1000), redirect: "manual" });
      const report = (await response.json().catch(() => null)) as { ok?: unknown; version?: unknown; schema_version?: unknown } | null;
      if (response.status === 200 && report?.ok === true) {
        console.log(`healthy: ${url} (version ${report.version}, schema ${report.schema_version})`);
        return 0;
      }
      console.error(`unhealthy: ${url} answered ${response.status}${report ? ` ${JSON.stringify(report)}` : ""}`);
      return 1;
    } catch (error) {
      const reason = (error as Error).name === "TimeoutError" ? `no answer within ${timeoutSeconds} s` : (error as Error).message;
      console.error(`unhealthy: ${url}: ${reason}`);
      return 1;
    }
  },
};
