import { sql, type Kysely } from "kysely";

// Migrations never import app code: they describe the schema as it was on the day they were written.

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE campaigns (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 80),
      title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
      summary text NOT NULL,
      ask text NOT NULL,
      addressed_to text NOT NULL,
      argument_md text NOT NULL,
      goal integer NOT NULL CHECK (goal > 0),
      status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'closed')),
      locale text NOT NULL DEFAULT 'en',
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      published_at timestamptz,
      closed_at timestamptz
    )`.execute(db);

  await sql`
    CREATE TABLE signatures (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      campaign_id bigint NOT NULL REFERENCES campaigns (id),
      status text NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'confirmed', 'invalidated', 'disowned')),
      name text,
      email text,
      email_normalized text,
      country char(2) NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
      postal_code text,
      comment text,
      public_name boolean NOT NULL DEFAULT false,
      opt_in boolean NOT NULL DEFAULT false,
      consent_version text NOT NULL,
      locale text NOT NULL,
      ip_address inet,
      user_agent text,
      created_at timestamptz NOT NULL DEFAULT now(),
      confirmation_requested_at timestamptz NOT NULL DEFAULT now(),
      confirmed_at timestamptz,
      disowned_at timestamptz,
      erased_at timestamptz,
      CHECK ((status = 'confirmed') = (confirmed_at IS NOT NULL) OR status = 'invalidated')
    )`.execute(db);
  // One signature per person per campaign, enforced here and nowhere else.
  // Erased rows have a NULL address and so never block a new signature.
  await sql`CREATE UNIQUE INDEX signatures_one_per_email ON signatures (campaign_id, email_normalized)`.execute(db);
  await sql`
    CREATE INDEX signatures_recent_public ON signatures (campaign_id, confirmed_at DESC)
    WHERE status = 'confirmed' AND public_name`.execute(db);
  await sql`CREATE INDEX signatures_pending_created ON signatures (created_at) WHERE status = 'pending'`.execute(db);

  await sql`
    CREATE TABLE signature_tokens (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      signature_id bigint NOT NULL REFERENCES signatures (id) ON DELETE CASCADE,
      purpose text NOT NULL CHECK (purpose IN ('verify')),
      token_hash bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX signature_tokens_signature ON signature_tokens (signature_id)`.execute(db);

  // Transactional outbox: written with the change it announces, relayed to BullMQ and deleted.
  await sql`
    CREATE TABLE outbox (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      topic text NOT NULL,
      payload jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);

  await sql`
    CREATE TABLE sent_emails (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      dedupe_key text NOT NULL UNIQUE,
      kind text NOT NULL,
      signature_id bigint REFERENCES signatures (id) ON DELETE SET NULL,
      status text NOT NULL CHECK (status IN ('sent', 'failed')),
      message_id text,
      error text,
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);

  // Append-only ledger of count changes; the worker folds it into the tables below.
  await sql`
    CREATE TABLE signature_count_changes (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      campaign_id bigint NOT NULL REFERENCES campaigns (id),
      country char(2) NOT NULL,
      day date NOT NULL,
      delta integer NOT NULL CHECK (delta <> 0),
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`
    CREATE TABLE campaign_counts (
      campaign_id bigint PRIMARY KEY REFERENCES campaigns (id),
      confirmed integer NOT NULL DEFAULT 0,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`
    CREATE TABLE campaign_country_counts (
      campaign_id bigint NOT NULL REFERENCES campaigns (id),
      country char(2) NOT NULL,
      confirmed integer NOT NULL DEFAULT 0,
      PRIMARY KEY (campaign_id, country)
    )`.execute(db);
  await sql`
    CREATE TABLE campaign_daily_counts (
      campaign_id bigint NOT NULL REFERENCES campaigns (id),
      day date NOT NULL,
      confirmed integer NOT NULL DEFAULT 0,
      PRIMARY KEY (campaign_id, day)
    )`.execute(db);

  await sql`
    CREATE TABLE dev_outbox_messages (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      to_address text NOT NULL,
      subject text NOT NULL,
      html text NOT NULL,
      text text NOT NULL,
      headers jsonb NOT NULL DEFAULT '{}',
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    "dev_outbox_messages",
    "campaign_daily_counts",
    "campaign_country_counts",
    "campaign_counts",
    "signature_count_changes",
    "sent_emails",
    "outbox",
    "signature_tokens",
    "signatures",
    "campaigns",
  ]) {
    await sql`DROP TABLE IF EXISTS ${sql.table(table)}`.execute(db);
  }
}
