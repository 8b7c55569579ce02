import { sql, type Kysely } from "kysely";

// An organisation's contact address: the Reply-To of the updates it sends to signers (the From
// address stays the platform's, so mail still passes SPF/DKIM). Optional. Never imports app code.

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE organisations
      ADD COLUMN contact_email text
      CHECK (contact_email IS NULL OR (length(contact_email) <= 254 AND contact_email ~ '^[^@[:space:]]+@[^@[:space:]]+$'))`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE organisations DROP COLUMN contact_email`.execute(db);
}
