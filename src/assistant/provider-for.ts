/**
 * The provider the config in force names, made once per assistant config (a reload makes a new
 * one). With `auto` (the default) a GGUF file dropped at `assistant.embedded.model_file` is picked
 * up at the next plan, no restart needed; without one the template words the plans.
 */
import { existsSync } from "node:fs";
import type { Config } from "../config/schema";
import { OllamaProvider } from "./ollama";
import { EmbeddedProvider } from "./embedded";
import type { ProviderStatus, WordsProvider } from "./providers";

const made = new WeakMap<Config["assistant"], WordsProvider | null>();

export function providerFor(assistant: Config["assistant"]): WordsProvider | null {
  if (assistant.provider === "auto" && !existsSync(assistant.embedded.model_file)) return null;
  if (made.has(assistant)) return made.get(assistant)!;
  const { embedded, ollama } = assistant;
  const provider =
    assistant.provider === "ollama"
      ? new OllamaProvider({ host: ollama.host, model: ollama.model, keepAlive: ollama.keep_alive })
      : assistant.provider === "embedded" || assistant.provider === "auto"
        ? new EmbeddedProvider({ modelPath: embedded.model_file, contextSize: embedded.context_size, threads: embedded.threads, gpuLayers: embedded.gpu_layers, loadTimeoutMs: embedded.load_timeout_seconds * 1000 })
        : null;
  made.set(assistant, provider);
  return provider;
}

/** The provider's status for the pages and the API ("none": the template, always ready). */
export function assistantStatus(assistant: Config["assistant"]): ProviderStatus {
  const provider = providerFor(assistant);
  if (provider) return provider.status();
  const state = assistant.provider === "auto" ? `no model file at ${assistant.embedded.model_file} (see models/README.md): the template writes the words` : "no model configured: the template writes the words";
  return { name: "none", model: null, state, ready: true };
}
