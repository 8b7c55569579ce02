import { sql } from "kysely";
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
    listExportHistory(db, campaignId, everything ? null : access.partnerIds),
    listDeliveryBundles(db, campaignId),
  ]);
  return { ...access, everything, partners, targets, recent, bundles };
}

export interface ExportHistoryEntry {
  /** the audit line, or for a file still being written the export's own id (negative, never clashes) */
  key: string;
  what: "counts" | "signatures" | "partner" | "delivery";
  /** the breakdown of a counts file ("country", "day", …) */
  by: string | null;
  who: string;
  at: Date;
  rows: number | null;
  state: "downloaded" | "queued" | "running" | "done" | "failed" | "expired";
  /** set while a worker-written file can still be fetched */
  exportId: number | null;
}

const EXPORT_ACTIONS = ["export.counts", "export.signatures", "export.partner", "export.delivery"] as const;

/**
 * Every export of a campaign, newest first. Files streamed at once (counts, small signature
 * lists) exist only as their audit line; files the worker writes have an `exports` row until they
 * are done, and an audit line once they are. Both are read, so a download at once shows up as
 * surely as a link. `partnerIds` narrows the list for a partner's members to their own lists.
 */
export async function listExportHistory(db: Executor, campaignId: number, partnerIds: number[] | null, limit = 20): Promise<ExportHistoryEntry[]> {
  if (partnerIds !== null && partnerIds.length === 0) return [];
  const [done, unfinished] = await Promise.all([
    db
      .selectFrom("audit_log as a")
      .leftJoin("exports as e", (join) => join.on(sql<boolean>`e.id = (a.details->>'exportId')::bigint`).onRef("e.campaign_id", "=", "a.campaign_id"))
      .select(["a.id", "a.action", "a.actor_label", "a.created_at", "a.row_count", sql<string | null>`a.details->>'by'`.as("by"), "e.id as export_id", "e.expires_at"])
      .where("a.campaign_id", "=", campaignId)
      .where("a.action", "in", EXPORT_ACTIONS)
      .$if(partnerIds !== null, (q) => q.where("a.action", "=", "export.partner").where(sql<number>`(a.details->>'partnerId')::bigint`, "in", partnerIds ?? []))
      .orderBy("a.id", "desc")
      .limit(limit)
      .execute(),
    db
      .selectFrom("exports")
      .select(["id", "kind", "status", "rows_done", "created_at", "requested_by_label"])
      .where("campaign_id", "=", campaignId)
      .where("status", "!=", "done")
      .$if(partnerIds !== null, (q) => q.where("partner_id", "in", partnerIds ?? []))
      .orderBy("id", "desc")
      .limit(limit)
      .execute(),
  ]);
  const now = Date.now();
  const entries: ExportHistoryEntry[] = [
    ...done.map((a) => {
      const linked = a.export_id !== null && a.expires_at !== null;
      const valid = linked && a.expires_at!.getTime() > now;
      return {
        key: `a${a.id}`,
        what: a.action.slice("export.".length) as ExportHistoryEntry["what"],
        by: a.by,
        who: a.actor_label,
        at: a.created_at,
        rows: a.row_count,
        state: linked ? (valid ? "done" : "expired") : "downloaded",
        exportId: valid ? a.export_id : null,
      } satisfies ExportHistoryEntry;
    }),
    ...unfinished.map(
      (e): ExportHistoryEntry => ({ key: `e${e.id}`, what: e.kind, by: null, who: e.requested_by_label, at: e.created_at, rows: e.rows_done, state: e.status as ExportHistoryEntry["state"], exportId: null }),
    ),
  ];
  return entries.sort((x, y) => y.at.getTime() - x.at.getTime()).slice(0, limit);
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
