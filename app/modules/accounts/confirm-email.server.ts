import { sql } from "kysely";
import type { Database } from "~/db/db.server";
import { AppError } from "~/utils/errors.server";
import { findUserToken, claimUserToken } from "./accounts.queries.server";
import { createSession } from "./sessions.server";

/** GET shows the button; only this POST-side call confirms (mail scanners open links). */
export async function describeEmailConfirmation(db: Database, token: string) {
  const row = await findUserToken(db, token, "confirm-email");
  if (!row || row.disabled_at) throw new AppError("TOKEN_INVALID");
  if (row.email_confirmed_at) return { state: "confirmed" as const };
  if (row.used_at || row.expired) throw new AppError("TOKEN_INVALID");
  return { state: "pending" as const };
}

/**
 * Confirms the address. With `signIn`, the press that confirms also starts a session (the token
 * is single-use and short-lived, so it signs in once, like a one-time link); a token pressed
 * again, or an account confirmed already, signs nobody in.
 */
export async function confirmEmail(
  db: Database,
  token: string,
  signIn?: { ipAddress?: string | null; userAgent?: string | null },
): Promise<{ outcome: "confirmed" | "already-confirmed"; sessionToken?: string }> {
  const row = await findUserToken(db, token, "confirm-email");
  if (!row || row.disabled_at) throw new AppError("TOKEN_INVALID");
  if (row.email_confirmed_at) return { outcome: "already-confirmed" };
  if (row.used_at || row.expired) throw new AppError("TOKEN_INVALID");
  return db.transaction().execute(async (trx) => {
    // Only the press that uses the token confirms and signs in: two presses at once race here.
    const used = await claimUserToken(trx, row.id);
    await trx
      .updateTable("users")
      .set({ email_confirmed_at: sql`now()`, updated_at: sql`now()` })
      .where("id", "=", row.userId)
      .where("email_confirmed_at", "is", null)
      .execute();
    if (!signIn || !used) return { outcome: "confirmed" as const };
    return { outcome: "confirmed" as const, sessionToken: await createSession(trx, row.userId, signIn) };
  });
}
