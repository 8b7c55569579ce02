import { sql } from "kysely";
import type { Executor } from "~/db/db.server";
import { hashToken } from "~/utils/tokens.server";

/**
 * Erases the personal data of every signature of one (normalised) address, in the caller's
 * transaction. A confirmed signature keeps its status, country and confirmation time, so it still
 * counts and no count changes; a pending one becomes "disowned", so it can never be confirmed or
 * counted. Unsubscribe links keep working: they name a delivery, not an address.
 */
export async function eraseSignaturesOf(trx: Executor, emailNormalized: string): Promise<{ erased: number; confirmed: number }> {
  const rows = await sql<{ id: number; status: string }>`
    UPDATE signatures SET
      name = NULL, email = NULL, email_normalized = NULL, postal_code = NULL, comment = NULL,
      ip_address = NULL, user_agent = NULL, public_name = false, opt_in = false, opt_in_partner = false,
      disowned_at = CASE WHEN status = 'pending' THEN now() ELSE disowned_at END,
      status = CASE WHEN status = 'pending' THEN 'disowned' ELSE status END,
      erased_at = now()
    WHERE email_normalized = ${emailNormalized}
    RETURNING id, status`.execute(trx);
  const ids = rows.rows.map((r) => r.id);
  // Their verification links could only ever lead to an erased signature: drop the secrets too.
  if (ids.length) await trx.deleteFrom("signature_tokens").where("signature_id", "in", ids).execute();
  // Every open erasure request of the address is answered by this one: keep the address nowhere.
  await trx
    .updateTable("erasure_requests")
    .set({ email_normalized: null, used_at: sql`coalesce(used_at, now())` })
    .where("email_normalized", "=", emailNormalized)
    .execute();
  return { erased: ids.length, confirmed: rows.rows.filter((r) => r.status === "confirmed").length };
}

/**
 * What the audit log keeps instead of the address: its SHA-256, enough to answer "was this
 * address's erasure done?" for someone who already knows the address, and nothing more.
 */
export function emailDigest(emailNormalized: string): string {
  return hashToken(emailNormalized).toString("hex");
}

/** The signatures of one address, with their consent record, for an admin handling a request. */
export async function listSignaturesOf(db: Executor, emailNormalized: string) {
  return db
    .selectFrom("signatures as s")
    .innerJoin("campaigns as c", "c.id", "s.campaign_id")
    .select([
      "s.id",
      "s.status",
      "s.country",
      "s.created_at",
      "s.confirmed_at",
      "s.consent_version",
      "s.locale",
      "s.consent_purposes",
      "c.slug as campaign_slug",
      "c.title as campaign_title",
    ])
    .where("s.email_normalized", "=", emailNormalized)
    .orderBy("s.id")
    .execute();
}
