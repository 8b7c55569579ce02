import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_CAMPAIGN } from "~/modules/campaigns/demo-campaign";
import { findPublicCampaignInLocale } from "~/modules/campaigns/campaigns.queries.server";
import { saveCampaignTranslation } from "~/modules/campaigns/save-campaign-translation.server";
import { seedDemoCampaign } from "~/modules/campaigns/seed-demo-campaign.server";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { createCampaign, organiserOf } from "../support/fixtures";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase("translations");
});
afterAll(async () => {
  await t.drop();
});

const translationsOf = (campaignId: number) =>
  t.db.selectFrom("campaign_translations").select(["locale", "title", "ask_version"]).where("campaign_id", "=", campaignId).orderBy("locale").execute();

describe("the demo campaign seed", () => {
  it("adds the translations, once, to a database whose demo campaign was seeded before there were any", async () => {
    // What `npm start` seeded before this change: the English campaign alone.
    const old = await t.db
      .insertInto("campaigns")
      .values({ ...DEMO_CAMPAIGN, status: "published", published_at: sql`now()` })
      .returning("id")
      .executeTakeFirstOrThrow();
    await createCampaign(t.db, { title: "Another campaign" });

    await expect(seedDemoCampaign(t.db)).resolves.toBe(true);
    expect((await translationsOf(old.id)).map((r) => [r.locale, r.ask_version])).toEqual([
      ["ar", 1],
      ["ms", 1],
      ["tr", 1],
      ["ur", 1],
    ]);
    // No second campaign, no duplicate rows, nothing to do the next time.
    await expect(seedDemoCampaign(t.db)).resolves.toBe(false);
    expect(await translationsOf(old.id)).toHaveLength(4);
    const demos = await t.db.selectFrom("campaigns").select("id").where("slug", "=", DEMO_CAMPAIGN.slug).execute();
    expect(demos).toHaveLength(1);

    // Organisers' own edits are never overwritten: a demo campaign with translations is left alone.
    await t.db.deleteFrom("campaign_translations").where("campaign_id", "=", old.id).where("locale", "<>", "tr").execute();
    await t.db.updateTable("campaign_translations").set({ title: "Düzenlenmiş başlık" }).where("campaign_id", "=", old.id).execute();
    await expect(seedDemoCampaign(t.db)).resolves.toBe(false);
    expect(await translationsOf(old.id)).toEqual([{ locale: "tr", title: "Düzenlenmiş başlık", ask_version: 1 }]);
  });
});

describe("campaign translations", () => {
  it("are stamped with the campaign's current ask version, and used only while it is current", async () => {
    const campaign = await createCampaign(t.db);
    const organiser = await organiserOf(t.db, campaign.id);
    const input = { locale: "ms" as const, title: "Tajuk", summary: "Ringkasan.", ask: "Tuntutan.", addressedTo: "Pembuat keputusan", argumentMd: "Kerana." };
    await expect(saveCampaignTranslation(t.db, organiser, { campaignId: campaign.id, input })).resolves.toEqual({ locale: "ms", askVersion: 1 });
    await expect(findPublicCampaignInLocale(t.db, campaign.slug, "ms")).resolves.toMatchObject({ content: { locale: "ms", ask: "Tuntutan." } });

    await t.db.updateTable("campaigns").set({ ask_version: 2, ask: "A changed ask." }).where("id", "=", campaign.id).execute();
    await expect(findPublicCampaignInLocale(t.db, campaign.slug, "ms")).resolves.toMatchObject({ content: { locale: "en", ask: "A changed ask." } });

    await expect(saveCampaignTranslation(t.db, organiser, { campaignId: campaign.id, input: { ...input, ask: "Tuntutan baharu." } })).resolves.toEqual({
      locale: "ms",
      askVersion: 2,
    });
    await expect(findPublicCampaignInLocale(t.db, campaign.slug, "ms")).resolves.toMatchObject({ content: { locale: "ms", ask: "Tuntutan baharu." } });
  });

  it("refuse the campaign's own language, unknown languages and empty texts", async () => {
    const campaign = await createCampaign(t.db);
    const organiser = await organiserOf(t.db, campaign.id);
    const input = { locale: "tr" as const, title: "Başlık", summary: "Özet.", ask: "Talep.", addressedTo: "Muhatap", argumentMd: "Çünkü." };
    await expect(saveCampaignTranslation(t.db, organiser, { campaignId: campaign.id, input: { ...input, locale: "en" } })).rejects.toMatchObject({ code: "TRANSLATION_IN_OWN_LANGUAGE" });
    await expect(saveCampaignTranslation(t.db, organiser, { campaignId: campaign.id, input: { ...input, locale: "xx" as "tr" } })).rejects.toMatchObject({ code: "INVALID_INPUT" });
    await expect(saveCampaignTranslation(t.db, organiser, { campaignId: campaign.id, input: { ...input, ask: "  " } })).rejects.toMatchObject({ code: "INVALID_INPUT" });
    await expect(saveCampaignTranslation(t.db, organiser, { campaignId: 987654, input })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await translationsOf(campaign.id)).toEqual([]);
  });
});
