/** @jsxImportSource @kitajs/html */
/**
 * Pieces the load board, the load page, the truck page and the broker pages share: money, lanes,
 * local times, the broker-risk badge, and a match's breakdown whose every figure says how it was
 * made. Everything that came from a load board (cities, broker names, comments) is untrusted text
 * and rendered with `safe`.
 */
import type { Match, MatchReason } from "../../src/domain/matching";
import { formatCents, formatRateCents } from "../../src/domain/money";
import type { PlaceView } from "../../src/loads/views";
import { localTimeText } from "../../src/domain/date-format";
import { laneText } from "../../src/loads/views";

/** "$1,234.56", or "—" for nothing. */
export function money(cents: number | null | undefined, withCents = true): string {
  return cents === null || cents === undefined ? "—" : formatCents(cents, { withCents });
}

/** "$2.93/mi". */
export function perMile(cents: number | null | undefined): string {
  return cents === null || cents === undefined ? "—" : formatRateCents(cents, "mi");
}

/** "Joliet, IL 60432". */
export function placeText(place: PlaceView): string {
  const name = [place.city, place.state].filter(Boolean).join(", ");
  return [name || `${place.lat.toFixed(2)}, ${place.lon.toFixed(2)}`, place.zip ?? ""].join(" ").trim();
}

export { laneText };

/** A time in the fleet's time zone: "Fri Nov 20, 08:00 CST". */
export function LocalTime({ at, timeZone }: { at: number | null | undefined; timeZone: string }): JSX.Element {
  if (!at) return <span class="muted">—</span>;
  const text = localTimeText(at, timeZone);
  return (
    <time datetime={new Date(at).toISOString()} safe>
      {text}
    </time>
  );
}

/** Broker risk as a coloured badge: low / medium / high / unknown with the score. */
export function RiskBadge({ level, score }: { level: string; score: number | null }): JSX.Element {
  const tone = level === "low" ? "ok" : level === "medium" ? "warn" : level === "high" ? "bad" : "";
  return (
    <span class={`badge ${tone}`} title="Broker risk, 0–100: higher is riskier" safe>
      {`${level} risk${score === null ? "" : ` ${score}`}`}
    </span>
  );
}

/** The demo marker every demo load and broker carries. */
export function DemoBadge({ demo }: { demo: boolean }): JSX.Element {
  return demo ? (
    <span class="badge" title="Synthetic data from the demo load board">
      demo
    </span>
  ) : (
    ""
  );
}

const EFFECT_MARK: Record<MatchReason["effect"], string> = { good: "+", bad: "−", blocking: "✕", info: "·" };

/** A match's reasons, each with its points. */
export function Reasons({ reasons }: { reasons: MatchReason[] }): JSX.Element {
  return (
    <ul class="reasons">
      {reasons.map((reason) => (
        <li class={`reason ${reason.effect}`}>
          <span class="mark" aria-hidden="true" safe>
            {EFFECT_MARK[reason.effect]}
          </span>{" "}
          <span safe>{reason.text}</span>
          {reason.points ? <span class="muted" safe>{` (${reason.points > 0 ? "+" : "−"}${Math.abs(reason.points)})`}</span> : ""}
        </li>
      ))}
    </ul>
  );
}

/** The money of a match, line by line, each with how it is made, down to the net. */
export function Breakdown({ match, timeZone }: { match: Match; timeZone: string }): JSX.Element {
  return (
    <div class="breakdown">
      <table class="figures">
        <tbody>
          <tr>
            <th scope="row">Revenue</th>
            <td class="num" safe>
              {money(match.revenue_cents)}
            </td>
            <td class="muted small">
              {match.revenue_estimated ? "estimated from the lane median (no posted rate)" : "posted rate"}
            </td>
          </tr>
          {match.breakdown.map((line) => (
            <tr>
              <th scope="row" safe>
                {line.label}
              </th>
              <td class="num" safe>
                {`−${money(line.cents)}`}
              </td>
              <td class="muted small" safe>
                {line.how}
              </td>
            </tr>
          ))}
          <tr class="total">
            <th scope="row">Net profit</th>
            <td class="num" safe>
              {money(match.net_cents)}
            </td>
            <td class="muted small" safe>
              {`${perMile(match.rpm_all_in_cents)} all-in over ${match.total_miles} mi (${match.deadhead_miles} empty + ${match.loaded_miles} loaded); ${perMile(match.rpm_loaded_cents)} loaded`}
            </td>
          </tr>
        </tbody>
      </table>
      <p class="small">
        At the pickup <LocalTime at={match.pickup_at} timeZone={timeZone} />, empty again <LocalTime at={match.empty_at} timeZone={timeZone} />{" "}
        <span class="muted" safe>{`(${match.trip_days} days; diesel ${formatRateCents(match.diesel_cents_per_gallon, "gal")}${match.diesel_source ? `, ${match.diesel_source}` : ""})`}</span>
      </p>
      <Reasons reasons={match.reasons} />
    </div>
  );
}
