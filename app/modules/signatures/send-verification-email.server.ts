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
  job: { signatureId: number; outboxId: number },
): Promise<SendOutcome> {
  const { db } = deps;
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
