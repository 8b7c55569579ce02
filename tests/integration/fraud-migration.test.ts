/**
 * The migration that re-keys stored signatures by their canonical address, run on a database
 * holding signatures made under the old key (lower case only).
 */
import { Migrator, sql } from "kysely";
import pg from "pg";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Database } from "~/db/db.server";
import { MIGRATIONS_FOLDER, OwnFileMigrationProvider } from "~/db/migrate.server";
import { countConfirmedFromScratch, foldAllCountChanges, getCampaignCounts } from "~/modules/counts/counts.server";
import { PG_ADMIN_URL } from "../support/db";
import { createCampaign } from "../support/fixtures";

const name = `banner_test_fraudmig_${randomBytes(5).toString("hex")}`;
let db: Database;
let migrator: Migrator;

beforeAll(async () => {
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  db = createDb({ connectionString: url.toString(), max: 4 });
  migrator = new Migrator({ db, provider: new OwnFileMigrationProvider(MIGRATIONS_FOLDER) });
  const before = await migrator.migrateTo("20261126T2300_attribution_audit");
  if (before.error) throw before.error;
});

afterAll(async () => {
  await db?.destroy();
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.end();
});

describe("migration 20261127T0200_fraud", () => {
  it("re-keys addresses canonically; repeats that collapse are invalidated with a reason, the counting one kept, and counts stay exact", async () => {
    const campaign = await createCampaign(db);
    const other = await createCampaign(db);
    const at = (minutes: number) => new Date(Date.now() - minutes * 60_000);
    const rows = [
      // One Gmail inbox three times: a pending one first, then a confirmed one, then another confirmed one.
      { campaign_id: campaign.id, email: "Ayesha.Khan@gmail.com", status: "pending", created_at: at(50), confirmed_at: null },
      { campaign_id: campaign.id, email: "ayeshakhan+kashmir@googlemail.com", status: "confirmed", created_at: at(40), confirmed_at: at(39) },
      { campaign_id: campaign.id, email: "a.yeshakhan@gmail.com", status: "confirmed", created_at: at(30), confirmed_at: at(29) },
      // Outlook ignores +tags, not dots.
      { campaign_id: campaign.id, email: "bilal.ahmed@outlook.com", status: "confirmed", created_at: at(20), confirmed_at: at(19) },
      { campaign_id: campaign.id, email: "bilal.ahmed+x@outlook.com", status: "pending", created_at: at(10), confirmed_at: null },
      { campaign_id: campaign.id, email: "bilalahmed@outlook.com", status: "confirmed", created_at: at(9), confirmed_at: at(8) },
      // Elsewhere nothing folds; another campaign is another key space; an erased row has no address.
      { campaign_id: campaign.id, email: "c.d+x@example.org", status: "confirmed", created_at: at(5), confirmed_at: at(4) },
      { campaign_id: campaign.id, email: "cd@example.org", status: "confirmed", created_at: at(5), confirmed_at: at(4) },
      { campaign_id: other.id, email: "ayesha.khan@gmail.com", status: "confirmed", created_at: at(5), confirmed_at: at(4) },
      { campaign_id: campaign.id, email: null, status: "disowned", created_at: at(5), confirmed_at: null },
    ] as const;
    const ids: number[] = [];
    for (const r of rows) {
      const inserted = await sql<{ id: number }>`
        INSERT INTO signatures (campaign_id, name, email, email_normalized, country, consent_version, locale, status, created_at, confirmed_at)
        VALUES (${r.campaign_id}, 'x', ${r.email}, lower(${r.email}), 'PK', 'v1', 'en', ${r.status}, ${r.created_at}, ${r.confirmed_at})
        RETURNING id`.execute(db);
      ids.push(inserted.rows[0]!.id);
    }
    // The counts as they stood before the migration, written in SQL: today's recount also keeps
    // tables (milestones) this older schema does not have yet.
    await sql`
      INSERT INTO campaign_counts (campaign_id, confirmed, updated_at)
      SELECT campaign_id, count(*), now() FROM signatures WHERE status = 'confirmed' GROUP BY campaign_id
      ON CONFLICT (campaign_id) DO UPDATE SET confirmed = EXCLUDED.confirmed`.execute(db);
    await sql`
      INSERT INTO campaign_country_counts (campaign_id, country, confirmed)
      SELECT campaign_id, country, count(*) FROM signatures WHERE status = 'confirmed' GROUP BY campaign_id, country
      ON CONFLICT (campaign_id, country) DO UPDATE SET confirmed = EXCLUDED.confirmed`.execute(db);
    expect((await getCampaignCounts(db, campaign.id)).total).toBe(6);

    const result = await migrator.migrateToLatest();
    expect(result.error).toBeUndefined();

    const after = await sql<{ id: number; status: string; email: string | null; email_normalized: string | null; invalidation_reason: string | null }>`
      SELECT id, status, email, email_normalized, invalidation_reason FROM signatures ORDER BY id`.execute(db);
    expect(after.rows.map((r) => [r.status, r.email_normalized, r.invalidation_reason])).toEqual([
      ["invalidated", null, "duplicate-email"],
      ["confirmed", "ayeshakhan@gmail.com", null], // the earliest of those that count
      ["invalidated", null, "duplicate-email"],
      ["confirmed", "bilal.ahmed@outlook.com", null],
      ["invalidated", null, "duplicate-email"],
      ["confirmed", "bilalahmed@outlook.com", null],
      ["confirmed", "c.d+x@example.org", null],
      ["confirmed", "cd@example.org", null],
      ["confirmed", "ayeshakhan@gmail.com", null],
      ["disowned", null, null],
    ]);
    // The address as typed stays, for sending.
    expect(after.rows.map((r) => r.email)).toEqual(rows.map((r) => r.email));

    // The confirmed repeat left the count through the ledger: folded counts equal a recount.
    await foldAllCountChanges(db);
    const folded = await getCampaignCounts(db, campaign.id);
    expect(folded.total).toBe(5);
    expect(folded.total).toBe((await countConfirmedFromScratch(db, campaign.id)).total);
    expect((await getCampaignCounts(db, other.id)).total).toBe(1);

    // The unique key now holds the canonical form: another Gmail spelling cannot sign again.
    await expect(
      sql`INSERT INTO signatures (campaign_id, email, email_normalized, country, consent_version, locale)
          VALUES (${campaign.id}, 'ayesha.khan+again@gmail.com', 'ayeshakhan@gmail.com', 'PK', 'v1', 'en')`.execute(db),
    ).rejects.toThrow(/signatures_one_per_email/);
  });
});
