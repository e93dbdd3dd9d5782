/** Failed-login limiter: counts failures per key (an address or an account) in a sliding window. */

/** Tracks failures in memory; a restart forgives, which is acceptable for a single appliance. */
export class FailureLimiter {
  private readonly failures = new Map<string, number[]>();
  constructor(private readonly limit: () => number, private readonly windowMs: () => number, private readonly now: () => number = Date.now) {}

  /** Milliseconds until `key` may try again, or 0 when it may try now. */
  retryAfterMs(key: string): number {
    const times = this.prune(key);
    if (times.length < this.limit()) return 0;
    return Math.max(1, times[0]! + this.windowMs() - this.now());
  }

  /** Counts one failure for `key`. */
  fail(key: string): void {
    const times = this.prune(key);
    times.push(this.now());
    this.failures.set(key, times);
    if (this.failures.size > 10_000) this.sweep();
  }

  /** Forgets `key` (a successful login clears its account's count). */
  reset(key: string): void {
    this.failures.delete(key);
  }

  private prune(key: string): number[] {
    const cutoff = this.now() - this.windowMs();
    const times = (this.failures.get(key) ?? []).filter((t) => t > cutoff);
    if (times.length) this.failures.set(key, times);
    else this.failures.delete(key);
    return times;
  }

  private sweep() {
    for (const key of [...this.failures.keys()]) this.prune(key);
  }
}
