/**
 * The fan-out benchmark's "duplicate" with no fault: 100,000 confirmed signers counted at once
 * crossed 25, 50, 75 and 100 % of the goal in one recount, and the organiser got four emails in a
 * row (four messages to one address at the SMTP sink). A count that jumps past several milestones
 * announces the highest one only; the lower ones are recorded so they are never announced later.
 */
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { foldAllCountChanges, recountCampaigns } from "~/modules/counts/counts.server";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { createCampaign } from "../support/fixtures";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase("msjump");
});
afterAll(async () => {
  await t?.drop();
});

async function confirmedSigners(campaignId: number, from: number, to: number) {
  await sql`
    INSERT INTO signatures (campaign_id, status, name, email, email_normalized, country, public_name, opt_in, consent_version, locale, confirmed_at)
    SELECT ${campaignId}, 'confirmed', 'Signer ' || n, 'jump-' || ${campaignId} || '-' || n || '@example.org',
           'jump-' || ${campaignId} || '-' || n || '@example.org', 'PK', false, true, 'x', 'en', now()
    FROM generate_series(${from}::int, ${to}::int) AS n`.execute(t.db);
}

const milestoneJobs = (campaignId: number) =>
  t.db
    .selectFrom("outbox")
    .select("payload")
    .where("topic", "=", "campaign.milestone")
    .execute()
    .then((rows) => rows.map((r) => r.payload as { campaignId: number; percent: number }).filter((p) => p.campaignId === campaignId));

describe("milestones crossed together", () => {
  it("a recount that jumps from nothing to the goal queues one email (100 %), and records every milestone", async () => {
    const campaign = await createCampaign(t.db, { goal: 4 });
    await confirmedSigners(campaign.id, 1, 4);
    await recountCampaigns(t.db, campaign.id);

    expect((await milestoneJobs(campaign.id)).map((p) => p.percent)).toEqual([100]);
    const rows = await t.db.selectFrom("campaign_milestones").select("percent").where("campaign_id", "=", campaign.id).orderBy("percent").execute();
    expect(rows.map((r) => r.percent)).toEqual([25, 50, 75, 100]);

    // Running it again announces nothing more.
    await recountCampaigns(t.db, campaign.id);
    await foldAllCountChanges(t.db);
    expect(await milestoneJobs(campaign.id)).toHaveLength(1);
  });

  it("milestones crossed one at a time are each announced", async () => {
    const campaign = await createCampaign(t.db, { goal: 4 });
    await confirmedSigners(campaign.id, 1, 1);
    await recountCampaigns(t.db, campaign.id);
    await confirmedSigners(campaign.id, 2, 3);
    await recountCampaigns(t.db, campaign.id); // 25 → 75: 50 and 75 crossed together, 75 announced
    expect((await milestoneJobs(campaign.id)).map((p) => p.percent).sort((a, b) => a - b)).toEqual([25, 75]);
  });
});
