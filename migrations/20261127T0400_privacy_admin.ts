import { sql, type Kysely } from "kysely";

// Self-service erasure: a request per address, confirmed by an emailed link. Never imports app code.

export async function up(db: Kysely<unknown>): Promise<void> {
  // The address is kept only until the request is used or expires (retention deletes it then);
  // the link's token is made by the worker when it sends the email, and only its hash is stored.
  await sql`
    CREATE TABLE erasure_requests (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      email_normalized text,
      locale text NOT NULL DEFAULT 'en',
      token_hash bytea UNIQUE CHECK (token_hash IS NULL OR length(token_hash) = 32),
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      used_at timestamptz,
      erased_count integer
    )`.execute(db);
  await sql`CREATE INDEX erasure_requests_expires ON erasure_requests (expires_at)`.execute(db);
  // Erasure finds every signature of one address across all campaigns; the unique index starts
  // with the campaign, so it cannot serve that lookup.
  await sql`CREATE INDEX signatures_email_normalized ON signatures (email_normalized) WHERE email_normalized IS NOT NULL`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX IF EXISTS signatures_email_normalized`.execute(db);
  await sql`DROP TABLE IF EXISTS erasure_requests`.execute(db);
}
