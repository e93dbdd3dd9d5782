/**
 * Runs one call of untrusted or long-running code with a deadline: the callee gets an AbortSignal,
 * and when the deadline passes we stop waiting (the promise may keep running, but its result is
 * ignored). Shared by scheduler jobs and plugin calls, so both get the same protection.
 */
import type { Clock } from "./clock";

/** How a guarded call ended. `settled` resolves when the callee really finished, even after a timeout. */
export type CallOutcome<T> =
  | { status: "ok"; value: T; durationMs: number; settled: Promise<void> }
  | { status: "failed"; error: Error; durationMs: number; settled: Promise<void> }
  | { status: "timed_out"; error: CallTimeoutError; durationMs: number; settled: Promise<void> }
  | { status: "cancelled"; error: Error; durationMs: number; settled: Promise<void> };

/** The reason given to a call's AbortSignal (and recorded) when it ran past its deadline. */
export class CallTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`timed out after ${formatDuration(timeoutMs)}`);
    this.name = "TimeoutError";
  }
}

/** "250 ms", "2 s", "1.5 min": a duration as people read it in a status line. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${Number((ms / 1000).toFixed(1))} s`;
  if (ms < 7_200_000) return `${Number((ms / 60_000).toFixed(1))} min`;
  return `${Number((ms / 3_600_000).toFixed(1))} h`;
}

/** Turns anything thrown into an Error with a readable one-line message. */
export function toError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  if (typeof thrown === "string") return new Error(thrown || "an empty error");
  if (thrown === undefined || thrown === null) return new Error(`threw ${String(thrown)}`);
  try {
    return new Error(`threw ${JSON.stringify(thrown).slice(0, 300)}`);
  } catch {
    return new Error(`threw ${Object.prototype.toString.call(thrown)}`);
  }
}

/**
 * Calls `fn(signal)` and waits at most `timeoutMs`. Synchronous throws and rejections become
 * `failed`; the deadline becomes `timed_out` (the signal is aborted so a well-behaved callee
 * stops); an abort of `parent` (shutdown) becomes `cancelled`. Never throws.
 */
export function guardedCall<T>(fn: (signal: AbortSignal) => T | Promise<T>, options: { timeoutMs: number; clock: Clock; parent?: AbortSignal }): Promise<CallOutcome<T>> {
  const { clock, timeoutMs, parent } = options;
  const startedAt = clock.now();
  const controller = new AbortController();
  const elapsed = () => clock.now() - startedAt;
  if (parent?.aborted) return Promise.resolve({ status: "cancelled", error: toError(parent.reason ?? new Error("stopped")), durationMs: 0, settled: Promise.resolve() });

  let running: Promise<T>;
  try {
    running = Promise.resolve(fn(controller.signal));
  } catch (error) {
    running = Promise.reject(error);
  }
  // A call abandoned at its deadline may still reject later; that must not become an unhandled rejection.
  const settled = running.then(
    () => undefined,
    () => undefined,
  );

  return new Promise<CallOutcome<T>>((resolve) => {
    let done = false;
    const finish = (outcome: CallOutcome<T>) => {
      if (done) return;
      done = true;
      clock.clearTimer(timer);
      parent?.removeEventListener("abort", onParentAbort);
      resolve(outcome);
    };
    const onParentAbort = () => {
      const error = toError(parent?.reason ?? new Error("stopped"));
      controller.abort(error);
      finish({ status: "cancelled", error, durationMs: elapsed(), settled });
    };
    const timer = clock.setTimer(() => {
      const error = new CallTimeoutError(timeoutMs);
      controller.abort(error);
      finish({ status: "timed_out", error, durationMs: elapsed(), settled });
    }, timeoutMs);
    if (parent?.aborted) return onParentAbort();
    parent?.addEventListener("abort", onParentAbort, { once: true });
    running.then(
      (value) => finish({ status: "ok", value, durationMs: elapsed(), settled }),
      (error) => finish({ status: "failed", error: toError(error), durationMs: elapsed(), settled }),
    );
  });
}
