import { sql } from "kysely";
import type { Database, Executor } from "~/db/db.server";
import type { Actor } from "~/modules/access/actor.server";
import { requireCampaignOrganiser } from "~/modules/access/guards.server";
import { recordAudit } from "~/modules/audit/audit.server";
import { firstNameOf } from "~/modules/campaigns/campaigns.queries.server";
import { AppError } from "~/utils/errors.server";
import { read } from "~/db/one-trip.server";

/**
 * Supporters' reasons for signing, as the campaign page shows them: the comments of confirmed
 * signers who chose to show their name. The campaign's organisers (members of its organisation)
 * can hide one from the page and show it again; the comment itself is kept (exports, erasure).
 */

/** Every comment the campaign page shows or could show, newest first, for its organisers. */
export async function listSignerComments(db: Executor, actor: Actor, campaignId: number, limit = 200) {
  const campaign = await requireCampaignOrganiser(db, actor, campaignId);
  const rows = await publicComments(db, campaignId).select(["id", "comment_hidden_at"]).limit(limit).execute();
  return {
    campaign: { id: campaign.id, title: campaign.title, slug: campaign.slug },
    comments: rows.map((r) => ({ id: r.id, firstName: firstNameOf(r.name ?? ""), country: r.country, comment: r.comment ?? "", hidden: r.comment_hidden_at !== null })),
  };
}

/** Hides a supporter's comment from the campaign page, or shows it again. */
export async function setSignerCommentHidden(db: Database, actor: Actor, campaignId: number, signatureId: number, hidden: boolean) {
  await requireCampaignOrganiser(db, actor, campaignId);
  await db.transaction().execute(async (trx) => {
    const changed = await trx
      .updateTable("signatures")
      .set(hidden ? { comment_hidden_at: sql`now()`, comment_hidden_by: actor.id } : { comment_hidden_at: null, comment_hidden_by: null })
      .where("id", "=", signatureId)
      // Only a signature of this very campaign: an id from another campaign finds nothing.
      .where("campaign_id", "=", campaignId)
      .where("comment", "is not", null)
      .returning("id")
      .executeTakeFirst();
    if (!changed) throw new AppError("NOT_FOUND", "no such comment");
    await recordAudit(trx, {
      actorUserId: actor.id,
      actorLabel: actor.email,
      action: hidden ? "comments.hide" : "comments.show",
      campaignId,
      subject: `signature ${signatureId}`,
    });
  });
}

/** What the public page may show: confirmed, named in public, with a comment. */
function publicComments(db: Executor, campaignId: number) {
  return db
    .selectFrom("signatures")
    .select(["name", "country", "comment", "confirmed_at"])
    .where("campaign_id", "=", campaignId)
    .where("status", "=", "confirmed")
    .where("public_name", "=", true)
    .where("name", "is not", null)
    .where("comment", "is not", null)
    .where(sql<boolean>`btrim(comment) <> ''`)
    .orderBy("confirmed_at", "desc")
    .orderBy("id", "desc");
}

/** The supporters' reasons the campaign page shows: not hidden, newest first. */
export function publicSignerReasonsRead(db: Executor, campaignId: number, limit = 6) {
  const query = publicComments(db, campaignId).where("comment_hidden_at", "is", null).limit(limit);
  return read(query, (rows) => rows.map((r) => ({ firstName: firstNameOf(r.name ?? ""), country: r.country, comment: r.comment ?? "" })));
}
