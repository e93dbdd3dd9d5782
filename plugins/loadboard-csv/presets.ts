/**
 * Named column layouts for the CSV load plugin: a preset is a `fields:` mapping (src/loads/mapping.ts)
 * for a layout people actually have, so a source needs only `preset:` and, at most, a few fields
 * of its own on top. Columns are matched ignoring case, extra spaces and a trailing `*` (the
 * required-column mark of upload templates), and a preset column missing from a file only matters
 * when its field is required. Every preset reads its id column as optional: a row without an id
 * gets one derived from its content (parse.ts).
 */
import type { FieldMapping } from "../../src/loads/mapping";

/** Formats of a US spreadsheet date, with or without a time, then ISO 8601. */
const US_DATES = ["M/D/YYYY H:mm", "M/D/YYYY h:mm A", "M/D/YYYY", "iso"];

/** A named layout: what it is for, and its mapping. */
export interface Preset {
  description: string;
  fields: FieldMapping;
}

/**
 * Haulbox's own layout: each header is the canonical field name (records.ts), times are ISO 8601
 * (local to `time_zone` without an offset) or epoch seconds/milliseconds, money is in cents. It
 * reads back what Haulbox writes, and suits a script that produces loads.
 */
const haulbox: Preset = {
  description: "Headers are Haulbox's own field names (origin.city, pickup_earliest, rate_cents, …); times ISO 8601, money in cents.",
  fields: {
    external_id: { path: "external_id", optional: true },
    origin: { path: "origin", optional: true },
    "origin.city": "origin.city",
    "origin.state": "origin.state",
    "origin.zip": "origin.zip",
    "origin.lat": "origin.lat",
    "origin.lon": "origin.lon",
    destination: { path: "destination", optional: true },
    "destination.city": "destination.city",
    "destination.state": "destination.state",
    "destination.zip": "destination.zip",
    "destination.lat": "destination.lat",
    "destination.lon": "destination.lon",
    pickup_earliest: "pickup_earliest",
    pickup_latest: "pickup_latest",
    delivery_earliest: "delivery_earliest",
    delivery_latest: "delivery_latest",
    equipment: "equipment",
    weight_lb: "weight_lb",
    length_ft: "length_ft",
    full: "full",
    rate_cents: { path: "rate_cents", from: "cents" },
    loaded_miles: "loaded_miles",
    commodity: "commodity",
    comments: "comments",
    "broker.name": "broker.name",
    "broker.mc": "broker.mc",
    "broker.dot": "broker.dot",
    "broker.phone": "broker.phone",
    "broker.email": "broker.email",
    "broker.credit_score": "broker.credit_score",
    "broker.days_to_pay": "broker.days_to_pay",
    posted_at: "posted_at",
    expires_at: "expires_at",
  },
};

/**
 * The columns of DAT's bulk-upload template, the sheet brokers and shippers fill in to post loads
 * on DAT ("Bulk Upload: List of Fields and Possible Values", DAT support): dates like 08/01/2022 or
 * 9/15/22, "full"/"partial", rates per trip in dollars. The template has no broker column (the
 * poster is the broker), so a source using it sets `broker.name` itself; its equipment column takes
 * DAT's codes, and those that are not Haulbox codes need a `map:`.
 */
const datBulkUpload: Preset = {
  description: "The columns of DAT's bulk-upload template (Pickup Earliest*, Origin City*, DAT Load Board Rate, …); set broker.name yourself.",
  fields: {
    external_id: { path: "Reference ID", optional: true },
    pickup_earliest: { path: "Pickup Earliest", format: ["MM/DD/YYYY", "M/D/YY"] },
    pickup_latest: { path: "Pickup Latest", format: ["MM/DD/YYYY", "M/D/YY"], end_of_day: true },
    length_ft: "Length (ft)",
    weight_lb: "Weight (lbs)",
    full: { path: "Full/Partial", map: { full: true, partial: false } },
    equipment: "Equipment",
    rate_cents: { path: "DAT Load Board Rate", from: "dollars" },
    "origin.city": "Origin City",
    "origin.state": "Origin State",
    "origin.zip": "Origin Postal Code",
    "destination.city": "Destination City",
    "destination.state": "Destination State",
    "destination.zip": "Destination Postal Code",
    comments: "Comment",
    commodity: "Commodity",
  },
};

/**
 * A layout for loads kept by hand in a spreadsheet, suggested by Haulbox (not any vendor's
 * export): one row per load, places as "City, ST", US dates with or without a time, dollars.
 */
const dispatchSheet: Preset = {
  description: "A hand-kept sheet: Load #, Pickup, Deliver By, Origin, Destination (\"City, ST\"), Equipment, Full/Partial, Weight, Length, Miles, Rate ($), Broker, MC, Phone, Email, Commodity, Notes.",
  fields: {
    external_id: { path: "Load #", optional: true },
    pickup_earliest: { path: "Pickup", format: US_DATES },
    delivery_latest: { path: "Deliver By", format: US_DATES, end_of_day: true },
    origin: "Origin",
    destination: "Destination",
    equipment: "Equipment",
    full: { path: "Full/Partial", map: { full: true, ftl: true, tl: true, partial: false, ltl: false } },
    weight_lb: "Weight",
    length_ft: "Length",
    loaded_miles: "Miles",
    rate_cents: { path: "Rate", from: "dollars", missing_values: ["Call", "N/A", "TBD", "-"] },
    "broker.name": "Broker",
    "broker.mc": "MC",
    "broker.phone": "Phone",
    "broker.email": "Email",
    commodity: "Commodity",
    comments: "Notes",
  },
};

/** Every preset by name (the `preset:` option). */
export const PRESETS = { haulbox, "dat-bulk-upload": datBulkUpload, "dispatch-sheet": dispatchSheet } as const satisfies Record<string, Preset>;
/** A preset's name. */
export type PresetName = keyof typeof PRESETS;
/** Every preset name, in the order the README lists them. */
export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];
