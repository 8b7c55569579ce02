import { sql } from "kysely";
import type { Database, Executor } from "~/db/db.server";
import { ACTIVE_PARTNER_STATUSES } from "~/db/states";
import type { Actor } from "~/modules/access/actor.server";
import { requireCampaignOrganiser } from "~/modules/access/guards.server";
import { recordAudit } from "~/modules/audit/audit.server";
import { logoPath } from "~/modules/organisations/organisation-logo.server";
import { newReferralCode } from "~/modules/signatures/sign-campaign.server";
import { AppError } from "~/utils/errors.server";
import { read, type Read } from "~/db/one-trip.server";

/**
 * Partner organisations on a campaign. The host organisation's members invite and remove
 * partners; owners of the invited organisation accept or decline. Each side sees only partnerships
 * it is part of: anything else is NOT_FOUND, exactly like a partnership that does not exist.
 */

export async function listCampaignPartners(db: Executor, actor: Actor, campaignId: number) {
  const campaign = await requireCampaignOrganiser(db, actor, campaignId);
  const partners = await db
    .selectFrom("campaign_partners as p")
    .innerJoin("organisations as o", "o.id", "p.organisation_id")
    .select(["p.id", "p.status", "p.share_code", "p.created_at", "p.responded_at", "o.slug", "o.name"])
    .select(sql<number>`(SELECT count(*)::int FROM signatures s WHERE s.partner_id = p.id AND s.status = 'confirmed')`.as("confirmed"))
    .where("p.campaign_id", "=", campaignId)
    .orderBy("p.created_at")
    .execute();
  return { campaign, partners };
}

/** Invites an organisation by its slug; inviting one that declined or was removed invites it again. */
export async function invitePartner(db: Database, actor: Actor, campaignId: number, organisationSlug: string) {
  return db.transaction().execute(async (trx) => {
    const campaign = await requireCampaignOrganiser(trx, actor, campaignId);
    const org = await trx.selectFrom("organisations").select(["id", "name"]).where("slug", "=", organisationSlug).executeTakeFirst();
    if (!org) throw new AppError("NOT_FOUND", "no such organisation", { field: "organisation" });
    if (org.id === campaign.organisation_id) throw new AppError("PARTNER_IS_HOST", "the host cannot partner itself", { field: "organisation" });
    const row = await trx
      .insertInto("campaign_partners")
      .values({ campaign_id: campaignId, organisation_id: org.id, share_code: newReferralCode(), invited_by: actor.id })
      .onConflict((oc) =>
        oc
          .columns(["campaign_id", "organisation_id"])
          .doUpdateSet({ status: "invited", responded_at: null, invited_by: actor.id })
          .where("campaign_partners.status", "in", ["declined", "removed"]),
      )
      .returning("id")
      .executeTakeFirst();
    if (!row) throw new AppError("ALREADY_PARTNER", "already a partner or invited", { field: "organisation" });
    await recordAudit(trx, {
      actorUserId: actor.id,
      actorLabel: actor.email,
      action: "partner.invite",
      campaignId,
      organisationId: org.id,
    });
    return { partnerId: row.id };
  });
}

/** The host removes a partner: its share link stops attributing signatures from then on. */
export async function removePartner(db: Database, actor: Actor, campaignId: number, partnerId: number) {
  await db.transaction().execute(async (trx) => {
    await requireCampaignOrganiser(trx, actor, campaignId);
    const removed = await trx
      .updateTable("campaign_partners")
      .set({ status: "removed" })
      .where("id", "=", partnerId)
      .where("campaign_id", "=", campaignId)
      .where("status", "in", ACTIVE_PARTNER_STATUSES)
      .returning("organisation_id")
      .executeTakeFirst();
    if (!removed) throw new AppError("NOT_FOUND", "partner not found");
    await recordAudit(trx, { actorUserId: actor.id, actorLabel: actor.email, action: "partner.remove", campaignId, organisationId: removed.organisation_id });
  });
}

/**
 * Partnerships of the organisations the actor belongs to, for their dashboard: open invitations
 * (which owners answer) and accepted ones (with the share link).
 */
export async function listMyPartnerships(db: Executor, actor: Actor) {
  return db
    .selectFrom("campaign_partners as p")
    .innerJoin("memberships as m", (join) => join.onRef("m.organisation_id", "=", "p.organisation_id").on("m.user_id", "=", actor.id))
    .innerJoin("organisations as o", "o.id", "p.organisation_id")
    .innerJoin("campaigns as c", "c.id", "p.campaign_id")
    .leftJoin("organisations as host", "host.id", "c.organisation_id")
    .select(["p.id", "p.status", "p.share_code", "m.role", "o.name as partnerName", "c.slug as campaignSlug", "c.title as campaignTitle", "host.name as hostName"])
    .where("p.status", "in", ACTIVE_PARTNER_STATUSES)
    .orderBy("p.created_at", "desc")
    .execute();
}

/** Owners of the invited organisation accept or decline; nobody else can, whatever id they send. */
export async function answerPartnerInvitation(db: Database, actor: Actor, partnerId: number, decision: "accept" | "decline") {
  await db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom("campaign_partners as p")
      .innerJoin("memberships as m", (join) => join.onRef("m.organisation_id", "=", "p.organisation_id").on("m.user_id", "=", actor.id))
      .select(["p.id", "p.status", "p.campaign_id", "p.organisation_id", "m.role"])
      .where("p.id", "=", partnerId)
      .forUpdate("p")
      .executeTakeFirst();
    if (!row) throw new AppError("NOT_FOUND", "invitation not found");
    if (row.role !== "owner") throw new AppError("FORBIDDEN", "owners only");
    if (row.status !== "invited") throw new AppError("PARTNERSHIP_CLOSED", `partnership is ${row.status}`);
    await trx
      .updateTable("campaign_partners")
      .set({ status: decision === "accept" ? "accepted" : "declined", responded_at: sql`now()` })
      .where("id", "=", partnerId)
      .execute();
    await recordAudit(trx, {
      actorUserId: actor.id,
      actorLabel: actor.email,
      action: decision === "accept" ? "partner.accept" : "partner.decline",
      campaignId: row.campaign_id,
      organisationId: row.organisation_id,
    });
  });
}

export interface PublicPartner {
  name: string;
  logoUrl: string | null;
}

/** Accepted partners, for the public campaign page. */
export function publicPartnersRead(db: Executor, campaignId: number): Read<PublicPartner[]> {
  const query = db
    .selectFrom("campaign_partners as p")
    .innerJoin("organisations as o", "o.id", "p.organisation_id")
    .select(["o.id", "o.name", "o.logo_hash"])
    .where("p.campaign_id", "=", campaignId)
    .where("p.status", "=", "accepted")
    .orderBy("p.responded_at");
  return read(query, (rows) => rows.map((r) => ({ name: r.name, logoUrl: r.logo_hash ? logoPath(r.id, r.logo_hash) : null })));
}
