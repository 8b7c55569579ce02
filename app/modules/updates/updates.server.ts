import { sql } from "kysely";
import type { Database, Executor } from "~/db/db.server";
import { isIn, PUBLIC_CAMPAIGN_STATUSES } from "~/db/states";
import { enqueue } from "~/jobs/outbox.server";
import type { Actor } from "~/modules/access/actor.server";
import { requireCampaignOrganiser } from "~/modules/access/guards.server";
import { AppError } from "~/utils/errors.server";
import { hashToken, isWellFormedToken, tokenMatchesHash } from "~/utils/tokens.server";
import type { ComposeUpdateInput } from "./updates.schema";
import { read } from "~/db/one-trip.server";

/** An update's fields; it is published on the campaign page unless `publishOnPage` is false. */
type UpdateInput = Omit<ComposeUpdateInput, "publishOnPage"> & { publishOnPage?: boolean };

/**
 * Updates from organisers to the signers of a campaign. Each (update, signature) has one
 * delivery row; a drain claims it with a lease and records it sent right after the SMTP server
 * accepts it. A worker killed mid-send leaves its claims to lapse and be tried again: nobody is
 * lost, and a duplicate is only possible for a message accepted but not yet recorded at the kill
 * (it carries the same Message-ID, so receivers can fold it). See ADR 0017.
 */

/** The update, if the actor may manage its campaign (members of the campaign's organisation). */
async function authorizeUpdate(db: Executor, actor: Actor, updateId: number) {
  const update = await db.selectFrom("updates").selectAll().where("id", "=", updateId).executeTakeFirst();
  if (!update) throw new AppError("NOT_FOUND", "update not found");
  const campaign = await requireCampaignOrganiser(db, actor, update.campaign_id);
  return { update, campaign };
}

export async function createUpdate(db: Database, actor: Actor, campaignId: number, input: UpdateInput) {
  await requireCampaignOrganiser(db, actor, campaignId);
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
  if (update.status !== "draft") throw new AppError("UPDATE_ALREADY_SENT", "already sent");
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
  await requireCampaignOrganiser(db, actor, campaignId);
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
    if (!isIn(PUBLIC_CAMPAIGN_STATUSES, campaign.status)) throw new AppError("CAMPAIGN_WRONG_STATE", "campaign not public");
    const moved = await trx
      .updateTable("updates")
      .set({ status: "sending", queued_at: sql`now()`, updated_at: sql`now()` })
      .where("id", "=", updateId)
      .where("status", "=", "draft")
      .returning("id")
      .executeTakeFirst();
    if (!moved) throw new AppError("UPDATE_ALREADY_SENT", "already sent");
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

/** How long a claim holds before another drain may try the delivery again (renewed while sending). */
export const DEFAULT_LEASE_SECONDS = 60;
/** A delivery whose lease lapsed this many times (a message that kills its worker?) is given up. */
export const MAX_DELIVERY_ATTEMPTS = 5;

/** A delivery as one drain holds it: the claim's generation is its fencing token. */
export interface DeliveryClaim {
  id: number;
  signature_id: number;
  lease_generation: number;
}

/**
 * Worker: claims up to `limit` deliveries of one update with a lease (SKIP LOCKED, so parallel
 * drains share the work): first those whose lease lapsed (their worker died mid-batch), then
 * queued ones. Each claim bumps the delivery's lease generation: the claimant renews and records
 * with it, so a drain that stalled past its lease finds its renewals and records refused once
 * another drain has claimed the delivery again. The claimant records each outcome soon after the
 * SMTP server answers; a claim nobody renews comes back to another drain.
 */
export async function claimDeliveries(db: Database, updateId: number, limit: number, leaseSeconds = DEFAULT_LEASE_SECONDS): Promise<DeliveryClaim[]> {
  const claim = (where: ReturnType<typeof sql>, n: number) =>
    sql<DeliveryClaim>`
      UPDATE update_deliveries
      SET status = 'sending', claimed_at = now(), lease_expires_at = now() + make_interval(secs => ${leaseSeconds}),
        attempts = attempts + 1, lease_generation = lease_generation + 1
      WHERE id IN (
        SELECT id FROM update_deliveries WHERE update_id = ${updateId} AND ${where}
        ORDER BY id LIMIT ${n} FOR UPDATE SKIP LOCKED)
      RETURNING id, signature_id, lease_generation`
      .execute(db)
      .then((r) => r.rows);
  const lapsed = await claim(sql`status = 'sending' AND lease_expires_at < now() AND attempts < ${MAX_DELIVERY_ATTEMPTS}`, limit);
  if (lapsed.length >= limit) return lapsed;
  return [...lapsed, ...(await claim(sql`status = 'queued'`, limit - lapsed.length))];
}

/** The (id, generation) pairs of some claims, as two arrays for one statement. */
const claimArrays = (claims: readonly Pick<DeliveryClaim, "id" | "lease_generation">[]) =>
  sql`SELECT unnest(${claims.map((c) => c.id)}::bigint[]) AS id, unnest(${claims.map((c) => c.lease_generation)}::int[]) AS generation`;

/**
 * Extends the lease of deliveries this drain still holds, each only under the generation it
 * claimed. Returns the ids still held: one missing was taken over (or released) meanwhile.
 */
export async function renewLeases(db: Executor, claims: readonly Pick<DeliveryClaim, "id" | "lease_generation">[], leaseSeconds = DEFAULT_LEASE_SECONDS): Promise<Set<number>> {
  if (claims.length === 0) return new Set();
  const result = await sql<{ id: number }>`
    UPDATE update_deliveries AS d SET lease_expires_at = now() + make_interval(secs => ${leaseSeconds})
    FROM (${claimArrays(claims)}) AS c
    WHERE d.id = c.id AND d.lease_generation = c.generation AND d.status = 'sending'
    RETURNING d.id`.execute(db);
  return new Set(result.rows.map((r) => Number(r.id)));
}

/** When the earliest lease of this update's in-flight deliveries lapses (none: undefined). */
export async function nextLeaseExpiry(db: Executor, updateId: number): Promise<Date | undefined> {
  const row = await db
    .selectFrom("update_deliveries")
    .select((eb) => eb.fn.min("lease_expires_at").as("at"))
    .where("update_id", "=", updateId)
    .where("status", "=", "sending")
    .where("attempts", "<", MAX_DELIVERY_ATTEMPTS)
    .executeTakeFirst();
  return row?.at ? new Date(row.at) : undefined;
}

export type DeliveryOutcome = { status: "sent" } | { status: "failed"; error: string } | { status: "queued"; error: string };

/**
 * Records one outcome for several deliveries in one statement, each only if this drain still
 * holds it (status 'sending' under the generation it claimed). Returns the ids recorded; a
 * delivery left out was taken over by another drain, whose record counts.
 */
export async function markDeliveries(db: Executor, claims: readonly Pick<DeliveryClaim, "id" | "lease_generation">[], outcome: DeliveryOutcome): Promise<Set<number>> {
  if (claims.length === 0) return new Set();
  const result = await sql<{ id: number }>`
    UPDATE update_deliveries AS d
    SET status = ${outcome.status}, error = ${outcome.status === "sent" ? null : outcome.error.slice(0, 500)},
      sent_at = ${outcome.status === "sent" ? sql`now()` : null}, lease_expires_at = NULL
    FROM (${claimArrays(claims)}) AS c
    WHERE d.id = c.id AND d.lease_generation = c.generation AND d.status = 'sending'
    RETURNING d.id`.execute(db);
  return new Set(result.rows.map((r) => Number(r.id)));
}

/** One delivery's outcome, if this drain still holds it (see markDeliveries). */
export async function markDelivery(db: Executor, claim: Pick<DeliveryClaim, "id" | "lease_generation">, outcome: DeliveryOutcome): Promise<boolean> {
  return (await markDeliveries(db, [claim], outcome)).has(claim.id);
}

/**
 * Stores the hashes of the unsubscribe tokens about to be sent, one per message. A delivery sent
 * again gets a new row beside the first, so the link in either copy works.
 */
export async function storeUnsubscribeTokens(db: Executor, tokens: readonly { deliveryId: number; tokenHash: Buffer }[]) {
  if (tokens.length === 0) return;
  await sql`
    INSERT INTO update_unsubscribe_tokens (token_hash, delivery_id)
    SELECT unnest(${tokens.map((t) => t.tokenHash)}::bytea[]), unnest(${tokens.map((t) => t.deliveryId)}::bigint[])`.execute(db);
}

/**
 * Deliveries whose lease lapsed (their worker died): back in the queue, and a new fan-out job (in
 * the same transaction, through the outbox) starts drains for their update, since the drains
 * that held them may be gone. A delivery never tried is never marked failed; one abandoned
 * MAX_DELIVERY_ATTEMPTS times is. Runs on a schedule; drains also take lapsed leases themselves.
 */
export async function releaseAbandonedDeliveries(db: Database, graceSeconds = 5): Promise<{ released: number; failed: number }> {
  return db.transaction().execute(async (trx) => {
    const lapsed = sql<boolean>`lease_expires_at IS NULL OR lease_expires_at < now() - make_interval(secs => ${graceSeconds})`;
    const failed = await trx
      .updateTable("update_deliveries")
      .set({ status: "failed", error: `abandoned mid-send ${MAX_DELIVERY_ATTEMPTS} times; given up`, lease_expires_at: null })
      .where("status", "=", "sending")
      .where(lapsed)
      .where("attempts", ">=", MAX_DELIVERY_ATTEMPTS)
      .returning("update_id")
      .execute();
    const released = await trx
      .updateTable("update_deliveries")
      .set({ status: "queued", error: "lease lapsed (worker stopped mid-send); queued again", lease_expires_at: null })
      .where("status", "=", "sending")
      .where(lapsed)
      .returning("update_id")
      .execute();
    for (const updateId of new Set(released.map((r) => r.update_id))) await enqueue(trx, "updates.fan-out", { updateId });
    for (const updateId of new Set(failed.map((r) => r.update_id))) await finishIfDone(trx, updateId);
    return { released: released.length, failed: failed.length };
  });
}

/** @deprecated the old name: abandoned deliveries are now queued again, not failed. */
export const failAbandonedDeliveries = async (db: Database) => (await releaseAbandonedDeliveries(db)).released;

/** Marks the update sent once nothing is queued or in flight. */
export async function finishIfDone(db: Executor, updateId: number): Promise<boolean> {
  const result = await sql<{ id: number }>`
    UPDATE updates SET status = 'sent', finished_at = now(), updated_at = now()
    WHERE id = ${updateId} AND status = 'sending'
      AND NOT EXISTS (SELECT 1 FROM update_deliveries WHERE update_id = ${updateId} AND status IN ('queued', 'sending'))
    RETURNING id`.execute(db);
  return result.rows.length > 0;
}

/** One-click unsubscribe: the token names one message of a delivery, and so one signature of one campaign. */
export async function findUnsubscribe(db: Executor, token: string) {
  if (!isWellFormedToken(token)) return undefined;
  const row = await db
    .selectFrom("update_unsubscribe_tokens as t")
    .innerJoin("update_deliveries as d", "d.id", "t.delivery_id")
    .innerJoin("signatures as s", "s.id", "d.signature_id")
    .innerJoin("campaigns as c", "c.id", "s.campaign_id")
    .select(["t.token_hash", "s.id as signatureId", "s.unsubscribed_at", "c.title", "c.slug"])
    .where("t.token_hash", "=", hashToken(token))
    .executeTakeFirst();
  if (!row || !tokenMatchesHash(token, row.token_hash)) return undefined;
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
export function publishedUpdatesRead(db: Executor, campaignId: number, limit = 10) {
  const query = db
    .selectFrom("updates")
    .select(["id", "subject", "body_md as bodyMd", "queued_at as sentAt"])
    .where("campaign_id", "=", campaignId)
    .where("status", "in", ["sending", "sent"])
    .where("published_on_page", "=", true)
    .where("countries", "is", null)
    .orderBy("queued_at", "desc")
    .orderBy("id", "desc")
    .limit(limit);
  return read(query, (rows) => rows);
}
