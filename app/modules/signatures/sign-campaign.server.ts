import { randomBytes } from "node:crypto";
import { sql } from "kysely";
import type { ScreenFlag, SignatureSource } from "~/db/schema";
import { executePrepared, type Database } from "~/db/db.server";
import { isIn, PUBLIC_CAMPAIGN_STATUSES } from "~/db/states";
import { enqueue } from "~/jobs/outbox.server";
import { isDisposableDomain } from "~/modules/fraud/email-domains.server";
import { AppError } from "~/utils/errors.server";
import { RESEND_INTERVAL_MINUTES } from "./signatures.queries.server";
import { CONSENT_VERSION, NO_ATTRIBUTION, canonicalEmail, emailDomain, type SignAttribution, type SignCampaignInput } from "./signatures.schema";

export type SignOutcome =
  /** a new pending signature; its verification email is in the outbox */
  | "created"
  /** the address had a pending signature; the confirmation was queued again */
  | "resent"
  /** the address signed already (pending within the resend interval, or confirmed): nothing sent */
  | "unchanged";

export interface SignCampaignArgs {
  campaignSlug: string;
  input: SignCampaignInput;
  locale: string;
  ipAddress?: string | null;
  userAgent?: string | null;
  /** partner share link, referral link, channel; unknown or non-accepted codes are ignored */
  attribution?: SignAttribution;
  source?: SignatureSource;
  /** the bot screen's doubt about the form (stored with the signature for the fraud view) */
  screenFlag?: ScreenFlag | null;
}

const REFERRAL_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789";

/** A signer's own share code: 12 characters, 60 random bits, no look-alike characters. */
export function newReferralCode(): string {
  const bytes = randomBytes(12);
  let code = "";
  for (const b of bytes) code += REFERRAL_ALPHABET[b & 31];
  return code;
}

/**
 * The signing statement: one statement, atomic on its own, finds the campaign and inserts the
 * signature and its outbox row (a data-modifying CTE runs even though the final SELECT does not
 * read it): one round trip instead of five. bench/sign.ts sends this same statement straight
 * through pg as its baseline.
 * FOR KEY SHARE (the lock the foreign key takes anyway) waits for an edit that is changing the
 * ask version and then reads the new one: a signature never records a version already replaced.
 */
export const SIGN_STATEMENT = "banner_sign";

export function signStatement(args: SignCampaignArgs & { email: string; emailNormalized: string; attribution: SignAttribution }) {
  const { input, email, emailNormalized, attribution } = args;
  return sql<{ id: number; status: string; inserted: number | null }>`
    WITH c AS (SELECT id, status, ask_version FROM campaigns WHERE slug = ${args.campaignSlug} FOR KEY SHARE),
    p AS (SELECT cp.id FROM campaign_partners cp, c
          WHERE cp.share_code = ${attribution.partnerCode}::text AND cp.campaign_id = c.id AND cp.status = 'accepted'),
    r AS (SELECT s.id FROM signatures s, c WHERE s.referral_code = ${attribution.referralCode}::text AND s.campaign_id = c.id),
    ins AS (
      INSERT INTO signatures (campaign_id, name, email, email_normalized, country, postal_code, comment, public_name, opt_in,
                              consent_version, locale, ip_address, user_agent, ask_version, partner_id, opt_in_partner,
                              consent_purposes, referral_code, referred_by, referral_channel, source, screen_flag)
      SELECT c.id, ${input.name}::text, ${email}::text, ${emailNormalized}::text, ${input.country}::text, ${input.postalCode}::text,
             ${input.comment}::text, ${input.publicName}::boolean, ${input.optIn}::boolean, ${CONSENT_VERSION}::text,
             ${args.locale}::text, ${args.ipAddress ?? null}::inet, ${args.userAgent ? args.userAgent.slice(0, 400) : null}::text,
             c.ask_version, (SELECT id FROM p), ${attribution.optInPartner}::boolean AND EXISTS (SELECT 1 FROM p),
             array_remove(ARRAY['petition',
                                CASE WHEN ${input.optIn}::boolean THEN 'updates:host' END,
                                CASE WHEN ${attribution.optInPartner}::boolean AND EXISTS (SELECT 1 FROM p) THEN 'updates:partner' END], NULL),
             ${newReferralCode()}::text, (SELECT id FROM r), ${attribution.channel}::text, ${args.source ?? "web"}::text,
             ${args.screenFlag ?? null}::text
      FROM c WHERE c.status = 'published'
      ON CONFLICT (campaign_id, email_normalized) DO NOTHING
      RETURNING id
    ),
    ob AS (
      INSERT INTO outbox (topic, payload)
      SELECT 'signature.verification', jsonb_build_object('signatureId', ins.id) FROM ins
      RETURNING id
    )
    SELECT c.id, c.status, (SELECT id FROM ins) AS inserted FROM c`;
}

/**
 * Records a signature and its verification email in one transaction. Uniqueness per
 * (campaign, normalised email) is the database's job: a second submit of the same address, even
 * a concurrent one, lands in ON CONFLICT DO NOTHING and at most re-queues the confirmation.
 * The caller must answer every outcome the same way, so nobody learns whether an address signed.
 * An address at a disposable-mail domain is refused (DISPOSABLE_EMAIL).
 */
export async function signCampaign(db: Database, args: SignCampaignArgs): Promise<{ outcome: SignOutcome; campaignId: number }> {
  const { input } = args;
  const email = input.email.trim();
  // A throwaway inbox can confirm a signature nobody stands behind: refused for every source.
  if (isDisposableDomain(emailDomain(email))) {
    throw new AppError("DISPOSABLE_EMAIL", "disposable email domain", { field: "email" });
  }
  const emailNormalized = canonicalEmail(email);
  const attribution = args.attribution ?? NO_ATTRIBUTION;

  const [found] = await executePrepared(db, SIGN_STATEMENT, signStatement({ ...args, email, emailNormalized, attribution }).compile(db));
  // Drafts and campaigns in review are not public: to a signer they do not exist.
  if (!found || !isIn(PUBLIC_CAMPAIGN_STATUSES, found.status)) throw new AppError("NOT_FOUND", "campaign not found");
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
