import { sql } from "kysely";
import type { Database, Executor } from "~/db/db.server";
import type { Actor } from "~/modules/access/actor.server";
import { requireCampaignOrganiser } from "~/modules/access/guards.server";
import { AppError } from "~/utils/errors.server";
import type { TargetResponseInput } from "./target-responses.schema";
import { read, runRead, type Read } from "~/db/one-trip.server";

/**
 * Decision-makers' responses: organisers of the campaign's organisation record what each target
 * answered (one response per target; recording again replaces it); the public page shows who has
 * responded and who has not yet.
 */

export interface TargetWithResponse {
  id: number;
  name: string;
  role: string;
  country: string | null;
  response: { respondedOn: string; summary: string; link: string | null } | null;
}

async function targetsWithResponses(db: Executor, campaignId: number): Promise<TargetWithResponse[]> {
  return runRead(db, publicTargetResponsesRead(db, campaignId));
}

/** For the public page (the campaign must already be public there), as a Read for readInOneTrip. */
export function publicTargetResponsesRead(db: Executor, campaignId: number): Read<TargetWithResponse[]> {
  const query = db
    .selectFrom("campaign_targets as t")
    .leftJoin("campaign_target_responses as r", "r.target_id", "t.id")
    .select(["t.id", "t.name", "t.role", "t.country", "r.responded_on", "r.summary", "r.link"])
    .where("t.campaign_id", "=", campaignId)
    .orderBy("t.position");
  return read(query, (rows) =>
    rows.map((r) => ({
      id: r.id,
      name: r.name,
      role: r.role,
      country: r.country,
      response: r.responded_on && r.summary ? { respondedOn: r.responded_on, summary: r.summary, link: r.link } : null,
    })),
  );
}

export async function listTargetResponses(db: Executor, actor: Actor, campaignId: number) {
  const campaign = await requireCampaignOrganiser(db, actor, campaignId);
  return { campaign, targets: await targetsWithResponses(db, campaignId) };
}

export async function recordTargetResponse(db: Database, actor: Actor, campaignId: number, input: TargetResponseInput) {
  await db.transaction().execute(async (trx) => {
    await requireCampaignOrganiser(trx, actor, campaignId);
    // The target must belong to this campaign: an id from another campaign is "not found".
    const target = await trx
      .selectFrom("campaign_targets")
      .select("id")
      .where("id", "=", input.targetId)
      .where("campaign_id", "=", campaignId)
      .executeTakeFirst();
    if (!target) throw new AppError("NOT_FOUND", "target not found", { field: "targetId" });
    const values = { responded_on: input.respondedOn, summary: input.summary, link: input.link, recorded_by: actor.id };
    await trx
      .insertInto("campaign_target_responses")
      .values({ target_id: target.id, campaign_id: campaignId, ...values })
      .onConflict((oc) => oc.column("target_id").doUpdateSet({ ...values, updated_at: sql`now()` }))
      .execute();
  });
}
