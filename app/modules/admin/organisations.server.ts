import { sql } from "kysely";
import type { Executor } from "~/db/db.server";
import type { CampaignStatus } from "~/db/schema";
import type { Actor } from "~/modules/access/actor.server";
import { requireAdmin } from "~/modules/access/guards.server";

/** Every organisation with its member count and its campaigns (newest first). */
export async function listOrganisationsForAdmin(db: Executor, actor: Actor) {
  requireAdmin(actor);
  return db
    .selectFrom("organisations as o")
    .select([
      "o.id",
      "o.slug",
      "o.name",
      "o.created_at",
      sql<number>`(SELECT count(*)::int FROM memberships m WHERE m.organisation_id = o.id)`.as("members"),
      sql<{ id: number; slug: string; title: string; status: CampaignStatus }[]>`
        coalesce((SELECT json_agg(json_build_object('id', c.id, 'slug', c.slug, 'title', c.title, 'status', c.status) ORDER BY c.id DESC)
                  FROM campaigns c WHERE c.organisation_id = o.id), '[]')`.as("campaigns"),
    ])
    .orderBy("o.name")
    .execute();
}
