/**
 * Confirmations made at the same moment share one statement (confirmingGroup in
 * confirm-signature.server.ts). Each caller gets the outcome it would have had alone; a signature
 * is confirmed, and counted in the ledger, once however many of its links come in one group.
 */
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { confirmingGroup, confirmSignature } from "~/modules/signatures/confirm-signature.server";
import { signCampaign } from "~/modules/signatures/sign-campaign.server";
import { issueVerificationToken } from "~/modules/signatures/signatures.queries.server";
import { generateToken } from "~/utils/tokens.server";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { createCampaign, signer } from "../support/fixtures";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase("confirmgrouped");
});
afterAll(async () => {
  await t?.drop();
});

/** A pending signature on the campaign and a verification link for it. */
async function pending(slug: string, campaignId: number) {
  const input = signer();
  await signCampaign(t.db, { campaignSlug: slug, input, locale: "en" });
  const { id } = await t.db.selectFrom("signatures").select("id").where("campaign_id", "=", campaignId).where("email", "=", input.email).executeTakeFirstOrThrow();
  return { id, token: await issueVerificationToken(t.db, id) };
}

describe("confirmations made together", () => {
  it("share statements, and each caller gets the outcome it would have had alone", async () => {
    const open = await createCampaign(t.db);
    const closing = await createCampaign(t.db);
    const fresh = await Promise.all(Array.from({ length: 30 }, () => pending(open.slug, open.id)));
    const twice = await pending(open.slug, open.id);
    const twoLinks = await pending(open.slug, open.id);
    const secondLink = await issueVerificationToken(t.db, twoLinks.id);
    const expired = await pending(open.slug, open.id);
    await t.db.updateTable("signature_tokens").set({ expires_at: sql<Date>`now() - interval '1 minute'` }).where("signature_id", "=", expired.id).execute();
    const closed = await pending(closing.slug, closing.id);
    await t.db.updateTable("campaigns").set({ status: "closed" }).where("id", "=", closing.id).execute();
    const before = { ...confirmingGroup(t.db).stats };

    const calls: [string, string][] = [
      ...fresh.map((p, i): [string, string] => [`fresh ${i}`, p.token]),
      ["twice a", twice.token],
      ["twice b", twice.token],
      ["link 1", twoLinks.token],
      ["link 2", secondLink],
      ["expired", expired.token],
      ["closed", closed.token],
      ["unknown", generateToken()],
    ];
    const results = await Promise.allSettled(calls.map(([, token]) => confirmSignature(t.db, token, { locale: "ur" })));
    const outcome = (label: string) => {
      const r = results[calls.findIndex(([l]) => l === label)]!;
      return r.status === "fulfilled" ? r.value.outcome : (r.reason as { code: string }).code;
    };
    const after = confirmingGroup(t.db).stats;

    expect(after.calls - before.calls).toBe(calls.length);
    expect(after.statements - before.statements).toBeLessThan(calls.length / 4);
    for (let i = 0; i < fresh.length; i++) expect(outcome(`fresh ${i}`)).toBe("confirmed");
    expect([outcome("twice a"), outcome("twice b")].sort()).toEqual(["already-confirmed", "confirmed"]);
    expect([outcome("link 1"), outcome("link 2")].sort()).toEqual(["already-confirmed", "confirmed"]);
    expect(outcome("expired")).toBe("TOKEN_EXPIRED");
    expect(outcome("closed")).toBe("CAMPAIGN_NOT_OPEN");
    expect(outcome("unknown")).toBe("TOKEN_INVALID");

    // In the database: each confirmed once, with one +1 in the ledger each; the others untouched.
    const confirmedIds = [...fresh.map((p) => p.id), twice.id, twoLinks.id];
    const rows = await t.db.selectFrom("signatures").select(["id", "status"]).where("campaign_id", "in", [open.id, closing.id]).execute();
    expect(rows.filter((r) => r.status === "confirmed").map((r) => r.id).sort((a, b) => a - b)).toEqual(confirmedIds.sort((a, b) => a - b));
    const ledger = await t.db
      .selectFrom("signature_count_changes")
      .select(sql<number>`sum(delta)::int`.as("n"))
      .where("campaign_id", "in", [open.id, closing.id])
      .executeTakeFirstOrThrow();
    expect(ledger.n).toBe(confirmedIds.length);
  });

  it("a lone confirmation goes on its own, at once", async () => {
    const campaign = await createCampaign(t.db);
    const p = await pending(campaign.slug, campaign.id);
    const before = { ...confirmingGroup(t.db).stats };
    expect(await confirmSignature(t.db, p.token)).toMatchObject({ outcome: "confirmed", confirmedCount: 1 });
    expect(confirmingGroup(t.db).stats.statements - before.statements).toBe(1);
    expect(confirmingGroup(t.db).stats.calls - before.calls).toBe(1);
  });
});
