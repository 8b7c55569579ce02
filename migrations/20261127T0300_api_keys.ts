import { sql, type Kysely } from "kysely";

// Per-organisation API keys for the OSDI API, and a modified date on signatures so API clients
// can sync what changed. Never imports app code.

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE api_keys (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      organisation_id bigint NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
      scope text NOT NULL CHECK (scope IN ('read', 'write')),
      key_hash bytea NOT NULL UNIQUE CHECK (length(key_hash) = 32),
      -- the first characters of the key, so owners can tell their keys apart; never enough to use
      hint text NOT NULL CHECK (length(hint) <= 16),
      created_by bigint REFERENCES users (id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      last_used_at timestamptz,
      revoked_at timestamptz,
      revoked_by bigint REFERENCES users (id) ON DELETE SET NULL
    )`.execute(db);
  await sql`CREATE INDEX api_keys_organisation ON api_keys (organisation_id, created_at DESC)`.execute(db);

  // Every change to a signature moves updated_at, whichever code path makes it: a trigger, so a
  // new UPDATE written next year cannot forget it.
  await sql`ALTER TABLE signatures ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now()`.execute(db);
  await sql`
    UPDATE signatures SET updated_at = greatest(created_at, confirmation_requested_at, confirmed_at, disowned_at, erased_at, unsubscribed_at)`.execute(
    db,
  );
  await sql`
    CREATE FUNCTION signatures_touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      NEW.updated_at := now();
      RETURN NEW;
    END $$`.execute(db);
  await sql`
    CREATE TRIGGER signatures_updated_at BEFORE UPDATE ON signatures
    FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION signatures_touch_updated_at()`.execute(db);
  await sql`CREATE INDEX signatures_campaign_updated ON signatures (campaign_id, updated_at)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TRIGGER IF EXISTS signatures_updated_at ON signatures`.execute(db);
  await sql`DROP FUNCTION IF EXISTS signatures_touch_updated_at()`.execute(db);
  await sql`DROP INDEX IF EXISTS signatures_campaign_updated`.execute(db);
  await sql`ALTER TABLE signatures DROP COLUMN IF EXISTS updated_at`.execute(db);
  await sql`DROP TABLE IF EXISTS api_keys`.execute(db);
}
