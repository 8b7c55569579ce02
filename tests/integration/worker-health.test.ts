/** `npm run worker:health`: healthy only while a worker on this host is finishing jobs. */
import { spawn } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { eventually } from "../support/fixtures";
import { deletePrefix, SHARED_REDIS_URL, uniquePrefix } from "../support/redis";
import { startTestWorker } from "../support/worker";

const ROOT = path.resolve(import.meta.dirname, "../..");
let t: TestDatabase;
const prefix = uniquePrefix("health");
beforeAll(async () => {
  t = await createTestDatabase("health");
});
afterAll(async () => {
  await deletePrefix(prefix);
  await t?.drop();
});

/**
 * The check's exit code. Asynchronous on purpose: the worker under test runs in this process, and
 * a spawnSync would stop it from finishing any job while the check (a tsx start, seconds on a
 * loaded machine) runs, so the check could only ever find a stale heartbeat.
 */
const health = (redisPrefix: string) =>
  new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/worker-health.ts"], {
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: "test", DATABASE_URL: t.url, REDIS_URL: SHARED_REDIS_URL, REDIS_PREFIX: redisPrefix },
      stdio: "ignore",
      timeout: 20_000,
    });
    child.once("error", reject);
    child.once("exit", (code) => resolve(code));
  });

describe("worker health check", () => {
  // Three tsx starts of the check at least: at a load average of 15-20 each took ~10 s, past the
  // project's 30 s test timeout.
  it("passes once the worker has finished a job, and fails with no worker consuming", { timeout: 120_000 }, async () => {
    expect(await health(prefix)).toBe(1); // nobody there yet
    const worker = await startTestWorker({ databaseUrl: t.url, redisPrefix: prefix, foldEveryMs: 500 });
    try {
      await eventually(async () => (await health(prefix)) === 0, 60_000, "a healthy worker");
    } finally {
      await worker.stop();
    }
    expect(await health(uniquePrefix("nobody"))).toBe(1);
  });
});
