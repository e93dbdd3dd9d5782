/**
 * The negotiation assistant's service: a plan for a load and a truck, and the next move after each
 * thing the broker says, stored with the load. The engine computes every figure (src/domain/
 * negotiation.ts) from the pair's match, the lane's last 30 days and the broker; the words come
 * from the template mode (a model provider, when one is configured, will word the same figures).
 */
import type { Database } from "bun:sqlite";
import type { Config } from "../config/schema";
import type { Loads } from "../loads/service";
import type { LoadView } from "../loads/views";
import { laneText, LoadViews } from "../loads/views";
import { laneLabel } from "../domain/lane-rates";
import { dollars, loadNotes, negotiationPlan, nextMove, parseOffer, type Move, type NegotiationPlan, type NegotiationSettings } from "../domain/negotiation";
import { localTimeText } from "../domain/date-format";
import { templateWords, type PlanContext } from "./template";
import { planMessages } from "./prompt";
import { wordPlan, type WordedPlan, type WordsProvider } from "./providers";

const HOUR_MS = 3_600_000;

/** Why a plan or a move cannot be made, for the API's status code. */
export class NegotiationError extends Error {
  constructor(
    readonly code: "not_found" | "invalid" | "conflict",
    message: string,
  ) {
    super(message);
  }
}

export interface NegotiationResult extends WordedPlan {
  loadId: number;
  truckId: number;
  plan: NegotiationPlan;
}

export interface TurnResult extends Move {
  /** The truck the negotiation is for (its latest plan's). */
  truckId: number;
  /** What to tell the broker. */
  say: string;
  /** The broker's figure as read, or null. */
  offerCents: number | null;
}

export class Negotiator {
  private readonly views: LoadViews;

  constructor(
    private readonly deps: { db: Database; loads: Loads; config: () => Config; now?: () => number; provider?: () => WordsProvider | null },
  ) {
    this.views = new LoadViews(deps.db, deps.loads);
  }

  /** The engine's figures for a load and a truck, at once (the page shows them while a model writes the words). */
  figures(loadId: number, truckId: number): NegotiationPlan {
    return this.compute(loadId, truckId).plan;
  }

  /**
   * A fresh plan for a load and a truck (stored as the conversation's start): the engine's figures,
   * worded by the provider when one is configured and answers in time, else by the template.
   * `onText` receives the model's words as they are written.
   */
  async plan(loadId: number, truckId: number, userId: number | null = null, options: { onText?: (text: string) => void; signal?: AbortSignal } = {}): Promise<NegotiationResult> {
    const { load, plan, context } = this.compute(loadId, truckId);
    const template = templateWords(plan, context, this.settings());
    const messages = planMessages(plan, context, { comments: load.comments, broker: load.broker?.name ?? null });
    const worded = await wordPlan(this.deps.provider?.() ?? null, plan, messages, template, { timeoutMs: this.deps.config().assistant.generation_timeout_seconds * 1000, ...options });
    this.record(loadId, truckId, "plan", JSON.stringify(worded.words), null, plan.openingAskCents, userId);
    return { loadId: load.id, truckId, plan, ...worded };
  }

  /** The next move after what the broker said, from the load's latest plan and the counters since. */
  turn(loadId: number, brokerSaid: string, userId: number | null = null): TurnResult {
    const start = this.deps.db.query("SELECT id, truck_id, amount_cents FROM negotiation_turns WHERE load_id = ? AND kind = 'plan' ORDER BY id DESC LIMIT 1").get(loadId) as { id: number; truck_id: number; amount_cents: number } | null;
    if (!start) throw new NegotiationError("conflict", `Load ${loadId} has no negotiation yet: ask for a plan first.`);
    const { plan, loadedMiles } = this.compute(loadId, start.truck_id);
    const since = this.deps.db.query("SELECT action, amount_cents FROM negotiation_turns WHERE load_id = ? AND id > ? AND kind = 'move' ORDER BY id").all(loadId, start.id) as { action: string; amount_cents: number | null }[];
    const counters = since.filter((move) => move.action === "counter");
    const lastAsk = counters.at(-1)?.amount_cents ?? start.amount_cents;
    const said = brokerSaid.slice(0, 2_000);
    const offer = parseOffer(said, loadedMiles);
    const move = nextMove(plan, offer, lastAsk, counters.length, this.settings());
    const say =
      move.action === "accept"
        ? `We can do ${dollars(offer!.cents)} all in. Please send the rate confirmation.`
        : move.action === "counter"
          ? `We can do it for ${dollars(move.counterCents!)} all in.`
          : "Thanks, but we cannot go that low on this one. Call us if it opens up.";
    this.record(loadId, start.truck_id, "broker", said, null, offer?.cents ?? null, userId);
    this.record(loadId, start.truck_id, "move", `${move.why} ${say}`, move.action, move.counterCents ?? offer?.cents ?? null, userId);
    return { ...move, truckId: start.truck_id, say, offerCents: offer?.cents ?? null };
  }

  /** The load's conversation, oldest first. */
  conversation(loadId: number): { at: number; kind: "plan" | "broker" | "move"; truck_id: number; text: string; action: string | null; amount_cents: number | null }[] {
    return this.deps.db.query("SELECT at, kind, truck_id, text, action, amount_cents FROM negotiation_turns WHERE load_id = ? ORDER BY id").all(loadId) as never;
  }

  private settings(): NegotiationSettings {
    const assistant = this.deps.config().assistant;
    return { minMarginCents: assistant.min_margin_cents, openingStepPercent: assistant.opening_step_percent, maxRounds: assistant.max_counters };
  }

  /** The plan's inputs, from the pair's match (at the posted rate or the lane estimate), the lane and the broker. */
  private compute(loadId: number, truckId: number): { load: LoadView; plan: NegotiationPlan; context: PlanContext; loadedMiles: number } {
    const load = this.views.load(loadId);
    if (!load) throw new NegotiationError("not_found", `There is no load ${loadId}.`);
    const truck = this.deps.loads.engine.truck(truckId);
    if (!truck) throw new NegotiationError("not_found", `There is no truck ${truckId}.`);
    const match = this.deps.loads.engine.pair(truckId, loadId);
    if (!match) throw new NegotiationError("invalid", `Truck ${truck.unit} cannot be matched: ${truck.unavailableReason ?? "no position or equipment"}.`);
    const now = (this.deps.now ?? Date.now)();
    const config = this.deps.config();
    const percentPay = this.deps.loads.costs.current().costs.driver_pay;
    const lane =
      load.origin.state && load.destination.state
        ? this.deps.loads.lanes.report({
            origin: { state: load.origin.state, ...(load.origin.zip ? { zip: load.origin.zip } : {}) },
            destination: { state: load.destination.state, ...(load.destination.zip ? { zip: load.destination.zip } : {}) },
            equipment: load.equipment,
          })
        : null;
    const window = lane?.last30Days;
    const plan = negotiationPlan(
      {
        loadedMiles: match.loaded_miles,
        deadheadMiles: match.deadhead_miles,
        fixedCostsCents: match.fuel_cost_cents + match.variable_cost_cents + match.fixed_cost_cents,
        driverPay: percentPay.kind === "percent" ? { kind: "percent", percent: percentPay.percent } : { kind: "amount", cents: match.driver_pay_cents },
        postedRateCents: load.rate_cents,
        lane: {
          medianCentsPerMile: window?.medianCentsPerMile ?? null,
          p75CentsPerMile: window?.p75CentsPerMile ?? null,
          reports: window?.reports ?? 0,
          confidence: lane?.confidence.level ?? "none",
          label: window ? laneLabel(window.lane) : `${load.origin.state ?? "?"} → ${load.destination.state ?? "?"} (${load.equipment})`,
        },
        hoursToPickup: (load.pickup_earliest - now) / HOUR_MS,
        brokerRisk: (load.broker?.risk_level as "low" | "medium" | "high" | undefined) ?? "unknown",
      },
      this.settings(),
    );
    const context: PlanContext = {
      lane: laneText(load),
      pickup: localTimeText(load.pickup_earliest, config.timezone),
      equipment: load.equipment,
      notes: loadNotes(load.comments, load.commodity),
      postedRateCents: load.rate_cents,
    };
    return { load, plan, context, loadedMiles: match.loaded_miles };
  }

  private record(loadId: number, truckId: number, kind: "plan" | "broker" | "move", text: string, action: string | null, amountCents: number | null, userId: number | null): void {
    this.deps.db
      .query("INSERT INTO negotiation_turns (load_id, truck_id, at, kind, text, action, amount_cents, user_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
      .run(loadId, truckId, (this.deps.now ?? Date.now)(), kind, text, action, amountCents, userId);
  }
}
