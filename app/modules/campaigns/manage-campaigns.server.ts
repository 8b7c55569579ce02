import { sql } from "kysely";
import type { Database, Executor } from "~/db/db.server";
import type { CampaignStatus } from "~/db/schema";
import { EDITABLE_CAMPAIGN_STATUSES, isIn } from "~/db/states";
import type { Actor } from "~/modules/access/actor.server";
import { requireAdmin, requireCampaignOrganiser, requireOrganisationMember } from "~/modules/access/guards.server";
import { AppError } from "~/utils/errors.server";
import { sameAsk, writeAskVersion, writeTargets } from "./ask-versions.server";
import type { CampaignInput } from "./lifecycle.schema";

/**
 * The organisers' side of a campaign. Every function checks the actor itself: members of the
 * owning organisation manage it; admins review it; everyone else is told it does not exist.
 */

async function loadCampaign(db: Executor, campaignId: number) {
  return db.selectFrom("campaigns").selectAll().where("id", "=", campaignId).executeTakeFirst();
}

export async function createCampaign(db: Database, actor: Actor, organisationSlug: string, input: CampaignInput) {
  return db.transaction().execute(async (trx) => {
    const org = await requireOrganisationMember(trx, actor, organisationSlug);
    const created = await trx
      .insertInto("campaigns")
      .values({
        slug: input.slug,
        title: input.title,
        summary: input.summary,
        ask: input.ask,
        addressed_to: input.addressedTo,
        argument_md: input.argumentMd,
        goal: input.goal,
        deadline_at: input.deadline,
        status: "draft",
        locale: "en",
        organisation_id: org.id,
        created_by: actor.id,
      })
      .onConflict((oc) => oc.column("slug").doNothing())
      .returning("id")
      .executeTakeFirst();
    if (!created) throw new AppError("SLUG_TAKEN", "slug taken", { field: "slug" });
    await writeTargets(trx, created.id, input.targets);
    await writeAskVersion(trx, created.id, 1, input);
    return { id: created.id };
  });
}

/** A campaign's texts (and translations) may change while it is a draft or published. */

/**
 * Edits a campaign. Before anyone signs, everything changes in place. Once people have signed,
 * the address they signed at is locked, and a change of the ask, its addressees or the
 * decision-makers becomes a new ask version: signatures keep the version they were given to, new
 * ones record the new version. The argument, summary, goal and deadline change freely.
 */
export async function updateCampaign(db: Database, actor: Actor, campaignId: number, input: CampaignInput): Promise<{ askVersion: number }> {
  return db.transaction().execute(async (trx) => {
    await requireCampaignOrganiser(trx, actor, campaignId);
    // The row lock makes a concurrent signature wait (it key-share locks the campaign to read the
    // version), so no signature lands between "has anyone signed?" and the version change, and
    // none commits with a version that is no longer current.
    const campaign = await trx.selectFrom("campaigns").selectAll().where("id", "=", campaignId).forUpdate().executeTakeFirstOrThrow();
    if (!isIn(EDITABLE_CAMPAIGN_STATUSES, campaign.status)) throw new AppError("CAMPAIGN_NOT_EDITABLE", `a ${campaign.status} campaign cannot be edited`);
    const signed = await trx.selectFrom("signatures").select("id").where("campaign_id", "=", campaignId).limit(1).executeTakeFirst();
    if (signed && input.slug !== campaign.slug) throw new AppError("SLUG_LOCKED", "slug locked", { field: "slug" });
    const taken = await trx.selectFrom("campaigns").select("id").where("slug", "=", input.slug).where("id", "!=", campaignId).executeTakeFirst();
    if (taken) throw new AppError("SLUG_TAKEN", "slug taken", { field: "slug" });

    const targets = await trx.selectFrom("campaign_targets").select(["name", "role", "country"]).where("campaign_id", "=", campaignId).orderBy("position").execute();
    const askChanged = !sameAsk({ ask: campaign.ask, addressedTo: campaign.addressed_to, targets }, input);
    const askVersion = askChanged && signed ? campaign.ask_version + 1 : campaign.ask_version;
    await trx
      .updateTable("campaigns")
      .set({
        slug: input.slug,
        title: input.title,
        summary: input.summary,
        ask: input.ask,
        addressed_to: input.addressedTo,
        argument_md: input.argumentMd,
        goal: input.goal,
        deadline_at: input.deadline,
        ask_version: askVersion,
        updated_at: sql`now()`,
      })
      .where("id", "=", campaignId)
      .execute();
    if (askChanged) {
      await writeTargets(trx, campaignId, input.targets);
      await writeAskVersion(trx, campaignId, askVersion, input);
    }
    return { askVersion };
  });
}

/** Moves a campaign from one state to another, or reports that it is not in the state expected. */
async function transition(trx: Executor, campaignId: number, from: CampaignStatus, set: Record<string, unknown>) {
  const moved = await trx
    .updateTable("campaigns")
    .set({ ...set, updated_at: sql`now()` })
    .where("id", "=", campaignId)
    .where("status", "=", from)
    .returning("id")
    .executeTakeFirst();
  if (!moved) throw new AppError("CAMPAIGN_WRONG_STATE", `campaign is not ${from}`);
}

export async function submitForReview(db: Database, actor: Actor, campaignId: number) {
  await db.transaction().execute(async (trx) => {
    await requireCampaignOrganiser(trx, actor, campaignId);
    await transition(trx, campaignId, "draft", { status: "in_review", submitted_at: sql`now()` });
  });
}

/** Admins publish a campaign in review, or send it back to draft with a reason the organisers see. */
export async function reviewCampaign(db: Database, actor: Actor, campaignId: number, decision: { decision: "publish" | "reject"; note: string | null }) {
  requireAdmin(actor);
  await db.transaction().execute(async (trx) => {
    if (!(await loadCampaign(trx, campaignId))) throw new AppError("NOT_FOUND", "campaign not found");
    if (decision.decision === "publish") {
      await transition(trx, campaignId, "in_review", {
        status: "published",
        published_at: sql`coalesce(published_at, now())`,
        reviewed_at: sql`now()`,
        reviewed_by: actor.id,
        review_note: decision.note,
      });
      await trx.insertInto("campaign_counts").values({ campaign_id: campaignId, confirmed: 0, updated_at: sql`now()` }).onConflict((oc) => oc.column("campaign_id").doNothing()).execute();
    } else {
      if (!decision.note) throw new AppError("REJECTION_WITHOUT_REASON", "a rejection needs a reason", { field: "note" });
      await transition(trx, campaignId, "in_review", { status: "draft", reviewed_at: sql`now()`, reviewed_by: actor.id, review_note: decision.note });
    }
  });
}

/** Organisers close their published campaign by hand; admins may close any. The count is final. */
export async function closeCampaign(db: Database, actor: Actor, campaignId: number) {
  await db.transaction().execute(async (trx) => {
    await requireCampaignOrganiser(trx, actor, campaignId, { allowAdmin: true });
    await transition(trx, campaignId, "published", { status: "closed", closed_at: sql`now()` });
  });
}

/** Closes published campaigns whose deadline has passed; run by the worker every minute. */
export async function closeExpiredCampaigns(db: Database): Promise<number> {
  const closed = await db
    .updateTable("campaigns")
    .set({ status: "closed", closed_at: sql`now()`, updated_at: sql`now()` })
    .where("status", "=", "published")
    .where("deadline_at", "<", sql<Date>`now()`)
    .returning("id")
    .execute();
  return closed.length;
}

export async function listOrganisationCampaigns(db: Database, actor: Actor, organisationSlug: string) {
  const org = await requireOrganisationMember(db, actor, organisationSlug);
  return db
    .selectFrom("campaigns as c")
    .leftJoin("campaign_counts as n", "n.campaign_id", "c.id")
    .select([
      "c.id",
      "c.slug",
      "c.title",
      "c.status",
      "c.goal",
      "c.review_note",
      sql<number>`coalesce(n.confirmed, 0)`.as("confirmed"),
      sql<number>`(SELECT count(*)::int FROM signatures s WHERE s.campaign_id = c.id AND s.status = 'pending')`.as("pending"),
    ])
    .where("c.organisation_id", "=", org.id)
    .orderBy("c.created_at", "desc")
    .execute();
}

export async function getCampaignForEditing(db: Database, actor: Actor, campaignId: number) {
  const campaign = await requireCampaignOrganiser(db, actor, campaignId, { allowAdmin: true });
  const [targets, organisation, signed] = await Promise.all([
    db.selectFrom("campaign_targets").select(["name", "role", "country"]).where("campaign_id", "=", campaignId).orderBy("position").execute(),
    campaign.organisation_id === null
      ? Promise.resolve(undefined)
      : db.selectFrom("organisations").select(["slug", "name"]).where("id", "=", campaign.organisation_id).executeTakeFirst(),
    db.selectFrom("signatures").select("id").where("campaign_id", "=", campaignId).limit(1).executeTakeFirst(),
  ]);
  return { campaign, targets, organisation, signed: Boolean(signed) };
}

export async function listReviewQueue(db: Database, actor: Actor) {
  requireAdmin(actor);
  return db
    .selectFrom("campaigns as c")
    .leftJoin("organisations as o", "o.id", "c.organisation_id")
    .select(["c.id", "c.slug", "c.title", "c.summary", "c.ask", "c.submitted_at", "o.name as organisation"])
    .where("c.status", "=", "in_review")
    .orderBy("c.submitted_at")
    .execute();
}
