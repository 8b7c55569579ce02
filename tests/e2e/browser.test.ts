/**
 * The browser the end-to-end tests drive opens nothing but the pages they ask for. Each browser
 * context is a window, and the full Chromium loads a web page of its own UI into every window
 * (the omnibox popup, chrome://omnibox-popup.top-chrome/) unless told not to; that cost about 1 s
 * of CPU per context, on a suite that opens hundreds (tests/e2e/browser.ts, DISABLED_FEATURES).
 * If a Chromium update renames the feature, this fails, rather than the suite slowly getting slower.
 */
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { CHROMIUM_PATH, DISABLED_FEATURES, launchChromium } from "./browser";

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

it("a new context holds the test's page and nothing of the browser's own UI", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto("data:text/html,<title>only this</title><p>only this page</p>");
  const cdp = await browser.newBrowserCDPSession();
  try {
    // The empty filter asks for every kind of target, the browser's own UI pages included.
    const { targetInfos } = await cdp.send("Target.getTargets", { filter: [{}] });
    const kinds = targetInfos.map((t) => `${t.type} ${t.url}`).sort();
    expect(kinds).toEqual(["page data:text/html,<title>only this</title><p>only this page</p>", "tab data:text/html,<title>only this</title><p>only this page</p>"]);
  } finally {
    await cdp.detach();
    await context.close();
  }
});

// Our --disable-features replaces Playwright's (Chromium reads the last one), so ours repeats
// Playwright's list. When a Playwright update changes its list, this names what ours lacks.
it("turns off every feature Playwright itself turns off", async () => {
  const server = await chromium.launchServer({ executablePath: CHROMIUM_PATH });
  try {
    const flag = server.process().spawnargs.find((arg) => arg.startsWith("--disable-features="));
    expect(flag, "Playwright passed no --disable-features").toBeDefined();
    const playwrights = flag!.slice("--disable-features=".length).split(",").filter(Boolean);
    expect(playwrights.length).toBeGreaterThan(0);
    expect(playwrights.filter((feature) => !DISABLED_FEATURES.includes(feature))).toEqual([]);
  } finally {
    await server.close();
  }
});
