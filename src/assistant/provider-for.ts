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

/**
 * The provider in use and the settings it was made with: a config reload that leaves them alone
 * keeps it (a loaded model stays loaded, not loaded again beside the old one, gigabytes each).
 */
let current: { key: string; provider: WordsProvider | null } | null = null;

export function providerFor(assistant: Config["assistant"]): WordsProvider | null {
  if (assistant.provider === "auto" && !existsSync(assistant.embedded.model_file)) return null;
  const kind = assistant.provider === "auto" ? "embedded" : assistant.provider;
  const settings = kind === "ollama" ? assistant.ollama : kind === "embedded" ? assistant.embedded : null;
  const key = JSON.stringify([kind, settings]);
  if (current?.key === key) return current.provider;
  const { embedded, ollama } = assistant;
  const provider =
    kind === "ollama"
      ? new OllamaProvider({ host: ollama.host, model: ollama.model, keepAlive: ollama.keep_alive })
      : kind === "embedded"
        ? new EmbeddedProvider({ modelPath: embedded.model_file, contextSize: embedded.context_size, threads: embedded.threads, gpuLayers: embedded.gpu_layers, loadTimeoutMs: embedded.load_timeout_seconds * 1000 })
        : null;
  // The one it replaces lets its model go (bounded: node-llama-cpp can hang disposing after a failed load).
  void current?.provider?.close?.();
  current = { key, provider };
  return provider;
}

/** Lets the provider in use go (at shutdown: the model's process stops with the appliance). */
export async function closeAssistant(): Promise<void> {
  const provider = current?.provider;
  current = null;
  await provider?.close?.();
}

/** The provider's status for the pages and the API ("none": the template, always ready). */
export function assistantStatus(assistant: Config["assistant"]): ProviderStatus {
  const provider = providerFor(assistant);
  if (provider) return provider.status();
  const state = assistant.provider === "auto" ? `no model file at ${assistant.embedded.model_file} (see models/README.md): the template writes the words` : "no model configured: the template writes the words";
  return { name: "none", model: null, state, ready: true };
}
