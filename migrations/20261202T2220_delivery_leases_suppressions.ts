import { sql, type Kysely } from "kysely";

// Update deliveries are claimed with a lease: a worker that dies leaves its claims to expire and be
// tried again, instead of holding them for good. And a suppression list: addresses the mail server
// refused for good (5xx), keyed by normalised address, so later mail to them is skipped and not
// retried. Never imports app code.

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE update_deliveries ADD COLUMN lease_expires_at timestamptz`.execute(db);
  // Deliveries left 'sending' by an older version have no lease: treat them as expired now.
  await sql`UPDATE update_deliveries SET lease_expires_at = claimed_at WHERE status = 'sending'`.execute(db);
  await sql`CREATE INDEX update_deliveries_leases ON update_deliveries (update_id, lease_expires_at) WHERE status = 'sending'`.execute(db);
  await sql`
    CREATE TABLE email_suppressions (
      email_normalized text PRIMARY KEY CHECK (length(email_normalized) BETWEEN 3 AND 320),
      reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
      smtp_code integer,
      kind text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX email_suppressions_recent ON email_suppressions (created_at DESC)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS email_suppressions`.execute(db);
  await sql`DROP INDEX IF EXISTS update_deliveries_leases`.execute(db);
  await sql`ALTER TABLE update_deliveries DROP COLUMN IF EXISTS lease_expires_at`.execute(db);
}
