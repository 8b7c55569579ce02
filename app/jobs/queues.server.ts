import { Queue, type JobsOptions } from "bullmq";
import type { Redis, RedisOptions } from "ioredis";
import { QUEUE_NAMES, type QueueName } from "./definitions";
import { createRedisClient, queuePrefix } from "./redis.server";

/**
 * A producer connection fails fast when Redis is away (no offline queue), so nobody ever waits
 * on Redis while holding a database transaction; the outbox keeps the work until Redis is back.
 */
export function createProducerConnection(redisUrl: string, extra: RedisOptions = {}): Redis {
  return createRedisClient(redisUrl, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    commandTimeout: 5_000,
    lazyConnect: false,
    ...extra,
  });
}

/** A worker connection blocks on Redis, so it must retry forever (BullMQ requires null). */
export function createWorkerConnection(redisUrl: string): Redis {
  return createRedisClient(redisUrl, { maxRetriesPerRequest: null, connectTimeout: 2_000 });
}

export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 10,
  backoff: { type: "exponential", delay: 2_000 },
  // Completed jobs are kept a day so that a relay replaying an outbox row finds the job id taken.
  removeOnComplete: { age: 24 * 3600, count: 100_000 },
  removeOnFail: { age: 14 * 24 * 3600 },
};

export type Queues = Record<QueueName, Queue>;

export function createQueues(connection: Redis, prefix: string): Queues {
  const queues = {} as Queues;
  for (const name of QUEUE_NAMES) {
    const queue = new Queue(name, { connection, prefix, defaultJobOptions: DEFAULT_JOB_OPTIONS });
    // Connection errors surface where they matter (the relay's retries, /readyz); don't crash.
    queue.on("error", () => undefined);
    queues[name] = queue;
  }
  return queues;
}

/**
 * Producer-side queues that can be rebuilt. BullMQ initialises a connection once: if Redis goes
 * away during that first handshake, every later call on those Queue objects fails even after
 * Redis is back. Whoever sees a failure calls `reset()` and gets fresh queues on a fresh
 * connection.
 */
export interface Producer {
  readonly queues: Queues;
  reset(): Promise<void>;
  close(): Promise<void>;
}

export function createProducer(redisUrl: string, prefix: string): Producer {
  const make = () => {
    const connection = createProducerConnection(redisUrl);
    connection.on("error", () => undefined); // reported by whoever uses the queues
    return { connection, queues: createQueues(connection, queuePrefix(redisUrl, prefix)) };
  };
  let current = make();
  const dispose = async (old: ReturnType<typeof make>) => {
    old.connection.disconnect();
    await Promise.race([closeQueues(old.queues), new Promise((r) => setTimeout(r, 1_000))]);
  };
  return {
    get queues() {
      return current.queues;
    },
    async reset() {
      const old = current;
      current = make();
      await dispose(old);
    },
    close: () => dispose(current),
  };
}

export async function closeQueues(queues: Queues): Promise<void> {
  await Promise.allSettled(Object.values(queues).map((q) => q.close()));
}

/** Jobs waiting or running across every queue, for /metrics. */
export async function queueDepths(queues: Queues): Promise<Record<string, Record<string, number>>> {
  const entries = await Promise.all(
    Object.entries(queues).map(async ([name, q]) => [name, await q.getJobCounts("waiting", "active", "delayed", "failed")] as const),
  );
  return Object.fromEntries(entries);
}
