/**
 * The words of a negotiation plan, as a model must return them and as the template writes them:
 * one JSON object. The schema is enforced at generation (node-llama-cpp's JSON-schema grammar,
 * Ollama's `format`), so a model cannot answer in any other shape.
 */

/** What the model (or the template) writes around the engine's figures. */
export interface PlanWords {
  /** Short points for the dispatcher to make, strongest first. */
  talking_points: string[];
  /** What to say on the phone, a few sentences. */
  script: string;
  /** An e-mail or text reply to the broker. */
  reply_draft: string;
  /** Likely pushback and what to answer. */
  counters: { if: string; say: string }[];
}

/** The JSON schema of PlanWords (plain JSON Schema: both node-llama-cpp and Ollama take it). */
export const PLAN_WORDS_SCHEMA = {
  type: "object",
  properties: {
    // Lengths bound what a model can write (and so how long it takes): a phone script, not an essay.
    talking_points: { type: "array", items: { type: "string", maxLength: 160 }, minItems: 1, maxItems: 5 },
    script: { type: "string", maxLength: 500 },
    reply_draft: { type: "string", maxLength: 500 },
    counters: {
      type: "array",
      items: { type: "object", properties: { if: { type: "string", maxLength: 120 }, say: { type: "string", maxLength: 200 } }, required: ["if", "say"], additionalProperties: false },
      maxItems: 4,
    },
  },
  required: ["talking_points", "script", "reply_draft", "counters"],
  additionalProperties: false,
} as const;

/** Whether a parsed value has the PlanWords shape (a provider's answer is checked before use). */
export function isPlanWords(value: unknown): value is PlanWords {
  if (!value || typeof value !== "object") return false;
  const words = value as Record<string, unknown>;
  const strings = (list: unknown) => Array.isArray(list) && list.every((item) => typeof item === "string");
  return (
    strings(words.talking_points) &&
    (words.talking_points as string[]).length >= 1 &&
    typeof words.script === "string" &&
    typeof words.reply_draft === "string" &&
    Array.isArray(words.counters) &&
    words.counters.every((counter) => counter && typeof counter === "object" && typeof (counter as { if?: unknown }).if === "string" && typeof (counter as { say?: unknown }).say === "string")
  );
}
