import { sql } from "kysely";
import type { Database } from "~/db/db.server";
import { AppError } from "~/utils/errors.server";
import { findSignatureByVerificationToken } from "./signatures.queries.server";

/**
 * The signature behind a verification link, checked the same way for showing and for confirming:
 * unknown, invalidated or disowned → TOKEN_INVALID; a pending one whose link expired or whose
 * campaign no longer takes signatures → TOKEN_EXPIRED / CAMPAIGN_NOT_OPEN.
 */
async function verifiableSignature(db: Database, token: string, locale?: string) {
  const row = await findSignatureByVerificationToken(db, token, locale);
  if (!row || row.status === "invalidated" || row.status === "disowned") throw new AppError("TOKEN_INVALID");
  const campaign = { slug: row.slug, title: row.title };
  if (row.status === "confirmed") return { confirmed: true as const, signatureId: row.signatureId, referralCode: row.referralCode, campaign };
  if (row.expired) throw new AppError("TOKEN_EXPIRED", "token expired", campaign);
  if (row.campaignStatus !== "published") throw new AppError("CAMPAIGN_NOT_OPEN", "campaign closed", campaign);
  return { confirmed: false as const, signatureId: row.signatureId, referralCode: row.referralCode, campaign };
}

/**
 * What GET /verify/:token shows: it reads, and changes nothing. The signer's own share code comes
 * along: the page that holds their token may show them their share links.
 */
export async function describeVerification(db: Database, token: string, opts: { locale?: string } = {}) {
  const { confirmed, campaign, referralCode } = await verifiableSignature(db, token, opts.locale);
  return { state: confirmed ? ("confirmed" as const) : ("pending" as const), campaign, referralCode };
}

/**
 * Confirms a pending signature. The status change and the +1 in the count ledger commit together;
 * no campaign row is touched, so a surge of confirmations never queues on one hot row.
 * Confirming twice is harmless: the second call finds nothing pending and reports "already".
 */
export async function confirmSignature(db: Database, token: string, opts: { locale?: string } = {}) {
  const { confirmed, signatureId, campaign, referralCode } = await verifiableSignature(db, token, opts.locale);
  if (confirmed) return { outcome: "already-confirmed" as const, campaign, referralCode };

  const result = await sql<{ id: number }>`
    WITH confirmed AS (
      UPDATE signatures SET status = 'confirmed', confirmed_at = now()
      WHERE id = ${signatureId} AND status = 'pending'
      RETURNING campaign_id, country, confirmed_at
    )
    INSERT INTO signature_count_changes (campaign_id, country, day, delta)
    SELECT campaign_id, country, (confirmed_at AT TIME ZONE 'UTC')::date, 1 FROM confirmed
    RETURNING id`.execute(db);
  // One statement, so the status change and the ledger row are one atomic unit.
  return { outcome: result.rows.length > 0 ? ("confirmed" as const) : ("already-confirmed" as const), campaign, referralCode };
}
