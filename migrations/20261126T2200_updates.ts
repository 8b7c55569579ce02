import { sql, type Kysely } from "kysely";

// Updates from organisers to their signers, and one delivery row per (update, signature): the
// row is the sent-log that makes each delivery happen at most once. Never imports app code.

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE signatures ADD COLUMN unsubscribed_at timestamptz`.execute(db);
  await sql`
    CREATE TABLE updates (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      campaign_id bigint NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
      author_id bigint REFERENCES users (id) ON DELETE SET NULL,
      subject text NOT NULL CHECK (length(subject) BETWEEN 1 AND 200),
      body_md text NOT NULL CHECK (length(body_md) BETWEEN 1 AND 50000),
      countries text[],
      status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'sending', 'sent')),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      queued_at timestamptz,
      finished_at timestamptz
    )`.execute(db);
  await sql`CREATE INDEX updates_campaign ON updates (campaign_id, created_at DESC)`.execute(db);
  await sql`
    CREATE TABLE update_deliveries (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      update_id bigint NOT NULL REFERENCES updates (id) ON DELETE CASCADE,
      signature_id bigint NOT NULL REFERENCES signatures (id) ON DELETE CASCADE,
      status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sending', 'sent', 'failed')),
      attempts integer NOT NULL DEFAULT 0,
      error text,
      unsubscribe_token_hash bytea UNIQUE CHECK (unsubscribe_token_hash IS NULL OR length(unsubscribe_token_hash) = 32),
      claimed_at timestamptz,
      sent_at timestamptz,
      UNIQUE (update_id, signature_id)
    )`.execute(db);
  await sql`CREATE INDEX update_deliveries_queue ON update_deliveries (update_id, id) WHERE status = 'queued'`.execute(db);
  await sql`CREATE INDEX update_deliveries_sending ON update_deliveries (claimed_at) WHERE status = 'sending'`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS update_deliveries`.execute(db);
  await sql`DROP TABLE IF EXISTS updates`.execute(db);
  await sql`ALTER TABLE signatures DROP COLUMN IF EXISTS unsubscribed_at`.execute(db);
}
