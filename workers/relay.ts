import { sql } from "kysely";
import type { Database } from "~/db/db.server";
import { isJobName, JOBS } from "~/jobs/definitions";
import type { Producer, Queues } from "~/jobs/queues.server";
import { logger } from "~/utils/logger.server";

export const outboxJobId = (outboxId: number) => `outbox-${outboxId}`;

/** How long a relay may hold claimed rows before another relay may take them over. */
const CLAIM_SECONDS = 15;

/**
 * Moves up to `batch` outbox rows into BullMQ and deletes them. No transaction is held across
 * the Redis call: a database connection lost mid-transaction, or a Redis that hangs, must never
 * leave rows locked or a process waiting on both engines at once. Instead each step is one
 * statement of its own:
 *
 * 1. claim: set a short lease (`claimed_until`, 15 s: three times the add timeout) on
 *    unclaimed rows, FOR UPDATE SKIP LOCKED, so
 *    several relays share the work without waiting on each other;
 * 2. add the jobs to Redis; the job id is derived from the row (`outbox-<id>`, or the row's
 *    `job_key`), so a row added twice (a crash between add and delete) is still one job;
 * 3. delete the rows. If the add fails, the lease is released and the rows wait; if the relay
 *    dies, the lease runs out and another relay takes them.
 */
export async function relayOutboxOnce(db: Database, queues: Queues, batch = 500): Promise<number> {
  const claimed = await sql<{ id: number; topic: string; payload: Record<string, unknown>; job_key: string | null }>`
    UPDATE outbox SET claimed_until = now() + make_interval(secs => ${CLAIM_SECONDS})
    WHERE id IN (
      SELECT id FROM outbox WHERE claimed_until IS NULL OR claimed_until < now()
      ORDER BY id LIMIT ${batch} FOR UPDATE SKIP LOCKED)
    RETURNING id, topic, payload, job_key`.execute(db);
  const rows = claimed.rows.sort((a, b) => a.id - b.id);
  if (rows.length === 0) return 0;
  const ids = rows.map((r) => r.id);

  const byQueue = new Map<string, { name: string; data: Record<string, unknown>; opts: { jobId: string } }[]>();
  const unknown: number[] = [];
  for (const row of rows) {
    if (!isJobName(row.topic)) {
      unknown.push(row.id);
      continue;
    }
    const queue = JOBS[row.topic].queue;
    const list = byQueue.get(queue) ?? [];
    list.push({ name: row.topic, data: { ...row.payload, outboxId: row.id }, opts: { jobId: row.job_key ?? outboxJobId(row.id) } });
    byQueue.set(queue, list);
  }
  if (unknown.length) logger.error({ ids: unknown }, "outbox rows with unknown topics were dropped");

  try {
    for (const [queue, jobs] of byQueue) {
      // If Redis does not answer, give the rows back and retry later.
      // (A late success only re-adds the same job ids, which BullMQ ignores.)
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        queues[queue as keyof Queues].addBulk(jobs),
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error("redis did not answer in 5 s")), 5_000))),
      ]).finally(() => clearTimeout(timer));
    }
  } catch (error) {
    await db
      .updateTable("outbox")
      .set({ claimed_until: null })
      .where("id", "in", ids)
      .execute()
      .catch(() => undefined); // Postgres away too: the lease runs out by itself
    throw error;
  }
  await db.deleteFrom("outbox").where("id", "in", ids).execute();
  return rows.length;
}

export interface Relay {
  stop(): Promise<void>;
  /** Relays everything pending right now; for tests and shutdown. */
  drain(): Promise<number>;
}

/** Polls the outbox; a full batch means more is waiting, so it loops again at once. */
export function startRelay(db: Database, producer: Producer, { intervalMs = 200, batch = 500 } = {}): Relay {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let failures = 0;

  const tick = async () => {
    let delay = intervalMs;
    try {
      const moved = await relayOutboxOnce(db, producer.queues, batch);
      if (failures > 0) logger.info({ failures }, "outbox relay recovered");
      failures = 0;
      if (moved === batch) delay = 0;
    } catch (error) {
      failures++;
      // Back off while Redis or Postgres is away; the rows stay in the outbox meanwhile.
      delay = Math.min(intervalMs * 2 ** Math.min(failures, 5), 5_000);
      if (failures === 1 || failures % 20 === 0) logger.warn({ err: String(error), failures }, "outbox relay failed; will retry");
      // Fresh queues for the next try: BullMQ queues whose first handshake failed stay broken.
      await producer.reset().catch(() => undefined);
    }
    if (!stopped) timer = setTimeout(schedule, delay);
  };
  const schedule = () => {
    running = tick();
  };
  schedule();

  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
    async drain() {
      let total = 0;
      for (;;) {
        const moved = await relayOutboxOnce(db, producer.queues, batch);
        total += moved;
        if (moved < batch) return total;
      }
    },
  };
}
