/**
 * The embedded provider: node-llama-cpp runs a GGUF model from `models/` on this machine, and the
 * plan schema becomes a grammar the model cannot step outside. The model runs in a process of its
 * own (src/assistant/llama-process.ts), started on first use and kept while the settings stay:
 * a crash, a hang or a load past the time limit costs that process, never the appliance. One plan
 * is written at a time.
 */
import { existsSync } from "node:fs";
import { basename } from "node:path";
import type { ChatMessage } from "./prompt";
import { llamaWorkerCommand, type WorkerCommand } from "./llama-library";
import { LlamaProcess, type Loaded } from "./llama-process";
import { PLAN_WORDS_SCHEMA } from "./plan-schema";
import type { ProviderStatus, WordsProvider } from "./providers";

/** After a failure, the next plan that tries the model again waits this long (the template words them meanwhile). */
export const RETRY_AFTER_MS = 60_000;

export interface EmbeddedOptions {
  /** Absolute path of the GGUF file. */
  modelPath: string;
  contextSize: number;
  /** CPU threads; 0: one per core this process may use (on small shared machines fewer can be faster). */
  threads: number;
  /** Layers on the GPU: "auto", or 0 for CPU only. */
  gpuLayers: "auto" | number;
  loadTimeoutMs: number;
  /** Tokens the answer may take at most. */
  maxTokens?: number;
  /** How to start the model's process (tests start stand-ins; default: llamaWorkerCommand()). */
  workerCommand?: () => WorkerCommand;
}

type State = { kind: "idle" | "loading" } | ({ kind: "ready" } & Loaded) | { kind: "failed"; message: string; at: number };

export class EmbeddedProvider implements WordsProvider {
  readonly name = "embedded" as const;
  private state: State = { kind: "idle" };
  /** The model's process from the moment it starts (a close while it loads stops it at once), and the promise of it loaded. */
  private current: { process: LlamaProcess; ready: Promise<LlamaProcess> } | null = null;
  /** The one sequence is used by one plan at a time. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: EmbeddedOptions) {}

  get model(): string {
    return basename(this.options.modelPath);
  }

  status(): ProviderStatus {
    const base = { name: "embedded" as const, model: this.model };
    switch (this.state.kind) {
      case "failed": {
        const retry = Date.now() - this.state.at >= RETRY_AFTER_MS;
        return { ...base, state: `failed: ${this.state.message}${retry ? " (tries again on the next plan)" : ""}`, ready: retry };
      }
      case "loading":
        return { ...base, state: "loading the model", ready: true };
      case "ready":
        return { ...base, state: `ready (${this.state.gpu ? `GPU: ${this.state.gpu}, ` : ""}${this.state.threads} CPU thread${this.state.threads === 1 ? "" : "s"})`, ready: true };
      default:
        return { ...base, state: "not loaded yet (loads on first use)", ready: true };
    }
  }

  async generate(messages: ChatMessage[], { signal, onText }: { signal: AbortSignal; onText?: (text: string) => void }): Promise<string> {
    const run = this.queue.then(async () => {
      signal.throwIfAborted();
      const model = await this.start();
      const system = messages.find((message) => message.role === "system")?.content ?? "";
      const user = messages.filter((message) => message.role === "user").map((message) => message.content).join("\n\n");
      return model.generate({ system, user, maxTokens: this.options.maxTokens ?? 4_000 }, signal, onText);
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Stops the model's process (its memory is the operating system's again at once). */
  async close(): Promise<void> {
    const current = this.current;
    this.current = null;
    this.state = { kind: "idle" };
    await current?.process.stop();
  }

  /** The model's process, started and loaded once, within the load timeout; started anew after it ends. */
  private start(): Promise<LlamaProcess> {
    if (this.state.kind === "failed" && Date.now() - this.state.at < RETRY_AFTER_MS) return Promise.reject(new Error(this.state.message));
    if (this.current) return this.current.ready;
    const { modelPath, contextSize, threads, gpuLayers } = this.options;
    let process: LlamaProcess;
    try {
      if (!existsSync(modelPath)) throw new Error(`no model file at ${modelPath}`);
      process = new LlamaProcess((this.options.workerCommand ?? llamaWorkerCommand)(), { modelPath, contextSize, threads, gpuLayers, schema: PLAN_WORDS_SCHEMA });
    } catch (error) {
      return Promise.reject(this.fail(error));
    }
    const current = { process, ready: this.load(process) };
    this.current = current;
    void process.exited.then((because) => this.onExit(current, because));
    return current.ready;
  }

  private async load(process: LlamaProcess): Promise<LlamaProcess> {
    this.state = { kind: "loading" };
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the model did not load within ${Math.round(this.options.loadTimeoutMs / 1000)} s`)), this.options.loadTimeoutMs);
    });
    try {
      this.state = { kind: "ready", ...(await Promise.race([process.loaded, timeout])) };
      return process;
    } catch (error) {
      void process.stop();
      throw this.fail(error);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Keeps a failure for the status page (and RETRY_AFTER_MS); returns the error to throw. */
  private fail(error: unknown): Error {
    const message = (error as Error).message.replace(/\s+/g, " ").slice(0, 200);
    this.state = { kind: "failed", message, at: Date.now() };
    return new Error(message);
  }

  /**
   * The model's process ended. After a failed load the failure stands; killed by us (a hung answer)
   * it starts again on next use; crashed, it waits out RETRY_AFTER_MS.
   */
  private onExit(current: NonNullable<EmbeddedProvider["current"]>, because: string): void {
    if (this.current !== current) return;
    this.current = null;
    if (this.state.kind === "failed") return;
    this.state = current.process.killedOnPurpose ? { kind: "idle" } : { kind: "failed", message: because, at: Date.now() };
  }
}
