/**
 * The template mode's words: the plan's shape, and no figure that is not one of the engine's —
 * checked with the same `checkFigures` a model's words go through, over many plans.
 */
import { describe, expect, test } from "bun:test";
import { checkFigures, loadNotes, negotiationPlan, NEGOTIATION_DEFAULTS, type NegotiationInputs } from "../../src/domain/negotiation";
import { isPlanWords, PLAN_WORDS_SCHEMA } from "../../src/assistant/plan-schema";
import { templateWords } from "../../src/assistant/template";
import { seededRandom } from "../../src/domain/random";

function randomInputs(random: () => number): NegotiationInputs {
  const loadedMiles = 150 + Math.round(random() * 1800);
  const median = 180 + Math.round(random() * 200);
  const confident = random() > 0.2;
  return {
    loadedMiles,
    deadheadMiles: Math.round(random() * 250),
    fixedCostsCents: Math.round(loadedMiles * (120 + random() * 60)),
    driverPay: random() > 0.5 ? { kind: "percent", percent: 20 + Math.round(random() * 15) } : { kind: "amount", cents: Math.round(loadedMiles * 60) },
    postedRateCents: random() > 0.3 ? Math.round((loadedMiles * median * (0.8 + random() * 0.4)) / 2500) * 2500 : null,
    lane: { medianCentsPerMile: confident ? median : null, p75CentsPerMile: confident ? median + 30 : null, reports: confident ? 5 + Math.round(random() * 40) : 0, confidence: confident ? "medium" : "none", label: "IL → TX (V)" },
    hoursToPickup: random() * 72,
    brokerRisk: (["low", "medium", "high", "unknown"] as const)[Math.floor(random() * 4)]!,
  };
}

describe("template words", () => {
  test("every figure in them is one of the plan's facts, over 300 plans", () => {
    const random = seededRandom(2026);
    for (let i = 0; i < 300; i++) {
      const plan = negotiationPlan(randomInputs(random), NEGOTIATION_DEFAULTS);
      const notes = random() > 0.5 ? loadNotes("Detention after 2 hrs, tarps required, 2 stops, lumper at delivery") : [];
      const words = templateWords(plan, { lane: "Joliet, IL → Dallas, TX", pickup: "Fri Nov 20, 08:00 CST", equipment: "V", notes, postedRateCents: plan.facts.find((fact) => fact.key === "posted_rate")?.value ?? null }, NEGOTIATION_DEFAULTS);
      expect(isPlanWords(words)).toBe(true);
      const texts = [...words.talking_points, words.script, words.reply_draft, ...words.counters.flatMap((counter) => [counter.if, counter.say])];
      for (const text of texts) expect({ i, text, removed: checkFigures(text, plan.facts).removed }).toEqual({ i, text, removed: [] });
    }
  });

  test("the schema a model is held to names the same fields", () => {
    expect(Object.keys(PLAN_WORDS_SCHEMA.properties).sort()).toEqual(["counters", "reply_draft", "script", "talking_points"]);
    expect(isPlanWords({ talking_points: [], script: "", reply_draft: "", counters: [] })).toBe(false);
    expect(isPlanWords({ talking_points: ["a"], script: "", reply_draft: "", counters: [{ if: "x" }] })).toBe(false);
  });
});
