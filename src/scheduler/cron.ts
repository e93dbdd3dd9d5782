/**
 * Cron timing on top of croner: croner parses the expression and computes fire times in the
 * configured timezone (DST included); the timers themselves go through a Clock so tests can
 * drive them. Used by the scheduler's jobs and by the plugin host's polling sources alike.
 */
import { Cron } from "croner";
import type { Clock, TimerHandle } from "./clock";

/** A parsed cron expression in a timezone; answers "when next?" and "when last?". */
export class CronPattern {
  private readonly cron: Cron;

  /** Throws with croner's message when the expression is invalid. */
  constructor(readonly expression: string, readonly timezone: string = "UTC") {
    this.cron = new Cron(expression, { paused: true, timezone });
  }

  /** The first fire time strictly after `afterMs` (epoch ms), or null when the pattern never fires again. */
  next(afterMs: number): number | null {
    return this.cron.nextRun(new Date(afterMs))?.getTime() ?? null;
  }

  /** The latest fire time at or before `atMs`, or null when there was none. */
  previous(atMs: number): number | null {
    const [last] = this.cron.previousRuns(1, new Date(atMs + 1));
    return last ? last.getTime() : null;
  }
}

/**
 * Calls `fire(scheduledAt)` at every tick of a cron pattern until stopped. Ticks missed while the
 * process was busy or asleep are not replayed: the next tick is computed from now.
 */
export class CronTrigger {
  private timer: TimerHandle | null = null;
  private nextAt: number | null = null;
  private running = false;

  constructor(
    readonly pattern: CronPattern,
    private readonly clock: Clock,
    private readonly fire: (scheduledAt: number) => void,
  ) {}

  /** Arms the trigger for the next tick after now. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.arm(this.clock.now());
  }

  /** Disarms the trigger; a tick already firing is not affected. */
  stop(): void {
    this.running = false;
    this.clock.clearTimer(this.timer);
    this.timer = null;
    this.nextAt = null;
  }

  /** When the next tick fires (epoch ms), or null when stopped or exhausted. */
  nextRunAt(): number | null {
    return this.nextAt;
  }

  private arm(afterMs: number): void {
    // Never schedule from before now (a late wake-up skips missed ticks) nor before the tick that
    // just fired (an early wake-up must not fire the same tick twice).
    const next = this.pattern.next(Math.max(afterMs, this.clock.now()));
    this.nextAt = next;
    if (next === null) return;
    this.timer = this.clock.setTimer(() => {
      this.timer = null;
      if (!this.running) return;
      this.arm(next);
      this.fire(next);
    }, next - this.clock.now());
  }
}
