/**
 * readInOneTrip: several reads in one simple-protocol query, with their parameters written in as
 * literals. What comes back must be exactly what each read gives on its own (types included), a
 * hostile string must stay a string, and the reads must really share one trip.
 */
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { poolOf } from "~/db/db.server";
import { inlined, read, readInOneTrip, runRead, type Read } from "~/db/one-trip.server";
import { campaignPageData } from "~/modules/campaigns/campaign-page.server";
import { findCampaignByIdInLocale } from "~/modules/campaigns/campaigns.queries.server";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { createCampaign } from "../support/fixtures";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase("onetrip");
});
afterAll(async () => {
  await t.drop();
});

/** Counts the queries the pool is sent while `run` runs. */
async function queriesSentDuring<T>(run: () => Promise<T>): Promise<{ value: T; queries: number }> {
  const pool = poolOf(t.db);
  const original = pool.query.bind(pool);
  let queries = 0;
  pool.query = ((...args: Parameters<typeof pool.query>) => {
    queries++;
    return (original as (...a: unknown[]) => unknown)(...args);
  }) as typeof pool.query;
  try {
    return { value: await run(), queries };
  } finally {
    pool.query = original;
  }
}

describe("readInOneTrip", () => {
  it("gives each read exactly what it gives alone, in one query, with hostile strings kept as strings", async () => {
    const campaign = await createCampaign(t.db, { title: "It's a $1 title; DROP TABLE campaigns; --" });
    const hostile = "x'); DELETE FROM campaigns; --\\ $1 $$ é";
    const reads = [
      read(t.db.selectFrom("campaigns").select(["id", "title", "created_at", "goal"]).where("id", "=", campaign.id), (rows) => rows),
      read(t.db.selectFrom("campaigns").select("id").where("title", "=", hostile), (rows) => rows.length),
      read(sql<{ echoed: string; n: number; yes: boolean; none: null; at: Date }>`SELECT ${hostile}::text AS echoed, ${41}::int + 1 AS n, ${true}::boolean AS yes, ${null}::text AS none, ${new Date("2026-01-02T03:04:05.678Z")}::timestamptz AS at, '$2' AS literal`, (rows) => rows[0]),
      read(t.db.selectFrom("campaigns").select("slug").where("slug", "=", campaign.slug).limit(1), ([row]) => row?.slug),
    ] as const;
    const alone = await Promise.all(reads.map((r: Read<unknown>) => runRead(t.db, r)));
    const { value: together, queries } = await queriesSentDuring(() => readInOneTrip(t.db, reads));
    expect(queries).toBe(1);
    expect(together).toEqual(alone);
    expect(together[0][0]!.created_at).toBeInstanceOf(Date);
    expect(together[1]).toBe(0);
    expect(together[2]).toEqual({ echoed: hostile, n: 42, yes: true, none: null, at: new Date("2026-01-02T03:04:05.678Z"), literal: "$2" });
    expect(await t.db.selectFrom("campaigns").select("id").where("id", "=", campaign.id).executeTakeFirst()).toEqual({ id: campaign.id });
  });

  it("runs a read it cannot inline on its own, beside the others' trip", async () => {
    const reads = [
      read(sql<{ a: number[] }>`SELECT ${[1, 2, 3]}::int[] AS a`, (rows) => rows[0]!.a),
      read(sql<{ b: number }>`SELECT ${1}::int AS b`, (rows) => rows[0]!.b),
      read(sql<{ c: number }>`SELECT ${2}::int AS c`, (rows) => rows[0]!.c),
    ] as const;
    const { value, queries } = await queriesSentDuring(() => readInOneTrip(t.db, reads));
    expect(value).toEqual([[1, 2, 3], 1, 2]);
    // The array read went alone through kysely's own connection (not pool.query); the other two shared one trip.
    expect(queries).toBe(1);
  });

  it("inside a transaction reads one by one on it", async () => {
    const campaign = await createCampaign(t.db);
    const seen = await t.db.transaction().execute(async (trx) => {
      await trx.updateTable("campaigns").set({ goal: 1234 }).where("id", "=", campaign.id).execute();
      return readInOneTrip(trx, [read(trx.selectFrom("campaigns").select("goal").where("id", "=", campaign.id), ([row]) => row!.goal)] as const);
    });
    expect(seen).toEqual([1234]);
  });

  it("the campaign page's data is the same in one trip as read one by one", async () => {
    const campaign = await createCampaign(t.db);
    const found = (await findCampaignByIdInLocale(t.db, campaign.id, "en"))!;
    const { value: page, queries } = await queriesSentDuring(() => campaignPageData(t.db, found, "en"));
    expect(queries).toBe(1);
    const inTransaction = await t.db.transaction().execute((trx) => campaignPageData(trx, found, "en"));
    expect(page).toEqual(inTransaction);
  });
});

describe("inlined", () => {
  it("writes parameters as quoted literals outside quotes only, and refuses what it cannot read", () => {
    expect(inlined({ sql: `select $1, '$1', "a" from t where x = $2 and y = ''''`, parameters: ["it's", 5] })).toBe(`select 'it''s', '$1', "a" from t where x = '5' and y = ''''`);
    expect(inlined({ sql: "select $1, $2, $3", parameters: [null, true, new Date("2026-01-01T00:00:00Z")] })).toBe("select NULL, 'true', '2026-01-01T00:00:00.000Z'");
    expect(inlined({ sql: "select $1", parameters: [[1]] })).toBeNull();
    expect(inlined({ sql: "select $1", parameters: [Buffer.from("x")] })).toBeNull();
    expect(inlined({ sql: "select $1", parameters: [Number.NaN] })).toBeNull();
    expect(inlined({ sql: "select $2", parameters: [1] })).toBeNull();
    expect(inlined({ sql: "select E'\\n' || $1", parameters: ["a"] })).toBeNull();
    expect(inlined({ sql: "select $$x$$ || $1", parameters: ["a"] })).toBeNull();
    expect(inlined({ sql: "select 1; select $1", parameters: ["a"] })).toBeNull();
    expect(inlined({ sql: "select 'open", parameters: [] })).toBeNull();
    expect(inlined({ sql: "select $1", parameters: ["nul\u0000"] })).toBeNull();
  });
});
