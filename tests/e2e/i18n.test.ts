import { existsSync } from "node:fs";
import { copyFile, mkdir } from "node:fs/promises";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { catalogue } from "~/i18n/i18n";
import { DEMO_CAMPAIGN, DEMO_CAMPAIGN_TRANSLATIONS } from "~/modules/campaigns/demo-campaign";
import { seedDemoCampaign } from "~/modules/campaigns/seed-demo-campaign.server";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { createCampaign } from "../support/fixtures";
import { deletePrefix, SHARED_REDIS_URL, uniquePrefix } from "../support/redis";
import { startWeb, type RunningProcess } from "../support/web";
import { artifactPath, launchChromium, recordProblems, waitForEnhancement } from "./browser";

/**
 * Reviewed screenshots of the right-to-left pages live in __screenshots__/ and are committed.
 * Every run writes fresh ones to __artifacts__/; they replace the committed ones only when
 * missing or when UPDATE_SCREENSHOTS=1 (then look at them before committing).
 */
const SCREENSHOTS_DIR = path.resolve(import.meta.dirname, "__screenshots__");

let database: TestDatabase;
let web: RunningProcess;
let browser: Browser;
const redisPrefix = uniquePrefix("e2ei18n");
const contexts: BrowserContext[] = [];
const slug = DEMO_CAMPAIGN.slug;
const COUNT = 37_412;

beforeAll(async () => {
  database = await createTestDatabase("e2ei18n");
  await seedDemoCampaign(database.db);
  const demo = await database.db.selectFrom("campaigns").select("id").where("slug", "=", slug).executeTakeFirstOrThrow();
  // A count part-way to the goal, so the bar has a fill whose edge we can check.
  await database.db.updateTable("campaign_counts").set({ confirmed: COUNT }).where("campaign_id", "=", demo.id).execute();
  // Supporters named in Latin, Urdu and Arabic script side by side.
  const supporters = [
    ["Ayesha Khan", "PK"],
    ["محمد علی", "PK"],
    ["Mehmet Yılmaz", "TR"],
    ["نور الهدى", "MY"],
    ["Siti Aminah", "MY"],
  ] as const;
  for (const [i, [name, country]] of supporters.entries()) {
    await database.db
      .insertInto("signatures")
      .values({
        campaign_id: demo.id,
        status: "confirmed",
        name,
        email: `supporter-${i}@example.org`,
        email_normalized: `supporter-${i}@example.org`,
        country,
        public_name: true,
        opt_in: false,
        consent_version: "test",
        locale: "en",
        confirmed_at: new Date(Date.now() - i * 60_000),
      })
      .execute();
  }
  [web, browser] = await Promise.all([startWeb({ DATABASE_URL: database.url, REDIS_URL: SHARED_REDIS_URL, REDIS_PREFIX: redisPrefix }), launchChromium()]);
});

afterAll(async () => {
  await Promise.allSettled(contexts.map((c) => c.close()));
  await browser?.close().catch(() => undefined);
  await web?.stop().catch(() => undefined);
  await database?.drop().catch(() => undefined);
  await deletePrefix(redisPrefix).catch(() => undefined);
});

async function newPage(options: Parameters<Browser["newContext"]>[0] = {}): Promise<Page> {
  const context = await browser.newContext({ locale: "en-GB", ...options });
  contexts.push(context);
  return context.newPage();
}

async function screenshot(page: Page, name: string) {
  const fresh = await artifactPath(name);
  await page.screenshot({ path: fresh, fullPage: true });
  const kept = path.join(SCREENSHOTS_DIR, name);
  if (process.env.UPDATE_SCREENSHOTS === "1" || !existsSync(kept)) {
    await mkdir(SCREENSHOTS_DIR, { recursive: true });
    await copyFile(fresh, kept);
  }
}

/** Loads a page and waits for its web fonts, so measurements and screenshots use the real faces. */
async function open(page: Page, url: string) {
  const res = await page.goto(url);
  expect(res?.status(), url).toBe(200);
  await page.evaluate(() => document.fonts.ready.then(() => undefined));
}

const box = async (page: Page, selector: string) => {
  const b = await page.locator(selector).first().boundingBox();
  if (!b) throw new Error(`${selector} is not visible`);
  return { left: b.x, right: b.x + b.width, width: b.width };
};

describe("right-to-left campaign pages", () => {
  for (const locale of ["ur", "ar"] as const) {
    it(`in ${locale}: dir=rtl, the form in ${locale}, the form column on the left, the progress bar filling from the right`, async () => {
      const page = await newPage({ viewport: { width: 1280, height: 900 } });
      const problems = recordProblems(page);
      const consoleErrors: string[] = [];
      page.on("console", (m) => {
        if (m.type() === "error") consoleErrors.push(m.text());
      });
      const fonts: { url: string; status: number }[] = [];
      page.on("response", (r) => {
        if (r.request().resourceType() === "font") fonts.push({ url: r.url(), status: r.status() });
      });
      await open(page, `${web.url}/${locale}/campaigns/${slug}`);

      await expect(page.evaluate(() => [document.documentElement.lang, document.documentElement.dir])).resolves.toEqual([locale, "rtl"]);
      await expect(page.evaluate(() => getComputedStyle(document.body).direction)).resolves.toBe("rtl");
      const messages = catalogue(locale);
      await expect(page.textContent('label[for="sign-name"]')).resolves.toBe(messages["form.name"]);
      await expect(page.textContent('label[for="sign-email"]')).resolves.toBe(messages["form.email"]);
      await expect(page.textContent('label[for="sign-country"]')).resolves.toBe(messages["form.country"]);
      await expect(page.getByRole("button", { name: messages["form.submit"] }).count()).resolves.toBe(1);
      await expect(page.textContent("h1")).resolves.toBe(DEMO_CAMPAIGN_TRANSLATIONS[locale].title);
      // Country names in the page's language too.
      await expect(page.textContent('#sign-country option[value="PK"]')).resolves.toBe(locale === "ur" ? "پاکستان" : "باكستان");

      // The layout is mirrored: the text column on the right, the sign form on the left.
      const [intro, sign] = [await box(page, ".campaign-intro"), await box(page, ".campaign .sign")];
      expect(sign.right).toBeLessThan(intro.left);
      // The bar fills from its right edge, by the right amount.
      const [bar, fill] = [await box(page, ".progress-bar"), await box(page, ".progress-bar > span")];
      expect(Math.abs(fill.right - bar.right)).toBeLessThanOrEqual(1);
      expect(fill.width / bar.width).toBeCloseTo(COUNT / DEMO_CAMPAIGN.goal, 2);
      // Latin digits, grouped, inside the right-to-left sentence.
      await expect(page.textContent('[data-testid="signature-count"] strong')).resolves.toBe("37,412");
      // The ask's accent border sits on the right (the inline start).
      await expect(page.$eval(".ask", (el) => getComputedStyle(el).borderRightWidth)).resolves.toBe("4px");

      // The script's own font, served from this origin, really in use.
      const family = locale === "ur" ? "Noto Nastaliq Urdu" : "Noto Naskh Arabic";
      await expect(page.$eval("h1", (el) => getComputedStyle(el).fontFamily)).resolves.toMatch(new RegExp(`^"${family}"`));
      await expect(
        page.evaluate((f) => [...document.fonts].filter((face) => face.family.replace(/"/g, "") === f && face.status === "loaded").length, family),
      ).resolves.toBeGreaterThan(0);
      expect(fonts.length).toBeGreaterThan(0);
      for (const f of fonts) {
        expect(f.url.startsWith(`${web.url}/assets/`), f.url).toBe(true);
        expect(f.status).toBe(200);
      }
      // Nastaliq needs room: no line box may be shorter than the glyphs it holds.
      const clipped = await page.evaluate(() =>
        [...document.querySelectorAll<HTMLElement>("h1, h2, p, label, .button, .languages a")]
          .filter((el) => el.offsetParent && el.scrollHeight > el.clientHeight + 1 && getComputedStyle(el).overflowY !== "visible")
          .map((el) => el.outerHTML.slice(0, 80)),
      );
      expect(clipped).toEqual([]);

      await waitForEnhancement(page, problems);
      expect(problems).toEqual([]);
      expect(consoleErrors).toEqual([]);
      await screenshot(page, `campaign-${locale}-1280.png`);
    });

    it(`in ${locale}: the live count, refreshed by the page script, reads exactly as the server wrote it`, async () => {
      const page = await newPage();
      const problems = recordProblems(page);
      await page.clock.install();
      await open(page, `${web.url}/${locale}/campaigns/${slug}`);
      await waitForEnhancement(page, problems);
      const shown = () =>
        page.$eval(".progress", (el) => ({
          count: el.querySelector<HTMLElement>("[data-count]")!.dataset.count,
          figure: el.querySelector("[data-count] strong")!.textContent,
          valueNow: el.querySelector("[role=progressbar]")!.getAttribute("aria-valuenow"),
          valueText: el.querySelector("[role=progressbar]")!.getAttribute("aria-valuetext"),
          fill: el.querySelector<HTMLElement>("[role=progressbar] > span")!.style.inlineSize,
          percent: el.querySelector(".progress-percent")!.textContent,
        }));
      const served = await shown();
      expect(served.figure).toBe("37,412");
      // Spoil everything the script rewrites, then let its timer fetch the count (unchanged) again.
      await page.$eval(".progress", (el) => {
        el.querySelector<HTMLElement>("[data-count]")!.dataset.count = "-1";
        el.querySelector("[data-count] strong")!.textContent = "?";
        el.querySelector("[role=progressbar]")!.setAttribute("aria-valuenow", "-1");
        el.querySelector("[role=progressbar]")!.setAttribute("aria-valuetext", "?");
        el.querySelector<HTMLElement>("[role=progressbar] > span")!.style.inlineSize = "0%";
        el.querySelector(".progress-percent")!.textContent = "?";
      });
      const answered = page.waitForResponse((r) => r.url().endsWith(`/api/v1/campaigns/${slug}`));
      await page.clock.runFor(10_000);
      expect((await answered).status()).toBe(200);
      await expect.poll(shown).toEqual(served);
      expect(problems).toEqual([]);
    });

    it(`in ${locale}: a 360 px wide phone scrolls no sideways`, async () => {
      const phone = await newPage({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
      await open(phone, `${web.url}/${locale}/campaigns/${slug}`);
      await phone.getByRole("button", { name: catalogue(locale)["form.submit"] }).waitFor();
      const widths = await phone.evaluate(() => ({ scroll: document.scrollingElement!.scrollWidth, inner: window.innerWidth }));
      expect(widths.inner).toBe(360);
      expect(widths.scroll).toBeLessThanOrEqual(widths.inner);
      const [bar, fill] = [await box(phone, ".progress-bar"), await box(phone, ".progress-bar > span")];
      expect(Math.abs(fill.right - bar.right)).toBeLessThanOrEqual(1);
      await screenshot(phone, `campaign-${locale}-360.png`);
    });
  }
});

describe("choosing the language", () => {
  it("is the URL's: an unprefixed page is the default language whatever the browser's, and the switcher's links carry one", async () => {
    const page = await newPage({ locale: "ar-SA" });
    await open(page, `${web.url}/campaigns/${slug}`);
    await expect(page.evaluate(() => document.documentElement.lang)).resolves.toBe("en");
    await expect(page.getAttribute('.languages a[aria-current="true"]', "lang")).resolves.toBe("en");

    // The switcher is plain links: each language in its own script, pointing at the same page.
    const links = await page.$$eval(".languages a", (as) => as.map((a) => [a.textContent, a.getAttribute("hreflang"), a.getAttribute("href")]));
    expect(links).toEqual([
      ["English", "en", `/en/campaigns/${slug}`],
      ["اردو", "ur", `/ur/campaigns/${slug}`],
      ["العربية", "ar", `/ar/campaigns/${slug}`],
      ["Bahasa Melayu", "ms", `/ms/campaigns/${slug}`],
      ["Türkçe", "tr", `/tr/campaigns/${slug}`],
    ]);
    await page.getByRole("link", { name: "Türkçe" }).click();
    await page.waitForURL(`${web.url}/tr/campaigns/${slug}`);
    await expect(page.evaluate(() => [document.documentElement.lang, document.documentElement.dir])).resolves.toEqual(["tr", "ltr"]);
    await expect(page.textContent("h1")).resolves.toBe(DEMO_CAMPAIGN_TRANSLATIONS.tr.title);

    // Nothing a shared cache keeps depends on a cookie: none is set, and the plain URL stays English.
    expect((await page.context().cookies()).find((c) => c.name === "lang")).toBeUndefined();
    await open(page, `${web.url}/campaigns/${slug}`);
    await expect(page.evaluate(() => document.documentElement.lang)).resolves.toBe("en");
    await open(page, `${web.url}/`);
    await expect(page.textContent("h1")).resolves.toBe(catalogue("en")["home.title"]);
    await expect(page.getAttribute(".campaign-list h2 a", "href")).resolves.toBe(`/campaigns/${slug}`);
    // On a prefixed page, links keep the prefix.
    await open(page, `${web.url}/ms`);
    await expect(page.getAttribute(".campaign-list h2 a", "href")).resolves.toBe(`/ms/campaigns/${slug}`);
    await open(page, `${web.url}/ur`);
    await page.screenshot({ path: await artifactPath("home-ur-1280.png"), fullPage: true });
  });

  it("works without JavaScript", async () => {
    const page = await newPage({ javaScriptEnabled: false, locale: "en-GB" });
    await open(page, `${web.url}/campaigns/${slug}`);
    await page.getByRole("link", { name: "اردو" }).click();
    await page.waitForURL(`${web.url}/ur/campaigns/${slug}`);
    await expect(page.evaluate(() => document.documentElement.dir)).resolves.toBe("rtl");
  });
});

describe("a campaign without a translation", () => {
  it("shows the default language's text, says so in the page's language, and marks the text's language", async () => {
    const campaign = await createCampaign(database.db, { title: "Only written in English" });
    const page = await newPage({ viewport: { width: 1280, height: 900 } });
    await open(page, `${web.url}/ur/campaigns/${campaign.slug}`);
    const notice = page.getByTestId("content-language-notice");
    await expect(notice.isVisible()).resolves.toBe(true);
    const expected = catalogue("ur")["campaign.fallbackNotice"].replace("{language}", "\u2068اردو\u2069").replace("{fallback}", "\u2068انگریزی\u2069");
    await expect(notice.textContent()).resolves.toBe(expected);
    await expect(page.$eval("h1", (el) => [el.textContent, el.lang, el.dir, getComputedStyle(el).direction])).resolves.toEqual([
      "Only written in English",
      "en",
      "ltr",
      "ltr",
    ]);
    // The page around it stays Urdu and right-to-left.
    await expect(page.textContent('label[for="sign-name"]')).resolves.toBe(catalogue("ur")["form.name"]);
    await expect(page.$eval(".ask", (el) => el.getAttribute("lang"))).resolves.toBe("en");
    await page.screenshot({ path: await artifactPath("campaign-fallback-ur-1280.png"), fullPage: true });
  });
});
