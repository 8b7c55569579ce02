import { randomBytes } from "node:crypto";
import pg from "pg";
import { createDb, type Database } from "~/db/db.server";
import { migrateToLatest } from "~/db/migrate.server";

export const PG_ADMIN_URL = process.env.TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

export interface TestDatabase {
  name: string;
  url: string;
  db: Database;
  drop(): Promise<void>;
}

/** A fresh, migrated database of this test's own; dropped by `drop()`. */
export async function createTestDatabase(label = "t"): Promise<TestDatabase> {
  const name = `banner_test_${label.replace(/[^a-z0-9]/gi, "").slice(0, 20).toLowerCase()}_${randomBytes(5).toString("hex")}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  const db = createDb({ connectionString: url.toString(), max: 10, applicationName: "banner-test" });
  await migrateToLatest(db);
  return {
    name,
    url: url.toString(),
    db,
    async drop() {
      await db.destroy().catch(() => undefined);
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
    },
  };
}
