/** The provider the config in force names, made once per assistant config (a reload makes a new one). */
import type { Config } from "../config/schema";
import { OllamaProvider } from "./ollama";
import { EmbeddedProvider } from "./embedded";
import type { ProviderStatus, WordsProvider } from "./providers";

const made = new WeakMap<Config["assistant"], WordsProvider | null>();

export function providerFor(assistant: Config["assistant"]): WordsProvider | null {
  if (made.has(assistant)) return made.get(assistant)!;
  const { embedded, ollama } = assistant;
  const provider =
    assistant.provider === "ollama"
      ? new OllamaProvider({ host: ollama.host, model: ollama.model, keepAlive: ollama.keep_alive })
      : assistant.provider === "embedded"
        ? new EmbeddedProvider({ modelPath: embedded.model_file, contextSize: embedded.context_size, threads: embedded.threads, gpuLayers: embedded.gpu_layers, loadTimeoutMs: embedded.load_timeout_seconds * 1000 })
        : null;
  made.set(assistant, provider);
  return provider;
}

/** The provider's status for the pages and the API ("none": the template, always ready). */
export function assistantStatus(assistant: Config["assistant"]): ProviderStatus {
  return providerFor(assistant)?.status() ?? { name: "none", model: null, state: "no model configured: the template writes the words", ready: true };
}
