import { sql, type Kysely } from "kysely";

// Two things about update deliveries. A fencing token: every claim of a delivery bumps its
// `lease_generation`, and a drain may renew or record a delivery only with the generation it
// claimed, so a drain that stalled past its lease cannot overwrite the work of the drain that took
// the delivery over. And unsubscribe tokens in a table of their own, one row per message sent: a
// delivery sent twice (a retry after a lapsed lease) keeps the first message's link working, where
// the single column on the delivery was overwritten by the second. Never imports app code.

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE update_deliveries ADD COLUMN lease_generation integer NOT NULL DEFAULT 0`.execute(db);
  await sql`
    CREATE TABLE update_unsubscribe_tokens (
      token_hash bytea PRIMARY KEY CHECK (length(token_hash) = 32),
      delivery_id bigint NOT NULL REFERENCES update_deliveries(id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX update_unsubscribe_tokens_delivery ON update_unsubscribe_tokens (delivery_id)`.execute(db);
  await sql`
    INSERT INTO update_unsubscribe_tokens (token_hash, delivery_id)
    SELECT unsubscribe_token_hash, id FROM update_deliveries WHERE unsubscribe_token_hash IS NOT NULL`.execute(db);
  await sql`ALTER TABLE update_deliveries DROP COLUMN unsubscribe_token_hash`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE update_deliveries ADD COLUMN IF NOT EXISTS unsubscribe_token_hash bytea UNIQUE CHECK (unsubscribe_token_hash IS NULL OR length(unsubscribe_token_hash) = 32)`.execute(db);
  // One column holds one link per delivery: the newest message's (as before this migration).
  await sql`
    UPDATE update_deliveries AS d SET unsubscribe_token_hash = t.token_hash
    FROM (SELECT DISTINCT ON (delivery_id) delivery_id, token_hash FROM update_unsubscribe_tokens ORDER BY delivery_id, created_at DESC) AS t
    WHERE d.id = t.delivery_id`.execute(db);
  await sql`DROP TABLE IF EXISTS update_unsubscribe_tokens`.execute(db);
  await sql`ALTER TABLE update_deliveries DROP COLUMN IF EXISTS lease_generation`.execute(db);
}
