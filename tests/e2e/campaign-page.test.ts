/**
 * The campaign page as a supporter meets it: on a 360×740 phone the title, the ask, the
 * live count and a Sign button on the first screen, sharing only after the form; on a desktop the
 * form beside the text; who started the campaign and until when; sharing after signing. Reviewed
 * screenshots at 360 and 1280 px (en, ur) are compared (tests/e2e/visual.ts), and axe stays at 0.
 */
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { catalogue, formatNumber, type Locale } from "~/i18n/i18n";
import { DEMO_CAMPAIGN, DEMO_CAMPAIGN_TRANSLATIONS, DEMO_HOST } from "~/modules/campaigns/demo-campaign";
import { axeViolations } from "./axe";
import { artifactPath, recordProblems } from "./browser";
import { e2eStack } from "./stack";
import { expectScreenshot } from "./visual";

const stack = e2eStack({ label: "e2ecpage", demoCampaign: true });
const slug = DEMO_CAMPAIGN.slug;
const PHONE = { width: 360, height: 740 };
const DESKTOP = { width: 1280, height: 900 };
// Fixed dates and count, so the screenshots hold still from one day to the next (but "days left").
// A full-page capture would draw sticky parts where the first screen has them: lay them in the flow.
const IN_FLOW = { style: ".sign-jump, .campaign .sign { position: static !important; }" };
const DEADLINE = new Date(Date.now() + 40 * 24 * 3600 * 1000 - 3600 * 1000);

beforeAll(async () => {
  const db = stack.database.db;
  const demo = await db.selectFrom("campaigns").select("id").where("slug", "=", slug).executeTakeFirstOrThrow();
  await db.updateTable("campaigns").set({ published_at: new Date("2026-11-20T09:00:00Z"), deadline_at: DEADLINE }).where("id", "=", demo.id).execute();
  await db.updateTable("campaign_counts").set({ confirmed: 12_480 }).where("campaign_id", "=", demo.id).execute();
});

const campaignUrl = (locale: Locale) => `${stack.web.url}${locale === "en" ? "" : `/${locale}`}/campaigns/${slug}`;

async function open(page: Page, url: string) {
  const res = await page.goto(url);
  expect(res?.status(), url).toBe(200);
  await page.evaluate(() => document.fonts.ready.then(() => undefined));
}

async function box(page: Page, selector: string) {
  const b = await page.locator(selector).first().boundingBox();
  if (!b) throw new Error(`${selector} is not visible`);
  return { top: b.y, bottom: b.y + b.height, left: b.x, right: b.x + b.width };
}

describe("on a 360×740 phone", () => {
  for (const locale of ["en", "ur", "ar"] as const) {
    it(`in ${locale}: title, ask, live count and a Sign button on the first screen; sharing after the form`, async () => {
      const page = await stack.newPage({ viewport: PHONE, locale: "en-GB" });
      const problems = recordProblems(page);
      await open(page, campaignUrl(locale));
      await page.screenshot({ path: await artifactPath(`supporter-first-screen-${locale}-360.png`) });
      const messages = catalogue(locale);
      await expect(page.textContent("h1")).resolves.toBe(locale === "en" ? DEMO_CAMPAIGN.title : DEMO_CAMPAIGN_TRANSLATIONS[locale].title);
      // The Sign button on the first screen, and everything else above it (not hidden behind it).
      const jump = await box(page, ".sign-jump a");
      expect(jump.bottom, "the Sign button").toBeLessThanOrEqual(PHONE.height);
      for (const selector of ["h1", ".ask", '[data-testid="signature-count"]']) {
        const b = await box(page, selector);
        expect(b.bottom, `${selector} ends at y=${Math.round(b.bottom)}, the Sign button starts at ${Math.round(jump.top)}`).toBeLessThanOrEqual(jump.top);
      }
      await expect(page.locator(".sign-jump a").textContent()).resolves.toBe(messages["campaign.signJump"]);
      // The share buttons come only after the whole form.
      const [submit, share] = [await box(page, '.sign button[type="submit"]'), await box(page, '[data-testid="share"]')];
      expect(share.top).toBeGreaterThan(submit.bottom);
      expect(problems).toEqual([]);
      if (locale !== "ar") await expectScreenshot(page, `supporter-campaign-${locale}-360.png`, IN_FLOW);
    });
  }

  it("without JavaScript, the Sign button takes the reader to the form and into its first field", async () => {
    const page = await stack.newPage({ viewport: PHONE, javaScriptEnabled: false });
    await open(page, campaignUrl("en"));
    await page.click(".sign-jump a");
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe("sign-name");
    // The form's heading is in sight above the field.
    const heading = await box(page, "#sign-heading");
    expect(heading.top).toBeGreaterThanOrEqual(0);
    expect((await box(page, "#sign-name")).bottom).toBeLessThanOrEqual(PHONE.height);
  });
});

describe("on a 1280 px desktop", () => {
  for (const locale of ["en", "ur"] as const) {
    it(`in ${locale}: the form sits beside the text, no Sign button, sharing under the intro; axe finds nothing`, async () => {
      const page = await stack.newPage({ viewport: DESKTOP });
      await open(page, campaignUrl(locale));
      const [intro, sign, share] = [await box(page, ".campaign-intro"), await box(page, ".campaign .sign"), await box(page, '[data-testid="share"]')];
      if (locale === "en") expect(sign.left).toBeGreaterThan(intro.right);
      else expect(sign.right).toBeLessThan(intro.left);
      expect(share.top).toBeGreaterThan(intro.bottom);
      // Sharing stays in the text column (not pushed under the form).
      expect(share.top).toBeLessThan(sign.bottom);
      await expect(page.locator(".sign-jump").isVisible()).resolves.toBe(false);
      await expect(axeViolations(page)).resolves.toEqual([]);
      await expectScreenshot(page, `supporter-campaign-${locale}-1280.png`, IN_FLOW);
    });
  }
});

describe("who runs the campaign, and until when", () => {
  it("names the host organisation with its logo and links to its page, which lists the campaign", async () => {
    const page = await stack.newPage({ viewport: DESKTOP });
    const problems = recordProblems(page);
    await open(page, campaignUrl("en"));
    const host = page.getByTestId("host");
    await expect(host.textContent()).resolves.toBe(`${catalogue("en")["campaign.startedBy"]} ${DEMO_HOST.name}`);
    // The logo really loads (a decoded image, not a broken one).
    await expect(host.locator("img").evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).resolves.toBe(true);
    await host.getByRole("link", { name: DEMO_HOST.name }).click();
    await page.waitForURL(`**/organisations/${DEMO_HOST.slug}`);
    await expect(page.textContent("h1")).resolves.toBe(DEMO_HOST.name);
    await expect(page.getByRole("heading", { name: catalogue("en")["organisation.open"] }).count()).resolves.toBe(1);
    await expect(page.getByRole("link", { name: DEMO_CAMPAIGN.title }).count()).resolves.toBe(1);
    expect(problems).toEqual([]);
  });

  it("in Urdu, the organisation page keeps the Urdu URL and texts", async () => {
    const page = await stack.newPage({ viewport: PHONE });
    await open(page, `${stack.web.url}/ur/organisations/${DEMO_HOST.slug}`);
    await expect(page.evaluate(() => document.documentElement.dir)).resolves.toBe("rtl");
    await expect(page.getByRole("link", { name: DEMO_CAMPAIGN_TRANSLATIONS.ur.title }).getAttribute("href")).resolves.toBe(`/ur/campaigns/${slug}`);
  });

  it("an unknown or malformed organisation is a 404, not an error", async () => {
    for (const path of ["/organisations/no-such-org", "/organisations/Bad..Slug", `/organisations/${"a".repeat(200)}`]) {
      const res = await fetch(`${stack.web.url}${path}`);
      expect(res.status, path).toBe(404);
    }
  });

  it("shows the deadline and the days left", async () => {
    const page = await stack.newPage({ viewport: PHONE });
    await open(page, campaignUrl("en"));
    const text = await page.getByTestId("deadline").textContent();
    const date = new Intl.DateTimeFormat("en", { dateStyle: "long", timeZone: "UTC" }).format(DEADLINE);
    expect(text).toBe(`Closes on ${date} · 40 days left`);
  });
});

describe("after signing", () => {
  for (const [locale, viewport] of [
    ["en", PHONE],
    ["en", DESKTOP],
    ["ur", PHONE],
    ["ur", DESKTOP],
  ] as const) {
    it(`the thank-you page shows the count and offers sharing (${locale}, ${viewport.width} px)`, async () => {
      const page = await stack.newPage({ viewport });
      await open(page, `${stack.web.url}${locale === "en" ? "" : `/${locale}`}/campaigns/${slug}/signed`);
      const count = formatNumber(locale, 12_480);
      await expect(page.getByTestId("signed-count").textContent()).resolves.toContain(count);
      const share = page.getByTestId("share");
      await expect(share.getByRole("link", { name: catalogue(locale)["share.whatsapp"] }).count()).resolves.toBe(1);
      await expect(share.textContent()).resolves.toContain(catalogue(locale)["signed.shareIntro"]);
      if (viewport.width === DESKTOP.width) await expect(axeViolations(page)).resolves.toEqual([]);
      await expectScreenshot(page, `supporter-signed-${locale}-${viewport.width}.png`);
    });
  }
});
