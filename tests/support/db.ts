import { createHash, randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { createDb, type Database } from "~/db/db.server";
import { MIGRATIONS_FOLDER, migrateToLatest } from "~/db/migrate.server";

export const PG_ADMIN_URL = process.env.TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

export interface TestDatabase {
  name: string;
  url: string;
  db: Database;
  drop(): Promise<void>;
}

const TEMPLATE_PREFIX = "banner_tpl_";
/** Templates of other migration sets are dropped once nobody has built one for this long. */
const STALE_TEMPLATE_MS = 6 * 60 * 60 * 1000;
/** Any number will do, as long as every test process takes the same one. */
const TEMPLATE_LOCK_KEY = 0x62616e6e; // "bann"

function databaseUrl(name: string): string {
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * The template's name carries a hash of the migration files, so a changed or added migration
 * gets a template of its own and a run never copies a schema older than its code.
 */
export function templateName(folder = MIGRATIONS_FOLDER): string {
  const hash = createHash("sha256");
  for (const file of readdirSync(folder).filter((f) => f.endsWith(".ts")).sort()) {
    hash.update(file).update("\0").update(readFileSync(path.join(folder, file))).update("\0");
  }
  return `${TEMPLATE_PREFIX}${hash.digest("hex").slice(0, 16)}`;
}

/**
 * Makes sure a migrated template database exists. Every vitest worker (and every worktree
 * sharing this Postgres) may race here: a session-level advisory lock lets one build it while the
 * others wait, and the template is only marked IS_TEMPLATE once its migrations are in, so a
 * half-built one (a run killed mid-way) is recognised and rebuilt.
 */
async function ensureTemplate(name: string): Promise<void> {
  await withAdmin(async (admin) => {
    await admin.query("SELECT pg_advisory_lock($1)", [TEMPLATE_LOCK_KEY]);
    try {
      const found = await admin.query<{ datistemplate: boolean }>("SELECT datistemplate FROM pg_database WHERE datname = $1", [name]);
      if (found.rows[0]?.datistemplate) return;
      if (found.rowCount) await admin.query(`DROP DATABASE "${name}" WITH (FORCE)`);
      await admin.query(`CREATE DATABASE "${name}"`);
      const db = createDb({ connectionString: databaseUrl(name), max: 2, applicationName: "banner-test-template" });
      try {
        await migrateToLatest(db);
      } finally {
        await db.destroy();
      }
      await admin.query(`COMMENT ON DATABASE "${name}" IS '${new Date().toISOString()}'`);
      await admin.query(`ALTER DATABASE "${name}" WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`);
      await dropStaleTemplates(admin, name);
    } finally {
      await admin.query("SELECT pg_advisory_unlock($1)", [TEMPLATE_LOCK_KEY]);
    }
  });
}

/** Templates of other migration sets, built more than STALE_TEMPLATE_MS ago (ours only: by prefix). */
async function dropStaleTemplates(admin: pg.Client, keep: string): Promise<void> {
  const others = await admin.query<{ datname: string; built: string | null }>(
    "SELECT datname, shobj_description(oid, 'pg_database') AS built FROM pg_database WHERE datname LIKE $1 AND datname <> $2",
    [`${TEMPLATE_PREFIX}%`, keep],
  );
  for (const { datname, built } of others.rows) {
    const at = built ? Date.parse(built) : NaN;
    if (Number.isFinite(at) && Date.now() - at < STALE_TEMPLATE_MS) continue;
    await admin.query(`ALTER DATABASE "${datname}" WITH IS_TEMPLATE false`).catch(() => undefined);
    await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`).catch(() => undefined);
  }
}

let template: Promise<string> | undefined;

function migratedTemplate(): Promise<string> {
  if (!template) {
    const name = templateName();
    template = ensureTemplate(name).then(
      () => name,
      (error: unknown) => {
        template = undefined;
        throw error;
      },
    );
  }
  return template;
}

/**
 * A fresh, migrated database of this test's own; dropped by `drop()`. It is a copy of a template
 * migrated once per migration set (CREATE DATABASE … TEMPLATE takes milliseconds where running
 * every migration took seconds).
 */
export async function createTestDatabase(label = "t"): Promise<TestDatabase> {
  const name = `banner_test_${label.replace(/[^a-z0-9]/gi, "").slice(0, 20).toLowerCase()}_${randomBytes(5).toString("hex")}`;
  for (let attempt = 1; ; attempt++) {
    const source = await migratedTemplate();
    try {
      await withAdmin((admin) => admin.query(`CREATE DATABASE "${name}" TEMPLATE "${source}"`));
      break;
    } catch (error) {
      // 3D000: the template was dropped under us (a stale-template sweep elsewhere); build it again.
      // 55006: someone is connected to the template for a moment; wait and try again.
      const code = (error as { code?: string }).code;
      if (attempt >= 5 || (code !== "3D000" && code !== "55006")) throw error;
      if (code === "3D000") template = undefined;
      await new Promise((r) => setTimeout(r, 200 * attempt));
    }
  }
  const url = databaseUrl(name);
  const db = createDb({ connectionString: url, max: 10, applicationName: "banner-test" });
  return {
    name,
    url,
    db,
    async drop() {
      await db.destroy().catch(() => undefined);
      await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}

/**
 * A connection pool to a database someone else made and drops (the integration run's shared
 * one, tests/support/shared-web.ts): `drop()` only closes the pool.
 */
export function connectTestDatabase(name: string, url: string): TestDatabase {
  const db = createDb({ connectionString: url, max: 10, applicationName: "banner-test" });
  return {
    name,
    url,
    db,
    async drop() {
      await db.destroy().catch(() => undefined);
    },
  };
}
