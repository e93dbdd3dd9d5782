/**
 * The costs the matching engine uses: the YAML `costs:` block, unless an owner saved costs from the
 * UI or `PUT /api/v1/settings/costs` — then those, kept in the `settings` table, until they are
 * cleared again. The EIA API key always comes from the YAML (`api_key_file`): a secret is not
 * kept in the database or sent back by the API.
 */
import type { Database } from "bun:sqlite";
import { Value } from "@sinclair/typebox/value";
import { ConfigSchema, type Config } from "../config/schema";
import { describeValueError, displayPath, pointerSegments } from "../config/errors";

export type Costs = Config["costs"];
/** The costs block's schema (with its defaults), from the config schema. */
export const CostsSchema = ConfigSchema.properties.costs;

const KEY = "costs";

/** A refused costs block, naming the first bad field. */
export class CostsError extends Error {}

export class CostSettings {
  private cached: { costs: Costs | null } | null = null;

  constructor(
    private readonly db: Database,
    private readonly config: () => Config,
  ) {}

  /** The costs in force, and whether they come from the UI/API or the YAML. */
  current(): { costs: Costs; source: "settings" | "config" } {
    const saved = this.saved();
    const yaml = this.config().costs;
    if (!saved) return { costs: yaml, source: "config" };
    return { costs: { ...saved, diesel: { ...saved.diesel, api_key: yaml.diesel.api_key } }, source: "settings" };
  }

  /** Checks a whole costs block (defaults filled in) and saves it; returns what was saved. */
  save(input: unknown): Costs {
    if (!input || typeof input !== "object" || Array.isArray(input)) throw new CostsError("the costs must be an object like the YAML costs: block");
    if ((input as { diesel?: { api_key?: unknown } }).diesel?.api_key !== undefined) throw new CostsError("diesel.api_key: the EIA key is set in the YAML (api_key_file), not here");
    const value = Value.Default(CostsSchema, structuredClone(input)) as Costs;
    const error = Value.Errors(CostsSchema, value).First();
    if (error) throw new CostsError(`${displayPath(pointerSegments(error.path)) || "costs"}: ${describeValueError(error)}`);
    const { api_key: _secret, ...diesel } = value.diesel;
    const stored = { ...value, diesel };
    this.db.query("INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = ?2").run(KEY, JSON.stringify(stored));
    this.cached = null;
    return this.current().costs;
  }

  /** Goes back to the YAML's costs. */
  clear(): void {
    this.db.query("DELETE FROM settings WHERE key = ?").run(KEY);
    this.cached = null;
  }

  private saved(): Costs | null {
    if (!this.cached) {
      const row = this.db.query("SELECT value FROM settings WHERE key = ?").get(KEY) as { value: string } | null;
      this.cached = { costs: row ? (JSON.parse(row.value) as Costs) : null };
    }
    return this.cached.costs;
  }
}
