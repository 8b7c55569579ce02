/**
 * Signatures sent at the same moment share one statement (app/db/grouped.server.ts,
 * signingGroup in sign-campaign.server.ts). What must hold: each caller gets its own outcome, as if
 * it had signed alone; an address is stored once however often it comes in one group; a bad row
 * fails only its own caller; and grouping happens (fewer statements than signatures).
 */
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signCampaign, signingGroup } from "~/modules/signatures/sign-campaign.server";
import { NO_ATTRIBUTION } from "~/modules/signatures/signatures.schema";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { createCampaign, signer } from "../support/fixtures";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase("signgrouped");
});
afterAll(async () => {
  await t?.drop();
});

const settle = <T>(promises: Promise<T>[]) => Promise.allSettled(promises);
const stats = () => ({ ...signingGroup(t.db).stats });

describe("signatures sent together", () => {
  it("share statements, and each caller gets the outcome it would have had alone", async () => {
    const open = await createCampaign(t.db);
    const other = await createCampaign(t.db);
    const closed = await createCampaign(t.db, { status: "closed" });
    const draft = await createCampaign(t.db, { status: "draft" });
    // Signed before: a referrer whose code a new signer brings, and a pending address signing again.
    const referrer = signer();
    await signCampaign(t.db, { campaignSlug: open.slug, input: referrer, locale: "en" });
    const { referral_code: code, id: referrerId } = await t.db
      .selectFrom("signatures")
      .select(["referral_code", "id"])
      .where("email", "=", referrer.email)
      .executeTakeFirstOrThrow();
    const before = stats();

    const fresh = Array.from({ length: 40 }, () => signer());
    const twice = signer({ email: "Twice.Over@Example.org" });
    const referred = signer();
    const calls: { label: string; call: Promise<{ outcome: string; campaignId: number }> }[] = [
      ...fresh.map((input, i) => ({ label: `fresh ${i}`, call: signCampaign(t.db, { campaignSlug: i % 2 ? open.slug : other.slug, input, locale: "en" }) })),
      // The same address three times in one moment (different case): stored once.
      ...[twice, { ...twice, email: "twice.over@example.org" }, { ...twice, email: "TWICE.OVER@EXAMPLE.ORG" }].map((input, i) => ({
        label: `twice ${i}`,
        call: signCampaign(t.db, { campaignSlug: open.slug, input, locale: "en" }),
      })),
      { label: "again", call: signCampaign(t.db, { campaignSlug: open.slug, input: referrer, locale: "en" }) },
      { label: "referred", call: signCampaign(t.db, { campaignSlug: open.slug, input: referred, locale: "ur", attribution: { ...NO_ATTRIBUTION, referralCode: code } }) },
      { label: "closed", call: signCampaign(t.db, { campaignSlug: closed.slug, input: signer(), locale: "en" }) },
      { label: "draft", call: signCampaign(t.db, { campaignSlug: draft.slug, input: signer(), locale: "en" }) },
      { label: "unknown", call: signCampaign(t.db, { campaignSlug: "no-such-campaign", input: signer(), locale: "en" }) },
    ];
    const results = await settle(calls.map((c) => c.call));
    const byLabel = new Map(calls.map((c, i) => [c.label, results[i]!]));
    const after = stats();

    // Grouped: 46 signatures in far fewer statements.
    expect(after.calls - before.calls).toBe(calls.length);
    expect(after.statements - before.statements).toBeLessThan(calls.length / 4);
    expect(after.largest).toBeGreaterThan(10);

    for (let i = 0; i < fresh.length; i++) {
      expect(byLabel.get(`fresh ${i}`)).toEqual({ status: "fulfilled", value: { outcome: "created", campaignId: i % 2 ? open.id : other.id } });
    }
    const twiceOutcomes = [0, 1, 2].map((i) => byLabel.get(`twice ${i}`));
    expect(twiceOutcomes.map((r) => r?.status)).toEqual(["fulfilled", "fulfilled", "fulfilled"]);
    expect(twiceOutcomes.map((r) => (r as PromiseFulfilledResult<{ outcome: string }>).value.outcome).sort()).toEqual(["created", "unchanged", "unchanged"]);
    expect(byLabel.get("again")).toEqual({ status: "fulfilled", value: { outcome: "unchanged", campaignId: open.id } });
    expect(byLabel.get("referred")).toEqual({ status: "fulfilled", value: { outcome: "created", campaignId: open.id } });
    expect(byLabel.get("closed")).toMatchObject({ status: "rejected", reason: { code: "CAMPAIGN_NOT_OPEN" } });
    expect(byLabel.get("draft")).toMatchObject({ status: "rejected", reason: { code: "NOT_FOUND" } });
    expect(byLabel.get("unknown")).toMatchObject({ status: "rejected", reason: { code: "NOT_FOUND" } });

    // Stored: each fresh signer once, on the right campaign; the triple once; one outbox row each.
    const rows = await t.db
      .selectFrom("signatures")
      .select(["id", "campaign_id", "email", "email_normalized", "locale", "referred_by", "referral_code"])
      .where("campaign_id", "in", [open.id, other.id, closed.id, draft.id])
      .execute();
    expect(rows).toHaveLength(1 + fresh.length + 1 + 1); // referrer, fresh, the triple, referred
    for (const [i, input] of fresh.entries()) {
      expect(rows.filter((r) => r.email === input.email).map((r) => r.campaign_id)).toEqual([i % 2 ? open.id : other.id]);
    }
    expect(rows.filter((r) => r.email_normalized === "twice.over@example.org")).toHaveLength(1);
    expect(rows.find((r) => r.email === referred.email)).toMatchObject({ locale: "ur", referred_by: referrerId });
    expect(new Set(rows.map((r) => r.referral_code)).size).toBe(rows.length);
    const outbox = await t.db
      .selectFrom("outbox")
      .select(sql<number>`(payload->>'signatureId')::int`.as("signatureId"))
      .where("topic", "=", "signature.verification")
      .execute();
    const mailed = outbox.map((o) => o.signatureId).filter((id) => rows.some((r) => r.id === id));
    expect(mailed.sort((a, b) => a - b)).toEqual(rows.map((r) => r.id).sort((a, b) => a - b));
  });

  it("a row the database refuses fails only its own caller; the rest of its group is stored", async () => {
    const campaign = await createCampaign(t.db);
    const good = Array.from({ length: 20 }, () => signer());
    const bad = signer();
    const before = stats();
    const results = await settle([
      ...good.map((input) => signCampaign(t.db, { campaignSlug: campaign.slug, input, locale: "en" })),
      // A channel the column's CHECK refuses (parseAttribution never lets one through; a bug could).
      signCampaign(t.db, { campaignSlug: campaign.slug, input: bad, locale: "en", attribution: { ...NO_ATTRIBUTION, channel: "Not A Channel!" } }),
    ]);
    const after = stats();

    expect(results.slice(0, good.length).every((r) => r.status === "fulfilled" && r.value.outcome === "created")).toBe(true);
    expect(results.at(-1)).toMatchObject({ status: "rejected", reason: { code: "23514" } });
    // The group failed as a whole first, then its calls ran again one by one.
    expect(after.rerunAlone - before.rerunAlone).toBeGreaterThan(1);
    const stored = await t.db.selectFrom("signatures").select("email").where("campaign_id", "=", campaign.id).execute();
    expect(stored.map((s) => s.email).sort()).toEqual(good.map((g) => g.email).sort());
  });

  it("inside a caller's transaction, signs alone and within that transaction", async () => {
    const campaign = await createCampaign(t.db);
    const input = signer();
    const before = stats();
    await t.db
      .transaction()
      .execute(async (trx) => {
        expect(await signCampaign(trx, { campaignSlug: campaign.slug, input, locale: "en" })).toMatchObject({ outcome: "created" });
        throw new Error("roll back");
      })
      .catch(() => undefined);
    expect(stats().statements).toBe(before.statements);
    expect(await t.db.selectFrom("signatures").select("id").where("email", "=", input.email).execute()).toEqual([]);
  });
});
