import type { Database } from "~/db/db.server";
import { DEFAULT_LOCALE, isLocale, type Locale } from "~/i18n/i18n";
import { markdownToText } from "~/mail/markdown-text";
import { prepareUpdateEmail, updateEmail } from "~/mail/templates/update";
import { sendOnce } from "~/mail/sent-log.server";
import { MailDeliveryError, type Mailer } from "~/mail/transport.server";
import { renderMarkdown } from "~/utils/markdown.server";
import { generateToken, hashToken } from "~/utils/tokens.server";
import { suppressedAmong, recordSuppression } from "~/mail/suppressions.server";
import { normaliseEmail } from "~/modules/signatures/signatures.schema";
import {
  claimDeliveries,
  DEFAULT_LEASE_SECONDS,
  finishIfDone,
  markDeliveries,
  nextLeaseExpiry,
  renewLeases,
  storeUnsubscribeTokens,
  type DeliveryClaim,
  type DeliveryOutcome,
} from "./updates.server";

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
 * Sends recorded in one statement, and the most a drain lets go out unrecorded. Each record is a
 * round trip to Postgres, which cost more than composing the message; grouping them widens what
 * a kill can repeat from the sends in flight to those plus this many per drain (the repeats carry
 * the same Message-ID).
 */
export const RECORD_GROUP = 10;
/** How long an accepted send may wait for its group before it is recorded anyway (ms). */
const RECORD_DELAY_MS = 100;

/** A drain's lease is about to lapse (it could not renew it in time): it stops sending. */
export class LeaseLapsedError extends Error {
  constructor() {
    super("the drain's delivery lease is about to lapse; it stops before sending more");
    this.name = "LeaseLapsedError";
  }
}

/**
 * Drains one update's queue: claims a batch with a lease, sends its messages (a few at a time),
 * and records them as soon as the SMTP server has answered them, a few per statement; repeats
 * until nothing is left, waiting for lapsed leases of a drain that died. `perSecond` paces this
 * drain. Addresses on the suppression list are skipped (recorded failed); a permanent refusal
 * (5xx) puts the address on it. A temporary SMTP failure stops the batch: messages in flight
 * finish and are recorded, that delivery and those not yet sent go back in the queue, and the job
 * throws so it retries later with backoff.
 *
 * Fencing: a claim carries the delivery's lease generation, and every renewal and record is
 * refused once another drain has claimed the delivery since. Before each message the drain checks
 * that its lease still has at least a third of its length to run (counted from when it last
 * asked Postgres to extend it); a drain that stalled (event loop blocked, process paused) past
 * that stops without sending, rather than mail someone another drain has taken over.
 */
export async function drainUpdate(deps: Deps, updateId: number, opts: { perSecond: number; batch?: number; leaseSeconds?: number }) {
  const { db } = deps;
  const leaseSeconds = opts.leaseSeconds ?? DEFAULT_LEASE_SECONDS;
  const leaseMs = leaseSeconds * 1000;
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
  // The update rendered once per language; each recipient's copy only adds address and token.
  const rendered = new Map<Locale, ReturnType<typeof prepareUpdateEmail>>();
  const messageFor = (locale: string, to: string, token: string) => {
    const lang = isLocale(locale) ? locale : DEFAULT_LOCALE;
    let render = rendered.get(lang);
    if (!render) {
      render = prepareUpdateEmail({
        locale: lang,
        subject: update.subject,
        bodyMd: update.body_md,
        bodyHtml,
        bodyText,
        campaignTitle: update.title,
        organisation: update.organisation_name ? { name: update.organisation_name, contactEmail: update.contact_email } : null,
        unsubscribeUrlPrefix: `${deps.appUrl}/unsubscribe/`,
      });
      rendered.set(lang, render);
    }
    return render(to, token);
  };
  const interval = 1000 / Math.max(0.1, opts.perSecond);
  const started = Date.now();
  let launched = 0;
  let sent = 0;
  let idleSince: number | undefined;
  for (;;) {
    const askedAt = Date.now();
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
    // What this drain holds, under the generation it claimed; a delivery leaves it when recorded
    // or when a renewal finds it taken over.
    const held = new Map(claimed.map((c) => [c.id, c]));
    // Counted from before the claim or renewal was asked: never later than Postgres' own expiry.
    let leaseValidUntil = askedAt + leaseMs;
    const renew = async () => {
      const asked = Date.now();
      const still = await renewLeases(db, [...held.values()], leaseSeconds);
      for (const id of [...held.keys()]) if (!still.has(id)) held.delete(id);
      leaseValidUntil = asked + leaseMs;
    };
    const renewal = setInterval(() => void renew().catch(() => undefined), leaseMs / 3);
    try {
      sent += await sendBatch(held, () => leaseValidUntil);
    } finally {
      clearInterval(renewal);
    }
  }
  await finishIfDone(db, updateId);
  return { sent };

  async function sendBatch(held: Map<number, DeliveryClaim>, leaseValidUntil: () => number): Promise<number> {
    const claims = [...held.values()];
    const signatures = await db
      .selectFrom("signatures")
      .select(["id", "email", "locale", "unsubscribed_at"])
      .where("id", "in", claims.map((c) => c.signature_id))
      .execute();
    const byId = new Map(signatures.map((s) => [s.id, s]));
    const suppressed = await suppressedAmong(db, signatures.flatMap((s) => (s.email ? [s.email] : [])));
    const record = async (items: DeliveryClaim[], outcome: DeliveryOutcome) => {
      if (items.length === 0) return;
      await withRetries(() => markDeliveries(db, items, outcome));
      for (const item of items) held.delete(item.id);
    };

    // Accepted sends wait here a moment, to be recorded a group at a time (in order, one
    // statement in flight).
    let accepted: DeliveryClaim[] = [];
    let unrecorded = 0;
    let flushTimer: NodeJS.Timeout | undefined;
    let recording: Promise<void> = Promise.resolve();
    const flush = () => {
      clearTimeout(flushTimer);
      flushTimer = undefined;
      const items = accepted;
      accepted = [];
      if (items.length) recording = recording.then(() => record(items, { status: "sent" })).then(() => void (unrecorded -= items.length));
      return recording;
    };

    const gone: DeliveryClaim[] = [];
    const toSend: { claim: DeliveryClaim; email: string; locale: string; token: string }[] = [];
    for (const claim of claims) {
      const signature = byId.get(claim.signature_id);
      const suppression = signature?.email ? suppressed.get(normaliseEmail(signature.email)) : undefined;
      if (!signature?.email || signature.unsubscribed_at) gone.push(claim);
      else if (suppression) await record([claim], { status: "failed", error: `suppressed: ${suppression.reason}` });
      else toSend.push({ claim, email: signature.email, locale: signature.locale, token: generateToken() });
    }
    await record(gone, { status: "failed", error: "unsubscribed or erased before sending" });
    // Every unsubscribe token of the batch in one statement, before any message carries one.
    await storeUnsubscribeTokens(db, toSend.map((m) => ({ deliveryId: m.claim.id, tokenHash: hashToken(m.token) })));

    let next = 0;
    let stop: unknown;
    let batchSent = 0;
    const sender = async () => {
      while (stop === undefined && next < toSend.length) {
        const item = toSend[next++]!;
        const wait = started + launched++ * interval - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        if (stop !== undefined) break; // not sent: released below with the rest of the batch
        // Taken over by another drain (a renewal found its generation moved on): not ours to send.
        if (!held.has(item.claim.id)) continue;
        // Never more than a group sent and not yet recorded: that is what a kill could repeat.
        while (unrecorded >= RECORD_GROUP && stop === undefined) await flush();
        if (stop !== undefined) break;
        // Too little of the lease left to be sure nobody else holds this delivery when the message
        // goes out: stop here (the renewals have not got through; the drain may have stalled).
        if (Date.now() > leaseValidUntil() - leaseMs / 3) {
          stop ??= new LeaseLapsedError();
          break;
        }
        const message = messageFor(item.locale, item.email, item.token);
        try {
          await deps.mailer.send({ ...message, sentLogKey: `update:${updateId}:${item.claim.signature_id}` });
        } catch (error) {
          if (error instanceof MailDeliveryError && error.permanent) {
            await recordSuppression(db, { email: item.email, reason: error.message, smtpCode: error.responseCode, kind: "update" });
            await record([item.claim], { status: "failed", error: error.message });
            continue;
          }
          // Not accepted by the server: nothing went out, so this one may be tried again.
          await record([item.claim], { status: "queued", error: String((error as Error).message ?? error) });
          stop ??= error;
          continue;
        }
        // Recorded within moments: a kill from here on can only repeat the messages in flight and
        // those waiting for their group.
        accepted.push(item.claim);
        unrecorded++;
        if (accepted.length >= RECORD_GROUP) void flush().catch(() => undefined); // awaited (and thrown) at the end of the batch
        else flushTimer ??= setTimeout(() => void flush().catch(() => undefined), RECORD_DELAY_MS);
        batchSent++;
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.min(SENDS_IN_FLIGHT, toSend.length) }, sender));
    } finally {
      await flush();
    }
    if (stop !== undefined) {
      // Release the rest of this batch too (those still ours), then let the job retry later.
      await record([...held.values()], { status: "queued", error: "batch paused" }).catch(() => undefined);
      throw stop;
    }
    return batchSent;
  }
}

/** A record of sends the server accepted: a database blip must not turn into a second email. */
async function withRetries<T>(fn: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (attempt >= attempts) throw error;
      await new Promise((r) => setTimeout(r, 100 * attempt));
    }
  }
}
