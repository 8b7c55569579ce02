import { sql, type Kysely } from "kysely";

// Fraud defences: signatures keyed by their canonical address, and admin invalidations that can be
// undone. Never imports app code.

// The canonical address as canonicalEmail() in app/modules/signatures/signatures.schema.ts defined
// it on the day this migration was written: lower case; googlemail.com is gmail.com; Gmail ignores
// dots and +tags; these providers ignore +tags.
const PLUS_TAG_DOMAINS = [
  "gmail.com", "outlook.com", "hotmail.com", "live.com", "msn.com", "icloud.com", "me.com", "mac.com",
  "proton.me", "protonmail.com", "pm.me", "fastmail.com", "yandex.ru", "yandex.com", "zoho.com",
];

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE signatures
      ADD COLUMN invalidated_at timestamptz,
      ADD COLUMN invalidation_reason text CHECK (invalidation_reason IN ('duplicate-email', 'admin'))`.execute(db);

  // 1. Every stored address's canonical form, and its rank among the rows of its campaign that
  //    share it: the one that counts (confirmed, else pending) and, among those, the earliest.
  await sql`
    CREATE TEMPORARY TABLE canonical_emails ON COMMIT DROP AS
    WITH parts AS (
      SELECT id, campaign_id, status, created_at,
             left(lower(btrim(email)), length(lower(btrim(email))) - strpos(reverse(lower(btrim(email))), '@')) AS local,
             CASE WHEN split_part(lower(btrim(email)), '@', -1) = 'googlemail.com' THEN 'gmail.com'
                  ELSE split_part(lower(btrim(email)), '@', -1) END AS domain
      FROM signatures
      WHERE email IS NOT NULL AND strpos(email, '@') > 1
    ),
    untagged AS (
      SELECT p.*, CASE WHEN domain = ANY(${PLUS_TAG_DOMAINS}::text[]) AND split_part(local, '+', 1) <> ''
                       THEN split_part(local, '+', 1) ELSE local END AS local1
      FROM parts p
    ),
    canonical AS (
      SELECT u.*, CASE WHEN domain = 'gmail.com' AND replace(local1, '.', '') <> '' THEN replace(local1, '.', '') ELSE local1 END
                  || '@' || domain AS canonical
      FROM untagged u
    )
    SELECT id, canonical,
           row_number() OVER (PARTITION BY campaign_id, canonical
                              ORDER BY CASE status WHEN 'confirmed' THEN 0 WHEN 'pending' THEN 1 ELSE 2 END, created_at, id) AS rank
    FROM canonical`.execute(db);

  // 2. The later rows of a collapsed group are repeats: they stop counting (a -1 in the count
  //    ledger for each confirmed one, so the folded counts stay exact) and give up the key.
  await sql`
    INSERT INTO signature_count_changes (campaign_id, country, day, delta)
    SELECT s.campaign_id, s.country, (s.confirmed_at AT TIME ZONE 'UTC')::date, -1
    FROM signatures s JOIN canonical_emails c ON c.id = s.id
    WHERE c.rank > 1 AND s.status = 'confirmed'`.execute(db);
  await sql`
    UPDATE signatures s
    SET status = CASE WHEN s.status IN ('pending', 'confirmed') THEN 'invalidated' ELSE s.status END,
        invalidated_at = CASE WHEN s.status IN ('pending', 'confirmed') THEN now() ELSE s.invalidated_at END,
        invalidation_reason = CASE WHEN s.status IN ('pending', 'confirmed') THEN 'duplicate-email' ELSE s.invalidation_reason END,
        email_normalized = NULL
    FROM canonical_emails c
    WHERE c.id = s.id AND c.rank > 1`.execute(db);
  // 3. The rest take their canonical key. The form is idempotent, so no row still holds a key
  //    another row is about to take: the unique index never sees a transient clash.
  await sql`
    UPDATE signatures s SET email_normalized = c.canonical
    FROM canonical_emails c
    WHERE c.id = s.id AND c.rank = 1 AND s.email_normalized IS DISTINCT FROM c.canonical`.execute(db);

  await sql`
    CREATE TABLE invalidations (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      campaign_id bigint NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
      actor_user_id bigint REFERENCES users (id) ON DELETE SET NULL,
      actor_label text NOT NULL,
      criteria jsonb NOT NULL,
      reason text,
      signature_count integer NOT NULL DEFAULT 0,
      confirmed_count integer NOT NULL DEFAULT 0,
      created_at timestamptz NOT NULL DEFAULT now(),
      undone_at timestamptz,
      undone_by bigint REFERENCES users (id) ON DELETE SET NULL
    )`.execute(db);
  await sql`CREATE INDEX invalidations_campaign ON invalidations (campaign_id, created_at DESC)`.execute(db);
  // Which signatures one invalidation took, and the state each had: what an undo restores.
  await sql`
    CREATE TABLE invalidation_signatures (
      invalidation_id bigint NOT NULL REFERENCES invalidations (id) ON DELETE CASCADE,
      signature_id bigint NOT NULL REFERENCES signatures (id) ON DELETE CASCADE,
      previous_status text NOT NULL CHECK (previous_status IN ('pending', 'confirmed')),
      PRIMARY KEY (invalidation_id, signature_id)
    )`.execute(db);
  await sql`CREATE INDEX invalidation_signatures_signature ON invalidation_signatures (signature_id)`.execute(db);
  // The fraud views group recent signatures of a campaign by time.
  await sql`CREATE INDEX signatures_campaign_created ON signatures (campaign_id, created_at)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX IF EXISTS signatures_campaign_created`.execute(db);
  await sql`DROP TABLE IF EXISTS invalidation_signatures`.execute(db);
  await sql`DROP TABLE IF EXISTS invalidations`.execute(db);
  // Canonical keys stay: they are valid lower-cased keys too, and folding them back could clash.
  await sql`ALTER TABLE signatures DROP COLUMN IF EXISTS invalidation_reason, DROP COLUMN IF EXISTS invalidated_at`.execute(db);
}
