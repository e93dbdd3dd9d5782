/** @jsxImportSource @kitajs/html */
/** A truck's money per week and per month, from its booked loads (revenue agreed, cost and net as booked). */
import type { TruckMoney } from "../../src/loads/money-report";
import { CardTable } from "../components";
import { money } from "./parts";

export function TruckMoneyCard({ weeks, months }: { weeks: TruckMoney[]; months: TruckMoney[] }): JSX.Element {
  const table = (rows: TruckMoney[], label: string) =>
    rows.length ? (
      <CardTable columns={[label, "Loads", "Revenue", "Cost", "Net", "Miles"]}>
        {rows.map((row) => (
          <tr>
            <td data-label={label} safe>
              {row.period}
            </td>
            <td data-label="Loads">{row.loads}</td>
            <td data-label="Revenue" safe>
              {money(row.revenue_cents, false)}
            </td>
            <td data-label="Cost" safe>
              {money(row.cost_cents, false)}
            </td>
            <td data-label="Net" class={row.net_cents < 0 ? "bad" : ""} safe>
              {`${money(row.net_cents, false)}${row.loads_without_cost ? ` (${row.loads_without_cost} load${row.loads_without_cost === 1 ? "" : "s"} without a cost)` : ""}`}
            </td>
            <td data-label="Miles">{Math.round(row.miles)}</td>
          </tr>
        ))}
      </CardTable>
    ) : (
      <p class="muted">No booked loads yet.</p>
    );
  return (
    <section class="card" id="money">
      <h2>Money</h2>
      <p class="muted small">From booked loads: revenue at the agreed rate, cost and net as computed when each was booked.</p>
      <h3>By week</h3>
      {table(weeks.slice(0, 8), "Week")}
      <h3>By month</h3>
      {table(months.slice(0, 6), "Month")}
    </section>
  );
}
