import { sql } from "kysely";
import type { Database } from "~/db/db.server";
import { DEFAULT_LOCALE, isLocale } from "~/i18n/i18n";
import { markdownToText } from "~/mail/markdown-text";
import { updateEmail } from "~/mail/templates/update";
import { sendOnce } from "~/mail/sent-log.server";
import { MailDeliveryError, type Mailer } from "~/mail/transport.server";
import { renderMarkdown } from "~/utils/markdown.server";
import { generateToken, hashToken } from "~/utils/tokens.server";
import { suppressedAmong, recordSuppression } from "~/mail/suppressions.server";
import { normaliseEmail } from "~/modules/signatures/signatures.schema";
import { claimDeliveries, DEFAULT_LEASE_SECONDS, finishIfDone, markDelivery, nextLeaseExpiry, renewLeases } from "./updates.server";

type Deps = { db: Database; mailer: Mailer; appUrl: string };

/** The draft, sent to the organiser who asked (through the ordinary sent-log). */
export async function sendUpdateTest(deps: Deps, job: { updateId: number; userId: number; outboxId: number }) {
  const kind = "updates.test";
  return sendOnce(deps, { dedupeKey: `${kind}:${job.updateId}:${job.outboxId}`, kind, userId: job.userId }, async () => {
    const row = await deps.db
      .selectFrom("updates as u")
      .innerJoin("campaigns as c", "c.id", "u.campaign_id")
      .leftJoin("organisations as o", "o.id", "c.organisation_id")
      .select(["u.subject", "u.body_md", "c.title", "o.name as organisation_name", "o.contact_email"])
      .where("u.id", "=", job.updateId)
      .executeTakeFirst();
    const user = await deps.db.selectFrom("users").select(["email", "disabled_at"]).where("id", "=", job.userId).executeTakeFirst();
    if (!row || !user || user.disabled_at) return undefined;
    return updateEmail({
      to: user.email,
      locale: DEFAULT_LOCALE,
      subject: `[TEST] ${row.subject}`,
      bodyMd: row.body_md,
      campaignTitle: row.title,
      organisation: row.organisation_name ? { name: row.organisation_name, contactEmail: row.contact_email } : null,
      unsubscribeUrl: null,
    });
  });
}

/** Messages one drain keeps in flight (the mailer's pool has 5 connections; 4 drains share it). */
const SENDS_IN_FLIGHT = 5;

/**
 * Drains one update's queue: claims a batch with a lease, sends its messages (a few at a time),
 * and records each one as soon as the SMTP server has answered it; repeats until nothing is left,
 * waiting for lapsed leases of a drain that died. `perSecond` paces this drain. Addresses on the
 * suppression list are skipped (recorded failed); a permanent refusal (5xx) puts the address on
 * it. A temporary SMTP failure stops the batch: messages in flight finish and are recorded, that
 * delivery and those not yet sent go back in the queue, and the job throws so it retries later
 * with backoff.
 */
export async function drainUpdate(deps: Deps, updateId: number, opts: { perSecond: number; batch?: number; leaseSeconds?: number }) {
  const { db } = deps;
  const leaseSeconds = opts.leaseSeconds ?? DEFAULT_LEASE_SECONDS;
  const update = await db
    .selectFrom("updates as u")
    .innerJoin("campaigns as c", "c.id", "u.campaign_id")
    .leftJoin("organisations as o", "o.id", "c.organisation_id")
    .select(["u.id", "u.status", "u.subject", "u.body_md", "c.title", "o.name as organisation_name", "o.contact_email"])
    .where("u.id", "=", updateId)
    .executeTakeFirst();
  if (!update || update.status !== "sending") return { sent: 0 };
  const bodyHtml = renderMarkdown(update.body_md, { headingOffset: 1 });
  const bodyText = markdownToText(update.body_md);
  const interval = 1000 / Math.max(0.1, opts.perSecond);
  const started = Date.now();
  let launched = 0;
  let sent = 0;
  let idleSince: number | undefined;
  for (;;) {
    const claimed = await claimDeliveries(db, updateId, opts.batch ?? 50, leaseSeconds);
    if (claimed.length === 0) {
      // Nothing queued. Deliveries still held by another drain: if that drain is alive it
      // finishes them (and renews its leases); if it died, its leases lapse and we take them.
      // Wait a little over one lease for that, polling; past it, the scheduled release job
      // (releaseAbandonedDeliveries) is the backstop, and this job does not hold a worker slot.
      const expiry = await nextLeaseExpiry(db, updateId);
      if (!expiry) break;
      idleSince ??= Date.now();
      if (Date.now() - idleSince > (leaseSeconds + 5) * 1000) return { sent };
      await new Promise((r) => setTimeout(r, Math.min(Math.max(expiry.getTime() - Date.now() + 100, 100), 1_000)));
      continue;
    }
    idleSince = undefined;
    const held = new Set(claimed.map((c) => c.id));
    const renewal = setInterval(() => void renewLeases(db, [...held], leaseSeconds).catch(() => undefined), (leaseSeconds * 1000) / 3);
    try {
      sent += await sendBatch();
    } finally {
      clearInterval(renewal);
    }

    async function sendBatch(): Promise<number> {
      const signatures = await db
        .selectFrom("signatures")
        .select(["id", "email", "locale", "unsubscribed_at"])
        .where("id", "in", claimed.map((c) => c.signature_id))
        .execute();
      const byId = new Map(signatures.map((s) => [s.id, s]));
      const suppressed = await suppressedAmong(db, signatures.flatMap((s) => (s.email ? [s.email] : [])));
      const record = async (id: number, outcome: Parameters<typeof markDelivery>[2]) => {
        await markDelivery(db, id, outcome);
        held.delete(id);
      };
      const toSend: { id: number; signatureId: number; email: string; locale: string; token: string }[] = [];
      for (const delivery of claimed) {
        const signature = byId.get(delivery.signature_id);
        const suppression = signature?.email ? suppressed.get(normaliseEmail(signature.email)) : undefined;
        if (!signature?.email || signature.unsubscribed_at) await record(delivery.id, { status: "failed", error: "unsubscribed or erased before sending" });
        else if (suppression) await record(delivery.id, { status: "failed", error: `suppressed: ${suppression.reason}` });
        else toSend.push({ id: delivery.id, signatureId: signature.id, email: signature.email, locale: signature.locale, token: generateToken() });
      }
      // Every unsubscribe token of the batch in one statement, before any message carries one.
      if (toSend.length) {
        await sql`
          UPDATE update_deliveries AS d SET unsubscribe_token_hash = v.hash
          FROM (SELECT unnest(${toSend.map((m) => m.id)}::bigint[]) AS id, unnest(${toSend.map((m) => hashToken(m.token))}::bytea[]) AS hash) AS v
          WHERE d.id = v.id`.execute(db);
      }

      let next = 0;
      let stop: unknown;
      let batchSent = 0;
      const sender = async () => {
        while (stop === undefined && next < toSend.length) {
          const item = toSend[next++]!;
          const wait = started + launched++ * interval - Date.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
          if (stop !== undefined) break; // not sent: released below with the rest of the batch
          const message = updateEmail({
            to: item.email,
            locale: isLocale(item.locale) ? item.locale : DEFAULT_LOCALE,
            subject: update!.subject,
            bodyMd: update!.body_md,
            bodyHtml,
            bodyText,
            campaignTitle: update!.title,
            organisation: update!.organisation_name ? { name: update!.organisation_name, contactEmail: update!.contact_email } : null,
            unsubscribeUrl: `${deps.appUrl}/unsubscribe/${item.token}`,
          });
          try {
            await deps.mailer.send({ ...message, sentLogKey: `update:${updateId}:${item.signatureId}` });
          } catch (error) {
            if (error instanceof MailDeliveryError && error.permanent) {
              await recordSuppression(db, { email: item.email, reason: error.message, smtpCode: error.responseCode, kind: "update" });
              await record(item.id, { status: "failed", error: error.message });
              continue;
            }
            // Not accepted by the server: nothing went out, so this one may be tried again.
            await record(item.id, { status: "queued", error: String((error as Error).message ?? error) });
            stop ??= error;
            continue;
          }
          // Recorded right away: a kill from here on can only duplicate the messages in flight.
          await record(item.id, { status: "sent" });
          batchSent++;
        }
      };
      await Promise.all(Array.from({ length: Math.min(SENDS_IN_FLIGHT, toSend.length) }, sender));
      if (stop !== undefined) {
        // Release the rest of this batch too, then let the job retry later.
        for (const id of [...held]) await record(id, { status: "queued", error: "batch paused" }).catch(() => undefined);
        throw stop;
      }
      return batchSent;
    }
  }
  await finishIfDone(db, updateId);
  return { sent };
}
