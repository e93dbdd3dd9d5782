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

