/**
 * Browser test harness: the real app (from source, fresh data directory, free port) driven by real
 * headless Chromium through playwright-core with Debian's /usr/bin/chromium.
 *
 * A later issue adds its flow as a test file in tests/e2e/ like this:
 *
 *   import { afterAll, expect } from "bun:test";
 *   import { e2eTest, shutdownE2E, withBrowserSession } from "./harness";
 *   afterAll(shutdownE2E);
 *   e2eTest("a dispatcher books a load", () =>
 *     withBrowserSession(async (page, app, session) => {
 *       await page.goto(`${app.url}/loads`);
 *       …
 *       await session.screenshot("loads-booked");
 *     }),
 *   );
 *
 * `withBrowserSession` logs the owner in through the real login form, in a fresh browser context
 * (own cookies) on a browser and app shared by the file, and fails the test on any console error,
 * uncaught page error or failed request.
 */
import { test } from "bun:test";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { completeSetup, REPO_ROOT, sourceCommand, startProcess, stopAll, TEST_OWNER, type AppProcess, type StartOptions } from "../helpers/server";

/** Debian's Chromium, installed by .ci/run. */
export const CHROMIUM_PATH = "/usr/bin/chromium";
/** True when the browser is installed; without it the e2e tests are skipped with a message. */
export const chromiumAvailable = existsSync(CHROMIUM_PATH);
/** Where screenshots go (git-ignored). */
export const SCREENSHOT_DIR = join(REPO_ROOT, "tests/e2e/screenshots");

/** Desktop and phone viewports every page is checked at. */
export const VIEWPORTS = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 390, height: 844 },
} as const;

/** The shell flow's runs: desktop in light mode, phone in dark mode, so both schemes get screenshots. */
export const DEVICES = [
  { name: "desktop", viewport: VIEWPORTS.desktop, colorScheme: "light" },
  { name: "phone", viewport: VIEWPORTS.phone, colorScheme: "dark" },
] as const;

/** Per-test timeout for browser tests: a cold Chromium on a busy 2-core machine takes seconds. */
export const E2E_TIMEOUT_MS = 120_000;

// The background-networking flags stop Chromium calling home: this machine refuses those
// connections and Chromium logs errors and slows down. No sandbox: CI runs as root.
const CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-gpu", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic", "--disable-dev-shm-usage"];

if (!chromiumAvailable) console.warn(`e2e: ${CHROMIUM_PATH} not found — browser tests are SKIPPED. Install it with: apt-get install chromium`);

/** `test` for browser tests: skipped (with the message above) when Chromium is absent, long timeout. */
export function e2eTest(name: string, fn: () => Promise<void>, timeoutMs = E2E_TIMEOUT_MS): void {
  test.skipIf(!chromiumAvailable)(name, fn, timeoutMs);
}

let browser: Browser | null = null;
let sharedApp: Promise<AppProcess> | null = null;

/** The file's shared headless Chromium (started on first use). */
export async function getBrowser(): Promise<Browser> {
  if (!browser || !browser.isConnected()) browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
  return browser;
}

/** Starts a fresh app from source (temp data directory, free port) that has no owner yet. */
export function startFreshApp(options: Partial<StartOptions> = {}): Promise<AppProcess> {
  return startProcess({ cmd: sourceCommand(), ...options });
}

/** The file's shared app, with the owner (TEST_OWNER) already created through /setup. */
export function getSharedApp(): Promise<AppProcess> {
  sharedApp ??= startFreshApp().then(async (app) => {
    await completeSetup(app);
    return app;
  });
  return sharedApp;
}

/** What a flow gets besides the page and the app. */
export interface BrowserSession {
  context: BrowserContext;
  /** Console errors, page errors and failed requests seen so far. */
  problems: string[];
  /** Saves a full-page screenshot as tests/e2e/screenshots/<prefix><name>.png; returns the path. */
  screenshot(name: string): Promise<string>;
}

/** Options for `withBrowserSession` and `openPage`. */
export interface SessionOptions {
  /** Viewport (default desktop). */
  viewport?: { width: number; height: number };
  /** Emulated `prefers-color-scheme` (default light). */
  colorScheme?: "light" | "dark";
  /** Log in as the owner first (default true). */
  login?: boolean;
  /** The app to use (default: the shared app with an owner). */
  app?: AppProcess;
  /** Screenshot file name prefix, e.g. "phone-". */
  screenshotPrefix?: string;
  /** Fail on console errors, page errors and failed requests (default true). */
  failOnProblems?: boolean;
  /** Problems a flow provokes on purpose (e.g. a 422 from a validation test) and that should not fail it. */
  ignoreProblems?: RegExp;
}

/** True for URLs on this machine (and data:/blob: URLs, which never leave it). */
function isLoopback(url: URL): boolean {
  return url.protocol === "data:" || url.protocol === "blob:" || url.hostname === "127.0.0.1" || url.hostname === "localhost" || url.hostname === "[::1]";
}

/** Opens a new isolated browser context and page that records every problem it sees. */
export async function openPage(options: SessionOptions = {}): Promise<{ page: Page } & BrowserSession> {
  const context = await (await getBrowser()).newContext({ viewport: options.viewport ?? VIEWPORTS.desktop, colorScheme: options.colorScheme ?? "light" });
  context.setDefaultTimeout(15_000);
  context.setDefaultNavigationTimeout(20_000);
  // Tests talk to 127.0.0.1 only: anything else (map tiles) is refused here, as it would be at a
  // truck stop without internet, and pages must still work — so such refusals are not problems.
  await context.route((url) => !isLoopback(url), (route) => route.abort("blockedbyclient"));
  const page = await context.newPage();
  const problems: string[] = [];
  const problem = (text: string) => {
    if (!options.ignoreProblems?.test(text)) problems.push(text);
  };
  page.on("console", (message) => {
    // Chromium also logs each request our blocker refused (only it produces ERR_BLOCKED_BY_CLIENT).
    if (message.type() === "error" && !message.text().includes("net::ERR_BLOCKED_BY_CLIENT")) problem(`console error on ${page.url()}: ${message.text()}`);
  });
  page.on("pageerror", (error) => problem(`page error on ${page.url()}: ${error.message}`));
  page.on("requestfailed", (request) => {
    // Navigating away cancels pending requests; that is not a fault of the page.
    if (!isLoopback(new URL(request.url())) && request.failure()?.errorText?.startsWith("net::ERR_BLOCKED_BY_CLIENT")) return;
    if (request.failure()?.errorText !== "net::ERR_ABORTED") problem(`request failed: ${request.method()} ${request.url()} ${request.failure()?.errorText}`);
  });
  page.on("response", (response) => {
    // Sub-resources (scripts, styles, htmx requests) must load; page navigations are checked by the flow.
    if (response.status() >= 400 && response.request().resourceType() !== "document") problem(`HTTP ${response.status()} for ${response.request().method()} ${response.url()}`);
  });
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const screenshot = async (name: string) => {
    const path = join(SCREENSHOT_DIR, `${options.screenshotPrefix ?? ""}${name.replace(/[^A-Za-z0-9_-]+/g, "-")}.png`);
    await page.screenshot({ path, fullPage: true });
    return path;
  };
  return { page, context, problems, screenshot };
}

/** Logs in through the login form; resolves on the page the app redirects to. */
export async function loginInBrowser(page: Page, app: AppProcess, owner = TEST_OWNER): Promise<void> {
  await page.goto(`${app.url}/login`);
  await page.fill('input[name="username"]', owner.username);
  await page.fill('input[name="password"]', owner.password);
  await Promise.all([page.waitForURL((url) => url.pathname !== "/login"), page.click('button[type="submit"]')]);
}

/**
 * Runs `flow` in a fresh browser context logged in as the owner on the shared app. Saves a
 * `failure-…` screenshot if the flow throws, and fails if the page reported any problem.
 */
export async function withBrowserSession(flow: (page: Page, app: AppProcess, session: BrowserSession) => Promise<void>, options: SessionOptions = {}): Promise<void> {
  const app = options.app ?? (await getSharedApp());
  const opened = await openPage(options);
  const { page, context, problems } = opened;
  try {
    if (options.login ?? true) await loginInBrowser(page, app);
    await flow(page, app, opened);
    if ((options.failOnProblems ?? true) && problems.length) throw new Error(`the browser reported problems:\n  ${problems.join("\n  ")}`);
  } catch (error) {
    await opened.screenshot(`failure-${Date.now()}`).catch(() => {});
    throw error;
  } finally {
    await context.close().catch(() => {});
  }
}

/** Closes the browser and stops every app the file started; call from `afterAll`. */
export async function shutdownE2E(): Promise<void> {
  const closing = browser;
  browser = null;
  sharedApp = null;
  await closing?.close().catch(() => {});
  await stopAll();
}

/** True when the page's content is wider than its viewport (something overflows sideways). */
export async function overflowsHorizontally(page: Page): Promise<{ overflow: boolean; scrollWidth: number; viewportWidth: number; culprits: string[] }> {
  return page.evaluate(() => {
    const viewportWidth = document.documentElement.clientWidth;
    const scrollWidth = Math.max(document.body.scrollWidth, document.documentElement.scrollWidth);
    const culprits: string[] = [];
    if (scrollWidth > viewportWidth) {
      for (const element of Array.from(document.body.querySelectorAll("*"))) {
        const box = element.getBoundingClientRect();
        if (box.right > viewportWidth + 1 && culprits.length < 5) culprits.push(`${element.tagName.toLowerCase()}${element.id ? "#" + element.id : ""}${element.className && typeof element.className === "string" ? "." + element.className.trim().split(/\s+/).join(".") : ""} (right edge ${Math.round(box.right)}px)`);
      }
    }
    return { overflow: scrollWidth > viewportWidth, scrollWidth, viewportWidth, culprits };
  });
}
