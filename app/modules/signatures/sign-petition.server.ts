import { sql } from "kysely";
import type { Database } from "~/db/db.server";
import { enqueue } from "~/jobs/outbox.server";
import { AppError } from "~/utils/errors.server";
import { RESEND_INTERVAL_MINUTES } from "./signatures.queries.server";
import { CONSENT_VERSION, normaliseEmail, type SignPetitionInput } from "./signatures.schema";

export type SignOutcome =
  /** a new pending signature; its verification email is in the outbox */
  | "created"
  /** the address had a pending signature; the confirmation was queued again */
  | "resent"
  /** the address signed already (pending within the resend interval, or confirmed): nothing sent */
  | "unchanged";

export interface SignPetitionArgs {
  campaignSlug: string;
  input: SignPetitionInput;
  locale: string;
  ipAddress?: string | null;
  userAgent?: string | null;
}

/**
 * Records a signature and its verification email in one transaction. Uniqueness per
 * (campaign, normalised email) is the database's job: a second submit of the same address, even
 * a concurrent one, lands in ON CONFLICT DO NOTHING and at most re-queues the confirmation.
 * The caller must answer every outcome the same way, so nobody learns whether an address signed.
 */
export async function signPetition(db: Database, args: SignPetitionArgs): Promise<{ outcome: SignOutcome; campaignId: number }> {
  const { input } = args;
  const email = input.email.trim();
  const emailNormalized = normaliseEmail(email);

  // Fast path: one statement, atomic on its own, finds the campaign and inserts the signature and
  // its outbox row (a data-modifying CTE runs even though the final SELECT does not read it).
  // One round trip instead of five; measured ≈15% more signatures/s in bench/sign.ts.
  const first = await sql<{ id: number; status: string; inserted: number | null }>`
    WITH c AS (SELECT id, status FROM campaigns WHERE slug = ${args.campaignSlug}),
    ins AS (
      INSERT INTO signatures (campaign_id, name, email, email_normalized, country, postal_code, comment, public_name, opt_in,
                              consent_version, locale, ip_address, user_agent)
      SELECT c.id, ${input.name}::text, ${email}::text, ${emailNormalized}::text, ${input.country}::text, ${input.postalCode}::text,
             ${input.comment}::text, ${input.publicName}::boolean, ${input.optIn}::boolean, ${CONSENT_VERSION}::text,
             ${args.locale}::text, ${args.ipAddress ?? null}::inet, ${args.userAgent ? args.userAgent.slice(0, 400) : null}::text
      FROM c WHERE c.status = 'published'
      ON CONFLICT (campaign_id, email_normalized) DO NOTHING
      RETURNING id
    ),
    ob AS (
      INSERT INTO outbox (topic, payload)
      SELECT 'signature.verification', jsonb_build_object('signatureId', ins.id) FROM ins
      RETURNING id
    )
    SELECT c.id, c.status, (SELECT id FROM ins) AS inserted FROM c`.execute(db);
  const found = first.rows[0];
  // Drafts and campaigns in review are not public: to a signer they do not exist.
  if (!found || (found.status !== "published" && found.status !== "closed")) throw new AppError("NOT_FOUND", "campaign not found");
  if (found.status !== "published") throw new AppError("CAMPAIGN_NOT_OPEN", "campaign is closed");
  if (found.inserted !== null) return { outcome: "created", campaignId: found.id };

  // The address had signed already: re-send the confirmation if it is still pending, at most once
  // per interval. The update and its outbox row commit together.
  return db.transaction().execute(async (trx) => {
    const resend = await trx
      .updateTable("signatures")
      .set({ confirmation_requested_at: sql`now()` })
      .where("campaign_id", "=", found.id)
      .where("email_normalized", "=", emailNormalized)
      .where("status", "=", "pending")
      .where("confirmation_requested_at", "<", sql<Date>`now() - make_interval(mins => ${RESEND_INTERVAL_MINUTES})`)
      .returning("id")
      .executeTakeFirst();
    if (!resend) return { outcome: "unchanged" as const, campaignId: found.id };
    await enqueue(trx, "signature.verification", { signatureId: resend.id });
    return { outcome: "resent" as const, campaignId: found.id };
  });
}
