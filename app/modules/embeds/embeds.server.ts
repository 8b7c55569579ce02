import type { Database, Executor } from "~/db/db.server";
import type { Actor } from "~/modules/access/actor.server";
import { requireCampaignOrganiser } from "~/modules/access/guards.server";
import { recordAudit } from "~/modules/audit/audit.server";
import { findPublicCampaignInLocale } from "~/modules/campaigns/campaigns.queries.server";
import { AppError } from "~/utils/errors.server";
import { embedContentSecurityPolicy } from "./embed-policy.server";
import { MAX_EMBED_ORIGINS } from "./embeds.schema";

/**
 * Which sites may frame a campaign's widget. Members of the campaign's organisation read and
 * change the list (like its updates); the widget's page reads it for its frame-ancestors policy.
 */

/** The allowed origins of a campaign, for its Content-Security-Policy. */
export async function embedOriginsOf(db: Executor, campaignId: number): Promise<string[]> {
  const rows = await db.selectFrom("campaign_embed_origins").select("origin").where("campaign_id", "=", campaignId).orderBy("origin").execute();
  return rows.map((r) => r.origin);
}

/** A public campaign for the widget, with the Content-Security-Policy naming the sites that may frame it. */
export async function findEmbeddableCampaign(db: Executor, slug: string, locale: string) {
  const found = await findPublicCampaignInLocale(db, slug, locale);
  if (!found) return undefined;
  const origins = await embedOriginsOf(db, found.campaign.id);
  return { ...found, contentSecurityPolicy: embedContentSecurityPolicy(origins) };
}

/** What the organisers' embed page shows: the allowed origins and the accepted partners' share codes. */
export async function getEmbedSettings(db: Database, actor: Actor, campaignId: number) {
  const campaign = await requireCampaignOrganiser(db, actor, campaignId);
  const [origins, partners] = await Promise.all([
    embedOriginsOf(db, campaign.id),
    db
      .selectFrom("campaign_partners as p")
      .innerJoin("organisations as o", "o.id", "p.organisation_id")
      .select(["o.name", "p.share_code as shareCode"])
      .where("p.campaign_id", "=", campaign.id)
      .where("p.status", "=", "accepted")
      .orderBy("o.name")
      .execute(),
  ]);
  return { campaign, origins, partners };
}

/** Allows one more origin. Allowing one that is already listed changes nothing. */
export async function allowEmbedOrigin(db: Database, actor: Actor, campaignId: number, origin: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const campaign = await requireCampaignOrganiser(trx, actor, campaignId);
    // Serialises concurrent additions for this campaign, so the limit holds.
    await trx.selectFrom("campaigns").select("id").where("id", "=", campaign.id).forUpdate().execute();
    const current = await embedOriginsOf(trx, campaign.id);
    if (current.includes(origin)) return;
    if (current.length >= MAX_EMBED_ORIGINS) throw new AppError("TOO_MANY_EMBED_ORIGINS", "too many embed origins", { field: "origin" });
    await trx.insertInto("campaign_embed_origins").values({ campaign_id: campaign.id, origin, added_by: actor.id }).execute();
    await recordAudit(trx, {
      actorUserId: actor.id,
      actorLabel: actor.email,
      action: "embed.origin.allow",
      campaignId: campaign.id,
      organisationId: campaign.organisation_id,
      subject: origin,
    });
  });
}

export async function removeEmbedOrigin(db: Database, actor: Actor, campaignId: number, origin: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const campaign = await requireCampaignOrganiser(trx, actor, campaignId);
    const removed = await trx
      .deleteFrom("campaign_embed_origins")
      .where("campaign_id", "=", campaign.id)
      .where("origin", "=", origin)
      .executeTakeFirst();
    if (Number(removed.numDeletedRows) === 0) return;
    await recordAudit(trx, {
      actorUserId: actor.id,
      actorLabel: actor.email,
      action: "embed.origin.remove",
      campaignId: campaign.id,
      organisationId: campaign.organisation_id,
      subject: origin,
    });
  });
}
