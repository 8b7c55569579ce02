import type { Selectable } from "kysely";
import type { Executor } from "~/db/db.server";
import { read, readInOneTrip } from "~/db/one-trip.server";
import type { CampaignsTable } from "~/db/schema";
import { countryName, countryOptions } from "~/i18n/countries";
import { formatDate, type Locale } from "~/i18n/i18n";
import type { Actor } from "~/modules/access/actor.server";
import { requireCampaignOrganiser } from "~/modules/access/guards.server";
import { campaignCountsRead } from "~/modules/counts/counts.server";
import { logoPath } from "~/modules/organisations/organisation-logo.server";
import { publicSignerReasonsRead } from "~/modules/signatures/signer-comments.server";
import { publishedUpdatesRead } from "~/modules/updates/updates.server";
import { heroImageRead } from "~/modules/media/hero-image.server";
import { publicPartnersRead } from "~/modules/partners/partners.server";
import { groupSmallCountries, PUBLIC_COUNTRY_MIN } from "~/modules/stats/public-countries";
import { env } from "~/utils/env.server";
import { AppError } from "~/utils/errors.server";
import { renderMarkdown } from "~/utils/markdown.server";
import { askVersionsRead } from "./ask-versions.server";
import { findCampaignByIdInLocale, recentPublicSignersRead, type CampaignContent } from "./campaigns.queries.server";
import { publicTargetResponsesRead } from "./target-responses.server";

/**
 * What the campaign page shows, built once for the public page and for the organisers' preview,
 * so the preview is the public page exactly.
 */
export async function campaignPageData(db: Executor, found: { campaign: Selectable<CampaignsTable>; content: CampaignContent }, locale: Locale) {
  const { campaign, content } = found;
  // Nine reads, one round trip: sent one by one, their socket writes were a fifth of a render.
  const [counts, signers, partners, targets, askVersions, hero, host, updates, reasons] = await readInOneTrip(db, [
    campaignCountsRead(campaign.id),
    recentPublicSignersRead(db, campaign.id),
    publicPartnersRead(db, campaign.id),
    publicTargetResponsesRead(db, campaign.id),
    askVersionsRead(db, campaign.id),
    heroImageRead(db, campaign.id),
    hostOrganisationRead(db, campaign.organisation_id),
    publishedUpdatesRead(db, campaign.id),
    publicSignerReasonsRead(db, campaign.id),
  ] as const);
  const byCountry = groupSmallCountries(counts.byCountry);
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
      // Only while it is still ahead: a passed deadline says nothing a supporter can act on.
      deadline: campaign.status === "published" ? deadlineFor(locale, campaign.deadline_at) : null,
      argumentHtml: renderMarkdown(content.argumentMd, { headingOffset: 1 }),
    },
    defaultLocale: campaign.locale,
    appUrl: env().APP_URL,
    count: counts.total,
    hero,
    /** who runs the campaign: named, with its logo and a link to its public page */
    host: host ?? null,
    // Countries with few signers are shown only as a group, so no one is singled out.
    map: { shown: byCountry.shown.map((c) => ({ ...c, name: countryName(c.country, locale) })), other: byCountry.other, min: PUBLIC_COUNTRY_MIN },
    // The campaign's story: updates its organisers sent and chose to publish, newest first (in
    // the language they were written in, which is the campaign's own).
    updates: updates.map((u) => ({ id: u.id, subject: u.subject, html: renderMarkdown(u.bodyMd, { headingOffset: 2 }), sentOn: u.sentAt ? formatDate(locale, u.sentAt) : null })),
    reasons: reasons.map((r) => ({ ...r, country: countryName(r.country, locale) })),
    signers: signers.map((s) => ({ firstName: s.firstName, country: countryName(s.country, locale) })),
    countries: countryOptions(locale),
    partners,
    targets: targets.map((target) => ({
      id: target.id,
      name: target.name,
      role: target.role,
      country: target.country ? countryName(target.country, locale) : null,
      response: target.response
        ? { date: formatDate(locale, `${target.response.respondedOn}T12:00:00Z`), summary: target.response.summary, link: target.response.link }
        : null,
    })),
    // The history matters only once the ask has changed; it is in the campaign's own language.
    askHistory:
      askVersions.length > 1
        ? askVersions.map((v) => ({
            version: v.version,
            date: formatDate(locale, v.createdAt),
            ask: v.ask,
            addressedTo: v.addressedTo,
            targets: v.targets.map((target) => [target.name, target.role].filter(Boolean).join(", ")),
          }))
        : [],
  };
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * "Closes on …" and the whole days left, counted up (a deadline later today is "1 day left");
 * the page is cached for seconds only, so the count is never a day behind.
 */
export function deadlineFor(locale: Locale, deadlineAt: Date | string | null, now = new Date()) {
  if (!deadlineAt) return null;
  const at = new Date(deadlineAt);
  const left = at.getTime() - now.getTime();
  if (left <= 0) return null;
  return { date: formatDate(locale, at), daysLeft: Math.ceil(left / DAY_MS) };
}

/** The organisation running the campaign, if any (none: the query finds no row). */
function hostOrganisationRead(db: Executor, organisationId: number | null) {
  const query = db.selectFrom("organisations").select(["id", "slug", "name", "logo_hash"]).where("id", "=", organisationId ?? 0);
  return read(query, ([org]) => (org && organisationId !== null ? { slug: org.slug, name: org.name, logoUrl: org.logo_hash ? logoPath(org.id, org.logo_hash) : null } : undefined));
}

export type CampaignPageData = Awaited<ReturnType<typeof campaignPageData>>;

/**
 * The campaign page of any campaign, drafts and campaigns in review included, as it will look in
 * `locale`: for the campaign's organisers and for admins; to anyone else it does not exist.
 */
export async function previewCampaignPage(db: Executor, actor: Actor, campaignId: number, locale: Locale): Promise<CampaignPageData> {
  await requireCampaignOrganiser(db, actor, campaignId, { allowAdmin: true });
  const found = await findCampaignByIdInLocale(db, campaignId, locale);
  if (!found) throw new AppError("NOT_FOUND", "campaign not found");
  return campaignPageData(db, found, locale);
}
