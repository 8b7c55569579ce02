import type { Redis } from "ioredis";
import { createDb, type Database } from "./db/db.server";
import { createProducer, createProducerConnection, type Producer, type Queues } from "./jobs/queues.server";
import { redisTarget } from "./jobs/redis.server";
import { env } from "./utils/env.server";
import { singleton } from "./utils/singleton.server";

/**
 * The web process's connections, created on first use and shared by every request. Up to 40: a
 * connection stays held until this one event loop gets round to its answer, so under a surge each
 * is busy longer than a bare client's would be. With 20, confirming at 50 concurrent requests
 * waited on the pool (44.6-47.3 % of the same statement through a bare 20-connection pool, three
 * runs; 50.4-51.7 % with 40). Connections open only as concurrency asks for them.
 */
export function getDb(): Database {
  return singleton("db", () =>
    createDb({ connectionString: env().DATABASE_URL, max: 40, applicationName: "banner-web", preparedStatements: env().DATABASE_PREPARED_STATEMENTS }),
  );
}

/**
 * Redis is optional for the web: signing never needs it (the outbox does), readiness and metrics do.
 * Commands sent in one turn of the event loop (the attempt limits of the requests read in it) go
 * out in one write and come back in one read (ioredis' auto-pipelining): in a surge that saves a
 * system call each way per request. Each command and its answer stay its own.
 */
export function getRedis(): Redis {
  return singleton("redis", () => {
    const redis = createProducerConnection(redisTarget(env()), { enableAutoPipelining: true });
    redis.on("error", () => undefined); // reported through /readyz
    return redis;
  });
}

/**
 * The shared Redis connection once it is ready (it fails fast while connecting, by design):
 * waits up to `timeoutMs` for it, then hands it over either way; a command then fails at once.
 */
export async function getReadyRedis(timeoutMs = 2_000): Promise<Redis> {
  const redis = getRedis();
  if (redis.status === "end" || redis.status === "close") await redis.connect().catch(() => undefined);
  if (redis.status !== "ready") {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      function done() {
        clearTimeout(timer);
        redis.off("ready", done);
        resolve();
      }
      redis.once("ready", done);
    });
  }
  return redis;
}

/** Queues for reading depths (the web never enqueues: the outbox does). Rebuilt after a failure. */
export function getProducer(): Producer {
  return singleton("producer", () => createProducer(redisTarget(env()), env().REDIS_PREFIX));
}

export function getQueues(): Queues {
  return getProducer().queues;
}

export async function closeServices(): Promise<void> {
  const store = globalThis as unknown as { __bannerSingletons?: Map<string, unknown> };
  const items = store.__bannerSingletons;
  if (!items) return;
  const producer = items.get("producer") as Producer | undefined;
  if (producer) await producer.close();
  const db = items.get("db") as Database | undefined;
  if (db) await db.destroy();
  const redis = items.get("redis") as Redis | undefined;
  if (redis) redis.disconnect();
  items.clear();
}
