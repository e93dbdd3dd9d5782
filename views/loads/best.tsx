/** @jsxImportSource @kitajs/html */
/**
 * "Best loads now" on a truck's page: the open loads that score highest for this truck from where
 * it is free next, each with its net, all-in rate and deadhead, linking to the load.
 */
import type { Match } from "../../src/domain/matching";
import type { LoadView } from "../../src/loads/views";
import { CardTable } from "../components";
import { DemoBadge, LocalTime, laneText, money, perMile } from "./parts";

export interface BestLoadsProps {
  truckId: number;
  rows: { load: LoadView; match: Match }[];
  /** Why the truck cannot be matched, or how it is (the MPG used). */
  note: string;
  timeZone: string;
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
    </section>
  );
}
