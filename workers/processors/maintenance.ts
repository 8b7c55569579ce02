import { UnrecoverableError, type Job } from "bullmq";
import type { Database } from "~/db/db.server";
import { JOBS } from "~/jobs/definitions";
import { closeExpiredCampaigns } from "~/modules/campaigns/manage-campaigns.server";
import { purgeExpiredExports } from "~/modules/exports/export-files.server";
import { applyRetention, type RetentionPolicy } from "~/modules/privacy/retention.server";
import { releaseAbandonedDeliveries } from "~/modules/updates/updates.server";
import { logger } from "~/utils/logger.server";

export function maintenanceProcessor(deps: { db: Database; retention: RetentionPolicy }) {
  return async (job: Job) => {
    switch (job.name) {
      case "retention.apply": {
        if (!JOBS["retention.apply"].payload.safeParse(job.data ?? {}).success) throw new UnrecoverableError("bad payload");
        const result = await applyRetention(deps.db, deps.retention);
        logger.info({ job: job.id, ...result }, "retention applied");
        return result;
      }
      case "campaigns.close-expired": {
        if (!JOBS["campaigns.close-expired"].payload.safeParse(job.data ?? {}).success) throw new UnrecoverableError("bad payload");
        const closed = await closeExpiredCampaigns(deps.db);
        if (closed) logger.info({ job: job.id, closed }, "closed campaigns past their deadline");
        return { closed };
      }
      case "updates.fail-abandoned": {
        // (The job keeps its old name; it now queues lapsed deliveries again.)
        const result = await releaseAbandonedDeliveries(deps.db);
        if (result.released || result.failed) logger.warn({ job: job.id, ...result }, "update deliveries abandoned mid-send were queued again");
        return result;
      }
      case "exports.purge-expired": {
        if (!JOBS["exports.purge-expired"].payload.safeParse(job.data ?? {}).success) throw new UnrecoverableError("bad payload");
        const purged = await purgeExpiredExports(deps.db);
        if (purged.files || purged.rows) logger.info({ job: job.id, ...purged }, "expired export files deleted");
        return purged;
      }
      default:
        throw new UnrecoverableError(`unknown maintenance job "${job.name}"`);
    }
  };
}
