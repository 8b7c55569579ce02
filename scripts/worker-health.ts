/**
 * `npm run worker:health`: exits 0 when a worker process on this host finished a job within the
 * last 30 s (HEARTBEAT_STALE_MS), 1 otherwise: the docker-compose health check of `worker`. Proves
 * consuming, not only being alive: the counts fold job runs every second on a healthy worker.
 */
import os from "node:os";
import { Redis } from "ioredis";
import { HEARTBEAT_STALE_MS, heartbeatKey, type Heartbeat } from "~/jobs/heartbeat.server";
import { env, EnvError } from "~/utils/env.server";

async function main(): Promise<number> {
  let config;
  try {
    config = env();
  } catch (error) {
    if (error instanceof EnvError) {
      console.error(error.message);
      return 78;
    }
    throw error;
  }
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1, connectTimeout: 2_000, lazyConnect: true });
  redis.on("error", () => undefined);
  try {
    await redis.connect();
    const keys: string[] = [];
    let cursor = "0";
    do {
      const [next, batch] = await redis.scan(cursor, "MATCH", heartbeatKey(config.REDIS_PREFIX, os.hostname(), "*"), "COUNT", 100);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== "0");
    const beats = (keys.length ? await redis.mget(...keys) : []).flatMap((v) => (v ? [JSON.parse(v) as Heartbeat] : []));
    const newest = Math.max(0, ...beats.map((b) => b.consumedAt));
    const age = Date.now() - newest;
    if (newest > 0 && age <= HEARTBEAT_STALE_MS) {
      console.log(`worker healthy: last job finished ${Math.round(age / 1000)} s ago`);
      return 0;
    }
    console.error(newest ? `worker unhealthy: last job finished ${Math.round(age / 1000)} s ago` : "worker unhealthy: no heartbeat on this host");
    return 1;
  } catch (error) {
    console.error(`worker unhealthy: ${String((error as Error).message ?? error)}`);
    return 1;
  } finally {
    redis.disconnect();
  }
}

process.exit(await main());
