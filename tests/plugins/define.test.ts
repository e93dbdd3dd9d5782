/** definePlugin's checks, the built-in list, and guardedCall's handling of whatever plugin code throws. */
import { describe, expect, test } from "bun:test";
import { Type } from "@sinclair/typebox";
import { definePlugin, PluginDefinitionError } from "../../src/plugins/define";
import { checkBuiltins } from "../../src/plugins/registry";
import { builtinPlugins } from "../../plugins/index";
import { fixturePlugins } from "../fixtures/plugins";
import { ManualClock } from "../../src/scheduler/clock";
import { guardedCall } from "../../src/scheduler/guarded-call";

describe("definePlugin", () => {
  test("returns a valid definition unchanged", () => {
    const definition = { kind: "notifier" as const, name: "ntfy", version: "1.0.0", configSchema: Type.Object({ topic: Type.String() }), create: () => ({ send: () => {} }) };
    expect(definePlugin(definition)).toBe(definition);
  });

  test("lists every problem of a bad definition at once", () => {
    let thrown: unknown;
    try {
      definePlugin({ kind: "gps" as never, name: "My Plugin", version: "", configSchema: { type: "object" } as never, create: "nope" as never } as never);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(PluginDefinitionError);
    const problems = (thrown as PluginDefinitionError).problems;
    expect(problems).toHaveLength(5);
    expect(problems.join("\n")).toContain("kind must be one of telemetry, loadboard, notifier");
    expect(problems.join("\n")).toContain("name must be lowercase");
    expect(problems.join("\n")).toContain("version must be a non-empty string");
    expect(problems.join("\n")).toContain("create must be a function");
    expect(problems.join("\n")).toContain("configSchema must be a TypeBox schema");
  });

  test("telemetry plugins must say push or pull; other kinds must not", () => {
    const base = { name: "x", version: "1", configSchema: Type.Object({}), create: () => ({}) as never };
    expect(() => definePlugin({ ...base, kind: "telemetry" } as never)).toThrow('mode: "push"');
    expect(() => definePlugin({ ...base, kind: "loadboard", mode: "pull" } as never)).toThrow("mode is only for telemetry plugins");
    expect(() => definePlugin({ ...base, kind: "telemetry", configSchema: Type.String() } as never)).toThrow("configSchema must be an object schema");
  });
});

describe("the built-in plugin list", () => {
  test("plugins/index.ts holds valid definitions with unique names", () => {
    expect(() => checkBuiltins(builtinPlugins)).not.toThrow();
    expect(() => checkBuiltins(fixturePlugins)).not.toThrow();
    expect(() => checkBuiltins([...fixturePlugins, fixturePlugins[0]!])).toThrow('two built-in plugins are called "test-good"');
  });
});

describe("guardedCall", () => {
  const clock = new ManualClock();
  test("turns synchronous throws, odd values and rejections into failed outcomes", async () => {
    expect(await guardedCall(() => { throw new Error("sync"); }, { timeoutMs: 10, clock })).toMatchObject({ status: "failed", error: { message: "sync" } });
    expect(await guardedCall(() => { throw "a string"; }, { timeoutMs: 10, clock })).toMatchObject({ status: "failed", error: { message: "a string" } });
    expect(await guardedCall(() => Promise.reject({ code: 42 }), { timeoutMs: 10, clock })).toMatchObject({ status: "failed", error: { message: 'threw {"code":42}' } });
    expect(await guardedCall(() => Promise.reject(undefined), { timeoutMs: 10, clock })).toMatchObject({ status: "failed", error: { message: "threw undefined" } });
    expect(await guardedCall(() => 7, { timeoutMs: 10, clock })).toMatchObject({ status: "ok", value: 7 });
  });

  test("a call that rejects after its timeout does not surface as an unhandled rejection", async () => {
    let reject!: (error: Error) => void;
    const outcome = guardedCall(() => new Promise((_, r) => (reject = r)), { timeoutMs: 5, clock });
    await clock.advance(5);
    expect((await outcome).status).toBe("timed_out");
    reject(new Error("late"));
    await (await outcome).settled;
  });

  test("a call whose parent signal is aborted is cancelled, not failed", async () => {
    const parent = new AbortController();
    const outcome = guardedCall((signal) => new Promise((resolve) => signal.addEventListener("abort", resolve)), { timeoutMs: 1000, clock, parent: parent.signal });
    parent.abort(new Error("stopping"));
    expect(await outcome).toMatchObject({ status: "cancelled", error: { message: "stopping" } });
  });
});
