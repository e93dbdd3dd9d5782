/**
 * `GET /live/vehicles`: server-sent events for the fleet map. One `vehicles` event per committed
 * ingest batch, carrying the changed trucks' positions and status (a driver's stream carries only
 * their own truck), and a comment every 15 s so proxies and the browser keep the connection open.
 * Closing the page unsubscribes from the event hub.
 */
import { Elysia } from "elysia";
import type { AppDeps } from "../deps";
import { authGuard } from "../auth/guard";
import type { VehicleState } from "../ingest/events";
import { vehicleStatus } from "../domain/vehicle-status";
import { kmhToMph } from "../domain/units";
import { inScope, queriesFor, scopeFor } from "../telemetry/queries";

/** How often an idle stream sends a heartbeat comment. */
export const HEARTBEAT_MS = 15_000;

/** The live routes. */
export function liveRoutes(deps: AppDeps) {
  const queries = queriesFor(deps);
  const encoder = new TextEncoder();

  return new Elysia({ name: "live", seed: deps })
    .use(authGuard(deps))
    .get(
      "/live/vehicles",
      ({ principal, request, server }) => {
        const scope = scopeFor(principal!);
        // Bun closes connections idle for 10 s by default; this one is meant to stay open.
        (server as { timeout?: (request: Request, seconds: number) => void } | null)?.timeout?.(request, 0);
        /** Unit, name and demo flag per vehicle id, looked up once per stream (events carry only the state). */
        const names = new Map<number, { unit: string; name: string; demo: boolean }>();
        const describe = (id: number) => {
          if (!names.has(id)) {
            const vehicle = deps.fleet.vehicle(id);
            if (vehicle) names.set(id, { unit: vehicle.unit, name: vehicle.name, demo: vehicle.demo });
          }
          return names.get(id);
        };
        const toJson = (state: VehicleState) => {
          const about = describe(state.vehicle_id);
          if (!about) return null;
          return {
            id: state.vehicle_id,
            ...about,
            lat: state.lat,
            lon: state.lon,
            heading: state.heading,
            speed_mph: state.speed_kmh === null ? null : Math.round(kmhToMph(state.speed_kmh)),
            status: vehicleStatus(state, Date.now(), queries.offlineAfterMs()),
            last_seen: state.last_seen,
            active_faults: state.active_faults,
          };
        };

        let stop = () => {};
        const stream = new ReadableStream<Uint8Array>({
          start(controller) {
            const send = (text: string) => {
              try {
                controller.enqueue(encoder.encode(text));
              } catch {
                stop();
              }
            };
            const unsubscribe = deps.telemetryEvents.subscribe((event) => {
              const vehicles = event.vehicles.filter((state) => inScope(scope, state.vehicle_id)).map(toJson).filter((vehicle) => vehicle !== null);
              if (vehicles.length) send(`event: vehicles\ndata: ${JSON.stringify({ vehicles })}\n\n`);
            });
            const heartbeat = setInterval(() => send(": heartbeat\n\n"), HEARTBEAT_MS);
            // A stream nobody reads any more must not keep a test runner or a stopping server alive.
            (heartbeat as unknown as { unref?: () => void }).unref?.();
            stop = () => {
              unsubscribe();
              clearInterval(heartbeat);
              stop = () => {};
            };
            request.signal?.addEventListener("abort", () => {
              stop();
              try {
                controller.close();
              } catch {}
            });
            send("retry: 5000\n: connected\n\n");
          },
          cancel() {
            stop();
          },
        });
        return new Response(stream, { headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store", "x-accel-buffering": "no" } });
      },
      { requires: "read", detail: { hide: true } },
    );
}
