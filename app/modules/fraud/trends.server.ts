import { sql } from "kysely";
import type { Database } from "~/db/db.server";
import { COUNTED_SIGNATURE_STATUSES, PUBLIC_CAMPAIGN_STATUSES } from "~/db/states";
import type { Actor } from "~/modules/access/actor.server";
import { requireAdmin } from "~/modules/access/guards.server";
import { AppError } from "~/utils/errors.server";

export interface Trend {
  /** an IPv4 address, an IPv6 /64, or an email domain */
  key: string;
  /** the most signatures it brought in one clock hour of the window */
  peakPerHour: number;
  /** clock hours at or above the threshold */
  hotHours: number;
  total: number;
  confirmed: number;
  first: Date;
  last: Date;
}

// IPv6 is grouped by /64: one subscriber usually holds a whole /64.
const IP_KEY = sql`CASE WHEN family(s.ip_address) = 6 THEN network(set_masklen(s.ip_address, 64))::text ELSE host(s.ip_address) END`;
const DOMAIN_KEY = sql`split_part(s.email_normalized, '@', -1)`;

async function trending(db: Database, campaignId: number, key: typeof IP_KEY, opts: { hours: number; threshold: number }): Promise<Trend[]> {
  const result = await sql<Trend>`
    WITH hourly AS (
      SELECT ${key} AS key, date_trunc('hour', s.created_at) AS hour, count(*)::int AS n,
             (count(*) FILTER (WHERE s.status = 'confirmed'))::int AS confirmed,
             min(s.created_at) AS first, max(s.created_at) AS last
      FROM signatures s
      WHERE s.campaign_id = ${campaignId} AND s.status IN (${sql.join(COUNTED_SIGNATURE_STATUSES)})
        AND s.created_at >= now() - make_interval(hours => ${opts.hours})
      GROUP BY 1, 2
    )
    SELECT key, max(n)::int AS "peakPerHour", (count(*) FILTER (WHERE n >= ${opts.threshold}))::int AS "hotHours",
           sum(n)::int AS total, sum(confirmed)::int AS confirmed, min(first) AS first, max(last) AS last
    FROM hourly WHERE key IS NOT NULL AND key <> ''
    GROUP BY key HAVING max(n) >= ${opts.threshold}
    ORDER BY max(n) DESC, sum(n) DESC, key
    LIMIT 50`.execute(db);
  return result.rows;
}

/**
 * Client addresses and email domains that brought a campaign at least `threshold` signatures in
 * some clock hour of the last `hours`: where to look first. Counts only signatures that still
 * count or may count. Addresses are dropped after the retention window, so they trend only within it.
 */
export async function trendingSources(db: Database, actor: Actor, campaignId: number, opts: { hours: number; threshold: number }) {
  requireAdmin(actor);
  const campaign = await db.selectFrom("campaigns").select(["id", "slug", "title", "status"]).where("id", "=", campaignId).executeTakeFirst();
  if (!campaign) throw new AppError("NOT_FOUND", "campaign not found");
  const [addresses, domains, fastForms] = await Promise.all([
    trending(db, campaignId, IP_KEY, opts),
    trending(db, campaignId, DOMAIN_KEY, opts),
    countFastForms(db, campaignId, opts.hours),
  ]);
  return { campaign, addresses, domains, fastForms };
}

/**
 * Signatures of the window whose form came back sooner than the minimum fill time: stored (a
 * person with autofill is that fast), but worth a look when many arrive at once.
 */
async function countFastForms(db: Database, campaignId: number, hours: number) {
  const row = await db
    .selectFrom("signatures")
    .select([sql<number>`count(*)::int`.as("total"), sql<number>`(count(*) FILTER (WHERE status = 'confirmed'))::int`.as("confirmed")])
    .where("campaign_id", "=", campaignId)
    .where("screen_flag", "=", "fast-form")
    .where("status", "in", COUNTED_SIGNATURE_STATUSES)
    .where("created_at", ">=", sql<Date>`now() - make_interval(hours => ${hours})`)
    .executeTakeFirstOrThrow();
  return row;
}

/** Campaigns that take or took signatures, with how many arrived in the last 24 hours. */
export async function listFraudCampaigns(db: Database, actor: Actor) {
  requireAdmin(actor);
  return db
    .selectFrom("campaigns as c")
    .select([
      "c.id",
      "c.slug",
      "c.title",
      "c.status",
      sql<number>`(SELECT count(*)::int FROM signatures s WHERE s.campaign_id = c.id AND s.created_at >= now() - interval '24 hours')`.as("lastDay"),
    ])
    .where("c.status", "in", PUBLIC_CAMPAIGN_STATUSES)
    .orderBy("c.published_at", "desc")
    .limit(200)
    .execute();
}
