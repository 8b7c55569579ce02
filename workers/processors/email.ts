import { UnrecoverableError, type Job } from "bullmq";
import type { Database } from "~/db/db.server";
import { JOBS } from "~/jobs/definitions";
import { MailDeliveryError, type Mailer } from "~/mail/transport.server";
import { sendVerificationEmail } from "~/modules/signatures/send-verification-email.server";
import { logger } from "~/utils/logger.server";

export function emailProcessor(deps: { db: Database; mailer: Mailer; appUrl: string }) {
  return async (job: Job) => {
    if (job.name !== "signature.verification") throw new UnrecoverableError(`unknown email job "${job.name}"`);
    const parsed = JOBS["signature.verification"].payload.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`bad payload: ${parsed.error.issues.map((i) => i.message).join("; ")}`);
    try {
      const outcome = await sendVerificationEmail(deps, parsed.data);
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
