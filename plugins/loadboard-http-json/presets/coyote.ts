/**
 * Coyote Logistics (RXO) "CoyoteGO" carrier API: search available loads.
 *
 * Built only from Coyote's public OpenAPI description, "CoyoteGO API" version v0.1.1.2549, as
 * published in the api-evangelist/coyote repository (openapi/openapi.json and its per-tag split
 * openapi/coyote-carrier-available-load-apis-api-openapi.yml), operation
 * postApiV1AvailableLoadsSearch, and the authentication section of its info.description:
 *
 * - servers: https://api.coyote.com (production), https://api-sandbox.coyote.com (sandbox),
 *   https://api.demo.coyote.com (demo).
 * - auth: "To retrieve a token, POST to api.coyote.com/connect/token … form-urlencoded: client_id,
 *   client_secret, grant_type (client_credentials) … Pass your token as a bearer token in an
 *   Authorization header." No scope is listed.
 * - POST /api/v1/AvailableLoads/search?page=&pageSize= with an AvailableLoadsRequest body:
 *   `origin` (location {latitude, longitude}, deadheadRadius {value, unit Miles|Kilometers},
 *   appointment {appointmentStartDateTime, appointmentEndDateTime}), optional `destination` of the
 *   same shape, `equipmentType` (one code) and `mode` (TL_LTL | TL | LTL); origin, equipmentType
 *   and mode are required.
 * - 200: PagedAvailableLoads { loads: AvailableLoad[] | null, pagination { limit, offset,
 *   totalCount } }; 204: "Loads do not exist or are not available anymore".
 * - AvailableLoad: loadId (int32), loadDetails { rate {value, currencyType}, mode TL|LTL|IMDL,
 *   equipment { equipmentType, equipmentLength {value, unit} … }, loadDistance {value, unit
 *   Miles|Kilometers}, weight {value, unit Pounds|Kilograms|Tons|MetricTons|Undefined} … },
 *   stops[] { sequence, stopType, facility { address { postalCode, cityName, stateProvinceCode,
 *   countryCode }, geoCoordinates { latitude, longitude } }, appointment { …DateTimeUtc },
 *   stopDetails { commodities[] { description, weight }, stopNotes } | null }.
 *
 * Not documented there, so not guessed here: whether `page` counts from 0 or 1 (the example
 * answer to a request without one says pagination.offset 1, so 1 is used), the largest pageSize,
 * the token answer's fields (standard OAuth 2.0 access_token / expires_in are assumed), what
 * most equipment codes mean (the enum lists 70 codes without names; only those that are the
 * same code in Haulbox's list are mapped), and Coyote's MC number.
 */
import type { FieldMapping, FieldSpec } from "../../../src/loads/mapping";
import type { Preset } from "./index";

/**
 * Coyote equipment codes that are Haulbox codes too (src/loads/records.ts EQUIPMENT). The other
 * codes of Coyote's EquipmentType enum (C, DF, SS, FT, E, T, B, Z, M, Q, P, LL, RC, …) come without
 * a meaning in the description; a load with one is rejected naming the code, and the owner can
 * map it in `fields.equipment`.
 */
const SHARED_EQUIPMENT_CODES = ["V", "R", "F", "VR", "SD", "DD", "HS", "PO"] as const;

/** First and last stop: the description orders stops by `sequence`, pickup first (stopType Pickup, then Delivery). */
const PICKUP = "stops[0]";
const DELIVERY = "stops[-1]";

/** Coyote's AvailableLoad → the canonical load. */
const FIELDS: Record<string, FieldSpec> = {
    external_id: { path: "loadId" },
    "origin.city": { path: `${PICKUP}.facility.address.cityName` },
    "origin.state": { path: `${PICKUP}.facility.address.stateProvinceCode`, transform: "upper" },
    "origin.zip": { path: `${PICKUP}.facility.address.postalCode`, transform: "zip" },
    "origin.lat": { path: `${PICKUP}.facility.geoCoordinates.latitude`, transform: "number" },
    "origin.lon": { path: `${PICKUP}.facility.geoCoordinates.longitude`, transform: "number" },
    "destination.city": { path: `${DELIVERY}.facility.address.cityName` },
    "destination.state": { path: `${DELIVERY}.facility.address.stateProvinceCode`, transform: "upper" },
    "destination.zip": { path: `${DELIVERY}.facility.address.postalCode`, transform: "zip" },
    "destination.lat": { path: `${DELIVERY}.facility.geoCoordinates.latitude`, transform: "number" },
    "destination.lon": { path: `${DELIVERY}.facility.geoCoordinates.longitude`, transform: "number" },
    pickup_earliest: { path: `${PICKUP}.appointment.appointmentStartDateTimeUtc`, transform: "date", format: "iso" },
    pickup_latest: { path: `${PICKUP}.appointment.appointmentEndDateTimeUtc`, transform: "date", format: "iso" },
    delivery_earliest: { path: `${DELIVERY}.appointment.appointmentStartDateTimeUtc`, transform: "date", format: "iso" },
    delivery_latest: { path: `${DELIVERY}.appointment.appointmentEndDateTimeUtc`, transform: "date", format: "iso" },
    equipment: { path: "loadDetails.equipment.equipmentType", map: Object.fromEntries(SHARED_EQUIPMENT_CODES.map((code) => [code, code])) },
    full: { path: "loadDetails.mode", map: { TL: true, LTL: false } },
    weight_lb: { path: "loadDetails.weight.value", transform: "weight", from: "lb" },
    length_ft: { path: "loadDetails.equipment.equipmentLength.value", transform: "length", from: "ft" },
    loaded_miles: { path: "loadDetails.loadDistance.value", transform: "distance", from: "mi" },
    rate_cents: { path: "loadDetails.rate.value", transform: "money", from: "dollars" },
    commodity: { path: `${PICKUP}.stopDetails.commodities[0].description` },
    comments: { path: `${PICKUP}.stopDetails.stopNotes` },
    "broker.name": { value: "Coyote Logistics" },
};

export const coyote: Preset = {
  name: "coyote",
  description: "Coyote Logistics (RXO) CoyoteGO carrier API: POST /api/v1/AvailableLoads/search with an OAuth 2.0 client-credentials token.",
  options: {
    url: "https://api.coyote.com/api/v1/AvailableLoads/search",
    method: "POST",
    headers: { Accept: "application/json", "Content-Type": "application/json" },
    // TL_LTL asks for both modes; the owner adds origin and equipmentType (see needs).
    body: { mode: "TL_LTL" },
    items_path: "loads",
    auth: { kind: "oauth2_client_credentials", token_url: "https://api.coyote.com/connect/token" },
    pagination: { kind: "page", param: "page", start: 1, size_param: "pageSize", size: 100, total_path: "pagination.totalCount" },
    // FIELDS reads each number in one unit; a load in another unit or currency is rejected, never converted wrongly.
    require: {
      "loadDetails.rate.currencyType": "USD",
      "loadDetails.weight.unit": "Pounds",
      "loadDetails.loadDistance.unit": "Miles",
      "loadDetails.equipment.equipmentLength.unit": "Feet",
      [`${PICKUP}.facility.address.countryCode`]: "US",
      [`${DELIVERY}.facility.address.countryCode`]: "US",
    },
    // FieldMapping's static type leaves out the dotted targets (origin.city, …); the schema itself has them, and a test checks these against it.
    fields: FIELDS as FieldMapping,
  },
  needs: [
    { path: "auth.client_id", hint: "the client id Coyote's integrations team issued (apimanagement@coyote.com)" },
    { path: "auth.client_secret", hint: "the client secret Coyote issued; use client_secret_file or ${ENV} to keep it out of the YAML" },
    { path: "body.equipmentType", hint: "the one equipment type to search for, like V (dry van), R (reefer) or F (flatbed)" },
    { path: "body.origin", hint: "where to search from: { location: { latitude, longitude }, deadheadRadius: { value, unit: Miles } }" },
  ],
};
