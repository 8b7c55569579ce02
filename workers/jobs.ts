import { UnrecoverableError, type Job, type Processor } from "bullmq";
import type { Database } from "~/db/db.server";
import { isJobName, JOBS, type JobName, type ParsedJobPayload, type QueueName } from "~/jobs/definitions";
import type { Queues } from "~/jobs/queues.server";
import { MailDeliveryError, type Mailer } from "~/mail/transport.server";
import { sendAccountEmail, sendInvitationEmail } from "~/modules/accounts/send-account-email.server";
import { closeExpiredCampaigns } from "~/modules/campaigns/manage-campaigns.server";
import { foldAllCountChanges, recountCampaigns } from "~/modules/counts/counts.server";
import { sendMilestoneEmails } from "~/modules/counts/milestones.server";
import { purgeExpiredExports } from "~/modules/exports/export-files.server";
import { markExportFailed, runExport } from "~/modules/exports/run-export.server";
import { sendErasureLink } from "~/modules/privacy/send-erasure-link.server";
import { applyRetention, type RetentionPolicy } from "~/modules/privacy/retention.server";
import { sendVerificationEmail } from "~/modules/signatures/send-verification-email.server";
import { sweepUnmailedSignatures } from "~/modules/signatures/sweep-unmailed.server";
import { sweepStalledExports } from "~/modules/exports/sweep-stalled-exports.server";
import { sweepOwedUpdates } from "~/modules/updates/sweep-owed-updates.server";
import { drainUpdate, sendUpdateTest } from "~/modules/updates/send-updates.server";
import { createDeliveries, releaseAbandonedDeliveries } from "~/modules/updates/updates.server";
import { logger } from "~/utils/logger.server";

/** What handlers may use: the worker's connections and settings. */
export interface JobDeps {
  db: Database;
  mailer: Mailer;
  appUrl: string;
  queues: () => Queues;
  retention: RetentionPolicy;
  /** Update emails per second, across all drains of one update. */
  updateSendRate: number;
  sweepGraceSeconds: number;
  /** How long an update delivery's claim holds unless renewed (seconds). */
  updateLeaseSeconds?: number;
}

/** Above this many email jobs in Redis, the sweeper waits for the queue to shrink. */
const SWEEP_MAX_QUEUED = 10_000;

/** How many drains send one update in parallel; the send rate is split between them. */
export const DRAINS_PER_UPDATE = 4;

type Handler<N extends JobName> = (deps: JobDeps, payload: ParsedJobPayload<N>, job: Job) => Promise<unknown>;

/**
 * One handler per job name; the compiler insists on every name in app/jobs/definitions.ts. Each
 * gets its payload already parsed.
 */
export const HANDLERS: { [N in JobName]: Handler<N> } = {
  "signature.verification": (deps, payload) => sendVerificationEmail(deps, payload),
  "account.email": (deps, payload) => sendAccountEmail(deps, payload),
  "organisation.invitation": (deps, payload) => sendInvitationEmail(deps, payload),
  "updates.test": (deps, payload) => sendUpdateTest(deps, payload),
  "campaign.milestone": (deps, payload) => sendMilestoneEmails(deps, payload),
  "privacy.erasure-link": (deps, payload) => sendErasureLink(deps, payload),

  async "updates.fan-out"(deps, { updateId, outboxId }, job) {
    const created = await createDeliveries(deps.db, updateId);
    // Job ids fixed per fan-out request: a retried fan-out job adds no extra drains, while a
    // new request (after lapsed leases were queued again) starts fresh ones.
    await deps.queues().updates.addBulk(
      Array.from({ length: DRAINS_PER_UPDATE }, (_, k) => ({
        name: "updates.drain",
        data: { updateId },
        opts: { jobId: `update-${updateId}-${outboxId}-drain-${k}` },
      })),
    );
    logger.info({ job: job.id, update: updateId, deliveries: created }, "update fanned out");
    return { created };
  },
  "updates.drain": (deps, { updateId }) =>
    drainUpdate(deps, updateId, { perSecond: deps.updateSendRate / DRAINS_PER_UPDATE, leaseSeconds: deps.updateLeaseSeconds }),
  // The job keeps its old name; it now queues lapsed deliveries again (a fan-out through the outbox).
  async "updates.fail-abandoned"(deps, _payload, job) {
    const result = await releaseAbandonedDeliveries(deps.db);
    if (result.released || result.failed) logger.warn({ job: job.id, ...result }, "update deliveries abandoned mid-send were queued again");
    return result;
  },

  "counts.fold": async (deps) => ({ folded: await foldAllCountChanges(deps.db) }),
  async "counts.recount"(deps, { campaignId }) {
    await recountCampaigns(deps.db, campaignId);
    return { recounted: campaignId ?? "all" };
  },

  async "retention.apply"(deps, _payload, job) {
    const result = await applyRetention(deps.db, deps.retention);
    logger.info({ job: job.id, ...result }, "retention applied");
    return result;
  },
  async "campaigns.close-expired"(deps, _payload, job) {
    const closed = await closeExpiredCampaigns(deps.db);
    if (closed) logger.info({ job: job.id, closed }, "closed campaigns past their deadline");
    return { closed };
  },

  async "exports.run"(deps, { exportId }, job) {
    try {
      const outcome = await runExport(deps.db, exportId);
      logger.info({ job: job.id, exportId, outcome }, "export job done");
      return outcome;
    } catch (error) {
      // The last attempt: tell the page the export failed, rather than leave it "running".
      if (job.attemptsMade + 1 >= (job.opts.attempts ?? 1)) await markExportFailed(deps.db, exportId, String(error));
      throw error;
    }
  },
  async "exports.purge-expired"(deps, _payload, job) {
    const purged = await purgeExpiredExports(deps.db);
    if (purged.files || purged.rows) logger.info({ job: job.id, ...purged }, "expired export files deleted");
    return purged;
  },

  async "signatures.sweep-unmailed"(deps, _payload, job) {
    // A job still in Redis (waiting, or retrying while the mail server defers) is not lost: leave
    // its signature alone, or the retry and the sweep could both send. With a backlog too large
    // to list, wait for it to shrink; what Redis lost is still owed then.
    const email = deps.queues().email;
    const states = ["active", "waiting", "delayed", "prioritized"] as const;
    const counts = await email.getJobCounts(...states);
    const queued = Object.values(counts).reduce((sum, n) => sum + n, 0);
    if (queued > SWEEP_MAX_QUEUED) return { swept: 0, skipped: `${queued} email jobs queued` };
    const jobs = queued ? await email.getJobs([...states], 0, SWEEP_MAX_QUEUED) : [];
    const stillQueued = jobs.filter((j) => j?.name === "signature.verification").map((j) => Number(j.data?.signatureId)).filter(Number.isInteger);
    const swept = await sweepUnmailedSignatures(deps.db, { graceSeconds: deps.sweepGraceSeconds, stillQueued });
    if (swept) logger.warn({ job: job.id, swept }, "verification emails owed but never recorded were enqueued again");
    // The same for update sends and exports: work Postgres says is owed, with no job left for it.
    const updates = await sweepOwedUpdates(deps.db, { graceSeconds: deps.sweepGraceSeconds, stillQueued: await idsInRedis(deps.queues().updates, "updateId") });
    if (updates) logger.warn({ job: job.id, updates }, "updates still sending with no job left in Redis were fanned out again");
    const exports = await sweepStalledExports(deps.db, { graceSeconds: deps.sweepGraceSeconds, stillQueued: await idsInRedis(deps.queues().exports, "exportId") });
    if (exports) logger.warn({ job: job.id, exports }, "exports left unfinished with no job left in Redis were started again");
    return { swept, updates, exports };
  },
};

/**
 * The ids (payload field `field`) of the jobs a queue still holds, waiting, running or retrying.
 * These queues are small (a few jobs per update or export), so they are listed in full.
 */
async function idsInRedis(queue: Queues[keyof Queues], field: string): Promise<number[]> {
  const jobs = await queue.getJobs(["active", "waiting", "delayed", "prioritized", "waiting-children"], 0, SWEEP_MAX_QUEUED);
  return jobs.map((j) => Number((j?.data as Record<string, unknown> | undefined)?.[field])).filter(Number.isInteger);
}

/**
 * The processor of one queue: checks that the job belongs there, parses its payload (a bad one
 * can never succeed, so it is logged and not retried), runs its handler, and turns a permanent
 * mail failure into a job that is not retried either.
 */
export function processorFor(queue: QueueName, deps: JobDeps): Processor {
  return async (job: Job) => {
    if (!isJobName(job.name) || JOBS[job.name].queue !== queue) {
      logger.error({ queue, job: job.id, name: job.name }, "unknown job dropped");
      throw new UnrecoverableError(`unknown ${queue} job "${job.name}"`);
    }
    const name: JobName = job.name;
    const parsed = JOBS[name].payload.safeParse(job.data ?? {});
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "payload"}: ${i.message}`).join("; ");
      logger.error({ queue, job: job.id, name, issues }, "bad job payload dropped");
      throw new UnrecoverableError(`bad ${name} payload: ${issues}`);
    }
    try {
      const outcome = await (HANDLERS[name] as Handler<JobName>)(deps, parsed.data as ParsedJobPayload<JobName>, job);
      if (queue === "email") logger.info({ job: job.id, kind: name, outcome }, "email job done");
      return outcome;
    } catch (error) {
      if (error instanceof MailDeliveryError) {
        logger.warn({ job: job.id, kind: name, permanent: error.permanent, err: error.message }, "email send failed");
        if (error.permanent) throw new UnrecoverableError(error.message);
      }
      throw error;
    }
  };
}
