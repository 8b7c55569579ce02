import type { Executor } from "~/db/db.server";
import type { MemberRole } from "~/db/schema";
import { AppError } from "~/utils/errors.server";
import type { Actor } from "./actor.server";

/*
 * The authorization checks every use case starts with. They live here, apart from any one area,
 * so that each check is written once; the use cases (not the routes) call them, so a route that
 * forgets a check still cannot reach the data. To anyone without access, an organisation or a
 * campaign they may not see looks exactly like one that does not exist (NOT_FOUND).
 */

/**
 * Admin-only use cases start here (the /admin layout's check alone would not do: Remix runs a
 * child route's loader and action without waiting for the layout's).
 */
export function requireAdmin(actor: Actor): void {
  if (actor.role !== "admin") throw new AppError("FORBIDDEN", "admins only");
}

/**
 * The actor's membership in an organisation, or NOT_FOUND. With `owner`, a member who is only an
 * organiser gets FORBIDDEN: they know the organisation exists, but may not do this.
 */
export async function requireOrganisationMember(db: Executor, actor: Actor, organisationSlug: string, need: "member" | "owner" = "member") {
  const row = await db
    .selectFrom("organisations as o")
    .leftJoin("memberships as m", (join) => join.onRef("m.organisation_id", "=", "o.id").on("m.user_id", "=", actor.id))
    .select(["o.id", "o.slug", "o.name", "m.role"])
    .where("o.slug", "=", organisationSlug)
    .executeTakeFirst();
  if (!row || !row.role) throw new AppError("NOT_FOUND", "organisation not found");
  if (need === "owner" && row.role !== "owner") throw new AppError("FORBIDDEN", "owners only");
  return { id: row.id, slug: row.slug, name: row.name, role: row.role as MemberRole };
}

/** Whether the actor is a member (owner or organiser) of the organisation with this id. */
export async function isOrganisationMember(db: Executor, actor: Actor, organisationId: number): Promise<boolean> {
  const membership = await db
    .selectFrom("memberships")
    .select("user_id")
    .where("organisation_id", "=", organisationId)
    .where("user_id", "=", actor.id)
    .executeTakeFirst();
  return membership !== undefined;
}

/**
 * The campaign, if the actor organises it (is a member of the organisation that owns it) or, with
 * `allowAdmin`, is an admin; NOT_FOUND otherwise.
 */
export async function requireCampaignOrganiser(db: Executor, actor: Actor, campaignId: number, opts: { allowAdmin?: boolean } = {}) {
  const campaign = await db.selectFrom("campaigns").selectAll().where("id", "=", campaignId).executeTakeFirst();
  if (!campaign) throw new AppError("NOT_FOUND", "campaign not found");
  if (opts.allowAdmin && actor.role === "admin") return campaign;
  if (campaign.organisation_id === null || !(await isOrganisationMember(db, actor, campaign.organisation_id))) {
    throw new AppError("NOT_FOUND", "campaign not found");
  }
  return campaign;
}
