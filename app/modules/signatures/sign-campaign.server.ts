import { randomBytes } from "node:crypto";
import { CompiledQuery, sql } from "kysely";
import type { ScreenFlag, SignatureSource } from "~/db/schema";
import { executePrepared, type Database } from "~/db/db.server";
import { groupedStatement } from "~/db/grouped.server";
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

/** One signature as the signing statement takes it (signCampaign() fills it from its arguments). */
export interface SignRow {
  campaignSlug: string;
  name: string;
  email: string;
  emailNormalized: string;
  country: string;
  postalCode: string | null;
  comment: string | null;
  publicName: boolean;
  optIn: boolean;
  locale: string;
  ipAddress: string | null;
  userAgent: string | null;
  attribution: SignAttribution;
  source: SignatureSource;
  screenFlag: ScreenFlag | null;
  /** the signer's own share code, made before the statement */
  referralCode: string;
}

/** The statement's answer for one signature: the campaign (null: no such slug) and the new row's id (null: the address had signed). */
export interface SignResult {
  id: number | null;
  status: string | null;
  inserted: number | null;
}

/**
 * The signing statement for one signature: one statement, atomic on its own, finds the campaign
 * and inserts the signature and its outbox row (a data-modifying CTE runs even though the final
 * SELECT does not read it): one round trip instead of five. No row: no such campaign.
 * FOR KEY SHARE (the lock the foreign key takes anyway) waits for an edit that is changing the
 * ask version and then reads the new one: a signature never records a version already replaced.
 * bench/sign.ts sends this same statement straight through pg, a signature at a time, as its baseline.
 * The comments name the statements in pg_stat_activity, whose copy of a text stops at 1 kB.
 */
export const SIGN_STATEMENT = "banner_sign";

const SIGN_ONE_SQL = `/* banner: sign */
WITH c AS (SELECT id, status, ask_version FROM campaigns WHERE slug = $1::text FOR KEY SHARE),
p AS (SELECT cp.id FROM campaign_partners cp, c WHERE cp.share_code = $13::text AND cp.campaign_id = c.id AND cp.status = 'accepted'),
r AS (SELECT s.id FROM signatures s, c WHERE s.referral_code = $14::text AND s.campaign_id = c.id),
ins AS (
  INSERT INTO signatures (campaign_id, name, email, email_normalized, country, postal_code, comment, public_name, opt_in,
                          consent_version, locale, ip_address, user_agent, ask_version, partner_id, opt_in_partner,
                          consent_purposes, referral_code, referred_by, referral_channel, source, screen_flag)
  SELECT c.id, $2::text, $3::text, $4::text, $5::text, $6::text, $7::text, $8::boolean, $9::boolean, '${CONSENT_VERSION}',
         $10::text, $11::inet, $12::text, c.ask_version, (SELECT id FROM p), $16::boolean AND EXISTS (SELECT 1 FROM p),
         array_remove(ARRAY['petition',
                            CASE WHEN $9::boolean THEN 'updates:host' END,
                            CASE WHEN $16::boolean AND EXISTS (SELECT 1 FROM p) THEN 'updates:partner' END], NULL),
         $19::text, (SELECT id FROM r), $15::text, $17::text, $18::text
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

/**
 * The signing statement for many signatures at once, sent when several arrive together
 * (signingGroup). The same inserts, each column an array; it answers each campaign (its slug, id
 * and status) and each signature inserted (its campaign and address), and the caller matches
 * them to its rows. It never gets the same campaign and address twice (signingGroup sends the
 * first and answers the others as a second submit).
 */
export const SIGN_MANY_STATEMENT = "banner_sign_many";

const SIGN_MANY_SQL = `/* banner: sign many */
WITH i AS (
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::boolean[], $9::boolean[],
                       $10::text[], $11::inet[], $12::text[], $13::text[], $14::text[], $15::text[], $16::boolean[], $17::text[],
                       $18::text[], $19::text[])
    AS t(slug, name, email, email_normalized, country, postal_code, comment, public_name, opt_in, locale, ip_address, user_agent,
         partner_code, referral_code_in, channel, opt_in_partner, source, screen_flag, referral_code)
),
c AS (SELECT id, slug, status, ask_version FROM campaigns WHERE slug = ANY($1::text[]) FOR KEY SHARE),
ins AS (
  INSERT INTO signatures (campaign_id, name, email, email_normalized, country, postal_code, comment, public_name, opt_in,
                          consent_version, locale, ip_address, user_agent, ask_version, partner_id, opt_in_partner,
                          consent_purposes, referral_code, referred_by, referral_channel, source, screen_flag)
  SELECT c.id, i.name, i.email, i.email_normalized, i.country, i.postal_code, i.comment, i.public_name, i.opt_in, '${CONSENT_VERSION}',
         i.locale, i.ip_address, i.user_agent, c.ask_version, p.id, i.opt_in_partner AND p.id IS NOT NULL,
         array_remove(ARRAY['petition',
                            CASE WHEN i.opt_in THEN 'updates:host' END,
                            CASE WHEN i.opt_in_partner AND p.id IS NOT NULL THEN 'updates:partner' END], NULL),
         i.referral_code, r.id, i.channel, i.source, i.screen_flag
  FROM i JOIN c ON c.slug = i.slug AND c.status = 'published'
  LEFT JOIN campaign_partners p ON p.share_code = i.partner_code AND p.campaign_id = c.id AND p.status = 'accepted'
  LEFT JOIN signatures r ON r.referral_code = i.referral_code_in AND r.campaign_id = c.id
  ON CONFLICT (campaign_id, email_normalized) DO NOTHING
  RETURNING id, campaign_id, email_normalized
),
ob AS (
  INSERT INTO outbox (topic, payload)
  SELECT 'signature.verification', jsonb_build_object('signatureId', ins.id) FROM ins
  RETURNING id
)
SELECT c.slug, c.id AS campaign_id, c.status, NULL::bigint AS signature_id, NULL::text AS email_normalized FROM c
UNION ALL
SELECT NULL, ins.campaign_id, NULL, ins.id, ins.email_normalized FROM ins`;

if (!/^[\w.-]+$/.test(CONSENT_VERSION)) throw new Error("CONSENT_VERSION is written into the signing statements: letters, digits, '.', '-' only");

/** A row's values in the order of the statements' parameters ($1…$19). */
const PARAMETERS: ((r: SignRow) => unknown)[] = [
  (r) => r.campaignSlug,
  (r) => r.name,
  (r) => r.email,
  (r) => r.emailNormalized,
  (r) => r.country,
  (r) => r.postalCode,
  (r) => r.comment,
  (r) => r.publicName,
  (r) => r.optIn,
  (r) => r.locale,
  (r) => r.ipAddress,
  (r) => (r.userAgent ? r.userAgent.slice(0, 400) : null),
  (r) => r.attribution.partnerCode,
  (r) => r.attribution.referralCode,
  (r) => r.attribution.channel,
  (r) => r.attribution.optInPartner,
  (r) => r.source,
  (r) => r.screenFlag,
  (r) => r.referralCode,
];

/** The signing statement for one signature, as signCampaign() sends it. */
export function signStatement(row: SignRow): CompiledQuery<SignResult> {
  return CompiledQuery.raw(
    SIGN_ONE_SQL,
    PARAMETERS.map((value) => value(row)),
  ) as CompiledQuery<SignResult>;
}

/** A campaign (slug and status set) or a signature inserted (signature_id and email_normalized set). */
interface ManyAnswer {
  slug: string | null;
  campaign_id: number;
  status: string | null;
  signature_id: number | null;
  email_normalized: string | null;
}

/** Signs these rows in one statement (two with the same campaign and address: the first only), and answers each in order. */
async function signMany(db: Database, rows: readonly SignRow[]): Promise<SignResult[]> {
  // Each campaign and address once, at its first row; the later rows are answered as a second submit.
  const firstAt = new Map<string, number>();
  const keys = rows.map((row, at) => {
    const key = `${row.campaignSlug}\n${row.emailNormalized}`;
    if (!firstAt.has(key)) firstAt.set(key, at);
    return key;
  });
  const sent = [...firstAt.values()].map((at) => rows[at]!);
  const answer = await executePrepared(
    db,
    SIGN_MANY_STATEMENT,
    CompiledQuery.raw(
      SIGN_MANY_SQL,
      PARAMETERS.map((value) => sent.map(value)),
    ) as CompiledQuery<ManyAnswer>,
  );
  const campaigns = new Map<string, ManyAnswer>();
  const inserted = new Map<string, number>();
  for (const a of answer) {
    if (a.slug !== null) campaigns.set(a.slug, a);
    else if (a.signature_id !== null && a.email_normalized !== null) inserted.set(`${a.campaign_id}\n${a.email_normalized}`, a.signature_id);
  }
  return rows.map((row, at) => {
    const campaign = campaigns.get(row.campaignSlug);
    if (!campaign) return NO_CAMPAIGN;
    const signed = firstAt.get(keys[at]!) === at ? inserted.get(`${campaign.campaign_id}\n${row.emailNormalized}`) : undefined;
    return { id: campaign.campaign_id, status: campaign.status, inserted: signed ?? null };
  });
}

const NO_CAMPAIGN: SignResult = { id: null, status: null, inserted: null };

/**
 * Calls that sign at the same moment share a statement (app/db/grouped.server.ts): a lone one
 * sends SIGN_STATEMENT, as before; under a surge, up to 100 commit at once.
 */
const signing = groupedStatement<SignRow, SignResult>("sign", {
  maxGroup: 100,
  maxInFlight: 8,
  one: async (db, row) => (await executePrepared(db, SIGN_STATEMENT, signStatement(row)))[0] ?? NO_CAMPAIGN,
  many: signMany,
});

/** The signing queue of this database (its counts, for /metrics and the tests). */
export const signingGroup = (db: Database) => signing.grouper(db);

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

  const row: SignRow = {
    campaignSlug: args.campaignSlug,
    name: input.name,
    email,
    emailNormalized,
    country: input.country,
    postalCode: input.postalCode,
    comment: input.comment,
    publicName: input.publicName,
    optIn: input.optIn,
    locale: args.locale,
    ipAddress: args.ipAddress ?? null,
    userAgent: args.userAgent ?? null,
    attribution,
    source: args.source ?? "web",
    screenFlag: args.screenFlag ?? null,
    referralCode: newReferralCode(),
  };
  // Shared with the other signatures sent at the same moment; inside a caller's transaction, alone.
  const found = await signing.run(db, row);
  // Drafts and campaigns in review are not public: to a signer they do not exist.
  if (found.id === null || found.status === null || !isIn(PUBLIC_CAMPAIGN_STATUSES, found.status)) throw new AppError("NOT_FOUND", "campaign not found");
  if (found.status !== "published") throw new AppError("CAMPAIGN_NOT_OPEN", "campaign is closed");
  const campaignId = found.id;
  if (found.inserted !== null) return { outcome: "created", campaignId };

  // The address had signed already: re-send the confirmation if it is still pending, at most once
  // per interval. The update and its outbox row commit together.
  return db.transaction().execute(async (trx) => {
    const resend = await trx
      .updateTable("signatures")
      .set({ confirmation_requested_at: sql`now()` })
      .where("campaign_id", "=", campaignId)
      .where("email_normalized", "=", emailNormalized)
      .where("status", "=", "pending")
      .where("confirmation_requested_at", "<", sql<Date>`now() - make_interval(mins => ${RESEND_INTERVAL_MINUTES})`)
      .returning("id")
      .executeTakeFirst();
    if (!resend) return { outcome: "unchanged" as const, campaignId };
    await enqueue(trx, "signature.verification", { signatureId: resend.id });
    return { outcome: "resent" as const, campaignId };
  });
}
