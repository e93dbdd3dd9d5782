/**
 * The diesel price each trip is costed at, by PADD region, and where it came from: with
 * `costs.diesel.source: fixed` the config's figures; with `eia` the latest weekly EIA price the
 * fuel-prices job stored (falling back to the config's figure, said so, until a fetch succeeds).
 */
import type { Database } from "bun:sqlite";
import type { Costs } from "../loads/cost-settings";
import type { PaddId } from "../domain/padd";
import { fetchDieselPrices, type DieselRegion } from "./eia";

/** A price and its provenance, for the breakdown's "how". */
export interface DieselQuote {
  centsPerGallon: number;
  /** "EIA week of 2026-11-23 (Midwest)", "fixed in the config". */
  source: string;
}

interface StoredPrice {
  region: string;
  cents_per_gallon: number;
  period: string;
}

/** The diesel price book, reread from the database when the job stores new prices. */
export class DieselPrices {
  private stored: Map<string, StoredPrice> | null = null;

  constructor(
    private readonly db: Database,
    private readonly costs: () => Costs,
  ) {}

  /** The price for a region (null: unknown region, the national or default figure). */
  quote(region: PaddId | null): DieselQuote {
    const diesel = this.costs().diesel;
    const fixed = (region ? (diesel.by_region as Record<string, number | undefined>)[`padd_${region.toLowerCase()}`] : undefined) ?? diesel.cents_per_gallon;
    if (diesel.source !== "eia") return { centsPerGallon: fixed, source: "fixed in the config" };
    const prices = this.load();
    const eia = (region && prices.get(region)) || prices.get("US");
    if (!eia) return { centsPerGallon: fixed, source: "fixed in the config (no EIA price fetched yet)" };
    return { centsPerGallon: eia.cents_per_gallon, source: `EIA week of ${eia.period}${eia.region === "US" ? ", US average" : `, PADD ${eia.region}`}` };
  }

  /** Every stored EIA price, for the Settings page and tests. */
  list(): StoredPrice[] {
    return [...this.load().values()];
  }

  /**
   * Fetches the latest prices from EIA and stores them (the fuel-prices job). Returns what was
   * stored and the problems EIA's answer had; throws when the request fails as a whole.
   */
  async refresh(signal?: AbortSignal, now = Date.now()): Promise<{ stored: number; problems: string[] }> {
    const diesel = this.costs().diesel;
    if (!diesel.api_key) throw new Error("costs.diesel.api_key is empty: get a free key at eia.gov/opendata and set api_key_file");
    const answer = await fetchDieselPrices({ apiKey: diesel.api_key, baseUrl: diesel.eia_url, signal });
    const upsert = this.db.query("INSERT INTO diesel_prices (region, cents_per_gallon, period, fetched_at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (region) DO UPDATE SET cents_per_gallon = ?2, period = ?3, fetched_at = ?4");
    this.db.transaction(() => {
      for (const price of answer.prices) upsert.run(price.region satisfies DieselRegion, price.centsPerGallon, price.period, now);
    })();
    this.stored = null;
    return { stored: answer.prices.length, problems: answer.problems };
  }

  private load(): Map<string, StoredPrice> {
    this.stored ??= new Map((this.db.query("SELECT region, cents_per_gallon, period FROM diesel_prices").all() as StoredPrice[]).map((row) => [row.region, row]));
    return this.stored;
  }
}
