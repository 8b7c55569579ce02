import type { Selectable } from "kysely";
import type { Executor } from "~/db/db.server";
import type { CampaignsTable } from "~/db/schema";
import { countryName, countryOptions } from "~/i18n/countries";
import { formatDate, type Locale } from "~/i18n/i18n";
import { getCampaignCounts } from "~/modules/counts/counts.server";
import type { Actor } from "~/modules/organisations/organisations.server";
import { AppError } from "~/utils/errors.server";
import { renderMarkdown } from "~/utils/markdown.server";
import { findCampaignByIdInLocale, recentPublicSigners, type CampaignContent } from "./campaigns.queries.server";
import { authorizeCampaign } from "./manage-campaigns.server";

/**
 * What the campaign page shows, built once for the public page and for the organisers' preview,
 * so the preview is the public page exactly.
 */
export async function campaignPageData(db: Executor, found: { campaign: Selectable<CampaignsTable>; content: CampaignContent }, locale: Locale) {
  const { campaign, content } = found;
  const [counts, signers] = await Promise.all([getCampaignCounts(db, campaign.id), recentPublicSigners(db, campaign.id)]);
  return {
    campaign: {
      slug: campaign.slug,
      title: content.title,
      summary: content.summary,
      ask: content.ask,
      addressedTo: content.addressedTo,
      contentLocale: content.locale,
      goal: campaign.goal,
      status: campaign.status,
      // Formatted here, once: the browser's ICU may word a date differently from Node's.
      openSince: campaign.published_at ? formatDate(locale, campaign.published_at) : null,
      argumentHtml: renderMarkdown(content.argumentMd, { headingOffset: 1 }),
    },
    count: counts.total,
    signers: signers.map((s) => ({ firstName: s.firstName, country: countryName(s.country, locale) })),
    countries: countryOptions(locale),
  };
}

export type CampaignPageData = Awaited<ReturnType<typeof campaignPageData>>;

/**
 * The campaign page of any campaign, drafts and campaigns in review included, as it will look in
 * `locale`: for the campaign's organisers and for admins; to anyone else it does not exist.
 */
export async function previewCampaignPage(db: Executor, actor: Actor, campaignId: number, locale: Locale): Promise<CampaignPageData> {
  await authorizeCampaign(db, actor, campaignId, { allowAdmin: true });
  const found = await findCampaignByIdInLocale(db, campaignId, locale);
  if (!found) throw new AppError("NOT_FOUND", "campaign not found");
  return campaignPageData(db, found, locale);
}
