import { retentionPolicy } from "~/modules/privacy/retention.server";
import { env, EnvError } from "~/utils/env.server";
import { logger } from "~/utils/logger.server";
import { redisTarget } from "~/jobs/redis.server";
import { startWorker } from "./worker";

async function main() {
  let config;
  try {
    config = env();
  } catch (error) {
    if (error instanceof EnvError) {
      console.error(error.message);
      process.exit(78);
    }
    throw error;
  }
  const worker = await startWorker({
    databaseUrl: config.DATABASE_URL,
    preparedStatements: config.DATABASE_PREPARED_STATEMENTS,
    redisUrl: redisTarget(config),
    redisPrefix: config.REDIS_PREFIX,
    smtpUrl: config.SMTP_URL,
    mailFrom: config.MAIL_FROM,
    appUrl: config.APP_URL,
    updateSendRate: config.UPDATE_SEND_RATE,
    retention: retentionPolicy(config.FRAUD_WINDOW_DAYS),
    sweepGraceSeconds: config.SWEEP_GRACE_SECONDS,
    scheduleEveryMs: { "signatures.sweep-unmailed": config.SWEEP_EVERY_SECONDS * 1_000 },
    scheduleCheckEveryMs: config.SCHEDULE_CHECK_SECONDS * 1_000,
  });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "worker stopping: finishing active jobs");
    const force = setTimeout(() => {
      logger.error("worker did not stop within 30 s; exiting");
      process.exit(1);
    }, 30_000);
    force.unref();
    await worker.stop();
    logger.info("worker stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

main().catch((error) => {
  logger.fatal({ err: String(error?.stack ?? error) }, "worker failed to start");
  process.exit(1);
});
