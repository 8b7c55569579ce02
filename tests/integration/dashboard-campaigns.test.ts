/**
 * The organiser's dashboard list: every campaign of the organiser's organisations with its
 * numbers, and nothing of other organisations. Real Postgres; counts folded from the ledger.
 */
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listMyCampaigns, TREND_DAYS } from "~/modules/campaigns/list-my-campaigns.server";
import { createCampaign, reviewCampaign, submitForReview } from "~/modules/campaigns/manage-campaigns.server";
import { foldAllCountChanges } from "~/modules/counts/counts.server";
import { createOrganisation } from "~/modules/organisations/organisations.server";
import { confirmSignature } from "~/modules/signatures/confirm-signature.server";
import { signCampaign } from "~/modules/signatures/sign-campaign.server";
import { issueVerificationToken } from "~/modules/signatures/signatures.queries.server";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { createTestUser, signer } from "../support/fixtures";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase("dashlist");
});
afterAll(async () => {
  await t?.drop();
});

let n = 0;
const unique = (label: string) => `${label}-${Date.now().toString(36)}-${n++}`;

async function publishedCampaign(title: string) {
  const owner = await createTestUser(t.db, "user");
  const admin = await createTestUser(t.db, "admin");
  const org = await createOrganisation(t.db, owner, { name: `Org ${title}`, slug: unique("org") });
  const slug = unique("c");
  const { id } = await createCampaign(t.db, owner, org.slug, { slug, title, summary: "s", ask: "a", addressedTo: "OIC", argumentMd: "b", goal: 100, deadline: null, targets: [] });
  await submitForReview(t.db, owner, id);
  await reviewCampaign(t.db, admin, id, { decision: "publish", note: null });
  return { owner, id, slug };
}

async function sign(slug: string, confirm: boolean) {
  const input = signer({});
  await signCampaign(t.db, { campaignSlug: slug, input, locale: "en" });
  const row = await t.db.selectFrom("signatures").select("id").where("email", "=", input.email).executeTakeFirstOrThrow();
  if (confirm) await confirmSignature(t.db, await issueVerificationToken(t.db, row.id));
}

describe("the organiser's campaign list", () => {
  it("shows each campaign of the organiser's organisations with confirmed, pending, today's count and a 7-day trend, and no one else's", async () => {
    const mine = await publishedCampaign("Mine");
    const theirs = await publishedCampaign("Theirs");
    for (const confirm of [true, true, true, false]) await sign(mine.slug, confirm);
    await sign(theirs.slug, true);
    await foldAllCountChanges(t.db);
    // Two confirmations three days ago, as the ledger would have folded them then.
    await sql`INSERT INTO campaign_daily_counts (campaign_id, day, confirmed) VALUES (${mine.id}, ((now() AT TIME ZONE 'UTC')::date - 3), 2)`.execute(t.db);

    const list = await listMyCampaigns(t.db, mine.owner);
    expect(list.map((c) => c.title)).toEqual(["Mine"]);
    const [row] = list;
    expect(row).toMatchObject({ status: "published", confirmed: 3, pending: 1, today: 3, organisationName: "Org Mine" });
    expect(row!.trend).toHaveLength(TREND_DAYS);
    expect(row!.trend).toEqual([0, 0, 0, 2, 0, 0, 3]);
    expect(await listMyCampaigns(t.db, await createTestUser(t.db, "user"))).toEqual([]);
  });
});
