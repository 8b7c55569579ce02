import type { Redis } from "ioredis";
import { createDb, type Database } from "./db/db.server";
import { createProducerConnection, createQueues, type Queues } from "./jobs/queues.server";
import { env } from "./utils/env.server";
import { singleton } from "./utils/singleton.server";

/** The web process's connections, created on first use and shared by every request. */
export function getDb(): Database {
  return singleton("db", () => createDb({ connectionString: env().DATABASE_URL, max: 20, applicationName: "banner-web" }));
}

/** Redis is optional for the web: signing never needs it (the outbox does), readiness and metrics do. */
export function getRedis(): Redis {
  return singleton("redis", () => {
    const redis = createProducerConnection(env().REDIS_URL);
    redis.on("error", () => undefined); // reported through /readyz
    return redis;
  });
}

export function getQueues(): Queues {
  return singleton("queues", () => createQueues(getRedis(), env().REDIS_PREFIX));
}

export async function closeServices(): Promise<void> {
  const store = globalThis as unknown as { __bannerSingletons?: Map<string, unknown> };
  const items = store.__bannerSingletons;
  if (!items) return;
  const queues = items.get("queues") as Queues | undefined;
  if (queues) await Promise.allSettled(Object.values(queues).map((q) => q.close()));
  const db = items.get("db") as Database | undefined;
  if (db) await db.destroy();
  const redis = items.get("redis") as Redis | undefined;
  if (redis) redis.disconnect();
  items.clear();
}
