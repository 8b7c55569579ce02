import { sql } from "kysely";
import type { Database } from "~/db/db.server";
import { AppError } from "~/utils/errors.server";
import { campaignTranslationSchema, type CampaignTranslationInput } from "./campaigns.schema";

/**
 * Adds or replaces a campaign's texts in one more language. The translation is stamped with the
 * campaign's current ask_version, read under a share lock so a concurrent change of the ask
 * cannot slip in between: pages show a translation only while that version is current.
 * (Who may translate which campaign is checked here once organiser accounts own campaigns.)
 */
export async function saveCampaignTranslation(db: Database, args: { campaignId: number; input: CampaignTranslationInput }) {
  const parsed = campaignTranslationSchema.safeParse(args.input);
  if (!parsed.success) throw new AppError("INVALID_INPUT", parsed.error.message);
  const input = parsed.data;
  return db.transaction().execute(async (trx) => {
    const campaign = await trx
      .selectFrom("campaigns")
      .select(["id", "locale", "ask_version"])
      .where("id", "=", args.campaignId)
      .forShare()
      .executeTakeFirst();
    if (!campaign) throw new AppError("NOT_FOUND", "campaign not found");
    if (campaign.locale === input.locale) throw new AppError("INVALID_INPUT", "the campaign's own language is edited on the campaign, not translated");
    const values = {
      title: input.title,
      summary: input.summary,
      ask: input.ask,
      addressed_to: input.addressedTo,
      argument_md: input.argumentMd,
      ask_version: campaign.ask_version,
    };
    await trx
      .insertInto("campaign_translations")
      .values({ campaign_id: campaign.id, locale: input.locale, ...values })
      .onConflict((oc) => oc.columns(["campaign_id", "locale"]).doUpdateSet({ ...values, updated_at: sql`now()` }))
      .execute();
    return { locale: input.locale, askVersion: campaign.ask_version };
  });
}
