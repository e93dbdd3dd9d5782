/** @jsxImportSource @kitajs/html */
/**
 * The Negotiate panel on a load's page: the engine's figures (walk-away, target, opening ask) with
 * their reasons, the words to say (from a model or the template — the panel says which), and a box
 * for what the broker said that answers with the next move; an accepted offer books the load at
 * that rate. Every text from a board or a model is escaped.
 */
import type { TurnResult } from "../../src/assistant/negotiator";
import type { ProviderStatus, WordedPlan } from "../../src/assistant/providers";
import { dollars, type NegotiationPlan } from "../../src/domain/negotiation";
import type { EngineTruck } from "../../src/engines/matching";
import { CsrfField } from "../components";

/** The card with the truck to negotiate for and the button (the panel loads into #negotiation). */
export function NegotiateCard(props: { loadId: number; trucks: EngineTruck[]; suggestedTruckId: number | null; csrfToken: string | undefined; assistant: ProviderStatus }): JSX.Element {
  const matchable = props.trucks.filter((truck) => truck.match);
  return (
    <section class="card">
      <h2>Negotiate</h2>
      {matchable.length ? (
        <form method="post" action={`/loads/${props.loadId}/negotiate`} hx-post={`/loads/${props.loadId}/negotiate`} hx-target="#negotiation" hx-swap="innerHTML" class="inline-form">
          <CsrfField token={props.csrfToken} />
          <label>
            For truck
            <select name="truck_id">
              {matchable.map((truck) => (
                <option value={String(truck.id)} selected={truck.id === props.suggestedTruckId} safe>
                  {truck.unit}
                </option>
              ))}
            </select>
          </label>
          <button type="submit">Negotiate</button>
        </form>
      ) : (
        <p class="muted">No truck can be matched to this load, so there are no figures to negotiate with.</p>
      )}
      <AssistantStatusLine assistant={props.assistant} />
      <div id="negotiation" aria-live="polite"></div>
    </section>
  );
}

/**
 * Who writes the words and in what state. Sent again out of band with a streamed plan's words
 * (`outOfBand`), so "not loaded yet" does not stay on the page once the model has loaded.
 */
export function AssistantStatusLine(props: { assistant: ProviderStatus; outOfBand?: boolean }): JSX.Element {
  const { assistant } = props;
  return (
    <p id="assistant-status" class="muted small assistant-status" hx-swap-oob={props.outOfBand ? "true" : undefined} safe>
      {assistant.name === "none" ? `Words: ${assistant.state}.` : `Words: ${assistant.name} model ${assistant.model ?? ""} — ${assistant.state}.`}
    </p>
  );
}

/**
 * The plan: figures first (the engine's, shown at once), then the words — given, or streamed in as
 * a model writes them (`streamFrom`: the SSE address; htmx's sse extension appends each piece, then
 * swaps in the checked words) — then the box for the broker's answer.
 */
export function NegotiationPanel(props: { loadId: number; plan: NegotiationPlan; truckUnit: string; csrfToken: string | undefined; words?: WordedPlan; streamFrom?: string }): JSX.Element {
  const { plan } = props;
  return (
    <div class="negotiation" data-load={String(props.loadId)}>
      <p class="small" safe>{`For truck ${props.truckUnit}:`}</p>
      <dl class="figures">
        <div>
          <dt>Open at</dt>
          <dd class="figure-ask" safe>{dollars(plan.openingAskCents)}</dd>
        </div>
        <div>
          <dt>Target</dt>
          <dd class="figure-target" safe>{dollars(plan.targetCents)}</dd>
        </div>
        <div>
          <dt>Walk away under</dt>
          <dd class="figure-walk" safe>{dollars(plan.walkAwayCents)}</dd>
        </div>
      </dl>
      <details>
        <summary>Why these figures</summary>
        <ul>
          {plan.reasons.map((reason) => (
            <li safe>{reason}</li>
          ))}
        </ul>
      </details>
      {props.words ? (
        <div class="negotiation-words">
          <NegotiationWords worded={props.words} />
        </div>
      ) : (
        <div class="negotiation-words" hx-ext="sse" sse-connect={props.streamFrom} sse-swap="words" hx-swap="innerHTML" sse-close="done">
          <p class="muted small">Writing the words…</p>
          <pre class="writing" sse-swap="text" hx-swap="beforeend"></pre>
        </div>
      )}
      <div id="negotiation-moves"></div>
      <form
        method="post"
        action={`/loads/${props.loadId}/negotiate/turn`}
        hx-post={`/loads/${props.loadId}/negotiate/turn`}
        hx-target="#negotiation-moves"
        hx-swap="beforeend"
        hx-on--after-request="if (event.detail.successful) this.reset()"
        class="inline-form"
      >
        <CsrfField token={props.csrfToken} />
        <label>
          The broker said
          <input name="broker_said" required maxlength="2000" placeholder="best I can do is 1,850" autocomplete="off" />
        </label>
        <button type="submit">Next move</button>
      </form>
    </div>
  );
}

/** The words to say, and who wrote them. */
export function NegotiationWords({ worded }: { worded: WordedPlan }): JSX.Element {
  const { words } = worded;
  const source =
    worded.provider === "none"
      ? "Words from the template (no model is configured)."
      : worded.fallback
        ? `Words from the template: ${worded.fallback}.`
        : `Words by ${worded.provider}${worded.model ? ` (${worded.model})` : ""}; every figure checked against the engine's${worded.removed.length ? `, ${worded.removed.length} sentence${worded.removed.length === 1 ? "" : "s"} with another figure taken out` : ""}.`;
  return (
    <>
      <h3>Say</h3>
      <ul class="talking-points">
        {words.talking_points.map((point) => (
          <li safe>{point}</li>
        ))}
      </ul>
      <p class="script" safe>
        {words.script}
      </p>
      <details>
        <summary>Reply by e-mail or text</summary>
        <p class="reply-draft" safe>
          {words.reply_draft}
        </p>
      </details>
      <details>
        <summary>If they push back</summary>
        <ul>
          {words.counters.map((counter) => (
            <li>
              <strong safe>{counter.if}</strong>: <span safe>{counter.say}</span>
            </li>
          ))}
        </ul>
      </details>
      <p class="muted small words-source" safe>
        {source}
      </p>
    </>
  );
}

const ACTION_TEXT = { accept: "Accept", counter: "Counter", walk_away: "Walk away" } as const;

/** One exchange: what the broker said, the move, what to say — and for an accepted offer, the button that books it. */
export function NegotiationMove(props: { loadId: number; truckId: number; brokerSaid: string; move: TurnResult; csrfToken: string | undefined; canBook: boolean }): JSX.Element {
  const { move } = props;
  return (
    <div class={`move move-${move.action}`}>
      <p class="small muted" safe>{`Broker: “${props.brokerSaid}”`}</p>
      <p>
        <strong safe>{`${ACTION_TEXT[move.action]}${move.counterCents !== null ? ` at ${dollars(move.counterCents)}` : ""}`}</strong>
        {" — "}
        <span safe>{move.why}</span>
      </p>
      <p class="script" safe>{`Say: ${move.say}`}</p>
      {move.action === "accept" && move.offerCents !== null && props.canBook ? (
        <form method="post" action={`/loads/${props.loadId}/book`} class="inline-form">
          <CsrfField token={props.csrfToken} />
          <input type="hidden" name="truck_id" value={String(props.truckId)} />
          <input type="hidden" name="rate" value={(move.offerCents / 100).toFixed(2)} />
          <button type="submit" safe>{`Accept and book at ${dollars(move.offerCents)}`}</button>
        </form>
      ) : (
        ""
      )}
    </div>
  );
}
