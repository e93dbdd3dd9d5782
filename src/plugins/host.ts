/**
 * The plugin host: runs every source in `sources:` through its plugin and keeps each one contained.
 *
 * Lifecycle per source: create → start (push) or poll on its cron `schedule` (pull) or send
 * (notifier) → stop. Every call into plugin code goes through `guardedCall`: it gets an
 * AbortSignal, is abandoned at `plugin_host.call_timeout_seconds`, and whatever it throws or
 * returns is caught and checked against its kind's output schema. A failure marks only that
 * source `failing` with the error and time and schedules a retry; other sources never notice.
 *
 * Retry policy: after the n-th consecutive failure the next attempt waits
 * `retry_initial_seconds · 2^(n-1)`, at most `retry_max_seconds` (no jitter: a fleet box has a
 * handful of sources, and exact delays are easier to read on the Sources page). A polling source
 * also keeps its cron schedule while failing, so its next attempt is the EARLIER of the retry
 * delay and the next scheduled tick: a transient error is retried quickly, and a long outage is
 * still tried at least as often as the owner scheduled it (the schedule is what the owner judged
 * acceptable load on the service). Push sources and notifiers whose create/start failed are
 * recreated after the retry delay.
 *
 * Overlap: a scheduled tick that comes while the previous poll is still being waited for is
 * skipped and counted. A call abandoned at its timeout no longer blocks the next poll (the plugin
 * got the abort signal; a result that arrives late is ignored).
 *
 * At start, a polling source polls at once unless its last run (from the database) succeeded and
 * no scheduled tick was missed since; otherwise it waits for its schedule.
 *
 * Not contained: plugin code that blocks the event loop (a synchronous endless loop). Plugins run
 * in-process for the single-binary design; a stuck loop needs a restart.
 */
import type { Config, SourceConfig } from "../config/schema";
import type { Logger } from "../log";
import { systemClock, type Clock, type TimerHandle } from "../scheduler/clock";
import { CronPattern, CronTrigger } from "../scheduler/cron";
import { guardedCall, toError, type CallOutcome } from "../scheduler/guarded-call";
import { checkLoadboardOutput, checkTelemetryOutput, type OutputCheck } from "./output";
import type { PluginRegistry, RegisteredPlugin } from "./registry";
import { emptySourceRecord, type SourceRecord, type SourceStateStore } from "./source-store";
import { Value } from "@sinclair/typebox/value";
import {
  NotifierMessageSchema,
  pluginMode,
  type AnyPluginDefinition,
  type CallContext,
  type EmitResult,
  type LoadboardInstance,
  type LoadboardOutput,
  type RejectedItem,
  type NotifierInstance,
  type NotifierMessage,
  type PluginKind,
  type PluginMode,
  type PluginServices,
  type PollContext,
  type PushContext,
  type StoppableInstance,
  type TelemetryPullInstance,
  type TelemetryPushInstance,
  type TelemetryDecodeInstance,
  type TelemetryDecodePlugin,
} from "./types";

/** A source's health: `starting` until its first outcome, then `ok` or `failing`; `disabled` when `enabled: false`. */
export type SourceState = "starting" | "ok" | "failing" | "disabled";

/** Everything the Sources page and the API show about one source. */
export interface SourceStatus extends SourceRecord {
  id: string;
  plugin: string;
  /** Null when the plugin is unknown (only possible when the config was not checked against the registry). */
  kind: PluginKind | null;
  mode: PluginMode | null;
  pluginVersion: string | null;
  /** "builtin" or the external plugin file. */
  pluginOrigin: string | null;
  enabled: boolean;
  schedule: string | null;
  state: SourceState;
  /** True while a call into the plugin is being waited for. */
  running: boolean;
  /** Next poll (the earlier of the schedule and a pending retry) or pending restart, epoch ms. */
  nextRunAt: number | null;
}

/** What a manual poll or a send reports back. */
export interface RunResult {
  status: "ok" | "failed" | "timed_out" | "skipped";
  error: string | null;
  /** Records or loads received (poll) or 1 for a sent message. */
  items: number;
  durationMs: number;
}

/** A batch of telemetry records from a source (poll result or push emit), already shape-checked. */
export interface TelemetryBatch {
  sourceId: string;
  plugin: string;
  records: Record<string, unknown>[];
  receivedAt: number;
}

/** A batch of loads from a load-board poll, already shape-checked. */
export interface LoadboardBatch {
  sourceId: string;
  plugin: string;
  loads: Record<string, unknown>[];
  /** Rows the plugin itself could not map, with reasons. */
  rejected?: RejectedItem[];
  /** The poll listed every open load of the source. */
  complete?: boolean;
  receivedAt: number;
}

/**
 * Where results go, per kind. Later features plug storage in here (telemetry ingest, load store);
 * without a sink, results are counted and dropped. A sink that throws fails that run.
 */
export interface HostSinks {
  telemetry?(batch: TelemetryBatch): void | Promise<void>;
  loadboard?(batch: LoadboardBatch): void | Promise<void>;
}

/** Refusal of a manual action on a source (unknown id, disabled, wrong kind); `code` maps to an HTTP status. */
export class SourceActionError extends Error {
  constructor(readonly code: "not_found" | "disabled" | "not_pollable" | "not_notifier", message: string) {
    super(message);
    this.name = "SourceActionError";
  }
}

/** Options for a PluginHost. */
export interface PluginHostOptions {
  /** The plugins to run sources with; read each time a config is applied. */
  registry: () => PluginRegistry;
  log: Logger;
  sinks?: HostSinks;
  /** Persistence for status and counters; memory only when omitted. */
  store?: SourceStateStore;
  clock?: Clock;
  /** Secret values from the config, removed from error messages before they are shown or stored. */
  secrets?: () => Iterable<string>;
  /** How long stop() waits (real ms) for calls in progress to return after aborting them; default 5000. */
  stopGraceMs?: number;
  /** Core services handed to plugins; without them, provisioning answers null (no MQTT ingest). */
  services?: Partial<PluginServices>;
}

/** Services for plugins when the host was given none. */
const NO_SERVICES: PluginServices = { provisionDemoDevice: async () => null };

/** The subset of the config the host reads. */
export type HostConfig = Pick<Config, "sources" | "plugin_host" | "timezone">;

/** Longest error message kept: enough for a stack-free explanation, small enough for a table cell. */
const MAX_ERROR_LENGTH = 500;

const realClock = systemClock();

const definitionIds = new WeakMap<object, number>();
let nextDefinitionId = 0;
function definitionId(definition: object | undefined): number {
  if (!definition) return 0;
  let id = definitionIds.get(definition);
  if (id === undefined) definitionIds.set(definition, (id = ++nextDefinitionId));
  return id;
}

/** Runs the configured sources; see the file comment for the containment and retry rules. */
export class PluginHost {
  private runners = new Map<string, SourceRunner>();
  private order: string[] = [];
  private config: HostConfig | null = null;
  private serial: Promise<unknown> = Promise.resolve();
  private stopped = false;
  private listeners = new Set<(status: SourceStatus) => void>();
  readonly clock: Clock;
  readonly log: Logger;

  constructor(readonly options: PluginHostOptions) {
    this.clock = options.clock ?? systemClock();
    this.log = options.log.child({ component: "plugins" });
  }

  /** Starts the sources of a config (same as apply; named for the server's start-up sequence). */
  start(config: HostConfig): Promise<void> {
    return this.apply(config);
  }

  /**
   * Brings the running sources in line with a config (start-up and every reload): removed or
   * changed sources are stopped, new or changed ones started, unchanged ones keep running.
   */
  apply(config: HostConfig): Promise<void> {
    return this.enqueue(async () => {
      if (this.stopped) return;
      this.config = config;
      const registry = this.options.registry();
      const wanted = new Map(config.sources.map((source) => [source.id, source]));
      const replaced = new Map<string, SourceRunner>();
      for (const [id, runner] of this.runners) {
        const next = wanted.get(id);
        if (next && runner.fingerprint === fingerprintOf(next, registry.get(next.plugin), config.timezone)) continue;
        replaced.set(id, runner);
      }
      await Promise.all([...replaced.values()].map((runner) => runner.stop()));
      for (const id of replaced.keys()) this.runners.delete(id);
      for (const source of config.sources) {
        if (this.runners.has(source.id)) continue;
        const entry = registry.get(source.plugin);
        const previous = replaced.get(source.id);
        const carried = previous && previous.config.plugin === source.plugin ? previous.record : undefined;
        // A source whose config changed polls at once: its last run says nothing about the new settings.
        const runner = new SourceRunner(this, source, entry, fingerprintOf(source, entry, config.timezone), carried ?? this.loadRecord(source), carried !== undefined);
        this.runners.set(source.id, runner);
        runner.start();
      }
      this.order = config.sources.map((source) => source.id);
      if (replaced.size) this.log.info("sources reconfigured", { restarted_or_removed: [...replaced.keys()] });
    });
  }

  /** Stops every source (shutdown): aborts calls in progress, waits briefly, calls each instance's stop(). */
  stop(): Promise<void> {
    return this.enqueue(async () => {
      if (this.stopped) return;
      this.stopped = true;
      await Promise.all([...this.runners.values()].map((runner) => runner.stop()));
    });
  }

  /** Status of every configured source, in config order. */
  list(): SourceStatus[] {
    return this.order.map((id) => this.runners.get(id)?.status()).filter((status): status is SourceStatus => status !== undefined);
  }

  /** Status of one source, or undefined. */
  status(id: string): SourceStatus | undefined {
    return this.runners.get(id)?.status();
  }

  /** Polls a pull source now ("Run now"); throws SourceActionError when that is not possible. */
  runNow(id: string): Promise<RunResult> {
    const runner = this.runners.get(id);
    if (!runner) throw new SourceActionError("not_found", `there is no source ${JSON.stringify(id)}`);
    return runner.runNow();
  }

  /** Sends a message through a notifier source; the result says whether it was delivered. */
  send(id: string, message: NotifierMessage): Promise<RunResult> {
    const runner = this.runners.get(id);
    if (!runner) throw new SourceActionError("not_found", `there is no source ${JSON.stringify(id)}`);
    return runner.send(message);
  }

  /** Enabled decode sources whose decoder is ready, in config order (the ingest routes messages to these). */
  decoders(): { id: string; plugin: string; transport: "mqtt" | "http"; options: Record<string, unknown>; instance: TelemetryDecodeInstance }[] {
    const ready = [];
    for (const id of this.order) {
      const runner = this.runners.get(id);
      const decoder = runner?.decoder();
      if (runner && decoder) ready.push({ id, plugin: runner.config.plugin, ...decoder });
    }
    return ready;
  }

  /** Adds what the ingest stored and rejected to each decode source's counters. */
  countIngest(counts: Map<string, { stored: number; rejected: number }>): void {
    for (const [id, count] of counts) this.runners.get(id)?.countIngest(count.stored, count.rejected);
  }

  /** Ids of the enabled notifier sources, in config order. */
  notifierIds(): string[] {
    return this.list()
      .filter((status) => status.kind === "notifier" && status.enabled)
      .map((status) => status.id);
  }

  /** Calls `listener` after every status change (for live updates); returns an unsubscribe function. */
  onChange(listener: (status: SourceStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Timing from the config in force (read on every use, so a reload applies at once). */
  timing(): { callTimeoutMs: number; retryInitialMs: number; retryMaxMs: number } {
    const hostConfig = this.config?.plugin_host ?? { call_timeout_seconds: 60, retry_initial_seconds: 30, retry_max_seconds: 3600 };
    return {
      callTimeoutMs: hostConfig.call_timeout_seconds * 1000,
      retryInitialMs: hostConfig.retry_initial_seconds * 1000,
      retryMaxMs: Math.max(hostConfig.retry_max_seconds, hostConfig.retry_initial_seconds) * 1000,
    };
  }

  /** Delay before the next attempt after `consecutiveFailures` failures in a row. */
  retryDelayMs(consecutiveFailures: number): number {
    const { retryInitialMs, retryMaxMs } = this.timing();
    return Math.min(retryInitialMs * 2 ** Math.max(0, consecutiveFailures - 1), retryMaxMs);
  }

  /** The timezone schedules are read in. */
  timezone(): string {
    return this.config?.timezone || "UTC";
  }

  /** An error message fit to show and store: one line, secrets removed, bounded length. */
  cleanMessage(message: string): string {
    let text = message.replace(/\s+/g, " ").trim() || "unknown error";
    for (const secret of this.options.secrets?.() ?? []) if (secret.length >= 4 && text.includes(secret)) text = text.split(secret).join("[redacted]");
    return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH - 1)}…` : text;
  }

  /** Saves a source's record; a storage problem is logged, never passed to the plugin. */
  saveRecord(sourceId: string, plugin: string, record: SourceRecord): void {
    try {
      this.options.store?.save(sourceId, plugin, record, this.clock.now());
    } catch (error) {
      this.log.warn("cannot save the status of a source", { source: sourceId, error: (error as Error).message });
    }
  }

  /** Tells listeners a source changed. */
  notify(status: SourceStatus): void {
    for (const listener of this.listeners) {
      try {
        listener(status);
      } catch (error) {
        this.log.warn("a source status listener failed", { error: (error as Error).message });
      }
    }
  }

  private loadRecord(source: SourceConfig): SourceRecord {
    try {
      return this.options.store?.load(source.id, source.plugin) ?? emptySourceRecord();
    } catch (error) {
      this.log.warn("cannot read the saved status of a source", { source: source.id, error: (error as Error).message });
      return emptySourceRecord();
    }
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const next = this.serial.then(task, task);
    this.serial = next.catch(() => undefined);
    return next;
  }
}

/** What decides whether a running source must restart on a config change. */
function fingerprintOf(source: SourceConfig, entry: RegisteredPlugin | undefined, timezone: string): string {
  const pull = entry ? pluginMode(entry.definition) === "pull" : false;
  return JSON.stringify([source.plugin, source.enabled, source.schedule ?? null, source.options, pull ? timezone : null, definitionId(entry?.definition)]);
}

type AnyInstance = StoppableInstance & Partial<TelemetryPushInstance & TelemetryPullInstance & LoadboardInstance & NotifierInstance>;

/** One source's lifecycle, timers and status. */
class SourceRunner {
  record: SourceRecord;
  private state: SourceState;
  private instance: AnyInstance | null = null;
  private readonly definition: AnyPluginDefinition | undefined;
  private readonly lifetime = new AbortController();
  private stopped = false;
  /** The create in progress, shared by everyone who needs the instance. */
  private creating: Promise<{ ok: true } | { ok: false; outcome: CallOutcome<unknown>; phase: string }> | null = null;
  /** The poll or send being waited for (overlap protection). */
  private busy: Promise<RunResult> | null = null;
  /** Every plugin call not yet returned, so stop() can give them a moment. */
  private readonly pending = new Set<Promise<void>>();
  private trigger: CronTrigger | null = null;
  private retryTimer: TimerHandle | null = null;
  private retryAt: number | null = null;
  private readonly log: Logger;
  private readonly options: Record<string, unknown>;

  constructor(
    private readonly host: PluginHost,
    readonly config: SourceConfig,
    private readonly entry: RegisteredPlugin | undefined,
    readonly fingerprint: string,
    initial: SourceRecord,
    private readonly pollAtStart = false,
  ) {
    this.record = { ...initial };
    this.definition = entry?.definition;
    // The config loader already applied the schema's defaults; doing it again keeps the host right
    // when it is given raw options (tests, a config loaded without the registry).
    if (this.definition) {
      try {
        this.options = Value.Default(this.definition.configSchema, structuredClone(config.options)) as Record<string, unknown>;
      } catch {
        this.options = config.options;
      }
    } else this.options = config.options;
    this.state = config.enabled ? "starting" : "disabled";
    this.log = host.log.child({ source: config.id, plugin: config.plugin });
  }

  private get mode(): PluginMode | null {
    return this.definition ? pluginMode(this.definition) : null;
  }

  status(): SourceStatus {
    const scheduled = this.trigger?.nextRunAt() ?? null;
    const nextRunAt = scheduled !== null && this.retryAt !== null ? Math.min(scheduled, this.retryAt) : (scheduled ?? this.retryAt);
    return {
      ...this.record,
      id: this.config.id,
      plugin: this.config.plugin,
      kind: this.definition?.kind ?? null,
      mode: this.mode,
      pluginVersion: this.definition?.version ?? null,
      pluginOrigin: this.entry?.origin ?? null,
      enabled: this.config.enabled,
      schedule: this.config.schedule ?? null,
      state: this.state,
      running: this.busy !== null || this.creating !== null,
      nextRunAt: this.stopped ? null : nextRunAt,
    };
  }

  start(): void {
    if (!this.config.enabled) return this.changed(false);
    if (!this.definition) {
      // Only reachable when the config was loaded without the plugin registry; nothing to retry until the config changes.
      this.recordFailure(`unknown plugin ${JSON.stringify(this.config.plugin)}: no built-in plugin or plugin file has this name`);
      return;
    }
    const mode = this.mode;
    if (mode === "pull") return this.startPull();
    if (mode === "push") return this.setRetry(0, () => void this.startPush());
    // Decoders and notifiers are created once and then called by the core (ingest, alerts).
    this.setRetry(0, () => void this.startNotifier());
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.trigger?.stop();
    this.clearRetry();
    this.lifetime.abort(new Error("the source is stopping"));
    const graceMs = this.host.options.stopGraceMs ?? 5000;
    await this.waitForPending(graceMs);
    if (this.creating) await this.creating;
    const instance = this.instance;
    this.instance = null;
    // Shutdown must finish within the server's limit, so stop() gets the grace period, not the full call timeout.
    if (instance) await this.stopInstance(instance, Math.min(this.host.timing().callTimeoutMs, graceMs));
  }

  /** The decoder instance of an enabled, created decode source (null while it is starting or failing to create). */
  decoder(): { instance: TelemetryDecodeInstance; options: Record<string, unknown>; transport: "mqtt" | "http" } | null {
    if (this.mode !== "decode" || !this.instance || this.stopped) return null;
    return { instance: this.instance as TelemetryDecodeInstance, options: this.options, transport: (this.definition as TelemetryDecodePlugin).transport };
  }

  /**
   * Counts what the ingest stored and rejected for this decode source. Rejected messages are the
   * senders' problem (they are dead letters), so they do not make the source failing.
   */
  countIngest(stored: number, rejected: number): void {
    const now = this.host.clock.now();
    this.record.runs += stored + rejected;
    this.record.items += stored;
    this.record.lastRunAt = now;
    if (stored) this.record.lastSuccessAt = now;
    // Batches commit many times a second: keep the counters live in memory, save them now and then.
    const persist = now - this.countsSavedAt > 10_000;
    if (persist) this.countsSavedAt = now;
    this.changed(persist);
  }
  private countsSavedAt = 0;

  async runNow(): Promise<RunResult> {
    if (!this.config.enabled) throw new SourceActionError("disabled", `source ${this.config.id} is disabled in the config (enabled: false)`);
    if (this.mode !== "pull") throw new SourceActionError("not_pollable", `source ${this.config.id} is not polled (${this.mode ?? "unknown plugin"})`);
    return this.poll("manual");
  }

  async send(message: NotifierMessage): Promise<RunResult> {
    if (this.definition?.kind !== "notifier") throw new SourceActionError("not_notifier", `source ${this.config.id} is not a notifier`);
    if (!this.config.enabled) throw new SourceActionError("disabled", `source ${this.config.id} is disabled in the config (enabled: false)`);
    if (!Value.Check(NotifierMessageSchema, message)) throw new TypeError(`not a valid notifier message: ${Value.Errors(NotifierMessageSchema, message).First()?.message}`);
    return this.exclusive(async () => {
      const startedAt = this.runStarted();
      const ready = await this.ensureInstance();
      if (!ready.ok) return this.failRun(startedAt, ready.outcome, ready.phase);
      const outcome = await this.call((ctx) => this.instance!.send!(message, ctx));
      if (outcome.status !== "ok") return this.failRun(startedAt, outcome, "send");
      return this.succeed(startedAt, 1, outcome.durationMs);
    });
  }

  // ---- pull sources -------------------------------------------------------------------------

  private startPull(): void {
    if (!this.config.schedule) {
      this.recordFailure(`plugin ${this.config.plugin} polls on a schedule, but the source has no "schedule:"`);
      return;
    }
    let pattern: CronPattern;
    try {
      pattern = new CronPattern(this.config.schedule, this.host.timezone());
    } catch (error) {
      this.recordFailure(`schedule ${JSON.stringify(this.config.schedule)} cannot be used: ${(error as Error).message}`);
      return;
    }
    this.trigger = new CronTrigger(pattern, this.host.clock, () => void this.poll("schedule"));
    this.trigger.start();
    const now = this.host.clock.now();
    const lastTick = pattern.previous(now);
    const upToDate = !this.pollAtStart && this.record.lastSuccessAt !== null && this.record.consecutiveFailures === 0 && this.record.lastRunAt !== null && (lastTick === null || this.record.lastRunAt >= lastTick);
    if (upToDate) {
      this.state = "ok";
      this.changed(false);
    } else {
      this.setRetry(0, () => void this.poll("start"));
    }
  }

  private poll(trigger: PollContext["trigger"]): Promise<RunResult> {
    if (this.stopped) return Promise.resolve({ status: "skipped", error: "the source is stopping", items: 0, durationMs: 0 });
    if (this.busy) {
      // Only ticks the owner did not ask for count as skipped; "Run now" is simply answered "busy".
      if (trigger !== "manual") {
        this.record.skipped++;
        this.changed(true);
        this.log.warn("the previous poll is still running; this one is skipped", { trigger });
      }
      return Promise.resolve({ status: "skipped", error: "the previous poll is still running", items: 0, durationMs: 0 });
    }
    return this.exclusive(async () => {
      this.clearRetry();
      const startedAt = this.runStarted();
      const ready = await this.ensureInstance();
      if (!ready.ok) return this.failRun(startedAt, ready.outcome, ready.phase);
      const lastSuccessAt = this.record.lastSuccessAt;
      const outcome = await this.call((ctx) => this.instance!.poll!({ ...ctx, lastSuccessAt, trigger }));
      if (outcome.status !== "ok") return this.failRun(startedAt, outcome, "poll");
      if (this.stopped) return { status: "skipped", error: "the source stopped", items: 0, durationMs: outcome.durationMs };
      return this.deliver(startedAt, outcome.value, outcome.durationMs, "poll returned");
    });
  }

  // ---- push sources -------------------------------------------------------------------------

  private async startPush(): Promise<void> {
    if (this.stopped) return;
    const startedAt = this.runStarted();
    const ready = await this.ensureInstance();
    if (!ready.ok) return void this.failRun(startedAt, ready.outcome, ready.phase);
    const instance = this.instance!;
    const outcome = await this.call((ctx) => instance.start!(this.pushContext(ctx, instance)));
    if (outcome.status === "ok") return this.markReady(true);
    if (outcome.status === "cancelled") return;
    this.failRun(startedAt, outcome, "start", false);
    await this.restartLater(instance);
  }

  // ---- notifiers ----------------------------------------------------------------------------

  private async startNotifier(): Promise<void> {
    if (this.stopped) return;
    const startedAt = this.host.clock.now(); // creating is not a run: "last run" stays the last send
    const ready = await this.ensureInstance();
    if (ready.ok) this.markReady(false);
    else this.failRun(startedAt, ready.outcome, ready.phase);
  }

  private pushContext(ctx: CallContext, instance: AnyInstance): PushContext {
    const current = () => !this.stopped && this.instance === instance;
    return {
      ...ctx,
      emit: async (records) => {
        if (!current()) return { ok: false, error: "the source is stopped" };
        const startedAt = this.runStarted();
        const result = await this.deliver(startedAt, { records }, 0, "emitted");
        return result.status === "ok" ? ({ ok: true, accepted: result.items } satisfies EmitResult) : { ok: false, error: result.error ?? "failed" };
      },
      reportError: (error, options) => {
        if (!current()) return;
        this.recordFailure(this.host.cleanMessage(toError(error).message));
        if (options?.restart) void this.restartLater(instance);
      },
      reportOk: () => {
        if (current()) this.markReady(false);
      },
    };
  }

  /** Stops a push instance that failed and creates a fresh one after the retry delay. */
  private async restartLater(instance: AnyInstance): Promise<void> {
    if (this.instance === instance) this.instance = null;
    await this.stopInstance(instance);
    if (!this.stopped) this.setRetry(this.host.retryDelayMs(this.record.consecutiveFailures), () => void this.startPush());
  }

  // ---- shared -------------------------------------------------------------------------------

  /** Runs `task` as this source's one call in progress. */
  private exclusive(task: () => Promise<RunResult>): Promise<RunResult> {
    const run = task().finally(() => {
      if (this.busy === run) this.busy = null;
    });
    this.busy = run;
    this.changed(false);
    return run;
  }

  /** Creates the instance if there is none; concurrent callers share one attempt. */
  private ensureInstance(): Promise<{ ok: true } | { ok: false; outcome: CallOutcome<unknown>; phase: string }> {
    if (this.instance) return Promise.resolve({ ok: true });
    if (this.creating) return this.creating;
    const definition = this.definition!;
    let abandoned = false;
    const attempt = (async () => {
      const outcome = await this.call(async (ctx) => {
        const instance = (await definition.create({ sourceId: this.config.id, options: this.options, log: ctx.log, signal: this.lifetime.signal, services: { ...NO_SERVICES, ...this.host.options.services } })) as AnyInstance;
        // Created after we stopped waiting (timeout, shutdown): release it rather than leak it.
        if (abandoned || this.stopped) void this.stopInstance(instance);
        return instance;
      });
      if (outcome.status !== "ok") {
        abandoned = true;
        return { ok: false as const, outcome, phase: "create" };
      }
      const problem = instanceProblem(outcome.value, this.mode!);
      if (problem) {
        void this.stopInstance(outcome.value as AnyInstance);
        return { ok: false as const, outcome: { status: "failed", error: new Error(problem), durationMs: outcome.durationMs, settled: outcome.settled } as CallOutcome<unknown>, phase: "create" };
      }
      this.instance = outcome.value as AnyInstance;
      return { ok: true as const };
    })().finally(() => {
      this.creating = null;
    });
    this.creating = attempt;
    return attempt;
  }

  /** One guarded call into the plugin with this source's context. */
  private call<T>(fn: (ctx: CallContext) => T | Promise<T>): Promise<CallOutcome<T>> {
    const { callTimeoutMs } = this.host.timing();
    // Tracked from the start so stop() can give a call that is being waited for a moment to return;
    // a call abandoned at its timeout is not waited for again.
    let release!: () => void;
    const tracked = new Promise<void>((resolve) => (release = resolve));
    this.pending.add(tracked);
    void tracked.then(() => this.pending.delete(tracked));
    const outcome = guardedCall((signal) => fn({ sourceId: this.config.id, log: this.log, signal }), { timeoutMs: callTimeoutMs, clock: this.host.clock, parent: this.lifetime.signal });
    void outcome.then((result) => (result.status === "timed_out" ? release() : result.settled.then(release)));
    return outcome;
  }

  /** Checks a poll result or push batch, hands it to the sink and records the outcome. */
  private async deliver(startedAt: number, value: unknown, durationMs: number, verb: "poll returned" | "emitted"): Promise<RunResult> {
    const kind = this.definition!.kind;
    let check: OutputCheck<unknown>;
    try {
      check = kind === "loadboard" ? checkLoadboardOutput(value) : checkTelemetryOutput(value);
    } catch (error) {
      check = { ok: false, reason: (error as Error).message };
    }
    const phase = verb === "emitted" ? "emitted invalid output" : "poll returned invalid output";
    if (!check.ok) return this.fail(startedAt, `${phase}: ${check.reason}`, "failed", durationMs);
    try {
      const receivedAt = this.host.clock.now();
      const sinks = this.host.options.sinks ?? {};
      if (kind === "loadboard") {
        const { rejected, complete } = check.value as LoadboardOutput;
        await sinks.loadboard?.({ sourceId: this.config.id, plugin: this.config.plugin, loads: check.items, rejected, complete, receivedAt });
      }
      else await sinks.telemetry?.({ sourceId: this.config.id, plugin: this.config.plugin, records: check.items, receivedAt });
    } catch (error) {
      this.log.error("storing a source's results failed", { error: toError(error) });
      return this.fail(startedAt, `storing the results failed: ${toError(error).message}`, "failed", durationMs);
    }
    return this.succeed(startedAt, check.items.length, durationMs);
  }

  /** Notes the start of a poll, send, batch or start attempt; the outcome is counted when it is known. */
  private runStarted(): number {
    const now = this.host.clock.now();
    this.record.lastRunAt = now;
    return now;
  }

  private succeed(startedAt: number, items: number, durationMs: number): RunResult {
    const recovered = this.state === "failing";
    this.record.lastSuccessAt = this.host.clock.now();
    this.record.consecutiveFailures = 0;
    this.record.runs++;
    this.record.items += items;
    this.state = "ok";
    if (recovered) this.log.info("source recovered", { items });
    this.changed(true);
    return { status: "ok", error: null, items, durationMs: durationMs || this.host.clock.now() - startedAt };
  }

  /** Records a failed call and, for pull sources and notifiers, schedules the retry. */
  private failRun(startedAt: number, outcome: CallOutcome<unknown>, phase: string, retry = true): RunResult {
    if (outcome.status === "cancelled") {
      // Stopped by us (config change, shutdown), not a failure of the plugin.
      return { status: "skipped", error: "the source was stopped", items: 0, durationMs: outcome.durationMs };
    }
    const message = outcome.status === "timed_out" ? `${phase} ${outcome.error.message}` : outcome.status === "failed" ? `${phase} failed: ${outcome.error.message}` : `${phase} failed`;
    const result = this.fail(startedAt, message, outcome.status === "timed_out" ? "timed_out" : "failed", outcome.durationMs, retry);
    return result;
  }

  private fail(startedAt: number, message: string, status: "failed" | "timed_out", durationMs: number, retry = true): RunResult {
    const error = this.host.cleanMessage(message);
    this.recordFailure(error);
    if (retry && !this.stopped) {
      const delay = this.host.retryDelayMs(this.record.consecutiveFailures);
      if (this.mode === "pull") this.setRetry(delay, () => void this.poll("retry"));
      else if (this.mode === "push" && !this.instance) this.setRetry(delay, () => void this.startPush());
      else if ((this.mode === "send" || this.mode === "decode") && !this.instance) this.setRetry(delay, () => void this.startNotifier());
    }
    return { status, error, items: 0, durationMs: durationMs || this.host.clock.now() - startedAt };
  }

  private recordFailure(error: string): void {
    const now = this.host.clock.now();
    this.record.runs++;
    this.record.failures++;
    this.record.consecutiveFailures++;
    this.record.lastError = error;
    this.record.lastErrorAt = now;
    this.state = "failing";
    this.log.warn("source failing", { error, consecutive_failures: this.record.consecutiveFailures });
    this.changed(true);
  }

  /** A push source started or reconnected, or a notifier was created: healthy without a run. */
  private markReady(connected: boolean): void {
    if (this.stopped) return;
    this.state = "ok";
    this.record.consecutiveFailures = 0;
    if (connected) this.record.lastSuccessAt = this.host.clock.now();
    this.changed(true);
  }

  private setRetry(delayMs: number, action: () => void): void {
    this.clearRetry();
    if (this.stopped) return;
    this.retryAt = this.host.clock.now() + delayMs;
    this.retryTimer = this.host.clock.setTimer(() => {
      this.retryTimer = null;
      this.retryAt = null;
      if (!this.stopped) action();
    }, delayMs);
    this.changed(false);
  }

  private clearRetry(): void {
    this.host.clock.clearTimer(this.retryTimer);
    this.retryTimer = null;
    this.retryAt = null;
  }

  private async stopInstance(instance: AnyInstance, shutdownTimeoutMs?: number): Promise<void> {
    if (typeof instance?.stop !== "function") return;
    // At shutdown the limit is wall-clock time (the process must exit), whatever clock the host runs on.
    const limit = shutdownTimeoutMs === undefined ? { timeoutMs: this.host.timing().callTimeoutMs, clock: this.host.clock } : { timeoutMs: shutdownTimeoutMs, clock: realClock };
    const outcome = await guardedCall(() => instance.stop!(), limit);
    if (outcome.status !== "ok") this.log.warn("the plugin's stop() did not finish cleanly", { error: outcome.error.message });
  }

  private async waitForPending(graceMs: number): Promise<void> {
    if (!this.pending.size && !this.busy) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
    await Promise.race([Promise.all([...this.pending, this.busy]), grace]);
    clearTimeout(timer);
  }

  private changed(persist: boolean): void {
    if (this.stopped && persist) return; // a stopped runner's late results must not overwrite its successor's record
    if (persist) this.host.saveRecord(this.config.id, this.config.plugin, this.record);
    this.host.notify(this.status());
  }
}

/** Why `create`'s result is not an instance of the right shape, or null when it is. */
function instanceProblem(value: unknown, mode: PluginMode): string | null {
  if (!value || typeof value !== "object") return `create returned ${value === null ? "null" : typeof value}, not an instance object`;
  const instance = value as Record<string, unknown>;
  const method = mode === "pull" ? "poll" : mode === "push" ? "start" : mode === "decode" ? "decode" : "send";
  if (typeof instance[method] !== "function") return `create returned an instance without a ${method}() method`;
  if (instance.stop !== undefined && typeof instance.stop !== "function") return "the instance's stop must be a function";
  return null;
}
