/**
 * The appliance's side of the model's process (src/assistant/llama-worker.ts): starts it, asks it
 * to load the model, sends it prompts and hands on the text it streams back. Whatever the process
 * does — crash, hang, exit — ends here as a rejected promise with the reason, never as a stuck
 * request: an answer that is given up on is cancelled, and if the process does not let go within
 * a moment it is killed.
 */
import type { Subprocess } from "bun";
import type { LoadRequest, WorkerReply } from "./llama-protocol";
import type { WorkerCommand } from "./llama-library";

/** After a cancelled answer, how long the process has to stop writing before it is killed. */
const ABORT_GRACE_MS = 2_000;
/** How long a stopped process has to exit before SIGKILL. */
const STOP_GRACE_MS = 2_000;
/** Characters of the process's stderr kept for error messages. */
const STDERR_TAIL = 2_000;

/** The model is loaded: how long it took, the GPU in use (or false), the CPU threads it writes with. */
export type Loaded = { ms: number; gpu: string | false; threads: number };

type Pending = { resolve: (text: string) => void; reject: (error: Error) => void; onText?: (text: string) => void };

export class LlamaProcess {
  /** Resolves when the model is loaded. */
  readonly loaded: Promise<Loaded>;
  /** Resolves when the process has exited, with why (for the status page). */
  readonly exited: Promise<string>;
  /** Set once the process has ended: why. */
  endedBecause: string | null = null;
  /** True when the appliance killed it (a hang, a stop), not the process failing on its own. */
  killedOnPurpose = false;

  private readonly child: Subprocess<"ignore", "ignore", "pipe">;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private stderrTail = "";
  private settleLoad!: { resolve: (value: Loaded) => void; reject: (error: Error) => void };

  constructor(command: WorkerCommand, load: Omit<LoadRequest, "type">) {
    this.loaded = new Promise((resolve, reject) => {
      this.settleLoad = { resolve, reject };
    });
    // Nobody may be waiting yet; the rejection is still read by whoever awaits `loaded`.
    this.loaded.catch(() => undefined);
    this.child = Bun.spawn(command.cmd, {
      env: { ...process.env, ...command.env },
      stdin: "ignore",
      stdout: "ignore",
      stderr: "pipe",
      serialization: "json",
      ipc: (reply: WorkerReply) => this.onReply(reply),
    });
    void this.readStderr();
    this.exited = this.child.exited.then((code) => this.onExit(code));
    this.send({ type: "load", ...load });
  }

  get pid(): number {
    return this.child.pid;
  }

  /** The model's answer to a prompt; `onText` gets each piece as it is written. */
  generate(request: { system: string; user: string; maxTokens: number }, signal: AbortSignal, onText?: (text: string) => void): Promise<string> {
    if (this.endedBecause) return Promise.reject(new Error(this.endedBecause));
    const id = this.nextId++;
    let killTimer: ReturnType<typeof setTimeout> | undefined;
    const onAbort = () => {
      this.send({ type: "abort", id });
      killTimer = setTimeout(() => void this.stop(), ABORT_GRACE_MS);
    };
    const answer = new Promise<string>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onText });
    });
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
    this.send({ type: "generate", id, ...request });
    return answer.finally(() => {
      signal.removeEventListener("abort", onAbort);
      clearTimeout(killTimer);
    });
  }

  /** Stops the process: SIGTERM, then SIGKILL if it has not exited within a moment. */
  async stop(): Promise<void> {
    if (this.endedBecause) return;
    this.killedOnPurpose = true;
    this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), STOP_GRACE_MS);
    await this.exited;
    clearTimeout(timer);
  }

  private send(message: object): void {
    if (this.endedBecause) return;
    try {
      this.child.send(message);
    } catch {
      // The channel is closing: the exit handler rejects what is waiting.
    }
  }

  private onReply(reply: WorkerReply): void {
    switch (reply.type) {
      case "loaded":
        this.settleLoad.resolve({ ms: reply.ms, gpu: reply.gpu, threads: reply.threads });
        break;
      case "load_failed":
        this.settleLoad.reject(new Error(reply.message));
        break;
      case "text":
        this.pending.get(reply.id)?.onText?.(reply.text);
        break;
      case "done":
        this.pending.get(reply.id)?.resolve(reply.text);
        this.pending.delete(reply.id);
        break;
      case "failed":
        this.pending.get(reply.id)?.reject(reply.aborted ? new DOMException(reply.message, "AbortError") : new Error(reply.message));
        this.pending.delete(reply.id);
        break;
    }
  }

  private onExit(code: number): string {
    const how = this.child.signalCode ? `was stopped by ${this.child.signalCode}` : `exited with code ${code}`;
    const lastLine = this.stderrTail.trim().split("\n").filter(Boolean).at(-1);
    const because = `the model's process ${how}${lastLine && !this.killedOnPurpose ? ` (${lastLine.slice(0, 200)})` : ""}`;
    this.endedBecause = because;
    this.settleLoad.reject(new Error(because));
    for (const waiting of this.pending.values()) waiting.reject(new Error(because));
    this.pending.clear();
    return because;
  }

  private async readStderr(): Promise<void> {
    const decoder = new TextDecoder();
    const reader = this.child.stderr.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      this.stderrTail = (this.stderrTail + decoder.decode(value, { stream: true })).slice(-STDERR_TAIL);
    }
  }
}
