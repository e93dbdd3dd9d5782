/**
 * Road distance estimated from the great-circle distance: straight-line km × a circuity factor
 * (road distance ÷ straight-line distance). Matching needs a distance for every truck × load pair,
 * deadhead included, without a routing server; an exact router (src/geo/route-provider.ts) can
 * replace the estimate where one is configured. Pure functions, no I/O.
 *
 * The default factor, 1.20, is the figure for the United States quoted from Ballou, Rahardja &
 * Sakai, "Selected country circuity factors for road travel distance estimation", Transportation
 * Research Part A 36(9), 2002, pp. 843–848 (the paper's table could not be re-read offline; the
 * figure agrees with Newell's ≈ 1.2 for road networks, cited in Wikibooks "Transportation Geography
 * and Network Science / Circuity", and with a routed Boston → Dallas drive of ≈ 1750 mi over a
 * 1520 mi geodesic, 1.15, in C. Wolfram, "Efficiency of Road Networks", 2021). It is an average:
 * short, mountain and coastal legs run higher and long interstate legs lower, so a fleet that knows
 * its own lanes can pass another factor.
 */
import { haversineKm, type LatLon } from "./geo";
import { kmToMiles } from "./units";

/** Road ÷ great-circle distance for the US (Ballou, Rahardja & Sakai 2002). */
export const US_CIRCUITY_FACTOR = 1.2;

/**
 * The accepted range of a circuity factor. Below 1 a road would be shorter than the straight line;
 * national road networks measure between about 1.1 and 2, so anything past 3 is taken for a mistake
 * (a percentage such as 120 typed for 1.20) rather than a real network.
 */
const MIN_CIRCUITY = 1;
const MAX_CIRCUITY = 3;

/** Throws a RangeError naming `role` ("origin", "destination", "point") unless the point is a real coordinate. */
export function checkLatLon(point: LatLon, role: string): void {
  const { lat, lon } = point;
  if (!Number.isFinite(lat) || lat < -90 || lat > 90) throw new RangeError(`${role} latitude must be a number from -90 to 90, got ${lat}`);
  if (!Number.isFinite(lon) || lon < -180 || lon > 180) throw new RangeError(`${role} longitude must be a number from -180 to 180, got ${lon}`);
}

function checkCircuity(circuity: number): void {
  if (!Number.isFinite(circuity) || circuity < MIN_CIRCUITY || circuity > MAX_CIRCUITY) {
    throw new RangeError(`circuity factor must be a number from ${MIN_CIRCUITY} to ${MAX_CIRCUITY} (road ÷ straight-line distance), got ${circuity}`);
  }
}

/** Great-circle distance in statute miles between two points; throws on a coordinate out of range. */
export function greatCircleMiles(from: LatLon, to: LatLon): number {
  checkLatLon(from, "origin");
  checkLatLon(to, "destination");
  return kmToMiles(haversineKm(from.lat, from.lon, to.lat, to.lon));
}

/** Estimated road distance in km (the house unit): great-circle km × `circuity`. */
export function estimateRoadKm(from: LatLon, to: LatLon, circuity: number = US_CIRCUITY_FACTOR): number {
  checkLatLon(from, "origin");
  checkLatLon(to, "destination");
  checkCircuity(circuity);
  return haversineKm(from.lat, from.lon, to.lat, to.lon) * circuity;
}

/** Estimated road distance in statute miles, as rates and load boards quote it. */
export function estimateRoadMiles(from: LatLon, to: LatLon, circuity: number = US_CIRCUITY_FACTOR): number {
  return kmToMiles(estimateRoadKm(from, to, circuity));
}
