/**
 * The campaign page on a small phone over a slow link: what a first visit transfers (compressed,
 * as Chromium counts it off the wire, images aside: the document, CSS, scripts and fonts) and
 * whether it is usable 320 px wide, in each of the five languages. Urdu and Arabic bring their
 * own fonts, which count like everything else (ADR 0014).
 */
import { writeFile } from "node:fs/promises";
import type { Browser, BrowserContext, Request } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOCALES } from "~/i18n/i18n";
import { DEMO_CAMPAIGN } from "~/modules/campaigns/demo-campaign";
import { seedDemoCampaign } from "~/modules/campaigns/seed-demo-campaign.server";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { deletePrefix, SHARED_REDIS_URL, uniquePrefix } from "../support/redis";
import { startWeb, type RunningProcess } from "../support/web";
import { artifactPath, launchChromium, recordProblems, waitForEnhancement } from "./browser";

/** The budget from issue 5, for the document, CSS, scripts and fonts together. */
const BUDGET_KB = 60;
/**
 * The one thing over it: the Nastaliq face Urdu is written in, already cut down to the letters of
 * Arabic, Urdu and Persian (scripts/subset-fonts.ts) and measured at 115.1 KB on the wire. Its size
 * is its hundreds of contextual letter shapes, which Nastaliq cannot do without; no further cut
 * keeps Urdu text rendering correctly, so the Urdu page is held to the budget for everything else
 * and the face to what it weighs now (ADR 0014).
 */
const NASTALIQ_KB = 116;
const COUNTED = new Set(["document", "stylesheet", "script", "font"]);

let database: TestDatabase;
let web: RunningProcess;
let browser: Browser;
const redisPrefix = uniquePrefix("e2eweight");
const contexts: BrowserContext[] = [];
const figures: Record<string, unknown> = {};

beforeAll(async () => {
  database = await createTestDatabase("e2eweight");
  await seedDemoCampaign(database.db);
  [web, browser] = await Promise.all([startWeb({ DATABASE_URL: database.url, REDIS_URL: SHARED_REDIS_URL, REDIS_PREFIX: redisPrefix }), launchChromium()]);
});

afterAll(async () => {
  await writeFile(await artifactPath("page-weight.json"), JSON.stringify(figures, null, 2)).catch(() => undefined);
  await Promise.allSettled(contexts.map((c) => c.close()));
  await browser?.close().catch(() => undefined);
  await web?.stop().catch(() => undefined);
  await database?.drop().catch(() => undefined);
  await deletePrefix(redisPrefix).catch(() => undefined);
});

interface Transfer {
  url: string;
  type: string;
  bytes: number;
}

/** Opens the page in a fresh 320 px phone context and sums what crossed the wire, by resource type. */
async function firstLoad(path: string, javaScriptEnabled: boolean) {
  const context = await browser.newContext({ viewport: { width: 320, height: 640 }, isMobile: true, hasTouch: true, locale: "en-GB", javaScriptEnabled });
  contexts.push(context);
  const page = await context.newPage();
  const problems = recordProblems(page);
  const finished: Request[] = [];
  page.on("requestfinished", (r) => finished.push(r));
  await page.goto(`${web.url}${path}`, { waitUntil: "load" });
  if (javaScriptEnabled) await waitForEnhancement(page, problems);
  // Fonts are fetched when text needs them: wait until every face the page uses is in.
  await page.evaluate(() => document.fonts.ready.then(() => undefined));
  await page.waitForLoadState("networkidle");
  const transfers: Transfer[] = [];
  for (const request of finished) {
    if (!COUNTED.has(request.resourceType())) continue;
    const sizes = await request.sizes();
    // responseBodySize is the encoded (compressed) body as received; headers count too.
    transfers.push({ url: new URL(request.url()).pathname, type: request.resourceType(), bytes: sizes.responseBodySize + sizes.responseHeadersSize });
  }
  const kb = (filter: (t: Transfer) => boolean) => Math.round((transfers.filter(filter).reduce((sum, t) => sum + t.bytes, 0) / 1024) * 10) / 10;
  return {
    page,
    problems,
    transfers,
    total: kb(() => true),
    byType: Object.fromEntries([...COUNTED].map((type) => [type, kb((t) => t.type === type)])) as Record<"document" | "stylesheet" | "script" | "font", number>,
  };
}

/** The faces each language's page must fetch: the measurement must include them, not miss them. */
const EXPECTED_FONTS: Record<string, RegExp[]> = {
  ur: [/^\/assets\/noto-nastaliq-urdu-400-[\w-]+\.woff2$/],
  ar: [/^\/assets\/noto-naskh-arabic-400-[\w-]+\.woff2$/, /^\/assets\/noto-naskh-arabic-700-[\w-]+\.woff2$/],
};

describe.each([...LOCALES])("the campaign page in %s", (locale) => {
  it("is usable 320 px wide: no horizontal scrolling, every form control on screen", async () => {
    const { page } = await firstLoad(`/${locale}/campaigns/${DEMO_CAMPAIGN.slug}`, true);
    await page.screenshot({ path: await artifactPath(`campaign-${locale}-320.png`), fullPage: true });
    const width = await page.evaluate(() => ({ scroll: document.scrollingElement!.scrollWidth, inner: window.innerWidth }));
    expect(width.inner).toBe(320);
    expect(width.scroll).toBeLessThanOrEqual(320);
    const controls = await page.$$eval("form.stack :is(input:not([type=hidden]), select, textarea, button)", (els) =>
      els.map((el) => {
        const box = el.getBoundingClientRect();
        return { id: el.id || el.tagName, left: box.left, right: box.right, width: box.width, height: box.height, visible: el.checkVisibility() };
      }),
    );
    expect(controls.length).toBeGreaterThanOrEqual(9);
    for (const c of controls) {
      expect(c, `${c.id} is hidden or cut off`).toMatchObject({ visible: true });
      expect(c.width).toBeGreaterThan(0);
      expect(c.height).toBeGreaterThan(0);
      expect(c.left).toBeGreaterThanOrEqual(0);
      expect(c.right).toBeLessThanOrEqual(320);
    }
  });

  it(`transfers at most ${BUDGET_KB} KB compressed on a first visit, fonts and scripts included${locale === "ur" ? " (but for the Nastaliq face)" : ""}`, async () => {
    const withScripts = await firstLoad(`/${locale}/campaigns/${DEMO_CAMPAIGN.slug}`, true);
    const withoutScripts = await firstLoad(`/${locale}/campaigns/${DEMO_CAMPAIGN.slug}`, false);
    figures[locale] = {
      withJavaScript: { total: withScripts.total, byType: withScripts.byType },
      withoutJavaScript: { total: withoutScripts.total, byType: withoutScripts.byType },
      requests: withScripts.transfers,
    };
    console.info(`page weight ${locale} (KB): ${JSON.stringify({ ...withScripts.byType, total: withScripts.total, withoutJavaScript: withoutScripts.total })}`);
    expect(withScripts.problems).toEqual([]);

    // The fonts the language needs were fetched (and counted), and no others.
    const fonts = withScripts.transfers.filter((t) => t.type === "font").map((t) => t.url).sort();
    const expected = EXPECTED_FONTS[locale] ?? [];
    expect(fonts).toHaveLength(expected.length);
    expected.forEach((pattern, i) => expect(fonts[i]).toMatch(pattern));

    // One script, the page's own (React is not sent: ADR 0014); none without JavaScript.
    expect(withScripts.transfers.filter((t) => t.type === "script").map((t) => t.url)).toEqual([expect.stringMatching(/^\/assets\/public-page-[\w-]+\.js$/)]);
    expect(withoutScripts.byType.script).toBe(0);

    const { font } = withScripts.byType;
    if (locale === "ur") {
      expect(withScripts.total - font).toBeLessThanOrEqual(BUDGET_KB);
      expect(font).toBeLessThanOrEqual(NASTALIQ_KB);
    } else {
      expect(withScripts.total).toBeLessThanOrEqual(BUDGET_KB);
    }
    expect(withoutScripts.total).toBeLessThanOrEqual(withScripts.total);
  });
});
