import { sql, type Kysely } from "kysely";

// Partners' logos, decision-makers' responses and goal milestones. Never imports app code.

export async function up(db: Kysely<unknown>): Promise<void> {
  // A small WebP kept in Postgres so every web server can serve it; the hash names the version in
  // its URL, so the URL can be cached forever and changes when the logo does.
  await sql`
    ALTER TABLE organisations
      ADD COLUMN logo bytea CHECK (octet_length(logo) <= 262144),
      ADD COLUMN logo_hash text CHECK (logo_hash ~ '^[a-f0-9]{16}$'),
      ADD CONSTRAINT organisations_logo_pair CHECK ((logo IS NULL) = (logo_hash IS NULL))`.execute(db);

  // One response per decision-maker; recording again replaces it. A target dropped from the
  // campaign takes its response with it.
  await sql`
    CREATE TABLE campaign_target_responses (
      target_id bigint PRIMARY KEY REFERENCES campaign_targets (id) ON DELETE CASCADE,
      campaign_id bigint NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
      responded_on date NOT NULL,
      summary text NOT NULL CHECK (length(summary) BETWEEN 1 AND 2000),
      link text CHECK (link ~ '^https://' AND length(link) <= 2000),
      recorded_by bigint REFERENCES users (id) ON DELETE SET NULL,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX campaign_target_responses_campaign ON campaign_target_responses (campaign_id)`.execute(db);

  // The row is the at-most-once guard: a milestone's email is queued with its row, never again.
  await sql`
    CREATE TABLE campaign_milestones (
      campaign_id bigint NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
      percent integer NOT NULL CHECK (percent IN (25, 50, 75, 100)),
      confirmed integer NOT NULL,
      reached_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (campaign_id, percent)
    )`.execute(db);
  // Milestones passed before this release are recorded without email: no burst of stale news.
  await sql`
    INSERT INTO campaign_milestones (campaign_id, percent, confirmed)
    SELECT c.id, p.percent, n.confirmed
    FROM campaigns c JOIN campaign_counts n ON n.campaign_id = c.id
    CROSS JOIN (VALUES (25), (50), (75), (100)) AS p (percent)
    WHERE n.confirmed::bigint * 100 >= c.goal::bigint * p.percent`.execute(db);

  // Campaigns created since the ask versions were introduced but without their current version row.
  await sql`
    INSERT INTO campaign_ask_versions (campaign_id, version, ask, addressed_to, targets, created_at)
    SELECT c.id, c.ask_version, c.ask, c.addressed_to,
           COALESCE((SELECT jsonb_agg(jsonb_build_object('name', t.name, 'role', t.role, 'country', t.country) ORDER BY t.position)
                     FROM campaign_targets t WHERE t.campaign_id = c.id), '[]'),
           c.created_at
    FROM campaigns c
    ON CONFLICT (campaign_id, version) DO NOTHING`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS campaign_milestones`.execute(db);
  await sql`DROP TABLE IF EXISTS campaign_target_responses`.execute(db);
  await sql`
    ALTER TABLE organisations
      DROP CONSTRAINT IF EXISTS organisations_logo_pair, DROP COLUMN IF EXISTS logo_hash, DROP COLUMN IF EXISTS logo`.execute(db);
}
