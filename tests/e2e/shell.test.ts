/**
 * The web shell as a person meets it, in real Chromium, at desktop and phone size: first-run setup
 * from the logged link → login → every page in the navigation (read from the page, so pages added
 * later are covered) → logout. Each page must answer 200, load htmx, log no console errors and not
 * overflow sideways. Screenshots land in tests/e2e/screenshots/ (git-ignored).
 */
import { afterAll, expect } from "bun:test";
import type { Page } from "playwright-core";
import { TEST_OWNER } from "../helpers/server";
import { DEVICES, e2eTest, overflowsHorizontally, openPage, shutdownE2E, startFreshApp, withBrowserSession } from "./harness";

afterAll(shutdownE2E);

/** Checks the page currently shown: htmx loaded, a title, a main area, nothing wider than the screen. */
async function checkPage(page: Page, what: string): Promise<void> {
  const htmxType = await page.evaluate(() => typeof (window as unknown as { htmx?: unknown }).htmx);
  expect(htmxType, `htmx is not loaded on ${what}`).toBe("object");
  expect((await page.title()).length, `${what} has no <title>`).toBeGreaterThan(0);
  expect(await page.locator("main").count(), `${what} has no <main>`).toBe(1);
  const overflow = await overflowsHorizontally(page);
  expect(overflow.overflow, `${what} is ${overflow.scrollWidth}px wide in a ${overflow.viewportWidth}px viewport; widest: ${overflow.culprits.join(", ")}`).toBe(false);
}

for (const { name: device, viewport, colorScheme } of DEVICES) {
  e2eTest(`${device} (${viewport.width}x${viewport.height}, ${colorScheme}): setup → login → every nav page → logout`, async () => {
    const app = await startFreshApp();
    const { page, context, problems, screenshot } = await openPage({ viewport, colorScheme, screenshotPrefix: `${device}-` });
    try {
      // First run: the setup link from the log creates the owner.
      const setupResponse = await page.goto(await app.setupUrl());
      expect(setupResponse?.status()).toBe(200);
      await checkPage(page, "/setup");
      await screenshot("setup");
      await page.fill('input[name="username"]', TEST_OWNER.username);
      await page.fill('input[name="password"]', TEST_OWNER.password);
      await page.fill('input[name="password_again"]', TEST_OWNER.password);
      await Promise.all([page.waitForURL((url) => url.pathname === "/login"), page.click('button[type="submit"]')]);

      await checkPage(page, "/login");
      await screenshot("login");
      await page.fill('input[name="username"]', TEST_OWNER.username);
      await page.fill('input[name="password"]', TEST_OWNER.password);
      await Promise.all([page.waitForURL((url) => url.pathname !== "/login"), page.click('button[type="submit"]')]);
      expect(new URL(page.url()).pathname).toBe("/");

      // The navigation as rendered, so a page added later is visited without touching this test.
      const links = await page.$$eval("nav a[href]", (anchors) => anchors.map((a) => ({ href: a.getAttribute("href") ?? "", label: (a.textContent ?? "").trim() })));
      const local = links.filter((link) => link.href.startsWith("/"));
      expect(local.map((l) => l.href)).toContain("/");
      expect(local.length).toBeGreaterThanOrEqual(8);

      for (const link of local) {
        const response = await page.goto(app.url + link.href);
        expect(response?.status(), `GET ${link.href}`).toBe(200);
        expect(new URL(page.url()).pathname, `GET ${link.href} ended elsewhere`).toBe(link.href);
        await checkPage(page, link.href);
        await expect(page.locator(`nav a[href="${link.href}"][aria-current="page"]`).count()).resolves.toBe(1);
        await screenshot(link.label.toLowerCase() || "page");
      }

      // Logout from the header brings the login form back, and the session is gone.
      await Promise.all([page.waitForURL((url) => url.pathname === "/login"), page.getByRole("button", { name: "Log out" }).click()]);
      expect(await page.locator('input[name="password"]').count()).toBe(1);
      await page.goto(`${app.url}/trucks`);
      expect(new URL(page.url()).pathname).toBe("/login");

      expect(problems, problems.join("\n")).toEqual([]);
    } catch (error) {
      await screenshot(`failure-${Date.now()}`).catch(() => {});
      throw error;
    } finally {
      await context.close().catch(() => {});
      expect(await app.stop()).toBe(0);
    }
  });
}

e2eTest("withBrowserSession logs the owner in on the shared app", () =>
  withBrowserSession(async (page, app) => {
    await page.goto(`${app.url}/settings`);
    await expect(page.locator(".whoami").textContent()).resolves.toContain(TEST_OWNER.username);
  }),
);
