/**
 * Grouped statements: calls that each run one statement, made at about the same time, share one.
 *
 * Under a surge, signing was a statement per signature: a write to Postgres' socket, a backend
 * woken, a commit, a reply, each time. Here a call joins a queue; when fewer than `maxInFlight`
 * groups are at Postgres, everything queued (up to `maxGroup`) goes in one statement, after the
 * requests already read in this turn of the event loop have joined. A lone call goes on its own
 * straight away (a turn later): grouping costs a quiet site nothing, and a busy one commits many
 * callers at once.
 *
 * Each caller gets its own row of the result, only after the statement committed. When a group
 * fails with an error that one of its rows could have caused (bad data, a constraint, a deadlock or
 * serialization failure), each of its calls runs again on its own, so one bad row fails only its
 * own caller; any other failure (Postgres gone, a connection lost) fails the whole group at once,
 * as it would have failed each call alone.
 */
import type { Database } from "./db.server";

export interface GroupOptions<I, O> {
  /** Runs the statement for the calls of one group; returns one result per call, in order. */
  run: (items: I[]) => Promise<O[]>;
  maxGroup: number;
  maxInFlight: number;
}

export interface Grouper<I, O> {
  submit(item: I): Promise<O>;
  /** Statements run and calls answered so far (a call run again alone counts twice). */
  readonly stats: { statements: number; calls: number; largest: number; rerunAlone: number };
}

interface Waiting<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (reason: unknown) => void;
}

/** SQLSTATE classes a single row can cause: data exceptions, integrity constraints, transaction rollbacks. */
const ROW_CAUSED = /^(22|23|40)/;

/** Whether a failed group's calls are run again one at a time. */
function oneRowCouldCause(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && ROW_CAUSED.test(code);
}

export function createGrouper<I, O>({ run, maxGroup, maxInFlight }: GroupOptions<I, O>): Grouper<I, O> {
  const queue: Waiting<I, O>[] = [];
  const stats = { statements: 0, calls: 0, largest: 0, rerunAlone: 0 };
  let inFlight = 0;
  let scheduled = false;

  const runGroup = async (group: Waiting<I, O>[]) => {
    stats.statements++;
    stats.calls += group.length;
    stats.largest = Math.max(stats.largest, group.length);
    const results = await run(group.map((w) => w.item));
    if (results.length !== group.length) throw new Error(`a grouped statement answered ${results.length} rows for ${group.length} calls`);
    group.forEach((w, i) => w.resolve(results[i]!));
  };

  const send = (group: Waiting<I, O>[]) => {
    inFlight++;
    runGroup(group)
      .catch(async (error: unknown) => {
        if (group.length === 1 || !oneRowCouldCause(error)) {
          for (const w of group) w.reject(error);
          return;
        }
        // One after another, in this group's place: never more than maxInFlight statements.
        stats.rerunAlone += group.length;
        for (const w of group) await runGroup([w]).catch(w.reject);
      })
      .finally(() => {
        inFlight--;
        pump();
      });
  };

  // Groups go out while there is room; what arrives meanwhile waits for the next free place.
  const pump = () => {
    while (inFlight < maxInFlight && queue.length > 0) send(queue.splice(0, maxGroup));
  };

  return {
    stats,
    submit(item) {
      return new Promise<O>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        if (scheduled) return;
        scheduled = true;
        // After the poll phase: the requests read in this turn have all joined by then.
        setImmediate(() => {
          scheduled = false;
          pump();
        });
      });
    },
  };
}

export interface GroupedStatementOptions<I, O> {
  maxGroup: number;
  maxInFlight: number;
  /** The statement for one call: what a lone call sends, and a call inside a transaction. */
  one: (db: Database, item: I) => Promise<O>;
  /** The statement for several calls at once; one result per call, in order. */
  many: (db: Database, items: I[]) => Promise<O[]>;
}

export interface GroupedStatement<I, O> {
  /** Runs one call: with the others made at the same moment, or alone inside a transaction (never mixing in other callers' rows). */
  run(db: Database, item: I): Promise<O>;
  /** This database's queue, whose counts /metrics and the tests read. */
  grouper(db: Database): Grouper<I, O>;
}

// One queue per statement and database. On globalThis, as the pools are (db.server.ts): the web
// process loads the modules twice (server/index.ts's fast paths, and the Remix build), and both
// copies must share one queue.
const registry = globalThis as unknown as { __bannerGroupers?: Map<string, WeakMap<Database, Grouper<unknown, unknown>>> };
const groupers = (registry.__bannerGroupers ??= new Map());

/** A statement that calls made at the same moment share (`name` tells its queues apart). */
export function groupedStatement<I, O>(name: string, { one, many, ...limits }: GroupedStatementOptions<I, O>): GroupedStatement<I, O> {
  const perDatabase = groupers.get(name) ?? new WeakMap<Database, Grouper<unknown, unknown>>();
  groupers.set(name, perDatabase);
  const grouper = (db: Database): Grouper<I, O> => {
    let found = perDatabase.get(db) as Grouper<I, O> | undefined;
    if (!found) {
      found = createGrouper<I, O>({ ...limits, run: async (items) => (items.length === 1 ? [await one(db, items[0]!)] : many(db, items)) });
      perDatabase.set(db, found as Grouper<unknown, unknown>);
    }
    return found;
  };
  return { grouper, run: (db, item) => (db.isTransaction ? one(db, item) : grouper(db).submit(item)) };
}
