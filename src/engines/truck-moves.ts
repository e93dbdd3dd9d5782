/**
 * Rescores a truck when it has moved: the matching engine listens to committed telemetry and
 * rescores only the truck that moved, and only when the move can change a figure — at least
 * RESCORE_MILES from where it was last scored, or RESCORE_MS later (pickup windows close as time
 * passes even for a parked truck). A gateway reporting every second costs one comparison per
 * message, not a rescore.
 */
import type { TelemetryEvents } from "../ingest/events";
import type { Logger } from "../log";
import { haversineKm } from "../domain/geo";
import { kmToMiles } from "../domain/units";
import type { MatchingEngine } from "./matching";

/** A move shorter than this (miles) does not rescore the truck. */
export const RESCORE_MILES = 1;
/** A truck is rescored at least this often while it reports (ms). */
export const RESCORE_MS = 5 * 60_000;

/** Subscribes the engine to position changes; returns the unsubscribe function. */
export function watchTruckMoves(events: TelemetryEvents, engine: MatchingEngine, log: Logger, now: () => number = Date.now): () => void {
  const lastScored = new Map<number, { lat: number; lon: number; at: number }>();
  return events.subscribe((event) => {
    for (const state of event.vehicles) {
      if (state.lat === null || state.lon === null) continue;
      const last = lastScored.get(state.vehicle_id);
      const at = now();
      if (last && at - last.at < RESCORE_MS && kmToMiles(haversineKm(last.lat, last.lon, state.lat, state.lon)) < RESCORE_MILES) continue;
      lastScored.set(state.vehicle_id, { lat: state.lat, lon: state.lon, at });
      try {
        engine.truckChanged(state.vehicle_id);
      } catch (error) {
        log.error("rescoring a truck after it moved failed", { error: error as Error, vehicle_id: state.vehicle_id });
      }
    }
  });
}
