/**
 * One built web server per security test file, with a database and a Redis prefix of its own.
 * The server runs as `NODE_ENV=production` (the build an attacker meets), with the test's own
 * session secret, so a test can sign cookies and form stamps itself.
 */
import { sql } from "kysely";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { TEST_SESSION_SECRET } from "../support/organisers";
import { createTestUser } from "../support/fixtures";
import { deletePrefix, uniquePrefix } from "../support/redis";
import { startWeb, type RunningProcess } from "../support/web";

export interface SecurityStack {
  tdb: TestDatabase;
  web: RunningProcess;
  prefix: string;
  stop(): Promise<void>;
}

export async function startSecurityStack(label: string, env: Record<string, string> = {}): Promise<SecurityStack> {
  const prefix = uniquePrefix(label);
  const tdb = await createTestDatabase(label);
  let web: RunningProcess;
  try {
    web = await startWeb({ NODE_ENV: "production", DATABASE_URL: tdb.url, REDIS_PREFIX: prefix, SESSION_SECRET: TEST_SESSION_SECRET, ...env });
  } catch (error) {
    await tdb.drop();
    throw error;
  }
  return {
    tdb,
    web,
    prefix,
    async stop() {
      await web.stop();
      await tdb.drop();
      await deletePrefix(prefix);
    },
  };
}

/** A confirmed account with a known password (scrypt-hashed like any other). */
export async function createAccount(tdb: TestDatabase, password = "correct horse battery staple") {
  const { email } = await createTestUser(tdb.db, "user", "owner", { password, displayName: "Owner" });
  return { email, password };
}

/** How many rows each table holds: a request that must change nothing leaves this unchanged. */
export async function rowCounts(tdb: TestDatabase): Promise<Record<string, number>> {
  const tables = await sql<{ name: string }>`
    SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' AND tablename NOT LIKE 'kysely_%' ORDER BY 1`.execute(tdb.db);
  const counts: Record<string, number> = {};
  for (const { name } of tables.rows) {
    const row = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(name)}`.execute(tdb.db);
    counts[name] = row.rows[0]!.n;
  }
  return counts;
}
