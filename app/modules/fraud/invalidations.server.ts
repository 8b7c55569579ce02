import { sql, type RawBuilder } from "kysely";
import type { Database, Executor } from "~/db/db.server";
import { COUNTED_SIGNATURE_STATUSES } from "~/db/states";
import type { Actor } from "~/modules/access/actor.server";
import { requireAdmin } from "~/modules/access/guards.server";
import { recordAudit } from "~/modules/audit/audit.server";
import { AppError } from "~/utils/errors.server";
import type { InvalidationCriteria } from "./fraud.schema";

/**
 * Admins take fraudulent signatures out of a campaign's count, and can give them back. Every
 * change of a confirmed signature goes through the count ledger (-1 on invalidation, +1 on undo,
 * dated by its confirmation day), so the folded counts equal a recount from scratch, and the
 * change, its ledger rows, the batch record and the audit line commit together.
 */

async function campaignFor(db: Executor, campaignId: number) {
  const campaign = await db.selectFrom("campaigns").select(["id", "slug", "title", "organisation_id"]).where("id", "=", campaignId).executeTakeFirst();
  if (!campaign) throw new AppError("NOT_FOUND", "campaign not found");
  return campaign;
}

/** The signatures the criteria take: those of the campaign that still count or may count. */
function matching(campaignId: number, c: InvalidationCriteria): RawBuilder<boolean> {
  const conditions = [sql`s.campaign_id = ${campaignId}`, sql`s.status IN (${sql.join(COUNTED_SIGNATURE_STATUSES)})`];
  if (c.ipRange) conditions.push(sql`s.ip_address <<= ${c.ipRange}::inet`);
  if (c.emailDomain) {
    const domain = sql`split_part(s.email_normalized, '@', -1)`;
    conditions.push(sql`(${domain} = ${c.emailDomain} OR ${domain} LIKE ${`%.${c.emailDomain}`})`);
  }
  if (c.from) conditions.push(sql`s.created_at >= ${c.from}`);
  if (c.to) conditions.push(sql`s.created_at < ${c.to}`);
  return sql<boolean>`${sql.join(conditions, sql` AND `)}`;
}

/** The criteria as stored and shown: plain JSON. */
function describeCriteria(c: InvalidationCriteria) {
  return {
    ipRange: c.ipRange ?? null,
    emailDomain: c.emailDomain ?? null,
    from: c.from?.toISOString() ?? null,
    to: c.to?.toISOString() ?? null,
  };
}

function subjectOf(c: InvalidationCriteria): string {
  const d = describeCriteria(c);
  return [d.ipRange && `ip ${d.ipRange}`, d.emailDomain && `domain ${d.emailDomain}`, d.from && `from ${d.from}`, d.to && `to ${d.to}`].filter(Boolean).join(", ");
}

export interface InvalidationPreview {
  signatures: number;
  confirmed: number;
}

/** How many signatures the criteria would take now, and how many of them are confirmed. Changes nothing. */
export async function previewInvalidation(db: Database, actor: Actor, campaignId: number, criteria: InvalidationCriteria): Promise<InvalidationPreview> {
  requireAdmin(actor);
  await campaignFor(db, campaignId);
  const row = await sql<InvalidationPreview>`
    SELECT count(*)::int AS signatures, (count(*) FILTER (WHERE s.status = 'confirmed'))::int AS confirmed
    FROM signatures s WHERE ${matching(campaignId, criteria)}`.execute(db);
  return row.rows[0] ?? { signatures: 0, confirmed: 0 };
}

/**
 * Invalidates what the criteria take. `expected` is the count the admin saw in the preview: if
 * signatures arrived or changed since, nothing is applied (PREVIEW_OUTDATED, with the new preview), so
 * what is applied is always what was previewed.
 */
export async function applyInvalidation(
  db: Database,
  actor: Actor,
  campaignId: number,
  input: { criteria: InvalidationCriteria; expected: InvalidationPreview; note?: string | null },
): Promise<{ invalidationId: number } & InvalidationPreview> {
  requireAdmin(actor);
  return db.transaction().execute(async (trx) => {
    const campaign = await campaignFor(trx, campaignId);
    const batch = await trx
      .insertInto("invalidations")
      .values({
        campaign_id: campaignId,
        actor_user_id: actor.id,
        actor_label: actor.email,
        criteria: JSON.stringify(describeCriteria(input.criteria)),
        reason: input.note || null,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    // One statement: lock the matching rows, invalidate them, remember each one's state, and
    // append -1 to the ledger for each confirmed one.
    const result = await sql<InvalidationPreview>`
      WITH target AS (
        SELECT s.id, s.status, s.campaign_id, s.country, s.confirmed_at FROM signatures s
        WHERE ${matching(campaignId, input.criteria)}
        FOR UPDATE
      ),
      changed AS (
        UPDATE signatures s SET status = 'invalidated', invalidated_at = now(), invalidation_reason = 'admin'
        FROM target t WHERE s.id = t.id
        RETURNING s.id
      ),
      items AS (
        INSERT INTO invalidation_signatures (invalidation_id, signature_id, previous_status)
        SELECT ${batch.id}, id, status FROM target
        RETURNING 1
      ),
      ledger AS (
        INSERT INTO signature_count_changes (campaign_id, country, day, delta)
        SELECT campaign_id, country, (confirmed_at AT TIME ZONE 'UTC')::date, -1 FROM target WHERE status = 'confirmed'
        RETURNING 1
      )
      SELECT (SELECT count(*) FROM changed)::int AS signatures, (SELECT count(*) FROM ledger)::int AS confirmed,
             (SELECT count(*) FROM items)::int AS items`.execute(trx);
    const done = result.rows[0]!;
    if (done.signatures !== input.expected.signatures || done.confirmed !== input.expected.confirmed) {
      throw new AppError("PREVIEW_OUTDATED", "the matching signatures changed since the preview", { preview: { signatures: done.signatures, confirmed: done.confirmed } });
    }
    if (done.signatures === 0) throw new AppError("NOTHING_TO_INVALIDATE", "nothing to invalidate");
    await trx
      .updateTable("invalidations")
      .set({ signature_count: done.signatures, confirmed_count: done.confirmed })
      .where("id", "=", batch.id)
      .execute();
    await recordAudit(trx, {
      actorUserId: actor.id,
      actorLabel: actor.email,
      action: "signatures.invalidate",
      campaignId,
      organisationId: campaign.organisation_id,
      subject: subjectOf(input.criteria),
      details: { invalidationId: batch.id, criteria: describeCriteria(input.criteria), confirmed: done.confirmed, note: input.note || null },
      rowCount: done.signatures,
    });
    return { invalidationId: batch.id, signatures: done.signatures, confirmed: done.confirmed };
  });
}

/**
 * Gives back exactly what one invalidation took: each signature returns to the state it had
 * (+1 in the ledger for each confirmed one). An invalidation is undone once.
 */
export async function undoInvalidation(db: Database, actor: Actor, campaignId: number, invalidationId: number): Promise<InvalidationPreview> {
  requireAdmin(actor);
  return db.transaction().execute(async (trx) => {
    const campaign = await campaignFor(trx, campaignId);
    const batch = await trx
      .selectFrom("invalidations")
      .select(["id", "undone_at", "criteria"])
      .where("id", "=", invalidationId)
      .where("campaign_id", "=", campaignId)
      .forUpdate()
      .executeTakeFirst();
    if (!batch) throw new AppError("NOT_FOUND", "invalidation not found");
    if (batch.undone_at) throw new AppError("ALREADY_UNDONE", "already undone");
    const result = await sql<InvalidationPreview>`
      WITH restored AS (
        UPDATE signatures s SET status = i.previous_status, invalidated_at = NULL, invalidation_reason = NULL
        FROM invalidation_signatures i
        WHERE i.invalidation_id = ${invalidationId} AND s.id = i.signature_id
          AND s.status = 'invalidated' AND s.invalidation_reason = 'admin'
        RETURNING s.campaign_id, s.country, s.confirmed_at, i.previous_status
      ),
      ledger AS (
        INSERT INTO signature_count_changes (campaign_id, country, day, delta)
        SELECT campaign_id, country, (confirmed_at AT TIME ZONE 'UTC')::date, 1 FROM restored WHERE previous_status = 'confirmed'
        RETURNING 1
      )
      SELECT (SELECT count(*) FROM restored)::int AS signatures, (SELECT count(*) FROM ledger)::int AS confirmed`.execute(trx);
    const done = result.rows[0]!;
    await trx.updateTable("invalidations").set({ undone_at: sql`now()`, undone_by: actor.id }).where("id", "=", invalidationId).execute();
    await recordAudit(trx, {
      actorUserId: actor.id,
      actorLabel: actor.email,
      action: "signatures.invalidate.undo",
      campaignId,
      organisationId: campaign.organisation_id,
      subject: `invalidation ${invalidationId}`,
      details: { invalidationId, criteria: batch.criteria, confirmed: done.confirmed },
      rowCount: done.signatures,
    });
    return done;
  });
}

/** A campaign's invalidations, newest first. */
export async function listInvalidations(db: Database, actor: Actor, campaignId: number) {
  requireAdmin(actor);
  return db
    .selectFrom("invalidations")
    .select(["id", "actor_label", "criteria", "reason", "signature_count", "confirmed_count", "created_at", "undone_at"])
    .where("campaign_id", "=", campaignId)
    .orderBy("id", "desc")
    .limit(100)
    .execute();
}
