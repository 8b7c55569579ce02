import { sql, type Kysely } from "kysely";

// Exports: signature files written by the worker and kept in Postgres (so every web process can
// serve them), their expiring download tokens, and the public record of delivery bundles.
// Never imports app code.

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE exports (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      kind text NOT NULL CHECK (kind IN ('signatures', 'partner', 'delivery')),
      campaign_id bigint NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
      partner_id bigint REFERENCES campaign_partners (id) ON DELETE CASCADE,
      target_id bigint REFERENCES campaign_targets (id) ON DELETE SET NULL,
      status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
      requested_by bigint REFERENCES users (id) ON DELETE SET NULL,
      requested_by_label text NOT NULL,
      with_bom boolean NOT NULL DEFAULT false,
      token_hash bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
      rows_expected bigint NOT NULL DEFAULT 0,
      rows_done bigint NOT NULL DEFAULT 0,
      byte_size bigint,
      file_name text NOT NULL,
      error text,
      created_at timestamptz NOT NULL DEFAULT now(),
      started_at timestamptz,
      finished_at timestamptz,
      expires_at timestamptz NOT NULL,
      CHECK ((kind = 'partner') = (partner_id IS NOT NULL))
    )`.execute(db);
  await sql`CREATE INDEX exports_campaign ON exports (campaign_id, created_at DESC)`.execute(db);
  await sql`CREATE INDEX exports_expires ON exports (expires_at)`.execute(db);

  // The file, gzip-compressed, in ~1 MB pieces: read back one piece at a time, never whole.
  await sql`
    CREATE TABLE export_chunks (
      export_id bigint NOT NULL REFERENCES exports (id) ON DELETE CASCADE,
      seq integer NOT NULL CHECK (seq >= 0),
      data bytea NOT NULL,
      PRIMARY KEY (export_id, seq)
    )`.execute(db);
  // Already gzip: TOAST should store it out of line without trying to compress it again.
  await sql`ALTER TABLE export_chunks ALTER COLUMN data SET STORAGE EXTERNAL`.execute(db);

  // The public record of a delivered list: its hash chain's final value outlives the file itself.
  await sql`
    CREATE TABLE delivery_bundles (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      campaign_id bigint NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
      export_id bigint UNIQUE REFERENCES exports (id) ON DELETE SET NULL,
      target_id bigint REFERENCES campaign_targets (id) ON DELETE SET NULL,
      target_name text NOT NULL,
      target_role text NOT NULL,
      row_count bigint NOT NULL CHECK (row_count >= 0),
      final_hash text NOT NULL CHECK (final_hash ~ '^[0-9a-f]{64}$'),
      manifest jsonb NOT NULL,
      created_by bigint REFERENCES users (id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX delivery_bundles_campaign ON delivery_bundles (campaign_id, created_at DESC)`.execute(db);

  // Full exports read a campaign's confirmed signatures in id order.
  await sql`CREATE INDEX signatures_confirmed_by_campaign ON signatures (campaign_id, id) WHERE status = 'confirmed'`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX IF EXISTS signatures_confirmed_by_campaign`.execute(db);
  await sql`DROP TABLE IF EXISTS delivery_bundles`.execute(db);
  await sql`DROP TABLE IF EXISTS export_chunks`.execute(db);
  await sql`DROP TABLE IF EXISTS exports`.execute(db);
}
