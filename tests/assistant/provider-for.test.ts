/**
 * Which provider the config names, across reloads: the same settings keep the same provider (a
 * loaded model is not loaded again beside the old one); changed settings make a new one and let
 * the old one go; auto follows the model file's presence.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Config } from "../../src/config/schema";
import { assistantStatus, providerFor } from "../../src/assistant/provider-for";

const dir = mkdtempSync(join(tmpdir(), "haulbox-provider-for-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const assistant = (changes: Partial<Config["assistant"]> = {}, embedded: Partial<Config["assistant"]["embedded"]> = {}): Config["assistant"] => ({
  provider: "auto",
  ollama: { host: "http://127.0.0.1:11434", model: "llama3.2:3b", keep_alive: "10m" },
  embedded: { model_file: join(dir, "assistant.gguf"), context_size: 4096, threads: 0, gpu_layers: "auto", load_timeout_seconds: 120, ...embedded },
  min_margin_cents: 15_000,
  opening_step_percent: 8,
  max_counters: 3,
  generation_timeout_seconds: 60,
  ...changes,
});

test("auto: the template until the model file is there, then the embedded model — picked up without a restart", () => {
  expect(providerFor(assistant())).toBeNull();
  expect(assistantStatus(assistant()).state).toContain("no model file at");
  writeFileSync(join(dir, "assistant.gguf"), "not really a model");
  expect(providerFor(assistant())?.name).toBe("embedded");
});

test("a reload with the same settings keeps the provider; changed settings replace it and close the old one", async () => {
  const first = providerFor(assistant({ provider: "embedded" }))!;
  expect(providerFor(assistant({ provider: "embedded" }))).toBe(first);
  let closed = false;
  first.close = async () => {
    closed = true;
  };
  const second = providerFor(assistant({ provider: "embedded" }, { threads: 1 }))!;
  expect(second).not.toBe(first);
  expect(closed).toBe(true);
  expect(providerFor(assistant({ provider: "ollama" }))?.name).toBe("ollama");
  expect(providerFor(assistant({ provider: "none" }))).toBeNull();
});
