/**
 * The fault suite's stack: a private PostgreSQL and redis-server (tests/support/engines.ts), an SMTP
 * server, and the real web and worker processes (children, so "did it die?" is a real question),
 * plus a signer that keeps signing over HTTP and the counts each fault test reports.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { createDb, type Database } from "~/db/db.server";
import { migrateToLatest } from "~/db/migrate.server";
import { startPrivatePostgres, startPrivateRedisServer, type PrivatePostgres, type PrivateRedisServer } from "./engines";
import { createCampaign } from "./fixtures";
import { startSmtpServer, type TestSmtpServer } from "./smtp";
import { postForm, startWeb, workerEntry, type RunningProcess } from "./web";

const ROOT = path.resolve(import.meta.dirname, "../..");

export interface FaultStack {
  pg: PrivatePostgres;
  redis: PrivateRedisServer;
  smtp: TestSmtpServer;
  db: Database;
  databaseUrl: string;
  /** the Redis key prefix web and worker share */
  prefix: string;
  web: RunningProcess;
  worker: { child: ChildProcess; output: () => string };
  campaign: { id: number; slug: string };
  alive(): { web: boolean; worker: boolean };
  close(): Promise<void>;
}

export async function startFaultStack(opts: { workerEnv?: Record<string, string>; webEnv?: Record<string, string> } = {}): Promise<FaultStack> {
  const [pgServer, redis, smtp] = await Promise.all([startPrivatePostgres(), startPrivateRedisServer(), startSmtpServer()]);
  const databaseUrl = await pgServer.createDatabase("banner");
  const db = createDb({ connectionString: databaseUrl, max: 4, applicationName: "banner-fault-test" });
  await migrateToLatest(db);
  const campaign = await createCampaign(db);
  const prefix = `banner-fault-${randomBytes(4).toString("hex")}`;
  const common = { DATABASE_URL: databaseUrl, REDIS_URL: redis.url, REDIS_PREFIX: prefix, SMTP_URL: smtp.url };

  const web = await startWeb({ ...common, ...opts.webEnv });
  let workerOut = "";
  const workerChild = spawn(process.execPath, workerEntry(), {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: "test", LOG_LEVEL: "warn", APP_URL: web.url, ...common, ...opts.workerEnv },
    stdio: ["ignore", "pipe", "pipe"],
  });
  workerChild.stdout!.on("data", (d) => (workerOut = (workerOut + d).slice(-50_000)));
  workerChild.stderr!.on("data", (d) => (workerOut = (workerOut + d).slice(-50_000)));

  const isAlive = (c: ChildProcess) => c.exitCode === null && c.signalCode === null;

  // The worker takes a while to start on a busy machine: a fault injected before it consumes
  // would test nothing. One warm-up signature, mailed, proves the whole path runs.
  const warmUp = `warm-up-${prefix}@example.org`;
  const res = await postForm(`${web.url}/campaigns/${campaign.slug}`, { name: "Warm Up", email: warmUp, country: "PK", consent: "on" });
  if (res.status !== 303) throw new Error(`warm-up sign answered ${res.status}`);
  await smtp.waitFor((m) => m.to === warmUp, 60_000).catch((error: Error) => {
    throw new Error(`${error.message}\nworker output:\n${workerOut}`);
  });
  return {
    pg: pgServer,
    redis,
    smtp,
    db,
    databaseUrl,
    prefix,
    web,
    worker: { child: workerChild, output: () => workerOut },
    campaign,
    alive: () => ({ web: isAlive(web.child), worker: isAlive(workerChild) }),
    async close() {
      const stops: Promise<unknown>[] = [web.stop()];
      if (isAlive(workerChild)) {
        stops.push(new Promise((r) => workerChild.once("exit", r)));
        workerChild.kill("SIGTERM");
        setTimeout(() => workerChild.kill("SIGKILL"), 10_000).unref();
      }
      await Promise.all(stops);
      await db.destroy().catch(() => undefined);
      await smtp.close();
      await redis.stop();
      await pgServer.destroy();
    },
  };
}

export interface SignAttempt {
  email: string;
  startedAt: number;
  endedAt: number;
  status: number; // 0: no answer (connection refused or reset)
  ms: number;
}

/** Signs the stack's campaign over HTTP from `concurrency` loops until stopped. */
export function keepSigning(stack: FaultStack, { concurrency = 4, pauseMs = 50 } = {}) {
  const attempts: SignAttempt[] = [];
  let stopped = false;
  const run = randomBytes(3).toString("hex");
  let n = 0;
  const loop = async () => {
    while (!stopped) {
      const email = `fault-${run}-${n++}@example.org`;
      const startedAt = Date.now();
      let status: number;
      try {
        const res = await postForm(
          `${stack.web.url}/campaigns/${stack.campaign.slug}`,
          { name: "Fault Tester", email, country: "PK", consent: "on" },
          { signal: AbortSignal.timeout(15_000) },
        );
        status = res.status;
        await res.arrayBuffer();
      } catch {
        status = 0;
      }
      const endedAt = Date.now();
      attempts.push({ email, startedAt, endedAt, status, ms: endedAt - startedAt });
      if (pauseMs) await new Promise((r) => setTimeout(r, pauseMs));
    }
  };
  const loops = Array.from({ length: concurrency }, loop);
  return {
    attempts,
    async stop() {
      stopped = true;
      await Promise.all(loops);
      return attempts;
    },
  };
}

export interface FaultCounts {
  accepted: number;
  signaturesLost: number;
  emailsLost: number;
  emailsDuplicated: number;
  serverErrorsAfterRecovery: number;
  processesAlive: string;
}

/** Waits until every accepted signer has an email (or `timeoutMs` passes), then counts. */
export async function countOutcome(stack: FaultStack, attempts: SignAttempt[], recoveredAt: number, timeoutMs = 20_000): Promise<FaultCounts> {
  const accepted = attempts.filter((a) => a.status === 303).map((a) => a.email);
  const mailed = () => {
    const byTo = new Map<string, number>();
    for (const m of stack.smtp.messages) byTo.set(m.to, (byTo.get(m.to) ?? 0) + 1);
    return byTo;
  };
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && accepted.some((e) => !mailed().has(e))) await new Promise((r) => setTimeout(r, 200));
  // A little longer, for duplicates still on their way.
  await new Promise((r) => setTimeout(r, 1_000));

  const stored = new Set<string>();
  for (let i = 0; i < accepted.length; i += 1000) {
    const rows = await stack.db.selectFrom("signatures").select("email").where("email", "in", accepted.slice(i, i + 1000)).execute();
    for (const r of rows) if (r.email) stored.add(r.email);
  }
  const byTo = mailed();
  const alive = stack.alive();
  return {
    accepted: accepted.length,
    signaturesLost: accepted.filter((e) => !stored.has(e)).length,
    emailsLost: accepted.filter((e) => !byTo.has(e)).length,
    emailsDuplicated: [...byTo.values()].reduce((sum, n) => sum + Math.max(0, n - 1), 0),
    serverErrorsAfterRecovery: attempts.filter((a) => a.startedAt > recoveredAt + 2_000 && (a.status >= 500 || a.status === 0)).length,
    processesAlive: `web ${alive.web ? "up" : "DEAD"}, worker ${alive.worker ? "up" : "DEAD"}`,
  };
}
