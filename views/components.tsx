/** @jsxImportSource @kitajs/html */
/** Small view pieces shared by pages. */

/** A timestamp shown in UTC ISO form with a <time> element (pages can localise later). */
export function Time({ at }: { at: number | null | undefined }): JSX.Element {
  if (!at) return <span class="muted">never</span>;
  const iso = new Date(at).toISOString();
  return (
    <time datetime={iso} safe>
      {iso.replace("T", " ").slice(0, 16) + " UTC"}
    </time>
  );
}

/** An inline message box: success, error or notice. */
export function Flash({ kind, children }: { kind: "success" | "error" | "notice"; children: JSX.Element | JSX.Element[] }): JSX.Element {
  return (
    <div class={kind} role={kind === "error" ? "alert" : "status"}>
      {children as "safe"}
    </div>
  );
}

/** The hidden CSRF input every state-changing form needs. */
export function CsrfField({ token }: { token: string | undefined }): JSX.Element {
  return <input type="hidden" name="_csrf" value={token ?? ""} />;
}


/** A column of a CardTable: its heading, optionally with a tooltip; `false` leaves it out. */
export type Column = string | { label: string; title: string } | false;

/**
 * A table that becomes one card per row on a phone (see `table.cards` in app.css): rows label each
 * cell with `data-label` so the card shows the column name beside the value.
 */
export function CardTable({ columns, children }: { columns: Column[]; children: JSX.Element | JSX.Element[] | string }): JSX.Element {
  return (
    <div class="table-wrap">
      <table class="cards">
        <thead>
          <tr>
            {columns.map((column) =>
              column === false ? (
                ""
              ) : typeof column === "string" ? (
                <th safe>{column}</th>
              ) : (
                <th title={column.title} safe>
                  {column.label}
                </th>
              ),
            )}
          </tr>
        </thead>
        <tbody>{children as "safe"}</tbody>
      </table>
    </div>
  );
}

/** A "Run now" button posting to `action`; with htmx it swaps the result into `target`. */
export function RunNowForm({ action, target, csrfToken }: { action: string; target: string; csrfToken: string | undefined }): JSX.Element {
  return (
    <form class="inline" method="post" action={action} hx-post={action} hx-target={target} hx-swap="outerHTML" hx-disabled-elt="find button">
      <CsrfField token={csrfToken} />
      <button type="submit" class="secondary">
        Run now
      </button>
    </form>
  );
}
