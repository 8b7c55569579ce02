import { sql, type Kysely } from "kysely";

// Campaign hero images, kept in Postgres (not on one web server's disk) so every web server can
// serve them; each upload is stored re-encoded, once per width. Never imports app code.

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE campaign_images (
      campaign_id bigint NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
      hash text NOT NULL CHECK (hash ~ '^[0-9a-f]{16}$'),
      width integer NOT NULL CHECK (width BETWEEN 1 AND 4096),
      height integer NOT NULL CHECK (height BETWEEN 1 AND 8192),
      content_type text NOT NULL CHECK (content_type = 'image/webp'),
      data bytea NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (campaign_id, hash, width)
    )`.execute(db);
  // The campaign's current hero: which stored image, and the text that stands in for it.
  await sql`
    CREATE TABLE campaign_heroes (
      campaign_id bigint PRIMARY KEY REFERENCES campaigns (id) ON DELETE CASCADE,
      hash text NOT NULL CHECK (hash ~ '^[0-9a-f]{16}$'),
      alt text NOT NULL CHECK (length(alt) BETWEEN 1 AND 300),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS campaign_heroes`.execute(db);
  await sql`DROP TABLE IF EXISTS campaign_images`.execute(db);
}
