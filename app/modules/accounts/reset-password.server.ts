import { sql } from "kysely";
import type { Database } from "~/db/db.server";
import { enqueue } from "~/jobs/outbox.server";
import { normaliseEmail } from "~/modules/signatures/signatures.schema";
import { AppError } from "~/utils/errors.server";
import { accountEmailSentRecently, findUserToken, claimUserToken } from "./accounts.queries.server";
import { hashPassword, verifyPassword } from "./passwords.server";
import { revokeUserSessions } from "./sessions.server";

/** Queues a reset link for an existing, enabled account; answers nothing either way. */
export async function requestPasswordReset(db: Database, email: string): Promise<void> {
  const user = await db
    .selectFrom("users")
    .select("id")
    .where("email_normalized", "=", normaliseEmail(email))
    .where("disabled_at", "is", null)
    .executeTakeFirst();
  if (user && !(await accountEmailSentRecently(db, user.id, "account.reset-password", 2))) {
    await enqueue(db, "account.email", { userId: user.id, kind: "reset-password" });
  }
}

export async function checkPasswordResetToken(db: Database, token: string): Promise<void> {
  const row = await findUserToken(db, token, "reset-password");
  if (!row || row.used_at || row.expired || row.disabled_at) throw new AppError("TOKEN_INVALID");
}

/**
 * Sets a new password from a reset link. The link is single-use, proves the inbox (so it also
 * confirms the address), and logs out every session, since whoever knew the old password may
 * have one.
 */
export async function resetPassword(db: Database, token: string, newPassword: string): Promise<{ userId: number }> {
  const hash = await hashPassword(newPassword);
  return db.transaction().execute(async (trx) => {
    const row = await findUserToken(trx, token, "reset-password");
    if (!row || row.used_at || row.expired || row.disabled_at) throw new AppError("TOKEN_INVALID");
    if (!(await claimUserToken(trx, row.id))) throw new AppError("TOKEN_INVALID");
    await trx
      .updateTable("users")
      .set({ password_hash: hash, email_confirmed_at: sql`coalesce(email_confirmed_at, now())`, updated_at: sql`now()` })
      .where("id", "=", row.userId)
      .execute();
    await revokeUserSessions(trx, row.userId);
    return { userId: row.userId };
  });
}

/** Changes the password of a signed-in user and logs out their other sessions. */
export async function changePassword(
  db: Database,
  actor: { id: number; sessionId: number },
  input: { currentPassword: string; newPassword: string },
): Promise<void> {
  const user = await db.selectFrom("users").select("password_hash").where("id", "=", actor.id).executeTakeFirst();
  if (!user || !(await verifyPassword(input.currentPassword, user.password_hash))) throw new AppError("INVALID_CREDENTIALS", "INVALID_CREDENTIALS", { field: "currentPassword" });
  const hash = await hashPassword(input.newPassword);
  await db.transaction().execute(async (trx) => {
    await trx.updateTable("users").set({ password_hash: hash, updated_at: sql`now()` }).where("id", "=", actor.id).execute();
    await revokeUserSessions(trx, actor.id, actor.sessionId);
  });
}
