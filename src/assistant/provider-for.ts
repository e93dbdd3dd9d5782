/** The provider the config in force names, made once per assistant config (a reload makes a new one). */
import type { Config } from "../config/schema";
import { OllamaProvider } from "./ollama";
import type { WordsProvider } from "./providers";

const made = new WeakMap<Config["assistant"], WordsProvider | null>();

export function providerFor(assistant: Config["assistant"]): WordsProvider | null {
  if (made.has(assistant)) return made.get(assistant)!;
  const provider = assistant.provider === "ollama" ? new OllamaProvider({ host: assistant.ollama.host, model: assistant.ollama.model, keepAlive: assistant.ollama.keep_alive }) : null;
  made.set(assistant, provider);
  return provider;
}
