/** @jsxImportSource @kitajs/html */
/**
 * The broker book: every broker, riskiest first, and one broker's page — what boards say, the
 * fleet's own history with it, the risk score line by line, and the fleet's notes.
 */
import type { BrokerView } from "../../src/loads/brokers";
import { CardTable, CsrfField } from "../components";
import { DemoBadge, RiskBadge } from "../loads/parts";

export function BrokersPage({ brokers }: { brokers: BrokerView[] }): JSX.Element {
  return (
    <>
      <h1>Brokers</h1>
      <p class="muted">Every broker a load came from, riskiest first. Risk (0–100, higher is riskier) weighs what load boards say and your own history: late or missing payments, disputes, cancellations.</p>
      <section class="card">
        {brokers.length ? (
          <CardTable columns={["Broker", "MC", "Risk", "Board credit", "Board days to pay", "Booked with us", "Paid late"]}>
            {brokers.map((broker) => (
              <tr>
                <td data-label="Broker">
                  <a href={`/brokers/${broker.id}`} safe>
                    {broker.name}
                  </a>{" "}
                  <DemoBadge demo={broker.demo} />
                </td>
                <td data-label="MC" safe>
                  {broker.mc ?? "—"}
                </td>
                <td data-label="Risk">
                  <RiskBadge level={broker.risk.level} score={broker.risk.score} />
                </td>
                <td data-label="Board credit" safe>
                  {broker.credit_score === null ? "—" : String(broker.credit_score)}
                </td>
                <td data-label="Board days to pay" safe>
                  {broker.days_to_pay === null ? "—" : String(broker.days_to_pay)}
                </td>
                <td data-label="Booked with us">{broker.history.loads_booked}</td>
                <td data-label="Paid late">{broker.history.paid_late}</td>
              </tr>
            ))}
          </CardTable>
        ) : (
          <p class="muted">No brokers yet: they appear with the first loads from a load-board source.</p>
        )}
      </section>
    </>
  );
}

export function BrokerPage({ broker, canEdit, csrfToken }: { broker: BrokerView; canEdit: boolean; csrfToken: string | undefined }): JSX.Element {
  const history = broker.history;
  return (
    <>
      <p class="muted">
        <a href="/brokers">← Brokers</a>
      </p>
      <div class="page-head">
        <h1 safe>{broker.name}</h1>
        <RiskBadge level={broker.risk.level} score={broker.risk.score} /> <DemoBadge demo={broker.demo} />
      </div>
      <div class="grid two">
        <section class="card">
          <h2>What boards say</h2>
          <dl class="facts">
            <dt>MC</dt>
            <dd safe>{broker.mc ?? "not given"}</dd>
            <dt>DOT</dt>
            <dd safe>{broker.dot ?? "—"}</dd>
            <dt>Phone</dt>
            <dd safe>{broker.phone ?? "—"}</dd>
            <dt>E-mail</dt>
            <dd safe>{broker.email ?? "—"}</dd>
            <dt>Credit score</dt>
            <dd safe>{broker.credit_score === null ? "—" : `${broker.credit_score} / 100`}</dd>
            <dt>Days to pay</dt>
            <dd safe>{broker.days_to_pay === null ? "—" : `${broker.days_to_pay} days`}</dd>
          </dl>
        </section>
        <section class="card">
          <h2>Our history</h2>
          <dl class="facts">
            <dt>Loads booked</dt>
            <dd>{history.loads_booked}</dd>
            <dt>Paid on time</dt>
            <dd>{history.paid_on_time}</dd>
            <dt>Paid late</dt>
            <dd>{history.paid_late}</dd>
            <dt>Average days to pay</dt>
            <dd safe>{history.avg_days_to_pay === null || history.avg_days_to_pay === undefined ? "—" : `${Math.round(history.avg_days_to_pay * 10) / 10} days`}</dd>
            <dt>Unpaid past due</dt>
            <dd>{history.unpaid_past_due}</dd>
            <dt>Disputes</dt>
            <dd>{history.disputes}</dd>
            <dt>Cancelled by them</dt>
            <dd>{history.cancelled_by_broker}</dd>
          </dl>
        </section>
      </div>
      <section class="card">
        <h2 safe>{`Risk ${broker.risk.score} / 100 (${broker.risk.level})`}</h2>
        <ul>
          {broker.risk.reasons.map((reason) => (
            <li safe>{`${reason.text} (${reason.points > 0 ? "+" : reason.points < 0 ? "−" : ""}${Math.abs(reason.points)})`}</li>
          ))}
        </ul>
      </section>
      <section class="card">
        <h2>Notes</h2>
        {canEdit ? (
          <form method="post" action={`/brokers/${broker.id}/notes`}>
            <CsrfField token={csrfToken} />
            <textarea name="notes" rows="4" maxlength="10000" safe>
              {broker.notes}
            </textarea>
            <button type="submit">Save notes</button>
          </form>
        ) : (
          <p safe>{broker.notes || "No notes."}</p>
        )}
      </section>
    </>
  );
}
