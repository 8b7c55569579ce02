import type { Database } from "~/db/db.server";
import { QUEUE_NAMES, type QueueName } from "~/jobs/definitions";
import type { Queues } from "~/jobs/queues.server";
import type { Actor } from "~/modules/access/actor.server";
import { requireAdmin } from "~/modules/access/guards.server";
import { recordAudit } from "~/modules/audit/audit.server";
import { AppError } from "~/utils/errors.server";

export const FAILED_JOBS_SHOWN = 25;
const COUNTED_STATES = ["waiting", "active", "delayed", "failed", "completed"] as const;

/** Redis may be away: answer within a few seconds either way, never hang the page. */
async function withinSeconds<T>(work: Promise<T>, seconds = 5): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new AppError("REDIS_UNAVAILABLE", "redis did not answer")), seconds * 1000))),
    ]);
  } catch (error) {
    throw error instanceof AppError ? error : new AppError("REDIS_UNAVAILABLE", String((error as Error).message ?? error));
  } finally {
    clearTimeout(timer);
  }
}

/** Each queue's job counts and its most recent failed jobs with their failure reason. */
export async function queueOverview(queues: Queues, actor: Actor) {
  requireAdmin(actor);
  return withinSeconds(
    Promise.all(
      QUEUE_NAMES.map(async (name) => {
        const queue = queues[name];
        const [counts, failed] = await Promise.all([queue.getJobCounts(...COUNTED_STATES), queue.getFailed(0, FAILED_JOBS_SHOWN - 1)]);
        return {
          name,
          counts: Object.fromEntries(COUNTED_STATES.map((s) => [s, counts[s] ?? 0])) as Record<(typeof COUNTED_STATES)[number], number>,
          failed: failed
            .filter((job) => job?.id)
            .map((job) => ({
              id: job.id!,
              name: job.name,
              failedReason: job.failedReason ?? "",
              attemptsMade: job.attemptsMade,
              finishedOn: job.finishedOn ?? null,
              // Payloads carry ids only, never personal data (see app/jobs/definitions.ts).
              data: JSON.stringify(job.data ?? {}).slice(0, 300),
            })),
        };
      }),
    ),
  );
}

/** Moves one failed job back to waiting, audit-logged. A job that is not failed (any more) is NOT_FOUND. */
export async function retryFailedJob(db: Database, queues: Queues, actor: Actor, input: { queue: QueueName; jobId: string }) {
  requireAdmin(actor);
  const queue = queues[input.queue];
  await withinSeconds(
    (async () => {
      const job = await queue.getJob(input.jobId);
      if (!job || (await job.getState()) !== "failed") throw new AppError("NOT_FOUND", "no such failed job");
      await job.retry("failed");
    })(),
  );
  await recordAudit(db, {
    actorUserId: actor.id,
    actorLabel: actor.email,
    action: "queue.retry",
    subject: `${input.queue}/${input.jobId}`,
  });
}
