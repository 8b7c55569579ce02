/**
 * Redis killed while people sign and back 3 s later with no data (no persistence, or a failover to
 * an empty replica): nothing that matters is lost. The worker re-asserts its schedules when it
 * reconnects, and the sweeper re-derives every verification email still owed from Postgres, so
 * each signer gets exactly one email and confirmations reach the count, with no process restarted.
 */
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";
import { eventually } from "../support/fixtures";
import { countOutcome, keepSigning, startFaultStack, type FaultStack } from "../support/faults";
import { postForm } from "../support/web";
import { verificationLink } from "../support/smtp";

let stack: FaultStack;

beforeAll(async () => {
  // A short grace and a quick sweep, so the test need not wait the production two minutes.
  stack = await startFaultStack({ workerEnv: { SWEEP_GRACE_SECONDS: "3", SWEEP_EVERY_SECONDS: "1", SCHEDULE_CHECK_SECONDS: "5" } });
});
afterAll(async () => {
  await stack?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

it("loses no email and no confirmation when Redis comes back empty", async () => {
  const signing = keepSigning(stack, { concurrency: 4, pauseMs: 20 });
  // The mail server defers everything for a while, so verification jobs pile up in Redis (waiting
  // for their retry) as they would behind a slow or busy mail server: these are what Redis loses.
  stack.smtp.rejectWith(451);
  await sleep(4_000);
  await stack.redis.restartEmpty({ downMs: 3_000 });
  const recoveredAt = Date.now();
  stack.smtp.rejectWith(null);
  await sleep(3_000);
  const attempts = await signing.stop();

  // The schedules are back without any process restarted.
  const connection = new Redis(stack.redis.url, { maxRetriesPerRequest: null });
  const countsQueue = new Queue("counts", { connection, prefix: stack.prefix });
  try {
    await eventually(
      async () => (await countsQueue.getJobSchedulers()).some((s) => s.key === "counts.fold"),
      10_000,
      "the counts.fold schedule to be back in Redis",
    );
  } finally {
    await countsQueue.close();
    connection.disconnect();
  }

  const counts = await countOutcome(stack, attempts, recoveredAt, 30_000);
  console.log("redis restarted empty:", counts);
  expect(counts.processesAlive).toBe("web up, worker up");
  expect(counts.accepted).toBeGreaterThan(50);
  expect(counts.signaturesLost).toBe(0);
  expect(counts.emailsLost).toBe(0);
  expect(counts.emailsDuplicated).toBe(0);

  // Confirm ten signers, half of them signed before Redis went away: the count must follow,
  // which needs the folding schedule back in Redis.
  const signed = attempts.filter((a) => a.status === 303);
  const chosen = [...signed.slice(0, 5), ...signed.slice(-5)];
  for (const a of chosen) {
    const mail = stack.smtp.messages.find((m) => m.to === a.email)!;
    const res = await postForm(verificationLink(mail), { intent: "confirm" });
    expect(res.status).toBeLessThan(400);
  }
  const started = Date.now();
  await eventually(
    async () => {
      const row = await stack.db.selectFrom("campaign_counts").select("confirmed").where("campaign_id", "=", stack.campaign.id).executeTakeFirst();
      return row?.confirmed === chosen.length;
    },
    15_000,
    "confirmations to reach the count",
  );
  console.log("confirmations counted within", Date.now() - started, "ms");
});
