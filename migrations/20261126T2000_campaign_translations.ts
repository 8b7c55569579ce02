import { sql, type Kysely } from "kysely";

// Campaign content per language. Migrations never import app code.
//
// A campaign's own row holds its content in its default language (campaigns.locale); each row
// here holds a translation. `ask_version` says which version of the ask a text was written for:
// a page only uses a translation whose ask_version equals the campaign's, so no reader is ever
// shown an ask that differs from the one the signatures are counted for.

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE campaigns ADD COLUMN ask_version integer NOT NULL DEFAULT 1 CHECK (ask_version > 0)`.execute(db);
  await sql`
    CREATE TABLE campaign_translations (
      campaign_id bigint NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
      locale text NOT NULL CHECK (locale ~ '^[a-z]{2,3}$'),
      title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
      summary text NOT NULL,
      ask text NOT NULL,
      addressed_to text NOT NULL,
      argument_md text NOT NULL,
      ask_version integer NOT NULL DEFAULT 1 CHECK (ask_version > 0),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (campaign_id, locale)
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS campaign_translations`.execute(db);
  await sql`ALTER TABLE campaigns DROP COLUMN IF EXISTS ask_version`.execute(db);
}
