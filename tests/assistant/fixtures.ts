/** The plan the assistant's tests word: Joliet → Dallas, 900 loaded mi, $1,500 of costs besides $600 driver pay. */
import { negotiationPlan, NEGOTIATION_DEFAULTS, type NegotiationInputs } from "../../src/domain/negotiation";
import { templateWords, type PlanContext } from "../../src/assistant/template";

export const INPUTS: NegotiationInputs = {
  loadedMiles: 900,
  deadheadMiles: 50,
  fixedCostsCents: 150_000,
  driverPay: { kind: "amount", cents: 60_000 },
  postedRateCents: 240_000,
  lane: { medianCentsPerMile: 250, p75CentsPerMile: 280, reports: 24, confidence: "high", label: "606 → 752 (V)" },
  hoursToPickup: 48,
  brokerRisk: "low",
};
export const plan = negotiationPlan(INPUTS, NEGOTIATION_DEFAULTS);
export const context: PlanContext = { lane: "Joliet, IL → Dallas, TX", pickup: "Fri Nov 20, 08:00 CST", equipment: "V", notes: [], postedRateCents: 240_000 };
export const template = templateWords(plan, context, NEGOTIATION_DEFAULTS);
