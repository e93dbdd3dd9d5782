/**
 * The canonical load: what every load-board plugin's `poll` returns in `{ loads: [...] }`, whatever
 * the board spoke. The core checks each one against LoadRecordSchema (and the rules in
 * `loadProblem`) before storing it; a record that fails becomes a rejected load with the reason,
 * the rest of the poll is stored.
 *
 * Units: times are UTC epoch milliseconds, weights pounds, lengths feet, distances miles (load
 * boards post miles), money integer cents. A place needs a ZIP or a city and state (or both) — the
 * core geocodes it offline — or its own lat/lon.
 */
import { Type as T, type Static } from "@sinclair/typebox";
import { TypeCompiler } from "@sinclair/typebox/compiler";

/** Epoch milliseconds (UTC) between 2000 and 2100. */
const Time = T.Integer({ minimum: 946_684_800_000, maximum: 4_102_444_800_000, description: "UTC epoch milliseconds." });

/**
 * Equipment codes, as US load boards abbreviate them. A load names one; a truck lists those it can
 * haul. Combination codes (VR, FSD) mean "either", as boards post them.
 */
export const EQUIPMENT = {
  V: "Dry van",
  R: "Reefer",
  F: "Flatbed",
  SD: "Step deck",
  DD: "Double drop",
  LB: "Lowboy",
  RGN: "Removable gooseneck",
  CN: "Conestoga",
  HS: "Hotshot",
  PO: "Power only",
  TNK: "Tanker",
  AC: "Auto carrier",
  CONT: "Container",
  DT: "Dump trailer",
  VR: "Van or reefer",
  FSD: "Flatbed or step deck",
} as const;
export type EquipmentCode = keyof typeof EQUIPMENT;
export const EQUIPMENT_CODES = Object.keys(EQUIPMENT) as EquipmentCode[];

/** What each combination code accepts. */
export const EQUIPMENT_EITHER: Partial<Record<EquipmentCode, EquipmentCode[]>> = { VR: ["V", "R"], FSD: ["F", "SD"] };

/** Two-letter US state and DC codes. */
export const US_STATES = [
  "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY",
] as const;
export type UsState = (typeof US_STATES)[number];

/** An origin or destination as the board gave it. */
export const PlaceSchema = T.Object(
  {
    city: T.Optional(T.String({ minLength: 1, maxLength: 100 })),
    state: T.Optional(T.Union(US_STATES.map((code) => T.Literal(code)), { description: "Two-letter US state code, upper case." })),
    zip: T.Optional(T.String({ pattern: "^[0-9]{5}$", description: "Five-digit ZIP code." })),
    lat: T.Optional(T.Number({ minimum: -90, maximum: 90 })),
    lon: T.Optional(T.Number({ minimum: -180, maximum: 180 })),
  },
  { additionalProperties: false },
);
export type Place = Static<typeof PlaceSchema>;

/** The broker (or shipper) offering the load, as the board describes them. */
export const BrokerInfoSchema = T.Object(
  {
    name: T.String({ minLength: 1, maxLength: 200 }),
    mc: T.Optional(T.String({ pattern: "^[0-9]{1,8}$", description: "FMCSA MC number, digits only." })),
    dot: T.Optional(T.String({ pattern: "^[0-9]{1,8}$", description: "USDOT number, digits only." })),
    phone: T.Optional(T.String({ maxLength: 40 })),
    email: T.Optional(T.String({ maxLength: 200 })),
    credit_score: T.Optional(T.Number({ minimum: 0, maximum: 100, description: "The board's credit score, 0–100 (higher is better)." })),
    days_to_pay: T.Optional(T.Number({ minimum: 0, maximum: 365, description: "Average days to pay, as the board reports it." })),
  },
  { additionalProperties: false },
);
export type BrokerInfo = Static<typeof BrokerInfoSchema>;

/** One load as a load-board plugin returns it. */
export const LoadRecordSchema = T.Object(
  {
    external_id: T.String({ minLength: 1, maxLength: 200, description: "The board's id of the load; with the source id it identifies the load across polls." }),
    origin: PlaceSchema,
    destination: PlaceSchema,
    pickup_earliest: Time,
    pickup_latest: T.Optional(Time),
    delivery_earliest: T.Optional(Time),
    delivery_latest: T.Optional(Time),
    equipment: T.Union(EQUIPMENT_CODES.map((code) => T.Literal(code))),
    weight_lb: T.Optional(T.Number({ minimum: 0, maximum: 200_000 })),
    length_ft: T.Optional(T.Number({ minimum: 0, maximum: 150 })),
    full: T.Optional(T.Boolean({ description: "True for a full truckload, false for a partial (LTL/partial); absent: full." })),
    rate_cents: T.Optional(T.Integer({ minimum: 1, maximum: 100_000_000, description: "The posted all-in rate in cents; absent when the board posts none." })),
    loaded_miles: T.Optional(T.Number({ minimum: 0, maximum: 10_000, description: "Loaded miles as the board posts them." })),
    commodity: T.Optional(T.String({ maxLength: 200 })),
    comments: T.Optional(T.String({ maxLength: 4000, description: "Free text from the board: untrusted, shown escaped." })),
    broker: BrokerInfoSchema,
    posted_at: T.Optional(Time),
    expires_at: T.Optional(Time),
    demo: T.Optional(T.Boolean({ description: "Synthetic demo data (loadboard-demo): marked as such everywhere it shows." })),
  },
  { additionalProperties: false },
);
export type LoadRecord = Static<typeof LoadRecordSchema>;

const checker = TypeCompiler.Compile(LoadRecordSchema);

/** Why `value` is not a usable load, or null when it is one. */
export function loadProblem(value: unknown): string | null {
  if (!value || typeof value !== "object" || Array.isArray(value)) return "a load must be an object";
  if (!checker.Check(value)) {
    const first = checker.Errors(value).First();
    if (!first) return "not a valid load";
    const where = first.path.replace(/^\//, "").replaceAll("/", ".") || "the load";
    return `${where}: ${first.message.charAt(0).toLowerCase()}${first.message.slice(1)}`;
  }
  const load = value as LoadRecord;
  for (const [name, place] of [["origin", load.origin], ["destination", load.destination]] as const) {
    const hasPoint = place.lat !== undefined && place.lon !== undefined;
    if ((place.lat === undefined) !== (place.lon === undefined)) return `${name}: lat and lon come together`;
    if (!hasPoint && !place.zip && !(place.city && place.state)) return `${name}: needs a ZIP, a city and state, or lat/lon`;
  }
  if (load.pickup_latest !== undefined && load.pickup_latest < load.pickup_earliest) return "pickup_latest is before pickup_earliest";
  if (load.delivery_earliest !== undefined && load.delivery_earliest < load.pickup_earliest) return "delivery_earliest is before pickup_earliest";
  if (load.delivery_latest !== undefined && load.delivery_earliest !== undefined && load.delivery_latest < load.delivery_earliest) return "delivery_latest is before delivery_earliest";
  return null;
}
