import type { Executor } from "~/db/db.server";
import type { Actor } from "~/modules/access/actor.server";
import { isOrganisationMember } from "~/modules/access/guards.server";
import { AppError } from "~/utils/errors.server";

/**
 * Who may export what. Signers' data leaves Banner only here, so every export use case starts
 * with this check:
 * - admins export any campaign;
 * - members of the campaign's organisation (its hosts) export everything about their campaign;
 * - members of an accepted partner organisation export only their own partner list (the signers
 *   that partner brought who agreed to hear from it), nothing else.
 * Anyone else is told the campaign does not exist (NOT_FOUND), as elsewhere in Banner.
 */

export type ExportRole = "admin" | "host" | "partner";

export interface ExportAccess {
  campaign: { id: number; slug: string; title: string; status: string; organisationId: number | null };
  role: ExportRole;
  /** the accepted partnerships whose lists this actor may export */
  partnerIds: number[];
}

export async function resolveExportAccess(db: Executor, actor: Actor, campaignId: number): Promise<ExportAccess> {
  const campaign = await db
    .selectFrom("campaigns")
    .select(["id", "slug", "title", "status", "organisation_id as organisationId"])
    .where("id", "=", campaignId)
    .executeTakeFirst();
  if (!campaign) throw new AppError("NOT_FOUND", "campaign not found");
  const partners = await db
    .selectFrom("campaign_partners as p")
    .leftJoin("memberships as m", (join) => join.onRef("m.organisation_id", "=", "p.organisation_id").on("m.user_id", "=", actor.id))
    .select(["p.id", "m.user_id as memberUserId"])
    .where("p.campaign_id", "=", campaignId)
    .where("p.status", "=", "accepted")
    .orderBy("p.id")
    .execute();
  const allPartnerIds = partners.map((p) => p.id);
  if (actor.role === "admin") return { campaign, role: "admin", partnerIds: allPartnerIds };
  if (campaign.organisationId !== null && (await isOrganisationMember(db, actor, campaign.organisationId))) {
    return { campaign, role: "host", partnerIds: allPartnerIds };
  }
  const own = partners.filter((p) => p.memberUserId !== null).map((p) => p.id);
  if (own.length > 0) return { campaign, role: "partner", partnerIds: own };
  throw new AppError("NOT_FOUND", "campaign not found");
}

/** What an export covers: every confirmed signer, one partner's opted-in signers, or a delivery. */
export type ExportScope = { kind: "signatures" } | { kind: "partner"; partnerId: number } | { kind: "delivery"; targetId: number };

/** The access if this actor may export this scope of this campaign; NOT_FOUND otherwise. */
export async function authorizeExport(db: Executor, actor: Actor, campaignId: number, scope: ExportScope | "counts"): Promise<ExportAccess> {
  const access = await resolveExportAccess(db, actor, campaignId);
  const allowed =
    typeof scope === "object" && scope.kind === "partner" ? access.partnerIds.includes(scope.partnerId) : access.role !== "partner";
  if (!allowed) throw new AppError("NOT_FOUND", "nothing to export here");
  return access;
}
