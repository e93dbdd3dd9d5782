/**
 * What a plugin is: its definition (kind, name, version, option schema, `create`), the instance
 * `create` returns for each kind, the contexts the host passes in, and the output schemas every
 * result is validated against before it reaches the core.
 *
 * Kinds and their instances:
 * - `telemetry`, `mode: "push"`: `start(ctx)` connects and then calls `ctx.emit(records)` as data
 *   arrives; `stop()` disconnects.
 * - `telemetry`, `mode: "pull"`: `poll(ctx)` returns `{ records }` on the source's `schedule`.
 * - `telemetry`, `mode: "decode"`: the core's MQTT or HTTP ingest receives the messages and calls
 *   `decode(message)` for each one of this source (its `topic:` or `path:` option); the result is
 *   canonical records (src/ingest/records.ts), or a thrown DecodeError that becomes a dead letter.
 * - `loadboard`: `poll(ctx)` returns `{ loads }` on the source's `schedule`.
 * - `notifier`: `send(message, ctx)` delivers one message.
 * Every instance may have `stop()` to release what `create` or `start` opened.
 */
import { Type as T, type Static, type TSchema } from "@sinclair/typebox";
import type { Logger } from "../log";
import type { DecodeResult, InboundMessage } from "../ingest/records";

/** The three kinds of plugin. */
export type PluginKind = "telemetry" | "loadboard" | "notifier";

/** Every kind, for validation and listings. */
export const PLUGIN_KINDS: readonly PluginKind[] = ["telemetry", "loadboard", "notifier"];

/**
 * How the host drives a source: it polls it on a schedule, the plugin pushes, the core sends
 * through it, or the core's ingest hands it messages to decode.
 */
export type PluginMode = "pull" | "push" | "send" | "decode";

/** One raw item from a source: a JSON object, checked field by field later by the ingest pipeline. */
export const RawItemSchema = T.Object({}, { additionalProperties: true, description: "One raw record as the source delivered it." });

/** What a telemetry poll returns and what a push plugin emits: `{ records: object[] }`. */
export const TelemetryOutputSchema = T.Object({ records: T.Array(RawItemSchema) }, { additionalProperties: false });
/** A telemetry poll's result. */
export type TelemetryOutput = { records: Record<string, unknown>[] };

/**
 * A record the plugin itself could not turn into a load (a CSV row whose date does not parse, an
 * API item missing its id): reported with the reason, so a bad row costs a rejection, not the poll.
 */
export const RejectedItemSchema = T.Object(
  {
    /** Where it came from, for a person: "loads.csv row 12", "page 3 item 7". */
    ref: T.String({ maxLength: 300 }),
    reason: T.String({ maxLength: 1000 }),
    /** The raw record as text (cut), for the dead-letter view. */
    raw: T.Optional(T.String({ maxLength: 4000 })),
  },
  { additionalProperties: false },
);
export type RejectedItem = Static<typeof RejectedItemSchema>;

/**
 * What a load-board poll returns: `{ loads: object[], rejected?: [...] }`. Each load should be a
 * canonical load (src/loads/records.ts); the core checks every one and rejects the bad ones with
 * a reason. `complete: true` says the poll returned every open load of the source, so a load it
 * returned before and not now has been taken down (it expires); a source that only returns what
 * is new leaves it out.
 */
export const LoadboardOutputSchema = T.Object(
  { loads: T.Array(RawItemSchema), rejected: T.Optional(T.Array(RejectedItemSchema)), complete: T.Optional(T.Boolean()) },
  { additionalProperties: false },
);
/** A load-board poll's result. */
export type LoadboardOutput = { loads: Record<string, unknown>[]; rejected?: RejectedItem[]; complete?: boolean };

/** A message for a notifier to deliver (alerts, maintenance due, a load booked). */
export const NotifierMessageSchema = T.Object(
  {
    title: T.String({ minLength: 1, maxLength: 200 }),
    body: T.String({ maxLength: 10_000 }),
    severity: T.Union([T.Literal("info"), T.Literal("warning"), T.Literal("critical")]),
    /** A link back into Haulbox (the alert, the truck). */
    url: T.Optional(T.String()),
    tags: T.Optional(T.Array(T.String())),
  },
  { additionalProperties: false },
);
/** A message for a notifier to deliver. */
export type NotifierMessage = Static<typeof NotifierMessageSchema>;

/** A device a simulator provisions for itself, with the vehicle it rides in. */
export interface DemoDeviceSpec {
  /** Device id: lowercase letters, digits, - and _. */
  device_id: string;
  vehicle: {
    unit: string;
    name: string;
    vin?: string;
    make?: string;
    model?: string;
    year?: number;
    /** Equipment type codes (V, R, F, …). */
    equipment?: string[];
    tank_l?: number;
    /** Configured fuel economy, miles per US gallon. */
    mpg?: number;
    home_base?: string;
  };
}

/** How a provisioned device reaches the MQTT broker Haulbox ingests from. */
export interface DeviceCredentials {
  device_id: string;
  vehicle_id: number;
  /** mqtt://host:port of the broker (embedded or external). */
  mqtt_url: string;
  username: string;
  password: string;
}

/** Services of the core that plugins may use. */
export interface PluginServices {
  /**
   * Registers a demo vehicle and its device (marked demo everywhere they show), or finds them
   * again, and returns credentials to publish as that device through the same MQTT path as a real
   * one. Null when no MQTT ingest is running.
   */
  provisionDemoDevice(spec: DemoDeviceSpec): Promise<DeviceCredentials | null>;
}

/** What every `create` receives. */
export interface CreateContext<Options> {
  /** The source's `id:` from the YAML. */
  sourceId: string;
  /** The source's options, validated against the plugin's `configSchema` with defaults applied. */
  options: Options;
  /** A logger tagged with the source id. */
  log: Logger;
  /** Aborted when the source stops (config change, shutdown): long-lived work should end then. */
  signal: AbortSignal;
  /** Core services (device provisioning for simulators). */
  services: PluginServices;
}

/** What every call into an instance receives. */
export interface CallContext {
  sourceId: string;
  log: Logger;
  /** Aborted at the per-call timeout (`plugin_host.call_timeout_seconds`) or when the source stops. */
  signal: AbortSignal;
}

/** What `poll` receives. */
export interface PollContext extends CallContext {
  /** When the last successful poll finished (epoch ms), or null: lets a plugin ask only for what is new. */
  lastSuccessAt: number | null;
  /** Why this poll runs: its schedule, a retry after a failure, the first poll after start, or "Run now". */
  trigger: "schedule" | "retry" | "start" | "manual";
}

/** What `ctx.emit` answers: the batch went into the core, or why it was refused. */
export type EmitResult = { ok: true; accepted: number } | { ok: false; error: string };

/** What a push plugin's `start` receives: how to hand records to the core and report trouble. */
export interface PushContext extends CallContext {
  /**
   * Hands a batch of records to the core. Validated like a poll result; never throws. The
   * `signal` here is only for `start` itself: use the create context's signal for the lifetime.
   */
  emit(records: Record<string, unknown>[]): Promise<EmitResult>;
  /**
   * Marks the source failing with this error (connection lost, broker refused). With
   * `restart: true` the host stops the instance and creates a new one after the retry delay.
   */
  reportError(error: unknown, options?: { restart?: boolean }): void;
  /** Marks the source ok again (reconnected) without emitting. */
  reportOk(): void;
}

/** Result of a call that may be a promise. */
type MaybePromise<T> = T | Promise<T>;

/** Common to every instance: release resources. Called once, under the call timeout. */
export interface StoppableInstance {
  stop?(): MaybePromise<void>;
}

/** A push telemetry source. */
export interface TelemetryPushInstance extends StoppableInstance {
  /** Connects and subscribes, then returns; data arrives later through `ctx.emit`. */
  start(ctx: PushContext): MaybePromise<void>;
}

/** A polled telemetry source. */
export interface TelemetryPullInstance extends StoppableInstance {
  poll(ctx: PollContext): MaybePromise<TelemetryOutput>;
}

/** A telemetry decoder: called once per message of its source, synchronously, on the ingest path. */
export interface TelemetryDecodeInstance extends StoppableInstance {
  /** Canonical records for one message; throw DecodeError (or anything) to reject it with a reason. */
  decode(message: InboundMessage): DecodeResult;
}

/** A load-board source. */
export interface LoadboardInstance extends StoppableInstance {
  poll(ctx: PollContext): MaybePromise<LoadboardOutput>;
}

/** A notifier. */
export interface NotifierInstance extends StoppableInstance {
  send(message: NotifierMessage, ctx: CallContext): MaybePromise<void>;
}

/** Fields every plugin definition has. */
export interface PluginMeta<S extends TSchema> {
  /** Unique name used as `plugin:` in the YAML: lowercase letters, digits and dashes. */
  name: string;
  /** The plugin's own version, shown on the Sources page. */
  version: string;
  /** One sentence for listings. */
  description?: string;
  /** TypeBox schema of the source's options (every key except id, plugin, enabled, schedule). Unknown keys are errors. */
  configSchema: S;
}

/** A telemetry plugin that pushes (MQTT, an HTTP listener). */
export interface TelemetryPushPlugin<S extends TSchema = TSchema> extends PluginMeta<S> {
  kind: "telemetry";
  mode: "push";
  create(ctx: CreateContext<Static<S>>): MaybePromise<TelemetryPushInstance>;
}

/** A telemetry plugin polled on its source's schedule. */
export interface TelemetryPullPlugin<S extends TSchema = TSchema> extends PluginMeta<S> {
  kind: "telemetry";
  mode: "pull";
  create(ctx: CreateContext<Static<S>>): MaybePromise<TelemetryPullInstance>;
}

/**
 * A telemetry plugin that decodes what the core's ingest receives. `transport: "mqtt"` sources
 * have a `topic` option (an MQTT filter with one `{device}` level, e.g. `fleet/{device}/can`);
 * `transport: "http"` sources have a `path` option (under `/ingest/`). Both must be in the
 * plugin's configSchema, with a default.
 */
export interface TelemetryDecodePlugin<S extends TSchema = TSchema> extends PluginMeta<S> {
  kind: "telemetry";
  mode: "decode";
  transport: "mqtt" | "http";
  create(ctx: CreateContext<Static<S>>): MaybePromise<TelemetryDecodeInstance>;
}

/** A load-board plugin, polled on its source's schedule. */
export interface LoadboardPlugin<S extends TSchema = TSchema> extends PluginMeta<S> {
  kind: "loadboard";
  create(ctx: CreateContext<Static<S>>): MaybePromise<LoadboardInstance>;
}

/** A notifier plugin. */
export interface NotifierPlugin<S extends TSchema = TSchema> extends PluginMeta<S> {
  kind: "notifier";
  create(ctx: CreateContext<Static<S>>): MaybePromise<NotifierInstance>;
}

/** Any plugin definition. */
export type PluginDefinition<S extends TSchema = TSchema> = TelemetryPushPlugin<S> | TelemetryPullPlugin<S> | TelemetryDecodePlugin<S> | LoadboardPlugin<S> | NotifierPlugin<S>;

/** A plugin definition with its option type erased, as registries hold them. */
export type AnyPluginDefinition = PluginDefinition<any>;

/** How the host drives a plugin of this definition. */
export function pluginMode(definition: AnyPluginDefinition): PluginMode {
  if (definition.kind === "notifier") return "send";
  if (definition.kind === "loadboard") return "pull";
  return definition.mode;
}

/** True when sources of this plugin need a `schedule:` (they are polled). */
export function requiresSchedule(definition: AnyPluginDefinition): boolean {
  return pluginMode(definition) === "pull";
}
