/**
 * `npm run bench:assistant`: what the negotiation assistant adds around the model, and how fast the
 * embedded model writes with 1 and 2 threads — with the tiny random-weight GGUF the tests write
 * (tests/helpers/tiny-gguf.ts; no weights can be downloaded here, so the token rates say what
 * llama.cpp's overhead is on this machine, not what a 3 B model would do).
 *
 * Around the model, each part timed on its own (median of many runs):
 *  - the engine's figures (`negotiationPlan`), the prompt (`planMessages`), the JSON-schema grammar
 *    (first build, and then — it is kept per model — reused), checking an answer (`JSON.parse`,
 *    the shape, every figure: `finishWords`);
 *  - the first streamed piece: from asking the embedded provider to the first text it hands on
 *    (the model's reading of the prompt included, so this one is model time too), with the model
 *    loaded, and cold (the model's process started and the model loaded first: the first plan
 *    after a start).
 * Tokens per second with threads 1, 2 and llama.cpp's own choice (`threads: 0`, the default).
 * Target (the issue): the parts around the model ≤ 100 ms. Writes a table into bench/README.md.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { getLlama, LlamaChatSession, LlamaLogLevel } from "node-llama-cpp";
import { writeBenchSection } from "./readme";
import { gitCommit } from "../scripts/build";
import { negotiationPlan, NEGOTIATION_DEFAULTS } from "../src/domain/negotiation";
import { finishWords, planMessages } from "../src/assistant/prompt";
import { templateWords } from "../src/assistant/template";
// The assistant tests' load (Joliet → Dallas, 900 loaded mi): the bench times the same plan they check.
import { context as CONTEXT, INPUTS } from "../tests/assistant/fixtures";
import { isPlanWords, PLAN_WORDS_SCHEMA } from "../src/assistant/plan-schema";
import { EmbeddedProvider } from "../src/assistant/embedded";
import { writeTinyGguf } from "../tests/helpers/tiny-gguf";

const TARGET_MS = 100;
const RUNS = 200;
const GENERATION_RUNS = 3;
const MAX_TOKENS = 300;
const RATE_SECONDS = 8;
/** The bigger random model for the threads comparison: 8 layers, 512-dim, ~28 M parameters. */
const SMALL_SHAPE = { nEmbd: 512, nHead: 8, nHeadKv: 8, nFf: 1536, nLayer: 8 };
type Rate = { model: "tiny" | "small"; threads: number | null; usedThreads: number; tokensPerSecond: number; tokens: number };


const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
function timeEach(run: () => unknown, runs = RUNS): number {
  for (let i = 0; i < 20; i++) run();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    run();
    times.push(performance.now() - started);
  }
  return median(times);
}
const ms = (value: number) => (value < 1 ? `${(value * 1000).toFixed(0)} µs` : `${value.toFixed(value < 10 ? 2 : 1)} ms`);
const log = (message: string) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${message}`);

async function main(): Promise<void> {
  const load = loadavg().map((x) => x.toFixed(2)).join(" ");
  const dir = mkdtempSync(join(tmpdir(), "haulbox-bench-assistant-"));
  try {
    const modelPath = join(dir, "tiny.gguf");
    writeTinyGguf(modelPath, { seed: 1, contextLength: 8192 });

    log("the parts around the model …");
    const plan = negotiationPlan(INPUTS, NEGOTIATION_DEFAULTS);
    const template = templateWords(plan, CONTEXT, NEGOTIATION_DEFAULTS);
    const figuresMs = timeEach(() => negotiationPlan(INPUTS, NEGOTIATION_DEFAULTS));
    const messages = planMessages(plan, CONTEXT, { comments: "Detention after 2 hrs. Tarps required.", broker: "Prairie Freight" });
    const promptMs = timeEach(() => planMessages(plan, CONTEXT, { comments: "Detention after 2 hrs. Tarps required.", broker: "Prairie Freight" }));
    const templateMs = timeEach(() => templateWords(plan, CONTEXT, NEGOTIATION_DEFAULTS));
    const answer = JSON.stringify({ ...template, talking_points: [...template.talking_points, "Ask $9,999."] });
    const checkMs = timeEach(() => {
      const parsed = JSON.parse(answer);
      if (!isPlanWords(parsed)) throw new Error("the sample answer lost its shape");
      return finishWords(parsed, plan, template);
    });

    const llama = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.error });
    let started = performance.now();
    const grammar = await llama.createGrammarForJsonSchema(PLAN_WORDS_SCHEMA as never);
    const grammarFirstMs = performance.now() - started;

    log("first streamed piece through the embedded provider (1 thread), cold and warm …");
    const firstPieceMs: number[] = [];
    const coldFirstPieceMs: number[] = [];
    const firstPiece = async (provider: EmbeddedProvider) => {
      const begun = performance.now();
      let first = -1;
      await provider.generate(messages, { signal: AbortSignal.timeout(60_000), onText: () => { if (first < 0) first = performance.now() - begun; } });
      return first;
    };
    for (let run = 0; run < GENERATION_RUNS; run++) {
      const provider = new EmbeddedProvider({ modelPath, contextSize: 8192, threads: 1, gpuLayers: 0, loadTimeoutMs: 60_000, maxTokens: MAX_TOKENS });
      // The first plan starts the model's process and loads the model; the second is a plan on a warm appliance.
      coldFirstPieceMs.push(await firstPiece(provider));
      firstPieceMs.push(await firstPiece(provider));
      await provider.close();
    }

    // Threads: 1, 2, Haulbox's default (0: one per core) and node-llama-cpp's own default (no
    // threads passed: at least 4 on a CPU). On the tiny model a token is almost no arithmetic, so
    // threads mostly cost synchronisation; the bigger random model (~28 M parameters, 112 MB of F32
    // weights read per token) is bound by memory like a real one.
    const smallPath = join(dir, "small.gguf");
    writeTinyGguf(smallPath, { seed: 1, contextLength: 8192, shape: SMALL_SHAPE });
    const rates: Rate[] = [];
    for (const [label, path] of [["tiny", modelPath], ["small", smallPath]] as const) {
      log(`tokens per second, ${label} model, threads 1, 2, ${availableParallelism()} and node-llama-cpp's default …`);
      const model = await llama.loadModel({ modelPath: path, gpuLayers: 0 });
      for (const threads of [...new Set([1, 2, availableParallelism()]), null]) {
        const context = await model.createContext({ contextSize: 8192, ...(threads === null ? {} : { threads }) });
        const results: { tokens: number; seconds: number }[] = [];
        for (let run = 0; run < GENERATION_RUNS; run++) {
          const sequence = context.getSequence();
          const session = new LlamaChatSession({ contextSequence: sequence, systemPrompt: messages[0]!.content });
          let tokens = 0;
          const begun = performance.now();
          // At most RATE_SECONDS a run: a slow setting writes fewer tokens, not for minutes.
          await session.prompt(messages[1]!.content, { grammar, maxTokens: MAX_TOKENS, temperature: 0.2, signal: AbortSignal.timeout(RATE_SECONDS * 1000), stopOnAbortSignal: true, onToken: (generated) => (tokens += generated.length) });
          results.push({ tokens, seconds: (performance.now() - begun) / 1000 });
          sequence.dispose();
        }
        const mid = results.sort((a, b) => a.tokens / a.seconds - b.tokens / b.seconds)[Math.floor(results.length / 2)]!;
        rates.push({ model: label, threads, usedThreads: context.idealThreads, tokensPerSecond: mid.tokens / mid.seconds, tokens: mid.tokens });
        await context.dispose();
      }
      await model.dispose();
    }
    const threadsLabel = (rate: Rate) =>
      rate.threads === null
        ? `none passed: node-llama-cpp's default (${rate.usedThreads})`
        : `${rate.threads}${rate.threads === availableParallelism() ? " (Haulbox's default, `threads: 0`: one per core)" : ""}`;
    const ratio = (model: Rate["model"], threads: number) => {
      const one = rates.find((rate) => rate.model === model && rate.threads === 1)!;
      const other = rates.find((rate) => rate.model === model && rate.threads === threads)!;
      return (other.tokensPerSecond / one.tokensPerSecond).toFixed(2);
    };

    const around = figuresMs + promptMs + checkMs;
    const verdict = (ok: boolean) => (ok ? "**pass**" : "**FAIL**");
    const lines = [
      `Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} cores (${cpus()[0]?.model.trim() ?? "unknown"}), Bun ${Bun.version}, node-llama-cpp 3.22.1 (CPU), commit ${gitCommit()}; load average at start ${load}.`,
      `Command: \`npm run bench:assistant\`. The model is the tests' tiny random-weight llama GGUF (2 layers, 64-dim, 580-token vocabulary, 8 192 context); for threads also a bigger random one of the same writer (8 layers, 512-dim, ~28 M parameters, 112 MB of F32 weights, which makes a token bound by memory like a real model's). Neither says what a real 1–4 B model writes (see models/README.md); they show what threads do on this machine. Medians of ${RUNS} runs (the parts) and ${GENERATION_RUNS} (the model).`,
      "",
      "| measure | result | target | result |",
      "|---|---|---|---|",
      `| the engine's figures (\`negotiationPlan\`) | ${ms(figuresMs)} | — | — |`,
      `| the prompt (\`planMessages\`: facts, reasons, board text fenced) | ${ms(promptMs)} | — | — |`,
      `| checking an answer (\`JSON.parse\`, the shape, every figure: \`finishWords\`) | ${ms(checkMs)} | — | — |`,
      `| **around the model, together** (figures + prompt + check; the grammar is built once per model) | ${ms(around)} | ≤ ${TARGET_MS} ms | ${verdict(around <= TARGET_MS)} |`,
      `| the JSON-schema grammar, first build (then kept with the model) | ${ms(grammarFirstMs)} | — | — |`,
      `| the template's words (no model) | ${ms(templateMs)} | — | — |`,
      `| first streamed piece from the embedded provider, model loaded (through the model's process; includes the model reading the ~${Math.round(messages.reduce((sum, message) => sum + message.content.length, 0) / 100) * 100}-character prompt) | ${ms(median(firstPieceMs))} | — | — |`,
      `| the same, cold: the first plan after a start (starting the model's process, loading the tiny model, then the above) | ${ms(median(coldFirstPieceMs))} | — | — |`,
      ...rates.map((rate) => `| tokens per second under the grammar, ${rate.model} model, threads ${threadsLabel(rate)} (${rate.tokens} tokens) | ${rate.tokensPerSecond.toFixed(rate.tokensPerSecond < 10 ? 1 : 0)} tokens/s | — | — |`),
      `| threads 2 ÷ threads 1: tiny model / small model | ${ratio("tiny", 2)}× / ${ratio("small", 2)}× | — | — |`,
    ];
    const table = lines.join("\n");
    console.log(table);
    writeBenchSection("assistant", table);
    log("written to bench/README.md");
    // node-llama-cpp's dispose can hang after a failed load elsewhere; nothing failed here, but do not wait on it.
    await Promise.race([llama.dispose(), new Promise((resolve) => setTimeout(resolve, 2_000))]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
process.exit(0);
