import { sql, type Kysely } from "kysely";

// The campaign's story continues on its page: updates sent to signers are also published on the
// campaign page unless the organiser says otherwise, and organisers can hide a signer's public
// reason for signing. Never imports app code.

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE updates ADD COLUMN published_on_page boolean NOT NULL DEFAULT true`.execute(db);
  await sql`
    ALTER TABLE signatures
      ADD COLUMN comment_hidden_at timestamptz,
      ADD COLUMN comment_hidden_by bigint REFERENCES users (id) ON DELETE SET NULL`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE signatures DROP COLUMN comment_hidden_by, DROP COLUMN comment_hidden_at`.execute(db);
  await sql`ALTER TABLE updates DROP COLUMN published_on_page`.execute(db);
}
