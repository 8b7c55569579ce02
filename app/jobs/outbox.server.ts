import { sql, type RawBuilder } from "kysely";
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

/** What a sweeper is told each time it runs. */
export interface SweepOptions {
  /** Work requested less than this long ago is left alone: its job may still be on its way. */
  graceSeconds: number;
  /** Ids of the items whose jobs Redis holds (waiting or retrying): they are not owed. */
  stillQueued?: number[];
  limit?: number;
}

/** The parts in which one sweeper differs from another: what is owed, and the row that restarts it. */
export interface OwedWork {
  /** The outbox topic of the job that restarts an item. */
  topic: JobName;
  /** Outbox topics that, when a row for the item is waiting in the outbox, mean it is not owed. */
  waitingTopics: readonly JobName[];
  /** The payload key naming the item ('signatureId'); its value is `id`. */
  idKey: string;
  /** The tables to look in (`signatures s JOIN campaigns c …`). */
  from: RawBuilder<unknown>;
  /** The item's id column there (`s.id`). */
  id: RawBuilder<unknown>;
  /** When the work was asked for (`s.confirmation_requested_at`): the grace counts from it. */
  requestedAt: RawBuilder<unknown>;
  /** What else makes an item owed (its status, a lapsed lease, no email recorded yet). */
  owed: RawBuilder<unknown>;
  payload: RawBuilder<unknown>;
  /**
   * Fixed per item (and per amount of progress where a job may run more than once): sweepers in
   * several workers, or one sweeping twice before the relay ran, write one row, and BullMQ
   * ignores a job id it already holds.
   */
  jobKey: RawBuilder<unknown>;
}

/**
 * Re-derives owed jobs from Postgres, for when Redis lost them (a restart without persistence, a
 * failover to a replica that was behind): each item `owed` says is owed, asked for more than
 * `graceSeconds` ago, whose job neither Redis (`stillQueued`) nor the outbox holds, gets one
 * outbox row, at most `limit` per run. Returns how many rows were written.
 */
export async function sweepIntoOutbox(db: Executor, work: OwedWork, { graceSeconds, stillQueued = [], limit = 100 }: SweepOptions): Promise<number> {
  const result = await sql`
    INSERT INTO outbox (topic, payload, job_key)
    SELECT ${work.topic}::text, ${work.payload}, ${work.jobKey}
    FROM ${work.from}
    WHERE ${work.owed}
      AND ${work.requestedAt} < now() - make_interval(secs => ${graceSeconds})
      AND ${work.id} <> ALL(${stillQueued}::bigint[])
      AND NOT EXISTS (
        SELECT 1 FROM outbox o
        WHERE o.topic IN (${sql.join([...work.waitingTopics])}) AND (o.payload ->> ${work.idKey}::text)::bigint = ${work.id})
    ORDER BY ${work.id}
    LIMIT ${limit}
    ON CONFLICT (job_key) WHERE job_key IS NOT NULL DO NOTHING`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}
