import { sql } from "kysely";
import sharp from "sharp";
import { expect, it } from "vitest";
import { recountCampaigns } from "~/modules/counts/counts.server";
import { createTestDatabase } from "../support/db";
import { createCampaign } from "../support/fixtures";
import { createOrganisation, signedInUser, TEST_SESSION_SECRET } from "../support/organisers";
import { deletePrefix, uniquePrefix } from "../support/redis";
import { startWeb } from "../support/web";
import { axeViolations } from "./axe";
import { launchChromium } from "./browser";

/** The dashboard with its campaign list, the campaign numbers page, the picture page and the public page with its picture and map. */
it("campaign numbers, picture and signers' map pass axe (WCAG 2.2 A/AA) in English and Urdu", async () => {
  const t = await createTestDatabase("dasha11y");
  const prefix = uniquePrefix("dasha11y");
  const web = await startWeb({ DATABASE_URL: t.url, REDIS_PREFIX: prefix, SESSION_SECRET: TEST_SESSION_SECRET });
  const browser = await launchChromium();
  try {
    const org = await createOrganisation(t.db);
    const campaign = await createCampaign(t.db);
    await t.db.updateTable("campaigns").set({ organisation_id: org.id }).where("id", "=", campaign.id).execute();
    // 120 confirmed signers over nine days; the recount builds the aggregates the pages read.
    await sql`INSERT INTO signatures (campaign_id, status, name, email, email_normalized, country, public_name, opt_in, consent_version, locale, confirmed_at)
      SELECT ${campaign.id}, 'confirmed', 'x', 's' || g || '@example.org', 's' || g || '@example.org', (ARRAY['PK','PK','MY','TR','GB'])[1 + g % 5], false, false, 'v1', 'en', now() - make_interval(days => g % 9)
      FROM generate_series(1, 120) g`.execute(t.db);
    await recountCampaigns(t.db, campaign.id);
    const u = await signedInUser(t.db, { organisationId: org.id });
    const form = new FormData();
    form.append("image", new Blob([new Uint8Array(await sharp({ create: { width: 1000, height: 500, channels: 3, background: "#336699" } }).png().toBuffer())], { type: "image/png" }), "a.png");
    form.append("alt", "A blue banner");
    expect((await fetch(`${web.url}/dashboard/campaigns/${campaign.id}/image`, { method: "POST", body: form, headers: { Cookie: u.cookie } })).status).toBe(200);
    const [name, value] = u.cookie.split("=");
    for (const lang of ["en", "ur"]) {
      const context = await browser.newContext();
      await context.addCookies([{ name: name!, value: value!, url: web.url }, { name: "lang", value: lang, url: web.url }]);
      const page = await context.newPage();
      for (const path of ["/dashboard", `/dashboard/campaigns/${campaign.id}/stats`, `/${lang}/campaigns/${campaign.slug}`, `/dashboard/campaigns/${campaign.id}/image`, `/dashboard/campaigns/${campaign.id}`, `/dashboard/campaigns/${campaign.id}/close`, `/dashboard/campaigns/${campaign.id}/exports`, `/dashboard/orgs/${org.slug}/campaigns/new`]) {
        await page.goto(`${web.url}${path}`);
        expect(await axeViolations(page), `${lang} ${path}`).toEqual([]);
      }
      await context.close();
    }
  } finally {
    await browser.close();
    await web.stop();
    await t.drop();
    await deletePrefix(prefix);
  }
}, 120_000);
