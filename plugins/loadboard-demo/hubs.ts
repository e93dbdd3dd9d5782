/**
 * Freight markets the demo load board posts loads between: the cities on and around the demo
 * fleet's interstate corridors (plugins/telemetry-sim/corridors.ts) plus the big US freight hubs,
 * each with a central ZIP code and city-centre coordinates (rounded to 0.01°, ~1 km: a load board
 * gives a city, not a dock).
 *
 * `outbound` is how freight leaving the market tends to pay relative to the national average:
 * markets that ship more than they receive (Southern California, Texas border crossings, the
 * Midwest manufacturing belt) pay above it, destination-heavy markets (Florida, the Northwest) pay
 * below it. The factors are rounded impressions of that well-known imbalance, for demo data only.
 */
export interface Hub {
  city: string;
  state: string;
  zip: string;
  lat: number;
  lon: number;
  outbound: number;
}

export const HUBS: readonly Hub[] = [
  { city: "Los Angeles", state: "CA", zip: "90021", lat: 34.03, lon: -118.24, outbound: 1.12 },
  { city: "Ontario", state: "CA", zip: "91761", lat: 34.06, lon: -117.65, outbound: 1.12 },
  { city: "Barstow", state: "CA", zip: "92311", lat: 34.9, lon: -117.02, outbound: 1.0 },
  { city: "Sacramento", state: "CA", zip: "95814", lat: 38.58, lon: -121.49, outbound: 1.02 },
  { city: "Fresno", state: "CA", zip: "93721", lat: 36.74, lon: -119.79, outbound: 1.08 },
  { city: "Phoenix", state: "AZ", zip: "85003", lat: 33.45, lon: -112.07, outbound: 0.9 },
  { city: "Seattle", state: "WA", zip: "98104", lat: 47.6, lon: -122.33, outbound: 0.95 },
  { city: "Portland", state: "OR", zip: "97204", lat: 45.52, lon: -122.68, outbound: 0.97 },
  { city: "Salt Lake City", state: "UT", zip: "84101", lat: 40.76, lon: -111.89, outbound: 0.98 },
  { city: "Denver", state: "CO", zip: "80202", lat: 39.74, lon: -104.99, outbound: 0.88 },
  { city: "Albuquerque", state: "NM", zip: "87102", lat: 35.08, lon: -106.65, outbound: 0.85 },
  { city: "El Paso", state: "TX", zip: "79901", lat: 31.76, lon: -106.49, outbound: 1.05 },
  { city: "Laredo", state: "TX", zip: "78040", lat: 27.51, lon: -99.51, outbound: 1.1 },
  { city: "Houston", state: "TX", zip: "77002", lat: 29.76, lon: -95.37, outbound: 1.04 },
  { city: "Dallas", state: "TX", zip: "75201", lat: 32.78, lon: -96.8, outbound: 1.03 },
  { city: "San Antonio", state: "TX", zip: "78205", lat: 29.42, lon: -98.49, outbound: 1.0 },
  { city: "Oklahoma City", state: "OK", zip: "73102", lat: 35.47, lon: -97.52, outbound: 0.95 },
  { city: "Kansas City", state: "MO", zip: "64106", lat: 39.1, lon: -94.58, outbound: 1.0 },
  { city: "Omaha", state: "NE", zip: "68102", lat: 41.26, lon: -95.94, outbound: 1.02 },
  { city: "St. Louis", state: "MO", zip: "63101", lat: 38.63, lon: -90.19, outbound: 1.0 },
  { city: "Chicago", state: "IL", zip: "60607", lat: 41.88, lon: -87.65, outbound: 1.06 },
  { city: "Indianapolis", state: "IN", zip: "46204", lat: 39.77, lon: -86.16, outbound: 1.04 },
  { city: "Columbus", state: "OH", zip: "43215", lat: 39.96, lon: -83.0, outbound: 1.05 },
  { city: "Detroit", state: "MI", zip: "48226", lat: 42.33, lon: -83.05, outbound: 1.03 },
  { city: "Louisville", state: "KY", zip: "40202", lat: 38.25, lon: -85.76, outbound: 1.02 },
  { city: "Nashville", state: "TN", zip: "37203", lat: 36.16, lon: -86.78, outbound: 1.0 },
  { city: "Memphis", state: "TN", zip: "38103", lat: 35.15, lon: -90.05, outbound: 1.04 },
  { city: "Knoxville", state: "TN", zip: "37902", lat: 35.96, lon: -83.92, outbound: 0.98 },
  { city: "Atlanta", state: "GA", zip: "30303", lat: 33.75, lon: -84.39, outbound: 1.0 },
  { city: "Savannah", state: "GA", zip: "31401", lat: 32.08, lon: -81.09, outbound: 1.05 },
  { city: "Charlotte", state: "NC", zip: "28202", lat: 35.23, lon: -80.84, outbound: 0.98 },
  { city: "Jacksonville", state: "FL", zip: "32202", lat: 30.33, lon: -81.66, outbound: 0.85 },
  { city: "Orlando", state: "FL", zip: "32801", lat: 28.54, lon: -81.38, outbound: 0.75 },
  { city: "Miami", state: "FL", zip: "33128", lat: 25.78, lon: -80.2, outbound: 0.72 },
  { city: "Harrisburg", state: "PA", zip: "17101", lat: 40.26, lon: -76.88, outbound: 1.02 },
  { city: "Allentown", state: "PA", zip: "18101", lat: 40.6, lon: -75.47, outbound: 1.03 },
  { city: "Newark", state: "NJ", zip: "07102", lat: 40.74, lon: -74.17, outbound: 0.96 },
  { city: "Baltimore", state: "MD", zip: "21202", lat: 39.29, lon: -76.61, outbound: 0.97 },
  { city: "Minneapolis", state: "MN", zip: "55401", lat: 44.98, lon: -93.27, outbound: 0.98 },
  { city: "Boise", state: "ID", zip: "83702", lat: 43.62, lon: -116.2, outbound: 0.9 },
];
