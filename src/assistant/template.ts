/**
 * The template mode: the plan's words written from the engine's figures without a model — what the
 * assistant says when no model is installed, when one fails to load, or when one times out. Every
 * figure in it is one of the plan's facts (tests/assistant/template.test.ts checks that with the
 * same `checkFigures` a model's words go through), and nothing a load board sent is repeated in
 * it except the lane's place names, which the page escapes.
 */
import { dollars, type LoadNote, type NegotiationPlan, type NegotiationSettings } from "../domain/negotiation";
import type { PlanWords } from "./plan-schema";

/** What the words are about, besides the plan's figures. */
export interface PlanContext {
  /** "Joliet, IL → Dallas, TX". */
  lane: string;
  /** "Fri Nov 20, 08:00 CST". */
  pickup: string;
  equipment: string;
  notes: LoadNote[];
  postedRateCents: number | null;
}

export function templateWords(plan: NegotiationPlan, context: PlanContext, settings: NegotiationSettings): PlanWords {
  const { walkAwayCents: walkAway, targetCents: target, openingAskCents: ask } = plan;
  const talking = [
    `Open at ${dollars(ask)}; the target is ${dollars(target)} and you walk away under ${dollars(walkAway)}.`,
    ...plan.reasons.filter((reason) => !reason.startsWith("Walk away under") && !reason.startsWith("Open at")).slice(0, 3),
    ...context.notes.map((note) => note.text),
  ].slice(0, 6);
  const posted = context.postedRateCents === null ? "" : ` The posted ${dollars(context.postedRateCents)} does not work for us.`;
  const script =
    `Hi, calling about your ${context.equipment} load ${context.lane}, picking up ${context.pickup}. ` +
    `We have a truck for it.${context.postedRateCents !== null && context.postedRateCents >= ask ? "" : posted} ` +
    `We can cover it for ${dollars(ask)} all in.` +
    (context.notes.length ? " Before we book, I need the details on the accessorials." : "");
  const reply =
    `Hello, we can cover the ${context.equipment} load ${context.lane} (pickup ${context.pickup}) for ${dollars(ask)} all in. ` +
    `Please confirm and send the rate confirmation.`;
  // What to answer: the rules the engine applies turn by turn (nextMove), in words; the figure of
  // each counter comes from the engine when the broker's offer is typed in.
  const counters: PlanWords["counters"] = [
    { if: `They offer ${dollars(target)} or more`, say: `Take it: that is at or above your target.` },
    { if: `They offer between ${dollars(walkAway)} and ${dollars(target)}`, say: "Meet them in the middle between their offer and your last ask, and hold there." },
    { if: `They offer under ${dollars(walkAway)}`, say: `Come down only toward ${dollars(walkAway)}; after ${settings.maxRounds} counters, thank them and pass.` },
    { if: "They say the rate is firm", say: `Thank them, leave your number at ${dollars(target)}, and ask them to call back if it is still open later.` },
  ];
  if (context.notes.some((note) => note.kind === "detention" || note.kind === "lumper")) {
    counters.push({ if: "They will not pay detention or the lumper", say: "Get it in writing on the rate confirmation before you book, or pass." });
  }
  return { talking_points: talking, script, reply_draft: reply, counters };
}
