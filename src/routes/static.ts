/** Static assets served from the binary itself: htmx (pinned), the stylesheet and the icon. No CDN. */
import { Elysia } from "elysia";
import htmxFile from "htmx.org/dist/htmx.min.js" with { type: "file" };
import cssFile from "../../views/static/app.css" with { type: "file" };
import faviconFile from "../../views/static/favicon.svg" with { type: "file" };

/** Asset name → embedded file path and content type. */
const ASSETS: Record<string, { file: string; type: string }> = {
  "htmx.min.js": { file: htmxFile, type: "text/javascript; charset=utf-8" },
  "app.css": { file: cssFile, type: "text/css; charset=utf-8" },
  "favicon.svg": { file: faviconFile, type: "image/svg+xml" },
};

/** GET /static/:name — long-cached because URLs carry the build version. */
export function staticRoutes() {
  return new Elysia({ name: "static" })
    .get(
      "/static/:name",
      ({ params, status }) => {
        const asset = ASSETS[params.name];
        if (!asset) return status(404, "not found");
        return new Response(Bun.file(asset.file), { headers: { "content-type": asset.type, "cache-control": "public, max-age=31536000, immutable" } });
      },
      { detail: { hide: true } },
    )
    .get("/favicon.ico", () => new Response(Bun.file(faviconFile), { headers: { "content-type": "image/svg+xml", "cache-control": "public, max-age=86400" } }), { detail: { hide: true } });
}
