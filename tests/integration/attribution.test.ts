import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordAudit, listAudit } from "~/modules/audit/audit.server";
import { signCampaign } from "~/modules/signatures/sign-campaign.server";
import { parseAttribution } from "~/modules/signatures/signatures.schema";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { createCampaign, signer } from "../support/fixtures";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase("attribution");
});
afterAll(async () => {
  await t.drop();
});

async function partner(campaignId: number, code: string, status: "invited" | "accepted") {
  const org = await t.db.insertInto("organisations").values({ slug: `org-${code}`, name: `Org ${code}` }).returning("id").executeTakeFirstOrThrow();
  await t.db.insertInto("campaign_partners").values({ campaign_id: campaignId, organisation_id: org.id, share_code: code, status }).execute();
}

const row = (email: string) =>
  t.db
    .selectFrom("signatures")
    .select(["id", "partner_id", "opt_in_partner", "consent_purposes", "referral_code", "referred_by", "referral_channel", "ask_version", "source"])
    .where("email", "=", email)
    .executeTakeFirstOrThrow();

describe("signature attribution", () => {
  it("records the accepted partner, the referrer, the channel, the ask version and the consent purposes", async () => {
    const campaign = await createCampaign(t.db);
    await t.db.updateTable("campaigns").set({ ask_version: 3 }).where("id", "=", campaign.id).execute();
    await partner(campaign.id, "acceptedpartner", "accepted");

    const first = signer({ optIn: true });
    await signCampaign(t.db, { campaignSlug: campaign.slug, input: first, locale: "en" });
    const referrer = await row(first.email);
    expect(referrer.referral_code).toMatch(/^[a-z2-9]{12}$/);
    expect(referrer.consent_purposes).toEqual(["petition", "updates:host"]);
    expect(referrer.ask_version).toBe(3);
    expect(referrer.source).toBe("web");

    const second = signer();
    await signCampaign(t.db, {
      campaignSlug: campaign.slug,
      input: second,
      locale: "en",
      source: "widget",
      attribution: { partnerCode: "acceptedpartner", referralCode: referrer.referral_code, channel: "whatsapp", optInPartner: true },
    });
    const brought = await row(second.email);
    expect(brought.partner_id).not.toBeNull();
    expect(brought.opt_in_partner).toBe(true);
    expect(brought.consent_purposes).toEqual(["petition", "updates:partner"]);
    expect(brought.referred_by).toBe(referrer.id);
    expect(brought.referral_channel).toBe("whatsapp");
    expect(brought.source).toBe("widget");
    expect(brought.referral_code).not.toBe(referrer.referral_code);
  });

  it("ignores a partner that has not accepted, and codes from another campaign", async () => {
    const campaign = await createCampaign(t.db);
    const other = await createCampaign(t.db);
    await partner(campaign.id, "onlyinvited", "invited");
    const elsewhere = signer();
    await signCampaign(t.db, { campaignSlug: other.slug, input: elsewhere, locale: "en" });
    const foreign = await row(elsewhere.email);

    const input = signer();
    await signCampaign(t.db, {
      campaignSlug: campaign.slug,
      input,
      locale: "en",
      attribution: { partnerCode: "onlyinvited", referralCode: foreign.referral_code, channel: null, optInPartner: true },
    });
    const r = await row(input.email);
    expect(r.partner_id).toBeNull();
    expect(r.opt_in_partner).toBe(false);
    expect(r.consent_purposes).toEqual(["petition"]);
    expect(r.referred_by).toBeNull();
  });

  it("drops malformed attribution from links instead of failing the signature", () => {
    const parsed = parseAttribution(new URLSearchParams("partner=<script>&ref=ABCdef234567&via=whats app&optInPartner=on"));
    expect(parsed).toEqual({ partnerCode: null, referralCode: "abcdef234567", channel: null, optInPartner: true });
    const twice = parseAttribution(new URLSearchParams("ref=abcdefgh&ref=ijklmnop"));
    expect(twice.referralCode).toBeNull();
  });
});

describe("audit log", () => {
  it("appends entries and filters them by action prefix, actor and campaign, newest first", async () => {
    const campaign = await createCampaign(t.db);
    await recordAudit(t.db, { actorUserId: null, actorLabel: "system", action: "export.counts", campaignId: campaign.id, rowCount: 3 });
    await recordAudit(t.db, { actorUserId: null, actorLabel: "system", action: "export.signatures", campaignId: campaign.id, rowCount: 10 });
    await recordAudit(t.db, { actorUserId: null, actorLabel: "system", action: "user.promote", subject: "a@example.org" });
    const exports = await listAudit(t.db, { action: "export.", campaignId: campaign.id });
    expect(exports.map((e) => e.action)).toEqual(["export.signatures", "export.counts"]);
    expect(exports[0]!.row_count).toBe(10);
    expect(exports[0]!.campaign_slug).toBe(campaign.slug);
    await expect(recordAudit(t.db, { actorUserId: null, actorLabel: "x", action: "Bad Action" })).rejects.toThrow(/bad audit action/);
  });
});
