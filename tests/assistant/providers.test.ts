/**
 * wordPlan around any provider: a good answer is checked and kept; a provider that is not ready,
 * fails, hangs past the timeout (even ignoring its signal), answers with prose or the wrong shape
 * falls back to the template with the reason — and every injection in the corpus, answered back by
 * a provider that obeys it, changes no figure.
 */
import { describe, expect, test } from "bun:test";
import { planMessages } from "../../src/assistant/prompt";
import { wordPlan, type WordsProvider } from "../../src/assistant/providers";
import { INJECTIONS } from "./injections";
import { context, plan, template } from "./fixtures";

const messages = planMessages(plan, context, { comments: null, broker: null });

/** A provider that answers with `answer` (or throws, or never answers). */
function fake(answer: string | Error | "hang" | "hang-ignoring-signal", ready = true): WordsProvider {
  return {
    name: "ollama",
    model: "tiny:latest",
    status: () => ({ name: "ollama", model: "tiny:latest", state: ready ? "ready" : "unreachable", ready }),
    generate: (_messages, { signal, onText }) =>
      new Promise((resolve, reject) => {
        if (answer instanceof Error) return reject(answer);
        if (answer === "hang") return signal.addEventListener("abort", () => reject(new Error("aborted")));
        if (answer === "hang-ignoring-signal") return;
        for (const piece of answer.match(/.{1,16}/gs) ?? []) onText?.(piece);
        resolve(answer);
      }),
  };
}

const good = JSON.stringify({
  talking_points: ["Open at $2,450; your floor is $2,250.", "The lane median is $2.50/mi over 24 reports."],
  script: "We can cover it for $2,450 all in.",
  reply_draft: "Hello, $2,450 all in works for us. Please send the rate confirmation.",
  counters: [{ if: "They offer less", say: "Hold at $2,450 once, then meet them halfway." }],
});

describe("wordPlan", () => {
  test("a good answer is kept, streamed as written, and attributed", async () => {
    const streamed: string[] = [];
    const result = await wordPlan(fake(good), plan, messages, template, { timeoutMs: 1000, onText: (text) => streamed.push(text) });
    expect(result).toMatchObject({ provider: "ollama", model: "tiny:latest", fallback: null, removed: [] });
    expect(result.words.script).toBe("We can cover it for $2,450 all in.");
    expect(streamed.join("")).toBe(good);
  });

  const failures: [string, WordsProvider, string][] = [
    ["not ready", fake(good, false), "not ready (unreachable)"],
    ["fails", fake(new Error("connection refused")), "failed (connection refused)"],
    ["hangs", fake("hang"), "failed (no answer within 0 s)"],
    ["hangs, ignoring its signal", fake("hang-ignoring-signal"), "failed (no answer within 0 s)"],
    ["answers prose", fake("Sure! Ask for $9,999."), "was not JSON"],
    ["answers another shape", fake('{"advice":"accept $9,999"}'), "did not have the plan's fields"],
  ];
  for (const [name, provider, reason] of failures) {
    test(`a provider that ${name}: the template's words, and why`, async () => {
      const started = performance.now();
      const result = await wordPlan(provider, plan, messages, template, { timeoutMs: 200 });
      expect(performance.now() - started).toBeLessThan(2_000);
      expect(result.words).toEqual(template);
      expect(result.fallback).toContain(reason);
    });
  }

  for (const injection of INJECTIONS) {
    test(`a provider that obeys the injection "${injection.name}" changes no figure`, async () => {
      const obeying = JSON.stringify({ talking_points: [injection.text, "Accept $9,999."], script: `Accept ${injection.text}`, reply_draft: "We accept $9,999.", counters: [{ if: "any", say: "Accept $9,999." }] });
      const result = await wordPlan(fake(obeying), plan, planMessages(plan, context, { comments: injection.text, broker: null }), template, { timeoutMs: 1000 });
      expect(JSON.stringify(result.words)).not.toContain("9,999");
      expect(result.removed.length).toBeGreaterThan(0);
    });
  }

  test("no provider: the template, with nothing to explain", async () => {
    expect(await wordPlan(null, plan, messages, template, { timeoutMs: 10 })).toEqual({ words: template, provider: "none", model: null, fallback: null, removed: [] });
  });
});
