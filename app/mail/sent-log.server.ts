import type { Database } from "~/db/db.server";
import { logger } from "~/utils/logger.server";
import type { EmailMessage } from "./render";
import { findSuppression, recordSuppression } from "./suppressions.server";
import { MailDeliveryError, type Mailer } from "./transport.server";

export type SendOnceOutcome = "sent" | "already-sent" | "skipped" | "suppressed";

/**
 * At-most-once effects for at-least-once jobs: looks up the sent-log by `dedupeKey`, builds and
 * sends the message, and records the send before the job is acknowledged. `build` returns
 * undefined when there is nothing to send any more (the state moved on). Permanent failures are
 * recorded too, so they are not retried, and put the address on the suppression list; a message
 * to a suppressed address is recorded as failed and not sent. The Message-ID is derived from
 * `dedupeKey`, so a message sent again after a crash carries the same one.
 */
export async function sendOnce(
  deps: { db: Database; mailer: Mailer },
  entry: { dedupeKey: string; kind: string; signatureId?: number | null; userId?: number | null },
  build: () => Promise<EmailMessage | undefined>,
): Promise<SendOnceOutcome> {
  const { db } = deps;
  const done = await db.selectFrom("sent_emails").select("status").where("dedupe_key", "=", entry.dedupeKey).executeTakeFirst();
  if (done) return "already-sent";
  const message = await build();
  if (!message) return "skipped";

  const record = (values: { status: "sent" | "failed"; message_id: string | null; error: string | null }) =>
    db
      .insertInto("sent_emails")
      .values({
        dedupe_key: entry.dedupeKey,
        kind: entry.kind,
        signature_id: entry.signatureId ?? null,
        user_id: entry.userId ?? null,
        ...values,
      })
      .onConflict((oc) => oc.column("dedupe_key").doNothing())
      .execute();

  const suppressed = await findSuppression(db, message.to);
  if (suppressed) {
    await record({ status: "failed", message_id: null, error: `suppressed: ${suppressed.reason}`.slice(0, 500) });
    return "suppressed";
  }

  let messageId: string;
  try {
    ({ messageId } = await deps.mailer.send({ ...message, sentLogKey: entry.dedupeKey }));
  } catch (error) {
    if (error instanceof MailDeliveryError && error.permanent) {
      await recordSuppression(db, { email: message.to, reason: error.message, smtpCode: error.responseCode, kind: entry.kind });
      await record({ status: "failed", message_id: null, error: error.message });
    }
    throw error;
  }
  // The mail is out: losing this record now means a retry mails the same person again. Postgres
  // restarting or failing over takes a few seconds, so keep trying for a while before giving up.
  await untilRecorded(() => record({ status: "sent", message_id: messageId, error: null }), entry.dedupeKey);
  return "sent";
}

/** How long sendOnce keeps trying to record a send that SMTP accepted (ms); tests may shorten it. */
export const RECORD_RETRY_MS = 30_000;

async function untilRecorded(record: () => Promise<unknown>, dedupeKey: string): Promise<void> {
  const deadline = Date.now() + RECORD_RETRY_MS;
  for (let attempt = 1; ; attempt++) {
    try {
      await record();
      if (attempt > 1) logger.info({ dedupeKey, attempt }, "sent email recorded after a database error");
      return;
    } catch (error) {
      if (Date.now() >= deadline) {
        logger.error({ dedupeKey, err: String(error) }, "a sent email could not be recorded: a retry may send it again");
        throw error;
      }
      if (attempt === 1) logger.warn({ dedupeKey, err: String(error) }, "recording a sent email failed; retrying");
      await new Promise((r) => setTimeout(r, Math.min(100 * 2 ** attempt, 2_000)));
    }
  }
}
