import { UnrecoverableError, type Job } from "bullmq";
import type { Database } from "~/db/db.server";
import { JOBS } from "~/jobs/definitions";
import { MailDeliveryError, type Mailer } from "~/mail/transport.server";
import { sendMilestoneEmails } from "~/modules/counts/milestones.server";
import { sendAccountEmail, sendInvitationEmail } from "~/modules/accounts/send-account-email.server";
import { sendErasureLink } from "~/modules/privacy/send-erasure-link.server";
import { sendVerificationEmail } from "~/modules/signatures/send-verification-email.server";
import { sendUpdateTest } from "~/modules/updates/send-updates.server";
import { logger } from "~/utils/logger.server";

/** Validates a payload again in the worker: a bad one can never succeed, so it is not retried. */
function payload<
  N extends "signature.verification" | "account.email" | "organisation.invitation" | "updates.test" | "campaign.milestone" | "privacy.erasure-link",
>(name: N, data: unknown) {
  const parsed = JOBS[name].payload.safeParse(data);
  if (!parsed.success) throw new UnrecoverableError(`bad ${name} payload: ${parsed.error.issues.map((i) => i.message).join("; ")}`);
  return parsed.data as import("zod").output<(typeof JOBS)[N]["payload"]>;
}

export function emailProcessor(deps: { db: Database; mailer: Mailer; appUrl: string }) {
  return async (job: Job) => {
    try {
      let outcome: string;
      switch (job.name) {
        case "signature.verification":
          outcome = await sendVerificationEmail(deps, payload("signature.verification", job.data));
          break;
        case "account.email":
          outcome = await sendAccountEmail(deps, payload("account.email", job.data));
          break;
        case "organisation.invitation":
          outcome = await sendInvitationEmail(deps, payload("organisation.invitation", job.data));
          break;
        case "updates.test":
          outcome = await sendUpdateTest(deps, payload("updates.test", job.data));
          break;
        case "campaign.milestone":
          outcome = await sendMilestoneEmails(deps, payload("campaign.milestone", job.data));
          break;
        case "privacy.erasure-link":
          outcome = await sendErasureLink(deps, payload("privacy.erasure-link", job.data));
          break;
        default:
          throw new UnrecoverableError(`unknown email job "${job.name}"`);
      }
      logger.info({ job: job.id, kind: job.name, outcome }, "email job done");
      return outcome;
    } catch (error) {
      if (error instanceof MailDeliveryError) {
        logger.warn({ job: job.id, kind: job.name, permanent: error.permanent, err: error.message }, "email send failed");
        if (error.permanent) throw new UnrecoverableError(error.message);
      }
      throw error;
    }
  };
}
