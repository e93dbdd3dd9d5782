/**
 * Road miles from a route server (`matching.route_provider`: OSRM or Valhalla) for the loaded leg
 * of loads posted without miles. Asked once per load in the background after a poll is stored
 * (one request at a time, so a small server is not flooded), kept in `loads.route_miles`, and the
 * load rescored. Deadhead stays the straight-line estimate × circuity: the truck moves all the time
 * and routing every truck to every load would flood any server. A server that fails is reported
 * once per run in the log and the estimate is used, never a guess.
 */
import type { Database } from "bun:sqlite";
import type { Config } from "../config/schema";
import type { Logger } from "../log";
import { createRouteProvider, RouteError, type RouteProvider } from "../geo/route-provider";
import { kmToMiles } from "../domain/units";

export class LoadRouter {
  private queue: number[] = [];
  private running: Promise<void> | null = null;
  private provider: { key: string; router: RouteProvider } | null = null;

  constructor(
    private readonly db: Database,
    private readonly config: () => Config,
    private readonly log: Logger,
    private readonly onRouted: (ids: number[]) => void,
  ) {}

  /** The route server of the config in force, or null. */
  private router(): RouteProvider | null {
    const settings = this.config().matching.route_provider;
    if (settings.kind === "none" || !settings.url) return null;
    const key = `${settings.kind}|${settings.url}|${settings.timeout_seconds}`;
    if (this.provider?.key !== key) this.provider = { key, router: createRouteProvider({ kind: settings.kind, url: settings.url, timeoutMs: settings.timeout_seconds * 1000 }) };
    return this.provider.router;
  }

  /** Queues loads for routing (those without posted or routed miles); resolves when the queue is done. */
  fill(ids: readonly number[]): Promise<void> {
    if (!this.router() || !ids.length) return Promise.resolve();
    this.queue.push(...ids);
    this.running ??= this.drain().finally(() => (this.running = null));
    return this.running;
  }

  private async drain(): Promise<void> {
    const find = this.db.query("SELECT id, origin_lat, origin_lon, dest_lat, dest_lon FROM loads WHERE id = ? AND loaded_miles IS NULL AND route_miles IS NULL AND status = 'open'");
    const store = this.db.query("UPDATE loads SET route_miles = ? WHERE id = ?");
    const routed: number[] = [];
    let reported = false;
    while (this.queue.length) {
      const id = this.queue.shift()!;
      const router = this.router();
      if (!router) break;
      const load = find.get(id) as { id: number; origin_lat: number; origin_lon: number; dest_lat: number; dest_lon: number } | null;
      if (!load) continue;
      try {
        const km = await router.roadKm({ lat: load.origin_lat, lon: load.origin_lon }, { lat: load.dest_lat, lon: load.dest_lon });
        store.run(Math.round(kmToMiles(km) * 10) / 10, id);
        routed.push(id);
      } catch (error) {
        // One line per run, not per load: a server that is down would otherwise fill the log.
        if (!reported) this.log.warn("the route server could not route a load; its miles stay the estimate", { error: error instanceof RouteError ? error.message : (error as Error).message });
        reported = true;
      }
    }
    if (routed.length) this.onRouted(routed);
  }
}
