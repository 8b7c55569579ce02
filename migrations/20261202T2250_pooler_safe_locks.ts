import { sql, type Kysely } from "kysely";

// Locks that live no longer than a transaction or sit in a row, so that everything works through
// a transaction-pooling PgBouncer (ADR 0020). Never imports app code.

export async function up(db: Kysely<unknown>): Promise<void> {
  // Never holds a row: folds and recounts take LOCK TABLE on it. A REPEATABLE READ recount can
  // wait for it before its snapshot starts, which an advisory lock (taken by a SELECT) cannot.
  await sql`CREATE TABLE count_folds_lock (locked boolean)`.execute(db);
  await sql`COMMENT ON TABLE count_folds_lock IS 'empty on purpose: LOCK TABLE serialises count folds and recounts'`.execute(db);

  // The run writing an export holds it for a while and renews it as it goes; a run that died lets
  // it lapse, and the next attempt takes over.
  await sql`ALTER TABLE exports ADD COLUMN lease_token uuid, ADD COLUMN lease_expires_at timestamptz`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE exports DROP COLUMN lease_token, DROP COLUMN lease_expires_at`.execute(db);
  await sql`DROP TABLE count_folds_lock`.execute(db);
}
