/** @jsxImportSource @kitajs/html */
/** The page shell: header with navigation, the signed-in user, and the main content. Works without JavaScript. */
import type { Principal } from "../src/auth/principal";
import { ASSET_VERSION } from "../src/version";

/** Navigation entries in the order they appear. */
export const NAV_ITEMS = [
  { href: "/", label: "Dashboard" },
  { href: "/trucks", label: "Trucks" },
  { href: "/loads", label: "Loads" },
  { href: "/brokers", label: "Brokers" },
  { href: "/alerts", label: "Alerts" },
  { href: "/reports", label: "Reports" },
  { href: "/sources", label: "Sources" },
  { href: "/settings", label: "Settings" },
] as const;

export interface LayoutProps {
  title: string;
  /** Path of the current page, to mark the active nav entry. */
  path: string;
  principal: Principal | null;
  children?: JSX.Element | JSX.Element[] | string;
}

/** Marks the nav entry for the current page (the dashboard only on "/"). */
function isActive(href: string, path: string): boolean {
  return href === "/" ? path === "/" : path === href || path.startsWith(href + "/");
}

/** A full HTML page with navigation; `principal` null renders the bare shell used by login and setup. */
export function Layout({ title, path, principal, children }: LayoutProps): JSX.Element {
  const csrfHeader = principal?.csrfToken ? JSON.stringify({ "X-CSRF-Token": principal.csrfToken }) : undefined;
  return (
    <>
      {"<!doctype html>"}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <meta name="color-scheme" content="light dark" />
          <title safe>{`${title} · Haulbox`}</title>
          <link rel="stylesheet" href={`/static/app.css?v=${ASSET_VERSION}`} />
          <link rel="icon" href="/static/favicon.svg" type="image/svg+xml" />
          <script src={`/static/htmx.min.js?v=${ASSET_VERSION}`} defer></script>
          <script src={`/static/htmx-ext-sse.js?v=${ASSET_VERSION}`} defer></script>
        </head>
        <body hx-headers={csrfHeader}>
          <header class="topbar">
            <a class="brand" href="/">
              Haulbox
            </a>
            {principal ? (
              <nav class="nav" aria-label="Main">
                {NAV_ITEMS.map((item) => (
                  <a href={item.href} class={isActive(item.href, path) ? "active" : undefined} aria-current={isActive(item.href, path) ? "page" : undefined}>
                    {item.label}
                  </a>
                ))}
              </nav>
            ) : (
              ""
            )}
            {principal ? (
              <form class="whoami" method="post" action="/logout">
                <span class="muted" safe>
                  {principal.name}
                </span>
                <span class="badge">
                  {principal.role}
                </span>
                {principal.csrfToken ? <input type="hidden" name="_csrf" value={principal.csrfToken} /> : ""}
                <button type="submit" class="link">
                  Log out
                </button>
              </form>
            ) : (
              ""
            )}
          </header>
          <main id="main">{children as "safe"}</main>
        </body>
      </html>
    </>
  );
}

/** The body shown for sections that later releases will fill in. */
export function NotBuiltYet({ title, what }: { title: string; what: string }): JSX.Element {
  return (
    <section class="card">
      <h1 safe>{title}</h1>
      <p class="notice">This page is not built yet.</p>
      <p safe>{what}</p>
    </section>
  );
}
