import { sql } from "kysely";
import type { Executor } from "~/db/db.server";
import type { CampaignStatus } from "~/db/schema";

export interface CampaignSummary {
  id: number;
  slug: string;
  title: string;
  summary: string;
  goal: number;
  status: CampaignStatus;
  signatureCount: number;
  updatedAt: Date;
}

const PUBLIC_STATUSES: CampaignStatus[] = ["published", "closed"];

/** Campaigns the public may see, open ones first, each with its confirmed count. */
export async function listPublicCampaigns(db: Executor, opts: { openOnly?: boolean } = {}): Promise<CampaignSummary[]> {
  const rows = await db
    .selectFrom("campaigns as c")
    .leftJoin("campaign_counts as n", "n.campaign_id", "c.id")
    .select([
      "c.id",
      "c.slug",
      "c.title",
      "c.summary",
      "c.goal",
      "c.status",
      sql<number>`coalesce(n.confirmed, 0)`.as("signatureCount"),
      sql<Date>`greatest(c.updated_at, n.updated_at)`.as("updatedAt"),
    ])
    .where("c.status", "in", opts.openOnly ? ["published"] : PUBLIC_STATUSES)
    .orderBy(sql`c.status = 'published'`, "desc")
    .orderBy("c.published_at", "desc")
    .orderBy("c.id", "desc")
    .limit(200)
    .execute();
  return rows;
}

export async function findPublicCampaignBySlug(db: Executor, slug: string) {
  return db
    .selectFrom("campaigns")
    .selectAll()
    .where("slug", "=", slug)
    .where("status", "in", PUBLIC_STATUSES)
    .executeTakeFirst();
}

export interface RecentSigner {
  firstName: string;
  country: string;
  confirmedAt: Date;
}

/** Confirmed supporters who chose to show their name: first name and country only. */
export async function recentPublicSigners(db: Executor, campaignId: number, limit = 10): Promise<RecentSigner[]> {
  const rows = await db
    .selectFrom("signatures")
    .select(["name", "country", "confirmed_at"])
    .where("campaign_id", "=", campaignId)
    .where("status", "=", "confirmed")
    .where("public_name", "=", true)
    .where("name", "is not", null)
    .orderBy("confirmed_at", "desc")
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    firstName: firstNameOf(r.name ?? ""),
    country: r.country,
    confirmedAt: r.confirmed_at as Date,
  }));
}

export function firstNameOf(name: string): string {
  return name.trim().split(/\s+/u)[0] ?? "";
}
