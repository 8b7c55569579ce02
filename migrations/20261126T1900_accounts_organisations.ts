import { sql, type Kysely } from "kysely";

// Accounts, server-side sessions, organisations and their members. Never imports app code.

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE users (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      email text NOT NULL,
      email_normalized text NOT NULL UNIQUE,
      display_name text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 100),
      password_hash text NOT NULL,
      role text NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'admin')),
      email_confirmed_at timestamptz,
      disabled_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);

  await sql`
    CREATE TABLE sessions (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      token_hash bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
      created_at timestamptz NOT NULL DEFAULT now(),
      last_seen_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      revoked_at timestamptz,
      ip_address inet,
      user_agent text
    )`.execute(db);
  await sql`CREATE INDEX sessions_user ON sessions (user_id) WHERE revoked_at IS NULL`.execute(db);

  await sql`
    CREATE TABLE user_tokens (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      purpose text NOT NULL CHECK (purpose IN ('confirm-email', 'reset-password')),
      token_hash bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      used_at timestamptz
    )`.execute(db);
  await sql`CREATE INDEX user_tokens_user ON user_tokens (user_id, purpose)`.execute(db);

  await sql`
    CREATE TABLE organisations (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 60),
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);

  await sql`
    CREATE TABLE memberships (
      organisation_id bigint NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
      user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      role text NOT NULL CHECK (role IN ('owner', 'organiser')),
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (organisation_id, user_id)
    )`.execute(db);
  await sql`CREATE INDEX memberships_user ON memberships (user_id)`.execute(db);

  await sql`
    CREATE TABLE invitations (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      organisation_id bigint NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
      email text NOT NULL,
      email_normalized text NOT NULL,
      role text NOT NULL CHECK (role IN ('owner', 'organiser')),
      invited_by bigint REFERENCES users (id) ON DELETE SET NULL,
      token_hash bytea UNIQUE CHECK (token_hash IS NULL OR length(token_hash) = 32),
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      accepted_at timestamptz,
      revoked_at timestamptz
    )`.execute(db);
  await sql`
    CREATE UNIQUE INDEX invitations_open_per_email ON invitations (organisation_id, email_normalized)
    WHERE accepted_at IS NULL AND revoked_at IS NULL`.execute(db);

  await sql`ALTER TABLE campaigns ADD COLUMN organisation_id bigint REFERENCES organisations (id)`.execute(db);
  await sql`CREATE INDEX campaigns_organisation ON campaigns (organisation_id)`.execute(db);

  // Sent-log rows for account mail have no signature.
  await sql`ALTER TABLE sent_emails ADD COLUMN user_id bigint REFERENCES users (id) ON DELETE SET NULL`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE sent_emails DROP COLUMN IF EXISTS user_id`.execute(db);
  await sql`ALTER TABLE campaigns DROP COLUMN IF EXISTS organisation_id`.execute(db);
  for (const table of ["invitations", "memberships", "organisations", "user_tokens", "sessions", "users"]) {
    await sql`DROP TABLE IF EXISTS ${sql.table(table)}`.execute(db);
  }
}
