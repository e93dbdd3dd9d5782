/**
 * The bundled US outline for the fleet map: the nation as a filled shape and the state borders as
 * lines, converted once from us-atlas's TopoJSON (embedded in the binary) to GeoJSON. The map draws
 * it under the tiles, so a truck stop with no internet (or a test with tiles blocked) still shows
 * where the trucks are.
 */
import { feature, mesh } from "topojson-client";
import type { Topology } from "topojson-specification";
import statesTopologyFile from "us-atlas/states-10m.json" with { type: "file" };

/** Coordinates are rounded to 3 decimals (about 100 m): plenty for an outline, a third of the bytes. */
function round(value: unknown): unknown {
  if (typeof value === "number") return Math.round(value * 1000) / 1000;
  if (Array.isArray(value)) return value.map(round);
  return value;
}

let cached: Promise<string> | null = null;

/** The outline as a GeoJSON FeatureCollection string: [nation (Polygon/MultiPolygon), state borders (MultiLineString)]. */
export function usOutlineGeoJson(): Promise<string> {
  cached ??= (async () => {
    const topology = JSON.parse(await Bun.file(statesTopologyFile as unknown as string).text()) as Topology;
    const nation = feature(topology, topology.objects.nation!) as GeoJSON.FeatureCollection | GeoJSON.Feature;
    const borders = mesh(topology, topology.objects.states as never);
    const nationFeatures = "features" in nation ? nation.features : [nation];
    const features = [
      ...nationFeatures.map((shape) => ({ type: "Feature", properties: { kind: "nation" }, geometry: { ...shape.geometry, coordinates: round((shape.geometry as GeoJSON.Polygon).coordinates) } })),
      { type: "Feature", properties: { kind: "borders" }, geometry: { type: borders.type, coordinates: round(borders.coordinates) } },
    ];
    return JSON.stringify({ type: "FeatureCollection", features });
  })();
  return cached;
}
