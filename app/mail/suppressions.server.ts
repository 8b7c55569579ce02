import type { Database, Executor } from "~/db/db.server";
import type { Actor } from "~/modules/access/actor.server";
import { requireAdmin } from "~/modules/access/guards.server";
import { recordAudit } from "~/modules/audit/audit.server";
import { normaliseEmail } from "~/modules/signatures/signatures.schema";
import { AppError } from "~/utils/errors.server";

/**
 * The suppression list: addresses the mail server refused for good (a 5xx reply: no such mailbox,
 * domain gone, policy). Large mail providers expect bulk senders to stop mailing such addresses;
 * retrying them hurts the reputation every other message depends on. Keyed by the lower-cased
 * address. Temporary failures (4xx) never land here: they retry with backoff.
 */

export const SUPPRESSIONS_SHOWN = 200;

/** The suppression of this address, if any. */
export async function findSuppression(db: Executor, email: string) {
  return db.selectFrom("email_suppressions").selectAll().where("email_normalized", "=", normaliseEmail(email)).executeTakeFirst();
}

/** Which of these addresses are suppressed, by normalised address (one query for a batch). */
export async function suppressedAmong(db: Executor, emails: string[]): Promise<Map<string, { reason: string }>> {
  const keys = [...new Set(emails.map(normaliseEmail))];
  if (keys.length === 0) return new Map();
  const rows = await db.selectFrom("email_suppressions").select(["email_normalized", "reason"]).where("email_normalized", "in", keys).execute();
  return new Map(rows.map((r) => [r.email_normalized, { reason: r.reason }]));
}

/** Records a permanent refusal (first one wins: the original reason is the useful one). */
export async function recordSuppression(db: Executor, entry: { email: string; reason: string; smtpCode?: number | null; kind: string }) {
  await db
    .insertInto("email_suppressions")
    .values({
      email_normalized: normaliseEmail(entry.email).slice(0, 320),
      reason: entry.reason.slice(0, 500) || "refused",
      smtp_code: entry.smtpCode ?? null,
      kind: entry.kind.slice(0, 100),
    })
    .onConflict((oc) => oc.column("email_normalized").doNothing())
    .execute();
}

/** Admins: the newest suppressions, optionally those whose address contains `search`. */
export async function listSuppressions(db: Executor, actor: Actor, opts: { search?: string } = {}) {
  requireAdmin(actor);
  let query = db.selectFrom("email_suppressions").selectAll().orderBy("created_at", "desc").limit(SUPPRESSIONS_SHOWN);
  if (opts.search) query = query.where("email_normalized", "like", `%${opts.search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  const [rows, total] = await Promise.all([
    query.execute(),
    db.selectFrom("email_suppressions").select((eb) => eb.fn.countAll<string>().as("n")).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(total.n) };
}

/** Admins: lifts a suppression (the mailbox works again); audited. */
export async function removeSuppression(db: Database, actor: Actor, email: string) {
  requireAdmin(actor);
  const key = normaliseEmail(email);
  await db.transaction().execute(async (trx) => {
    const removed = await trx.deleteFrom("email_suppressions").where("email_normalized", "=", key).returning(["reason"]).executeTakeFirst();
    if (!removed) throw new AppError("NOT_FOUND", "no such suppression");
    await recordAudit(trx, { actorUserId: actor.id, actorLabel: actor.email, action: "email.unsuppress", subject: key, details: { reason: removed.reason } });
  });
}
