import { sql, type Kysely } from "kysely";

// Faults: the relay claims outbox rows with a short lease instead of holding a transaction across
// its Redis call; the sweeper names the jobs it re-enqueues (job_key) so each is added once; and
// the sweeper finds "no verification email recorded" by signature. Never imports app code.

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE outbox ADD COLUMN claimed_until timestamptz`.execute(db);
  await sql`ALTER TABLE outbox ADD COLUMN job_key text`.execute(db);
  await sql`CREATE UNIQUE INDEX outbox_job_key ON outbox (job_key) WHERE job_key IS NOT NULL`.execute(db);
  await sql`CREATE INDEX sent_emails_signature ON sent_emails (signature_id) WHERE signature_id IS NOT NULL`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX IF EXISTS sent_emails_signature`.execute(db);
  await sql`DROP INDEX IF EXISTS outbox_job_key`.execute(db);
  await sql`ALTER TABLE outbox DROP COLUMN IF EXISTS job_key`.execute(db);
  await sql`ALTER TABLE outbox DROP COLUMN IF EXISTS claimed_until`.execute(db);
}
