/** @jsxImportSource @kitajs/html */
/** Page rendering shared by every feature: a whole page, or only the fragment for htmx requests. */
import type { Principal } from "../auth/principal";
import { Layout } from "../../views/layout";
import { isHtmx } from "./respond";

const HTML = { "content-type": "text/html; charset=utf-8" };

/** Renders `body` inside the layout, or alone when htmx asked for a fragment. */
export function renderPage(request: Request, principal: Principal | null, title: string, body: JSX.Element, init: { status?: number; headers?: Record<string, string> } = {}): Response {
  const path = new URL(request.url).pathname;
  const html = isHtmx(request) && request.headers.get("hx-boosted") !== "true" ? body : Layout({ title, path, principal, children: body });
  return new Response(html as string, { status: init.status ?? 200, headers: { ...HTML, ...init.headers } });
}

/** A full error page (403, 404, 500) in the layout. */
export function errorPage(status: number, title: string, message: string, principal: Principal | null): Response {
  const body = (
    <section class="card narrow">
      <h1 safe>{title}</h1>
      <p safe>{message}</p>
      <p>
        <a href="/">Back to the dashboard</a>
      </p>
    </section>
  );
  return new Response(Layout({ title, path: "", principal, children: body }) as string, { status, headers: HTML });
}
