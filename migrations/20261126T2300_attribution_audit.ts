import { sql, type Kysely } from "kysely";

// Shared ground for partners, sharing, ask versions, consent purposes and the audit trail: what a
// signature records about how it came (partner, referrer, channel, source) and what it agreed to.
// Never imports app code.

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE campaign_partners (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      campaign_id bigint NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
      organisation_id bigint NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
      status text NOT NULL DEFAULT 'invited' CHECK (status IN ('invited', 'accepted', 'declined', 'removed')),
      share_code text NOT NULL UNIQUE CHECK (share_code ~ '^[a-z0-9]{6,32}$'),
      invited_by bigint REFERENCES users (id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      responded_at timestamptz,
      UNIQUE (campaign_id, organisation_id)
    )`.execute(db);

  // The ask and its addressees as they were at each version: signatures point at the one they signed.
  await sql`
    CREATE TABLE campaign_ask_versions (
      campaign_id bigint NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
      version integer NOT NULL CHECK (version >= 1),
      ask text NOT NULL,
      addressed_to text NOT NULL,
      targets jsonb NOT NULL DEFAULT '[]',
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (campaign_id, version)
    )`.execute(db);
  await sql`
    INSERT INTO campaign_ask_versions (campaign_id, version, ask, addressed_to, targets, created_at)
    SELECT c.id, c.ask_version, c.ask, c.addressed_to,
           COALESCE((SELECT jsonb_agg(jsonb_build_object('name', t.name, 'role', t.role, 'country', t.country) ORDER BY t.position)
                     FROM campaign_targets t WHERE t.campaign_id = c.id), '[]'),
           c.created_at
    FROM campaigns c`.execute(db);

  await sql`
    ALTER TABLE signatures
      ADD COLUMN ask_version integer NOT NULL DEFAULT 1,
      ADD COLUMN partner_id bigint REFERENCES campaign_partners (id) ON DELETE SET NULL,
      ADD COLUMN opt_in_partner boolean NOT NULL DEFAULT false,
      ADD COLUMN consent_purposes text[] NOT NULL DEFAULT '{petition}',
      ADD COLUMN referral_code text UNIQUE CHECK (referral_code ~ '^[a-z0-9]{8,32}$'),
      ADD COLUMN referred_by bigint REFERENCES signatures (id) ON DELETE SET NULL,
      ADD COLUMN referral_channel text CHECK (referral_channel ~ '^[a-z]{1,16}$'),
      ADD COLUMN source text NOT NULL DEFAULT 'web' CHECK (source IN ('web', 'widget', 'api'))`.execute(db);
  await sql`UPDATE signatures s SET ask_version = c.ask_version FROM campaigns c WHERE c.id = s.campaign_id`.execute(db);
  await sql`UPDATE signatures SET consent_purposes = '{petition,updates:host}' WHERE opt_in`.execute(db);
  await sql`CREATE INDEX signatures_partner ON signatures (partner_id) WHERE partner_id IS NOT NULL`.execute(db);
  await sql`CREATE INDEX signatures_referred_by ON signatures (referred_by) WHERE referred_by IS NOT NULL`.execute(db);

  await sql`
    CREATE TABLE audit_log (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      created_at timestamptz NOT NULL DEFAULT now(),
      actor_user_id bigint REFERENCES users (id) ON DELETE SET NULL,
      actor_label text NOT NULL,
      action text NOT NULL CHECK (action ~ '^[a-z][a-z0-9_.-]{1,63}$'),
      campaign_id bigint REFERENCES campaigns (id) ON DELETE SET NULL,
      organisation_id bigint REFERENCES organisations (id) ON DELETE SET NULL,
      subject text,
      details jsonb NOT NULL DEFAULT '{}',
      row_count bigint
    )`.execute(db);
  await sql`CREATE INDEX audit_log_created ON audit_log (created_at DESC, id DESC)`.execute(db);
  await sql`CREATE INDEX audit_log_actor ON audit_log (actor_user_id, created_at DESC)`.execute(db);
  await sql`CREATE INDEX audit_log_action ON audit_log (action, created_at DESC)`.execute(db);
  await sql`CREATE INDEX audit_log_campaign ON audit_log (campaign_id, created_at DESC)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS audit_log`.execute(db);
  await sql`
    ALTER TABLE signatures
      DROP COLUMN IF EXISTS source, DROP COLUMN IF EXISTS referral_channel, DROP COLUMN IF EXISTS referred_by,
      DROP COLUMN IF EXISTS referral_code, DROP COLUMN IF EXISTS consent_purposes, DROP COLUMN IF EXISTS opt_in_partner,
      DROP COLUMN IF EXISTS partner_id, DROP COLUMN IF EXISTS ask_version`.execute(db);
  await sql`DROP TABLE IF EXISTS campaign_ask_versions`.execute(db);
  await sql`DROP TABLE IF EXISTS campaign_partners`.execute(db);
}
