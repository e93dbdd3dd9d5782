/**
 * Great-circle geometry on a spherical Earth. Pure functions, no I/O.
 *
 * The sphere uses the IUGG mean Earth radius R1 = 6371.0088 km: against the WGS84 ellipsoid it is
 * off by at most about 0.5 % on any pair (less on the mid-latitude legs trucks drive), which is
 * far inside what GPS fixes and trip odometers disagree by, and it needs no iteration (Vincenty
 * can fail to converge near antipodes).
 */

/** IUGG mean Earth radius (R1), km. */
export const EARTH_RADIUS_KM = 6371.0088;

const RAD = Math.PI / 180;

/** A point in decimal degrees (WGS84). */
export interface LatLon {
  lat: number;
  lon: number;
}

/**
 * Great-circle distance between two points in km (haversine formula). The haversine form is used
 * rather than the spherical law of cosines because it stays accurate for the few-metre hops
 * between consecutive GPS fixes, where acos of a number near 1 loses most of its digits.
 */
export function haversineKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const dLat = (lat2 - lat1) * RAD;
  const dLon = (lon2 - lon1) * RAD;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * RAD) * Math.cos(lat2 * RAD) * Math.sin(dLon / 2) ** 2;
  return kmFromHaversineTerm(h);
}

/** The great-circle distance in km for a haversine term h (the matching grid computes h itself). */
export function kmFromHaversineTerm(h: number): number {
  // min() guards against h creeping past 1 by rounding for antipodal points (asin would give NaN).
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Great-circle distance between two points in km. */
export function distanceKm(a: LatLon, b: LatLon): number {
  return haversineKm(a.lat, a.lon, b.lat, b.lon);
}
