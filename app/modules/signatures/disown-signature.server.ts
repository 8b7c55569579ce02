import { sql } from "kysely";
import type { Database } from "~/db/db.server";
import { AppError } from "~/utils/errors.server";
import { findSignatureByVerificationToken } from "./signatures.queries.server";

/**
 * "This wasn't me": erases the personal data of a still-pending signature so it can never
 * count. A confirmed signature was confirmed from this very inbox, so it is left alone.
 * Works after the link expired too: the owner of the inbox may say no at any time.
 */
export async function disownSignature(db: Database, token: string, opts: { dryRun?: boolean; locale?: string } = {}) {
  const row = await findSignatureByVerificationToken(db, token, opts.locale);
  if (!row || row.status === "invalidated") throw new AppError("TOKEN_INVALID");
  const campaign = { slug: row.slug, title: row.title };
  if (row.status === "disowned") return { outcome: "disowned" as const, campaign };
  if (row.status === "confirmed") return { outcome: "confirmed" as const, campaign };
  if (opts.dryRun) return { outcome: "pending" as const, campaign };

  const updated = await db
    .updateTable("signatures")
    .set({
      status: "disowned",
      name: null,
      email: null,
      email_normalized: null,
      postal_code: null,
      comment: null,
      ip_address: null,
      user_agent: null,
      public_name: false,
      opt_in: false,
      disowned_at: sql`now()`,
      erased_at: sql`now()`,
    })
    .where("id", "=", row.signatureId)
    .where("status", "=", "pending")
    .returning("id")
    .executeTakeFirst();
  if (!updated) {
    // It was confirmed between our read and our write: report the state it is in.
    return disownSignature(db, token, { dryRun: true, locale: opts.locale });
  }
  return { outcome: "disowned" as const, campaign };
}
