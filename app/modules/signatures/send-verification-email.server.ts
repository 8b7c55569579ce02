import type { Database } from "~/db/db.server";
import { isLocale, DEFAULT_LOCALE } from "~/i18n/i18n";
import { verificationEmail } from "~/mail/templates/verification";
import { MailDeliveryError, type Mailer } from "~/mail/transport.server";
import { findSignatureForEmail, issueVerificationToken } from "./signatures.queries.server";

export type SendOutcome = "sent" | "already-sent" | "not-pending";

/**
 * Sends one verification email for one outbox request. The sent-log row, keyed by
 * (kind, signature, request), is written before the job is acknowledged, so a retried or
 * duplicated job finds it and sends nothing. A permanent failure is recorded too.
 */
export async function sendVerificationEmail(
  deps: { db: Database; mailer: Mailer; appUrl: string },
  job: { signatureId: number; outboxId: number },
): Promise<SendOutcome> {
  const { db } = deps;
  const dedupeKey = `signature.verification:${job.signatureId}:${job.outboxId}`;
  const done = await db.selectFrom("sent_emails").select("status").where("dedupe_key", "=", dedupeKey).executeTakeFirst();
  if (done) return "already-sent";

  const signature = await findSignatureForEmail(db, job.signatureId);
  if (!signature || signature.status !== "pending" || !signature.email || signature.campaignStatus !== "published") {
    return "not-pending";
  }

  const token = await issueVerificationToken(db, signature.id);
  const message = verificationEmail({
    to: signature.email,
    name: signature.name ?? "",
    campaignTitle: signature.title,
    token,
    appUrl: deps.appUrl,
    locale: isLocale(signature.locale) ? signature.locale : DEFAULT_LOCALE,
  });

  const record = (values: { status: "sent" | "failed"; message_id: string | null; error: string | null }) =>
    db
      .insertInto("sent_emails")
      .values({ dedupe_key: dedupeKey, kind: "signature.verification", signature_id: signature.id, ...values })
      .onConflict((oc) => oc.column("dedupe_key").doNothing())
      .execute();

  let messageId: string;
  try {
    ({ messageId } = await deps.mailer.send(message));
  } catch (error) {
    if (error instanceof MailDeliveryError && error.permanent) {
      await record({ status: "failed", message_id: null, error: error.message });
    }
    throw error;
  }
  await record({ status: "sent", message_id: messageId, error: null });
  return "sent";
}
