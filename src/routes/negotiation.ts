/**
 * The negotiation assistant's API: a plan for a load and a truck, the next move after what the
 * broker said, and the load's conversation. Every figure is the engine's (src/domain/negotiation.ts).
 */
import { Elysia, t } from "elysia";
import type { AppDeps } from "../deps";
import { authGuard } from "../auth/guard";
import { scopeFor } from "../telemetry/queries";
import { isoTime } from "../http/respond";
import { Integer } from "../http/schema";
import { ErrorSchema } from "./vehicles";
import { NegotiationError, Negotiator } from "../assistant/negotiator";
import { assistantStatus, providerFor } from "../assistant/provider-for";
import { errorBody, refusalOf } from "../http/refusal";


const PlanSchema = t.Object({
  walk_away_cents: Integer(),
  target_cents: Integer(),
  opening_ask_cents: Integer(),
  facts: t.Array(t.Object({ key: t.String(), label: t.String(), value: t.Number(), unit: t.String(), text: t.String() })),
  reasons: t.Array(t.String()),
  talking_points: t.Array(t.String()),
  script: t.String(),
  reply_draft: t.String(),
  counters: t.Array(t.Object({ if: t.String(), say: t.String() })),
  provider: t.String({ description: "Which provider wrote the words: none (the template), embedded or ollama." }),
  model: t.Union([t.String(), t.Null()]),
  fallback: t.Union([t.String({ description: "Why the template wrote the words although a model is configured (it failed, timed out or answered badly)." }), t.Null()]),
});

const MoveSchema = t.Object({
  action: t.Union([t.Literal("accept"), t.Literal("counter"), t.Literal("walk_away")]),
  counter_cents: t.Union([Integer(), t.Null()]),
  why: t.String(),
  say: t.String(),
  offer_cents: t.Union([Integer({ description: "The broker's figure as read from what they said." }), t.Null()]),
});

export function negotiationApi(deps: AppDeps) {
  const negotiator = new Negotiator({ db: deps.db, loads: deps.loads, config: () => deps.config.current(), provider: () => providerFor(deps.config.current().assistant) });
  const refused = refusalOf(NegotiationError);

  return new Elysia({ name: "negotiation-api", seed: deps, prefix: "/api/v1" })
    .use(authGuard(deps))
    .post(
      "/loads/:id/negotiation",
      async ({ params, body, principal, status }) => {
        const scope = scopeFor(principal!);
        if (!scope.all && body.truck_id !== scope.vehicleId) return status(403, errorBody("forbidden", "Drivers negotiate for their own truck only."));
        try {
          const { plan, words, provider, model, fallback } = await negotiator.plan(params.id, body.truck_id, principal!.userId);
          deps.log.info("negotiation plan", { load_id: params.id, truck_id: body.truck_id, by: principal!.name, provider });
          return {
            data: {
              walk_away_cents: plan.walkAwayCents,
              target_cents: plan.targetCents,
              opening_ask_cents: plan.openingAskCents,
              facts: plan.facts,
              reasons: plan.reasons,
              ...words,
              provider,
              model,
              fallback,
            },
          };
        } catch (error) {
          const answer = refused(error);
          return status(answer.status, answer.body);
        }
      },
      {
        params: t.Object({ id: t.Numeric() }),
        body: t.Object({ truck_id: t.Integer() }),
        requires: "dispatch",
        response: { 200: t.Object({ data: PlanSchema }), 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema, 422: ErrorSchema },
        detail: { summary: "A negotiation plan for a load and a truck: walk-away, target and opening ask from the engine, with the words to say", tags: ["negotiation"] },
      },
    )
    .post(
      "/loads/:id/negotiation/turns",
      ({ params, body, principal, status }) => {
        try {
          const move = negotiator.turn(params.id, body.broker_said, principal!.userId);
          return { data: { action: move.action, counter_cents: move.counterCents, why: move.why, say: move.say, offer_cents: move.offerCents } };
        } catch (error) {
          const answer = refused(error);
          return status(answer.status, answer.body);
        }
      },
      {
        params: t.Object({ id: t.Numeric() }),
        body: t.Object({ broker_said: t.String({ minLength: 1, maxLength: 2000, description: "What the broker said, as typed (\"best I can do is 1,850\")." }) }),
        requires: "dispatch",
        response: { 200: t.Object({ data: MoveSchema }), 404: ErrorSchema, 409: ErrorSchema, 422: ErrorSchema },
        detail: { summary: "The next move after what the broker said: accept, counter at a figure, or walk away — the engine decides the figure", tags: ["negotiation"] },
      },
    )
    .get(
      "/assistant",
      () => ({ data: assistantStatus(deps.config.current().assistant) }),
      {
        requires: "read",
        response: t.Object({ data: t.Object({ name: t.String(), model: t.Union([t.String(), t.Null()]), state: t.String(), ready: t.Boolean() }) }),
        detail: { summary: "Who words negotiation plans (none: the template; embedded; ollama), the model and its state", tags: ["negotiation"] },
      },
    )
    .get(
      "/loads/:id/negotiation",
      ({ params }) => ({ data: negotiator.conversation(params.id).map((turn) => ({ ...turn, at: isoTime(turn.at)! })) }),
      {
        params: t.Object({ id: t.Numeric() }),
        requires: "read",
        response: t.Object({ data: t.Array(t.Object({ at: t.String(), kind: t.String(), truck_id: Integer(), text: t.String(), action: t.Union([t.String(), t.Null()]), amount_cents: t.Union([Integer(), t.Null()]) })) }),
        detail: { summary: "A load's negotiation so far: plans, what the broker said, and the moves advised", tags: ["negotiation"] },
      },
    );
}
