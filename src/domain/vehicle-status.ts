/**
 * A truck's status chip from its latest state: moving, idle (engine running, not moving), off
 * (ignition off) or offline (nothing heard for a while). Pure, so the dashboard, the API and the
 * alerts agree on what "idle" means.
 */

export type VehicleStatus = "moving" | "idle" | "off" | "offline";

/** Below this ground speed a truck is standing (GPS jitter at a standstill reads 1–3 km/h). */
export const MOVING_KMH = 5;

/** The fields of the latest state the status depends on. */
export interface StatusInput {
  /** When anything was last heard (epoch ms), or null if never. */
  last_seen: number | null;
  speed_kmh: number | null;
  /** 1 on, 0 off, null unknown (phone trackers do not know). */
  ignition: number | null;
  engine_rpm: number | null;
}

/** The status at `now`; `offlineAfterMs` is how long silence means offline. */
export function vehicleStatus(state: StatusInput | null, now: number, offlineAfterMs: number): VehicleStatus {
  if (!state || state.last_seen === null || now - state.last_seen > offlineAfterMs) return "offline";
  if ((state.speed_kmh ?? 0) >= MOVING_KMH) return "moving";
  if (state.ignition === 0) return "off";
  if (state.ignition === 1 || (state.engine_rpm ?? 0) > 0) return "idle";
  // A tracker without engine data that is standing still: call it off rather than guess an idling engine.
  return "off";
}
