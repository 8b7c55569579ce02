import type { CompiledQuery, Compilable, RawBuilder } from "kysely";
import pg from "pg";
import { findPool, type Executor } from "./db.server";

/**
 * A read split into its query and what is made of the query's rows, so that several reads can go
 * to Postgres in one round trip (readInOneTrip) or each on its own (runRead), with the same result.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface Read<T, Row = any> {
  /** a query builder, or a sql`` template (which compiles against a database) */
  query: Compilable<Row> | RawBuilder<Row>;
  finish(rows: Row[]): T;
}

/** Builds a Read with the row type taken from the query. */
export function read<Row, T>(query: Compilable<Row> | RawBuilder<Row>, finish: (rows: Row[]) => T): Read<T, Row> {
  return { query, finish };
}

function compile<Row>(db: Executor, query: Compilable<Row> | RawBuilder<Row>): CompiledQuery<Row> {
  return "isRawBuilder" in query ? query.compile(db) : query.compile();
}

/** One read on its own. */
export async function runRead<T>(db: Executor, one: Read<T>): Promise<T> {
  const result = await db.executeQuery(compile(db, one.query));
  return one.finish(result.rows as never[]);
}

type Results<R extends readonly Read<unknown>[]> = { -readonly [K in keyof R]: R[K] extends Read<infer T> ? T : never };

/**
 * Several reads in one round trip: their statements go to Postgres as one simple-protocol query
 * (`SELECT …; SELECT …`), so one write and one read of the socket instead of one each. A public
 * campaign page made of ten reads spent a fifth of its time in those writes.
 *
 * The simple protocol takes no parameters, so each statement's parameters are written into it as
 * quoted literals of no declared type, as pg sends parameters: numbers, booleans, null, and
 * strings (and dates, as ISO strings) quoted by pg's own escapeLiteral. Anything else (arrays,
 * buffers) is refused, as is a statement with backslashes or dollar quoting (whose literals this
 * does not read): such reads go one by one. The rows come back in text format through the same
 * type parsers as any other query.
 *
 * Inside a transaction (or on a database not made by createDb) the reads simply run one by one on it.
 * The reads that cannot be inlined run on their own beside the trip.
 */
export async function readInOneTrip<R extends readonly Read<unknown>[]>(db: Executor, reads: R): Promise<Results<R>> {
  const pool = db.isTransaction ? undefined : findPool(db);
  const compiled = reads.map((r) => compile(db, r.query));
  // Each read's place in the trip, or null for a read that goes alone.
  const together: string[] = [];
  const places = compiled.map((c) => {
    const statement = pool ? inlined(c) : null;
    return statement === null ? null : together.push(statement) - 1;
  });
  // A single statement gains nothing from the trip: it goes alone, like the rest, through kysely.
  const trip = pool && together.length > 1 ? oneTrip(pool, together) : undefined;
  const rows = await Promise.all(compiled.map(async (c, i) => (trip && places[i] !== null ? (await trip)[places[i]!]! : (await db.executeQuery(c)).rows)));
  return reads.map((r, i) => r.finish(rows[i]!)) as Results<R>;
}

async function oneTrip(pool: pg.Pool, statements: string[]): Promise<unknown[][]> {
  const answer = (await pool.query(statements.join(";\n"))) as unknown as pg.QueryResult | pg.QueryResult[];
  const results = Array.isArray(answer) ? answer : [answer];
  if (results.length !== statements.length) throw new Error(`one trip of ${statements.length} statements came back with ${results.length} results`);
  return results.map((r) => r.rows as unknown[]);
}

/** The statement with its parameters written in as literals, or null when that is not safe. */
export function inlined(compiled: { sql: string; parameters: readonly unknown[] }): string | null {
  // Placeholders are replaced outside quoted literals only (the even pieces between quotes; a
  // doubled quote inside a literal splits into an empty piece and keeps the parity). Backslash
  // escapes, dollar quoting and a second statement are not ours to read: those run one by one.
  if (/[\\;]|\$\$/.test(compiled.sql)) return null;
  const literals: string[] = [];
  for (const value of compiled.parameters) {
    const literal = literalOf(value);
    if (literal === null) return null;
    literals.push(literal);
  }
  let unknownPlaceholder = false;
  const pieces = compiled.sql.split("'");
  if (pieces.length % 2 === 0) return null; // an unclosed quote
  const text = pieces
    .map((piece, i) =>
      i % 2 === 1
        ? piece
        : piece.replace(/\$(\d+)/g, (_, n: string) => {
            const literal = literals[Number(n) - 1];
            if (literal === undefined) unknownPlaceholder = true;
            return literal ?? "";
          }),
    )
    .join("'");
  return unknownPlaceholder ? null : text;
}

function literalOf(value: unknown): string | null {
  if (value === null || value === undefined) return "NULL";
  // Quoted, as pg sends every parameter as text of no declared type: Postgres reads a quoted
  // literal of unknown type exactly as it reads such a parameter (as the column's type, say).
  if (typeof value === "boolean") return value ? "'true'" : "'false'";
  if (typeof value === "number") return Number.isFinite(value) ? `'${String(value)}'` : null;
  if (typeof value === "string") return value.includes("\u0000") ? null : pg.escapeLiteral(value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : pg.escapeLiteral(value.toISOString());
  return null;
}
