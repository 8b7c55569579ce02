import { Worker } from "bullmq";
import type { Redis } from "ioredis";
import { createDb, type Database } from "~/db/db.server";
import { HEARTBEAT_EVERY_MS, HEARTBEAT_STALE_MS, heartbeatKey, type Heartbeat } from "~/jobs/heartbeat.server";
import { createProducer, createWorkerConnection, type Queues } from "~/jobs/queues.server";
import { createMailer, type Mailer } from "~/mail/transport.server";
import { DEFAULT_RETENTION, type RetentionPolicy } from "~/modules/privacy/retention.server";
import { logger } from "~/utils/logger.server";
import { countsProcessor } from "./processors/counts";
import { emailProcessor } from "./processors/email";
import { exportsProcessor } from "./processors/exports";
import { maintenanceProcessor } from "./processors/maintenance";
import { updatesProcessor } from "./processors/updates";
import { startRelay, type Relay } from "./relay";

export interface WorkerConfig {
  databaseUrl: string;
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
  /** How long an update delivery's claim holds unless renewed (seconds; default 60). */
  updateLeaseSeconds?: number;
  /** BullMQ job lock and stalled-check interval (ms; BullMQ's 30 s by default): how soon jobs of a killed worker run again. */
  jobLockMs?: number;
}

export interface RunningWorker {
  db: Database;
  queues: Queues;
  relay: Relay;
  mailer: Mailer;
  stop(): Promise<void>;
}

/** Starts the relay, the processors and the schedules. `stop` finishes active jobs first. */
export async function startWorker(config: WorkerConfig): Promise<RunningWorker> {
  const db = createDb({ connectionString: config.databaseUrl, max: 10, applicationName: "banner-worker" });
  const producer = createProducer(config.redisUrl, config.redisPrefix);
  const mailer = createMailer({ smtpUrl: config.smtpUrl, from: config.mailFrom, db });

  const workerConnections: Redis[] = [];
  let consumedAt = 0;
  const makeWorker = (name: string, processor: ConstructorParameters<typeof Worker>[1], concurrency: number) => {
    const connection = createWorkerConnection(config.redisUrl);
    connection.on("error", () => undefined);
    workerConnections.push(connection);
    const lock = config.jobLockMs ? { lockDuration: config.jobLockMs, stalledInterval: config.jobLockMs } : {};
    const worker = new Worker(name, processor, { connection, prefix: config.redisPrefix, concurrency, ...lock });
    worker.on("failed", (job, err) =>
      logger.warn({ queue: name, job: job?.id, name: job?.name, attempts: job?.attemptsMade, err: err.message }, "job failed"),
    );
    worker.on("error", (err) => logger.error({ queue: name, err: err.message }, "worker error"));
    worker.on("completed", () => (consumedAt = Date.now()));
    return worker;
  };

  const workers = [
    makeWorker("email", emailProcessor({ db, mailer, appUrl: config.appUrl }), config.emailConcurrency ?? 20),
    makeWorker("counts", countsProcessor({ db }), 1),
    makeWorker("maintenance", maintenanceProcessor({ db, retention: config.retention ?? DEFAULT_RETENTION }), 1),
    makeWorker(
      "updates",
      updatesProcessor({ db, mailer, appUrl: config.appUrl, queues: () => producer.queues, sendRatePerSecond: config.updateSendRate ?? 50, leaseSeconds: config.updateLeaseSeconds }),
      8,
    ),
    // One export at a time per worker: each holds a connection for its COPY and a CPU for gzip.
    makeWorker("exports", exportsProcessor({ db }), 1),
  ];

  // Schedules live in Redis, so however many workers run, each fires once per interval. Redis may
  // be away at start: keep trying in the background rather than refuse to start.
  const scheduled = { removeOnComplete: { count: 50 }, removeOnFail: { count: 200 } };
  const ensureSchedules = async () => {
    const { counts } = producer.queues;
    await counts.upsertJobScheduler(
      "counts.fold",
      { every: config.foldEveryMs ?? 1_000 },
      { name: "counts.fold", data: {}, opts: scheduled },
    );
    await counts.upsertJobScheduler(
      "counts.recount",
      { every: config.recountEveryMs ?? 15 * 60_000 },
      { name: "counts.recount", data: {}, opts: scheduled },
    );
    await producer.queues.maintenance.upsertJobScheduler(
      "retention.apply",
      { every: config.retentionEveryMs ?? 60 * 60_000 },
      { name: "retention.apply", data: {}, opts: scheduled },
    );
    await producer.queues.maintenance.upsertJobScheduler(
      "campaigns.close-expired",
      { every: config.closeExpiredEveryMs ?? 60_000 },
      { name: "campaigns.close-expired", data: {}, opts: scheduled },
    );
    await producer.queues.maintenance.upsertJobScheduler(
      "exports.purge-expired",
      { every: config.purgeExportsEveryMs ?? 15 * 60_000 },
      { name: "exports.purge-expired", data: {}, opts: scheduled },
    );
    await producer.queues.maintenance.upsertJobScheduler(
      "updates.fail-abandoned",
      { every: 5 * 60_000 },
      { name: "updates.fail-abandoned", data: {}, opts: scheduled },
    );
  };
  let stopped = false;
  let scheduleTimer: NodeJS.Timeout | undefined;
  const trySchedules = async (attempt: number): Promise<void> => {
    try {
      // BullMQ may wait indefinitely for a Redis that is away: give each attempt 5 s.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        ensureSchedules(),
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error("redis did not answer")), 5_000))),
      ]).finally(() => clearTimeout(timer));
      if (attempt > 1) logger.info({ attempt }, "count schedules set up");
    } catch (error) {
      if (attempt === 1) logger.warn({ err: String(error) }, "cannot reach Redis to set up schedules; retrying");
      await producer.reset().catch(() => undefined);
      if (!stopped) scheduleTimer = setTimeout(() => void trySchedules(attempt + 1), Math.min(500 * attempt, 5_000));
    }
  };
  // Not awaited: while Redis is away, BullMQ waits for it rather than failing.
  void trySchedules(1);

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
      clearTimeout(scheduleTimer);
      clearInterval(heartbeat);
      await relay.stop();
      await Promise.allSettled(workers.map((w) => w.close()));
      await producer.close();
      mailer.close();
      await db.destroy();
      await Promise.allSettled([...workerConnections, heartbeatConnection].map((c) => c.quit()));
    },
  };
}
