/**
 * An admin exports a campaign's counts in a real Chromium (JavaScript off: a plain link): from
 * /admin/exports, the "counts by country (CSV)" link downloads a file whose numbers are the public ones.
 */
import { readFile } from "node:fs/promises";
import { sql } from "kysely";
import type { Browser, BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recountCampaigns } from "~/modules/counts/counts.server";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { createCampaign, createTestUser } from "../support/fixtures";
import { deletePrefix, SHARED_REDIS_URL, uniquePrefix } from "../support/redis";
import { startWeb, type RunningProcess } from "../support/web";
import { launchChromium } from "./browser";

let database: TestDatabase;
let web: RunningProcess;
let browser: Browser;
let context: BrowserContext | undefined;
const redisPrefix = uniquePrefix("e2eexp");
const PASSWORD = "a passphrase long enough";

beforeAll(async () => {
  database = await createTestDatabase("e2eexports");
  [web, browser] = await Promise.all([startWeb({ DATABASE_URL: database.url, REDIS_URL: SHARED_REDIS_URL, REDIS_PREFIX: redisPrefix }), launchChromium()]);
});

afterAll(async () => {
  await context?.close().catch(() => undefined);
  await browser?.close().catch(() => undefined);
  await web?.stop().catch(() => undefined);
  await database?.drop().catch(() => undefined);
  await deletePrefix(redisPrefix).catch(() => undefined);
});

describe("an admin", () => {
  it("downloads a campaign's counts by country as CSV from the exports console", async () => {
    const db = database.db;
    const campaign = await createCampaign(db, { title: "Convene the foreign ministers" });
    await sql`
      INSERT INTO signatures (campaign_id, status, name, email, email_normalized, country, public_name, opt_in, consent_version, locale, confirmed_at)
      SELECT ${campaign.id}, 'confirmed', 'S' || n, 'e2e-' || n || '@example.org', 'e2e-' || n || '@example.org',
             CASE WHEN n <= 3 THEN 'PK' ELSE 'MY' END, false, false, '2026-11', 'en', now()
      FROM generate_series(1, 5) AS n`.execute(db);
    await recountCampaigns(db, campaign.id);
    const { email } = await createTestUser(db, "admin", "admin", { password: PASSWORD, displayName: "Admin" });

    context = await browser.newContext({ javaScriptEnabled: false, locale: "en-GB", acceptDownloads: true });
    const page = await context.newPage();
    await page.goto(`${web.url}/login?next=/admin/exports`);
    await page.fill("#f-email", email);
    await page.fill("#f-password", PASSWORD);
    await Promise.all([page.waitForURL(/\/admin\/exports$/), page.click("button[type=submit]")]);
    await expect.poll(() => page.textContent("h1")).toBe("Exports");

    const row = page.locator(`tr[data-campaign="${campaign.slug}"]`);
    const [download] = await Promise.all([page.waitForEvent("download"), row.getByText("Counts by country (CSV)").click()]);
    expect(download.suggestedFilename()).toBe(`${campaign.slug}-counts-country.csv`);
    const csv = await readFile((await download.path())!, "utf8");
    expect(csv).toBe("country,confirmed\nPK,3\nMY,2\n");

    const api = (await (await fetch(`${web.url}/api/v1/campaigns/${campaign.slug}`)).json()) as { countsByCountry: Record<string, number>; otherCountries: number };
    // The CSV is exact for the organiser; the public API folds countries under the map's threshold.
    expect(api.countsByCountry).toEqual({});
    expect(api.otherCountries).toBe(5);
    const audit = await db.selectFrom("audit_log").select(["action", "actor_label", "row_count"]).where("campaign_id", "=", campaign.id).execute();
    expect(audit).toEqual([{ action: "export.counts", actor_label: email, row_count: 2 }]);
  });
});
