import { sql } from "kysely";
import type { Database } from "~/db/db.server";

/**
 * Re-derives owed update sends from Postgres, for when Redis lost the jobs: an update still
 * `sending`, requested more than `graceSeconds` ago, that has deliveries queued, deliveries whose
 * lease lapsed, or no deliveries at all (its fan-out job was lost before it ran), and for which
 * neither Redis (`stillQueued`: update ids of fan-out and drain jobs Redis holds) nor the outbox
 * holds a job, gets one new fan-out through the outbox.
 *
 * The job key is fixed per update and per amount of progress (deliveries finished): sweepers in
 * several workers, or one sweeping twice before the relay ran, write one row and one job. Each
 * recipient is still mailed once, however many drains run: drains claim deliveries with a lease.
 */
export async function sweepOwedUpdates(
  db: Database,
  { graceSeconds, stillQueued = [], limit = 100 }: { graceSeconds: number; stillQueued?: number[]; limit?: number },
): Promise<number> {
  const result = await sql`
    INSERT INTO outbox (topic, payload, job_key)
    SELECT 'updates.fan-out', json_build_object('updateId', u.id),
      'update-sweep-' || u.id || '-' || (SELECT count(*) FROM update_deliveries d WHERE d.update_id = u.id AND d.status IN ('sent', 'failed'))
    FROM updates u
    WHERE u.status = 'sending'
      AND u.queued_at < now() - make_interval(secs => ${graceSeconds})
      AND u.id <> ALL(${stillQueued}::bigint[])
      AND (
        EXISTS (
          SELECT 1 FROM update_deliveries d
          WHERE d.update_id = u.id
            AND (d.status = 'queued' OR (d.status = 'sending' AND (d.lease_expires_at IS NULL OR d.lease_expires_at < now()))))
        OR NOT EXISTS (SELECT 1 FROM update_deliveries d WHERE d.update_id = u.id))
      AND NOT EXISTS (
        SELECT 1 FROM outbox o
        WHERE o.topic IN ('updates.fan-out', 'updates.drain') AND (o.payload ->> 'updateId')::bigint = u.id)
    ORDER BY u.id
    LIMIT ${limit}
    ON CONFLICT (job_key) WHERE job_key IS NOT NULL DO NOTHING`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}
