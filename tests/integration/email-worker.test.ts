import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signCampaign } from "~/modules/signatures/sign-campaign.server";
import { sendVerificationEmail } from "~/modules/signatures/send-verification-email.server";
import { createMailer } from "~/mail/transport.server";
import { hashToken } from "~/utils/tokens.server";
import type { RunningWorker } from "../../workers/worker";
import { startTestWorker } from "../support/worker";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { createCampaign, eventually, signer } from "../support/fixtures";
import { deletePrefix, uniquePrefix } from "../support/redis";
import { startSmtpServer, tokenOf, verificationLink, type TestSmtpServer } from "../support/smtp";

let t: TestDatabase;
let smtp: TestSmtpServer;
let worker: RunningWorker;
const prefix = uniquePrefix("email");

beforeAll(async () => {
  t = await createTestDatabase("email");
  smtp = await startSmtpServer();
  worker = await startTestWorker({
    databaseUrl: t.url,
    redisPrefix: prefix,
    smtpUrl: smtp.url,
  });
});
afterAll(async () => {
  await worker.stop();
  await smtp.close();
  await t.drop();
  await deletePrefix(prefix);
});

const sentTo = (email: string) => smtp.messages.filter((m) => m.to.includes(email));

describe("verification emails", () => {
  it("go out once, in HTML and text, with a link whose token is stored only as a hash", async () => {
    const campaign = await createCampaign(t.db);
    const input = signer({ name: "Ayesha Khan" });
    await signCampaign(t.db, { campaignSlug: campaign.slug, input, locale: "en" });
    const mail = await smtp.waitFor((m) => m.to.includes(input.email));
    expect(mail.html).toContain("/verify/");
    expect(mail.text).toContain("Hello Ayesha Khan");
    const link = verificationLink(mail);
    expect(link.startsWith("http://banner.test/verify/")).toBe(true);
    expect(mail.text).toContain(`${link}?not-me`);

    const token = tokenOf(link);
    const stored = await t.db.selectFrom("signature_tokens").select(["token_hash", "expires_at", "created_at"]).execute();
    expect(stored.some((row) => row.token_hash.equals(hashToken(token)))).toBe(true);
    const row = stored.find((r) => r.token_hash.equals(hashToken(token)))!;
    expect(row.expires_at.getTime() - row.created_at.getTime()).toBe(7 * 24 * 3600 * 1000);
    // The sent-log row is written right after the SMTP server accepts the mail, so it may trail the
    // message by a moment: wait for it, so the search below covers it too.
    await eventually(async () => {
      const log = await t.db.selectFrom("sent_emails").selectAll().where("kind", "=", "signature.verification").execute();
      return log.some((l) => l.status === "sent");
    }, 10_000, "the sent-log entry");
    // The raw token is nowhere in the database.
    const dump = await sql<{ hit: boolean }>`
      SELECT EXISTS (SELECT 1 FROM outbox WHERE payload::text LIKE ${"%" + token + "%"})
          OR EXISTS (SELECT 1 FROM sent_emails WHERE coalesce(message_id, '') || coalesce(error, '') LIKE ${"%" + token + "%"})
          OR EXISTS (SELECT 1 FROM signature_tokens WHERE encode(token_hash, 'escape') LIKE ${"%" + token + "%"}) AS hit`.execute(t.db);
    expect(dump.rows[0]!.hit).toBe(false);

    await new Promise((r) => setTimeout(r, 300));
    expect(sentTo(input.email)).toHaveLength(1);
  });

  it("are sent at most once per request even when the job runs twice", async () => {
    const campaign = await createCampaign(t.db);
    const input = signer();
    await signCampaign(t.db, { campaignSlug: campaign.slug, input, locale: "en" });
    await smtp.waitFor((m) => m.to.includes(input.email));
    // The sent-log row trails the SMTP server's acceptance by a moment.
    const entry = await eventually(
      () => t.db.selectFrom("sent_emails as e").innerJoin("signatures as s", "s.id", "e.signature_id").select(["e.dedupe_key", "s.id"]).where("s.email", "=", input.email).executeTakeFirst(),
      10_000,
      "the sent-log entry",
    );
    const outboxId = Number(entry.dedupe_key.split(":")[2]);
    const mailer = createMailer({ smtpUrl: smtp.url, from: "x@banner.test", db: t.db });
    try {
      // A duplicate or retried job for the same request finds the sent-log entry.
      const again = await sendVerificationEmail({ db: t.db, mailer, appUrl: "http://banner.test" }, { signatureId: entry.id, outboxId });
      expect(again).toBe("already-sent");
    } finally {
      mailer.close();
    }
    expect(sentTo(input.email)).toHaveLength(1);
  });

  it("retry temporary SMTP failures with backoff until the server accepts", async () => {
    const campaign = await createCampaign(t.db);
    const input = signer();
    smtp.rejectWith(451);
    await signCampaign(t.db, { campaignSlug: campaign.slug, input, locale: "en" });
    await eventually(async () => {
      const failed = await worker.queues.email.getJobs(["delayed"]);
      return failed.some((j) => j.attemptsMade >= 1);
    }, 10_000, "a delayed retry");
    expect(sentTo(input.email)).toHaveLength(0);
    smtp.rejectWith(null);
    await smtp.waitFor((m) => m.to.includes(input.email), 15_000);
    await new Promise((r) => setTimeout(r, 300));
    expect(sentTo(input.email)).toHaveLength(1);
  });

  it("stop at a permanent failure and record it", async () => {
    const campaign = await createCampaign(t.db);
    const input = signer();
    smtp.rejectWith(550);
    try {
      await signCampaign(t.db, { campaignSlug: campaign.slug, input, locale: "en" });
      const sig = await eventually(
        () => t.db.selectFrom("signatures").select("id").where("email", "=", input.email).executeTakeFirst(),
        5_000,
        "signature",
      );
      const failure = await eventually(
        () => t.db.selectFrom("sent_emails").selectAll().where("signature_id", "=", sig.id).where("status", "=", "failed").executeTakeFirst(),
        10_000,
        "a failed send recorded",
      );
      expect(failure.error).toMatch(/550/);
      const failedJobs = await worker.queues.email.getJobs(["failed"]);
      const job = failedJobs.find((j) => (j.data as { signatureId: number }).signatureId === sig.id);
      expect(job?.attemptsMade).toBe(1); // not retried
    } finally {
      smtp.rejectWith(null);
    }
  });

  it("are re-sent when the same address signs again, at most once per ten minutes", async () => {
    const campaign = await createCampaign(t.db);
    const input = signer();
    await signCampaign(t.db, { campaignSlug: campaign.slug, input, locale: "en" });
    await smtp.waitFor((m) => m.to.includes(input.email));
    const again = await signCampaign(t.db, { campaignSlug: campaign.slug, input: { ...input, email: ` ${input.email.toUpperCase()} ` }, locale: "en" });
    expect(again.outcome).toBe("unchanged");
    await sql`UPDATE signatures SET confirmation_requested_at = now() - interval '11 minutes' WHERE email = ${input.email}`.execute(t.db);
    const later = await signCampaign(t.db, { campaignSlug: campaign.slug, input, locale: "en" });
    expect(later.outcome).toBe("resent");
    await eventually(async () => sentTo(input.email).length === 2, 10_000, "the second email");
    const links = sentTo(input.email).map(verificationLink);
    expect(new Set(links).size).toBe(2); // a fresh link; the first one still works too
    const count = await t.db.selectFrom("signatures").select(sql<number>`count(*)::int`.as("n")).where("email_normalized", "=", input.email.toLowerCase()).executeTakeFirstOrThrow();
    expect(count.n).toBe(1);
  });
});
