import { sql } from "kysely";
import type { Database } from "~/db/db.server";
import { UNFINISHED_EXPORT_STATUSES } from "~/db/states";

/**
 * Re-derives owed exports from Postgres, for when Redis lost their jobs: an export still `queued`
 * or `running`, not expired, requested more than `graceSeconds` ago, whose writer's lease is
 * absent or lapsed (no run is writing it), with no `exports.run` job in Redis (`stillQueued`:
 * export ids of the jobs Redis holds) nor in the outbox, gets one new run through the outbox.
 * The run starts the file again (runExport takes over a lapsed lease and rewrites from the top).
 *
 * The job key is fixed per export and per run started (`started_at`), so repeated or parallel
 * sweeps write one row and one job; a run that starts changes the key for the next sweep.
 */
export async function sweepStalledExports(
  db: Database,
  { graceSeconds, stillQueued = [], limit = 100 }: { graceSeconds: number; stillQueued?: number[]; limit?: number },
): Promise<number> {
  const result = await sql`
    INSERT INTO outbox (topic, payload, job_key)
    SELECT 'exports.run', json_build_object('exportId', e.id),
      'export-sweep-' || e.id || '-' || coalesce(floor(extract(epoch FROM e.started_at) * 1000)::bigint, 0)
    FROM exports e
    WHERE e.status IN (${sql.join(UNFINISHED_EXPORT_STATUSES)})
      AND e.expires_at > now()
      AND e.created_at < now() - make_interval(secs => ${graceSeconds})
      AND (e.lease_expires_at IS NULL OR e.lease_expires_at < now())
      AND e.id <> ALL(${stillQueued}::bigint[])
      AND NOT EXISTS (
        SELECT 1 FROM outbox o
        WHERE o.topic = 'exports.run' AND (o.payload ->> 'exportId')::bigint = e.id)
    ORDER BY e.id
    LIMIT ${limit}
    ON CONFLICT (job_key) WHERE job_key IS NOT NULL DO NOTHING`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}
