/**
 * The organiser's side in a real Chromium: the campaign form's live Markdown preview and the web
 * address suggested from the title (JavaScript on), and reviewed screenshots of the dashboard and
 * a campaign's organiser page at 360 and 1280 px in English and Urdu, with axe at 0 violations.
 */
import { sql } from "kysely";
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { recountCampaigns } from "~/modules/counts/counts.server";
import { signedInUser, TEST_SESSION_SECRET } from "../support/organisers";
import { axeViolations } from "./axe";
import { e2eStack } from "./stack";
import { expectScreenshot } from "./visual";

const stack = e2eStack({ label: "e2eorgdash", webEnv: { SESSION_SECRET: TEST_SESSION_SECRET } });
const PHONE = { width: 360, height: 740 };
const DESKTOP = { width: 1280, height: 900 };
let cookie: { name: string; value: string };
let campaignId: number;
let orgSlug: string;

beforeAll(async () => {
  const db = stack.database.db;
  // Fixed names and counts, so the screenshots hold still from one run to the next.
  const org = await db.insertInto("organisations").values({ slug: "kashmir-solidarity", name: "Kashmir Solidarity Network" }).returning(["id", "slug"]).executeTakeFirstOrThrow();
  orgSlug = org.slug;
  const campaign = await db
    .insertInto("campaigns")
    .values({
      slug: "convene-the-cfm",
      title: "Convene the foreign ministers on Kashmir",
      summary: "The OIC should meet on Kashmir.",
      ask: "Convene the Council of Foreign Ministers on Kashmir.",
      addressed_to: "The OIC",
      argument_md: "## Why now\n\nBecause it is **overdue**.",
      goal: 5000,
      status: "published",
      locale: "en",
      organisation_id: org.id,
      published_at: sql`now()`,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  campaignId = campaign.id;
  await db.insertInto("campaign_targets").values({ campaign_id: campaignId, position: 0, name: "Hissein Brahim Taha", role: "Secretary-General of the OIC", country: "SA" }).execute();
  // 1,240 confirmed over the last week (more today), 37 waiting for their email.
  await sql`INSERT INTO signatures (campaign_id, status, name, email, email_normalized, country, public_name, opt_in, consent_version, locale, confirmed_at)
    SELECT ${campaignId}, CASE WHEN g <= 1240 THEN 'confirmed' ELSE 'pending' END, 'x', 's' || g || '@example.org', 's' || g || '@example.org',
           (ARRAY['PK','MY','TR','GB'])[1 + g % 4], false, false, 'v1', 'en',
           CASE WHEN g <= 1240 THEN now() - make_interval(days => (g % 10) % 7) ELSE NULL END
    FROM generate_series(1, 1277) g`.execute(db);
  await recountCampaigns(db, campaignId);
  const user = await signedInUser(db, { organisationId: org.id });
  const [name, value] = user.cookie.split("=");
  cookie = { name: name!, value: value! };
});

async function organiserPage(viewport = DESKTOP, lang = "en", javaScriptEnabled = true): Promise<Page> {
  const context = await stack.newContext({ viewport, javaScriptEnabled });
  await context.addCookies([{ ...cookie, url: stack.web.url }, { name: "lang", value: lang, url: stack.web.url }]);
  return context.newPage();
}

async function open(page: Page, path: string) {
  const res = await page.goto(`${stack.web.url}${path}`);
  expect(res?.status(), path).toBe(200);
  await page.evaluate(() => document.fonts.ready.then(() => undefined));
}

describe("the campaign form with JavaScript", () => {
  it("suggests the web address from the title until the organiser edits it, and previews the argument as it is typed", async () => {
    const page = await organiserPage();
    await open(page, `/dashboard/orgs/${orgSlug}/campaigns/new`);
    await page.waitForFunction(() => (window as { __remixContext?: unknown }).__remixContext !== undefined && document.querySelector("#c-title") !== null);
    await page.locator("#c-title").pressSequentially("Şimdi: Kashmir Now", { delay: 10 });
    await expect.poll(() => page.inputValue("#c-slug")).toBe("simdi-kashmir-now");

    await page.fill("#c-slug", "my-own-address");
    await page.locator("#c-title").pressSequentially(" and always", { delay: 10 });
    expect(await page.inputValue("#c-slug")).toBe("my-own-address");

    await page.locator("#c-argumentMd").pressSequentially("It is **overdue** <b>now</b>", { delay: 5 });
    const preview = page.getByTestId("argument-preview");
    await expect.poll(() => preview.innerHTML(), { timeout: 5000 }).toContain("<strong>overdue</strong>");
    expect(await preview.innerHTML()).toContain("&lt;b&gt;now&lt;/b&gt;");
    // Nothing was saved by previewing.
    expect(await stack.database.db.selectFrom("campaigns").select("id").where("slug", "=", "my-own-address").execute()).toEqual([]);
    await expect(axeViolations(page)).resolves.toEqual([]);
  });
});

describe("screenshots of the organiser's pages", () => {
  for (const lang of ["en", "ur"] as const) {
    for (const viewport of [PHONE, DESKTOP]) {
      it(`the dashboard and the campaign's organiser page (${lang}, ${viewport.width} px)`, async () => {
        const page = await organiserPage(viewport, lang);
        await open(page, "/dashboard");
        if (viewport === DESKTOP) await expect(axeViolations(page)).resolves.toEqual([]);
        await expectScreenshot(page, `organiser-dashboard-${lang}-${viewport.width}.png`);
        await open(page, `/dashboard/campaigns/${campaignId}`);
        expect(await page.getByTestId("numbers-confirmed").textContent()).toBe("1,240");
        if (viewport === DESKTOP) await expect(axeViolations(page)).resolves.toEqual([]);
        await expectScreenshot(page, `organiser-campaign-${lang}-${viewport.width}.png`);
      });
    }
  }
});

// After the screenshots: it edits the campaign they show.
describe("the campaign form and the Enter key", () => {
  it("saves, not previews, when the organiser presses Enter in a field", async () => {
    const page = await organiserPage();
    await open(page, `/dashboard/campaigns/${campaignId}`);
    await page.waitForFunction(() => (window as { __remixContext?: unknown }).__remixContext !== undefined && document.querySelector("#c-title") !== null);
    const titleOf = async () => (await stack.database.db.selectFrom("campaigns").select("title").where("id", "=", campaignId).executeTakeFirstOrThrow()).title;
    const before = await titleOf();
    await page.fill("#c-title", `${before} (edited)`);
    await page.locator("#c-title").press("Enter");
    await expect.poll(titleOf, { timeout: 10_000 }).toBe(`${before} (edited)`);
    await expect(axeViolations(page)).resolves.toEqual([]);
  });
});
