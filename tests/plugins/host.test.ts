/**
 * The plugin host on a manual clock with the throwaway plugins from tests/fixtures/plugins:
 * a good source keeps running while sources that throw, hang or return junk are contained,
 * marked failing with the reason, and retried with growing delays.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { ManualClock } from "../../src/scheduler/clock";
import { PluginHost, SourceActionError, type HostConfig, type LoadboardBatch, type TelemetryBatch } from "../../src/plugins/host";
import { buildRegistry } from "../../src/plugins/registry";
import { SqliteSourceStateStore } from "../../src/plugins/source-store";
import type { SourceConfig } from "../../src/config/schema";
import { migrate } from "../../src/db/migrate";
import { configureConnection } from "../../src/db/open";
import { createLogger } from "../../src/log";
import { definePlugin } from "../../src/plugins/define";
import { Type } from "@sinclair/typebox";
import { fixturePlugins } from "../fixtures/plugins";
import { goodPolls } from "../fixtures/plugins/good";
import { hangSignals } from "../fixtures/plugins/hangs";
import { pushHandles } from "../fixtures/plugins/push";
import { sentMessages } from "../fixtures/plugins/notifier";

/** 2025-01-06 12:00:30 UTC: half a minute before a minute tick, so "start" and "schedule" polls are easy to tell apart. */
const START = Date.UTC(2025, 0, 6, 12, 0, 30);
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const YEARLY = "0 0 1 1 *";

function source(id: string, plugin: string, extra: Partial<SourceConfig> = {}): SourceConfig {
  return { id, plugin, enabled: true, schedule: plugin === "test-push" || plugin === "test-notifier" ? undefined : YEARLY, options: {}, ...extra };
}

function hostConfig(sources: SourceConfig[], timing: Partial<HostConfig["plugin_host"]> = {}): HostConfig {
  return { sources, timezone: "UTC", plugin_host: { call_timeout_seconds: 5, retry_initial_seconds: 10, retry_max_seconds: 80, ...timing } };
}

const hosts: PluginHost[] = [];
afterEach(async () => {
  await Promise.all(hosts.splice(0).map((host) => host.stop()));
});

function setup(options: { plugins?: typeof fixturePlugins; db?: Database; clock?: ManualClock; secrets?: string[]; sinks?: ConstructorParameters<typeof PluginHost>[0]["sinks"] } = {}) {
  const clock = options.clock ?? new ManualClock(START);
  const lines: string[] = [];
  const log = createLogger({ level: "debug", write: (line) => lines.push(line) });
  const { registry } = buildRegistry(options.plugins ?? fixturePlugins);
  const loads: LoadboardBatch[] = [];
  const records: TelemetryBatch[] = [];
  const host = new PluginHost({
    registry: () => registry,
    log,
    clock,
    store: options.db ? new SqliteSourceStateStore(options.db) : undefined,
    secrets: () => options.secrets ?? [],
    sinks: options.sinks ?? { loadboard: (batch) => void loads.push(batch), telemetry: (batch) => void records.push(batch) },
    stopGraceMs: 20,
  });
  hosts.push(host);
  return { clock, host, lines, loads, records };
}

function memoryDb(): Database {
  const db = new Database(":memory:", { strict: true });
  configureConnection(db);
  migrate(db);
  return db;
}

describe("Plugin host containment", () => {
  test("good keeps running while throws, hangs and junk are failing; each failure has its reason", async () => {
    const { clock, host, loads } = setup();
    const everyMinute = "* * * * *";
    await host.start(
      hostConfig([
        source("good", "test-good", { schedule: everyMinute, options: { count: 3 } }),
        source("throws", "test-throws", { schedule: everyMinute, options: { message: "upstream answered 503" } }),
        source("hangs", "test-hangs", { schedule: everyMinute }),
        source("junk", "test-junk", { schedule: everyMinute, options: { shape: "loads-not-list" } }),
      ]),
    );
    expect(host.list().map((s) => s.state)).toEqual(["starting", "starting", "starting", "starting"]);

    await clock.advance(0); // the first poll after start
    let byId = Object.fromEntries(host.list().map((s) => [s.id, s]));
    expect(byId.good).toMatchObject({ state: "ok", runs: 1, items: 3, failures: 0 });
    expect(byId.throws).toMatchObject({ state: "failing", lastError: "poll failed: upstream answered 503", consecutiveFailures: 1, lastErrorAt: START });
    expect(byId.junk).toMatchObject({ state: "failing", lastError: "poll returned invalid output: loads must be a list, got text" });
    expect(byId.hangs).toMatchObject({ state: "starting", running: true });

    await clock.advance(5 * SECOND); // the hanging call reaches the 5 s timeout
    byId = Object.fromEntries(host.list().map((s) => [s.id, s]));
    expect(byId.hangs).toMatchObject({ state: "failing", lastError: "poll timed out after 5 s", running: false, lastErrorAt: START + 5 * SECOND });
    expect(hangSignals.at(-1)!.aborted).toBe(true);

    await clock.advance(10 * MINUTE);
    byId = Object.fromEntries(host.list().map((s) => [s.id, s]));
    // The good source polled at start and at each of the 10 minute ticks, and every batch reached the sink.
    expect(byId.good).toMatchObject({ state: "ok", runs: 11, items: 33, failures: 0, consecutiveFailures: 0, lastError: null });
    expect(loads.filter((batch) => batch.sourceId === "good")).toHaveLength(11);
    expect(loads.every((batch) => batch.sourceId === "good")).toBe(true);
    for (const id of ["throws", "hangs", "junk"]) {
      expect(byId[id]!.state).toBe("failing");
      expect(byId[id]!.items).toBe(0);
      expect(byId[id]!.failures).toBe(byId[id]!.runs);
      expect(byId[id]!.failures).toBeGreaterThan(5);
    }
  });

  test("retry delays double from retry_initial up to retry_max", async () => {
    const { clock, host } = setup();
    await host.start(hostConfig([source("throws", "test-throws")], { retry_initial_seconds: 10, retry_max_seconds: 80 }));
    const attempts: number[] = [];
    let seen = 0;
    for (let i = 0; i < 7; i++) {
      await clock.advanceTo(clock.nextTimerAt()!);
      const status = host.status("throws")!;
      if (status.failures > seen) {
        seen = status.failures;
        attempts.push(status.lastErrorAt!);
      }
    }
    const delays = attempts.slice(1).map((at, i) => (at - attempts[i]!) / SECOND);
    expect(delays).toEqual([10, 20, 40, 80, 80, 80]);
    expect(host.status("throws")!.consecutiveFailures).toBe(7);
  });

  test("a polling source's next attempt is the earlier of the retry delay and its next scheduled tick", async () => {
    const { clock, host } = setup();
    await host.start(hostConfig([source("throws", "test-throws", { schedule: "* * * * *" })], { retry_initial_seconds: 20, retry_max_seconds: 3600 }));
    await clock.advance(0); // fails at :30
    expect(host.status("throws")!.nextRunAt).toBe(START + 20 * SECOND); // retry (20 s) before the tick (30 s)
    await clock.advance(20 * SECOND); // fails again at :50; retry would be in 40 s, the tick comes in 10 s
    expect(host.status("throws")!.nextRunAt).toBe(START + 30 * SECOND);
    await clock.advance(10 * SECOND);
    expect(host.status("throws")!.failures).toBe(3);
  });

  test("a scheduled tick while the previous poll is still waited for is skipped and counted", async () => {
    const { clock, host } = setup();
    await host.start(hostConfig([source("hangs", "test-hangs", { schedule: "* * * * *" })], { call_timeout_seconds: 140, retry_initial_seconds: 3600 }));
    await clock.advance(0);
    await clock.advance(2 * MINUTE); // ticks at 12:01 and 12:02 come while the start poll hangs
    expect(host.status("hangs")).toMatchObject({ skipped: 2, running: true, failures: 0 });
    await clock.advance(20 * SECOND); // the call is abandoned at 140 s (12:02:50)
    expect(host.status("hangs")).toMatchObject({ state: "failing", running: false, failures: 1, lastError: "poll timed out after 2.3 min" });
    // An abandoned call does not block the schedule: the 12:03 tick polls again.
    await clock.advance(10 * SECOND);
    expect(host.status("hangs")).toMatchObject({ skipped: 2, running: true, lastRunAt: START + 150 * SECOND });
  });

  test("each kind of junk output is named", async () => {
    const { clock, host } = setup();
    const shapes = { "loads-not-list": "loads must be a list, got text", "item-not-object": "loads[1] must be an object, got a number", "missing-loads": "loads is missing (expected { loads: [...] })", "not-object": "expected an object like { loads: [...] }, got text", nothing: "expected an object like { loads: [...] }, got nothing" };
    await host.start(hostConfig(Object.keys(shapes).map((shape) => source(shape, "test-junk", { options: { shape } }))));
    await clock.advance(0);
    for (const [shape, reason] of Object.entries(shapes)) expect(host.status(shape)!.lastError).toStartWith(`poll returned invalid output: ${reason}`);
  });

  test("create that throws, hangs or returns no instance fails the source and is retried", async () => {
    let creates = 0;
    const flaky = definePlugin({
      kind: "loadboard",
      name: "flaky-create",
      version: "1",
      configSchema: Type.Object({}),
      create: () => {
        creates++;
        if (creates === 1) throw new Error("bad credentials");
        if (creates === 2) return new Promise<never>(() => {});
        if (creates === 3) return {} as never;
        return { poll: () => ({ loads: [{ id: 1 }] }) };
      },
    });
    const { clock, host } = setup({ plugins: [flaky] });
    await host.start(hostConfig([source("flaky", "flaky-create")]));
    await clock.advance(0);
    expect(host.status("flaky")!.lastError).toBe("create failed: bad credentials");
    await clock.advance(10 * SECOND + 5 * SECOND);
    expect(host.status("flaky")!.lastError).toBe("create timed out after 5 s");
    await clock.advance(20 * SECOND);
    expect(host.status("flaky")!.lastError).toBe("create failed: create returned an instance without a poll() method");
    await clock.advance(40 * SECOND);
    expect(host.status("flaky")).toMatchObject({ state: "ok", items: 1, consecutiveFailures: 0, failures: 3, runs: 4 });
  });

  test("a sink that throws fails the run with a clear reason", async () => {
    const { clock, host } = setup({ sinks: { loadboard: () => { throw new Error("database is locked"); } } });
    await host.start(hostConfig([source("good", "test-good")]));
    await clock.advance(0);
    expect(host.status("good")).toMatchObject({ state: "failing", lastError: "storing the results failed: database is locked", items: 0 });
  });

  test("error messages shown to people have config secrets removed and are one bounded line", async () => {
    const { clock, host } = setup({ secrets: ["s3cr3t-api-key"] });
    await host.start(hostConfig([source("leaky", "test-throws", { options: { message: `GET https://api.example/loads?key=s3cr3t-api-key failed\n${"x".repeat(900)}` } })]));
    await clock.advance(0);
    const error = host.status("leaky")!.lastError!;
    expect(error).not.toContain("s3cr3t-api-key");
    expect(error).toContain("key=[redacted] failed x");
    expect(error.length).toBeLessThanOrEqual(500);
  });
});

describe("Plugin host lifecycle", () => {
  test("a disabled source is never created; an unknown plugin is failing without retries", async () => {
    const { clock, host } = setup();
    await host.start(hostConfig([source("off", "test-good", { enabled: false }), source("ghost", "no-such-plugin")]));
    await clock.advance(MINUTE);
    expect(host.status("off")).toMatchObject({ state: "disabled", runs: 0, nextRunAt: null });
    expect(goodPolls.get("off")).toBeUndefined();
    expect(host.status("ghost")).toMatchObject({ state: "failing", failures: 1, kind: null, nextRunAt: null });
    expect(host.status("ghost")!.lastError).toContain('unknown plugin "no-such-plugin"');
    await expect(host.runNow("off")).rejects.toBeInstanceOf(SourceActionError);
    expect(() => host.runNow("missing")).toThrow('there is no source "missing"');
  });

  test("runNow polls a pull source at once and reports the result", async () => {
    const { clock, host } = setup();
    await host.start(hostConfig([source("good", "test-good", { options: { count: 4 } }), source("throws", "test-throws")]));
    await clock.advance(0);
    expect(await host.runNow("good")).toMatchObject({ status: "ok", items: 4, error: null });
    expect(await host.runNow("throws")).toMatchObject({ status: "failed", error: "poll failed: upstream answered 503" });
    expect(host.status("good")).toMatchObject({ runs: 2, items: 8 });
  });

  test("config reload keeps unchanged sources, restarts changed ones, stops removed ones, starts new ones", async () => {
    const stops: string[] = [];
    let creates = 0;
    const tracked = definePlugin({
      kind: "loadboard",
      name: "tracked",
      version: "1",
      configSchema: Type.Object({ n: Type.Integer({ default: 1 }) }),
      create: ({ sourceId, options }) => {
        creates++;
        return { poll: () => ({ loads: Array.from({ length: options.n }, () => ({})) }), stop: () => void stops.push(sourceId) };
      },
    });
    const { host: trackedHost, clock: trackedClock } = setup({ plugins: [tracked] });
    await trackedHost.start(hostConfig([source("keep", "tracked"), source("change", "tracked"), source("remove", "tracked")]));
    await trackedClock.advance(0);
    expect(creates).toBe(3);
    await trackedHost.apply(hostConfig([source("keep", "tracked"), source("change", "tracked", { options: { n: 5 } }), source("new", "tracked")]));
    await trackedClock.advance(0);
    expect(stops.sort()).toEqual(["change", "remove"]);
    expect(creates).toBe(5); // "change" again and "new"; "keep" was not touched
    expect(trackedHost.list().map((s) => s.id)).toEqual(["keep", "change", "new"]);
    // The restarted source keeps its counters and polled again at once (its config changed, so its last run proves nothing).
    expect(trackedHost.status("change")).toMatchObject({ runs: 2, items: 1 + 5 });
    expect(trackedHost.status("keep")).toMatchObject({ runs: 1, items: 1 });
  });

  test("at start a source polls at once unless its last run succeeded and no tick was missed", async () => {
    const db = memoryDb();
    const store = new SqliteSourceStateStore(db);
    const lastTick = Date.UTC(2025, 0, 6, 12, 0, 0);
    store.save("fresh", "test-good", { lastRunAt: lastTick, lastSuccessAt: lastTick + 10, lastError: null, lastErrorAt: null, consecutiveFailures: 0, runs: 7, failures: 0, items: 14, skipped: 0 }, lastTick);
    store.save("stale", "test-good", { lastRunAt: lastTick - MINUTE, lastSuccessAt: lastTick - MINUTE, lastError: null, lastErrorAt: null, consecutiveFailures: 0, runs: 7, failures: 0, items: 14, skipped: 0 }, lastTick);
    store.save("other", "test-throws", { lastRunAt: lastTick, lastSuccessAt: lastTick, lastError: null, lastErrorAt: null, consecutiveFailures: 0, runs: 99, failures: 0, items: 99, skipped: 0 }, lastTick);
    const { clock, host } = setup({ db });
    await host.start(hostConfig([source("fresh", "test-good", { schedule: "* * * * *" }), source("stale", "test-good", { schedule: "* * * * *" }), source("other", "test-good", { schedule: "* * * * *" })]));
    await clock.advance(0);
    expect(host.status("fresh")).toMatchObject({ state: "ok", runs: 7, items: 14 }); // waits for 12:01
    expect(host.status("stale")).toMatchObject({ state: "ok", runs: 8, items: 16 }); // missed the 12:00 tick
    expect(host.status("other")).toMatchObject({ runs: 1, items: 2 }); // the id belonged to another plugin: counters start over
    await host.stop();
    expect(store.load("stale", "test-good")).toMatchObject({ runs: 8, items: 16 });
    db.close();
  });

  test("stop() aborts calls in progress, calls each instance's stop and clears every timer", async () => {
    const { clock, host } = setup();
    await host.start(hostConfig([source("hangs", "test-hangs", { schedule: "* * * * *" }), source("push", "test-push"), source("good", "test-good", { schedule: "* * * * *" })]));
    await clock.advance(0);
    const signal = hangSignals.at(-1)!;
    await host.stop();
    expect(signal.aborted).toBe(true);
    expect(pushHandles.get("push")!.stopped).toBe(true);
    expect(pushHandles.get("push")!.lifetime.aborted).toBe(true);
    expect(clock.pendingTimers()).toBe(0);
  });
});

describe("Push telemetry", () => {
  test("emitted batches are checked, counted and handed to the telemetry sink", async () => {
    const { clock, host, records } = setup();
    await host.start(hostConfig([source("mqtt", "test-push")]));
    await clock.advance(0);
    expect(host.status("mqtt")).toMatchObject({ state: "ok", mode: "push", kind: "telemetry" });
    const { ctx } = pushHandles.get("mqtt")!;
    expect(await ctx.emit([{ lat: 35.1, lon: -97.2 }, { lat: 35.2, lon: -97.3 }])).toEqual({ ok: true, accepted: 2 });
    expect(records).toEqual([{ sourceId: "mqtt", plugin: "test-push", records: [{ lat: 35.1, lon: -97.2 }, { lat: 35.2, lon: -97.3 }], receivedAt: START }]);
    expect(await ctx.emit("garbage" as never)).toEqual({ ok: false, error: "emitted invalid output: records must be a list, got text" });
    expect(host.status("mqtt")).toMatchObject({ state: "failing", runs: 2, items: 2, failures: 1 });
    await ctx.emit([{ lat: 1, lon: 2 }]);
    expect(host.status("mqtt")).toMatchObject({ state: "ok", items: 3, consecutiveFailures: 0 });
  });

  test("reportError marks the source failing; with restart the instance is replaced after the retry delay", async () => {
    const { clock, host } = setup();
    await host.start(hostConfig([source("mqtt", "test-push")]));
    await clock.advance(0);
    const first = pushHandles.get("mqtt")!;
    first.ctx.reportError(new Error("broker went away"));
    expect(host.status("mqtt")).toMatchObject({ state: "failing", lastError: "broker went away" });
    first.ctx.reportOk();
    expect(host.status("mqtt")!.state).toBe("ok");
    first.ctx.reportError("connection reset", { restart: true });
    await clock.advance(0);
    expect(first.stopped).toBe(true);
    expect(host.status("mqtt")!.nextRunAt).toBe(START + 10 * SECOND);
    await clock.advance(10 * SECOND);
    const second = pushHandles.get("mqtt")!;
    expect(second).not.toBe(first);
    expect(host.status("mqtt")!.state).toBe("ok");
    // The old instance can no longer deliver.
    expect(await first.ctx.emit([{}])).toEqual({ ok: false, error: "the source is stopped" });
  });

  test("a start that throws is retried with backoff", async () => {
    const { clock, host } = setup();
    await host.start(hostConfig([source("mqtt", "test-push", { options: { fail_start: true } })]));
    await clock.advance(0);
    expect(host.status("mqtt")).toMatchObject({ state: "failing", lastError: "start failed: broker refused the connection", failures: 1 });
    await clock.advance(10 * SECOND);
    expect(host.status("mqtt")!.failures).toBe(2);
    expect(host.status("mqtt")!.nextRunAt).toBe(START + 30 * SECOND);
  });
});

describe("Notifiers", () => {
  test("send delivers through the plugin, counts messages, and reports failures without throwing", async () => {
    const { clock, host } = setup({ secrets: ["tok-123456"] });
    await host.start(hostConfig([source("phone", "test-notifier"), source("broken", "test-notifier", { options: { fail: true, token: "tok-123456" } })]));
    await clock.advance(0);
    expect(host.notifierIds()).toEqual(["phone", "broken"]);
    const message = { title: "Fault on truck 12", body: "SPN 110 FMI 0: coolant hot", severity: "critical" as const };
    expect(await host.send("phone", message)).toMatchObject({ status: "ok", items: 1 });
    expect(sentMessages.get("phone")).toEqual([message]);
    expect(await host.send("broken", message)).toMatchObject({ status: "failed", error: "send failed: gateway refused token [redacted]" });
    expect(host.status("broken")).toMatchObject({ state: "failing", failures: 1 });
    expect(host.status("phone")).toMatchObject({ state: "ok", items: 1, runs: 1 });
    await expect(host.send("phone", { title: "", body: "x", severity: "loud" } as never)).rejects.toThrow("not a valid notifier message");
  });
});
