import { sql } from "kysely";
import type { Database } from "~/db/db.server";
import { sweepIntoOutbox, type SweepOptions } from "~/jobs/outbox.server";
import { UNFINISHED_EXPORT_STATUSES } from "~/db/states";

/**
 * Re-derives owed exports from Postgres (sweepIntoOutbox): an export still `queued` or `running`,
 * not expired, requested more than `graceSeconds` ago, whose writer's lease is absent or lapsed
 * (no run is writing it), with no `exports.run` job in Redis (`stillQueued`: export ids of the
 * jobs Redis holds) nor in the outbox, gets one new run through the outbox. The run starts the
 * file again (runExport takes over a lapsed lease and rewrites from the top).
 *
 * The job key is fixed per export and per run started (`started_at`), so repeated or parallel
 * sweeps write one row and one job; a run that starts changes the key for the next sweep.
 */
export function sweepStalledExports(db: Database, opts: SweepOptions): Promise<number> {
  return sweepIntoOutbox(
    db,
    {
      topic: "exports.run",
      waitingTopics: ["exports.run"],
      idKey: "exportId",
      from: sql`exports e`,
      id: sql`e.id`,
      requestedAt: sql`e.created_at`,
      owed: sql`e.status IN (${sql.join(UNFINISHED_EXPORT_STATUSES)})
        AND e.expires_at > now()
        AND (e.lease_expires_at IS NULL OR e.lease_expires_at < now())`,
      payload: sql`json_build_object('exportId', e.id)`,
      jobKey: sql`'export-sweep-' || e.id || '-' || coalesce(floor(extract(epoch FROM e.started_at) * 1000)::bigint, 0)`,
    },
    opts,
  );
}
