import { Kysely, PostgresDialect, type CompiledQuery, type Transaction } from "kysely";
import pg from "pg";
import { logger } from "~/utils/logger.server";
import type { DB } from "./schema";

// int8 (counts, identity ids) as numbers: every id and count here stays far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));
// date as the plain 'YYYY-MM-DD' string, so a day never shifts with the process time zone.
pg.types.setTypeParser(pg.types.builtins.DATE, (value) => value);

export type Database = Kysely<DB>;
export type Executor = Kysely<DB> | Transaction<DB>;

/**
 * Named prepared statements: "on" only when the URL reaches Postgres itself, "off" behind a
 * transaction-pooling PgBouncer before 1.21 (a statement prepared on one server connection is
 * missing on the next), "auto" asks the server where the connection really ends (ADR 0020).
 */
export type PreparedStatements = "auto" | "on" | "off";

export interface CreateDbOptions {
  connectionString: string;
  max?: number;
  applicationName?: string;
  preparedStatements?: PreparedStatements;
}

// Kept on globalThis like the singletons (app/utils/singleton.server.ts): the web process loads
// this module twice (server/index.ts through tsx, and inside the Remix build), and a database
// made by one copy (say, by /readyz before any page) must be known to the other.
const registry = globalThis as unknown as {
  __bannerPools?: WeakMap<Database, pg.Pool>;
  __bannerNamedStatements?: WeakMap<Database, PreparedStatements | Promise<boolean> | boolean>;
};
// The pg pool behind each kysely instance, for what kysely cannot do: COPY … TO STDOUT streams.
const pools = (registry.__bannerPools ??= new WeakMap());
// Per database: whether executePrepared may name its statements (decided once, on first use).
const namedStatements = (registry.__bannerNamedStatements ??= new WeakMap());

/** The pg pool of a database made by createDb. */
export function poolOf(db: Database): pg.Pool {
  const pool = findPool(db);
  if (!pool) throw new Error("this database was not made by createDb");
  return pool;
}

/** The pg pool behind `db` when createDb made it (a transaction or another database has none). */
export function findPool(db: Executor): pg.Pool | undefined {
  return db instanceof Kysely ? pools.get(db) : undefined;
}

export function createDb({ connectionString, max = 10, applicationName = "banner", preparedStatements = "auto" }: CreateDbOptions): Database {
  const pool = new pg.Pool({
    connectionString,
    max,
    application_name: applicationName,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
  });
  // An idle connection that Postgres closes (a restart, a failover, an administrator) is dropped
  // from the pool, which connects afresh when next needed; unheard, the error would end the process.
  pool.on("error", (error) => logger.warn({ err: error.message, applicationName }, "idle database connection lost"));
  // pg only listens on a client while it sits idle in the pool: one checked out (a kysely
  // transaction between two statements, a COPY stream) that Postgres terminates emits 'error' on
  // the client itself, which would end the process. Listen for the client's whole life; the
  // statement in flight still fails, and the pool discards the broken client when it is released.
  pool.on("connect", (client) => {
    client.on("error", (error) => logger.warn({ err: error.message, applicationName }, "database connection lost while in use"));
  });
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  pools.set(db, pool);
  namedStatements.set(db, preparedStatements);
  return db;
}

/**
 * Whether this pool's connections end at Postgres itself rather than at a pooler or proxy: the
 * address and port the server says it was reached on must be the ones the socket went to. A
 * pooler in between (PgBouncer, a cloud proxy) makes its own connection, so they differ. A false
 * "proxied" (say, a port mapped by Docker) only costs speed; a Unix socket on both ends counts as
 * direct, which is why DATABASE_PREPARED_STATEMENTS=off exists.
 */
export async function reachesPostgresDirectly(pool: pg.Pool): Promise<boolean> {
  const client = await pool.connect();
  try {
    const { rows } = await client.query<{ addr: string | null; port: number | null }>(
      "SELECT host(inet_server_addr()) AS addr, inet_server_port() AS port",
    );
    const socket = (client as unknown as { connection?: { stream?: { remoteAddress?: string; remotePort?: number } } }).connection?.stream;
    const remoteAddress = socket?.remoteAddress?.replace(/^::ffff:/, "");
    const serverAddress = rows[0]?.addr?.replace(/^::ffff:/, "") ?? undefined;
    if (remoteAddress === undefined || serverAddress === undefined) return remoteAddress === serverAddress;
    return remoteAddress === serverAddress && socket?.remotePort === rows[0]?.port;
  } finally {
    client.release();
  }
}

/** Whether statements on `db` may be named (prepared once per connection): false inside a transaction. */
export async function mayNamePreparedStatements(db: Executor): Promise<boolean> {
  const pool = findPool(db);
  return pool !== undefined && (await mayNameStatements(db as Database, pool));
}

async function mayNameStatements(db: Database, pool: pg.Pool): Promise<boolean> {
  const known = namedStatements.get(db) ?? "auto";
  if (typeof known === "boolean") return known;
  if (known instanceof Promise) return known;
  if (known !== "auto") {
    namedStatements.set(db, known === "on");
    return known === "on";
  }
  const decided = reachesPostgresDirectly(pool).then(
    (direct) => {
      namedStatements.set(db, direct);
      if (!direct) logger.info("database reached through a pooler: statements are not named (ADR 0020)");
      return direct;
    },
    (error: unknown) => {
      namedStatements.delete(db); // undecided: ask again next time
      throw error;
    },
  );
  namedStatements.set(db, decided);
  return decided;
}

/**
 * Runs a statement as a named prepared statement of its pool's connections: Postgres parses and
 * plans the text once per connection instead of on every call. For the hot statements only
 * (signing: measured 1.0k → 1.8k statements/s straight through pg on this 2-core machine), and only
 * for a statement whose SQL text never changes (every value a parameter), or each text would
 * leave one more prepared statement on every connection. Behind a pooler, or on a transaction, it
 * runs unnamed (on the transaction's connection).
 */
export async function executePrepared<R>(db: Executor, name: string, compiled: CompiledQuery<R>): Promise<R[]> {
  const pool = findPool(db);
  if (!pool || !(await mayNameStatements(db as Database, pool))) return (await db.executeQuery(compiled)).rows;
  const client = await pool.connect();
  try {
    const result = await client.query({ name, text: compiled.sql, values: compiled.parameters as unknown[] });
    client.release();
    return result.rows as R[];
  } catch (error) {
    // As pool.query does: a connection whose statement failed is closed, not reused.
    client.release(error instanceof Error ? error : true);
    // A migration changed what the statement returns since this connection prepared it: run it
    // unnamed this once (the next connection prepares it afresh).
    if (isStalePlan(error)) return (await db.executeQuery(compiled)).rows;
    throw error;
  }
}

/**
 * Postgres refuses a prepared statement whose result columns changed under it (a column added
 * to a table it selects `*` from, say, by a deploy's migration while this process runs).
 */
export function isStalePlan(error: unknown): boolean {
  return (error as { code?: unknown }).code === "0A000" && /cached plan must not change result type/.test(String((error as Error).message));
}
