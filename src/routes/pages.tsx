/** @jsxImportSource @kitajs/html */
/** Top-level pages whose features arrive in later releases; each says so plainly. */
import { Elysia } from "elysia";
import type { AppDeps } from "../deps";
import { authGuard } from "../auth/guard";
import { renderPage } from "../http/pages";
import { NotBuiltYet } from "../../views/layout";

/** What each section will hold, shown until it is built. */
const UPCOMING: { path: string; title: string; what: string }[] = [
  { path: "/alerts", title: "Alerts", what: "Critical fault and maintenance alerts arrive with the truck-health release." },
  { path: "/reports", title: "Reports", what: "Revenue and cost per mile, IFTA miles by state and CSV export arrive with the reports release." },
];

/** Placeholder pages for sections not built yet. */
export function upcomingPages(deps: AppDeps) {
  const app = new Elysia({ name: "upcoming-pages", seed: deps }).use(authGuard(deps));
  for (const page of UPCOMING) {
    app.get(page.path, ({ request, principal }) => renderPage(request, principal, page.title, <NotBuiltYet title={page.title} what={page.what} />), { detail: { hide: true } });
  }
  return app;
}
