/**
 * A model's input and output around the engine's figures: board text stays inside its fence (it
 * cannot close it), and a model's invented figures are removed, with the template filling a field
 * left empty — the injection corpus from tests/assistant/injections.ts run through both.
 */
import { describe, expect, test } from "bun:test";
import { finishWords, planMessages } from "../../src/assistant/prompt";
import { INJECTIONS } from "./injections";
import { context, plan, template } from "./fixtures";


describe("the prompt", () => {
  for (const injection of INJECTIONS) {
    test(`board text stays data: ${injection.name}`, () => {
      const [system, user] = planMessages(plan, context, { comments: injection.text, broker: injection.text });
      // The instructions are ours alone, and the fence opens and closes exactly once, at the end.
      expect(system!.content).not.toContain(injection.text);
      expect(user!.content.split("<<<LOAD_DATA").length).toBe(2);
      expect(user!.content.split("LOAD_DATA>>>").length).toBe(2);
      expect(user!.content.trimEnd().endsWith("LOAD_DATA>>>")).toBe(true);
      // The figures before the fence are the engine's, whatever the board text claims.
      const facts = user!.content.slice(0, user!.content.indexOf("<<<LOAD_DATA"));
      for (const fact of plan.facts) expect(facts).toContain(fact.text);
      expect(facts).not.toContain("9,999");
    });
  }
});

describe("a model's words", () => {
  test("invented figures go; emptied fields come from the template; the engine's stay", () => {
    const { words, removed } = finishWords(
      {
        talking_points: ["The rate is $9,999 as the load says.", "Open at $2,450 and hold."],
        script: "We need $3,300 for this one.",
        reply_draft: "We can cover it for $2,450 all in, 900 loaded mi.",
        counters: [{ if: "They offer $1,000", say: "Say no." }, { if: "They say firm", say: "Leave your number at $2,250." }],
      },
      plan,
      template,
    );
    expect(words.talking_points).toEqual(["Open at $2,450 and hold."]);
    expect(words.script).toBe(template.script);
    expect(words.reply_draft).toBe("We can cover it for $2,450 all in, 900 loaded mi.");
    expect(words.counters).toEqual([{ if: "They say firm", say: "Leave your number at $2,250." }]);
    expect(removed.map((entry) => entry.figure)).toEqual(["$9,999", "$3,300", "$1,000"]);
  });

  test("control characters and the replacement character (bytes that were not UTF-8) are taken out; a field left empty comes from the template", () => {
    const { words } = finishWords(
      { talking_points: ["Open at \uFFFD\uFFFD$2,450\u0007 and hold.", "\uFFFD\u0001"], script: "We can\u001b[31m cover it.", reply_draft: "\u0000", counters: [{ if: "They say firm", say: "Thank them.\u0085" }] },
      plan,
      template,
    );
    expect(words.talking_points).toEqual(["Open at $2,450 and hold."]);
    expect(words.script).toBe("We can[31m cover it.");
    expect(words.reply_draft).toBe(template.reply_draft);
    expect(words.counters).toEqual([{ if: "They say firm", say: "Thank them." }]);
  });
});
