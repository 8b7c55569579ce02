import { sql } from "kysely";
import type { Executor } from "~/db/db.server";
import type { JobName, OutboxPayload } from "./definitions";

/**
 * Records a job in the outbox, inside the caller's transaction: it exists exactly when the
 * change it announces was committed. The relay in the worker moves it to BullMQ.
 */
export async function enqueue<N extends JobName>(trx: Executor, topic: N, payload: OutboxPayload<N>): Promise<number> {
  const row = await trx
    .insertInto("outbox")
    .values({ topic, payload: JSON.stringify(payload) })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function outboxBacklog(db: Executor): Promise<number> {
  const row = await sql<{ n: number }>`SELECT count(*)::int AS n FROM outbox`.execute(db);
  return row.rows[0]?.n ?? 0;
}
