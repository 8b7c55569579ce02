import { UnrecoverableError, type Job } from "bullmq";
import type { Database } from "~/db/db.server";
import { JOBS } from "~/jobs/definitions";
import { applyRetention, type RetentionPolicy } from "~/modules/privacy/retention.server";
import { logger } from "~/utils/logger.server";

export function maintenanceProcessor(deps: { db: Database; retention: RetentionPolicy }) {
  return async (job: Job) => {
    if (job.name !== "retention.apply") throw new UnrecoverableError(`unknown maintenance job "${job.name}"`);
    if (!JOBS["retention.apply"].payload.safeParse(job.data ?? {}).success) throw new UnrecoverableError("bad payload");
    const result = await applyRetention(deps.db, deps.retention);
    logger.info({ job: job.id, ...result }, "retention applied");
    return result;
  };
}
