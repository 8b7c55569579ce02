import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "~/db/db.server";
import { closeCampaign, closeExpiredCampaigns, createCampaign, getCampaignForEditing, listOrganisationCampaigns, listReviewQueue, reviewCampaign, submitForReview, updateCampaign } from "~/modules/campaigns/manage-campaigns.server";
import { createOrganisation } from "~/modules/organisations/organisations.server";
import { signCampaign } from "~/modules/signatures/sign-campaign.server";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { campaignInput, createTestUser, signer } from "../support/fixtures";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase("lifecycle");
});
afterAll(async () => {
  await t.drop();
});

let n = 0;
const unique = (label: string) => `${label}-${Date.now().toString(36)}-${n++}`;
const user = (db: Database, role: "user" | "admin" = "user") => createTestUser(db, role);
const input = campaignInput;

async function setup() {
  const owner = await user(t.db);
  const admin = await user(t.db, "admin");
  const outsider = await user(t.db);
  const org = await createOrganisation(t.db, owner, { name: "Org", slug: unique("org") });
  const other = await createOrganisation(t.db, outsider, { name: "Other", slug: unique("org") });
  return { owner, admin, outsider, org, other };
}

describe("the campaign lifecycle", () => {
  it("goes draft → in review → published → closed, and only published campaigns take signatures", async () => {
    const { owner, admin, org } = await setup();
    const { id } = await createCampaign(t.db, owner, org.slug, input());
    const slugOf = async () => (await getCampaignForEditing(t.db, owner, id)).campaign.slug;
    const trySign = async () => signCampaign(t.db, { campaignSlug: await slugOf(), input: signer(), locale: "en" });

    await expect(trySign()).rejects.toMatchObject({ code: "NOT_FOUND" }); // draft
    await submitForReview(t.db, owner, id);
    await expect(trySign()).rejects.toMatchObject({ code: "NOT_FOUND" }); // in review
    expect((await listReviewQueue(t.db, admin)).map((c) => c.id)).toContain(id);

    await reviewCampaign(t.db, admin, id, { decision: "publish", note: null });
    expect((await trySign()).outcome).toBe("created");
    await closeCampaign(t.db, owner, id);
    await expect(trySign()).rejects.toMatchObject({ code: "CAMPAIGN_NOT_OPEN" });
    const [row] = await listOrganisationCampaigns(t.db, owner, org.slug);
    expect(row).toMatchObject({ id, status: "closed", pending: 1 });
  });

  it("sends a rejected campaign back to draft with the reason, which must be given", async () => {
    const { owner, admin, org } = await setup();
    const { id } = await createCampaign(t.db, owner, org.slug, input());
    await submitForReview(t.db, owner, id);
    await expect(reviewCampaign(t.db, admin, id, { decision: "reject", note: null })).rejects.toMatchObject({ code: "REJECTION_WITHOUT_REASON" });
    await reviewCampaign(t.db, admin, id, { decision: "reject", note: "Please cite a source for the date." });
    const { campaign } = await getCampaignForEditing(t.db, owner, id);
    expect(campaign).toMatchObject({ status: "draft", review_note: "Please cite a source for the date." });
    // The organisers answer by resubmitting.
    await submitForReview(t.db, owner, id);
    expect((await getCampaignForEditing(t.db, owner, id)).campaign.status).toBe("in_review");
  });

  it("lets only admins review, and keeps other organisations out of a campaign by every route", async () => {
    const { owner, outsider, org } = await setup();
    const { id } = await createCampaign(t.db, owner, org.slug, input());
    await expect(reviewCampaign(t.db, owner, id, { decision: "publish", note: null })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(listReviewQueue(t.db, owner)).rejects.toMatchObject({ code: "FORBIDDEN" });
    const attempts: (() => Promise<unknown>)[] = [
      () => getCampaignForEditing(t.db, outsider, id),
      () => updateCampaign(t.db, outsider, id, input()),
      () => submitForReview(t.db, outsider, id),
      () => closeCampaign(t.db, outsider, id),
      () => createCampaign(t.db, outsider, org.slug, input()),
      () => listOrganisationCampaigns(t.db, outsider, org.slug),
    ];
    for (const attempt of attempts) await expect(attempt()).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("locks the address once people have signed, versions the ask, and keeps the argument editable", async () => {
    const { owner, admin, org } = await setup();
    const first = input();
    const { id } = await createCampaign(t.db, owner, org.slug, first);
    await updateCampaign(t.db, owner, id, { ...first, ask: "A sharper ask." }); // no signatures yet: in place
    await submitForReview(t.db, owner, id);
    await reviewCampaign(t.db, admin, id, { decision: "publish", note: null });
    await signCampaign(t.db, { campaignSlug: first.slug, input: signer(), locale: "en" });

    const current = { ...first, ask: "A sharper ask." };
    await expect(updateCampaign(t.db, owner, id, { ...current, slug: unique("moved") })).rejects.toMatchObject({ code: "SLUG_LOCKED" });
    expect(await updateCampaign(t.db, owner, id, { ...current, argumentMd: "A longer argument.", goal: 5000 })).toEqual({ askVersion: 1 });
    const { campaign, signed } = await getCampaignForEditing(t.db, owner, id);
    expect(signed).toBe(true);
    expect(campaign).toMatchObject({ ask: "A sharper ask.", argument_md: "A longer argument.", goal: 5000, ask_version: 1 });
    const versions = await t.db.selectFrom("campaign_ask_versions").select(["version", "ask"]).where("campaign_id", "=", id).execute();
    expect(versions).toEqual([{ version: 1, ask: "A sharper ask." }]);
  });

  it("closes published campaigns whose deadline has passed", async () => {
    const { owner, admin, org } = await setup();
    const { id } = await createCampaign(t.db, owner, org.slug, input());
    await submitForReview(t.db, owner, id);
    await reviewCampaign(t.db, admin, id, { decision: "publish", note: null });
    await sql`UPDATE campaigns SET deadline_at = now() - interval '1 minute' WHERE id = ${id}`.execute(t.db);
    expect(await closeExpiredCampaigns(t.db)).toBeGreaterThanOrEqual(1);
    expect((await getCampaignForEditing(t.db, owner, id)).campaign.status).toBe("closed");
  });

  it("refuses a taken web address", async () => {
    const { owner, org } = await setup();
    const taken = input();
    await createCampaign(t.db, owner, org.slug, taken);
    await expect(createCampaign(t.db, owner, org.slug, input({ slug: taken.slug }))).rejects.toMatchObject({ code: "SLUG_TAKEN" });
  });
});
