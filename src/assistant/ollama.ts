/**
 * The Ollama provider: an Ollama server words the plan through the `ollama` client, with the plan
 * schema as the request's `format` (Ollama holds the model to it), streamed as it is written.
 * A failure marks the provider not ready for a while, so the next plans go straight to the
 * template instead of waiting on an unreachable server each time.
 */
import { Ollama } from "ollama";
import type { ChatMessage } from "./prompt";
import { PLAN_WORDS_SCHEMA } from "./plan-schema";
import type { ProviderStatus, WordsProvider } from "./providers";

/** How long a failure keeps the provider marked not ready before it is tried again. */
const RETRY_AFTER_MS = 30_000;

export interface OllamaOptions {
  /** Base URL of the server, e.g. http://127.0.0.1:11434. */
  host: string;
  model: string;
  /** How long the server keeps the model loaded after a request (Ollama's keep_alive, e.g. "10m"). */
  keepAlive: string;
  /** Stream the answer as it is written (the page shows it), or take it whole. */
  stream?: boolean;
  now?: () => number;
}

export class OllamaProvider implements WordsProvider {
  readonly name = "ollama" as const;
  private lastFailure: { at: number; message: string } | null = null;

  constructor(private readonly options: OllamaOptions) {}

  get model(): string {
    return this.options.model;
  }

  status(): ProviderStatus {
    const now = (this.options.now ?? Date.now)();
    if (this.lastFailure && now - this.lastFailure.at < RETRY_AFTER_MS) {
      return { name: "ollama", model: this.options.model, state: `unreachable: ${this.lastFailure.message}`, ready: false };
    }
    return { name: "ollama", model: this.options.model, state: `ready at ${this.options.host}`, ready: true };
  }

  async generate(messages: ChatMessage[], { signal, onText }: { signal: AbortSignal; onText?: (text: string) => void }): Promise<string> {
    // The client's own requests carry our signal, so a timeout or a closed page stops them.
    const withSignal = ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, { ...init, signal })) as typeof fetch;
    const client = new Ollama({ host: this.options.host, fetch: withSignal });
    const request = { model: this.options.model, messages, format: PLAN_WORDS_SCHEMA as object, keep_alive: this.options.keepAlive, options: { temperature: 0.2 } };
    try {
      if (this.options.stream === false) {
        const answer = await client.chat({ ...request, stream: false });
        onText?.(answer.message.content);
        this.lastFailure = null;
        return answer.message.content;
      }
      const parts = await client.chat({ ...request, stream: true });
      const stop = () => parts.abort();
      signal.addEventListener("abort", stop, { once: true });
      let text = "";
      try {
        for await (const part of parts) {
          text += part.message.content;
          if (part.message.content) onText?.(part.message.content);
        }
      } finally {
        signal.removeEventListener("abort", stop);
      }
      this.lastFailure = null;
      return text;
    } catch (error) {
      if (!signal.aborted) this.lastFailure = { at: (this.options.now ?? Date.now)(), message: (error as Error).message.slice(0, 200) };
      throw error;
    }
  }
}
