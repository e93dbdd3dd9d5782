/** @jsxImportSource @kitajs/html */
/**
 * One load: what the board said (untrusted text, escaped), the broker card, the full breakdown
 * for the best truck and the figures for every truck, the lifecycle actions a dispatcher can take
 * next, and its history.
 */
import type { Match } from "../../src/domain/matching";
import type { LoadView } from "../../src/loads/views";
import type { BrokerView } from "../../src/loads/brokers";
import type { EngineTruck } from "../../src/engines/matching";
import { EQUIPMENT } from "../../src/loads/records";
import type { LaneRateReport } from "../../src/domain/lane-rates";
import { ASSET_VERSION } from "../../src/version";
import { jsonAttribute } from "../fleet/map";
import { CsrfField, Flash } from "../components";
import { Breakdown, DemoBadge, LocalTime, RiskBadge, laneText, money, perMile, placeText } from "./parts";
import { NegotiateCard } from "./negotiation";
import type { ProviderStatus } from "../../src/assistant/providers";

/** The load's lane: its statistics and day-by-day series for the chart. */
export interface LaneView {
  label: string;
  report: LaneRateReport;
  series: { days: number[]; p25: (number | null)[]; median: (number | null)[]; p75: (number | null)[] };
}

export interface LoadPageProps {
  lane: LaneView | null;
  load: LoadView;
  matches: Match[];
  trucks: EngineTruck[];
  broker: BrokerView | null;
  events: { at: number; status: string; note: string | null; user: string | null }[];
  timeZone: string;
  canEdit: boolean;
  csrfToken: string | undefined;
  flash?: { kind: "success" | "error"; text: string };
  /** Who words negotiation plans, and their state (the Negotiate card says it). */
  assistant: ProviderStatus;
}

/** The steps a dispatcher can take from each status (booking has its own form). */
const ACTIONS: Record<string, { status: string; label: string }[]> = {
  open: [
    { status: "saved", label: "Save" },
    { status: "negotiating", label: "Negotiating" },
  ],
  expired: [{ status: "open", label: "Reopen" }],
  saved: [
    { status: "negotiating", label: "Negotiating" },
    { status: "open", label: "Unsave" },
  ],
  negotiating: [{ status: "saved", label: "Back to saved" }],
  booked: [{ status: "picked_up", label: "Picked up" }],
  picked_up: [{ status: "delivered", label: "Delivered" }],
  delivered: [{ status: "invoiced", label: "Invoiced" }],
  invoiced: [{ status: "paid", label: "Paid" }],
};
const BOOKABLE = new Set(["open", "saved", "negotiating", "expired"]);

export function LoadPage(props: LoadPageProps): JSX.Element {
  const { load, timeZone } = props;
  const best = props.matches[0] ?? null;
  const truckName = (id: number) => props.trucks.find((truck) => truck.id === id)?.unit ?? String(id);
  const status = load.status.replace("_", " ");
  return (
    <>
      <p class="muted">
        <a href="/loads">← Loads</a>
      </p>
      <div class="page-head">
        <h1 safe>{laneText(load)}</h1>
        <span class="badge" safe>
          {status}
        </span>{" "}
        {load.disputed ? <span class="badge bad">payment disputed</span> : ""}{" "}
        <DemoBadge demo={load.demo} />
      </div>
      {props.flash ? (
        <Flash kind={props.flash.kind}>
          <span safe>{props.flash.text}</span>
        </Flash>
      ) : (
        ""
      )}
      <div class="grid two">
        <section class="card">
          <h2>The load</h2>
          <dl class="facts">
            <dt>From</dt>
            <dd safe>{placeText(load.origin)}</dd>
            <dt>To</dt>
            <dd safe>{placeText(load.destination)}</dd>
            <dt>Pickup</dt>
            <dd>
              <LocalTime at={load.pickup_earliest} timeZone={timeZone} />
              {load.pickup_latest ? (
                <>
                  {" – "}
                  <LocalTime at={load.pickup_latest} timeZone={timeZone} />
                </>
              ) : (
                ""
              )}
            </dd>
            <dt>Delivery</dt>
            <dd>
              <LocalTime at={load.delivery_earliest} timeZone={timeZone} />
              {load.delivery_latest ? (
                <>
                  {" – "}
                  <LocalTime at={load.delivery_latest} timeZone={timeZone} />
                </>
              ) : (
                ""
              )}
            </dd>
            <dt>Equipment</dt>
            <dd safe>{`${load.equipment} — ${EQUIPMENT[load.equipment as keyof typeof EQUIPMENT] ?? "?"}${load.full ? "" : ", partial"}`}</dd>
            <dt>Weight</dt>
            <dd safe>{load.weight_lb === null ? "—" : `${Math.round(load.weight_lb).toLocaleString("en-US")} lb`}</dd>
            <dt>Posted rate</dt>
            <dd safe>{load.rate_cents === null ? "none posted" : `${money(load.rate_cents)}${load.loaded_miles ? ` (${perMile(Math.round(load.rate_cents / load.loaded_miles))} on ${load.loaded_miles} mi)` : ""}`}</dd>
            {load.agreed_rate_cents !== null ? (
              <>
                <dt>Agreed rate</dt>
                <dd safe>{`${money(load.agreed_rate_cents)} with truck ${load.truck_id === null ? "?" : truckName(load.truck_id)}`}</dd>
              </>
            ) : (
              ""
            )}
            <dt>Commodity</dt>
            <dd safe>{load.commodity ?? "—"}</dd>
            <dt>Source</dt>
            <dd safe>{`${load.source} (${load.external_id})`}</dd>
          </dl>
          {load.comments ? (
            <>
              <h3>Comments from the board</h3>
              <p class="comments" safe>
                {load.comments}
              </p>
            </>
          ) : (
            ""
          )}
        </section>
        <section class="card">
          <h2>Broker</h2>
          {props.broker ? (
            <>
              <p>
                <a href={`/brokers/${props.broker.id}`} safe>
                  {props.broker.name}
                </a>{" "}
                <RiskBadge level={props.broker.risk.level} score={props.broker.risk.score} />
              </p>
              <p class="muted small" safe>
                {[props.broker.mc ? `MC ${props.broker.mc}` : "no MC number", props.broker.phone, props.broker.email].filter(Boolean).join(" · ")}
              </p>
              <ul class="small">
                {props.broker.risk.reasons.map((reason) => (
                  <li safe>{`${reason.text} (${reason.points > 0 ? "+" : reason.points < 0 ? "−" : ""}${Math.abs(reason.points)})`}</li>
                ))}
              </ul>
            </>
          ) : (
            <p class="muted">No broker on this load.</p>
          )}
        </section>
      </div>
      {props.canEdit ? <Actions {...props} /> : ""}
      {props.canEdit && BOOKABLE.has(props.load.status) ? (
        <NegotiateCard loadId={props.load.id} trucks={props.trucks} suggestedTruckId={props.matches[0]?.truck_id ?? null} csrfToken={props.csrfToken} assistant={props.assistant} />
      ) : (
        ""
      )}
      <section class="card">
        {best ? (
          <h2>
            Best truck: <span safe>{truckName(best.truck_id)}</span> — score {best.score}
          </h2>
        ) : (
          <h2>No truck can be matched</h2>
        )}
        {best ? <Breakdown match={best} timeZone={timeZone} /> : <p class="muted">Give trucks an equipment type and a position (a device reporting) to see figures.</p>}
      </section>
      {props.lane ? <LaneCard lane={props.lane} load={load} /> : ""}
      {props.matches.length > 1 ? (
        <section class="card">
          <h2>Every truck</h2>
          <div class="table-wrap">
            <table class="cards">
              <thead>
                <tr>
                  <th>Truck</th>
                  <th>Score</th>
                  <th>Net</th>
                  <th>All-in</th>
                  <th>Deadhead</th>
                  <th>Hours of service</th>
                </tr>
              </thead>
              <tbody>
                {props.matches.map((match) => (
                  <tr>
                    <td data-label="Truck" safe>
                      {truckName(match.truck_id)}
                    </td>
                    <td data-label="Score">{match.score}</td>
                    <td data-label="Net" safe>
                      {money(match.net_cents)}
                    </td>
                    <td data-label="All-in" safe>
                      {perMile(match.rpm_all_in_cents)}
                    </td>
                    <td data-label="Deadhead" safe>
                      {`${match.deadhead_miles} mi`}
                    </td>
                    <td data-label="Hours of service">
                      {match.hos_feasible ? "makes the pickup" : "cannot make the pickup"}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ) : (
        ""
      )}
      <section class="card">
        <h2>History</h2>
        <ul class="small">
          <li>
            First seen <LocalTime at={load.first_seen} timeZone={timeZone} />
          </li>
          {props.events.map((event) => (
            <li>
              <span safe>{event.status.replace("_", " ")}</span> <LocalTime at={event.at} timeZone={timeZone} />
              {event.user ? <span class="muted" safe>{` by ${event.user}`}</span> : ""}
              {event.note ? <span class="muted" safe>{` — ${event.note}`}</span> : ""}
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}

/** The lifecycle forms: book (truck and agreed rate), the next step, cancel. */
function Actions(props: LoadPageProps): JSX.Element {
  const { load } = props;
  const steps = ACTIONS[load.status] ?? [];
  const cancellable = load.status !== "paid" && load.status !== "cancelled";
  const matchable = props.trucks.filter((truck) => truck.match);
  const suggested = props.matches[0];
  return (
    <section class="card">
      <h2>Next step</h2>
      {BOOKABLE.has(load.status) ? (
        <form method="post" action={`/loads/${load.id}/book`} class="inline-form">
          <CsrfField token={props.csrfToken} />
          <label>
            Truck
            <select name="truck_id" required>
              {(matchable.length ? matchable : props.trucks).map((truck) => (
                <option value={String(truck.id)} selected={truck.id === suggested?.truck_id} safe>
                  {truck.unit}
                </option>
              ))}
            </select>
          </label>
          <label>
            Agreed rate ($)
            <input name="rate" inputmode="decimal" required value={load.rate_cents === null ? "" : (load.rate_cents / 100).toFixed(2)} placeholder="1,850" />
          </label>
          <button type="submit">Book</button>
        </form>
      ) : (
        ""
      )}
      <div class="inline-form">
        {steps.map((step) => (
          <form method="post" action={`/loads/${load.id}/status`}>
            <CsrfField token={props.csrfToken} />
            <input type="hidden" name="status" value={step.status} />
            <button type="submit" safe>
              {step.label}
            </button>
          </form>
        ))}
        {load.times.booked !== undefined && load.status !== "cancelled" ? (
          <form method="post" action={`/loads/${load.id}/dispute`}>
            <CsrfField token={props.csrfToken} />
            <input type="hidden" name="disputed" value={load.disputed ? "false" : "true"} />
            <button type="submit" class="secondary">
              {load.disputed ? "Dispute settled" : "Payment disputed"}
            </button>
          </form>
        ) : (
          ""
        )}
        {cancellable ? (
          <form method="post" action={`/loads/${load.id}/status`}>
            <CsrfField token={props.csrfToken} />
            <input type="hidden" name="status" value="cancelled" />
            <select name="cancelled_by" aria-label="Cancelled by">
              <option value="fleet">by us</option>
              <option value="broker">by the broker</option>
            </select>
            <button type="submit" class="secondary">
              Cancel load
            </button>
          </form>
        ) : (
          ""
        )}
      </div>
    </section>
  );
}

/** The lane's rates: the 30-day figures in words and the 90-day chart (uPlot). */
function LaneCard({ lane, load }: { lane: LaneView; load: LoadView }): JSX.Element {
  const days30 = lane.report.last30Days;
  const loadRpm = load.rate_cents !== null && load.loaded_miles ? Math.round(load.rate_cents / load.loaded_miles) : null;
  return (
    <section class="card" id="lane">
      <link rel="stylesheet" href={`/static/uPlot.min.css?v=${ASSET_VERSION}`} />
      <script src={`/static/uPlot.iife.min.js?v=${ASSET_VERSION}`} defer></script>
      <script src={`/static/lane-chart.js?v=${ASSET_VERSION}`} defer></script>
      <h2 safe>{`Lane ${lane.label}`}</h2>
      <p safe>
        {days30.medianCentsPerMile === null
          ? "No rates reported on this lane in the last 30 days."
          : `Last 30 days: median ${perMile(days30.medianCentsPerMile)}, middle half ${perMile(days30.p25CentsPerMile)}–${perMile(days30.p75CentsPerMile)}, ${days30.reports} report${days30.reports === 1 ? "" : "s"}; trend ${lane.report.trend.text}.${loadRpm === null ? "" : ` This load: ${perMile(loadRpm)}.`}`}
      </p>
      <p class="muted small" safe>
        {`${lane.report.confidence.sentence} ${lane.report.basis}`}
      </p>
      <div class="chart" id="lane-chart" data-series={jsonAttribute({ ...lane.series, load: loadRpm })}></div>
      <noscript>
        <p class="muted">The chart needs JavaScript; the figures above are the same data.</p>
      </noscript>
    </section>
  );
}
