import type { Database } from "~/db/db.server";
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
  await record({ status: "sent", message_id: messageId, error: null });
  return "sent";
}
