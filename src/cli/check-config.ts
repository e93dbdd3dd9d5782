/** `haulbox check-config`: validate the configuration and print every error, or `config OK` and a summary. */
import type { Command } from "./index";
import type { Config } from "../config/schema";
import { loadConfiguredConfig, parseCommonArgs } from "./args";

/** The summary printed under `config OK`: where it came from and what will run. */
export function configSummary(config: Config, file: string): string {
  const enabled = config.sources.filter((source) => source.enabled).length;
  const lines = [
    `  file:      ${file}`,
    `  listen:    ${config.listen}`,
    `  data dir:  ${config.data_dir}`,
    `  timezone:  ${config.timezone}`,
    `  log level: ${config.log.level}`,
    `  backups:   ${config.backups.dir}, keep ${config.backups.keep}, ${config.backups.enabled ? `schedule ${config.backups.schedule}` : "by hand only (backups.enabled: false)"}`,
    `  sources:   ${config.sources.length ? `${config.sources.length} (${enabled} enabled)` : "none"}`,
  ];
  const idWidth = Math.max(0, ...config.sources.map((source) => source.id.length));
  const pluginWidth = Math.max(0, ...config.sources.map((source) => source.plugin.length));
  for (const source of config.sources) {
    const state = source.enabled ? "enabled " : "disabled";
    lines.push(`    ${source.id.padEnd(idWidth)}  ${source.plugin.padEnd(pluginWidth)}  ${state}${source.schedule ? `  schedule ${source.schedule}` : ""}`.trimEnd());
  }
  return lines.join("\n");
}

export const checkConfigCommand: Command = {
  summary: "Check the configuration file and print every error, or a summary",
  usage: "haulbox check-config [--config FILE] [--listen HOST:PORT] [--data-dir DIR]\n\nExits 0 and prints `config OK` when the file is valid, otherwise prints each error as\nFILE:LINE:COLUMN key.path: message and exits 1.",
  async run(args) {
    const { values } = parseCommonArgs(args);
    const loaded = await loadConfiguredConfig(values);
    console.log(`config OK\n${configSummary(loaded.config, loaded.configFile)}`);
    return 0;
  },
};
