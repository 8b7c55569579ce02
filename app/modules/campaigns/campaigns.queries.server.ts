import { sql } from "kysely";
import { executePrepared, type Executor } from "~/db/db.server";
import type { CampaignStatus } from "~/db/schema";
import { PUBLIC_CAMPAIGN_STATUSES } from "~/db/states";
import { read, type Read } from "~/db/one-trip.server";

export interface CampaignSummary {
  id: number;
  slug: string;
  title: string;
  summary: string;
  /** The language `title` and `summary` are in: the page's, or the campaign's default when untranslated. */
  contentLocale: string;
  goal: number;
  status: CampaignStatus;
  signatureCount: number;
  updatedAt: Date;
}

/**
 * Campaigns the public may see, open ones first, each with its confirmed count. With `locale`,
 * title and summary come from a translation written for the current ask, where there is one.
 */
export async function listPublicCampaigns(db: Executor, opts: { openOnly?: boolean; locale?: string; organisationId?: number } = {}): Promise<CampaignSummary[]> {
  const locale = opts.locale ?? "";
  let query = db
    .selectFrom("campaigns as c")
    .leftJoin("campaign_counts as n", "n.campaign_id", "c.id")
    .leftJoin("campaign_translations as t", (join) =>
      join.onRef("t.campaign_id", "=", "c.id").on("t.locale", "=", locale).on("t.locale", "<>", sql.ref("c.locale")).onRef("t.ask_version", "=", "c.ask_version"),
    )
    .select([
      "c.id",
      "c.slug",
      sql<string>`coalesce(t.title, c.title)`.as("title"),
      sql<string>`coalesce(t.summary, c.summary)`.as("summary"),
      sql<string>`coalesce(t.locale, c.locale)`.as("contentLocale"),
      "c.goal",
      "c.status",
      sql<number>`coalesce(n.confirmed, 0)`.as("signatureCount"),
      sql<Date>`greatest(c.updated_at, n.updated_at)`.as("updatedAt"),
    ])
    .where("c.status", "in", opts.openOnly ? ["published"] : PUBLIC_CAMPAIGN_STATUSES);
  if (opts.organisationId !== undefined) query = query.where("c.organisation_id", "=", opts.organisationId);
  return query.orderBy(sql`c.status = 'published'`, "desc").orderBy("c.published_at", "desc").orderBy("c.id", "desc").limit(200).execute();
}

export async function findPublicCampaignBySlug(db: Executor, slug: string) {
  return db
    .selectFrom("campaigns")
    .selectAll()
    .where("slug", "=", slug)
    .where("status", "in", PUBLIC_CAMPAIGN_STATUSES)
    .executeTakeFirst();
}

/**
 * A public campaign with its content in `locale`: the translation for that language when one was
 * written for the campaign's current ask, otherwise the campaign's own (default-language) content.
 * `contentLocale` says which language the content is in, so the page can say so.
 */
export async function findPublicCampaignInLocale(db: Executor, slug: string, locale: string) {
  return findCampaignInLocale(db, { slug, statuses: PUBLIC_CAMPAIGN_STATUSES }, locale);
}

/**
 * Any campaign by id, whatever its state, with its content in `locale` by the same rule as the
 * public page: for previews. Callers check who may see it.
 */
export async function findCampaignByIdInLocale(db: Executor, id: number, locale: string) {
  return findCampaignInLocale(db, { id }, locale);
}

async function findCampaignInLocale(db: Executor, by: { slug: string; statuses: readonly CampaignStatus[] } | { id: number }, locale: string) {
  let query = db
    .selectFrom("campaigns as c")
    .leftJoin("campaign_translations as t", (join) =>
      join.onRef("t.campaign_id", "=", "c.id").on("t.locale", "=", locale).on("t.locale", "<>", sql.ref("c.locale")).onRef("t.ask_version", "=", "c.ask_version"),
    )
    .selectAll("c")
    .select([
      "t.locale as t_locale",
      "t.title as t_title",
      "t.summary as t_summary",
      "t.ask as t_ask",
      "t.addressed_to as t_addressed_to",
      "t.argument_md as t_argument_md",
      // In the same round trip: the languages it has current translations in (contentLocales below).
      sql<string[]>`array(select tl.locale from campaign_translations tl where tl.campaign_id = c.id and tl.ask_version = c.ask_version order by tl.locale)`.as(
        "t_current_locales",
      ),
    ]);
  query = "id" in by ? query.where("c.id", "=", by.id) : query.where("c.slug", "=", by.slug).where("c.status", "in", by.statuses);
  // Every public view starts here: prepared once per connection (its text varies only with which
  // of the two lookups it is, and with the number of statuses, which is fixed per caller).
  const [row] = await executePrepared(db, `campaign_in_locale_by_${"id" in by ? "id" : `slug_${by.statuses.length}`}`, query.compile());
  if (!row) return undefined;
  const { t_locale, t_title, t_summary, t_ask, t_addressed_to, t_argument_md, t_current_locales, ...campaign } = row;
  const content: CampaignContent =
    t_locale && t_title !== null && t_summary !== null && t_ask !== null && t_addressed_to !== null && t_argument_md !== null
      ? { locale: t_locale, title: t_title, summary: t_summary, ask: t_ask, addressedTo: t_addressed_to, argumentMd: t_argument_md }
      : { locale: campaign.locale, title: campaign.title, summary: campaign.summary, ask: campaign.ask, addressedTo: campaign.addressed_to, argumentMd: campaign.argument_md };
  /** The languages it can be read in for its current ask: its own, then its current translations. */
  const contentLocales = [campaign.locale, ...t_current_locales.filter((l) => l !== campaign.locale)];
  return { campaign, content, contentLocales };
}

export interface CampaignContent {
  /** The language this content is written in. */
  locale: string;
  title: string;
  summary: string;
  ask: string;
  addressedTo: string;
  argumentMd: string;
}

export interface RecentSigner {
  firstName: string;
  country: string;
  confirmedAt: Date;
}

/** Confirmed supporters who chose to show their name: first name and country only. */
export function recentPublicSignersRead(db: Executor, campaignId: number, limit = 10): Read<RecentSigner[]> {
  const query = db
    .selectFrom("signatures")
    .select(["name", "country", "confirmed_at"])
    .where("campaign_id", "=", campaignId)
    .where("status", "=", "confirmed")
    .where("public_name", "=", true)
    .where("name", "is not", null)
    .orderBy("confirmed_at", "desc")
    .limit(limit);
  return read(query, (rows) => rows.map((r) => ({ firstName: firstNameOf(r.name ?? ""), country: r.country, confirmedAt: r.confirmed_at as Date })));
}

export function firstNameOf(name: string): string {
  return name.trim().split(/\s+/u)[0] ?? "";
}

/** The accepted partner behind a share code on this campaign, for the sign form's partner opt-in. */
export async function findAcceptedPartner(db: Executor, campaignId: number, shareCode: string | null): Promise<{ id: number; name: string } | null> {
  if (!shareCode) return null;
  const row = await db
    .selectFrom("campaign_partners as p")
    .innerJoin("organisations as o", "o.id", "p.organisation_id")
    .select(["p.id", "o.name"])
    .where("p.campaign_id", "=", campaignId)
    .where("p.share_code", "=", shareCode)
    .where("p.status", "=", "accepted")
    .executeTakeFirst();
  return row ?? null;
}
