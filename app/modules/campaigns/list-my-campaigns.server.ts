import { sql } from "kysely";
import type { Database } from "~/db/db.server";
import type { Actor } from "~/modules/access/actor.server";

/** Days in a dashboard row's trend, today included. */
export const TREND_DAYS = 7;

export interface MyCampaign {
  id: number;
  title: string;
  slug: string;
  status: string;
  organisationName: string;
  confirmed: number;
  pending: number;
  today: number;
  /** confirmations per UTC day, oldest first, the last being today */
  trend: number[];
}

/**
 * Every campaign the actor can act on (those of the organisations they belong to), with the
 * numbers an organiser looks at first. Access is the membership join itself: a campaign of an
 * organisation the actor is not in never appears.
 */
export async function listMyCampaigns(db: Database, actor: Actor): Promise<MyCampaign[]> {
  const rows = await db
    .selectFrom("campaigns as c")
    .innerJoin("memberships as m", (join) => join.onRef("m.organisation_id", "=", "c.organisation_id").on("m.user_id", "=", actor.id))
    .innerJoin("organisations as o", "o.id", "c.organisation_id")
    .leftJoin("campaign_counts as n", "n.campaign_id", "c.id")
    .select([
      "c.id",
      "c.title",
      "c.slug",
      "c.status",
      "o.name as organisationName",
      sql<number>`coalesce(n.confirmed, 0)::int`.as("confirmed"),
      sql<number>`(SELECT count(*)::int FROM signatures s WHERE s.campaign_id = c.id AND s.status = 'pending')`.as("pending"),
    ])
    .orderBy("c.created_at", "desc")
    .execute();
  if (rows.length === 0) return [];
  const trends = await dailyTrends(db, rows.map((r) => r.id));
  return rows.map((r) => {
    const trend = trends.get(r.id)!;
    return { ...r, confirmed: Number(r.confirmed), pending: Number(r.pending), today: trend[TREND_DAYS - 1]!, trend };
  });
}

export type CampaignNumbers = Pick<MyCampaign, "confirmed" | "pending" | "today" | "trend">;

/** One campaign's numbers, as its dashboard row shows them. The caller has checked access. */
export async function getCampaignNumbers(db: Database, campaignId: number): Promise<CampaignNumbers> {
  const [row, trends] = await Promise.all([
    db
      .selectFrom("campaigns as c")
      .leftJoin("campaign_counts as n", "n.campaign_id", "c.id")
      .select([
        sql<number>`coalesce(n.confirmed, 0)::int`.as("confirmed"),
        sql<number>`(SELECT count(*)::int FROM signatures s WHERE s.campaign_id = c.id AND s.status = 'pending')`.as("pending"),
      ])
      .where("c.id", "=", campaignId)
      .executeTakeFirst(),
    dailyTrends(db, [campaignId]),
  ]);
  const trend = trends.get(campaignId)!;
  return { confirmed: Number(row?.confirmed ?? 0), pending: Number(row?.pending ?? 0), today: trend[TREND_DAYS - 1]!, trend };
}

/** Confirmations per UTC day (like the ledger that fills campaign_daily_counts), oldest first, today last. */
async function dailyTrends(db: Database, campaignIds: number[]): Promise<Map<number, number[]>> {
  const days = await db
    .selectFrom("campaign_daily_counts")
    .select(["campaign_id", sql<number>`((now() AT TIME ZONE 'UTC')::date - day::date)::int`.as("ago"), "confirmed"])
    .where("campaign_id", "in", campaignIds)
    .where(sql<boolean>`day::date > (now() AT TIME ZONE 'UTC')::date - ${TREND_DAYS}::int`)
    .execute();
  const trends = new Map(campaignIds.map((id) => [id, Array<number>(TREND_DAYS).fill(0)]));
  for (const d of days) {
    const trend = trends.get(d.campaign_id);
    if (trend && d.ago >= 0 && d.ago < TREND_DAYS) trend[TREND_DAYS - 1 - d.ago] = Number(d.confirmed);
  }
  return trends;
}
