/**
 * The model's own process. The embedded provider starts it (src/assistant/llama-process.ts) so that
 * llama.cpp lives apart from the appliance: a model that crashes, hangs while loading or freeing,
 * or takes gigabytes is one process to kill, and the appliance goes on with the template.
 *
 * It is a program of its own: run from the sources as `bun src/assistant/llama-worker.ts`, and in
 * a release as `llama/worker.js` (built from this file by scripts/llama-sidecar.ts), where the
 * haulbox binary runs it as plain Bun (BUN_BE_BUN=1) so node-llama-cpp resolves from the
 * sidecar's node_modules. It imports nothing of the appliance but types.
 */
import { availableParallelism } from "node:os";
import type { LoadRequest, WorkerReply, WorkerRequest } from "./llama-protocol";

type Library = typeof import("node-llama-cpp");
type Loaded = {
  library: Library;
  context: import("node-llama-cpp").LlamaContext;
  grammar: import("node-llama-cpp").LlamaGrammar;
};

const send = (reply: WorkerReply) => process.send?.(reply);
const oneLine = (error: unknown) => String((error as Error)?.message ?? error).replace(/\s+/g, " ").slice(0, 300);

let loaded: Loaded | null = null;
/** Answers are written one at a time (one context sequence); requests wait their turn here. */
let turn: Promise<unknown> = Promise.resolve();
const aborts = new Map<number, AbortController>();

async function load(request: LoadRequest): Promise<void> {
  const started = performance.now();
  try {
    const library: Library = await import("node-llama-cpp");
    // llama.cpp's own log lines go to stderr, which the appliance keeps the tail of for its error messages.
    const llama = await library.getLlama({
      gpu: request.gpuLayers === 0 ? false : "auto",
      build: "never",
      logLevel: library.LlamaLogLevel.error,
      logger: (level, message) => process.stderr.write(`[llama ${level}] ${message}\n`),
    });
    const model = await llama.loadModel({ modelPath: request.modelPath, gpuLayers: request.gpuLayers });
    // Not node-llama-cpp's default for a CPU: it takes at least 4 threads, and on a 2-core VPS that
    // wrote 4 tokens/s where 2 threads wrote 79 and 1 wrote 495 (bench/README.md, tiny model).
    const threads = request.threads > 0 ? request.threads : availableParallelism();
    const context = await model.createContext({ contextSize: request.contextSize, threads });
    const grammar = await llama.createGrammarForJsonSchema(request.schema as never);
    loaded = { library, context, grammar };
    send({ type: "loaded", ms: Math.round(performance.now() - started), gpu: llama.gpu, threads });
  } catch (error) {
    send({ type: "load_failed", message: oneLine(error) });
  }
}

async function generate(id: number, system: string, user: string, maxTokens: number): Promise<void> {
  const controller = aborts.get(id);
  if (!loaded || !controller) {
    send({ type: "failed", id, message: "the model is not loaded", aborted: false });
    return;
  }
  const { library, context, grammar } = loaded;
  const sequence = context.getSequence();
  try {
    const session = new library.LlamaChatSession({ contextSequence: sequence, systemPrompt: system });
    const text = await session.prompt(user, {
      grammar,
      signal: controller.signal,
      maxTokens,
      temperature: 0.2,
      onTextChunk: (piece) => send({ type: "text", id, text: piece }),
    });
    send({ type: "done", id, text });
  } catch (error) {
    send({ type: "failed", id, message: oneLine(error), aborted: controller.signal.aborted });
  } finally {
    aborts.delete(id);
    sequence.dispose();
  }
}

process.on("message", (request: WorkerRequest) => {
  switch (request.type) {
    case "load":
      turn = turn.then(() => load(request));
      break;
    case "generate":
      aborts.set(request.id, new AbortController());
      turn = turn.then(() => generate(request.id, request.system, request.user, request.maxTokens));
      break;
    case "abort":
      aborts.get(request.id)?.abort();
      break;
  }
});

// The appliance is gone (stopped, or killed with -9): a model left running would hold its memory.
process.on("disconnect", () => process.exit(0));
