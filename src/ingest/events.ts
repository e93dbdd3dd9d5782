/**
 * Live telemetry events, published after each committed batch: the map and truck pages subscribe
 * (SSE) instead of polling the database. Listeners run synchronously after the commit and must be
 * quick; a listener that throws is logged and removed from nothing else.
 */

/** The latest state of one vehicle as stored in `vehicle_state` (SI units). */
export interface VehicleState {
  vehicle_id: number;
  last_seen: number;
  position_ts: number | null;
  lat: number | null;
  lon: number | null;
  speed_kmh: number | null;
  heading: number | null;
  odometer_km: number | null;
  engine_hours: number | null;
  fuel_level_pct: number | null;
  fuel_used_l: number | null;
  fuel_rate_lph: number | null;
  engine_rpm: number | null;
  coolant_c: number | null;
  battery_v: number | null;
  ignition: number | null;
  active_faults: number;
}

/** What happened in one committed batch. */
export interface TelemetryEvent {
  /** Vehicles whose state changed, with their new state. */
  vehicles: VehicleState[];
  /** Vehicles whose set of active faults changed (a code appeared or cleared). */
  faultsChanged: number[];
  /** Dead letters written in this batch. */
  deadLetters: number;
}

type Listener = (event: TelemetryEvent) => void;

/** A tiny synchronous event hub for committed telemetry. */
export class TelemetryEvents {
  private readonly listeners = new Set<Listener>();

  /** Subscribes; returns the unsubscribe function (call it when the SSE stream closes). */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** How many subscribers there are (for /metrics and tests). */
  get size(): number {
    return this.listeners.size;
  }

  publish(event: TelemetryEvent, onError: (error: unknown) => void = () => {}): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        onError(error);
      }
    }
  }
}
