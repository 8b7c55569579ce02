/**
 * Worker kills (kill -9 in the middle of sending): the real worker runs as a child process, sends
 * over a real SMTP server and is killed with SIGKILL mid-work; a new worker finishes. Counted:
 * recipients lost (must be 0), duplicates (at most the sends in flight or not yet recorded at the kill), and every
 * repeat of a message carries the same Message-ID. Shared Postgres and Redis (nothing here faults
 * an engine); the test's own database, Redis prefix and SMTP server.
 */
import { sql } from "kysely";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { messageIdFor } from "~/mail/message-id";
import { RECORD_GROUP } from "~/modules/updates/send-updates.server";
import { requestUpdateFanOut, createUpdate } from "~/modules/updates/updates.server";
import { signCampaign } from "~/modules/signatures/sign-campaign.server";
import { DRAINS_PER_UPDATE } from "../../workers/jobs";
import type { RunningWorker } from "../../workers/worker";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { createCampaign, eventually, organiserOf, signer } from "../support/fixtures";
import { deletePrefix, uniquePrefix } from "../support/redis";
import { startSmtpServer, type CapturedMail, type TestSmtpServer } from "../support/smtp";
import { startWorkerChild, type WorkerChild } from "../support/worker-child";
import { startTestWorker } from "../support/worker";

/**
 * What a kill may repeat of an update: per drain, its sends in flight and those accepted but not
 * yet recorded (a group, send-updates.server.ts), times the drains per update (workers/jobs.ts).
 */
const UPDATE_SENDS_IN_FLIGHT = (5 + RECORD_GROUP) * DRAINS_PER_UPDATE;
/** The email queue's concurrency (workers/worker.ts default). */
const EMAIL_JOBS_IN_FLIGHT = 20;
const LOCK_MS = 1_500;

let t: TestDatabase;
let smtp: TestSmtpServer;
const prefixes: string[] = [];
const children: WorkerChild[] = [];
const workers: RunningWorker[] = [];
beforeAll(async () => {
  t = await createTestDatabase("workerkill");
  smtp = await startSmtpServer();
});
// Every worker a test started stops with it. The tests share a database, and a worker left running
// relays and sends the next test's emails too: the verification test once saw all 300 of its
// emails sent, by the fan-out test's second worker, before its own worker was even killed.
afterEach(async () => {
  smtp.holdAfter(null); // a failed test may leave messages held, and the server would not close
  for (const child of children.splice(0)) if (child.process.exitCode === null && child.process.signalCode === null) child.kill("SIGKILL");
  for (const w of workers.splice(0)) await w.stop().catch(() => undefined);
});
afterAll(async () => {
  await smtp?.close();
  for (const p of prefixes) await deletePrefix(p);
  await t?.drop();
});

function tally(mails: CapturedMail[]) {
  const byAddress = new Map<string, CapturedMail[]>();
  for (const m of mails) byAddress.set(m.to, [...(byAddress.get(m.to) ?? []), m]);
  const repeated = [...byAddress.values()].filter((list) => list.length > 1);
  return { byAddress, repeated, extra: mails.length - byAddress.size };
}

describe("a worker killed with SIGKILL", () => {
  it("mid update fan-out: a new worker sends to everyone left; repeats only for sends in flight, with one Message-ID", async () => {
    const N = 1_200;
    const prefix = uniquePrefix("kill-fanout");
    prefixes.push(prefix);
    const campaign = await createCampaign(t.db, { goal: 10_000_000 });
    const owner = await organiserOf(t.db, campaign.id);
    await sql`
      INSERT INTO signatures (campaign_id, status, name, email, email_normalized, country, public_name, opt_in, consent_version, locale, confirmed_at)
      SELECT ${campaign.id}, 'confirmed', 'Signer ' || n, 'fan-' || n || '@example.org', 'fan-' || n || '@example.org', 'PK', false, true, 'x', 'en', now()
      FROM generate_series(1, ${N}::int) AS n`.execute(t.db);
    const subject = `Kill test ${Date.now()}`;
    const config = { databaseUrl: t.url, redisPrefix: prefix, smtpUrl: smtp.url, updateSendRate: 100_000, updateLeaseSeconds: 3, jobLockMs: LOCK_MS };
    const first = await startWorkerChild(config);
    children.push(first);
    const { id } = await createUpdate(t.db, owner, campaign.id, { subject, bodyMd: "An update that survives a kill.", countries: null });
    await requestUpdateFanOut(t.db, owner, id);
    const mine = () => smtp.messages.filter((m) => m.subject === subject);
    await eventually(async () => mine().length >= N / 4, 60_000, "a quarter of the update sent");
    first.kill("SIGKILL");
    expect(await first.exited).toBe("SIGKILL");
    const atKill = mine().length;
    const inFlightAtKill = await t.db.selectFrom("update_deliveries").select(sql<number>`count(*)::int`.as("n")).where("update_id", "=", id).where("status", "=", "sending").executeTakeFirstOrThrow();
    expect(atKill).toBeLessThan(N); // killed mid-way, or the test proves nothing

    const second = await startTestWorker({ ...config });
    workers.push(second);
    await eventually(async () => (await t.db.selectFrom("updates").select("status").where("id", "=", id).executeTakeFirstOrThrow()).status === "sent", 90_000, "the update to be sent");
    await new Promise((r) => setTimeout(r, 300));

    const { byAddress, repeated, extra } = tally(mine());
    const statuses = await t.db.selectFrom("update_deliveries").select(["status", sql<number>`count(*)::int`.as("n")]).where("update_id", "=", id).groupBy("status").execute();
    console.log(`fan-out kill: ${atKill} sent before the kill, ${inFlightAtKill.n} claimed at the kill, ${byAddress.size}/${N} recipients reached, ${extra} repeats`);
    expect(byAddress.size).toBe(N); // nobody lost
    expect(Object.fromEntries(statuses.map((s) => [s.status, s.n]))).toEqual({ sent: N });
    expect(extra).toBeLessThanOrEqual(UPDATE_SENDS_IN_FLIGHT);
    for (const list of repeated) expect(new Set(list.map((m) => m.rawHeader("Message-ID"))).size).toBe(1);
    // Different recipients, different Message-IDs.
    expect(new Set(mine().map((m) => m.rawHeader("Message-ID"))).size).toBe(N);
  });

  it("during verification sends: every signer gets theirs; repeats only for jobs in flight, with one Message-ID", async () => {
    const N = 300;
    const prefix = uniquePrefix("kill-verify");
    prefixes.push(prefix);
    const campaign = await createCampaign(t.db);
    const config = { databaseUrl: t.url, redisPrefix: prefix, smtpUrl: smtp.url, jobLockMs: LOCK_MS };
    const emails: string[] = [];
    for (let i = 0; i < N; i++) {
      const input = signer();
      emails.push(input.email);
      await signCampaign(t.db, { campaignSlug: campaign.slug, input, locale: "en" });
    }
    // The mail server takes a third of them, then holds the rest unanswered, so the kill lands
    // mid-way whatever the machine's speed.
    smtp.holdAfter(N / 3);
    const first = await startWorkerChild(config);
    children.push(first);
    const mine = () => smtp.messages.filter((m) => emails.some((e) => m.to.includes(e)));
    await eventually(async () => mine().length >= N / 3, 60_000, "a third of the verification emails");
    first.kill("SIGKILL");
    expect(await first.exited).toBe("SIGKILL");
    const atKill = mine().length;
    expect(atKill).toBe(N / 3);
    // The messages held at the kill (the jobs then in flight) are accepted now: their worker never
    // heard the answer, so the next one sends them again, as after a real crash.
    smtp.holdAfter(null);

    const second = await startTestWorker(config);
    workers.push(second);
    await eventually(async () => new Set(mine().map((m) => m.to)).size >= N, 90_000, "every signer's verification email");
    await new Promise((r) => setTimeout(r, 500));
    const { byAddress, repeated, extra } = tally(mine());
    console.log(`verification kill: ${atKill} sent before the kill, ${byAddress.size}/${N} reached, ${extra} repeats`);
    expect(byAddress.size).toBe(N);
    expect(extra).toBeLessThanOrEqual(EMAIL_JOBS_IN_FLIGHT);
    for (const list of repeated) expect(new Set(list.map((m) => m.rawHeader("Message-ID"))).size).toBe(1);
    // Repeats are rare; that they would share their id is shown for every message: its Message-ID
    // is the one derived from its sent-log key, not a random one.
    const keys = await t.db
      .selectFrom("sent_emails as e")
      .innerJoin("signatures as s", "s.id", "e.signature_id")
      .select(["e.dedupe_key", "s.email"])
      .where("s.campaign_id", "=", campaign.id)
      .execute();
    expect(keys).toHaveLength(N);
    const expected = new Map(keys.map((k) => [k.email!, messageIdFor(k.dedupe_key, "Banner <no-reply@banner.test>")]));
    for (const m of mine()) expect(m.rawHeader("Message-ID")).toBe(expected.get(emails.find((e) => m.to.includes(e))!));
  });
});
