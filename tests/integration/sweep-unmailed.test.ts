/**
 * The sweeper re-derives owed verification emails from Postgres: once per signature, never for a
 * signature whose email is recorded or whose job Redis still holds, and the swept send goes out
 * only while no verification was ever recorded.
 */
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMailer, type Mailer } from "~/mail/transport.server";
import { sendVerificationEmail } from "~/modules/signatures/send-verification-email.server";
import { signCampaign } from "~/modules/signatures/sign-campaign.server";
import { sweepUnmailedSignatures } from "~/modules/signatures/sweep-unmailed.server";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { createCampaign, signer } from "../support/fixtures";
import { startSmtpServer, type TestSmtpServer } from "../support/smtp";

let t: TestDatabase;
let smtp: TestSmtpServer;
let mailer: Mailer;

beforeAll(async () => {
  t = await createTestDatabase("sweep");
  smtp = await startSmtpServer();
  mailer = createMailer({ smtpUrl: smtp.url, from: "Banner <no-reply@banner.test>", db: t.db });
});
afterAll(async () => {
  mailer?.close();
  await smtp?.close();
  await t?.drop();
});

/** A pending signature whose job Redis lost: its outbox row was relayed (deleted), nothing was sent. */
async function lostSignature(campaignSlug: string) {
  const input = signer();
  await signCampaign(t.db, { campaignSlug, input, locale: "en" });
  const row = await t.db.selectFrom("signatures").select("id").where("email", "=", input.email).executeTakeFirstOrThrow();
  await sql`DELETE FROM outbox WHERE (payload ->> 'signatureId')::bigint = ${row.id}`.execute(t.db);
  await sql`UPDATE signatures SET confirmation_requested_at = now() - interval '10 minutes' WHERE id = ${row.id}`.execute(t.db);
  return { id: row.id, email: input.email };
}

const sweptRows = (signatureId: number) =>
  sql<{ id: number; job_key: string }>`SELECT id, job_key FROM outbox WHERE (payload ->> 'signatureId')::bigint = ${signatureId}`
    .execute(t.db)
    .then((r) => r.rows);

describe("the verification sweeper", () => {
  it("enqueues one email per unmailed signature, with a fixed job key, however often it runs", async () => {
    const campaign = await createCampaign(t.db);
    const lost = await lostSignature(campaign.slug);
    const fresh = signer(); // within the grace: its job may still be on its way
    await signCampaign(t.db, { campaignSlug: campaign.slug, input: fresh, locale: "en" });

    await sweepUnmailedSignatures(t.db, { graceSeconds: 120 });
    await sweepUnmailedSignatures(t.db, { graceSeconds: 120 });
    const rows = await sweptRows(lost.id);
    expect(rows.map((r) => r.job_key)).toEqual([`verification-sweep-${lost.id}`]);

    // Relayed (deleted) and swept again: the same job key, which BullMQ will not add twice.
    await sql`DELETE FROM outbox WHERE job_key IS NOT NULL`.execute(t.db);
    await sweepUnmailedSignatures(t.db, { graceSeconds: 120 });
    expect((await sweptRows(lost.id)).map((r) => r.job_key)).toEqual([`verification-sweep-${lost.id}`]);
    await sql`DELETE FROM outbox WHERE job_key IS NOT NULL`.execute(t.db);
  });

  it("leaves alone a signature whose job Redis still holds, or whose email is recorded", async () => {
    const campaign = await createCampaign(t.db);
    const queued = await lostSignature(campaign.slug);
    const mailed = await lostSignature(campaign.slug);
    await t.db
      .insertInto("sent_emails")
      .values({ dedupe_key: `signature.verification:${mailed.id}:1`, kind: "signature.verification", signature_id: mailed.id, status: "sent", message_id: "<x@banner.test>" })
      .execute();

    await sweepUnmailedSignatures(t.db, { graceSeconds: 120, stillQueued: [queued.id] });
    expect(await sweptRows(queued.id)).toEqual([]);
    expect(await sweptRows(mailed.id)).toEqual([]);
  });

  it("sends a swept email only while none is recorded, and a slow original after its sweep not at all", async () => {
    const campaign = await createCampaign(t.db);
    const lost = await lostSignature(campaign.slug);
    const deps = { db: t.db, mailer, appUrl: "http://banner.test" };

    expect(await sendVerificationEmail(deps, { signatureId: lost.id, outboxId: 1_000_001, swept: true })).toBe("sent");
    // The original job (an older request) turning up late: already answered.
    expect(await sendVerificationEmail(deps, { signatureId: lost.id, outboxId: 1_000_000 })).toBe("already-sent");
    // A second sweep of the same signature: already answered too.
    expect(await sendVerificationEmail(deps, { signatureId: lost.id, outboxId: 1_000_002, swept: true })).toBe("already-sent");
    expect(smtp.messages.filter((m) => m.to === lost.email)).toHaveLength(1);
  });
});
