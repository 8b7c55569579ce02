/**
 * Postgres restarting (`pg_ctl restart -m fast`: every session terminated with 57P01) while people
 * sign: no process dies, nothing accepted is lost or mailed twice, the outbox drains by itself, and
 * no request fails more than 2 s after Postgres answers again.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { countOutcome, keepSigning, startFaultStack, type FaultStack } from "../support/faults";

let stack: FaultStack;

beforeAll(async () => {
  stack = await startFaultStack();
});
afterAll(async () => {
  await stack?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

it("survives two fast Postgres restarts while signing", async () => {
  const signing = keepSigning(stack, { concurrency: 4, pauseMs: 20 });
  await sleep(3_000);
  await stack.pg.restart();
  await sleep(2_500);
  await stack.pg.restart();
  const recoveredAt = Date.now();
  await sleep(4_000);
  const attempts = await signing.stop();

  const counts = await countOutcome(stack, attempts, recoveredAt);
  // Rows whose delete a restart interrupted wait out their relay lease (15 s), then go again.
  const started = Date.now();
  const backlog = { n: -1 };
  while (Date.now() - started < 30_000) {
    backlog.n = Number((await stack.db.selectFrom("outbox").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow()).n);
    if (backlog.n === 0) break;
    await sleep(500);
  }
  console.log("postgres fast restart x2:", { ...counts, outboxLeft: backlog.n, outboxDrainedInMs: Date.now() - started });
  if (!stack.alive().worker) console.log(stack.worker.output().slice(-3_000));

  expect(counts.processesAlive).toBe("web up, worker up");
  expect(counts.accepted).toBeGreaterThan(50);
  expect(counts.signaturesLost).toBe(0);
  expect(counts.emailsLost).toBe(0);
  expect(counts.emailsDuplicated).toBe(0);
  expect(counts.serverErrorsAfterRecovery).toBe(0);
  expect(backlog.n).toBe(0);
});
