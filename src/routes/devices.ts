/**
 * Devices and dead letters API: `GET/POST /api/v1/devices`, `POST /api/v1/devices/:id/adopt`,
 * `POST /api/v1/devices/:id/secret`, `PATCH /api/v1/devices/:id`, `GET /api/v1/dead-letters`.
 * A new device's secret comes back once, in the create (or reset) response, as MQTT and HTTP
 * credentials; only its hash is stored. Drivers see only their own truck's devices and no dead
 * letters (those carry other trucks' payloads).
 */
import { Elysia, t } from "elysia";
import type { AppDeps } from "../deps";
import { authGuard } from "../auth/guard";
import { isoTime } from "../http/respond";
import { ListOf, ListQuery, decodeCursor, encodeCursor, pageList } from "../http/pagination";
import { FleetInputError, type Device } from "../telemetry/fleet";
import { deadLetterKey, parseDeadLetterKey, queriesFor, scopeFor, type DeadLetter } from "../telemetry/queries";
import { ErrorSchema } from "./vehicles";
import { Integer } from "../http/schema";
import { errorBody, refusalOf } from "../http/refusal";

const Timestamp = t.Union([t.String({ format: "date-time" }), t.Null()]);
const NullableString = t.Union([t.String(), t.Null()]);

/** A device in API form (never its secret). */
export const DeviceSchema = t.Object({
  id: t.String({ description: "What the gateway puts in its topic or username." }),
  vehicle_id: t.Union([Integer(), t.Null()], { description: "Null while pending." }),
  status: t.Union([t.Literal("active"), t.Literal("pending"), t.Literal("disabled")], { description: "pending: heard on the wire, not adopted yet." }),
  name: t.String(),
  demo: t.Boolean(),
  has_secret: t.Boolean(),
  last_source: NullableString,
  last_topic: NullableString,
  first_seen: Timestamp,
  last_seen: Timestamp,
  created_at: Timestamp,
});

const CredentialsSchema = t.Object({
  device: DeviceSchema,
  secret: t.String({ description: "The device secret: shown only in this response." }),
  mqtt: t.Object({ username: t.String(), password: t.String() }, { description: "Login for the embedded MQTT broker." }),
  http: t.Object({ token: t.String() }, { description: "Token for HTTP ingest (Authorization: Bearer, or ?token=)." }),
});

const DeadLetterSchema = t.Object({
  id: Integer(),
  kind: t.Union([t.Literal("telemetry"), t.Literal("load")], { description: "A telemetry message, or a load-board record." }),
  received_at: t.String({ format: "date-time" }),
  source_id: NullableString,
  device_id: NullableString,
  topic: NullableString,
  payload: t.String({ description: "The payload as received, truncated; text when it was UTF-8, else hex." }),
  payload_bytes: Integer({ description: "Full size of the payload." }),
  reason: t.String(),
  ref: t.Union([t.String(), t.Null()], { description: "For load records: where in the source the record came from (\"loads.csv row 12\")." }),
});


/** A device in API form. */
export function deviceJson(device: Device) {
  return {
    id: device.id,
    vehicle_id: device.vehicle_id,
    status: device.status,
    name: device.name,
    demo: device.demo,
    has_secret: device.has_secret,
    last_source: device.last_source,
    last_topic: device.last_topic,
    first_seen: isoTime(device.first_seen),
    last_seen: isoTime(device.last_seen),
    created_at: isoTime(device.created_at),
  };
}

/** The one-time credentials answer for a device and its fresh secret. */
export function credentialsJson(device: Device, secret: string) {
  return { device: deviceJson(device), secret, mqtt: { username: device.id, password: secret }, http: { token: secret } };
}

/** A dead letter in API form. */
export function deadLetterJson(letter: DeadLetter) {
  return { ...letter, received_at: isoTime(letter.received_at)! };
}

/** The devices and dead-letters API. */
export function devicesApi(deps: AppDeps) {
  const queries = queriesFor(deps);
  const refused = refusalOf(FleetInputError);
  const params = t.Object({ id: t.String() });

  return new Elysia({ name: "devices-api", seed: deps, prefix: "/api/v1" })
    .use(authGuard(deps))
    .get(
      "/devices",
      ({ principal, query }) => {
        const scope = scopeFor(principal!);
        const devices = scope.all ? deps.fleet.devices() : scope.vehicleId === null ? [] : deps.fleet.devicesOf(scope.vehicleId);
        return pageList(devices.map(deviceJson), (device) => device.id, query.limit, query.cursor);
      },
      { query: ListQuery, requires: "read", response: ListOf(DeviceSchema), detail: { summary: "List devices, pending ones first (drivers: their truck's)", tags: ["devices"] } },
    )
    .post(
      "/devices",
      ({ body, principal, set, status }) => {
        try {
          const { device, secret } = deps.fleet.createDevice({ id: body.id, vehicle_id: body.vehicle_id, name: body.name });
          deps.log.info("device added", { device: device.id, vehicle_id: device.vehicle_id, by: principal!.name });
          set.status = 201;
          return credentialsJson(device, secret);
        } catch (error) {
          const answer = refused(error);
          return status(answer.status, answer.body);
        }
      },
      {
        body: t.Object({ id: t.String({ description: "Device id: 1–64 letters, digits, _ . : or -." }), vehicle_id: t.Integer(), name: t.Optional(t.String({ maxLength: 80 })) }),
        requires: "dispatch",
        response: { 201: CredentialsSchema, 404: ErrorSchema, 409: ErrorSchema, 422: ErrorSchema },
        detail: { summary: "Add a device to a vehicle; the answer holds its MQTT and HTTP credentials, shown only once", tags: ["devices"] },
      },
    )
    .post(
      "/devices/:id/adopt",
      ({ params, body, principal, status }) => {
        try {
          const device = deps.fleet.adopt(params.id, body.vehicle_id);
          deps.log.info("device adopted", { device: device.id, vehicle_id: device.vehicle_id, by: principal!.name });
          return deviceJson(device);
        } catch (error) {
          const answer = refused(error);
          return status(answer.status, answer.body);
        }
      },
      {
        params,
        body: t.Object({ vehicle_id: t.Integer() }),
        requires: "dispatch",
        response: { 200: DeviceSchema, 404: ErrorSchema, 409: ErrorSchema, 422: ErrorSchema },
        detail: { summary: "Adopt a pending device to a vehicle (the secret it presented stays its secret)", tags: ["devices"] },
      },
    )
    .post(
      "/devices/:id/secret",
      ({ params, principal, status }) => {
        try {
          const secret = deps.fleet.resetSecret(params.id);
          deps.log.info("device secret reset", { device: params.id, by: principal!.name });
          return credentialsJson(deps.fleet.device(params.id)!, secret);
        } catch (error) {
          const answer = refused(error);
          return status(answer.status, answer.body);
        }
      },
      {
        params,
        body: t.Optional(t.Object({}, { additionalProperties: true })),
        requires: "dispatch",
        response: { 200: CredentialsSchema, 404: ErrorSchema, 409: ErrorSchema, 422: ErrorSchema },
        detail: { summary: "Issue a new secret for a device (the old one stops working at once); shown only once", tags: ["devices"] },
      },
    )
    .patch(
      "/devices/:id",
      ({ params, body, principal, status }) => {
        try {
          const device = deps.fleet.setDisabled(params.id, body.disabled);
          deps.log.info(body.disabled ? "device disabled" : "device enabled", { device: params.id, by: principal!.name });
          return deviceJson(device);
        } catch (error) {
          const answer = refused(error);
          return status(answer.status, answer.body);
        }
      },
      {
        params,
        body: t.Object({ disabled: t.Boolean() }),
        requires: "dispatch",
        response: { 200: DeviceSchema, 404: ErrorSchema, 409: ErrorSchema, 422: ErrorSchema },
        detail: { summary: "Disable or re-enable a device (a disabled device cannot log in or post)", tags: ["devices"] },
      },
    )
    .get(
      "/dead-letters",
      ({ principal, query, status }) => {
        if (!scopeFor(principal!).all) return status(403, errorBody("forbidden", "Dead letters hold every device's payloads; drivers cannot read them."));
        const limit = query.limit ?? 50;
        const before = parseDeadLetterKey(decodeCursor(query.cursor));
        const letters = queries.deadLetters(limit, before);
        return { data: letters.map(deadLetterJson), next_cursor: letters.length === limit ? encodeCursor(deadLetterKey(letters[letters.length - 1]!)) : null };
      },
      { query: ListQuery, requires: "read", response: { 200: ListOf(DeadLetterSchema), 403: ErrorSchema }, detail: { summary: "Telemetry messages and load-board records that could not be stored, with the reason, newest first", tags: ["devices"] } },
    );
}
