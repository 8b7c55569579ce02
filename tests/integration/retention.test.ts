import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countConfirmedFromScratch, foldAllCountChanges, getCampaignCounts } from "~/modules/counts/counts.server";
import { applyRetention } from "~/modules/privacy/retention.server";
import { confirmSignature } from "~/modules/signatures/confirm-signature.server";
import { signCampaign } from "~/modules/signatures/sign-campaign.server";
import { issueVerificationToken } from "~/modules/signatures/signatures.queries.server";
import { startTestWorker } from "../support/worker";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { createCampaign, eventually, signer } from "../support/fixtures";
import { deletePrefix, uniquePrefix } from "../support/redis";

let t: TestDatabase;
const prefix = uniquePrefix("retention");
beforeAll(async () => {
  t = await createTestDatabase("retention");
});
afterAll(async () => {
  await t.drop();
  await deletePrefix(prefix);
});

async function sign(slug: string, { confirmed, ageDays }: { confirmed: boolean; ageDays: number }) {
  const input = signer();
  await signCampaign(t.db, { campaignSlug: slug, input, locale: "en", ipAddress: "203.0.113.9", userAgent: "Test/1.0" });
  const row = await t.db.selectFrom("signatures").select("id").where("email", "=", input.email).executeTakeFirstOrThrow();
  if (confirmed) await confirmSignature(t.db, await issueVerificationToken(t.db, row.id));
  await sql`UPDATE signatures SET created_at = now() - make_interval(days => ${ageDays}) WHERE id = ${row.id}`.execute(t.db);
  return row.id;
}

describe("retention", () => {
  it("deletes old unconfirmed signatures and old network data, and never changes a count", async () => {
    const campaign = await createCampaign(t.db);
    const oldPending = await sign(campaign.slug, { confirmed: false, ageDays: 31 });
    const newPending = await sign(campaign.slug, { confirmed: false, ageDays: 2 });
    const oldConfirmed = await sign(campaign.slug, { confirmed: true, ageDays: 45 });
    const newConfirmed = await sign(campaign.slug, { confirmed: true, ageDays: 1 });
    await foldAllCountChanges(t.db);
    const before = await getCampaignCounts(t.db, campaign.id);
    expect(before.total).toBe(2);

    const result = await applyRetention(t.db);
    expect(result.deletedUnconfirmed).toBe(1);

    const rows = await t.db.selectFrom("signatures").select(["id", "status", "ip_address", "user_agent", "email"]).where("campaign_id", "=", campaign.id).execute();
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(byId.has(oldPending)).toBe(false);
    expect(byId.get(newPending)).toMatchObject({ status: "pending", ip_address: "203.0.113.9" });
    expect(byId.get(oldConfirmed)).toMatchObject({ status: "confirmed", ip_address: null, user_agent: null });
    expect(byId.get(oldConfirmed)!.email).not.toBeNull();
    expect(byId.get(newConfirmed)).toMatchObject({ status: "confirmed", ip_address: "203.0.113.9", user_agent: "Test/1.0" });

    await foldAllCountChanges(t.db);
    const after = await getCampaignCounts(t.db, campaign.id);
    expect(after.total).toBe(before.total);
    expect(after.byCountry).toEqual(before.byCountry);
    expect((await countConfirmedFromScratch(t.db, campaign.id)).total).toBe(2);
  });

  it("runs as a scheduled worker job", async () => {
    const campaign = await createCampaign(t.db);
    const oldPending = await sign(campaign.slug, { confirmed: false, ageDays: 40 });
    const worker = await startTestWorker({
      databaseUrl: t.url,
      redisPrefix: prefix,
      retentionEveryMs: 200,
    });
    try {
      await eventually(
        async () => !(await t.db.selectFrom("signatures").select("id").where("id", "=", oldPending).executeTakeFirst()),
        30_000,
        "the old unconfirmed signature to go",
      );
    } finally {
      await worker.stop();
    }
    // A busy CI machine runs three test files at once: the worker's start-up alone can take seconds.
  }, 60_000);
});
