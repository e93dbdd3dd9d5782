/** @jsxImportSource @kitajs/html */
/**
 * The load board: open loads, filtered by truck, equipment, distance from the truck and pickup
 * date, best score first, a page of rows at a time. Each row shows what a dispatcher decides on —
 * net profit, all-in rate per mile, deadhead, broker risk — and opens (a <details>) to the full
 * breakdown, fetched with htmx when opened (a page of breakdowns is most of a page's weight and
 * few are read); without JavaScript the opened row links to the load's own page, which has the
 * breakdown for every truck and the lifecycle actions.
 */
import type { BoardRow } from "../../src/loads/views";
import type { EngineTruck } from "../../src/engines/matching";
import type { Match } from "../../src/domain/matching";
import { EQUIPMENT, EQUIPMENT_CODES } from "../../src/loads/records";
import { groupThousands } from "../../src/domain/money";
import { Breakdown, DemoBadge, LocalTime, RiskBadge, laneText, money, perMile } from "./parts";

/** One row's breakdown, as the board fetches it when the row is opened. */
export function BoardBreakdown(props: { match: Match; truckName: string; brokerName: string | null; timeZone: string }): JSX.Element {
  return (
    <>
      <p class="small" safe>{`For truck ${props.truckName}${props.brokerName ? `, broker ${props.brokerName}` : ""}:`}</p>
      <Breakdown match={props.match} timeZone={props.timeZone} />
    </>
  );
}

export interface BoardFilterValues {
  truckId: number | null;
  equipment: string;
  radiusMiles: number | null;
  pickupDate: string;
}

export interface LoadBoardProps {
  rows: BoardRow[];
  /** Loads matching the filter before paging. */
  total: number;
  /** Rows before this page. */
  offset: number;
  /** Rows a page holds. */
  pageSize: number;
  trucks: EngineTruck[];
  filter: BoardFilterValues;
  timeZone: string;
  canEdit: boolean;
  /** Trucks by id, to name the truck a match is for. */
  truckNames: Map<number, string>;
  /** Explains an empty board (no sources, none open, all filtered out). */
  emptyText: string;
}

export function LoadBoardPage(props: LoadBoardProps): JSX.Element {
  const { filter } = props;
  const selected = filter.truckId === null ? null : props.trucks.find((truck) => truck.id === filter.truckId) ?? null;
  return (
    <>
      <div class="page-head">
        <h1>Loads</h1>
        {props.canEdit ? (
          <>
            <a class="button" href="/loads/new">
              Enter a load
            </a>{" "}
            <a class="button secondary" href="/loads/upload">
              Upload a file
            </a>
          </>
        ) : (
          ""
        )}
      </div>
      <form class="card filters" method="get" action="/loads">
        <label>
          Truck
          <select name="truck">
            <option value="">Best truck for each load</option>
            {props.trucks.map((truck) => (
              <option value={String(truck.id)} selected={truck.id === filter.truckId} safe>
                {`${truck.unit}${truck.name && truck.name !== truck.unit ? ` ${truck.name}` : ""}${truck.match ? "" : ` (${truck.unavailableReason})`}`}
              </option>
            ))}
          </select>
        </label>
        <label>
          Equipment
          <select name="equipment">
            <option value="">Any</option>
            {EQUIPMENT_CODES.map((code) => (
              <option value={code} selected={code === filter.equipment} safe>
                {`${code} — ${EQUIPMENT[code]}`}
              </option>
            ))}
          </select>
        </label>
        <label>
          Pickup within (mi of the truck)
          <input type="number" name="radius" min="1" max="3000" value={filter.radiusMiles === null ? "" : String(filter.radiusMiles)} placeholder="any" />
        </label>
        <label>
          Pickup on
          <input type="date" name="pickup" value={filter.pickupDate} />
        </label>
        <button type="submit">Show</button>
      </form>
      {selected && !selected.match ? <p class="notice" safe>{`Truck ${selected.unit} cannot be matched: ${selected.unavailableReason}.`}</p> : ""}
      {selected?.match ? (
        <p class="muted small" safe>
          {`Scored for ${selected.unit} from where it is free next; fuel at ${selected.match.mpg} mpg (${selected.mpg.reason}). Hours of service: the driver is assumed rested (no ELD data).`}
        </p>
      ) : (
        ""
      )}
      <p class="muted small" safe>
        {props.rows.length
          ? `${count(props.offset + 1)}–${count(props.offset + props.rows.length)} of ${count(props.total)} loads, best score first. Score 0–100: net profit per day, adjusted for preferences and risk; a rate with ~ is the lane's median (none was posted).`
          : `0 of ${count(props.total)} loads.`}
      </p>
      {props.rows.length ? (
        <div class="load-list">
          {props.rows.map(({ load, match }) => (
            <details
              class="load-row"
              id={`load-${load.id}`}
              hx-get={match ? `/loads/${load.id}/breakdown?truck=${match.truck_id}` : undefined}
              hx-trigger={match ? "toggle once" : undefined}
              hx-target={match ? "find .breakdown-slot" : undefined}
            >
              <summary>
                <span class="score">
                  {match ? match.score : "–"}
                </span>
                <span class="lane">
                  <a href={`/loads/${load.id}`} safe>
                    {laneText(load)}
                  </a>{" "}
                  <DemoBadge demo={load.demo} />
                  <span class="muted small block">
                    <LocalTime at={load.pickup_earliest} timeZone={props.timeZone} />
                    {` · ${load.equipment}${load.weight_lb ? ` · ${Math.round(load.weight_lb).toLocaleString("en-US")} lb` : ""}` as "safe"}
                  </span>
                </span>
                <span class="figure">
                  <span class="label">Rate</span>
                  <span safe>{load.rate_cents !== null ? money(load.rate_cents, false) : match ? `~${money(match.revenue_cents, false)}` : "call"}</span>
                </span>
                <span class="figure">
                  <span class="label">Net</span>
                  <span class={match && match.net_cents < 0 ? "bad" : ""}>
                    {match ? money(match.net_cents, false) : "—"}
                  </span>
                </span>
                <span class="figure">
                  <span class="label">All-in</span>
                  <span>{match ? perMile(match.rpm_all_in_cents) : "—"}</span>
                </span>
                <span class="figure">
                  <span class="label">Deadhead</span>
                  <span>{match ? `${Math.round(match.deadhead_miles)} mi` : "—"}</span>
                </span>
                <span class="figure">{load.broker ? <RiskBadge level={load.broker.risk_level} score={load.broker.risk} /> : <span class="muted">no broker</span>}</span>
              </summary>
              <div class="load-detail">
                {match ? (
                  <div class="breakdown-slot">
                    <p class="muted small" safe>{`For truck ${props.truckNames.get(match.truck_id) ?? match.truck_id}: the breakdown is on the load's page.`}</p>
                  </div>
                ) : (
                  <p class="muted">Not scored for this truck: too far from it, or equipment it does not haul. The load page shows the figures for every truck.</p>
                )}
                <p>
                  <a href={`/loads/${load.id}`}>Open the load →</a>
                </p>
              </div>
            </details>
          ))}
        </div>
      ) : (
        <p class="card muted" safe>
          {props.emptyText}
        </p>
      )}
      <BoardPager {...props} />
    </>
  );
}

/** Previous and next page links, keeping the filters. */
function BoardPager(props: LoadBoardProps): JSX.Element {
  const { filter, offset, pageSize, total } = props;
  const link = (from: number) => {
    const query = new URLSearchParams();
    if (filter.truckId !== null) query.set("truck", String(filter.truckId));
    if (filter.equipment) query.set("equipment", filter.equipment);
    if (filter.radiusMiles !== null) query.set("radius", String(filter.radiusMiles));
    if (filter.pickupDate) query.set("pickup", filter.pickupDate);
    if (from > 0) query.set("from", String(from));
    const text = query.toString();
    return `/loads${text ? `?${text}` : ""}`;
  };
  const previous = offset > 0;
  const next = offset + props.rows.length < total;
  if (!previous && !next) return <></>;
  return (
    <nav class="pager">
      {previous ? <a href={link(Math.max(0, offset - pageSize))}>← Previous {pageSize}</a> : ""}
      {next ? <a href={link(offset + pageSize)}>Next {pageSize} →</a> : ""}
    </nav>
  );
}

/** 200000 → "200,000". */
const count = (value: number) => groupThousands(String(value));
