import { sql, type Kysely } from "kysely";

// Organisers' campaign lifecycle: draft → in_review → published → closed, with an admin review,
// an optional deadline and the decision-makers a campaign addresses. Never imports app code.

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE campaigns DROP CONSTRAINT campaigns_status_check`.execute(db);
  await sql`
    ALTER TABLE campaigns ADD CONSTRAINT campaigns_status_check
    CHECK (status IN ('draft', 'in_review', 'published', 'closed'))`.execute(db);
  await sql`
    ALTER TABLE campaigns
      ADD COLUMN created_by bigint REFERENCES users (id) ON DELETE SET NULL,
      ADD COLUMN deadline_at timestamptz,
      ADD COLUMN submitted_at timestamptz,
      ADD COLUMN reviewed_at timestamptz,
      ADD COLUMN reviewed_by bigint REFERENCES users (id) ON DELETE SET NULL,
      ADD COLUMN review_note text`.execute(db);
  await sql`CREATE INDEX campaigns_in_review ON campaigns (submitted_at) WHERE status = 'in_review'`.execute(db);
  await sql`CREATE INDEX campaigns_deadline ON campaigns (deadline_at) WHERE status = 'published' AND deadline_at IS NOT NULL`.execute(db);

  await sql`
    CREATE TABLE campaign_targets (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      campaign_id bigint NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
      position integer NOT NULL,
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      role text NOT NULL DEFAULT '',
      country char(2) CHECK (country IS NULL OR country ~ '^[A-Z]{2}$'),
      UNIQUE (campaign_id, position)
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS campaign_targets`.execute(db);
  await sql`
    ALTER TABLE campaigns
      DROP COLUMN IF EXISTS created_by, DROP COLUMN IF EXISTS deadline_at, DROP COLUMN IF EXISTS submitted_at,
      DROP COLUMN IF EXISTS reviewed_at, DROP COLUMN IF EXISTS reviewed_by, DROP COLUMN IF EXISTS review_note`.execute(db);
  await sql`UPDATE campaigns SET status = 'draft' WHERE status = 'in_review'`.execute(db);
  await sql`ALTER TABLE campaigns DROP CONSTRAINT campaigns_status_check`.execute(db);
  await sql`ALTER TABLE campaigns ADD CONSTRAINT campaigns_status_check CHECK (status IN ('draft', 'published', 'closed'))`.execute(db);
}
