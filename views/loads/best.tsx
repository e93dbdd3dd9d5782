/** @jsxImportSource @kitajs/html */
/**
 * "Best loads now" on a truck's page: the open loads that score highest for this truck from where
 * it is free next, each with its net, all-in rate and deadhead, linking to the load.
 */
import type { Match } from "../../src/domain/matching";
import type { LoadView } from "../../src/loads/views";
import type { TruckPreferencesInput } from "../../src/loads/preferences";
import { CardTable, CsrfField } from "../components";
import { DemoBadge, LocalTime, laneText, money, perMile } from "./parts";

export interface BestLoadsProps {
  truckId: number;
  rows: { load: LoadView; match: Match }[];
  /** Why the truck cannot be matched, or how it is (the MPG used). */
  note: string;
  timeZone: string;
  preferences: TruckPreferencesInput;
  /** The fleet's deadhead limit, shown when the truck has none of its own. */
  fleetMaxDeadheadMiles: number;
  canEdit: boolean;
  csrfToken: string | undefined;
}

export function BestLoads(props: BestLoadsProps): JSX.Element {
  return (
    <section class="card" id="best-loads">
      <h2>Best loads now</h2>
      <p class="muted small" safe>
        {props.note}
      </p>
      {props.rows.length ? (
        <CardTable columns={["Score", "Load", "Pickup", "Net", "All-in", "Deadhead"]}>
          {props.rows.map(({ load, match }) => (
            <tr>
              <td data-label="Score">{match.score}</td>
              <td data-label="Load">
                <a href={`/loads/${load.id}`} safe>
                  {laneText(load)}
                </a>{" "}
                <DemoBadge demo={load.demo} />
              </td>
              <td data-label="Pickup">
                <LocalTime at={load.pickup_earliest} timeZone={props.timeZone} />
              </td>
              <td data-label="Net" safe>
                {money(match.net_cents, false)}
              </td>
              <td data-label="All-in" safe>
                {perMile(match.rpm_all_in_cents)}
              </td>
              <td data-label="Deadhead">{Math.round(match.deadhead_miles)} mi</td>
            </tr>
          ))}
        </CardTable>
      ) : (
        <p class="muted">No open load scores above zero for this truck right now.</p>
      )}
      <p>
        <a href={`/loads?truck=${props.truckId}`}>All loads for this truck →</a>
      </p>
      <Preferences {...props} />
    </section>
  );
}

/** The driver's preferences the score checks, as a form for dispatchers (read-only for others). */
function Preferences(props: BestLoadsProps): JSX.Element {
  const p = props.preferences;
  const summary = [
    `deadhead up to ${p.max_deadhead_miles ?? props.fleetMaxDeadheadMiles} mi${p.max_deadhead_miles === null ? " (fleet setting)" : ""}`,
    p.min_rpm_all_in_cents === null ? "" : `at least ${perMile(p.min_rpm_all_in_cents)} all-in`,
    p.preferred_states.length ? `prefers ${p.preferred_states.join(", ")}` : "",
    p.avoided_states.length ? `avoids ${p.avoided_states.join(", ")}` : "",
    p.max_weight_lb === null ? "" : `up to ${p.max_weight_lb.toLocaleString("en-US")} lb`,
    p.home_by ? `home by ${p.home_by}` : "",
  ]
    .filter(Boolean)
    .join(" · ");
  return (
    <details class="preferences">
      <summary safe>{`Preferences: ${summary}`}</summary>
      {props.canEdit ? (
        <form method="post" action={`/trucks/${props.truckId}/preferences`} class="inline-form">
          <CsrfField token={props.csrfToken} />
          <label>
            Max deadhead (mi)
            <input name="max_deadhead_miles" inputmode="numeric" value={p.max_deadhead_miles === null ? "" : String(p.max_deadhead_miles)} placeholder={String(props.fleetMaxDeadheadMiles)} />
          </label>
          <label>
            Min all-in ($/mi)
            <input name="min_rpm" inputmode="decimal" value={p.min_rpm_all_in_cents === null ? "" : (p.min_rpm_all_in_cents / 100).toFixed(2)} placeholder="2.00" />
          </label>
          <label>
            Preferred states
            <input name="preferred_states" value={p.preferred_states.join(", ")} placeholder="TX, OK" />
          </label>
          <label>
            Avoided states
            <input name="avoided_states" value={p.avoided_states.join(", ")} placeholder="NY, NJ" />
          </label>
          <label>
            Max weight (lb)
            <input name="max_weight_lb" inputmode="numeric" value={p.max_weight_lb === null ? "" : String(p.max_weight_lb)} />
          </label>
          <label>
            Home by
            <input type="date" name="home_by" value={p.home_by ?? ""} />
          </label>
          <button type="submit">Save preferences</button>
        </form>
      ) : (
        ""
      )}
    </details>
  );
}
