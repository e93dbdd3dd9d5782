/**
 * Negotiating a demo load in the browser: the load page's Negotiate opens the plan (the engine's
 * figures at once, the words after — the template's as no model is installed), the broker's answer
 * typed in gets the next move, and an accepted offer books the load at that rate. Then the same
 * with a model, its words streamed onto the page piece by piece before the checked words replace
 * them: an Ollama stand-in (started here), and a tiny GGUF dropped where the default config looks
 * (models/ beside the config). Desktop and phone; no sideways scrolling on the phone.
 */
import { afterAll, expect } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Page } from "playwright-core";
import { DEVICES, e2eTest, overflowsHorizontally, shutdownE2E, startFreshApp, withBrowserSession } from "./harness";
import { completeSetup, type AppProcess } from "../helpers/server";
import { startFakeOllama } from "../helpers/fake-ollama";
import { writeTinyGguf } from "../helpers/tiny-gguf";

afterAll(shutdownE2E);

/** Opens the page of an open demo load that a demo truck can take (the first scored row of the board). */
async function openScoredLoad(page: Page, app: AppProcess): Promise<void> {
  let loadHref: string | null = null;
  for (let tries = 0; tries < 30 && !loadHref; tries++) {
    await page.goto(`${app.url}/loads`);
    loadHref = await page.evaluate(() => {
      const row = Array.from(document.querySelectorAll(".load-row")).find((element) => element.getAttribute("hx-get"));
      return row?.querySelector<HTMLAnchorElement>(".lane a")?.getAttribute("href") ?? null;
    });
    if (!loadHref) await page.waitForTimeout(1000);
  }
  expect(loadHref).not.toBeNull();
  await page.goto(`${app.url}${loadHref}`);
}

for (const { name: device, viewport, colorScheme } of DEVICES) {
  e2eTest(`${device}: Negotiate shows the plan, a typed offer gets the next move, accepting books the load`, () =>
    withBrowserSession(
      async (page, app, { screenshot }) => {
        await openScoredLoad(page, app);
        await page.getByRole("button", { name: "Negotiate" }).click();
        await page.waitForSelector(".negotiation .figure-target", { timeout: 15_000 });
        const target = (await page.locator(".negotiation .figure-target").textContent())!.trim();
        expect(target).toMatch(/^\$[\d,]+$/);
        await page.getByText("Words from the template (no model is configured).").waitFor({ state: "visible" });
        await screenshot("negotiation-plan");
        expect((await overflowsHorizontally(page)).culprits).toEqual([]);

        // The broker meets the target: accept, and book at that rate.
        await page.fill('input[name="broker_said"]', `ok, I can do ${target.replace("$", "")} all in`);
        await page.getByRole("button", { name: "Next move" }).click();
        const book = page.getByRole("button", { name: `Accept and book at ${target}` });
        await book.waitFor({ state: "visible", timeout: 10_000 });
        // The box is cleared for the next answer.
        expect(await page.inputValue('input[name="broker_said"]')).toBe("");
        await screenshot("negotiation-move");
        await book.click();
        await page.waitForSelector(".page-head .badge:has-text('booked')", { timeout: 10_000 });
        await page.getByText(target.replace("$", "")).first().waitFor({ state: "visible", timeout: 10_000 });
      },
      { viewport, colorScheme, screenshotPrefix: `${device}-` },
    ),
  );
}

/**
 * An app with `assistantYaml` added to the default config (the demo running), `prepare` run on the
 * config's folder first; Negotiate on a demo load, where the model's pieces must appear in the
 * writing area before the checked words (credited to `wordsBy`) replace it. `then` checks more.
 */
async function streamedPlan(options: { assistantYaml: string; prepare?: (dir: string) => void; wordsBy: RegExp; then: (page: Page) => Promise<void>; screenshot: string }) {
  const dir = mkdtempSync(join(tmpdir(), "haulbox-e2e-assistant-"));
  options.prepare?.(dir);
  const config = join(dir, "haulbox.yaml");
  const defaults = readFileSync(resolve(import.meta.dir, "../../src/config/default.yaml"), "utf8").replace(/^data_dir:.*$/m, "");
  writeFileSync(config, `${defaults}\n${options.assistantYaml}`);
  const app = await startFreshApp({ args: ["--config", config] });
  try {
    await completeSetup(app);
    await withBrowserSession(
      async (page, _app, { screenshot }) => {
        await openScoredLoad(page, app);
        await page.getByRole("button", { name: "Negotiate" }).click();
        await page.waitForSelector(".negotiation .figure-target", { timeout: 15_000 });
        // Pieces arrive before the whole answer: the writing area grows first.
        await page.waitForFunction(() => (document.querySelector(".negotiation pre.writing")?.textContent ?? "").length > 10, null, { timeout: 30_000 });
        await page.getByText(options.wordsBy).waitFor({ state: "visible", timeout: 60_000 });
        expect(await page.locator(".negotiation pre.writing").count()).toBe(0);
        await options.then(page);
        await screenshot(options.screenshot);
      },
      { app },
    );
  } finally {
    await app.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

e2eTest("desktop: with Ollama configured, its words stream onto the page, then the checked words replace them", async () => {
  const words = {
    talking_points: ["We have a truck close by, empty and ready.", "Hold your number once before you move."],
    script: "Hi, we have a truck a short run from your shipper and can cover this load today.",
    reply_draft: "Hello, we can cover this load; please send the rate confirmation.",
    counters: [{ if: "They say the rate is firm", say: "Thank them and leave your number." }],
  };
  const fake = startFakeOllama(JSON.stringify(words));
  fake.pieceDelayMs = 40;
  try {
    await streamedPlan({
      assistantYaml: `assistant:\n  provider: ollama\n  ollama:\n    host: ${fake.url}\n    model: tiny:1b\n`,
      screenshot: "negotiation-streamed",
      wordsBy: /^Words by ollama \(tiny:1b\); every figure checked against the engine's\.$/,
      then: async (page) => {
        await page.getByText(words.script).waitFor({ state: "visible" });
        expect(fake.requests[0].messages[1].content).toContain("<<<LOAD_DATA");
      },
    });
  } finally {
    fake.stop();
  }
});

e2eTest("desktop: a GGUF dropped at models/assistant.gguf (the default config's auto): the embedded model's words stream onto the page", async () => {
  await streamedPlan({
    // Only the threads are set (1: far faster on this 2-core machine); the model is found where the default looks.
    assistantYaml: "assistant:\n  embedded:\n    threads: 1\n",
    prepare: (dir) => {
      mkdirSync(join(dir, "models"));
      writeTinyGguf(join(dir, "models", "assistant.gguf"), { seed: 3, contextLength: 4096 });
    },
    screenshot: "negotiation-streamed-embedded",
    wordsBy: /^Words by embedded \(assistant\.gguf\); every figure checked against the engine's/,
    then: async (page) => {
      // The engine's figures stay on the panel whatever the random model wrote.
      expect((await page.locator(".negotiation .figure-target").textContent())!.trim()).toMatch(/^\$[\d,]+$/);
      // The status line above came with the words: no longer "not loaded yet".
      expect((await page.locator("#assistant-status").textContent())!.trim()).toBe("Words: embedded model assistant.gguf — ready (1 CPU thread).");
    },
  });
});
