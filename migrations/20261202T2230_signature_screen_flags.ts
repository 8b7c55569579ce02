import { sql, type Kysely } from "kysely";

// A sign form sent sooner than the minimum fill time is no longer dropped: people with autofill
// are that fast. It is stored like any other signature and marked, so the fraud view can show
// how many there are and an admin can take them out. Never imports app code.

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE signatures ADD COLUMN screen_flag text CHECK (screen_flag IN ('fast-form'))`.execute(db);
  await sql`CREATE INDEX signatures_screen_flag_idx ON signatures (campaign_id) WHERE screen_flag IS NOT NULL`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX IF EXISTS signatures_screen_flag_idx`.execute(db);
  await sql`ALTER TABLE signatures DROP COLUMN IF EXISTS screen_flag`.execute(db);
}
