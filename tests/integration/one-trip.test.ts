/**
 * readInOneTrip: several reads in one simple-protocol query, with their parameters written in as
 * literals. What comes back must be exactly what each read gives on its own (types included), a
 * hostile string must stay a string, and the reads must really share one trip.
 */
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { createDb, mayNamePreparedStatements } from "~/db/db.server";
import { inlined, read, readInOneTrip, runRead, type Read } from "~/db/one-trip.server";
import { campaignPageData } from "~/modules/campaigns/campaign-page.server";
import { findCampaignByIdInLocale, findPublicCampaignInLocale } from "~/modules/campaigns/campaigns.queries.server";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { createCampaign } from "../support/fixtures";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase("onetrip");
  // Decided once per database, by a query of its own: made here, so the counts below are the reads'.
  expect(await mayNamePreparedStatements(t.db)).toBe(true);
});
afterAll(async () => {
  await t.drop();
});

/** Counts the queries sent to Postgres (by the pool, kysely or readInOneTrip) while `run` runs, and their text. */
async function queriesSentDuring<T>(run: () => Promise<T>): Promise<{ value: T; queries: number; texts: string[] }> {
  const original = pg.Client.prototype.query;
  const texts: string[] = [];
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const first = args[0] as string | { text: string };
    texts.push(typeof first === "string" ? first : first.text);
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof original;
  try {
    return { value: await run(), queries: texts.length, texts };
  } finally {
    pg.Client.prototype.query = original;
  }
}

/** A second handle on the test database with one connection, so what it has prepared can be seen. */
function oneConnection(preparedStatements: "on" | "off") {
  const db = createDb({ connectionString: t.url, max: 1, applicationName: "banner-test-onetrip", preparedStatements });
  const preparedTripStatements = async () =>
    (await sql<{ name: string }>`select name from pg_prepared_statements where name like 'trip_%' order by name`.execute(db)).rows.map((r) => r.name);
  return { db, preparedTripStatements };
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
    const { value, queries, texts } = await queriesSentDuring(() => readInOneTrip(t.db, reads));
    expect(value).toEqual([[1, 2, 3], 1, 2]);
    // The array read went alone; the other two shared one trip.
    expect(queries).toBe(2);
    expect(texts.filter((text) => text.includes("EXECUTE trip_"))).toHaveLength(1);
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

describe("readInOneTrip with prepared statements", () => {
  const threeReads = (db: ReturnType<typeof createDb>, campaignId: number) =>
    [
      read(db.selectFrom("campaigns").select(["id", "title", "created_at"]).where("id", "=", campaignId), (rows) => rows),
      read(sql<{ n: number; at: Date }>`SELECT ${41}::int + 1 AS n, ${new Date("2026-01-02T03:04:05.678Z")}::timestamptz AS at`, (rows) => rows[0]),
      read(db.selectFrom("campaigns").select("slug").where("title", "=", "x'); DELETE FROM campaigns; --\\ $1 $$"), (rows) => rows.length),
    ] as const;

  it("prepares each read once per connection, then sends only EXECUTEs, with the same results", async () => {
    const campaign = await createCampaign(t.db);
    const { db, preparedTripStatements } = oneConnection("on");
    try {
      const alone = await Promise.all(threeReads(db, campaign.id).map((r: Read<unknown>) => runRead(db, r)));
      const first = await queriesSentDuring(() => readInOneTrip(db, threeReads(db, campaign.id)));
      expect(first.value).toEqual(alone);
      expect(first.queries).toBe(1);
      expect(first.texts[0]!.match(/PREPARE trip_/g)).toHaveLength(3);
      expect(await preparedTripStatements()).toHaveLength(3);

      const second = await queriesSentDuring(() => readInOneTrip(db, threeReads(db, campaign.id)));
      expect(second.value).toEqual(alone);
      expect(second.queries).toBe(1);
      expect(second.texts[0]).not.toContain("PREPARE");
      expect(second.texts[0]!.match(/EXECUTE trip_/g)).toHaveLength(3);
      expect(await preparedTripStatements()).toHaveLength(3);
      expect(await t.db.selectFrom("campaigns").select("id").where("id", "=", campaign.id).executeTakeFirst()).toEqual({ id: campaign.id });
    } finally {
      await db.destroy();
    }
  });

  it("behind a pooler (statements not named) sends the statements themselves and prepares nothing", async () => {
    const campaign = await createCampaign(t.db);
    const { db, preparedTripStatements } = oneConnection("off");
    try {
      const alone = await Promise.all(threeReads(db, campaign.id).map((r: Read<unknown>) => runRead(db, r)));
      const { value, queries, texts } = await queriesSentDuring(() => readInOneTrip(db, threeReads(db, campaign.id)));
      expect(value).toEqual(alone);
      expect(queries).toBe(1);
      expect(texts[0]).not.toMatch(/PREPARE|EXECUTE/);
      expect(await preparedTripStatements()).toEqual([]);
    } finally {
      await db.destroy();
    }
  });

  it("a failed trip closes its connection, and the next trip prepares afresh", async () => {
    const { db, preparedTripStatements } = oneConnection("on");
    try {
      const divide = (by: number) =>
        [read(sql<{ q: number }>`SELECT 1 / ${by}::int AS q`, (rows) => rows[0]!.q), read(sql<{ one: number }>`SELECT ${1}::int AS one`, (rows) => rows[0]!.one)] as const;
      await expect(readInOneTrip(db, divide(0))).rejects.toThrow(/division by zero/);
      expect(await preparedTripStatements()).toEqual([]);
      const { value, texts } = await queriesSentDuring(() => readInOneTrip(db, divide(1)));
      expect(value).toEqual([1, 1]);
      expect(texts[0]!.match(/PREPARE trip_/g)).toHaveLength(2);
    } finally {
      await db.destroy();
    }
  });

  it("a migration that changes a prepared read's columns does not break the next trip", async () => {
    const { db } = oneConnection("on");
    try {
      await sql`create table onetrip_drift (id int primary key)`.execute(t.db);
      await sql`insert into onetrip_drift values (1)`.execute(t.db);
      const reads = () => [read(sql<Record<string, unknown>>`SELECT * FROM onetrip_drift WHERE id = ${1}`, (rows) => rows[0]), read(sql<{ one: number }>`SELECT ${1}::int AS one`, (rows) => rows[0]!.one)] as const;
      expect(await readInOneTrip(db, reads())).toEqual([{ id: 1 }, 1]);
      // What a deploy's migration may do while this process runs.
      await sql`alter table onetrip_drift add column note text default 'added'`.execute(t.db);
      expect(await readInOneTrip(db, reads())).toEqual([{ id: 1, note: "added" }, 1]);
      // The connection that held the stale statement was replaced: the next trip prepares afresh and runs.
      expect(await readInOneTrip(db, reads())).toEqual([{ id: 1, note: "added" }, 1]);
    } finally {
      await db.destroy();
    }
  });
});

describe("executePrepared", () => {
  it("a migration that changes a named statement's columns does not break the next call (the campaign lookup)", async () => {
    const campaign = await createCampaign(t.db);
    const { db } = oneConnection("on");
    try {
      expect((await findPublicCampaignInLocale(db, campaign.slug, "en"))?.campaign.id).toBe(campaign.id);
      // The lookup selects every column of campaigns; a deploy's migration adds one while this process runs.
      await sql`alter table campaigns add column onetrip_drift text`.execute(t.db);
      const after = await findPublicCampaignInLocale(db, campaign.slug, "en");
      expect(after?.campaign.id).toBe(campaign.id);
      expect(after?.campaign).toHaveProperty("onetrip_drift", null);
      expect((await findPublicCampaignInLocale(db, campaign.slug, "en"))?.campaign).toHaveProperty("onetrip_drift", null);
    } finally {
      await sql`alter table campaigns drop column if exists onetrip_drift`.execute(t.db);
      await db.destroy();
    }
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
