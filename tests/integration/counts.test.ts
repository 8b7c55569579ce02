import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "~/db/db.server";
import {
  countConfirmedFromScratch,
  foldAllCountChanges,
  getCampaignCounts,
  recountCampaigns,
} from "~/modules/counts/counts.server";
import { confirmSignature } from "~/modules/signatures/confirm-signature.server";
import { signCampaign } from "~/modules/signatures/sign-campaign.server";
import { issueVerificationToken } from "~/modules/signatures/signatures.queries.server";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { createCampaign, signer } from "../support/fixtures";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase("counts");
});
afterAll(async () => {
  await t.drop();
});

const COUNTRIES = ["PK", "MY", "TR", "GB", "SA"] as const;

/** Signs `n` people up and returns a verification token for each. */
async function pendingSignatures(db: Database, slug: string, n: number): Promise<string[]> {
  const tokens: string[] = [];
  for (let i = 0; i < n; i++) {
    const input = signer({ country: COUNTRIES[i % COUNTRIES.length]! });
    await signCampaign(db, { campaignSlug: slug, input, locale: "en" });
    const row = await db.selectFrom("signatures").select("id").where("email", "=", input.email).executeTakeFirstOrThrow();
    tokens.push(await issueVerificationToken(db, row.id));
  }
  return tokens;
}

describe("counts", () => {
  it("include confirmed signatures only, exactly, per campaign and per country", async () => {
    const campaign = await createCampaign(t.db);
    const tokens = await pendingSignatures(t.db, campaign.slug, 12);
    await foldAllCountChanges(t.db);
    expect((await getCampaignCounts(t.db, campaign.id)).total).toBe(0);

    // Confirm 10 of 12, one of them twice; invalidate one confirmed signature by hand (fraud).
    for (const token of tokens.slice(0, 10)) await confirmSignature(t.db, token);
    await confirmSignature(t.db, tokens[0]!);
    await foldAllCountChanges(t.db);
    const counts = await getCampaignCounts(t.db, campaign.id);
    expect(counts.total).toBe(10);
    expect(counts.byCountry).toEqual({ PK: 2, MY: 2, TR: 2, GB: 2, SA: 2 });
    expect(counts).toEqual({ ...(await countConfirmedFromScratch(t.db, campaign.id)), updatedAt: counts.updatedAt });
    const days = await t.db.selectFrom("campaign_daily_counts").select(["day", "confirmed"]).where("campaign_id", "=", campaign.id).execute();
    expect(days).toEqual([{ day: new Date().toISOString().slice(0, 10), confirmed: 10 }]);
  });

  it("never touch the campaign row or wait on a shared counter when confirming", async () => {
    const campaign = await createCampaign(t.db);
    const tokens = await pendingSignatures(t.db, campaign.slug, 20);
    await foldAllCountChanges(t.db);

    const before = await sql<{ xmin: string }>`SELECT xmin::text FROM campaigns WHERE id = ${campaign.id}`.execute(t.db);
    // Hold the locks an edit of the campaign and a long fold would hold (an ordinary UPDATE
    // takes FOR NO KEY UPDATE on the campaign; a fold takes row locks on the aggregates).
    const blocker = await t.db.connection().execute(async (conn) => {
      await sql`BEGIN`.execute(conn);
      await sql`SELECT 1 FROM campaigns WHERE id = ${campaign.id} FOR NO KEY UPDATE`.execute(conn);
      await sql`SELECT 1 FROM campaign_counts WHERE campaign_id = ${campaign.id} FOR UPDATE`.execute(conn);
      await sql`SELECT 1 FROM campaign_country_counts WHERE campaign_id = ${campaign.id} FOR UPDATE`.execute(conn);
      // Concurrent confirmations still all complete while those locks are held.
      const results = await Promise.race([
        Promise.all(tokens.map((token) => confirmSignature(t.db, token))),
        new Promise<"blocked">((r) => setTimeout(() => r("blocked"), 5_000)),
      ]);
      await sql`ROLLBACK`.execute(conn);
      return results;
    });
    expect(blocker).not.toBe("blocked");
    expect((blocker as { outcome: string }[]).every((r) => r.outcome === "confirmed")).toBe(true);
    const after = await sql<{ xmin: string }>`SELECT xmin::text FROM campaigns WHERE id = ${campaign.id}`.execute(t.db);
    expect(after.rows[0]!.xmin).toBe(before.rows[0]!.xmin); // the campaign row was never written
    await foldAllCountChanges(t.db);
    expect((await getCampaignCounts(t.db, campaign.id)).total).toBe(20);
  });

  it("miss no late commit: folds and recounts racing concurrent confirmations end exact", async () => {
    const campaign = await createCampaign(t.db);
    const tokens = await pendingSignatures(t.db, campaign.slug, 150);
    let confirming = true;
    const folding = (async () => {
      let round = 0;
      while (confirming) {
        if (round++ % 5 === 4) await recountCampaigns(t.db, campaign.id);
        else await foldAllCountChanges(t.db);
      }
    })();
    // Confirm in parallel waves so commits interleave with folds and recounts.
    for (let i = 0; i < tokens.length; i += 15) {
      await Promise.all(tokens.slice(i, i + 15).map((token) => confirmSignature(t.db, token)));
    }
    confirming = false;
    await folding;
    await foldAllCountChanges(t.db);
    const counts = await getCampaignCounts(t.db, campaign.id);
    expect(counts.total).toBe(150);
    expect(counts.byCountry).toEqual((await countConfirmedFromScratch(t.db, campaign.id)).byCountry);
  });

  it("are repaired by a full recount after drift", async () => {
    const campaign = await createCampaign(t.db);
    const tokens = await pendingSignatures(t.db, campaign.slug, 5);
    for (const token of tokens) await confirmSignature(t.db, token);
    await foldAllCountChanges(t.db);
    await sql`UPDATE campaign_counts SET confirmed = 999 WHERE campaign_id = ${campaign.id}`.execute(t.db);
    await sql`UPDATE campaign_country_counts SET confirmed = 0 WHERE campaign_id = ${campaign.id}`.execute(t.db);
    // An unfolded ledger row is part of the truth the recount already includes: it must not count twice.
    await sql`UPDATE signatures SET status = 'invalidated' WHERE id = (SELECT id FROM signatures WHERE campaign_id = ${campaign.id} LIMIT 1)`.execute(t.db);
    await recountCampaigns(t.db);
    await foldAllCountChanges(t.db);
    const counts = await getCampaignCounts(t.db, campaign.id);
    expect(counts.total).toBe(4);
    expect(counts.byCountry).toEqual((await countConfirmedFromScratch(t.db, campaign.id)).byCountry);
  });
});
