import { Worker } from "bullmq";
import type { Redis } from "ioredis";
import { createDb, type Database, type PreparedStatements } from "~/db/db.server";
import { QUEUE_NAMES, SCHEDULED_JOBS, type JobName, type QueueName } from "~/jobs/definitions";
import { HEARTBEAT_EVERY_MS, HEARTBEAT_STALE_MS, heartbeatKey, type Heartbeat } from "~/jobs/heartbeat.server";
import { createProducer, createWorkerConnection, type Queues } from "~/jobs/queues.server";
import { queuePrefix } from "~/jobs/redis.server";
import { createMailer, type Mailer } from "~/mail/transport.server";
import { DEFAULT_RETENTION, type RetentionPolicy } from "~/modules/privacy/retention.server";
import { logger } from "~/utils/logger.server";
import { processorFor, type JobDeps } from "./jobs";
import { startRelay, type Relay } from "./relay";

export interface WorkerConfig {
  databaseUrl: string;
  /** DATABASE_PREPARED_STATEMENTS; "auto" when unset. */
  preparedStatements?: PreparedStatements;
  /** A redis:// URL, or a cluster as `redisTarget()` writes it. */
  redisUrl: string;
  redisPrefix: string;
  smtpUrl?: string;
  mailFrom: string;
  appUrl: string;
  emailConcurrency?: number;
  foldEveryMs?: number;
  recountEveryMs?: number;
  relayIntervalMs?: number;
  retention?: RetentionPolicy;
  retentionEveryMs?: number;
  closeExpiredEveryMs?: number;
  purgeExportsEveryMs?: number;
  /** Update emails per second, across all drains of one update (UPDATE_SEND_RATE). */
  updateSendRate?: number;
  /** Intervals by job name, instead of the defaults in app/jobs/definitions.ts. */
  scheduleEveryMs?: Partial<Record<JobName, number>>;
  /** How old an unmailed pending signature must be before the sweeper enqueues its email (s). */
  sweepGraceSeconds?: number;
  /** How often the schedules are re-asserted in Redis, besides on every reconnect (ms). */
  scheduleCheckEveryMs?: number;
  /** How long an update delivery's claim holds unless renewed (seconds; default 60). */
  updateLeaseSeconds?: number;
  /** BullMQ job lock and stalled-check interval (ms; BullMQ's 30 s by default): how soon jobs of a killed worker run again. */
  jobLockMs?: number;
}

/** Jobs that run at once per queue, per worker process. */
const CONCURRENCY: Record<QueueName, number> = {
  email: 20,
  counts: 1,
  maintenance: 1,
  updates: 8,
  // One export at a time per worker: each holds a connection for its COPY and a CPU for gzip.
  exports: 1,
};

export interface RunningWorker {
  db: Database;
  queues: Queues;
  relay: Relay;
  mailer: Mailer;
  stop(): Promise<void>;
}

/** Starts the relay, the processors and the schedules. `stop` finishes active jobs first. */
export async function startWorker(config: WorkerConfig): Promise<RunningWorker> {
  const db = createDb({ connectionString: config.databaseUrl, max: 10, applicationName: "banner-worker", preparedStatements: config.preparedStatements });
  const producer = createProducer(config.redisUrl, config.redisPrefix);
  const mailer = createMailer({ smtpUrl: config.smtpUrl, from: config.mailFrom, db });

  const deps: JobDeps = {
    db,
    mailer,
    appUrl: config.appUrl,
    queues: () => producer.queues,
    retention: config.retention ?? DEFAULT_RETENTION,
    updateSendRate: config.updateSendRate ?? 50,
    sweepGraceSeconds: config.sweepGraceSeconds ?? 120,
    updateLeaseSeconds: config.updateLeaseSeconds,
  };

  const workerConnections: Redis[] = [];
  let consumedAt = 0;
  const lock = config.jobLockMs ? { lockDuration: config.jobLockMs, stalledInterval: config.jobLockMs } : {};
  const workers = QUEUE_NAMES.map((queue) => {
    const connection = createWorkerConnection(config.redisUrl);
    connection.on("error", () => undefined);
    workerConnections.push(connection);
    const concurrency = queue === "email" ? (config.emailConcurrency ?? CONCURRENCY.email) : CONCURRENCY[queue];
    const worker = new Worker(queue, processorFor(queue, deps), { connection, prefix: queuePrefix(config.redisUrl, config.redisPrefix), concurrency, ...lock });
    worker.on("failed", (job, err) =>
      logger.warn({ queue, job: job?.id, name: job?.name, attempts: job?.attemptsMade, err: err.message }, "job failed"),
    );
    worker.on("error", (err) => logger.error({ queue, err: err.message }, "worker error"));
    worker.on("completed", () => (consumedAt = Date.now()));
    return worker;
  });

  // Schedules live in Redis, so however many workers run, each fires once per interval. Redis may
  // lose them (a restart without persistence, a failover): every worker re-asserts all of them
  // whenever its connection becomes ready again, and every minute or so besides. The upserts are
  // idempotent, so many workers doing it at once change nothing.
  const legacyEvery: Partial<Record<JobName, number | undefined>> = {
    "counts.fold": config.foldEveryMs,
    "counts.recount": config.recountEveryMs,
    "retention.apply": config.retentionEveryMs,
    "campaigns.close-expired": config.closeExpiredEveryMs,
    "exports.purge-expired": config.purgeExportsEveryMs,
  };
  const scheduled = { removeOnComplete: { count: 50 }, removeOnFail: { count: 200 } };
  const ensureSchedules = async () => {
    for (const job of SCHEDULED_JOBS) {
      const every = config.scheduleEveryMs?.[job.name] ?? legacyEvery[job.name] ?? job.every;
      await producer.queues[job.queue].upsertJobScheduler(job.name, { every }, { name: job.name, data: {}, opts: scheduled });
    }
  };
  let stopped = false;
  let asserting: Promise<void> | undefined;
  const assertSchedules = async (): Promise<void> => {
    for (let attempt = 1; !stopped; attempt++) {
      try {
        // BullMQ may wait indefinitely for a Redis that is away: give each attempt 5 s.
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          ensureSchedules(),
          new Promise((_, reject) => (timer = setTimeout(() => reject(new Error("redis did not answer")), 5_000))),
        ]).finally(() => clearTimeout(timer));
        if (attempt > 1) logger.info({ attempt }, "job schedules set up");
        return;
      } catch (error) {
        if (attempt === 1) logger.warn({ err: String(error) }, "cannot reach Redis to set up job schedules; retrying");
        await producer.reset().catch(() => undefined);
        await new Promise((r) => setTimeout(r, Math.min(500 * attempt, 5_000)));
      }
    }
  };
  const reassert = () => {
    if (stopped || asserting) return;
    asserting = assertSchedules().finally(() => (asserting = undefined));
  };
  // Not awaited: while Redis is away, BullMQ waits for it rather than failing.
  reassert();
  // "ready" fires on every reconnect, after Redis restarted empty as much as after a blip.
  workerConnections[0]?.on("ready", reassert);
  const scheduleCheck = setInterval(reassert, config.scheduleCheckEveryMs ?? 60_000);

  // Heartbeat for `npm run worker:health` (app/jobs/heartbeat.server.ts).
  const heartbeatConnection = createWorkerConnection(config.redisUrl);
  heartbeatConnection.on("error", () => undefined);
  const beat = () => {
    if (!workers.some((w) => w.isRunning())) return;
    const value: Heartbeat = { consumedAt, writtenAt: Date.now() };
    void heartbeatConnection.set(heartbeatKey(config.redisPrefix), JSON.stringify(value), "PX", HEARTBEAT_STALE_MS * 2).catch(() => undefined);
  };
  const heartbeat = setInterval(beat, HEARTBEAT_EVERY_MS);
  heartbeat.unref();

  const relay = startRelay(db, producer, { intervalMs: config.relayIntervalMs ?? 200 });
  logger.info({ prefix: config.redisPrefix, smtp: Boolean(config.smtpUrl) }, "worker started");

  return {
    db,
    get queues() {
      return producer.queues;
    },
    relay,
    mailer,
    async stop() {
      stopped = true;
      clearInterval(scheduleCheck);
      clearInterval(heartbeat);
      await asserting;
      await relay.stop();
      await Promise.allSettled(workers.map((w) => w.close()));
      await producer.close();
      mailer.close();
      await db.destroy();
      await Promise.allSettled([...workerConnections, heartbeatConnection].map((c) => c.quit()));
    },
  };
}
