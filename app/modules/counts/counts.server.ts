import { sql } from "kysely";
import type { Database, Executor } from "~/db/db.server";
import { recordMilestones } from "./milestones.server";
import { read, runRead, type Read } from "~/db/one-trip.server";

/**
 * Counts are folded from an append-only ledger (signature_count_changes). A confirmation only
 * appends a row, so concurrent confirmations never wait on one hot counter row; the worker
 * consumes the ledger and adds it to the aggregates in one transaction, so no change is
 * skipped or counted twice, whatever order rows committed in. See docs/decisions/0003.
 */

/**
 * Serialises folds and recounts across every worker process, for one transaction only (a lock
 * held across transactions would leak to other clients behind a transaction-pooling PgBouncer).
 * LOCK TABLE, unlike an advisory lock taken by a SELECT, does not start a REPEATABLE READ
 * transaction's snapshot, so a recount's snapshot begins after the fold it waited for.
 */
const lockCounts = (trx: Executor) => sql`LOCK TABLE count_folds_lock IN EXCLUSIVE MODE`.execute(trx);

export interface CampaignCounts {
  total: number;
  byCountry: Record<string, number>;
  updatedAt: Date | null;
}

/** Consumes up to `batch` ledger rows into the aggregates. Returns how many rows it consumed. */
export async function foldCountChanges(db: Database, batch = 50_000): Promise<number> {
  return db.transaction().execute(async (trx) => {
    await lockCounts(trx);
    const result = await sql<{ consumed: number; campaign_ids: number[] | null }>`
      WITH consumed AS (
        DELETE FROM signature_count_changes
        WHERE id IN (SELECT id FROM signature_count_changes ORDER BY id LIMIT ${batch})
        RETURNING campaign_id, country, day, delta
      ),
      totals AS (
        INSERT INTO campaign_counts AS t (campaign_id, confirmed, updated_at)
        SELECT campaign_id, sum(delta), now() FROM consumed GROUP BY campaign_id
        ON CONFLICT (campaign_id) DO UPDATE
          SET confirmed = t.confirmed + excluded.confirmed, updated_at = excluded.updated_at
        RETURNING 1
      ),
      countries AS (
        INSERT INTO campaign_country_counts AS t (campaign_id, country, confirmed)
        SELECT campaign_id, country, sum(delta) FROM consumed GROUP BY campaign_id, country
        ON CONFLICT (campaign_id, country) DO UPDATE SET confirmed = t.confirmed + excluded.confirmed
        RETURNING 1
      ),
      days AS (
        INSERT INTO campaign_daily_counts AS t (campaign_id, day, confirmed)
        SELECT campaign_id, day, sum(delta) FROM consumed GROUP BY campaign_id, day
        ON CONFLICT (campaign_id, day) DO UPDATE SET confirmed = t.confirmed + excluded.confirmed
        RETURNING 1
      )
      SELECT (SELECT count(*) FROM consumed)::int AS consumed,
             (SELECT array_agg(DISTINCT campaign_id) FROM consumed) AS campaign_ids,
             (SELECT count(*) FROM totals) + (SELECT count(*) FROM countries) + (SELECT count(*) FROM days) AS touched
    `.execute(trx);
    const row = result.rows[0];
    // The counts just moved: milestones they crossed are recorded (and their emails queued) in
    // the same transaction, so a fold that fails after this point announces nothing.
    await recordMilestones(trx, (row?.campaign_ids ?? []).map(Number));
    return row?.consumed ?? 0;
  });
}

/** Folds until the ledger is empty (or `maxRounds` batches were consumed). */
export async function foldAllCountChanges(db: Database, maxRounds = 100): Promise<number> {
  let total = 0;
  for (let round = 0; round < maxRounds; round++) {
    const consumed = await foldCountChanges(db);
    total += consumed;
    if (consumed === 0) break;
  }
  return total;
}

/**
 * Recomputes the aggregates from the signatures themselves: the safety net against any drift.
 * It runs in one REPEATABLE READ snapshot, taken after the counts lock (so the snapshot starts
 * after any fold that held the lock). Ledger rows in the snapshot are deleted,
 * because the recount already includes them; rows committed later stay for the next fold.
 */
export async function recountCampaigns(db: Database, campaignId?: number): Promise<void> {
  await db
    .transaction()
    .setIsolationLevel("repeatable read")
    .execute(async (trx) => {
      await lockCounts(trx);
      const only = campaignId === undefined ? sql`true` : sql`campaign_id = ${campaignId}`;
      const onlyCampaign = campaignId === undefined ? sql`true` : sql`c.id = ${campaignId}`;
      await sql`DELETE FROM signature_count_changes WHERE ${only}`.execute(trx);
      await sql`DELETE FROM campaign_country_counts WHERE ${only}`.execute(trx);
      await sql`DELETE FROM campaign_daily_counts WHERE ${only}`.execute(trx);
      await sql`
        INSERT INTO campaign_counts AS t (campaign_id, confirmed, updated_at)
        SELECT c.id, count(s.id), now()
        FROM campaigns c LEFT JOIN signatures s ON s.campaign_id = c.id AND s.status = 'confirmed'
        WHERE ${onlyCampaign}
        GROUP BY c.id
        ON CONFLICT (campaign_id) DO UPDATE SET confirmed = excluded.confirmed, updated_at = now()
          WHERE t.confirmed IS DISTINCT FROM excluded.confirmed`.execute(trx);
      await sql`
        INSERT INTO campaign_country_counts (campaign_id, country, confirmed)
        SELECT campaign_id, country, count(*) FROM signatures
        WHERE status = 'confirmed' AND ${only}
        GROUP BY campaign_id, country`.execute(trx);
      await sql`
        INSERT INTO campaign_daily_counts (campaign_id, day, confirmed)
        SELECT campaign_id, (confirmed_at AT TIME ZONE 'UTC')::date, count(*) FROM signatures
        WHERE status = 'confirmed' AND ${only}
        GROUP BY 1, 2`.execute(trx);
      await recordMilestones(trx, campaignId === undefined ? "all" : [campaignId]);
    });
}

/** The folded counts: total and by country, read in one statement (one round trip, one snapshot). */
export async function getCampaignCounts(db: Executor, campaignId: number): Promise<CampaignCounts> {
  return runRead(db, campaignCountsRead(campaignId));
}

/** getCampaignCounts as a Read, to go in one round trip with others (readInOneTrip). */
export function campaignCountsRead(campaignId: number): Read<CampaignCounts> {
  return read(
    sql<{ confirmed: number | null; updated_at: Date | null; countries: [string, number][] }>`
    SELECT n.confirmed, n.updated_at,
      coalesce((SELECT json_agg(json_build_array(cc.country, cc.confirmed) ORDER BY cc.confirmed DESC, cc.country)
                FROM campaign_country_counts cc WHERE cc.campaign_id = ${campaignId} AND cc.confirmed > 0), '[]'::json) AS countries
    FROM (SELECT 1) AS one LEFT JOIN campaign_counts n ON n.campaign_id = ${campaignId}`,
    (rows) => {
      const row = rows[0]!;
      return { total: row.confirmed ?? 0, byCountry: Object.fromEntries(row.countries), updatedAt: row.updated_at ?? null };
    },
  );
}

/**
 * The confirmed total including ledger rows not folded yet, read in one snapshot: for the rare
 * page that must count a confirmation made a moment ago (the fold runs about once a second).
 * It scans the ledger, which the fold keeps short, so it stays off the hot paths.
 */
export async function getConfirmedTotalNow(db: Executor, campaignId: number): Promise<number> {
  const { rows } = await sql<{ total: number }>`
    SELECT (coalesce((SELECT confirmed FROM campaign_counts WHERE campaign_id = ${campaignId}), 0)
          + coalesce((SELECT sum(delta) FROM signature_count_changes WHERE campaign_id = ${campaignId}), 0))::int AS total`.execute(db);
  return rows[0]?.total ?? 0;
}

/** The truth, straight from the signatures: what the aggregates must equal once settled. */
export async function countConfirmedFromScratch(db: Executor, campaignId: number): Promise<CampaignCounts> {
  const rows = await db
    .selectFrom("signatures")
    .select(["country", sql<number>`count(*)::int`.as("n")])
    .where("campaign_id", "=", campaignId)
    .where("status", "=", "confirmed")
    .groupBy("country")
    .execute();
  const byCountry = Object.fromEntries(rows.map((r) => [r.country, r.n]));
  return { total: rows.reduce((sum, r) => sum + r.n, 0), byCountry, updatedAt: null };
}
