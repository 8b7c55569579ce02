import { Worker } from "bullmq";
import type { Redis } from "ioredis";
import { createDb, type Database } from "~/db/db.server";
import { closeQueues, createProducerConnection, createQueues, createWorkerConnection, type Queues } from "~/jobs/queues.server";
import { createMailer, type Mailer } from "~/mail/transport.server";
import { logger } from "~/utils/logger.server";
import { countsProcessor } from "./processors/counts";
import { emailProcessor } from "./processors/email";
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
  const producer: Redis = createProducerConnection(config.redisUrl);
  producer.on("error", () => undefined); // reported by the relay's own retries
  const queues = createQueues(producer, config.redisPrefix);
  const mailer = createMailer({ smtpUrl: config.smtpUrl, from: config.mailFrom, db });

  const workerConnections: Redis[] = [];
  const makeWorker = (name: string, processor: ConstructorParameters<typeof Worker>[1], concurrency: number) => {
    const connection = createWorkerConnection(config.redisUrl);
    connection.on("error", () => undefined);
    workerConnections.push(connection);
    const worker = new Worker(name, processor, { connection, prefix: config.redisPrefix, concurrency });
    worker.on("failed", (job, err) =>
      logger.warn({ queue: name, job: job?.id, name: job?.name, attempts: job?.attemptsMade, err: err.message }, "job failed"),
    );
    worker.on("error", (err) => logger.error({ queue: name, err: err.message }, "worker error"));
    return worker;
  };

  const workers = [
    makeWorker("email", emailProcessor({ db, mailer, appUrl: config.appUrl }), config.emailConcurrency ?? 20),
    makeWorker("counts", countsProcessor({ db }), 1),
  ];

  // Schedules live in Redis, so however many workers run, each fires once per interval.
  // Scheduled runs keep only a short history: one fold a second would otherwise pile up in Redis.
  const scheduled = { removeOnComplete: { count: 50 }, removeOnFail: { count: 200 } };
  await queues.counts.upsertJobScheduler(
    "counts.fold",
    { every: config.foldEveryMs ?? 1_000 },
    { name: "counts.fold", data: {}, opts: scheduled },
  );
  await queues.counts.upsertJobScheduler(
    "counts.recount",
    { every: config.recountEveryMs ?? 15 * 60_000 },
    { name: "counts.recount", data: {}, opts: scheduled },
  );

  const relay = startRelay(db, queues, { intervalMs: config.relayIntervalMs ?? 200 });
  logger.info({ prefix: config.redisPrefix, smtp: Boolean(config.smtpUrl) }, "worker started");

  return {
    db,
    queues,
    relay,
    mailer,
    async stop() {
      await relay.stop();
      await Promise.allSettled(workers.map((w) => w.close()));
      await closeQueues(queues);
      mailer.close();
      await db.destroy();
      await Promise.allSettled([producer.quit(), ...workerConnections.map((c) => c.quit())]);
    },
  };
}
