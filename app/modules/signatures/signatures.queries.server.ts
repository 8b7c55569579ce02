import { sql } from "kysely";
import type { Executor } from "~/db/db.server";
import { generateToken, hashToken, isWellFormedToken, tokenMatchesHash } from "~/utils/tokens.server";

export const VERIFICATION_TTL_DAYS = 7;
export const RESEND_INTERVAL_MINUTES = 10;

/** Creates a verification token and stores only its hash. Returns the token for the email. */
export async function issueVerificationToken(trx: Executor, signatureId: number): Promise<string> {
  const token = generateToken();
  await trx
    .insertInto("signature_tokens")
    .values({
      signature_id: signatureId,
      purpose: "verify",
      token_hash: hashToken(token),
      expires_at: sql<Date>`now() + make_interval(days => ${VERIFICATION_TTL_DAYS})`,
    })
    .execute();
  return token;
}

/**
 * The signature behind a verification token, with its campaign's title in `locale` when a
 * translation for the current ask exists (the campaign's own title otherwise).
 */
export async function findSignatureByVerificationToken(db: Executor, token: string, locale?: string) {
  if (!isWellFormedToken(token)) return undefined;
  const row = await db
    .selectFrom("signature_tokens as t")
    .innerJoin("signatures as s", "s.id", "t.signature_id")
    .innerJoin("campaigns as c", "c.id", "s.campaign_id")
    .leftJoin("campaign_translations as tr", (join) =>
      join.onRef("tr.campaign_id", "=", "c.id").on("tr.locale", "=", locale ?? "").onRef("tr.ask_version", "=", "c.ask_version"),
    )
    .select([
      "t.token_hash",
      sql<boolean>`t.expires_at < now()`.as("expired"),
      "s.id as signatureId",
      "s.status",
      "s.name",
      "s.referral_code as referralCode",
      "c.id as campaignId",
      "c.slug",
      sql<string>`coalesce(tr.title, c.title)`.as("title"),
      "c.status as campaignStatus",
    ])
    .where("t.token_hash", "=", hashToken(token))
    .where("t.purpose", "=", "verify")
    .executeTakeFirst();
  // The index lookup already matched the hash; this comparison is constant-time regardless.
  if (!row || !tokenMatchesHash(token, row.token_hash)) return undefined;
  return row;
}

/** What the verification email needs; the campaign's title is in the language the person signed in, where translated. */
export async function findSignatureForEmail(db: Executor, signatureId: number) {
  return db
    .selectFrom("signatures as s")
    .innerJoin("campaigns as c", "c.id", "s.campaign_id")
    .leftJoin("campaign_translations as tr", (join) =>
      join.onRef("tr.campaign_id", "=", "c.id").onRef("tr.locale", "=", "s.locale").onRef("tr.ask_version", "=", "c.ask_version"),
    )
    .select([
      "s.id",
      "s.status",
      "s.name",
      "s.email",
      "s.locale",
      "c.id as campaignId",
      "c.slug",
      sql<string>`coalesce(tr.title, c.title)`.as("title"),
      "c.status as campaignStatus",
    ])
    .where("s.id", "=", signatureId)
    .executeTakeFirst();
}
