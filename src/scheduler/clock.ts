/**
 * Time for the scheduler and the plugin host: the real clock, or a manual one that tests advance
 * by hand so cron ticks, timeouts and backoff delays are exact and take no wall time.
 */

/** A timer started by a Clock; pass it back to `clearTimer`. */
export interface TimerHandle {
  readonly id: number;
}

/** Where "now" and timers come from. Every timer in the scheduler and host goes through one. */
export interface Clock {
  /** Current time, UTC epoch ms. */
  now(): number;
  /** Calls `callback` once after `delayMs` (negative or zero delays fire as soon as possible). */
  setTimer(callback: () => void, delayMs: number): TimerHandle;
  /** Cancels a timer; unknown or fired handles are ignored. */
  clearTimer(handle: TimerHandle | null | undefined): void;
}

/** setTimeout cannot wait longer than this (about 24.8 days); longer waits are chained. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** The real clock, backed by Date.now and setTimeout; long delays are split so yearly crons work. */
export function systemClock(): Clock {
  let nextId = 0;
  const live = new Map<number, ReturnType<typeof setTimeout>>();
  const arm = (id: number, callback: () => void, dueAt: number) => {
    const remaining = dueAt - Date.now();
    const timeout = setTimeout(
      () => {
        if (!live.has(id)) return;
        // Long waits are chained; an early wake-up (rare) simply waits the rest.
        if (Date.now() < dueAt) return arm(id, callback, dueAt);
        live.delete(id);
        callback();
      },
      Math.max(0, Math.min(remaining, MAX_TIMEOUT_MS)),
    );
    live.set(id, timeout);
  };
  return {
    now: () => Date.now(),
    setTimer(callback, delayMs) {
      const id = ++nextId;
      arm(id, callback, Date.now() + Math.max(0, delayMs));
      return { id };
    },
    clearTimer(handle) {
      if (!handle) return;
      const timeout = live.get(handle.id);
      if (timeout !== undefined) clearTimeout(timeout);
      live.delete(handle.id);
    },
  };
}

/** Lets pending promise callbacks (and the timers they start) run before a test looks. */
export async function settle(turns = 3): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/**
 * A clock that only moves when told to. `advance(ms)` fires due timers in time order, letting
 * promises settle after each, so code under test sees the same sequence as with real time.
 */
export class ManualClock implements Clock {
  private current: number;
  private nextId = 0;
  private timers = new Map<number, { dueAt: number; order: number; callback: () => void }>();

  constructor(start: number | Date = Date.UTC(2025, 0, 6, 12, 0, 0)) {
    this.current = typeof start === "number" ? start : start.getTime();
  }

  now(): number {
    return this.current;
  }

  setTimer(callback: () => void, delayMs: number): TimerHandle {
    const id = ++this.nextId;
    this.timers.set(id, { dueAt: this.current + Math.max(0, delayMs), order: id, callback });
    return { id };
  }

  clearTimer(handle: TimerHandle | null | undefined): void {
    if (handle) this.timers.delete(handle.id);
  }

  /** How many timers are waiting (a test can check that stop() cleared them). */
  pendingTimers(): number {
    return this.timers.size;
  }

  /** When the earliest waiting timer fires, or null. */
  nextTimerAt(): number | null {
    let earliest: number | null = null;
    for (const timer of this.timers.values()) if (earliest === null || timer.dueAt < earliest) earliest = timer.dueAt;
    return earliest;
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  async advance(ms: number): Promise<void> {
    await this.advanceTo(this.current + ms);
  }

  /** Moves time forward to `target` (epoch ms), firing due timers in order. */
  async advanceTo(target: number): Promise<void> {
    await settle();
    for (;;) {
      let due: [number, { dueAt: number; order: number; callback: () => void }] | undefined;
      for (const entry of this.timers) {
        if (entry[1].dueAt > target) continue;
        if (!due || entry[1].dueAt < due[1].dueAt || (entry[1].dueAt === due[1].dueAt && entry[1].order < due[1].order)) due = entry;
      }
      if (!due) break;
      this.timers.delete(due[0]);
      this.current = Math.max(this.current, due[1].dueAt);
      due[1].callback();
      await settle();
    }
    this.current = Math.max(this.current, target);
    await settle();
  }
}
