import { sql } from "kysely";
import type { Database } from "~/db/db.server";
import { sweepIntoOutbox, type SweepOptions } from "~/jobs/outbox.server";

/**
 * Re-derives owed update sends from Postgres (sweepIntoOutbox): an update still `sending`,
 * requested more than `graceSeconds` ago, that has deliveries queued, deliveries whose lease
 * lapsed, or no deliveries at all (its fan-out job was lost before it ran), and for which neither
 * Redis (`stillQueued`: update ids of fan-out and drain jobs Redis holds) nor the outbox holds a
 * job, gets one new fan-out through the outbox.
 *
 * The job key is fixed per update and per amount of progress (deliveries finished): sweepers in
 * several workers, or one sweeping twice before the relay ran, write one row and one job. Each
 * recipient is still mailed once, however many drains run: drains claim deliveries with a lease.
 */
export function sweepOwedUpdates(db: Database, opts: SweepOptions): Promise<number> {
  return sweepIntoOutbox(
    db,
    {
      topic: "updates.fan-out",
      waitingTopics: ["updates.fan-out", "updates.drain"],
      idKey: "updateId",
      from: sql`updates u`,
      id: sql`u.id`,
      requestedAt: sql`u.queued_at`,
      owed: sql`u.status = 'sending'
        AND (
          EXISTS (
            SELECT 1 FROM update_deliveries d
            WHERE d.update_id = u.id
              AND (d.status = 'queued' OR (d.status = 'sending' AND (d.lease_expires_at IS NULL OR d.lease_expires_at < now()))))
          OR NOT EXISTS (SELECT 1 FROM update_deliveries d WHERE d.update_id = u.id))`,
      payload: sql`json_build_object('updateId', u.id)`,
      jobKey: sql`'update-sweep-' || u.id || '-' || (SELECT count(*) FROM update_deliveries d WHERE d.update_id = u.id AND d.status IN ('sent', 'failed'))`,
    },
    opts,
  );
}
