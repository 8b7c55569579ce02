/**
 * Redis is a work queue, not a store: when it loses every key after an update's fan-out or an
 * export's run reached it, the sweeper finds the work Postgres still owes and starts it again
 * through the outbox, and it completes exactly once (each recipient mailed once, one file).
 */
import { sql } from "kysely";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createProducer, type Producer } from "~/jobs/queues.server";
import { createCampaign as createOrgCampaign, reviewCampaign, submitForReview } from "~/modules/campaigns/manage-campaigns.server";
import { requestExport } from "~/modules/exports/request-export.server";
import { createOrganisation } from "~/modules/organisations/organisations.server";
import { confirmSignature } from "~/modules/signatures/confirm-signature.server";
import { signCampaign } from "~/modules/signatures/sign-campaign.server";
import { issueVerificationToken } from "~/modules/signatures/signatures.queries.server";
import { sweepStalledExports } from "~/modules/exports/sweep-stalled-exports.server";
import { sweepOwedUpdates } from "~/modules/updates/sweep-owed-updates.server";
import { createDeliveries, createUpdate, requestUpdateFanOut } from "~/modules/updates/updates.server";
import { relayOutboxOnce } from "../../workers/relay";
import type { RunningWorker } from "../../workers/worker";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { createTestUser, eventually, signer } from "../support/fixtures";
import { deletePrefix, SHARED_REDIS_URL, uniquePrefix } from "../support/redis";
import { startSmtpServer, type TestSmtpServer } from "../support/smtp";
import { startTestWorker } from "../support/worker";

let t: TestDatabase;
let smtp: TestSmtpServer;
let producer: Producer;
let worker: RunningWorker | undefined;
const prefix = uniquePrefix("sweep-owed");

beforeAll(async () => {
  t = await createTestDatabase("sweep_owed");
  smtp = await startSmtpServer();
  producer = createProducer(SHARED_REDIS_URL, prefix);
});
afterEach(async () => {
  await worker?.stop();
  worker = undefined;
});
afterAll(async () => {
  await producer?.close();
  await smtp?.close();
  await t?.drop();
  await deletePrefix(prefix);
});

let n = 0;
const unique = (label: string) => `${label}-${Date.now().toString(36)}-${n++}`;

/** A published campaign with `count` confirmed signers who want updates. */
async function campaignWithSigners(count: number) {
  const owner = await createTestUser(t.db);
  const admin = await createTestUser(t.db, "admin");
  const org = await createOrganisation(t.db, owner, { name: "Org", slug: unique("org") });
  const slug = unique("campaign");
  const { id } = await createOrgCampaign(t.db, owner, org.slug, {
    slug, title: "Convene the CFM", summary: "s", ask: "a", addressedTo: "OIC", argumentMd: "b", goal: 100, deadline: null, targets: [],
  });
  await submitForReview(t.db, owner, id);
  await reviewCampaign(t.db, admin, id, { decision: "publish", note: null });
  const emails: string[] = [];
  for (let i = 0; i < count; i++) {
    const input = signer({ optIn: true });
    await signCampaign(t.db, { campaignSlug: slug, input, locale: "en" });
    const row = await t.db.selectFrom("signatures").select("id").where("email", "=", input.email).executeTakeFirstOrThrow();
    await confirmSignature(t.db, await issueVerificationToken(t.db, row.id));
    emails.push(input.email);
  }
  // Their verification emails are not what this file is about.
  await t.db.deleteFrom("outbox").execute();
  return { owner, admin, campaignId: id, emails };
}

/** The outbox rows reach Redis (and leave Postgres), then Redis loses every key of this test. */
async function relayThenLoseRedis() {
  while ((await relayOutboxOnce(t.db, producer.queues)) > 0);
  expect(await t.db.selectFrom("outbox").select("id").execute()).toEqual([]);
  await deletePrefix(prefix);
}

const mailsTo = (email: string, subject: string) => smtp.messages.filter((m) => m.to.includes(email) && m.subject === subject).length;

/** The worker comes (back) after the loss, sweeping often. */
async function startSweepingWorker() {
  worker = await startTestWorker({
    databaseUrl: t.url,
    redisPrefix: prefix,
    smtpUrl: smtp.url,
    updateSendRate: 1000,
    sweepGraceSeconds: 60,
    scheduleEveryMs: { "signatures.sweep-unmailed": 300 },
  });
}

const outboxTopics = () => t.db.selectFrom("outbox").select(["topic", "job_key"]).orderBy("id").execute();

describe("after Redis loses every key", () => {
  it("an update still sending gets every recipient mailed exactly once, whether its fan-out or its drains were lost", async () => {
    // Update A: its fan-out job reached Redis and was lost before any worker ran it.
    const a = await campaignWithSigners(4);
    const subjectA = unique("Lost fan-out");
    const updateA = await createUpdate(t.db, a.owner, a.campaignId, { subject: subjectA, bodyMd: "News.", countries: null });
    await requestUpdateFanOut(t.db, a.owner, updateA.id);

    // Update B: fanned out and half sent by a worker, whose drains Redis then lost.
    const b = await campaignWithSigners(6);
    const subjectB = unique("Lost drains");
    const updateB = await createUpdate(t.db, b.owner, b.campaignId, { subject: subjectB, bodyMd: "More news.", countries: null });
    await requestUpdateFanOut(t.db, b.owner, updateB.id);
    await t.db.deleteFrom("outbox").where("topic", "=", "updates.fan-out").where(sql`(payload ->> 'updateId')::bigint`, "=", updateB.id).execute();
    expect(await createDeliveries(t.db, updateB.id)).toBe(6);
    const alreadySent = await sql<{ email: string }>`
      UPDATE update_deliveries d SET status = 'sent', sent_at = now() FROM signatures s
      WHERE s.id = d.signature_id AND d.id IN (SELECT id FROM update_deliveries WHERE update_id = ${updateB.id} ORDER BY id LIMIT 3)
      RETURNING s.email`.execute(t.db);
    await t.db.insertInto("outbox").values({ topic: "updates.drain", payload: JSON.stringify({ updateId: updateB.id }) }).execute();

    await relayThenLoseRedis();
    // Past the sweeper's grace, as if the loss had happened a while ago.
    await sql`UPDATE updates SET queued_at = now() - interval '10 minutes' WHERE id IN (${updateA.id}, ${updateB.id})`.execute(t.db);
    await startSweepingWorker();

    const status = (id: number) => t.db.selectFrom("updates").select("status").where("id", "=", id).executeTakeFirstOrThrow().then((r) => r.status);
    await eventually(async () => (await status(updateA.id)) === "sent" && (await status(updateB.id)) === "sent", 15_000, "both updates to be sent");
    // Several more sweeps: nothing else is owed, so nothing more is sent or enqueued.
    await new Promise((r) => setTimeout(r, 1_500));

    for (const email of a.emails) expect(mailsTo(email, subjectA), email).toBe(1);
    const sentBefore = new Set(alreadySent.rows.map((r) => r.email));
    for (const email of b.emails) expect(mailsTo(email, subjectB), email).toBe(sentBefore.has(email) ? 0 : 1);
    const deliveries = await t.db.selectFrom("update_deliveries").select(["status"]).where("update_id", "in", [updateA.id, updateB.id]).execute();
    expect(deliveries.map((d) => d.status)).toEqual(Array(10).fill("sent"));
    expect(await outboxTopics()).toEqual([]);
  }, 40_000);

  it("an export left running by a lost run is written again, once", async () => {
    const c = await campaignWithSigners(3);
    const requested = await requestExport(t.db, c.admin, c.campaignId, { kind: "signatures" }, { streamMaxRows: 1, linkTtlHours: 24, bom: false });
    expect(requested.kind).toBe("job");
    const exportId = (requested as { exportId: number }).exportId;

    await relayThenLoseRedis();
    // Its run had started, then stopped with the job gone: `running`, the writer's lease lapsed.
    await sql`UPDATE exports SET status = 'running', started_at = now() - interval '9 minutes', lease_token = gen_random_uuid(),
      lease_expires_at = now() - interval '8 minutes', created_at = now() - interval '10 minutes' WHERE id = ${exportId}`.execute(t.db);
    await startSweepingWorker();

    const row = () => t.db.selectFrom("exports").select(["status", "rows_done", "lease_token", "started_at"]).where("id", "=", exportId).executeTakeFirstOrThrow();
    await eventually(async () => (await row()).status === "done", 15_000, "the export to be written");
    const finished = await row();
    await new Promise((r) => setTimeout(r, 1_500));

    expect(await row()).toEqual(finished); // not started again by a later sweep
    expect(finished).toMatchObject({ status: "done", rows_done: 3, lease_token: null });
    const chunks = await sql<{ n: number }>`SELECT count(*)::int AS n FROM export_chunks WHERE export_id = ${exportId}`.execute(t.db);
    expect(chunks.rows[0]!.n).toBeGreaterThan(0);
    expect(await outboxTopics()).toEqual([]);
  }, 40_000);

  it("sweeping again, or while Redis still holds the job, adds no second job", async () => {
    const a = await campaignWithSigners(1);
    const update = await createUpdate(t.db, a.owner, a.campaignId, { subject: unique("Once"), bodyMd: "x", countries: null });
    await requestUpdateFanOut(t.db, a.owner, update.id);
    const requested = await requestExport(t.db, a.admin, a.campaignId, { kind: "signatures" }, { streamMaxRows: 0, linkTtlHours: 24, bom: false });
    const exportId = (requested as { exportId: number }).exportId;
    await t.db.deleteFrom("outbox").execute();
    await sql`UPDATE updates SET queued_at = now() - interval '10 minutes' WHERE id = ${update.id}`.execute(t.db);
    await sql`UPDATE exports SET created_at = now() - interval '10 minutes' WHERE id = ${exportId}`.execute(t.db);
    // This test's own rows only (work other tests left owed may be swept too).
    const ownKeys = () =>
      outboxTopics().then((rows) => rows.map((r) => r.job_key).filter((k) => k === `update-sweep-${update.id}-0` || k === `export-sweep-${exportId}-0`));
    const sweepBoth = async (graceSeconds: number, stillQueued: { updates?: number[]; exports?: number[] } = {}) => {
      await sweepOwedUpdates(t.db, { graceSeconds, stillQueued: stillQueued.updates });
      await sweepStalledExports(t.db, { graceSeconds, stillQueued: stillQueued.exports });
    };

    // A job for it is still in Redis: nothing to do.
    await sweepBoth(60, { updates: [update.id], exports: [exportId] });
    expect(await ownKeys()).toEqual([]);
    // Within the grace: its job may be on its way.
    await sweepBoth(3600);
    expect(await ownKeys()).toEqual([]);

    await sweepBoth(60);
    await sweepBoth(60);
    expect(await ownKeys()).toEqual([`update-sweep-${update.id}-0`, `export-sweep-${exportId}-0`]);
    // Relayed (the rows leave the outbox) and swept again before it ran: the same job keys, which BullMQ adds once.
    await t.db.deleteFrom("outbox").execute();
    await sweepBoth(60);
    expect(await ownKeys()).toEqual([`update-sweep-${update.id}-0`, `export-sweep-${exportId}-0`]);
    await t.db.deleteFrom("outbox").execute();
  });
});
