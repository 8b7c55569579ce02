import { UnrecoverableError, type Job } from "bullmq";
import type { Database } from "~/db/db.server";
import { JOBS } from "~/jobs/definitions";
import type { Queues } from "~/jobs/queues.server";
import type { Mailer } from "~/mail/transport.server";
import { drainUpdate } from "~/modules/updates/send-updates.server";
import { createDeliveries } from "~/modules/updates/updates.server";
import { logger } from "~/utils/logger.server";

/** How many drains send one update in parallel; the send rate is split between them. */
export const DRAINS_PER_UPDATE = 4;

export function updatesProcessor(deps: { db: Database; mailer: Mailer; appUrl: string; queues: () => Queues; sendRatePerSecond: number; leaseSeconds?: number }) {
  return async (job: Job) => {
    switch (job.name) {
      case "updates.fan-out": {
        const parsed = JOBS["updates.fan-out"].payload.safeParse(job.data);
        if (!parsed.success) throw new UnrecoverableError("bad payload");
        const created = await createDeliveries(deps.db, parsed.data.updateId);
        // Job ids fixed per fan-out request: a retried fan-out job adds no extra drains, while a
        // new request (after lapsed leases were queued again) starts fresh ones.
        await deps.queues().updates.addBulk(
          Array.from({ length: DRAINS_PER_UPDATE }, (_, k) => ({
            name: "updates.drain",
            data: { updateId: parsed.data.updateId },
            opts: { jobId: `update-${parsed.data.updateId}-${parsed.data.outboxId}-drain-${k}` },
          })),
        );
        logger.info({ job: job.id, update: parsed.data.updateId, deliveries: created }, "update fanned out");
        return { created };
      }
      case "updates.drain": {
        const parsed = JOBS["updates.drain"].payload.safeParse(job.data);
        if (!parsed.success) throw new UnrecoverableError("bad payload");
        return drainUpdate(deps, parsed.data.updateId, { perSecond: deps.sendRatePerSecond / DRAINS_PER_UPDATE, leaseSeconds: deps.leaseSeconds });
      }
      default:
        throw new UnrecoverableError(`unknown updates job "${job.name}"`);
    }
  };
}
