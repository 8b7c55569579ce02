import { sql } from "kysely";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { closeQueues, createProducerConnection, createQueues } from "~/jobs/queues.server";
import { signCampaign } from "~/modules/signatures/sign-campaign.server";
import { outboxJobId, relayOutboxOnce } from "../../workers/relay";
import { startWorker, type RunningWorker } from "../../workers/worker";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { createCampaign, eventually, signer } from "../support/fixtures";
import { deletePrefix, SHARED_REDIS_URL, startPrivateRedis, uniquePrefix, type PrivateRedis } from "../support/redis";
import { startSmtpServer, type TestSmtpServer } from "../support/smtp";

let t: TestDatabase;
let smtp: TestSmtpServer;
const prefixes: string[] = [];
const running: RunningWorker[] = [];

beforeAll(async () => {
  t = await createTestDatabase("outbox");
  smtp = await startSmtpServer();
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((w) => w.stop()));
});
afterAll(async () => {
  await smtp.close();
  await t.drop();
  await Promise.all(prefixes.map((p) => deletePrefix(p)));
});

const workerConfig = (redisUrl: string, prefix: string) => ({
  databaseUrl: t.url,
  redisUrl,
  redisPrefix: prefix,
  smtpUrl: smtp.url,
  mailFrom: "Banner <no-reply@banner.test>",
  appUrl: "http://banner.test",
  foldEveryMs: 200,
  relayIntervalMs: 50,
});

describe("the outbox", () => {
  it("commits with the signature or not at all", async () => {
    const campaign = await createCampaign(t.db);
    // Make any outbox insert fail: the signature in the same transaction must roll back with it.
    await sql`CREATE FUNCTION fail_outbox() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'outbox down'; END $$`.execute(t.db);
    await sql`CREATE TRIGGER fail_outbox BEFORE INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION fail_outbox()`.execute(t.db);
    try {
      const input = signer();
      await expect(signCampaign(t.db, { campaignSlug: campaign.slug, input, locale: "en" })).rejects.toThrow(/outbox down/);
      const rows = await t.db.selectFrom("signatures").select("id").where("campaign_id", "=", campaign.id).execute();
      expect(rows).toHaveLength(0);
    } finally {
      await sql`DROP TRIGGER fail_outbox ON outbox`.execute(t.db);
      await sql`DROP FUNCTION fail_outbox()`.execute(t.db);
    }
    const ok = await signCampaign(t.db, { campaignSlug: campaign.slug, input: signer(), locale: "en" });
    expect(ok.outcome).toBe("created");
  });

  it("keeps the email while Redis is down and sends it once Redis is back", async () => {
    const redis: PrivateRedis = await startPrivateRedis();
    const prefix = uniquePrefix("down");
    try {
      const worker = await startWorker(workerConfig(redis.url, prefix));
      running.push(worker);
      const campaign = await createCampaign(t.db);

      await redis.stop();
      const input = signer({ email: `redis-down-${Date.now()}@example.org` });
      const result = await signCampaign(t.db, { campaignSlug: campaign.slug, input, locale: "en" });
      expect(result.outcome).toBe("created");

      // The relay keeps failing while Redis is away; the signature and its outbox row stay.
      await new Promise((r) => setTimeout(r, 1_000));
      const stored = await t.db.selectFrom("signatures").select(["id", "status"]).where("email", "=", input.email).executeTakeFirstOrThrow();
      expect(stored.status).toBe("pending");
      const waiting = await t.db.selectFrom("outbox").select("payload").execute();
      expect(waiting.map((r) => r.payload)).toContainEqual({ signatureId: stored.id });
      expect(smtp.messages.filter((m) => m.to.includes(input.email))).toHaveLength(0);

      await redis.start();
      const mail = await smtp.waitFor((m) => m.to.includes(input.email), 20_000);
      expect(mail.subject).toContain(campaign.title);
      await eventually(async () => (await t.db.selectFrom("outbox").select("id").execute()).length === 0, 5_000, "outbox drained");
      await new Promise((r) => setTimeout(r, 500));
      expect(smtp.messages.filter((m) => m.to.includes(input.email))).toHaveLength(1);
    } finally {
      await Promise.all(running.splice(0).map((w) => w.stop()));
      await redis.stop();
    }
  });

  it("starts a worker while Redis is down, and it catches up once Redis is there", async () => {
    const redis = await startPrivateRedis();
    const prefix = uniquePrefix("late");
    try {
      await redis.stop();
      const worker = await startWorker(workerConfig(redis.url, prefix));
      running.push(worker);
      const campaign = await createCampaign(t.db);
      const input = signer({ email: `late-redis-${Date.now()}@example.org` });
      await signCampaign(t.db, { campaignSlug: campaign.slug, input, locale: "en" });
      await new Promise((r) => setTimeout(r, 500));
      expect(smtp.messages.filter((m) => m.to.includes(input.email))).toHaveLength(0);
      await redis.start();
      await smtp.waitFor((m) => m.to.includes(input.email), 20_000);
      // The count schedules were set up too once Redis answered.
      await eventually(async () => (await worker.queues.counts.getJobSchedulers()).length === 2, 10_000, "schedules");
    } finally {
      await Promise.all(running.splice(0).map((w) => w.stop()));
      await redis.stop();
    }
  });

  it("sends once even when a row is relayed twice", async () => {
    const prefix = uniquePrefix("twice");
    prefixes.push(prefix);
    const campaign = await createCampaign(t.db);
    const input = signer({ email: `twice-${Date.now()}@example.org` });
    await signCampaign(t.db, { campaignSlug: campaign.slug, input, locale: "en" });
    const [row] = await t.db.selectFrom("outbox").select(["id", "payload"]).orderBy("id", "desc").limit(1).execute();

    const producer = createProducerConnection(SHARED_REDIS_URL);
    const queues = createQueues(producer, prefix);
    try {
      // A relay that crashed after adding the job but before deleting the row: the job exists...
      await queues.email.add("signature.verification", { ...(row!.payload as object), outboxId: row!.id }, { jobId: outboxJobId(row!.id) });
      // ...and two relays then run at once over the same row.
      const moved = await Promise.all([relayOutboxOnce(t.db, queues), relayOutboxOnce(t.db, queues)]);
      expect(moved.reduce((a, b) => a + b, 0)).toBe(1);
      expect(await queues.email.getJobCountByTypes("waiting", "active", "completed", "delayed")).toBe(1);
    } finally {
      await closeQueues(queues);
      producer.disconnect();
    }

    running.push(await startWorker(workerConfig(SHARED_REDIS_URL, prefix)));
    await smtp.waitFor((m) => m.to.includes(input.email));
    await new Promise((r) => setTimeout(r, 700));
    expect(smtp.messages.filter((m) => m.to.includes(input.email))).toHaveLength(1);
  });
});
