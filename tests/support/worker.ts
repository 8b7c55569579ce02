import { startWorker, type RunningWorker, type WorkerConfig } from "../../workers/worker";
import { SHARED_REDIS_URL } from "./redis";

/**
 * The real worker, in-process, for a test's own database and Redis prefix. Defaults: the shared
 * Redis, a test sender, links to http://banner.test, and a fast relay.
 */
export function startTestWorker(config: Pick<WorkerConfig, "databaseUrl" | "redisPrefix"> & Partial<WorkerConfig>): Promise<RunningWorker> {
  return startWorker({
    redisUrl: SHARED_REDIS_URL,
    mailFrom: "Banner <no-reply@banner.test>",
    appUrl: "http://banner.test",
    relayIntervalMs: 50,
    ...config,
  });
}
