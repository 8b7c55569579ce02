import { sql } from "kysely";
import type { Database, Executor } from "~/db/db.server";
import { enqueue } from "~/jobs/outbox.server";
import { authorizeCampaign } from "~/modules/campaigns/manage-campaigns.server";
import type { Actor } from "~/modules/organisations/organisations.server";
import { AppError } from "~/utils/errors.server";
import { hashToken, isWellFormedToken, tokenMatchesHash } from "~/utils/tokens.server";
import type { ComposeUpdateInput } from "./updates.schema";

/** An update's fields; it is published on the campaign page unless `publishOnPage` is false. */
type UpdateInput = Omit<ComposeUpdateInput, "publishOnPage"> & { publishOnPage?: boolean };

/**
 * Updates from organisers to the signers of a campaign. Each (update, signature) has one
 * delivery row; it is claimed before sending and never sent again once claimed, so retried
 * jobs and killed workers never send an update twice to anyone.
 */

/** The update, if the actor may manage its campaign (members of the campaign's organisation). */
async function authorizeUpdate(db: Executor, actor: Actor, updateId: number) {
  const update = await db.selectFrom("updates").selectAll().where("id", "=", updateId).executeTakeFirst();
  if (!update) throw new AppError("NOT_FOUND", "update not found");
  const campaign = await authorizeCampaign(db, actor, update.campaign_id);
  return { update, campaign };
}

export async function createUpdate(db: Database, actor: Actor, campaignId: number, input: UpdateInput) {
  await authorizeCampaign(db, actor, campaignId);
  return db
    .insertInto("updates")
    .values({
      campaign_id: campaignId,
      author_id: actor.id,
      subject: input.subject,
      body_md: input.bodyMd,
      countries: input.countries,
      published_on_page: input.publishOnPage ?? true,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
}

export async function editUpdate(db: Database, actor: Actor, updateId: number, input: UpdateInput) {
  const { update } = await authorizeUpdate(db, actor, updateId);
  if (update.status !== "draft") throw new AppError("CONFLICT", "already sent");
  await db
    .updateTable("updates")
    .set({ subject: input.subject, body_md: input.bodyMd, countries: input.countries, published_on_page: input.publishOnPage ?? true, updated_at: sql`now()` })
    .where("id", "=", updateId)
    .where("status", "=", "draft")
    .execute();
}

/** Who would receive it: confirmed signers who opted in and have not unsubscribed. */
function recipients(db: Executor, update: { campaign_id: number; countries: string[] | null }) {
  let query = db
    .selectFrom("signatures")
    .where("campaign_id", "=", update.campaign_id)
    .where("status", "=", "confirmed")
    .where("opt_in", "=", true)
    .where("unsubscribed_at", "is", null)
    .where("email", "is not", null);
  if (update.countries?.length) query = query.where("country", "in", update.countries);
  return query;
}

export async function getUpdateOverview(db: Database, actor: Actor, updateId: number) {
  const { update, campaign } = await authorizeUpdate(db, actor, updateId);
  const [counts, failures, audience] = await Promise.all([
    db.selectFrom("update_deliveries").select(["status", sql<number>`count(*)::int`.as("n")]).where("update_id", "=", updateId).groupBy("status").execute(),
    db
      .selectFrom("update_deliveries as d")
      .innerJoin("signatures as s", "s.id", "d.signature_id")
      .select(["d.id", "s.email", "d.error"])
      .where("d.update_id", "=", updateId)
      .where("d.status", "=", "failed")
      .orderBy("d.id")
      .limit(100)
      .execute(),
    update.status === "draft" ? recipients(db, update).select(sql<number>`count(*)::int`.as("n")).executeTakeFirstOrThrow() : Promise.resolve({ n: 0 }),
  ]);
  const progress = { queued: 0, sending: 0, sent: 0, failed: 0 };
  for (const row of counts) progress[row.status] = row.n;
  return { update, campaign, progress, failures, audience: audience.n };
}

export async function listCampaignUpdates(db: Database, actor: Actor, campaignId: number) {
  await authorizeCampaign(db, actor, campaignId);
  return db.selectFrom("updates").select(["id", "subject", "status", "created_at"]).where("campaign_id", "=", campaignId).orderBy("created_at", "desc").execute();
}

/** Sends the draft to the organiser alone, to see it as signers will. */
export async function sendTestUpdate(db: Database, actor: Actor, updateId: number) {
  await authorizeUpdate(db, actor, updateId);
  await enqueue(db, "updates.test", { updateId, userId: actor.id });
}

/** Starts sending: draft → sending, and the fan-out job in the same transaction. */
export async function requestUpdateFanOut(db: Database, actor: Actor, updateId: number) {
  await db.transaction().execute(async (trx) => {
    const { campaign } = await authorizeUpdate(trx, actor, updateId);
    if (campaign.status !== "published" && campaign.status !== "closed") throw new AppError("CONFLICT", "campaign not public");
    const moved = await trx
      .updateTable("updates")
      .set({ status: "sending", queued_at: sql`now()`, updated_at: sql`now()` })
      .where("id", "=", updateId)
      .where("status", "=", "draft")
      .returning("id")
      .executeTakeFirst();
    if (!moved) throw new AppError("CONFLICT", "already sent");
    await enqueue(trx, "updates.fan-out", { updateId });
  });
}

/** Worker: one delivery row per recipient. Idempotent: running it twice adds nobody twice. */
export async function createDeliveries(db: Database, updateId: number): Promise<number> {
  const update = await db.selectFrom("updates").selectAll().where("id", "=", updateId).executeTakeFirst();
  if (!update || update.status !== "sending") return 0;
  const result = await db
    .insertInto("update_deliveries")
    .columns(["update_id", "signature_id"])
    .expression(recipients(db, update).select([sql<number>`${updateId}::bigint`.as("update_id"), "id"]))
    .onConflict((oc) => oc.columns(["update_id", "signature_id"]).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0);
}

/**
 * Worker: claims up to `limit` queued deliveries (SKIP LOCKED, so parallel drains share the
 * work). A claimed row is never handed out again, whatever happens to the worker afterwards.
 */
export async function claimDeliveries(db: Database, updateId: number, limit: number) {
  const rows = await sql<{ id: number; signature_id: number }>`
    UPDATE update_deliveries SET status = 'sending', claimed_at = now(), attempts = attempts + 1
    WHERE id IN (
      SELECT id FROM update_deliveries WHERE update_id = ${updateId} AND status = 'queued'
      ORDER BY id LIMIT ${limit} FOR UPDATE SKIP LOCKED)
    RETURNING id, signature_id`.execute(db);
  return rows.rows;
}

export async function markDelivery(db: Executor, deliveryId: number, outcome: { status: "sent" } | { status: "failed"; error: string } | { status: "queued"; error: string }) {
  await db
    .updateTable("update_deliveries")
    .set({
      status: outcome.status,
      error: outcome.status === "sent" ? null : outcome.error.slice(0, 500),
      sent_at: outcome.status === "sent" ? sql`now()` : null,
    })
    .where("id", "=", deliveryId)
    .where("status", "=", "sending")
    .execute();
}

/** Records deliveries the SMTP server accepted, in one statement. */
export async function markDeliveriesSent(db: Executor, deliveryIds: number[]) {
  await db
    .updateTable("update_deliveries")
    .set({ status: "sent", error: null, sent_at: sql`now()` })
    .where("id", "in", deliveryIds)
    .where("status", "=", "sending")
    .execute();
}

/**
 * Deliveries left 'sending' by a worker that died: the message may or may not have gone out.
 * At most once means they are recorded as failed, never sent again.
 */
export async function failAbandonedDeliveries(db: Database, olderThanMinutes = 10): Promise<number> {
  const rows = await db
    .updateTable("update_deliveries")
    .set({ status: "failed", error: "interrupted while sending; not retried so nobody gets it twice" })
    .where("status", "=", "sending")
    .where("claimed_at", "<", sql<Date>`now() - make_interval(mins => ${olderThanMinutes})`)
    .returning("update_id")
    .execute();
  for (const updateId of new Set(rows.map((r) => r.update_id))) await finishIfDone(db, updateId);
  return rows.length;
}

/** Marks the update sent once nothing is queued or in flight. */
export async function finishIfDone(db: Executor, updateId: number): Promise<boolean> {
  const result = await sql<{ id: number }>`
    UPDATE updates SET status = 'sent', finished_at = now(), updated_at = now()
    WHERE id = ${updateId} AND status = 'sending'
      AND NOT EXISTS (SELECT 1 FROM update_deliveries WHERE update_id = ${updateId} AND status IN ('queued', 'sending'))
    RETURNING id`.execute(db);
  return result.rows.length > 0;
}

/** One-click unsubscribe: the token names one delivery, and so one signature of one campaign. */
export async function findUnsubscribe(db: Executor, token: string) {
  if (!isWellFormedToken(token)) return undefined;
  const row = await db
    .selectFrom("update_deliveries as d")
    .innerJoin("signatures as s", "s.id", "d.signature_id")
    .innerJoin("campaigns as c", "c.id", "s.campaign_id")
    .select(["d.unsubscribe_token_hash", "s.id as signatureId", "s.unsubscribed_at", "c.title", "c.slug"])
    .where("d.unsubscribe_token_hash", "=", hashToken(token))
    .executeTakeFirst();
  if (!row?.unsubscribe_token_hash || !tokenMatchesHash(token, row.unsubscribe_token_hash)) return undefined;
  return row;
}

export async function unsubscribe(db: Database, token: string) {
  const row = await findUnsubscribe(db, token);
  if (!row) throw new AppError("TOKEN_INVALID");
  await db.updateTable("signatures").set({ unsubscribed_at: sql`coalesce(unsubscribed_at, now())` }).where("id", "=", row.signatureId).execute();
  return { title: row.title, slug: row.slug };
}

/**
 * What the campaign page shows of its story: updates that have gone out to signers and that their
 * organisers chose to publish, newest first. Updates sent to some countries only stay private.
 */
export async function listPublishedUpdates(db: Executor, campaignId: number, limit = 10) {
  return db
    .selectFrom("updates")
    .select(["id", "subject", "body_md as bodyMd", "queued_at as sentAt"])
    .where("campaign_id", "=", campaignId)
    .where("status", "in", ["sending", "sent"])
    .where("published_on_page", "=", true)
    .where("countries", "is", null)
    .orderBy("queued_at", "desc")
    .orderBy("id", "desc")
    .limit(limit)
    .execute();
}
