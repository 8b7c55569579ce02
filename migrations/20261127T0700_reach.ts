import { sql, type Kysely } from "kysely";

// Reach: which sites may frame a campaign's widget, and the rendered social cards, cached in
// Postgres so every web server shares them. Never imports app code.

export async function up(db: Kysely<unknown>): Promise<void> {
  // An origin as browsers send it: scheme, host and an optional port, nothing else.
  await sql`
    CREATE TABLE campaign_embed_origins (
      campaign_id bigint NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
      origin text NOT NULL CHECK (origin ~ '^https?://[a-z0-9.-]+(:[0-9]{1,5})?$' AND length(origin) <= 200),
      added_by bigint REFERENCES users (id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (campaign_id, origin)
    )`.execute(db);

  // One card per campaign and language; `fingerprint` names what was drawn (title, count bucket,
  // layout version), so a changed count or title replaces the row instead of piling up versions.
  await sql`
    CREATE TABLE social_cards (
      campaign_id bigint NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
      locale text NOT NULL,
      fingerprint text NOT NULL,
      png bytea NOT NULL,
      rendered_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (campaign_id, locale)
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS social_cards`.execute(db);
  await sql`DROP TABLE IF EXISTS campaign_embed_origins`.execute(db);
}
