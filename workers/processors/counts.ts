import { UnrecoverableError, type Job } from "bullmq";
import type { Database } from "~/db/db.server";
import { JOBS } from "~/jobs/definitions";
import { foldAllCountChanges, recountCampaigns } from "~/modules/counts/counts.server";

export function countsProcessor(deps: { db: Database }) {
  return async (job: Job) => {
    switch (job.name) {
      case "counts.fold": {
        JOBS["counts.fold"].payload.parse(job.data ?? {});
        return { folded: await foldAllCountChanges(deps.db) };
      }
      case "counts.recount": {
        const parsed = JOBS["counts.recount"].payload.safeParse(job.data ?? {});
        if (!parsed.success) throw new UnrecoverableError("bad payload");
        await recountCampaigns(deps.db, parsed.data.campaignId);
        return { recounted: parsed.data.campaignId ?? "all" };
      }
      default:
        throw new UnrecoverableError(`unknown counts job "${job.name}"`);
    }
  };
}
