/**
 * axe-core in a real Chromium on every page in tests/e2e/pages.ts, in English and in Urdu
 * (right-to-left), against WCAG 2.0/2.1/2.2 A and AA: no violations. Also the sign form in its
 * error state, which is where contrast and labelling mistakes usually hide.
 */
import AxeBuilder from "@axe-core/playwright";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { deletePrefix, SHARED_REDIS_URL, uniquePrefix } from "../support/redis";
import { startWeb, type RunningProcess } from "../support/web";
import { launchChromium, recordProblems, waitForEnhancement } from "./browser";
import { createPageFixtures, createUser, logInCookie, pageUrl, PAGES, type Audience, type PageFixtures } from "./pages";

const WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];
const LOCALES = ["en", "ur"] as const;
// axe walks every node for contrast and names: on a busy 2-core machine one page takes ~20 s.
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

/** axe's findings as readable lines: rule, impact, help, and where. */
async function violations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
  return results.violations.flatMap((v) => v.nodes.map((n) => `${v.id} (${v.impact}): ${v.help} at ${n.target.join(" ")}: ${n.failureSummary?.replace(/\s+/g, " ")}`));
}

// Concurrent: axe runs in each page's own renderer process, so two pages at a time (the e2e
// project's maxConcurrency) keep both cores of a 2-core machine busy where one left the second
// idle. Each test opens a page of its own; the contexts only hold the log-in cookies.
describe.concurrent.each(LOCALES)("in %s, axe finds no WCAG 2.2 A/AA violations", (locale) => {
  // it.for, not it.each: a concurrent test takes `expect` from its own context.
  it.for(PAGES.map((p) => [p.name, p] as const))("on the %s page", { timeout: AXE_TIMEOUT }, async ([, checked], { expect }) => {
    const page = await contexts.get(checked.audience)!.newPage();
    try {
      const url = pageUrl(web.url, checked, fixtures, locale);
      const response = await page.goto(url);
      // The page really is the one meant (not a log-in redirect or an error page), in the language meant.
      expect(response?.url(), `${url} was redirected`).toBe(url);
      expect(response?.status()).toBe(checked.name === "not found" ? 404 : 200);
      await expect(page.getAttribute("html", "lang")).resolves.toBe(locale);
      await expect(page.getAttribute("html", "dir")).resolves.toBe(locale === "ur" ? "rtl" : "ltr");
      expect(await violations(page)).toEqual([]);
    } finally {
      await page.close();
    }
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
      expect(await violations(page)).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
