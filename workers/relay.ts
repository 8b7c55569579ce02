import { sql } from "kysely";
import type { Database } from "~/db/db.server";
import { isJobName, JOBS } from "~/jobs/definitions";
import type { Producer, Queues } from "~/jobs/queues.server";
import { logger } from "~/utils/logger.server";

export const outboxJobId = (outboxId: number) => `outbox-${outboxId}`;

/**
 * Moves up to `batch` outbox rows into BullMQ and deletes them, in one transaction. Rows are
 * claimed with FOR UPDATE SKIP LOCKED, so several relays share the work without waiting; the job
 * id is derived from the row id, so a row relayed twice (a crash between add and commit) is one
 * job. If Redis is down the add fails, the transaction rolls back and the rows wait.
 */
export async function relayOutboxOnce(db: Database, queues: Queues, batch = 500): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const rows = await sql<{ id: number; topic: string; payload: Record<string, unknown> }>`
      SELECT id, topic, payload FROM outbox ORDER BY id LIMIT ${batch} FOR UPDATE SKIP LOCKED`.execute(trx);
    if (rows.rows.length === 0) return 0;

    const byQueue = new Map<string, { name: string; data: Record<string, unknown>; opts: { jobId: string } }[]>();
    const unknown: number[] = [];
    for (const row of rows.rows) {
      if (!isJobName(row.topic)) {
        unknown.push(row.id);
        continue;
      }
      const queue = JOBS[row.topic].queue;
      const list = byQueue.get(queue) ?? [];
      list.push({ name: row.topic, data: { ...row.payload, outboxId: row.id }, opts: { jobId: outboxJobId(row.id) } });
      byQueue.set(queue, list);
    }
    if (unknown.length) logger.error({ ids: unknown }, "outbox rows with unknown topics were dropped");

    for (const [queue, jobs] of byQueue) {
      // Never hold the claimed rows for long: if Redis does not answer, roll back and retry later.
      // (A late success only re-adds the same job ids, which BullMQ ignores.)
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        queues[queue as keyof Queues].addBulk(jobs),
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error("redis did not answer in 5 s")), 5_000))),
      ]).finally(() => clearTimeout(timer));
    }
    await trx
      .deleteFrom("outbox")
      .where(
        "id",
        "in",
        rows.rows.map((r) => r.id),
      )
      .execute();
    return rows.rows.length;
  });
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
