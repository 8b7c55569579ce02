import { Kysely, PostgresDialect, type Transaction } from "kysely";
import pg from "pg";
import type { DB } from "./schema";

// int8 (counts, identity ids) as numbers: every id and count here stays far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));
// date as the plain 'YYYY-MM-DD' string, so a day never shifts with the process time zone.
pg.types.setTypeParser(pg.types.builtins.DATE, (value) => value);

export type Database = Kysely<DB>;
export type Executor = Kysely<DB> | Transaction<DB>;

export interface CreateDbOptions {
  connectionString: string;
  max?: number;
  applicationName?: string;
}

// The pg pool behind each kysely instance, for what kysely cannot do: COPY … TO STDOUT streams.
const pools = new WeakMap<Database, pg.Pool>();

/** The pg pool of a database made by createDb. */
export function poolOf(db: Database): pg.Pool {
  const pool = pools.get(db);
  if (!pool) throw new Error("this database was not made by createDb");
  return pool;
}

export function createDb({ connectionString, max = 10, applicationName = "banner" }: CreateDbOptions): Database {
  const pool = new pg.Pool({
    connectionString,
    max,
    application_name: applicationName,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
  });
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  pools.set(db, pool);
  return db;
}
