/**
 * Public counts by country never show a country with
 * fewer signers than the public map's threshold; organisers still see exact figures.
 */
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recountCampaigns } from "~/modules/counts/counts.server";
import { PUBLIC_COUNTRY_MIN } from "~/modules/stats/public-countries";
import { createCampaign } from "../support/fixtures";
import { createOrganisation, signedInUser } from "../support/organisers";
import { startSecurityStack, type SecurityStack } from "./stack";

let stack: SecurityStack;

beforeAll(async () => {
  stack = await startSecurityStack("seccounts");
});
afterAll(async () => stack?.stop());

async function confirmedSigners(campaignId: number, country: string, n: number) {
  await sql`
    INSERT INTO signatures (campaign_id, status, name, email, email_normalized, country, public_name, opt_in, consent_version, locale, confirmed_at)
    SELECT ${campaignId}, 'confirmed', 'Signer ' || g, ${country} || '-' || g || '-' || ${campaignId} || '@example.org',
           ${country} || '-' || g || '-' || ${campaignId} || '@example.org', ${country}, false, false, 'v1', 'en', now()
    FROM generate_series(1, ${n}) g`.execute(stack.tdb.db);
}

describe("counts by country in public", () => {
  it("the API folds a country with one signer into otherCountries; the organiser's export keeps it", async () => {
    const campaign = await createCampaign(stack.tdb.db);
    await confirmedSigners(campaign.id, "PK", PUBLIC_COUNTRY_MIN + 2);
    await confirmedSigners(campaign.id, "MY", 1);
    await recountCampaigns(stack.tdb.db, campaign.id);
    const api = (await (await fetch(`${stack.web.url}/api/v1/campaigns/${campaign.slug}`)).json()) as Record<string, unknown>;
    expect(api.signatureCount).toBe(PUBLIC_COUNTRY_MIN + 3);
    expect(api.countsByCountry).toEqual({ PK: PUBLIC_COUNTRY_MIN + 2 });
    expect(api.otherCountries).toBe(1);
    expect(JSON.stringify(api)).not.toContain("MY");

    // The page shows the same: Malaysia is not named on its own.
    const page = await (await fetch(`${stack.web.url}/campaigns/${campaign.slug}`)).text();
    expect(page).not.toMatch(/Malaysia[^<]*<\/[^>]+>\s*<[^>]+>\s*1\b/);

    const org = await createOrganisation(stack.tdb.db);
    await stack.tdb.db.updateTable("campaigns").set({ organisation_id: org.id }).where("id", "=", campaign.id).execute();
    const organiser = await signedInUser(stack.tdb.db, { organisationId: org.id });
    const exported = await fetch(`${stack.web.url}/dashboard/campaigns/${campaign.id}/exports/counts?by=country&format=json`, { headers: { Cookie: organiser.cookie } });
    expect(exported.status).toBe(200);
    const rows = ((await exported.json()) as { rows: { country: string; confirmed: number }[] }).rows;
    expect(Object.fromEntries(rows.map((r) => [r.country, r.confirmed]))).toEqual({ PK: PUBLIC_COUNTRY_MIN + 2, MY: 1 });
  });
});
