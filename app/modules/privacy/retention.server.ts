import { sql } from "kysely";
import type { Database } from "~/db/db.server";

export interface RetentionPolicy {
  /** Unconfirmed signatures older than this are deleted: they never counted. */
  unconfirmedDays: number;
  /** Client addresses and user agents are kept this long for fraud checks, then dropped. */
  networkDataDays: number;
}

export const DEFAULT_RETENTION: RetentionPolicy = { unconfirmedDays: 30, networkDataDays: 30 };

/** The policy for a deployment: the fraud window (how long network data is kept) is FRAUD_WINDOW_DAYS. */
export function retentionPolicy(fraudWindowDays: number): RetentionPolicy {
  return { ...DEFAULT_RETENTION, networkDataDays: fraudWindowDays };
}

const BATCH = 5_000;

/**
 * Keeps signers' data minimal. Runs in small batches so no long transaction holds locks; touches
 * no confirmed signature's count-relevant fields, so counts never change.
 */
export async function applyRetention(db: Database, policy: RetentionPolicy = DEFAULT_RETENTION) {
  let deletedUnconfirmed = 0;
  for (;;) {
    const result = await sql<{ id: number }>`
      DELETE FROM signatures WHERE id IN (
        SELECT id FROM signatures
        WHERE status = 'pending' AND created_at < now() - make_interval(days => ${policy.unconfirmedDays})
        LIMIT ${BATCH})
      RETURNING id`.execute(db);
    deletedUnconfirmed += result.rows.length;
    if (result.rows.length < BATCH) break;
  }

  let networkDataDropped = 0;
  for (;;) {
    const result = await sql<{ id: number }>`
      UPDATE signatures SET ip_address = NULL, user_agent = NULL
      WHERE id IN (
        SELECT id FROM signatures
        WHERE created_at < now() - make_interval(days => ${policy.networkDataDays})
          AND (ip_address IS NOT NULL OR user_agent IS NOT NULL)
        LIMIT ${BATCH})
      RETURNING id`.execute(db);
    networkDataDropped += result.rows.length;
    if (result.rows.length < BATCH) break;
  }

  // Spent secrets: expired verification tokens of signatures that are no longer pending, and
  // account tokens and sessions long past their expiry.
  const tokens = await sql`
    DELETE FROM signature_tokens t USING signatures s
    WHERE s.id = t.signature_id AND t.expires_at < now() AND s.status <> 'pending'`.execute(db);
  const userTokens = await sql`DELETE FROM user_tokens WHERE expires_at < now() - interval '7 days'`.execute(db);
  // Erasure requests hold an address: gone once their link expires, used or not.
  const erasureRequests = await sql`DELETE FROM erasure_requests WHERE expires_at < now()`.execute(db);
  const sessions = await sql`
    DELETE FROM sessions WHERE expires_at < now() - interval '7 days' OR revoked_at < now() - interval '7 days'`.execute(db);

  return {
    deletedUnconfirmed,
    networkDataDropped,
    tokensDeleted: Number(tokens.numAffectedRows ?? 0) + Number(userTokens.numAffectedRows ?? 0),
    erasureRequestsDeleted: Number(erasureRequests.numAffectedRows ?? 0),
    sessionsDeleted: Number(sessions.numAffectedRows ?? 0),
  };
}
