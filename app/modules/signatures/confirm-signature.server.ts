import { CompiledQuery, sql } from "kysely";
import { executePrepared, type Database } from "~/db/db.server";
import { groupedStatement } from "~/db/grouped.server";
import { getConfirmedTotalNow } from "~/modules/counts/counts.server";
import { AppError } from "~/utils/errors.server";
import { hashesMatch, hashToken, isWellFormedToken } from "~/utils/tokens.server";
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

export const CONFIRM_STATEMENT = "banner_confirm";

/**
 * The confirming statements' writes, after their `link` (the links' signatures as read): flip
 * each pending one whose link and campaign allow it, and add its +1 to the count ledger.
 */
const FLIP_AND_COUNT = `confirmed AS (
  -- Re-checked on the row itself: of concurrent confirmations of one link, one flips it.
  UPDATE signatures s SET status = 'confirmed', confirmed_at = now()
  FROM link
  WHERE s.id = link.signature_id AND s.status = 'pending'
    AND link.status = 'pending' AND NOT link.expired AND link.campaign_status = 'published'
  RETURNING s.id, s.campaign_id, s.country, s.confirmed_at
),
ledger AS (
  INSERT INTO signature_count_changes (campaign_id, country, day, delta)
  SELECT campaign_id, country, (confirmed_at AT TIME ZONE 'UTC')::date, 1 FROM confirmed
  RETURNING id
)`;

/**
 * The whole confirmation as one statement: read the link's signature, flip it from pending to
 * confirmed when the link and campaign allow it, and add its +1 to the count ledger. One round trip
 * (it was a read, then a write), prepared once per connection like the signing statement
 * (docs/decisions/0015). The row it returns is the signature as it was read, plus whether this
 * statement confirmed it.
 */
export function confirmStatement(tokenHash: Buffer, locale: string | undefined) {
  return sql<{
    token_hash: Buffer;
    expired: boolean;
    signature_id: number;
    campaign_id: number;
    folded: number;
    status: string;
    referral_code: string | null;
    slug: string;
    title: string;
    campaign_status: string;
    confirmed_now: boolean;
  }>`
    WITH link AS (
      SELECT t.token_hash, t.expires_at < now() AS expired, s.id AS signature_id, s.campaign_id, s.status, s.referral_code,
             c.slug, coalesce(tr.title, c.title) AS title, c.status AS campaign_status
      FROM signature_tokens t
      JOIN signatures s ON s.id = t.signature_id
      JOIN campaigns c ON c.id = s.campaign_id
      LEFT JOIN campaign_translations tr ON tr.campaign_id = c.id AND tr.locale = ${locale ?? ""}::text AND tr.ask_version = c.ask_version
      WHERE t.token_hash = ${tokenHash} AND t.purpose = 'verify'
    ),
    ${sql.raw(FLIP_AND_COUNT)}
    SELECT link.*, EXISTS (SELECT 1 FROM ledger) AS confirmed_now,
       coalesce((SELECT cc.confirmed FROM campaign_counts cc WHERE cc.campaign_id = link.campaign_id), 0)::int AS folded
     FROM link`;
}

type ConfirmRow = ReturnType<typeof confirmStatement> extends { compile(db: Database): CompiledQuery<infer R> } ? R : never;

/**
 * The statement's text is the same for every call (only its two parameters change), so it is
 * compiled once per database and each call fills in its parameters: kysely need not walk the
 * query for every confirmation. Where each parameter goes is read off one compilation with marker
 * values, so a change to the statement's text cannot mix them up.
 */
const confirmTexts = new WeakMap<Database, { sql: string; order: ("tokenHash" | "locale")[] }>();
export function compiledConfirmStatement(db: Database, tokenHash: Buffer, locale: string | undefined): CompiledQuery<ConfirmRow> {
  let text = confirmTexts.get(db);
  if (!text) {
    const hashMarker = Buffer.from("token hash marker");
    const localeMarker = "locale marker";
    const marked = confirmStatement(hashMarker, localeMarker).compile(db);
    const order = marked.parameters.map((value) => {
      if (value === hashMarker) return "tokenHash" as const;
      if (value === localeMarker) return "locale" as const;
      throw new Error("the confirm statement has a parameter other than the token hash and the locale");
    });
    text = { sql: marked.sql, order };
    confirmTexts.set(db, text);
  }
  const values = { tokenHash, locale: locale ?? "" };
  return CompiledQuery.raw(text.sql, text.order.map((name) => values[name])) as CompiledQuery<ConfirmRow>;
}

/**
 * The confirming statement for many links at once, sent when several confirmations arrive
 * together (confirmingGroup, app/db/grouped.server.ts): the same reads, flips and ledger rows,
 * each link a row of the input, answered with its position (ord). A link that matched nothing
 * has no row.
 */
export const CONFIRM_MANY_STATEMENT = "banner_confirm_many";

const CONFIRM_MANY_SQL = `/* banner: confirm many */
WITH input AS (SELECT * FROM unnest($1::bytea[], $2::text[]) WITH ORDINALITY AS i(token_hash, locale, ord)),
link AS (
  SELECT i.ord, t.token_hash, t.expires_at < now() AS expired, s.id AS signature_id, s.campaign_id, s.status, s.referral_code,
         c.slug, coalesce(tr.title, c.title) AS title, c.status AS campaign_status
  FROM input i
  JOIN signature_tokens t ON t.token_hash = i.token_hash AND t.purpose = 'verify'
  JOIN signatures s ON s.id = t.signature_id
  JOIN campaigns c ON c.id = s.campaign_id
  LEFT JOIN campaign_translations tr ON tr.campaign_id = c.id AND tr.locale = i.locale AND tr.ask_version = c.ask_version
),
${FLIP_AND_COUNT}
SELECT link.*, link.signature_id IN (SELECT id FROM confirmed) AS confirmed_now,
       coalesce((SELECT cc.confirmed FROM campaign_counts cc WHERE cc.campaign_id = link.campaign_id), 0)::int AS folded
FROM link`;

interface ConfirmInput {
  tokenHash: Buffer;
  locale: string;
}

/**
 * Confirms these links in one statement and answers each in order (null: no such link). Two
 * links of one signature in a group (the same link twice, or two of its emails): the first is
 * the one that confirmed it, and the others read as a confirmation that came second.
 */
async function confirmMany(db: Database, items: readonly ConfirmInput[]): Promise<(ConfirmRow | null)[]> {
  const rows = await executePrepared(
    db,
    CONFIRM_MANY_STATEMENT,
    CompiledQuery.raw(CONFIRM_MANY_SQL, [items.map((i) => i.tokenHash), items.map((i) => i.locale)]) as CompiledQuery<ConfirmRow & { ord: number }>,
  );
  const byPosition: (ConfirmRow | null)[] = items.map(() => null);
  const firstOf = new Set<number>();
  for (const { ord, ...row } of [...rows].sort((a, b) => Number(a.ord) - Number(b.ord))) {
    const first = !firstOf.has(row.signature_id);
    firstOf.add(row.signature_id);
    byPosition[Number(ord) - 1] = first ? row : { ...row, confirmed_now: false };
  }
  return byPosition;
}

/** Confirmations made at the same moment share a statement; a lone one sends CONFIRM_STATEMENT, as before. */
const confirming = groupedStatement<ConfirmInput, ConfirmRow | null>("confirm", {
  maxGroup: 100,
  maxInFlight: 8,
  one: async (db, { tokenHash, locale }) => (await executePrepared(db, CONFIRM_STATEMENT, compiledConfirmStatement(db, tokenHash, locale)))[0] ?? null,
  many: confirmMany,
});

/** The confirming queue of this database (its counts, for /metrics and the tests). */
export const confirmingGroup = (db: Database) => confirming.grouper(db);

/**
 * Confirms a pending signature. The status change and the +1 in the count ledger commit together;
 * no campaign row is touched, so a surge of confirmations never queues on one hot row.
 * Confirming twice is harmless: the second call finds nothing pending and reports "already".
 * Unknown, invalidated or disowned → TOKEN_INVALID; expired → TOKEN_EXPIRED; campaign closed →
 * CAMPAIGN_NOT_OPEN, as verifiableSignature() says for showing the link.
 */
export async function confirmSignature(db: Database, token: string, opts: { locale?: string } = {}) {
  if (!isWellFormedToken(token)) throw new AppError("TOKEN_INVALID");
  const tokenHash = hashToken(token);
  const row = await confirming.run(db, { tokenHash, locale: opts.locale ?? "" });
  // The index lookup already matched the hash; this comparison is constant-time regardless.
  if (!row || !hashesMatch(tokenHash, row.token_hash) || row.status === "invalidated" || row.status === "disowned") throw new AppError("TOKEN_INVALID");
  const campaign = { slug: row.slug, title: row.title };
  const referralCode = row.referral_code;
  // The folded count is read in the same statement, so it cannot yet hold this confirmation (the
  // worker folds only committed ledger rows): plus one, it is a count the signer is in, without
  // reading the unfolded ledger on every confirmation during a surge.
  if (row.confirmed_now) return { outcome: "confirmed" as const, campaign, referralCode, confirmedCount: row.folded + 1 };
  if (row.status === "confirmed") return { outcome: "already-confirmed" as const, campaign, referralCode, confirmedCount: await getConfirmedTotalNow(db, row.campaign_id) };
  if (row.expired) throw new AppError("TOKEN_EXPIRED", "token expired", campaign);
  if (row.campaign_status !== "published") throw new AppError("CAMPAIGN_NOT_OPEN", "campaign closed", campaign);
  // Pending when read, but a concurrent confirmation of the same link flipped it first.
  return { outcome: "already-confirmed" as const, campaign, referralCode, confirmedCount: await getConfirmedTotalNow(db, row.campaign_id) };
}
