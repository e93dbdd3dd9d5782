/** @jsxImportSource @kitajs/html */
/**
 * The load board: open loads, filtered by truck, equipment, distance from the truck and pickup
 * date, best score first, a page of rows at a time. Each row shows what a dispatcher decides on —
 * net profit, all-in rate per mile, deadhead, broker risk — and opens (a <details>) to the full
 * breakdown, fetched with htmx when opened (a page of breakdowns is most of a page's weight and
 * few are read); without JavaScript the opened row links to the load's own page, which has the
 * breakdown for every truck and the lifecycle actions.
 */
import { escapeHtml } from "@kitajs/html";
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
          {props.rows.map((row) => boardRow(row, props)).join("") as "safe"}
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

/**
 * One row of the board: what a dispatcher decides on, opening to the breakdown. Written as a
 * template, not JSX, because a page has 50 of them and each is 30 elements: JSX's per-element
 * attribute handling was most of a page's CPU, and the board is the page everyone reloads. Every
 * text from a board goes through escapeHtml; the components used inside return escaped HTML.
 */
function boardRow({ load, match }: BoardRow, props: LoadBoardProps): string {
  const rate = load.rate_cents !== null ? money(load.rate_cents, false) : match ? `~${money(match.revenue_cents, false)}` : "call";
  const weight = load.weight_lb ? ` · ${Math.round(load.weight_lb).toLocaleString("en-US")} lb` : "";
  const fetch = match ? ` hx-get="/loads/${load.id}/breakdown?truck=${match.truck_id}" hx-trigger="toggle once" hx-target="find .breakdown-slot"` : "";
  const broker = load.broker ? String(RiskBadge({ level: load.broker.risk_level, score: load.broker.risk })) : '<span class="muted">no broker</span>';
  const detail = match
    ? `<div class="breakdown-slot"><p class="muted small">${escapeHtml(`For truck ${props.truckNames.get(match.truck_id) ?? match.truck_id}: the breakdown is on the load's page.`)}</p></div>`
    : '<p class="muted">Not scored for this truck: too far from it, or equipment it does not haul. The load page shows the figures for every truck.</p>';
  return (
    `<details class="load-row" id="load-${load.id}"${fetch}><summary>` +
    `<span class="score">${match ? match.score : "–"}</span>` +
    `<span class="lane"><a href="/loads/${load.id}">${escapeHtml(laneText(load))}</a> ${String(DemoBadge({ demo: load.demo }))}` +
    `<span class="muted small block">${String(LocalTime({ at: load.pickup_earliest, timeZone: props.timeZone }))}${escapeHtml(` · ${load.equipment}${weight}`)}</span></span>` +
    figure("Rate", escapeHtml(rate)) +
    figure("Net", match ? money(match.net_cents, false) : "—", match && match.net_cents < 0 ? "bad" : "") +
    figure("All-in", match ? perMile(match.rpm_all_in_cents) : "—") +
    figure("Deadhead", match ? `${Math.round(match.deadhead_miles)} mi` : "—") +
    `<span class="figure">${broker}</span>` +
    `</summary><div class="load-detail">${detail}<p><a href="/loads/${load.id}">Open the load →</a></p></div></details>`
  );
}

/** A labelled figure of a row; `value` is HTML already. */
const figure = (label: string, value: string, tone = "") => `<span class="figure"><span class="label">${label}</span><span class="${tone}">${value}</span></span>`;

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
