import type { Database } from "~/db/db.server";
import { formatDateTime, type Locale } from "~/i18n/i18n";
import type { Actor } from "~/modules/access/actor.server";
import { listInvalidations } from "./invalidations.server";
import { trendingSources, type Trend } from "./trends.server";

/**
 * What the admin's fraud page of one campaign shows, read for a page: trending sources and past
 * invalidations, with dates formatted on the server (the browser's ICU may word a date
 * differently from Node's, and the page must read the same with and without JavaScript).
 */

function trendRow(locale: Locale, t: Trend) {
  // `since` fills the invalidation form's "from" field (datetime-local) when a trend is picked.
  return { ...t, first: formatDateTime(locale, t.first), last: formatDateTime(locale, t.last), since: t.first.toISOString().slice(0, 16) };
}

export type TrendRow = ReturnType<typeof trendRow>;

/** The campaign, its trending addresses and domains over the last `hours`, and its fast forms. */
export async function trendsForPage(db: Database, actor: Actor, campaignId: number, opts: { hours: number; threshold: number; locale: Locale }) {
  const { campaign, addresses, domains, fastForms } = await trendingSources(db, actor, campaignId, opts);
  return { campaign, addresses: addresses.map((t) => trendRow(opts.locale, t)), domains: domains.map((t) => trendRow(opts.locale, t)), fastForms };
}

/** The campaign's invalidations, newest first, as the history table shows them. */
export async function invalidationsForPage(db: Database, actor: Actor, campaignId: number, locale: Locale) {
  const invalidations = await listInvalidations(db, actor, campaignId);
  return invalidations.map((i) => ({
    ...i,
    criteria: i.criteria as Record<string, string | null>,
    created_at: formatDateTime(locale, i.created_at),
    undone_at: i.undone_at ? formatDateTime(locale, i.undone_at) : null,
  }));
}

export type InvalidationRow = Awaited<ReturnType<typeof invalidationsForPage>>[number];
