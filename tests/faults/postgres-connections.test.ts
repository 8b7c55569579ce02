/**
 * The two ways a Postgres restart used to end a process or stall the outbox, each made certain
 * rather than left to timing: a connection terminated while a transaction holds it, and the relay
 * holding a transaction open while it waits on Redis.
 */
import { sql } from "kysely";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createDb, type Database } from "~/db/db.server";
import { migrateToLatest } from "~/db/migrate.server";
import { enqueue } from "~/jobs/outbox.server";
import { closeQueues, createProducerConnection, createQueues } from "~/jobs/queues.server";
import { relayOutboxOnce } from "../../workers/relay";
import { startPrivatePostgres, startPrivateRedisServer, type PrivatePostgres, type PrivateRedisServer } from "../support/engines";

let pgServer: PrivatePostgres;
let redis: PrivateRedisServer;
let db: Database;

beforeAll(async () => {
  [pgServer, redis] = await Promise.all([startPrivatePostgres(), startPrivateRedisServer()]);
  db = createDb({ connectionString: await pgServer.createDatabase("banner"), max: 4 });
  await migrateToLatest(db);
});
afterAll(async () => {
  await db?.destroy();
  await redis?.stop();
  await pgServer?.destroy();
});

it("a connection terminated inside a transaction fails that transaction, not the process", async () => {
  const uncaught: unknown[] = [];
  const onUncaught = (error: unknown) => uncaught.push(error);
  // vitest would report an uncaught error too; collect it here so the count is the assertion.
  process.prependListener("uncaughtException", onUncaught);
  try {
    const outcome = await db
      .transaction()
      .execute(async (trx) => {
        await sql`SELECT 1`.execute(trx);
        // Between two statements, the connection sits checked out of the pool: restart Postgres.
        await pgServer.restart();
        await new Promise((r) => setTimeout(r, 200));
        await sql`SELECT 1`.execute(trx);
        return "committed";
      })
      .catch((error: Error) => `failed: ${error.message}`);
    expect(outcome).toMatch(/^failed/);
    expect(uncaught).toEqual([]);
    // The pool has dropped the broken connection and serves the next query.
    const after = await sql<{ one: number }>`SELECT 1 AS one`.execute(db);
    expect(after.rows[0]?.one).toBe(1);
  } finally {
    process.off("uncaughtException", onUncaught);
  }
});

it("the relay holds no transaction open while Redis keeps it waiting", async () => {
  await enqueue(db, "counts.recount", {});
  const connection = createProducerConnection(redis.url);
  connection.on("error", () => undefined);
  const queues = createQueues(connection, "relay-hang");
  if (connection.status !== "ready") await new Promise((r) => connection.once("ready", r));
  try {
    await redis.pause(3_000);
    const relaying = relayOutboxOnce(db, queues).catch((error: Error) => error);
    await new Promise((r) => setTimeout(r, 1_000));
    const open = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE datname = current_database() AND state LIKE 'idle in transaction%'`.execute(db);
    expect(open.rows[0]?.n, "sessions idle in a transaction while the relay waits on Redis").toBe(0);
    await relaying;
    // Once Redis answers again, the row goes through.
    await relayOutboxOnce(db, queues);
    const left = await sql<{ n: number }>`SELECT count(*)::int AS n FROM outbox`.execute(db);
    expect(left.rows[0]?.n).toBe(0);
  } finally {
    await closeQueues(queues);
    connection.disconnect();
  }
});
