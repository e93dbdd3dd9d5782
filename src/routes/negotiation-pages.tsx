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
import { canOnPage } from "../auth/roles";
import { errorPage, renderPage } from "../http/pages";
import { formField } from "../http/form";
import { NegotiationError, Negotiator } from "../assistant/negotiator";
import { assistantStatus, providerFor } from "../assistant/provider-for";
import { AssistantStatusLine, NegotiationMove, NegotiationPanel, NegotiationWords } from "../../views/loads/negotiation";
import { isHtmx } from "../http/respond";
import { escapeHtml } from "@kitajs/html";
import { REFUSAL_STATUS } from "../http/refusal";

const FormBody = t.Optional(t.Object({}, { additionalProperties: true }));

export function negotiationPages(deps: AppDeps) {
  const negotiator = new Negotiator({ db: deps.db, loads: deps.loads, config: () => deps.config.current(), provider: () => providerFor(deps.config.current().assistant) });
  const canNegotiate = (principal: Principal) => canOnPage(principal, "dispatch");
  /** A refusal as a fragment (htmx shows it in place) or a page. */
  const refusal = (request: Request, principal: Principal, error: unknown) => {
    if (!(error instanceof NegotiationError)) throw error;
    return renderPage(request, principal, "Negotiate", <p class="notice" safe>{error.message}</p>, { status: REFUSAL_STATUS[error.code] });
  };

  return new Elysia({ name: "negotiation-pages", seed: deps })
    .use(authGuard(deps))
    .post(
      "/loads/:id/negotiate",
      async ({ request, principal, params, body }) => {
        if (!canNegotiate(principal!)) return errorPage(403, "Not allowed", "Negotiating is for dispatchers.", principal!);
        const truckId = Number(formField(body, "truck_id"));
        const truckUnit = deps.loads.engine.truck(truckId)?.unit ?? String(truckId);
        try {
          // With htmx the figures show at once and the words stream in (GET …/stream); without
          // JavaScript the page waits for the whole plan.
          if (isHtmx(request)) {
            const plan = negotiator.figures(params.id, truckId);
            const streamFrom = `/loads/${params.id}/negotiate/stream?truck=${truckId}`;
            return renderPage(request, principal!, "Negotiate", NegotiationPanel({ loadId: params.id, plan, truckUnit, csrfToken: principal!.csrfToken, streamFrom }));
          }
          const result = await negotiator.plan(params.id, truckId, principal!.userId);
          return renderPage(request, principal!, "Negotiate", NegotiationPanel({ loadId: params.id, plan: result.plan, truckUnit, csrfToken: principal!.csrfToken, words: result }));
        } catch (error) {
          return refusal(request, principal!, error);
        }
      },
      { params: t.Object({ id: t.Numeric() }), body: FormBody, detail: { hide: true } },
    )
    .get(
      "/loads/:id/negotiate/stream",
      ({ request, principal, params, query }) => {
        // Server-sent events: "text" for each piece a model writes (escaped), then "words" with the
        // checked words, then "done" (the page closes the stream on it).
        if (!canNegotiate(principal!)) return new Response("Negotiating is for dispatchers.", { status: 403 });
        const truckId = Number(query.truck);
        const encoder = new TextEncoder();
        const event = (name: string, html: string) => encoder.encode(`event: ${name}\n${html.split("\n").map((line) => `data: ${line}`).join("\n")}\n\n`);
        const stream = new ReadableStream<Uint8Array>({
          async start(controller) {
            const send = (name: string, html: string) => {
              try {
                controller.enqueue(event(name, html));
              } catch {
                // The page went away: nothing to send to.
              }
            };
            try {
              const result = await negotiator.plan(params.id, truckId, principal!.userId, { onText: (text) => send("text", escapeHtml(text)), signal: request.signal });
              send("words", String(NegotiationWords({ worded: result })) + String(AssistantStatusLine({ assistant: assistantStatus(deps.config.current().assistant), outOfBand: true })));
            } catch (error) {
              const message = error instanceof NegotiationError ? error.message : "The plan could not be written; reload the page.";
              if (!(error instanceof NegotiationError)) deps.log.error("negotiation stream failed", { error: error as Error });
              send("words", `<p class="notice">${escapeHtml(message)}</p>`);
            }
            send("done", "");
            controller.close();
          },
        });
        return new Response(stream, { headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store" } });
      },
      { params: t.Object({ id: t.Numeric() }), query: t.Object({ truck: t.String() }), detail: { hide: true } },
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
