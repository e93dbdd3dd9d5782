/**
 * Who words a negotiation plan: a local model (embedded llama.cpp or an Ollama server) or, with
 * none configured or when one fails, the template. A provider only writes words around figures it
 * is given; `wordPlan` bounds it in time, checks its answer's shape and every figure in it, and
 * falls back to the template with the reason — never a crash or a hang.
 */
import type { NegotiationPlan } from "../domain/negotiation";
import { finishWords, type ChatMessage } from "./prompt";
import { isPlanWords, type PlanWords } from "./plan-schema";

export type ProviderName = "none" | "embedded" | "ollama";

/** What the assistant page shows about the provider. */
export interface ProviderStatus {
  name: ProviderName;
  model: string | null;
  /** "ready", "loading", "failed: …", "not configured" — in words. */
  state: string;
  ready: boolean;
}

export interface WordsProvider {
  readonly name: ProviderName;
  readonly model: string | null;
  status(): ProviderStatus;
  /**
   * The plan's words as JSON text, generated under PLAN_WORDS_SCHEMA; `onText` gets each piece as
   * it is written. Rejects on failure; must stop when `signal` aborts.
   */
  generate(messages: ChatMessage[], options: { signal: AbortSignal; onText?: (text: string) => void }): Promise<string>;
  /** Lets go of what it holds (a loaded model); never waits long. */
  close?(): Promise<void>;
}

/** The words of a plan and who wrote them. */
export interface WordedPlan {
  words: PlanWords;
  provider: ProviderName;
  model: string | null;
  /** Why the template wrote them although a model is configured (it failed, timed out, answered badly), or null. */
  fallback: string | null;
  /** Sentences of the model's taken out for a figure that was not the engine's. */
  removed: { sentence: string; figure: string }[];
}

/** Words from `provider` within `timeoutMs`, checked; the template's, with the reason, on any failure. */
export async function wordPlan(
  provider: WordsProvider | null,
  plan: NegotiationPlan,
  messages: ChatMessage[],
  template: PlanWords,
  options: { timeoutMs: number; onText?: (text: string) => void; signal?: AbortSignal },
): Promise<WordedPlan> {
  const templated = (fallback: string | null): WordedPlan => ({ words: template, provider: provider?.name ?? "none", model: provider?.model ?? null, fallback, removed: [] });
  if (!provider || provider.name === "none") return { ...templated(null), provider: "none", model: null };
  const status = provider.status();
  if (!status.ready) return templated(`the ${provider.name} model is not ready (${status.state}): these are the template's words`);
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
  let text: string;
  try {
    text = await new Promise<string>((resolve, reject) => {
      // A provider that ignores the signal still cannot hold the answer past the timeout.
      const onAbort = () => reject(timeout.aborted ? new Error(`no answer within ${Math.round(options.timeoutMs / 1000)} s`) : new Error("cancelled"));
      if (signal.aborted) return onAbort();
      signal.addEventListener("abort", onAbort, { once: true });
      provider.generate(messages, { signal, onText: options.onText }).then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
    });
  } catch (error) {
    return templated(`the ${provider.name} model failed (${(error as Error).message}): these are the template's words`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return templated(`the ${provider.name} model's answer was not JSON: these are the template's words`);
  }
  if (!isPlanWords(parsed)) return templated(`the ${provider.name} model's answer did not have the plan's fields: these are the template's words`);
  const { words, removed } = finishWords(parsed, plan, template);
  return { words, provider: provider.name, model: provider.model, fallback: null, removed };
}
