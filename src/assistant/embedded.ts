/**
 * The embedded provider: node-llama-cpp runs a GGUF model from `models/` inside the appliance, and
 * the plan schema becomes a grammar the model cannot step outside. The library is imported only
 * when this provider is configured (it is a native sidecar, not part of the compiled binary), the
 * model is loaded on first use within a time limit, and one plan is generated at a time.
 */
import { basename } from "node:path";
import type { ChatMessage } from "./prompt";
import { PLAN_WORDS_SCHEMA } from "./plan-schema";
import type { ProviderStatus, WordsProvider } from "./providers";

export interface EmbeddedOptions {
  /** Absolute path of the GGUF file. */
  modelPath: string;
  contextSize: number;
  /** CPU threads; 0 lets llama.cpp decide (on small shared machines 1–2 can be much faster). */
  threads: number;
  /** Layers on the GPU: "auto", or 0 for CPU only. */
  gpuLayers: "auto" | number;
  loadTimeoutMs: number;
  /** Tokens the answer may take at most. */
  maxTokens?: number;
  /** The module to load it with (tests and the packaged sidecar pass it; default: import("node-llama-cpp")). */
  importLibrary?: () => Promise<typeof import("node-llama-cpp")>;
}

type Loaded = {
  llama: import("node-llama-cpp").Llama;
  model: import("node-llama-cpp").LlamaModel;
  context: import("node-llama-cpp").LlamaContext;
  grammar: import("node-llama-cpp").LlamaJsonSchemaGrammar<never>;
  library: typeof import("node-llama-cpp");
};

export class EmbeddedProvider implements WordsProvider {
  readonly name = "embedded" as const;
  private state: { kind: "idle" | "loading" | "ready" } | { kind: "failed"; message: string } = { kind: "idle" };
  private loaded: Promise<Loaded> | null = null;
  /** The one sequence is used by one plan at a time. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: EmbeddedOptions) {}

  get model(): string {
    return basename(this.options.modelPath);
  }

  status(): ProviderStatus {
    const base = { name: "embedded" as const, model: this.model };
    switch (this.state.kind) {
      case "failed":
        return { ...base, state: `failed: ${this.state.message}`, ready: false };
      case "loading":
        return { ...base, state: "loading the model", ready: true };
      case "ready":
        return { ...base, state: "ready", ready: true };
      default:
        return { ...base, state: "not loaded yet (loads on first use)", ready: true };
    }
  }

  async generate(messages: ChatMessage[], { signal, onText }: { signal: AbortSignal; onText?: (text: string) => void }): Promise<string> {
    const run = this.queue.then(async () => {
      signal.throwIfAborted();
      const { context, grammar, library } = await this.load();
      const sequence = context.getSequence();
      try {
        const session = new library.LlamaChatSession({ contextSequence: sequence, systemPrompt: messages.find((message) => message.role === "system")?.content ?? "" });
        const user = messages.filter((message) => message.role === "user").map((message) => message.content).join("\n\n");
        return await session.prompt(user, { grammar, signal, maxTokens: this.options.maxTokens ?? 4_000, temperature: 0.2, onTextChunk: onText });
      } finally {
        sequence.dispose();
      }
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Frees the model and its context, waiting at most 2 s (node-llama-cpp 3.22.1 can hang disposing after a failed load). */
  async close(): Promise<void> {
    const loading = this.loaded;
    this.loaded = null;
    this.state = { kind: "idle" };
    if (!loading) return;
    const dispose = loading.then(async ({ context, model, llama }) => {
      await context.dispose();
      await model.dispose();
      await llama.dispose();
    });
    await Promise.race([dispose.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 2_000))]);
  }

  /** Loads the library, the model and a context once; a failure is kept (the page says why) until the config changes. */
  private load(): Promise<Loaded> {
    if (this.state.kind === "failed") return Promise.reject(new Error(this.state.message));
    this.loaded ??= (async () => {
      this.state = { kind: "loading" };
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`the model did not load within ${Math.round(this.options.loadTimeoutMs / 1000)} s`)), this.options.loadTimeoutMs);
      });
      try {
        const work = (async () => {
          const library = await (this.options.importLibrary ?? (() => import("node-llama-cpp")))();
          const llama = await library.getLlama({ gpu: this.options.gpuLayers === 0 ? false : "auto", build: "never", logLevel: library.LlamaLogLevel.error });
          const model = await llama.loadModel({ modelPath: this.options.modelPath, gpuLayers: this.options.gpuLayers });
          const context = await model.createContext({ contextSize: this.options.contextSize, ...(this.options.threads > 0 ? { threads: this.options.threads } : {}) });
          const grammar = await llama.createGrammarForJsonSchema(PLAN_WORDS_SCHEMA as never);
          return { llama, model, context, grammar, library } as Loaded;
        })();
        const loaded = await Promise.race([work, timeout]);
        this.state = { kind: "ready" };
        return loaded;
      } catch (error) {
        const message = (error as Error).message.replace(/\s+/g, " ").slice(0, 200);
        this.state = { kind: "failed", message };
        throw new Error(message);
      } finally {
        clearTimeout(timer);
      }
    })();
    return this.loaded;
  }
}
