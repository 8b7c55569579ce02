import { sql } from "kysely";
import type { Executor } from "~/db/db.server";
import type { UserTokenPurpose } from "~/db/schema";
import { generateToken, hashToken, isWellFormedToken, tokenMatchesHash } from "~/utils/tokens.server";

export const USER_TOKEN_TTL_MINUTES: Record<UserTokenPurpose, number> = {
  "confirm-email": 2 * 24 * 60,
  "reset-password": 60,
};

export async function findUserByEmail(db: Executor, emailNormalized: string) {
  return db.selectFrom("users").selectAll().where("email_normalized", "=", emailNormalized).executeTakeFirst();
}

export async function findUserById(db: Executor, id: number) {
  return db.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirst();
}

/** Creates a one-time account token (email confirmation, password reset); stores only its hash. */
export async function issueUserToken(trx: Executor, userId: number, purpose: UserTokenPurpose): Promise<string> {
  const token = generateToken();
  await trx
    .insertInto("user_tokens")
    .values({
      user_id: userId,
      purpose,
      token_hash: hashToken(token),
      expires_at: sql<Date>`now() + make_interval(mins => ${USER_TOKEN_TTL_MINUTES[purpose]})`,
    })
    .execute();
  return token;
}

export async function findUserToken(db: Executor, token: string, purpose: UserTokenPurpose) {
  if (!isWellFormedToken(token)) return undefined;
  const row = await db
    .selectFrom("user_tokens as t")
    .innerJoin("users as u", "u.id", "t.user_id")
    .select([
      "t.id",
      "t.token_hash",
      "t.used_at",
      sql<boolean>`t.expires_at < now()`.as("expired"),
      "u.id as userId",
      "u.email",
      "u.disabled_at",
      "u.email_confirmed_at",
    ])
    .where("t.token_hash", "=", hashToken(token))
    .where("t.purpose", "=", purpose)
    .executeTakeFirst();
  if (!row || !tokenMatchesHash(token, row.token_hash)) return undefined;
  return row;
}

/**
 * Marks a token used, once: true for the one caller that did, false for any other (two presses of
 * the same link race here, and only one of them goes on).
 */
export async function claimUserToken(trx: Executor, tokenId: number): Promise<boolean> {
  const used = await trx.updateTable("user_tokens").set({ used_at: sql`now()` }).where("id", "=", tokenId).where("used_at", "is", null).executeTakeFirst();
  return used.numUpdatedRows > 0n;
}

/** Whether an account email of this kind went to this user in the last `minutes` (a throttle). */
export async function accountEmailSentRecently(db: Executor, userId: number, kind: string, minutes: number): Promise<boolean> {
  const row = await db
    .selectFrom("sent_emails")
    .select("id")
    .where("user_id", "=", userId)
    .where("kind", "=", kind)
    .where("created_at", ">", sql<Date>`now() - make_interval(mins => ${minutes})`)
    .limit(1)
    .executeTakeFirst();
  return Boolean(row);
}
