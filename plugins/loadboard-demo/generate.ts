/**
 * The demo load board's loads: a rolling market of synthetic loads between the demo hubs. Pure and
 * seeded: loads are "posted" in hourly batches, and each load depends only on the seed, its hour
 * and its index, so every poll within an hour returns the same loads with the same ids — a real
 * board's behaviour (re-listings update, new posts appear, old ones expire) without any state.
 *
 * Rates are drawn from plausible lane rates: a national spot rate per loaded mile for the
 * equipment, higher on short hauls (a driver's day costs the same for fewer miles), scaled by the
 * origin market's outbound factor (hubs.ts) and ±10 % noise, rounded to $25 as brokers post them.
 * About one load in seven is posted without a rate ("call for rate"), so the engine's lane-median
 * estimate shows. Everything is marked `demo: true` and the brokers are invented.
 */
import { haversineKm } from "../../src/domain/geo";
import { KM_PER_MILE } from "../../src/domain/units";
import { hashUnit } from "../../src/domain/random";
import { freshClock, simulateDrive } from "../../src/domain/hos";
import type { LoadRecord } from "../../src/loads/records";
import { HUBS, type Hub } from "./hubs";

const HOUR = 3_600_000;
/** Road miles per straight-line mile for the demo's posted miles (US average circuity, about 1.2). */
const DEMO_CIRCUITY = 1.2;

/** National spot rate per loaded mile by equipment, cents, on a 500-mile haul (late-2025 levels, rounded). */
const BASE_RPM_CENTS = { V: 205, R: 245, F: 255, SD: 270 } as const;
type DemoEquipment = keyof typeof BASE_RPM_CENTS;
/** Share of posts by equipment (cumulative thresholds over [0, 1)). */
const EQUIPMENT_MIX: [number, DemoEquipment][] = [[0.55, "V"], [0.8, "R"], [0.95, "F"], [1, "SD"]];

/**
 * Invented brokers with invented MC numbers (the names say demo; do not look the numbers up), from
 * a solid payer to a slow one, and one small broker that posts without an MC number or scores.
 */
export const DEMO_BROKERS = [
  { name: "Prairie Wind Logistics (demo)", mc: "9900101", credit_score: 96, days_to_pay: 28 },
  { name: "Blue Ridge Freight Partners (demo)", mc: "9900102", credit_score: 91, days_to_pay: 33 },
  { name: "Gulf Coast Brokerage (demo)", mc: "9900103", credit_score: 78, days_to_pay: 45 },
  { name: "Lone Star Load Link (demo)", mc: "9900104", credit_score: 88, days_to_pay: 30 },
  { name: "Great Lakes Shipping Desk (demo)", mc: "9900105", credit_score: 94, days_to_pay: 25 },
  { name: "Quickhaul Brokers (demo)", mc: "9900106", credit_score: 61, days_to_pay: 58 },
  { name: "Sunbelt Capacity Co (demo)" },
] as const;

/** Notes brokers put in comments; the negotiation assistant reads detention, tarp, stops and hazmat from them. */
const COMMENTS = [
  "",
  "",
  "",
  "Detention $50/hr after 2 hrs. Appointment required.",
  "Driver assist unload. Lumper reimbursed with receipt.",
  "Tarps required, 6 ft drop.",
  "2 stops, stop-off $75.",
  "Hazmat endorsement required (class 3).",
  "FCFS pickup 07:00-15:00, must check call daily.",
];

export interface DemoOptions {
  seed: number;
  /** Loads posted per hour. */
  perHour: number;
  /** How many hourly batches are still listed (older posts are taken down). */
  hoursListed: number;
}

/** Every load listed at `now`: the posts of the last `hoursListed` hours whose pickup window is still open. */
export function demoLoads(now: number, options: DemoOptions): LoadRecord[] {
  const currentHour = Math.floor(now / HOUR);
  const loads: LoadRecord[] = [];
  for (let hour = currentHour - options.hoursListed + 1; hour <= currentHour; hour++) {
    for (let index = 0; index < options.perHour; index++) {
      const load = demoLoad(options.seed, hour, index);
      if ((load.pickup_latest ?? load.pickup_earliest) >= now && load.posted_at! <= now) loads.push(load);
    }
  }
  return loads;
}

/** One demo load, a function of seed, posting hour and index only. */
export function demoLoad(seed: number, hour: number, index: number): LoadRecord {
  const u = (channel: number) => hashUnit(seed, hour, index, channel);
  const origin = HUBS[Math.floor(u(1) * HUBS.length)]!;
  const destination = pickDestination(origin, u(2), u(3));
  const straightMiles = haversineKm(origin.lat, origin.lon, destination.lat, destination.lon) / KM_PER_MILE;
  const miles = Math.round(straightMiles * DEMO_CIRCUITY);
  const equipment = EQUIPMENT_MIX.find(([threshold]) => u(4) < threshold)![1];
  const postedAt = hour * HOUR + Math.floor(u(5) * 55) * 60_000;
  // Pickup 6 h to 2.5 days after posting, on the hour; a 2–4 h window.
  const pickupEarliest = Math.ceil((postedAt + (6 + u(6) * 54) * HOUR) / HOUR) * HOUR;
  const pickupLatest = pickupEarliest + (2 + Math.floor(u(7) * 3)) * HOUR;
  // Delivery when a rested driver loading at the end of the window (2 h) and driving at 50 mph
  // under the hours-of-service rules gets there, rounded up to the hour; open for 6 hours.
  const drive = simulateDrive(pickupLatest + 2 * HOUR, freshClock(), (miles / 50) * HOUR);
  const deliveryEarliest = Math.ceil(drive.endAt / HOUR) * HOUR;
  const broker = DEMO_BROKERS[Math.floor(u(8) * DEMO_BROKERS.length)]!;
  const rateCents = u(9) < 1 / 7 ? undefined : laneRateCents(origin, miles, equipment, u(10));
  const weight = equipment === "R" ? 30_000 + u(11) * 14_000 : 18_000 + u(11) * 26_000;
  const comments = COMMENTS[Math.floor(u(12) * COMMENTS.length)]!;
  return {
    external_id: `demo-${hour}-${index}`,
    origin: { city: origin.city, state: origin.state as never, zip: origin.zip, lat: origin.lat, lon: origin.lon },
    destination: { city: destination.city, state: destination.state as never, zip: destination.zip, lat: destination.lat, lon: destination.lon },
    pickup_earliest: pickupEarliest,
    pickup_latest: pickupLatest,
    delivery_earliest: deliveryEarliest,
    delivery_latest: deliveryEarliest + 6 * HOUR,
    equipment,
    weight_lb: Math.round(weight / 100) * 100,
    length_ft: equipment === "V" || equipment === "R" ? 53 : 48,
    full: u(13) > 0.08,
    ...(rateCents === undefined ? {} : { rate_cents: rateCents }),
    loaded_miles: miles,
    commodity: equipment === "R" ? "Produce" : equipment === "V" ? "General merchandise" : "Steel coils",
    ...(comments ? { comments } : {}),
    broker: { ...broker },
    posted_at: postedAt,
    demo: true,
  };
}

/** A destination 150–1,800 straight-line miles from the origin (most loads are regional). */
function pickDestination(origin: Hub, pick: number, spread: number): Hub {
  const candidates = HUBS.filter((hub) => {
    if (hub === origin) return false;
    const miles = haversineKm(origin.lat, origin.lon, hub.lat, hub.lon) / KM_PER_MILE;
    // Shorter hauls are more common: the allowed distance grows with `spread`.
    return miles >= 150 && miles <= 300 + spread * 1500;
  });
  const pool = candidates.length ? candidates : HUBS.filter((hub) => hub !== origin);
  return pool[Math.floor(pick * pool.length)]!;
}

/** The posted rate in cents: base rate per mile, short-haul premium, market factor, noise, rounded to $25. */
export function laneRateCents(origin: Hub, miles: number, equipment: DemoEquipment, noise: number): number {
  const shortHaul = 1 + 0.5 * Math.max(0, (500 - miles) / 500);
  const rpm = BASE_RPM_CENTS[equipment] * shortHaul * origin.outbound * (0.9 + 0.2 * noise);
  return Math.max(2500, Math.round((rpm * miles) / 2500) * 2500);
}
