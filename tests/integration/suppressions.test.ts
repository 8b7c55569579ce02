/**
 * Hard bounces: a 5xx from the SMTP server puts the address on the suppression list; later mail
 * to it (a verification email, an update) is skipped and recorded, not sent and not retried. A 4xx
 * suppresses nothing. Admins list and lift suppressions; nobody else may. Real Postgres, Redis,
 * worker and SMTP server.
 */
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listSuppressions, removeSuppression } from "~/mail/suppressions.server";
import { signCampaign } from "~/modules/signatures/sign-campaign.server";
import { createUpdate, requestUpdateFanOut } from "~/modules/updates/updates.server";
import type { RunningWorker } from "../../workers/worker";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { createCampaign, createTestUser, eventually, organiserOf, signer } from "../support/fixtures";
import { deletePrefix, uniquePrefix } from "../support/redis";
import { startSmtpServer, type TestSmtpServer } from "../support/smtp";
import { startTestWorker } from "../support/worker";

let t: TestDatabase;
let smtp: TestSmtpServer;
let worker: RunningWorker;
const prefix = uniquePrefix("suppress");
beforeAll(async () => {
  t = await createTestDatabase("suppress");
  smtp = await startSmtpServer();
  worker = await startTestWorker({ databaseUrl: t.url, redisPrefix: prefix, smtpUrl: smtp.url, updateSendRate: 1000 });
});
afterAll(async () => {
  await worker?.stop();
  await smtp?.close();
  await deletePrefix(prefix);
  await t?.drop();
});

const suppression = (email: string) => t.db.selectFrom("email_suppressions").selectAll().where("email_normalized", "=", email.toLowerCase()).executeTakeFirst();

describe("a permanent SMTP refusal (550)", () => {
  it("suppresses the address: a later update skips it and records why, others are sent", async () => {
    const campaign = await createCampaign(t.db);
    const owner = await organiserOf(t.db, campaign.id);
    const bounced = signer({ email: `Bounce-${Date.now()}@example.org`, optIn: true });
    const fine = signer({ optIn: true });
    smtp.rejectWith(550, bounced.email);
    try {
      await signCampaign(t.db, { campaignSlug: campaign.slug, input: bounced, locale: "en" });
      await signCampaign(t.db, { campaignSlug: campaign.slug, input: fine, locale: "en" });
      const row = await eventually(() => suppression(bounced.email), 15_000, "the suppression");
      expect(row).toMatchObject({ smtp_code: 550, kind: "signature.verification" });
      expect(row.reason).toContain("550");
    } finally {
      smtp.rejectWith(null);
    }
    await smtp.waitFor((m) => m.to.includes(fine.email));

    // Both confirmed; an update goes out with the server accepting everything again.
    await sql`UPDATE signatures SET status = 'confirmed', confirmed_at = now() WHERE campaign_id = ${campaign.id}`.execute(t.db);
    const subject = `After the bounce ${Date.now()}`;
    const { id } = await createUpdate(t.db, owner, campaign.id, { subject, bodyMd: "News.", countries: null });
    await requestUpdateFanOut(t.db, owner, id);
    await eventually(async () => (await t.db.selectFrom("updates").select("status").where("id", "=", id).executeTakeFirstOrThrow()).status === "sent", 15_000, "the update sent");
    expect(smtp.messages.filter((m) => m.subject === subject).map((m) => m.to)).toEqual([expect.stringContaining(fine.email)]);
    const deliveries = await t.db.selectFrom("update_deliveries").select(["status", "error"]).where("update_id", "=", id).orderBy("status").execute();
    expect(deliveries).toEqual([
      { status: "failed", error: expect.stringMatching(/^suppressed: /) },
      { status: "sent", error: null },
    ]);
  });

  it("a 5xx during an update suppresses that address; a 4xx suppresses nothing", async () => {
    const campaign = await createCampaign(t.db);
    const owner = await organiserOf(t.db, campaign.id);
    const hard = `hard-${Date.now()}@example.org`;
    await sql`
      INSERT INTO signatures (campaign_id, status, name, email, email_normalized, country, public_name, opt_in, consent_version, locale, confirmed_at)
      VALUES (${campaign.id}, 'confirmed', 'Hard', ${hard}, ${hard}, 'PK', false, true, 'x', 'en', now())`.execute(t.db);
    smtp.rejectWith(550, hard);
    try {
      const { id } = await createUpdate(t.db, owner, campaign.id, { subject: `Hard ${Date.now()}`, bodyMd: "x", countries: null });
      await requestUpdateFanOut(t.db, owner, id);
      await eventually(() => suppression(hard), 15_000, "the suppression");
      expect(await suppression(hard)).toMatchObject({ smtp_code: 550, kind: "update" });
    } finally {
      smtp.rejectWith(null);
    }

    const soft = signer();
    smtp.rejectWith(451, soft.email);
    try {
      await signCampaign(t.db, { campaignSlug: campaign.slug, input: soft, locale: "en" });
      await eventually(async () => (await worker.queues.email.getJobs(["delayed"])).some((j) => j.attemptsMade >= 1), 10_000, "a retry");
    } finally {
      smtp.rejectWith(null);
    }
    await smtp.waitFor((m) => m.to.includes(soft.email), 15_000);
    expect(await suppression(soft.email)).toBeUndefined();
  });
});

describe("the suppression list", () => {
  it("is listed and lifted by admins only, with an audit entry", async () => {
    const email = `listed-${Date.now()}@example.org`;
    await t.db.insertInto("email_suppressions").values({ email_normalized: email, reason: "550 no such user", smtp_code: 550, kind: "update" }).execute();
    const admin = await createTestUser(t.db, "admin");
    const someone = await createTestUser(t.db);
    await expect(listSuppressions(t.db, someone)).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(removeSuppression(t.db, someone, email)).rejects.toMatchObject({ code: "FORBIDDEN" });
    const { rows } = await listSuppressions(t.db, admin, { search: "listed-" });
    expect(rows.map((r) => r.email_normalized)).toContain(email);
    await removeSuppression(t.db, admin, email.toUpperCase());
    expect(await suppression(email)).toBeUndefined();
    await expect(removeSuppression(t.db, admin, email)).rejects.toMatchObject({ code: "NOT_FOUND" });
    const audit = await t.db.selectFrom("audit_log").select(["action", "subject"]).where("action", "=", "email.unsuppress").execute();
    expect(audit).toEqual([{ action: "email.unsuppress", subject: email }]);
  });
});
