/** @jsxImportSource @kitajs/html */
/**
 * The Negotiate panel's routes on a load's page: the plan for a truck, and the next move after what
 * the broker said. htmx swaps the fragments into the page; without JavaScript each answer is a
 * page of its own. Dispatchers only (the same as booking).
 */
import { Elysia, t } from "elysia";
import type { AppDeps } from "../deps";
import { authGuard } from "../auth/guard";
import type { Principal } from "../auth/principal";
import { can } from "../auth/roles";
import { errorPage, renderPage } from "../http/pages";
import { formField } from "../http/form";
import { NegotiationError, Negotiator } from "../assistant/negotiator";
import { providerFor } from "../assistant/provider-for";
import { NegotiationMove, NegotiationPanel } from "../../views/loads/negotiation";

const FormBody = t.Optional(t.Object({}, { additionalProperties: true }));
const HTTP = { not_found: 404, invalid: 422, conflict: 409 } as const;

export function negotiationPages(deps: AppDeps) {
  const negotiator = new Negotiator({ db: deps.db, loads: deps.loads, config: () => deps.config.current(), provider: () => providerFor(deps.config.current().assistant) });
  const canNegotiate = (principal: Principal) => principal.via === "session" && can(principal.role, "dispatch");
  /** A refusal as a fragment (htmx shows it in place) or a page. */
  const refusal = (request: Request, principal: Principal, error: unknown) => {
    if (!(error instanceof NegotiationError)) throw error;
    return renderPage(request, principal, "Negotiate", <p class="notice" safe>{error.message}</p>, { status: HTTP[error.code] });
  };

  return new Elysia({ name: "negotiation-pages", seed: deps })
    .use(authGuard(deps))
    .post(
      "/loads/:id/negotiate",
      async ({ request, principal, params, body }) => {
        if (!canNegotiate(principal!)) return errorPage(403, "Not allowed", "Negotiating is for dispatchers.", principal!);
        const truckId = Number(formField(body, "truck_id"));
        try {
          const result = await negotiator.plan(params.id, truckId, principal!.userId);
          const truck = deps.loads.engine.truck(truckId);
          return renderPage(request, principal!, "Negotiate", NegotiationPanel({ result, truckUnit: truck?.unit ?? String(truckId), csrfToken: principal!.csrfToken }));
        } catch (error) {
          return refusal(request, principal!, error);
        }
      },
      { params: t.Object({ id: t.Numeric() }), body: FormBody, detail: { hide: true } },
    )
    .post(
      "/loads/:id/negotiate/turn",
      ({ request, principal, params, body }) => {
        if (!canNegotiate(principal!)) return errorPage(403, "Not allowed", "Negotiating is for dispatchers.", principal!);
        const said = formField(body, "broker_said").trim();
        if (!said) return renderPage(request, principal!, "Negotiate", <p class="notice">Type what the broker said.</p>, { status: 422 });
        try {
          const move = negotiator.turn(params.id, said, principal!.userId);
          return renderPage(request, principal!, "Negotiate", NegotiationMove({ loadId: params.id, truckId: move.truckId, brokerSaid: said, move, csrfToken: principal!.csrfToken, canBook: true }));
        } catch (error) {
          return refusal(request, principal!, error);
        }
      },
      { params: t.Object({ id: t.Numeric() }), body: FormBody, detail: { hide: true } },
    );
}
