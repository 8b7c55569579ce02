import type { Database } from "~/db/db.server";
import { enqueue } from "~/jobs/outbox.server";
import { normaliseEmail } from "~/modules/signatures/signatures.schema";
import { accountEmailSentRecently } from "./accounts.queries.server";
import type { SignUpInput } from "./accounts.schema";
import { hashPassword } from "./passwords.server";

/**
 * Creates an unconfirmed account and queues its confirmation email. An address that already has
 * an account gets a "you already have an account" email instead (at most every 10 minutes); the
 * caller answers both the same way, so the form reveals nothing about who has an account.
 */
export async function signUp(db: Database, input: SignUpInput): Promise<{ outcome: "created" | "exists" }> {
  const passwordHash = await hashPassword(input.password);
  const emailNormalized = normaliseEmail(input.email);
  return db.transaction().execute(async (trx) => {
    const created = await trx
      .insertInto("users")
      .values({ email: input.email.trim(), email_normalized: emailNormalized, display_name: input.displayName, password_hash: passwordHash })
      .onConflict((oc) => oc.column("email_normalized").doNothing())
      .returning("id")
      .executeTakeFirst();
    if (created) {
      await enqueue(trx, "account.email", { userId: created.id, kind: "confirm-email" });
      return { outcome: "created" as const };
    }
    const existing = await trx.selectFrom("users").select("id").where("email_normalized", "=", emailNormalized).executeTakeFirst();
    if (existing && !(await accountEmailSentRecently(trx, existing.id, "account.already-registered", 10))) {
      await enqueue(trx, "account.email", { userId: existing.id, kind: "already-registered" });
    }
    return { outcome: "exists" as const };
  });
}
