import { sql } from "kysely";
import type { Database } from "~/db/db.server";
import { sweepIntoOutbox, type SweepOptions } from "~/jobs/outbox.server";

/** The job id the sweeper's re-enqueued verification gets: one per signature, ever. */
export const sweptVerificationJobKey = (signatureId: number) => `verification-sweep-${signatureId}`;

/**
 * Re-derives owed verification emails from Postgres (sweepIntoOutbox): a pending signature on a
 * published campaign, requested more than `graceSeconds` ago, with no verification email recorded
 * (sent or failed), none waiting in the outbox and none still queued (`stillQueued`: the signature
 * ids of verification jobs Redis holds, waiting or retrying), gets one outbox row.
 *
 * Exactly once: the row carries a fixed job key per signature (a unique index keeps one row at a
 * time, and BullMQ ignores a job id it already holds), and the send itself is skipped once any
 * verification for the signature is recorded (`swept` in sendVerificationEmail).
 */
export function sweepUnmailedSignatures(db: Database, { limit = 2_000, ...opts }: SweepOptions): Promise<number> {
  return sweepIntoOutbox(
    db,
    {
      topic: "signature.verification",
      waitingTopics: ["signature.verification"],
      idKey: "signatureId",
      from: sql`signatures s JOIN campaigns c ON c.id = s.campaign_id AND c.status = 'published'`,
      id: sql`s.id`,
      requestedAt: sql`s.confirmation_requested_at`,
      owed: sql`s.status = 'pending'
        AND s.email IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM sent_emails e WHERE e.signature_id = s.id AND e.kind = 'signature.verification')`,
      payload: sql`json_build_object('signatureId', s.id, 'swept', true)`,
      jobKey: sql`'verification-sweep-' || s.id`,
    },
    { ...opts, limit },
  );
}
