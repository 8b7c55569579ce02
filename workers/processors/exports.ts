import { UnrecoverableError, type Job } from "bullmq";
import type { Database } from "~/db/db.server";
import { JOBS } from "~/jobs/definitions";
import { markExportFailed, runExport } from "~/modules/exports/run-export.server";
import { logger } from "~/utils/logger.server";

export function exportsProcessor(deps: { db: Database }) {
  return async (job: Job) => {
    if (job.name !== "exports.run") throw new UnrecoverableError(`unknown exports job "${job.name}"`);
    const parsed = JOBS["exports.run"].payload.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError("bad exports.run payload");
    const { exportId } = parsed.data;
    try {
      const outcome = await runExport(deps.db, exportId);
      logger.info({ job: job.id, exportId, outcome }, "export job done");
      return outcome;
    } catch (error) {
      // The last attempt: tell the page the export failed, rather than leave it "running".
      if (job.attemptsMade + 1 >= (job.opts.attempts ?? 1)) await markExportFailed(deps.db, exportId, String(error));
      throw error;
    }
  };
}
