import type { Database } from "~/db/db.server";
import { DEFAULT_LOCALE, direction, isLocale, translator, type Locale } from "~/i18n/i18n";
import { emailLayout, escapeHtml, type EmailMessage } from "~/mail/render";
import { sendOnce } from "~/mail/sent-log.server";
import { MailDeliveryError, type Mailer } from "~/mail/transport.server";
import { renderMarkdown } from "~/utils/markdown.server";
import { generateToken, hashToken } from "~/utils/tokens.server";
import { claimDeliveries, finishIfDone, markDelivery } from "./updates.server";

type Deps = { db: Database; mailer: Mailer; appUrl: string };

function updateEmail(args: { to: string; locale: Locale; subject: string; bodyMd: string; campaignTitle: string; unsubscribeUrl: string | null; appUrl: string }): EmailMessage {
  const t = translator(args.locale);
  const why = t("email.update.why", { title: args.campaignTitle });
  const unsubscribeLine = args.unsubscribeUrl ? t("email.update.unsubscribe") : t("email.update.testNotice");
  const text = [args.bodyMd, "", "--", why, unsubscribeLine, ...(args.unsubscribeUrl ? [args.unsubscribeUrl] : [])].join("\n");
  const html = emailLayout({
    lang: args.locale,
    dir: direction(args.locale),
    title: args.subject,
    body: `${renderMarkdown(args.bodyMd, { headingOffset: 1 })}
<hr style="border:none;border-top:1px solid #e2ddd5">
<p style="font-size:12px;color:#7a746c">${escapeHtml(why)}<br>${escapeHtml(unsubscribeLine)}${
      args.unsubscribeUrl ? ` <a href="${escapeHtml(args.unsubscribeUrl)}">${escapeHtml(args.unsubscribeUrl)}</a>` : ""
    }</p>`,
  });
  // RFC 8058: mail clients show an unsubscribe button that POSTs to this address in one click.
  const headers: Record<string, string> = args.unsubscribeUrl
    ? { "List-Unsubscribe": `<${args.unsubscribeUrl}>`, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" }
    : {};
  return { to: args.to, subject: args.subject, html, text, headers };
}

/** The draft, sent to the organiser who asked (through the ordinary sent-log). */
export async function sendUpdateTest(deps: Deps, job: { updateId: number; userId: number; outboxId: number }) {
  const kind = "updates.test";
  return sendOnce(deps, { dedupeKey: `${kind}:${job.updateId}:${job.outboxId}`, kind, userId: job.userId }, async () => {
    const row = await deps.db
      .selectFrom("updates as u")
      .innerJoin("campaigns as c", "c.id", "u.campaign_id")
      .select(["u.subject", "u.body_md", "c.title"])
      .where("u.id", "=", job.updateId)
      .executeTakeFirst();
    const user = await deps.db.selectFrom("users").select(["email", "disabled_at"]).where("id", "=", job.userId).executeTakeFirst();
    if (!row || !user || user.disabled_at) return undefined;
    return updateEmail({ to: user.email, locale: DEFAULT_LOCALE, subject: `[TEST] ${row.subject}`, bodyMd: row.body_md, campaignTitle: row.title, unsubscribeUrl: null, appUrl: deps.appUrl });
  });
}

/**
 * Drains one update's queue: claims a batch, sends each message, records each outcome; repeats
 * until nothing is queued. `perSecond` paces this drain. A temporary SMTP failure puts that one
 * delivery back in the queue and throws, so the job retries later with backoff.
 */
export async function drainUpdate(deps: Deps, updateId: number, opts: { perSecond: number; batch?: number }) {
  const { db } = deps;
  const update = await db
    .selectFrom("updates as u")
    .innerJoin("campaigns as c", "c.id", "u.campaign_id")
    .select(["u.id", "u.status", "u.subject", "u.body_md", "c.title"])
    .where("u.id", "=", updateId)
    .executeTakeFirst();
  if (!update || update.status !== "sending") return { sent: 0 };
  const interval = 1000 / Math.max(0.1, opts.perSecond);
  const started = Date.now();
  let sent = 0;
  for (;;) {
    const claimed = await claimDeliveries(db, updateId, opts.batch ?? 50);
    if (claimed.length === 0) break;
    const signatures = await db
      .selectFrom("signatures")
      .select(["id", "email", "locale", "unsubscribed_at"])
      .where("id", "in", claimed.map((c) => c.signature_id))
      .execute();
    const byId = new Map(signatures.map((s) => [s.id, s]));
    for (const delivery of claimed) {
      const signature = byId.get(delivery.signature_id);
      if (!signature?.email || signature.unsubscribed_at) {
        await markDelivery(db, delivery.id, { status: "failed", error: "unsubscribed or erased before sending" });
        continue;
      }
      const wait = started + sent * interval - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const token = generateToken();
      await db.updateTable("update_deliveries").set({ unsubscribe_token_hash: hashToken(token) }).where("id", "=", delivery.id).execute();
      const message = updateEmail({
        to: signature.email,
        locale: isLocale(signature.locale) ? signature.locale : DEFAULT_LOCALE,
        subject: update.subject,
        bodyMd: update.body_md,
        campaignTitle: update.title,
        unsubscribeUrl: `${deps.appUrl}/unsubscribe/${token}`,
        appUrl: deps.appUrl,
      });
      try {
        await deps.mailer.send(message);
      } catch (error) {
        if (error instanceof MailDeliveryError && error.permanent) {
          await markDelivery(db, delivery.id, { status: "failed", error: error.message });
          continue;
        }
        // Not accepted by the server: nothing went out, so this one may be tried again.
        await markDelivery(db, delivery.id, { status: "queued", error: String((error as Error).message ?? error) });
        // Release the rest of this batch too, then let the job retry later.
        for (const other of claimed) if (other.id !== delivery.id) await markDelivery(db, other.id, { status: "queued", error: "batch paused" }).catch(() => undefined);
        throw error;
      }
      await markDelivery(db, delivery.id, { status: "sent" });
      sent++;
    }
  }
  await finishIfDone(db, updateId);
  return { sent };
}
