/**
 * axe-core in a real Chromium on every page in tests/e2e/pages.ts, in English and in Urdu
 * (right-to-left), against WCAG 2.0/2.1/2.2 A and AA: no violations. Also the sign form in its
 * error state, which is where contrast and labelling mistakes usually hide.
 */
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { deletePrefix, SHARED_REDIS_URL, uniquePrefix } from "../support/redis";
import { startWeb, type RunningProcess } from "../support/web";
import { axeViolations } from "./axe";
import { launchChromium, recordProblems, waitForEnhancement } from "./browser";
import { createPageFixtures, createUser, logInCookie, pageUrl, PAGES, type Audience, type PageFixtures } from "./pages";

const LOCALES = ["en", "ur"] as const;
// axe walks every node for contrast and names: on a busy 2-core machine one page took ~20 s.
const AXE_TIMEOUT = 180_000;

let database: TestDatabase;
let web: RunningProcess;
let browser: Browser;
let fixtures: PageFixtures;
const redisPrefix = uniquePrefix("e2eaxe");
const contexts = new Map<Audience, BrowserContext>();

beforeAll(async () => {
  database = await createTestDatabase("e2eaxe");
  [web, browser] = await Promise.all([startWeb({ DATABASE_URL: database.url, REDIS_URL: SHARED_REDIS_URL, REDIS_PREFIX: redisPrefix }), launchChromium()]);
  const [organiser, admin] = await Promise.all([createUser(database.db, "organiser"), createUser(database.db, "admin", "admin")]);
  fixtures = await createPageFixtures(database.db, organiser);
  const host = new URL(web.url).hostname;
  for (const [audience, user] of [["public", null], ["organiser", organiser], ["admin", admin]] as const) {
    const context = await browser.newContext({ locale: "en-GB" });
    if (user) await context.addCookies([{ ...(await logInCookie(web.url, user.email)), domain: host, path: "/", httpOnly: true, sameSite: "Lax" }]);
    contexts.set(audience, context);
  }
});

afterAll(async () => {
  await Promise.allSettled([...contexts.values()].map((c) => c.close()));
  await browser?.close().catch(() => undefined);
  await web?.stop().catch(() => undefined);
  await database?.drop().catch(() => undefined);
  await deletePrefix(redisPrefix).catch(() => undefined);
});

/**
 * Tabs already open in an audience's context, free for the next check. A tab is reused: a new one
 * is a new renderer process, and axe-core compiled again in it; a tab whose check failed is
 * closed rather than handed on.
 */
const idleTabs = new Map<Audience, Page[]>();

async function withTab(audience: Audience, check: (page: Page) => Promise<void>): Promise<void> {
  const idle = idleTabs.get(audience) ?? [];
  idleTabs.set(audience, idle);
  const page = idle.pop() ?? (await contexts.get(audience)!.newPage());
  try {
    await check(page);
  } catch (error) {
    await page.close().catch(() => undefined);
    throw error;
  }
  idle.push(page);
}

// Concurrent: axe runs in each page's own renderer process, so two pages at a time (the e2e
// project's maxConcurrency) keep both cores of a 2-core machine busy where one left the second
// idle. The contexts hold the log-in cookies.
describe.concurrent.each(LOCALES)("in %s, axe finds no WCAG 2.2 A/AA violations", (locale) => {
  // it.for, not it.each: a concurrent test takes `expect` from its own context.
  it.for(PAGES.map((p) => [p.name, p] as const))("on the %s page", { timeout: AXE_TIMEOUT }, async ([, checked], { expect }) => {
    await withTab(checked.audience, async (page) => {
      const url = pageUrl(web.url, checked, fixtures, locale);
      const response = await page.goto(url);
      // The page really is the one meant (not a log-in redirect or an error page), in the language meant.
      expect(response?.url(), `${url} was redirected`).toBe(url);
      expect(response?.status()).toBe(checked.name === "not found" ? 404 : 200);
      await expect(page.getAttribute("html", "lang")).resolves.toBe(locale);
      await expect(page.getAttribute("html", "dir")).resolves.toBe(locale === "ur" ? "rtl" : "ltr");
      expect(await axeViolations(page)).toEqual([]);
    });
  });

  it("on the sign form in its error state, after an empty submit with JavaScript on", { timeout: AXE_TIMEOUT }, async ({ expect }) => {
    const page = await contexts.get("public")!.newPage();
    try {
      const problems = recordProblems(page);
      await page.goto(pageUrl(web.url, PAGES.find((p) => p.name === "campaign")!, fixtures, locale));
      await waitForEnhancement(page, problems);
      await page.evaluate(() => ((document.querySelector("form.stack") as HTMLFormElement).noValidate = true));
      await page.locator("form.stack button[type=submit]").click();
      await page.locator("#sign-errors").waitFor();
      await expect(page.locator(".field-error").count()).resolves.toBeGreaterThan(2);
      expect(await axeViolations(page)).toEqual([]);
    } finally {
      await page.close();
    }
  });
});

// The check itself can fail: a page with known faults gets them named.
it("axeViolations names the faults of a page that has them", async ({ expect }) => {
  const page = await contexts.get("public")!.newPage();
  try {
    await page.setContent(`<!doctype html><html lang="en"><title>Faults</title><main><img src="data:,"><button></button></main></html>`);
    const found = await axeViolations(page);
    expect(found.map((line) => line.split(" ")[0]).sort()).toEqual(["button-name", "image-alt"]);
  } finally {
    await page.close();
  }
});
