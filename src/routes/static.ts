/**
 * Static assets served from the binary itself: htmx (pinned), the stylesheet, the icon, and the
 * fleet map and charts (Leaflet, uPlot, their page scripts, the US outline). No CDN.
 */
import { Elysia } from "elysia";
import htmxFile from "htmx.org/dist/htmx.min.js" with { type: "file" };
import htmxSseFile from "htmx-ext-sse/dist/sse.js" with { type: "file" };
import cssFile from "../../views/static/app.css" with { type: "file" };
import faviconFile from "../../views/static/favicon.svg" with { type: "file" };
import leafletJsFile from "leaflet/dist/leaflet.js" with { type: "file" };
import leafletCssFile from "leaflet/dist/leaflet.css" with { type: "file" };
import uplotJsFile from "uplot/dist/uPlot.iife.min.js" with { type: "file" };
import uplotCssFile from "uplot/dist/uPlot.min.css" with { type: "file" };
import fleetCssFile from "../../views/static/fleet.css" with { type: "file" };
import fleetMapFile from "../../views/static/fleet-map.js" with { type: "file" };
import truckChartsFile from "../../views/static/truck-charts.js" with { type: "file" };
import laneChartFile from "../../views/static/lane-chart.js" with { type: "file" };
import { usOutlineGeoJson } from "../telemetry/us-outline";

/** Asset name → embedded file path and content type. */
const ASSETS: Record<string, { file: string; type: string }> = {
  "htmx.min.js": { file: htmxFile, type: "text/javascript; charset=utf-8" },
  "htmx-ext-sse.js": { file: htmxSseFile, type: "text/javascript; charset=utf-8" },
  "app.css": { file: cssFile, type: "text/css; charset=utf-8" },
  "favicon.svg": { file: faviconFile, type: "image/svg+xml" },
  "leaflet.js": { file: leafletJsFile as unknown as string, type: "text/javascript; charset=utf-8" },
  "leaflet.css": { file: leafletCssFile, type: "text/css; charset=utf-8" },
  "uPlot.iife.min.js": { file: uplotJsFile as unknown as string, type: "text/javascript; charset=utf-8" },
  "uPlot.min.css": { file: uplotCssFile, type: "text/css; charset=utf-8" },
  "fleet.css": { file: fleetCssFile, type: "text/css; charset=utf-8" },
  "fleet-map.js": { file: fleetMapFile as unknown as string, type: "text/javascript; charset=utf-8" },
  "truck-charts.js": { file: truckChartsFile as unknown as string, type: "text/javascript; charset=utf-8" },
  "lane-chart.js": { file: laneChartFile as unknown as string, type: "text/javascript; charset=utf-8" },
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
    // Converted from the embedded TopoJSON on first request, then kept in memory.
    .get("/static/us-states.geojson", async () => new Response(await usOutlineGeoJson(), { headers: { "content-type": "application/geo+json", "cache-control": "public, max-age=31536000, immutable" } }), { detail: { hide: true } })
    .get("/favicon.ico", () => new Response(Bun.file(faviconFile), { headers: { "content-type": "image/svg+xml", "cache-control": "public, max-age=86400" } }), { detail: { hide: true } });
}
