import { promises as fs } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { Migrator, type Kysely, type Migration, type MigrationProvider, type MigrationResultSet } from "kysely";
import pg from "pg";

/**
 * Kysely's FileMigrationProvider imports from inside node_modules, where neither plain Node 20
 * nor vitest can load TypeScript; this provider's import() sits in our code, so tsx and vitest
 * transform the migration files.
 */
export class OwnFileMigrationProvider implements MigrationProvider {
  constructor(private readonly folder: string) {}

  async getMigrations(): Promise<Record<string, Migration>> {
    const files = (await fs.readdir(this.folder)).filter((f) => /^\d{8}T\d{4}_[a-z0-9_]+\.ts$/.test(f)).sort();
    const migrations: Record<string, Migration> = {};
    for (const file of files) {
      const mod = (await import(pathToFileURL(path.join(this.folder, file)).href)) as Migration;
      migrations[file.replace(/\.ts$/, "")] = { up: mod.up, down: mod.down };
    }
    return migrations;
  }
}

export const MIGRATIONS_FOLDER = path.resolve(import.meta.dirname, "../../migrations");

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the migrator works on any schema
export async function migrateToLatest(db: Kysely<any>, folder = MIGRATIONS_FOLDER): Promise<MigrationResultSet> {
  const migrator = new Migrator({ db, provider: new OwnFileMigrationProvider(folder) });
  const result = await migrator.migrateToLatest();
  if (result.error) throw result.error;
  return result;
}

/** Creates the database named in the URL when it does not exist yet. */
export async function ensureDatabase(databaseUrl: string): Promise<boolean> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ""));
  if (!/^[a-zA-Z0-9_-]{1,63}$/.test(name)) throw new Error(`DATABASE_URL names an unusable database: "${name}"`);
  const admin = new URL(databaseUrl);
  admin.pathname = "/postgres";
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const exists = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (exists.rowCount) return false;
    try {
      await client.query(`CREATE DATABASE "${name}"`);
    } catch (error) {
      // Another process created it between our check and our CREATE.
      if ((error as { code?: string }).code !== "42P04") throw error;
      return false;
    }
    return true;
  } finally {
    await client.end();
  }
}
