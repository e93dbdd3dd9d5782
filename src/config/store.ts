/** Holds the running config; `reload()` swaps it only when the new file is valid (SIGHUP). */
import type { Config } from "./schema";
import { formatConfigError } from "./errors";
import type { LoadOptions, LoadResult } from "./load";
import { loadConfig } from "./load";

/** The running config and how to reload it. */
export class ConfigStore {
  private config: Config;
  private listeners: ((next: Config, previous: Config) => void)[] = [];

  constructor(initial: Config, readonly file: string, private readonly loadOptions: LoadOptions, public secrets: string[] = []) {
    this.config = initial;
  }

  /** The config in force now. */
  current(): Config {
    return this.config;
  }

  /** Calls `listener` after each successful reload. */
  onChange(listener: (next: Config, previous: Config) => void): void {
    this.listeners.push(listener);
  }

  /**
   * Reads the file again. A valid file replaces the running config and notifies listeners;
   * an invalid one is rejected with its errors and the running config stays.
   */
  async reload(): Promise<{ ok: true } | { ok: false; errors: string[] }> {
    const result: LoadResult = await loadConfig(this.loadOptions);
    if (!result.ok) return { ok: false, errors: result.errors.map(formatConfigError) };
    const previous = this.config;
    this.config = result.config;
    this.secrets = result.secrets;
    for (const listener of this.listeners) listener(result.config, previous);
    return { ok: true };
  }
}
