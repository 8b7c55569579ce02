import { sql } from "kysely";
import type { Database } from "~/db/db.server";
import { EDITABLE_CAMPAIGN_STATUSES, isIn } from "~/db/states";
import { LOCALES, type Locale } from "~/i18n/i18n";
import type { Actor } from "~/modules/access/actor.server";
import { requireCampaignOrganiser } from "~/modules/access/guards.server";
import { AppError } from "~/utils/errors.server";
import { campaignTranslationSchema, type CampaignTranslationInput } from "./campaigns.schema";

/**
 * Adds or replaces a campaign's texts in one more language. Only members of the campaign's
 * organisation translate it, while its texts may change at all (draft or published). The
 * translation is stamped with the campaign's current ask_version, read under a share lock so a
 * concurrent change of the ask cannot slip in between: pages show a translation only while that
 * version is current.
 */
export async function saveCampaignTranslation(db: Database, actor: Actor, args: { campaignId: number; input: CampaignTranslationInput }) {
  const parsed = campaignTranslationSchema.safeParse(args.input);
  if (!parsed.success) throw new AppError("INVALID_INPUT", parsed.error.message);
  const input = parsed.data;
  return db.transaction().execute(async (trx) => {
    await requireCampaignOrganiser(trx, actor, args.campaignId);
    const campaign = await trx
      .selectFrom("campaigns")
      .select(["id", "locale", "ask_version", "status"])
      .where("id", "=", args.campaignId)
      .forShare()
      .executeTakeFirstOrThrow();
    if (!isIn(EDITABLE_CAMPAIGN_STATUSES, campaign.status)) throw new AppError("CAMPAIGN_NOT_EDITABLE", `a ${campaign.status} campaign cannot be edited`);
    if (campaign.locale === input.locale) throw new AppError("TRANSLATION_IN_OWN_LANGUAGE", "the campaign's own language is edited on the campaign, not translated");
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

/**
 * `current`: written for the ask as it is now, so the public page shows it. `outdated`: written
 * for an older ask version; the page falls back to the default language until it is redone.
 */
export type TranslationState = "missing" | "outdated" | "current";

export interface TranslationOverview {
  locale: Locale;
  state: TranslationState;
  /** The ask version the translation was written for (null when missing). */
  askVersion: number | null;
  texts: { title: string; summary: string; ask: string; addressedTo: string; argumentMd: string } | null;
}

/**
 * Every language other than the campaign's own, with its translation and whether it is current.
 * Members of the campaign's organisation, and admins, may look.
 */
export async function listCampaignTranslations(db: Database, actor: Actor, campaignId: number) {
  const campaign = await requireCampaignOrganiser(db, actor, campaignId, { allowAdmin: true });
  const rows = await db.selectFrom("campaign_translations").selectAll().where("campaign_id", "=", campaignId).execute();
  const languages: TranslationOverview[] = LOCALES.filter((l) => l !== campaign.locale).map((locale) => {
    const row = rows.find((r) => r.locale === locale);
    if (!row) return { locale, state: "missing", askVersion: null, texts: null };
    return {
      locale,
      state: row.ask_version === campaign.ask_version ? "current" : "outdated",
      askVersion: row.ask_version,
      texts: { title: row.title, summary: row.summary, ask: row.ask, addressedTo: row.addressed_to, argumentMd: row.argument_md },
    };
  });
  return { campaign, languages, editable: isIn(EDITABLE_CAMPAIGN_STATUSES, campaign.status) };
}
