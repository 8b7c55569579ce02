import { sql } from "kysely";
import type { Database } from "~/db/db.server";
import type { Actor } from "~/modules/access/actor.server";
import { requireCampaignOrganiser } from "~/modules/access/guards.server";
import { getCampaignCounts } from "~/modules/counts/counts.server";
import { dailySeries, type DayCount } from "./daily-series";
import { RECRUITER_BUCKETS, recruiterBucket, type RecruiterBucket } from "./recruiters";


export interface CampaignStats {
  campaign: { id: number; slug: string; title: string; status: string };
  /** the confirmed total, per country and per day: the same aggregates the public API reads */
  confirmed: number;
  pending: number;
  byCountry: { country: string; confirmed: number }[];
  series: DayCount[];
  daysWithConfirmations: DayCount[];
  /** confirmed signatures by the partner whose link brought them (null: the host's own page) */
  byPartner: { name: string | null; confirmed: number }[];
  /** confirmed signatures that came through a signer's share link, by where it was posted */
  byChannel: { channel: string | null; confirmed: number }[];
  recruiters: { count: number; buckets: Record<RecruiterBucket, number> };
}

/**
 * A campaign's numbers for its organisers: members of the owning organisation, or admins; to
 * anyone else the campaign does not exist. Totals come from the count aggregates, so they equal
 * `/api/v1/campaigns/:slug` exactly; the breakdowns by partner and share link are counted from the
 * confirmed signatures themselves.
 */
export async function getCampaignStats(db: Database, actor: Actor, campaignId: number, today = new Date()): Promise<CampaignStats> {
  const campaign = await requireCampaignOrganiser(db, actor, campaignId, { allowAdmin: true });
  const confirmedSignatures = () => db.selectFrom("signatures as s").where("s.campaign_id", "=", campaignId).where("s.status", "=", "confirmed");
  const [counts, pending, days, partners, channels, recruiters] = await Promise.all([
    getCampaignCounts(db, campaignId),
    db
      .selectFrom("signatures")
      .select(sql<number>`count(*)::int`.as("n"))
      .where("campaign_id", "=", campaignId)
      .where("status", "=", "pending")
      .executeTakeFirstOrThrow(),
    db
      .selectFrom("campaign_daily_counts")
      .select(["day", "confirmed"])
      .where("campaign_id", "=", campaignId)
      .where("confirmed", ">", 0)
      .orderBy("day")
      .execute(),
    confirmedSignatures()
      .leftJoin("campaign_partners as p", "p.id", "s.partner_id")
      .leftJoin("organisations as o", "o.id", "p.organisation_id")
      .select(["o.name", sql<number>`count(*)::int`.as("confirmed")])
      .groupBy("o.name")
      .orderBy("confirmed", "desc")
      .orderBy("o.name")
      .execute(),
    confirmedSignatures()
      .select(["s.referral_channel as channel", sql<number>`count(*)::int`.as("confirmed")])
      .where("s.referred_by", "is not", null)
      .groupBy("s.referral_channel")
      .orderBy("confirmed", "desc")
      .orderBy("s.referral_channel")
      .execute(),
    confirmedSignatures()
      .select(sql<number>`count(*)::int`.as("recruited"))
      .where("s.referred_by", "is not", null)
      .groupBy("s.referred_by")
      .execute(),
  ]);
  const buckets = Object.fromEntries(RECRUITER_BUCKETS.map((b) => [b, 0])) as Record<RecruiterBucket, number>;
  for (const r of recruiters) buckets[recruiterBucket(r.recruited)]++;
  const lastDay = days.at(-1)?.day;
  const end = campaign.status === "published" || !lastDay ? today.toISOString().slice(0, 10) : lastDay;
  return {
    campaign: { id: campaign.id, slug: campaign.slug, title: campaign.title, status: campaign.status },
    confirmed: counts.total,
    pending: pending.n,
    byCountry: Object.entries(counts.byCountry).map(([country, confirmed]) => ({ country, confirmed })),
    series: days.length ? dailySeries(days, end) : [],
    daysWithConfirmations: days,
    byPartner: partners.map((p) => ({ name: p.name, confirmed: p.confirmed })),
    byChannel: channels,
    recruiters: { count: recruiters.length, buckets },
  };
}
