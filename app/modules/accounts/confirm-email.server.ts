import { sql } from "kysely";
import type { Database } from "~/db/db.server";
import { AppError } from "~/utils/errors.server";
import { findUserToken } from "./accounts.queries.server";

/** GET shows the button; only this POST-side call confirms (mail scanners open links). */
export async function describeEmailConfirmation(db: Database, token: string) {
  const row = await findUserToken(db, token, "confirm-email");
  if (!row || row.disabled_at) throw new AppError("TOKEN_INVALID");
  if (row.email_confirmed_at) return { state: "confirmed" as const };
  if (row.used_at || row.expired) throw new AppError("TOKEN_INVALID");
  return { state: "pending" as const };
}

export async function confirmEmail(db: Database, token: string): Promise<{ outcome: "confirmed" | "already-confirmed" }> {
  const row = await findUserToken(db, token, "confirm-email");
  if (!row || row.disabled_at) throw new AppError("TOKEN_INVALID");
  if (row.email_confirmed_at) return { outcome: "already-confirmed" };
  if (row.used_at || row.expired) throw new AppError("TOKEN_INVALID");
  await db.transaction().execute(async (trx) => {
    await trx.updateTable("user_tokens").set({ used_at: sql`now()` }).where("id", "=", row.id).execute();
    await trx
      .updateTable("users")
      .set({ email_confirmed_at: sql`now()`, updated_at: sql`now()` })
      .where("id", "=", row.userId)
      .where("email_confirmed_at", "is", null)
      .execute();
  });
  return { outcome: "confirmed" };
}
