/**
 * A dispatcher's first look at the loads, as `npm start` leaves the appliance: the demo load
 * board's loads ranked for a demo truck, a row opened to its breakdown, the load page, and booking
 * it to the truck at the agreed rate. Desktop (light) and phone (dark); no page may scroll
 * sideways on the phone.
 */
import { afterAll, expect } from "bun:test";
import { DEVICES, e2eTest, overflowsHorizontally, shutdownE2E, withBrowserSession } from "./harness";

afterAll(shutdownE2E);

for (const { name: device, viewport, colorScheme } of DEVICES) {
  e2eTest(`${device}: the load board ranks demo loads for a demo truck; a row opens to its breakdown; the load page books it`, () =>
    withBrowserSession(
      async (page, app, { screenshot }) => {
        // The demo trucks register within seconds; the demo board is polled at start.
        await page.goto(`${app.url}/loads`);
        await page.waitForFunction(() => document.querySelectorAll('select[name="truck"] option').length > 1, null, { timeout: 30_000 }).catch(() => undefined);
        for (let tries = 0; tries < 30 && (await page.locator('select[name="truck"] option').count()) < 2; tries++) {
          await page.waitForTimeout(1000);
          await page.reload();
        }
        // Pick the first demo truck that can be matched (it has a position and equipment).
        const truckValue = await page.evaluate(() => {
          const options = Array.from(document.querySelectorAll<HTMLOptionElement>('select[name="truck"] option'));
          return options.find((option) => option.value && !option.textContent!.includes("("))?.value ?? null;
        });
        expect(truckValue).not.toBeNull();
        await page.selectOption('select[name="truck"]', truckValue!);
        await page.getByRole("button", { name: "Show" }).click();
        await page.waitForURL(/\/loads\?truck=/);
        await page.waitForSelector(".load-row", { timeout: 15_000 });
        expect(await page.getByText("demo", { exact: true }).count()).toBeGreaterThan(0);

        // Best first: scores do not rise down the list.
        const scores = await page.locator(".load-row .score").allTextContents();
        const numeric = scores.map((text) => Number(text)).filter((n) => Number.isFinite(n));
        expect(numeric.length).toBeGreaterThan(0);
        expect([...numeric].sort((a, b) => b - a)).toEqual(numeric);

        // The first row opens to its breakdown: revenue, cost lines with how, net.
        const first = page.locator(".load-row").first();
        await first.locator("summary").click();
        await first.getByText("Net profit").first().waitFor({ state: "visible", timeout: 10_000 });
        await first.getByText(/mpg = .* gal ×/).first().waitFor({ state: "visible", timeout: 10_000 });
        await screenshot("loads-board");
        expect((await overflowsHorizontally(page)).culprits).toEqual([]);

        // The load page, then book it to the truck at the posted (or typed) rate.
        await first.getByRole("link", { name: "Open the load →" }).click();
        await page.waitForSelector("h2:has-text('Best truck')");
        // The lane chart (uPlot) draws the lane's 90 days of rates.
        await page.waitForSelector("#lane-chart canvas", { timeout: 10_000 });
        await page.getByText("Next step").first().waitFor({ state: "visible", timeout: 10_000 });
        await page.selectOption('select[name="truck_id"]', truckValue!);
        const rate = page.locator('input[name="rate"]');
        if (!(await rate.inputValue())) await rate.fill("2,150");
        await page.getByRole("button", { name: "Book" }).click();
        await page.waitForSelector(".page-head .badge:has-text('booked')", { timeout: 10_000 });
        await page.getByRole("button", { name: "Picked up" }).first().waitFor({ state: "visible", timeout: 10_000 });
        await page.getByText(/^Agreed rate$/).first().waitFor({ state: "visible", timeout: 10_000 });
        await screenshot("load-booked");
        expect((await overflowsHorizontally(page)).culprits).toEqual([]);
      },
      { viewport, colorScheme, screenshotPrefix: `${device}-` },
    ),
  );
}
