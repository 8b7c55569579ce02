import { sql } from "kysely";
import type { Database } from "~/db/db.server";
import { getConfirmedTotalNow } from "~/modules/counts/counts.server";
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
  if (row.status === "confirmed") return { confirmed: true as const, signatureId: row.signatureId, referralCode: row.referralCode, campaign, campaignId: row.campaignId };
  if (row.expired) throw new AppError("TOKEN_EXPIRED", "token expired", campaign);
  if (row.campaignStatus !== "published") throw new AppError("CAMPAIGN_NOT_OPEN", "campaign closed", campaign);
  return { confirmed: false as const, signatureId: row.signatureId, referralCode: row.referralCode, campaign, campaignId: row.campaignId };
}

/**
 * What GET /verify/:token shows: it reads, and changes nothing. The signer's own share code comes
 * along: the page that holds their token may show them their share links.
 */
export async function describeVerification(db: Database, token: string, opts: { locale?: string } = {}) {
  const { confirmed, campaign, referralCode, campaignId } = await verifiableSignature(db, token, opts.locale);
  const confirmedCount = confirmed ? await getConfirmedTotalNow(db, campaignId) : null;
  return { state: confirmed ? ("confirmed" as const) : ("pending" as const), campaign, referralCode, confirmedCount };
}

/**
 * Confirms a pending signature. The status change and the +1 in the count ledger commit together;
 * no campaign row is touched, so a surge of confirmations never queues on one hot row.
 * Confirming twice is harmless: the second call finds nothing pending and reports "already".
 */
export async function confirmSignature(db: Database, token: string, opts: { locale?: string } = {}) {
  const { confirmed, signatureId, campaign, referralCode, campaignId } = await verifiableSignature(db, token, opts.locale);
  if (confirmed) return { outcome: "already-confirmed" as const, campaign, referralCode, confirmedCount: await getConfirmedTotalNow(db, campaignId) };

  // The folded count is read in the same statement, so it cannot yet hold this confirmation
  // (the worker folds only committed ledger rows): plus one, it is a count the signer is in,
  // without reading the unfolded ledger on every confirmation during a surge.
  const result = await sql<{ id: number; folded: number }>`
    WITH confirmed AS (
      UPDATE signatures SET status = 'confirmed', confirmed_at = now()
      WHERE id = ${signatureId} AND status = 'pending'
      RETURNING campaign_id, country, confirmed_at
    ),
    ledger AS (
      INSERT INTO signature_count_changes (campaign_id, country, day, delta)
      SELECT campaign_id, country, (confirmed_at AT TIME ZONE 'UTC')::date, 1 FROM confirmed
      RETURNING id
    )
    SELECT id, coalesce((SELECT confirmed FROM campaign_counts WHERE campaign_id = ${campaignId}), 0)::int AS folded FROM ledger`.execute(db);
  // One statement, so the status change and the ledger row are one atomic unit.
  const row = result.rows[0];
  if (!row) return { outcome: "already-confirmed" as const, campaign, referralCode, confirmedCount: await getConfirmedTotalNow(db, campaignId) };
  return { outcome: "confirmed" as const, campaign, referralCode, confirmedCount: row.folded + 1 };
}
