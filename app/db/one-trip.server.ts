import type { CompiledQuery, Compilable, RawBuilder } from "kysely";
import { createHash } from "node:crypto";
import pg from "pg";
import { findPool, isStalePlan, mayNamePreparedStatements, type Executor } from "./db.server";

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
 * Where statements may be named (the connection ends at Postgres itself: ADR 0020), each read is
 * prepared once per connection (`PREPARE trip_… AS <its SQL>`, sent in front of the first trip
 * that uses it) and the trip is `EXECUTE trip_…('…'); EXECUTE …`: Postgres then parses and plans
 * each statement once per connection instead of on every page (planning was most of the
 * trip's cost there). Otherwise (behind a pooler) the statements themselves are sent.
 *
 * The simple protocol takes no parameters, so each statement's parameters are written in as
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
  const prepared = pool !== undefined && (await mayNamePreparedStatements(db));
  // Each read's place in the trip, or null for a read that goes alone.
  const together: TripStatement[] = [];
  const places = compiled.map((c) => {
    const statement = pool === undefined ? null : prepared ? executeOf(c) : inlinedStatement(c);
    return statement === null ? null : together.push(statement) - 1;
  });
  // A single statement gains nothing from the trip: it goes alone, like the rest, through kysely.
  const trip = pool && together.length > 1 ? sendTrip(pool, together) : undefined;
  const rows = await Promise.all(
    compiled.map(async (c, i) => {
      if (!trip || places[i] === null) return (await db.executeQuery(c)).rows;
      try {
        return (await trip)[places[i]!]!;
      } catch (error) {
        // A migration changed a prepared read's columns (its connection is closed): read it alone.
        if (isStalePlan(error)) return (await db.executeQuery(c)).rows;
        throw error;
      }
    }),
  );
  return reads.map((r, i) => r.finish(rows[i]!)) as Results<R>;
}

/** One statement of a trip: its text, and the statement it executes when it is an EXECUTE. */
interface TripStatement {
  text: string;
  prepare?: { name: string; sql: string };
}

/** The trip statements each connection has prepared (a connection that failed a trip is closed). */
const preparedOn = new WeakMap<pg.PoolClient, Set<string>>();
/**
 * At most about this many trip statements are kept on one connection. The reads are a fixed set,
 * so this is never reached in practice; should a read's text vary (it must not), a connection
 * that passes it is closed after its trip rather than filling the server's memory.
 */
const MAX_PREPARED_PER_CONNECTION = 200;

/** Each statement's name, by its SQL text (the texts are a fixed set; bounded all the same). */
const names = new Map<string, string>();

function inlinedStatement(compiled: { sql: string; parameters: readonly unknown[] }): TripStatement | null {
  const text = inlined(compiled);
  return text === null ? null : { text };
}

/** `EXECUTE name('…', …)` of the statement prepared from its SQL, or null when it cannot be. */
function executeOf(compiled: { sql: string; parameters: readonly unknown[] }): TripStatement | null {
  if (compiled.sql.includes(";")) return null;
  const literals: string[] = [];
  for (const value of compiled.parameters) {
    const literal = literalOf(value);
    if (literal === null) return null;
    literals.push(literal);
  }
  let name = names.get(compiled.sql);
  if (name === undefined) {
    if (names.size >= 1000) names.clear();
    name = `trip_${createHash("sha1").update(compiled.sql).digest("hex").slice(0, 24)}`;
    names.set(compiled.sql, name);
  }
  return { text: literals.length ? `EXECUTE ${name}(${literals.join(", ")})` : `EXECUTE ${name}`, prepare: { name, sql: compiled.sql } };
}

/**
 * Sends the statements as one simple-protocol query, preceded by a PREPARE for each statement
 * they execute that this connection has not prepared yet, and returns each statement's rows.
 */
async function sendTrip(pool: pg.Pool, statements: TripStatement[]): Promise<unknown[][]> {
  const client = await pool.connect();
  let known = preparedOn.get(client);
  if (!known) preparedOn.set(client, (known = new Set()));
  const preparing = new Map<string, string>();
  for (const { prepare } of statements) {
    if (prepare && !known.has(prepare.name)) preparing.set(prepare.name, `PREPARE ${prepare.name} AS ${prepare.sql}`);
  }
  try {
    const answer = (await client.query([...preparing.values(), ...statements.map((s) => s.text)].join(";\n"))) as unknown as pg.QueryResult | pg.QueryResult[];
    const results = Array.isArray(answer) ? answer : [answer];
    const expected = preparing.size + statements.length;
    if (results.length !== expected) throw new Error(`one trip of ${expected} statements came back with ${results.length} results`);
    for (const name of preparing.keys()) known.add(name);
    // A connection holding more statements than the reads could ever need is closed (the pool opens another).
    client.release(known.size > MAX_PREPARED_PER_CONNECTION);
    return results.slice(preparing.size).map((r) => r.rows as unknown[]);
  } catch (error) {
    // As pool.query does, a connection whose query failed is closed, not reused; here also
    // because which of this trip's statements were prepared is not known.
    client.release(error instanceof Error ? error : new Error(String(error)));
    throw error;
  }
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
