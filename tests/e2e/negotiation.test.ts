/**
 * Negotiating a demo load in the browser: the load page's Negotiate opens the plan (the engine's
 * figures, the template's words as no model is installed), the broker's answer typed in gets the
 * next move, and an accepted offer books the load at that rate. Desktop and phone; no sideways
 * scrolling on the phone.
 */
import { afterAll, expect } from "bun:test";
import { DEVICES, e2eTest, overflowsHorizontally, shutdownE2E, withBrowserSession } from "./harness";

afterAll(shutdownE2E);

for (const { name: device, viewport, colorScheme } of DEVICES) {
  e2eTest(`${device}: Negotiate shows the plan, a typed offer gets the next move, accepting books the load`, () =>
    withBrowserSession(
      async (page, app, { screenshot }) => {
        // An open demo load a demo truck can take: the first scored row of the fleet board.
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
