import { sql } from "kysely";
import type { Database } from "~/db/db.server";

/** The job id the sweeper's re-enqueued verification gets: one per signature, ever. */
export const sweptVerificationJobKey = (signatureId: number) => `verification-sweep-${signatureId}`;

/**
 * Re-derives owed verification emails from Postgres, for when Redis lost the jobs (a restart
 * without persistence, a failover to a replica that was behind): a pending signature on a
 * published campaign, requested more than `graceSeconds` ago, with no verification email recorded
 * (sent or failed), none waiting in the outbox and none still queued (`stillQueued`: the signature
 * ids of verification jobs Redis holds, waiting or retrying), gets one outbox row.
 *
 * Exactly once: the row carries a fixed job key per signature (a unique index keeps one row at a
 * time, and BullMQ ignores a job id it already holds), and the send itself is skipped once any
 * verification for the signature is recorded (`swept` in sendVerificationEmail).
 */
export async function sweepUnmailedSignatures(
  db: Database,
  { graceSeconds, stillQueued = [], limit = 2_000 }: { graceSeconds: number; stillQueued?: number[]; limit?: number },
): Promise<number> {
  const result = await sql`
    INSERT INTO outbox (topic, payload, job_key)
    SELECT 'signature.verification', json_build_object('signatureId', s.id, 'swept', true), 'verification-sweep-' || s.id
    FROM signatures s
    JOIN campaigns c ON c.id = s.campaign_id AND c.status = 'published'
    WHERE s.status = 'pending'
      AND s.email IS NOT NULL
      AND s.confirmation_requested_at < now() - make_interval(secs => ${graceSeconds})
      AND s.id <> ALL(${stillQueued}::bigint[])
      AND NOT EXISTS (SELECT 1 FROM sent_emails e WHERE e.signature_id = s.id AND e.kind = 'signature.verification')
      AND NOT EXISTS (
        SELECT 1 FROM outbox o
        WHERE o.topic = 'signature.verification' AND (o.payload ->> 'signatureId')::bigint = s.id)
    ORDER BY s.id
    LIMIT ${limit}
    ON CONFLICT (job_key) WHERE job_key IS NOT NULL DO NOTHING`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}
