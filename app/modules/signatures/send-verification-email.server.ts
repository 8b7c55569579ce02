import { sql } from "kysely";
import type { Database } from "~/db/db.server";
import { isLocale, DEFAULT_LOCALE } from "~/i18n/i18n";
import { sendOnce } from "~/mail/sent-log.server";
import { verificationEmail } from "~/mail/templates/verification";
import type { Mailer } from "~/mail/transport.server";
import { findSignatureForEmail, issueVerificationToken } from "./signatures.queries.server";

export type SendOutcome = "sent" | "already-sent" | "not-pending" | "suppressed";

/**
 * Sends one verification email for one outbox request, at most once: the sent-log is keyed by
 * (kind, signature, request). A signature that is no longer pending gets nothing.
 */
export async function sendVerificationEmail(
  deps: { db: Database; mailer: Mailer; appUrl: string },
  job: { signatureId: number; outboxId: number; swept?: true },
): Promise<SendOutcome> {
  const { db } = deps;
  // A request already answered by a later one (a sweep, or signing again) needs no email of its
  // own; a swept request is owed only while no verification was ever recorded. This is what keeps
  // the sweeper's re-enqueued email and a slow original from both going out.
  const answered = await db
    .selectFrom("sent_emails")
    .select("id")
    .where("signature_id", "=", job.signatureId)
    .where("kind", "=", "signature.verification")
    .$if(!job.swept, (qb) => qb.where(sql<boolean>`split_part(dedupe_key, ':', 3)::bigint > ${job.outboxId}`))
    .executeTakeFirst();
  if (answered) return "already-sent";
  const outcome = await sendOnce(
    deps,
    { dedupeKey: `signature.verification:${job.signatureId}:${job.outboxId}`, kind: "signature.verification", signatureId: job.signatureId },
    async () => {
      const signature = await findSignatureForEmail(db, job.signatureId);
      if (!signature || signature.status !== "pending" || !signature.email || signature.campaignStatus !== "published") return undefined;
      const token = await issueVerificationToken(db, signature.id);
      return verificationEmail({
        to: signature.email,
        name: signature.name ?? "",
        campaignTitle: signature.title,
        token,
        appUrl: deps.appUrl,
        locale: isLocale(signature.locale) ? signature.locale : DEFAULT_LOCALE,
      });
    },
  );
  return outcome === "skipped" ? "not-pending" : outcome;
}
