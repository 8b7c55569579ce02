import type { Database, Executor } from "~/db/db.server";
import { PUBLIC_CAMPAIGN_STATUSES } from "~/db/states";
import type { Actor } from "~/modules/access/actor.server";
import { requireAdmin } from "~/modules/access/guards.server";
import { AppError } from "~/utils/errors.server";
import { resolveExportAccess } from "./access.server";

/** What the exports page offers this actor for one campaign, and what was exported before. */
export async function getExportOverview(db: Database, actor: Actor, campaignId: number) {
  const access = await resolveExportAccess(db, actor, campaignId);
  const everything = access.role !== "partner";
  const [partners, targets, recent, bundles] = await Promise.all([
    access.partnerIds.length === 0
      ? Promise.resolve([])
      : db
          .selectFrom("campaign_partners as p")
          .innerJoin("organisations as o", "o.id", "p.organisation_id")
          .select(["p.id", "o.name"])
          .where("p.id", "in", access.partnerIds)
          .orderBy("o.name")
          .execute(),
    everything
      ? db.selectFrom("campaign_targets").select(["id", "name", "role"]).where("campaign_id", "=", campaignId).orderBy("position").execute()
      : Promise.resolve([]),
    db
      .selectFrom("exports")
      .select(["id", "kind", "status", "rows_done", "created_at", "expires_at", "requested_by_label"])
      .where("campaign_id", "=", campaignId)
      .$if(!everything, (q) => q.where("partner_id", "in", access.partnerIds))
      .orderBy("id", "desc")
      .limit(20)
      .execute(),
    listDeliveryBundles(db, campaignId),
  ]);
  return { ...access, everything, partners, targets, recent, bundles };
}

export async function listDeliveryBundles(db: Executor, campaignId: number) {
  return db
    .selectFrom("delivery_bundles")
    .select(["id", "target_name", "target_role", "row_count", "final_hash", "created_at"])
    .where("campaign_id", "=", campaignId)
    .orderBy("id", "desc")
    .execute();
}

/** Admins: every campaign, newest first, with its public count, for the exports console. */
export async function listCampaignsForExport(db: Database, actor: Actor) {
  requireAdmin(actor);
  return db
    .selectFrom("campaigns as c")
    .leftJoin("organisations as o", "o.id", "c.organisation_id")
    .leftJoin("campaign_counts as n", "n.campaign_id", "c.id")
    .select(["c.id", "c.slug", "c.title", "c.status", "o.name as organisation", "n.confirmed"])
    .orderBy("c.id", "desc")
    .limit(500)
    .execute();
}

/** The public record of a delivery: no names, only what lets anyone check a delivered list. */
export async function getPublicDeliveryBundle(db: Executor, campaignSlug: string, bundleId: number) {
  const bundle = await db
    .selectFrom("delivery_bundles as b")
    .innerJoin("campaigns as c", "c.id", "b.campaign_id")
    .select(["b.id", "b.target_name", "b.target_role", "b.row_count", "b.final_hash", "b.manifest", "b.created_at", "c.slug", "c.title"])
    .where("b.id", "=", bundleId)
    .where("c.slug", "=", campaignSlug)
    .where("c.status", "in", PUBLIC_CAMPAIGN_STATUSES)
    .executeTakeFirst();
  if (!bundle) throw new AppError("NOT_FOUND", "no such delivery");
  return bundle;
}
