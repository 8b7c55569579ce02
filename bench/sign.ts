/**
 * Signing benchmark: the real web server (production build, child process) under many concurrent
 * no-JavaScript signing POSTs, against a baseline of the same statement (signStatement()) sent straight through
 * `pg`; then confirmations through HTTP and the time until the public count shows them.
 *
 * A share-link run signs like a page opened from ?ref=…&via=whatsapp (attribution in the form's
 * hidden fields) and is checked against the plain rate.
 *
 * Self-contained: its own database, its own Redis prefix, its own SMTP sink, all removed at the end.
 * Traffic goes to 127.0.0.1 only. Tunables (environment): BENCH_SECONDS (10), BENCH_CONNECTIONS (50),
 * BENCH_WARMUP_SECONDS (10), BENCH_CONFIRMATIONS (2000), BENCH_WEB_WORKERS (unset: one process; 2: a cluster of two, bench/cluster.ts).
 */
import autocannon, { type Client, type Instance, type RequestSpec, type Result } from "autocannon";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { sql } from "kysely";
import pg from "pg";
import { SMTPServer } from "smtp-server";
import { issueVerificationToken } from "~/modules/signatures/signatures.queries.server";
import { newReferralCode, SIGN_STATEMENT, signStatement, type SignResult } from "~/modules/signatures/sign-campaign.server";
import { canonicalEmail, NO_ATTRIBUTION } from "~/modules/signatures/signatures.schema";
import { createTestDatabase } from "../tests/support/db";
import { createCampaign } from "../tests/support/fixtures";
import { groupedStatements } from "../tests/support/metrics";
import { deletePrefix, freePort, SHARED_REDIS_URL, uniquePrefix } from "../tests/support/redis";
import { startWeb, type RunningProcess } from "../tests/support/web";
import { describeCpu, otherShare, watchCpu, type CpuReport } from "./cpu";

export interface Goal {
  /** "goal": a target from the brief; "check": a correctness or sanity check of this benchmark */
  kind: "goal" | "check";
  name: string;
  target: string;
  actual: string;
  ok: boolean;
}

export interface BenchOutcome {
  name: string;
  goals: Goal[];
  /** integrity failures (lost or unaccounted signatures): always fatal, unlike a missed speed goal */
  integrityOk: boolean;
}

const int = (name: string, fallback: number) => {
  const value = Number(process.env[name]);
  return Number.isInteger(value) && value > 0 ? value : fallback;
};

const SECONDS = int("BENCH_SECONDS", 10);
/**
 * Traffic before each measured run. Measured here: the web process's CPU per signature falls from
 * ≈3 ms in its first 5 s of traffic to ≈1.3 ms after 15 s (V8 tiering up Remix, kysely and pg), so a
 * short warm-up would mostly measure the JIT. The baseline gets the same warm-up.
 */
const WARMUP_SECONDS = int("BENCH_WARMUP_SECONDS", 10);
const CONFIRM_SECONDS = 8;
/** The measured web and baseline runs alternate in this many slices of BENCH_SECONDS / SEGMENTS each. */
const SEGMENTS = 2;
const CONNECTIONS = int("BENCH_CONNECTIONS", 50);
/** Tokens issued; the confirmation run stops after CONFIRM_SECONDS if they are not all used by then. */
const CONFIRMATIONS = int("BENCH_CONFIRMATIONS", 2000);
const WEB_WORKERS = int("BENCH_WEB_WORKERS", 1);
/** The baseline's pool: 20 connections, as the ratio goal was set with (the web process has 40, app/services.server.ts). */
const POOL_SIZE = 20;
/** Hard limit for the whole benchmark, cleanup included. */
const BUDGET_MS = 105_000;

const ROOT = path.resolve(import.meta.dirname, "..");
const GOAL_RATE = 1_000;
// The surge asks signing to reach 55 % of its `pg` baseline (it was 50 % before).
const GOAL_RATIO = 0.55;

const USER_AGENT = "banner-bench/1 (autocannon)";
const FORM_HEADERS = { "content-type": "application/x-www-form-urlencoded", "user-agent": USER_AGENT };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const fmt = (n: number, digits = 0) => n.toLocaleString("en-GB", { minimumFractionDigits: digits, maximumFractionDigits: digits });

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export function statusSummary(stats: Record<string, { count: number }>, expected: number): string {
  const others = Object.entries(stats).filter(([code]) => Number(code) !== expected);
  return others.length ? others.map(([code, { count }]) => `${code}×${count}`).join(", ") : "none";
}

/** Stops whatever is still running when the budget runs out or the user presses Ctrl-C. */
export class Run {
  private cleanups: { label: string; fn: () => Promise<unknown> }[] = [];
  private instances = new Set<Instance>();
  aborted = false;

  defer(label: string, fn: () => Promise<unknown>) {
    this.cleanups.push({ label, fn });
  }

  track(instance: Instance): Instance {
    this.instances.add(instance);
    const forget = () => this.instances.delete(instance);
    instance.then(forget, forget);
    return instance;
  }

  abort() {
    this.aborted = true;
    for (const instance of this.instances) instance.stop();
  }

  async cleanup() {
    this.abort();
    for (const { label, fn } of this.cleanups.reverse()) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error("timed out after 15 s")), 15_000)));
      await Promise.race([fn(), timeout])
        .catch((error) => console.error(`  cleanup "${label}" failed: ${String(error)}`))
        .finally(() => clearTimeout(timer));
    }
    this.cleanups = [];
  }
}

/** Like tests/support/web.ts startWeb(), with bench/cluster.ts forking copies of server/index.ts. */
async function startClusterWeb(env: Record<string, string>): Promise<RunningProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, ["--import", "tsx", "bench/cluster.ts"], {
    cwd: ROOT,
    env: { ...process.env, APP_URL: url, ...env, PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`web cluster exited with ${child.exitCode}:\n${out}`);
    // bench/cluster.ts prints this line once every worker listens.
    if (out.includes("cluster listening")) break;
    if (Date.now() > deadline) throw new Error(`web cluster did not start:\n${out}`);
    await sleep(100);
  }
  return {
    url,
    port,
    child,
    output: () => out,
    stop: (signal = "SIGTERM") =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve(child.exitCode);
        child.once("exit", (code) => resolve(code));
        child.kill(signal);
      }),
  };
}

/** An SMTP server that accepts every message and keeps none. */
export async function startSmtpSink(): Promise<{ url: string; close(): Promise<void> }> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, _session, callback) {
      stream.on("end", () => callback());
      stream.resume();
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.server.address() as AddressInfo;
  return { url: `smtp://127.0.0.1:${port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

export interface Drive {
  result: Result;
  /** every response's latency (ms), whatever its status */
  latencies: number[];
  elapsedMs: number;
  lastResponseAt: number;
  /** requests written but never answered (0 unless a connection broke or the hard cap hit) */
  unanswered: number;
}

/**
 * Runs autocannon for `seconds` (or until `amount` requests), then lets every connection finish the
 * request it has in flight and stop, so that each request sent was answered and the DB checks can
 * be exact. (autocannon's own `duration` drops in-flight requests; the drain uses the client's
 * `responseMax`, the field its `amount` option sets.)
 */
export async function drive(
  run: Run,
  opts: {
    url: string;
    seconds: number;
    amount?: number;
    request: RequestSpec;
    verifyBody?: (body: string) => boolean;
    /** called as soon as every connection has stopped (autocannon itself reports up to a second later) */
    onAllAnswered?: (lastResponseAt: number) => void;
  },
): Promise<Drive> {
  const clients: Client[] = [];
  let stopped = 0;
  let lastResponseAt = 0;
  const onResponse = opts.request.onResponse;
  const started = performance.now();
  const instance = run.track(
    autocannon({
      url: opts.url,
      connections: opts.amount ? Math.min(CONNECTIONS, opts.amount) : CONNECTIONS,
      duration: opts.seconds + 30, // a hard cap only: the drain below ends the run
      amount: opts.amount,
      timeout: 10,
      verifyBody: opts.verifyBody,
      setupClient: (client) => {
        clients.push(client);
        client.once("done", () => {
          if (++stopped === clients.length) opts.onAllAnswered?.(lastResponseAt);
        });
      },
      requests: [
        {
          ...opts.request,
          onResponse(status, body, context, headers) {
            lastResponseAt = performance.now();
            onResponse?.(status, body, context, headers);
          },
        },
      ],
    }),
  );
  const drain = setTimeout(() => {
    // 0 means "no limit" to autocannon
    for (const client of clients) client.responseMax = client.responseMax ? Math.min(client.responseMax, client.reqsMade) : client.reqsMade;
  }, opts.seconds * 1000);
  const latencies: number[] = [];
  instance.on("response", (_client: Client, _status: number, _bytes: number, responseTime: number) => latencies.push(responseTime));
  const hardStop = setTimeout(() => instance.stop(), (opts.seconds + 20) * 1000);
  const result = await instance;
  clearTimeout(drain);
  clearTimeout(hardStop);
  const sent = clients.reduce((sum, c) => sum + c.reqsMade, 0);
  const answered = Object.values(result.statusCodeStats).reduce((sum, s) => sum + s.count, 0);
  return { result, latencies, lastResponseAt, elapsedMs: (lastResponseAt || performance.now()) - started, unanswered: sent - answered };
}

/**
 * Every signing request comes from an address of its own, as a crowd behind a proxy would: the web
 * server trusts 127.0.0.1 as its proxy (TRUSTED_PROXIES) and takes the client from X-Forwarded-For,
 * so the per-address limits apply at their production values and are never hit.
 */
let clientCounter = 0;
function nextClientAddress(): string {
  const n = ++clientCounter;
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
}

interface SignRun extends Drive {
  ok: number;
  okEmails: Set<string>;
}

/** Signing POSTs, each with a fresh address; `okEmails` are those answered 303. */
async function driveSigning(run: Run, baseUrl: string, slug: string, seconds: number, label: string, extraFields = ""): Promise<SignRun> {
  const tag = randomBytes(4).toString("hex");
  let counter = 0;
  const okEmails = new Set<string>();
  const driven = await drive(run, {
    url: baseUrl,
    seconds,
    request: {
      method: "POST",
      path: `/campaigns/${slug}`,
      headers: FORM_HEADERS,
      setupRequest(request, context) {
        const email = `${label}-${tag}-${++counter}@example.org`;
        context.email = email;
        return {
          ...request,
          // Browsers send Origin with every form POST; the server checks it (server/guards.ts).
          headers: { ...request.headers, origin: baseUrl, "x-forwarded-for": nextClientAddress() },
          body: `name=Bench+Signer+${counter}&email=${encodeURIComponent(email)}&country=PK&consent=on${extraFields}`,
        };
      },
      onResponse(status, _body, context) {
        if (status === 303) okEmails.add(context.email as string);
      },
    },
  });
  return { ...driven, ok: okEmails.size, okEmails };
}

const CONFIRMED_MARK = 'data-testid="confirmed"';
const COUNT_TIMEOUT_MS = 15_000;

interface Settle {
  /** ms from the last confirmation's answer to the answer that showed the full count; null if it never did */
  latencyMs: number | null;
  shown: number;
  seen: string[];
}

/** Polls the public count API until it shows `target`. */
async function waitForCount(run: Run, baseUrl: string, slug: string, target: number, since: number): Promise<Settle> {
  const seen: string[] = [];
  let shown = -1;
  const deadline = performance.now() + COUNT_TIMEOUT_MS;
  while (!run.aborted && performance.now() < deadline) {
    const sentAt = performance.now();
    const response = await fetch(`${baseUrl}/api/v1/campaigns/${slug}`, { headers: { "user-agent": USER_AGENT } });
    const count = ((await response.json()) as { signatureCount: number }).signatureCount;
    const answeredAt = performance.now();
    if (count !== shown) seen.push(`${fmt(count)} from a request sent at +${fmt(sentAt - since)} ms`);
    shown = count;
    if (count === target) return { latencyMs: answeredAt - since, shown, seen };
    await sleep(10);
  }
  return { latencyMs: null, shown, seen };
}

/** Measured work of one kind, summed over the interleaved segments. */
interface Tally {
  ok: number;
  errors: number;
  elapsedMs: number;
  latencies: number[];
  cpu: CpuReport | null;
}

const newTally = (): Tally => ({ ok: 0, errors: 0, elapsedMs: 0, latencies: [], cpu: null });

/**
 * signCampaign()'s statement for one signature (signStatement(): the very SQL text and
 * parameters the web process sends for a lone signature), a signature per statement, straight
 * through a pg.Pool: no HTTP, no Remix, no defences. When signatures arrive together the web
 * process puts them in one statement (signingGroup); this baseline sends each alone, as the web
 * process did before, and the report says how many the web's statements carried.
 */
function createBaseline(run: Run, url: string, slug: string) {
  const pool = new pg.Pool({ connectionString: url, max: POOL_SIZE, application_name: "banner-bench-baseline" });
  const tag = randomBytes(4).toString("hex");
  let counter = 0;

  const signOnce = async () => {
    const email = `base-${tag}-${++counter}@example.org`;
    const statement = signStatement({
      campaignSlug: slug,
      name: `Bench Signer ${counter}`,
      email,
      emailNormalized: canonicalEmail(email),
      country: "PK",
      postalCode: null,
      comment: null,
      publicName: false,
      optIn: false,
      locale: "en",
      ipAddress: nextClientAddress(),
      userAgent: USER_AGENT,
      attribution: NO_ATTRIBUTION,
      source: "web",
      screenFlag: null,
      referralCode: newReferralCode(),
    });
    // Prepared under its name on each connection, as executePrepared() does in the web process.
    const row = (await pool.query<SignResult>({ name: SIGN_STATEMENT, text: statement.sql, values: statement.parameters as unknown[] })).rows[0];
    if (!row || row.status !== "published") throw new Error("campaign not open");
    if (row.inserted === null) throw new Error("unexpected conflict");
  };

  /** CONNECTIONS loops signing for `seconds`; counted into `tally` if given (else a warm-up). */
  const go = async (seconds: number, tally?: Tally) => {
    const started = performance.now();
    const deadline = started + seconds * 1000;
    const loop = async () => {
      while (!run.aborted && performance.now() < deadline) {
        const t0 = performance.now();
        try {
          await signOnce();
          if (tally) {
            tally.ok++;
            tally.latencies.push(performance.now() - t0);
          }
        } catch {
          if (tally) tally.errors++;
        }
      }
    };
    await Promise.all(Array.from({ length: CONNECTIONS }, loop));
    if (tally) tally.elapsedMs += performance.now() - started;
  };
  let ended: Promise<void> | undefined;
  return { go, end: () => (ended ??= pool.end()) };
}

export function addCpu(a: CpuReport | null, b: CpuReport | null): CpuReport | null {
  if (!a || !b) return a ?? b;
  return {
    wallS: a.wallS + b.wallS,
    webS: a.webS + b.webS,
    benchS: a.benchS + b.benchS,
    postgresS: a.postgresS + b.postgresS,
    otherS: a.otherS + b.otherS,
    capacityS: a.capacityS + b.capacityS,
  };
}

export async function run(signal?: AbortSignal): Promise<BenchOutcome> {
  const bench = new Run();
  const onAbort = () => bench.abort();
  signal?.addEventListener("abort", onAbort);
  const budget = setTimeout(() => {
    console.error(`\nsign: over the ${BUDGET_MS / 1000} s budget, stopping`);
    bench.abort();
  }, BUDGET_MS - 15_000);
  const checkAborted = () => {
    if (bench.aborted) throw new Error("aborted");
  };
  const t0 = performance.now();
  const step = (text: string) => console.log(`  [${fmt((performance.now() - t0) / 1000, 1).padStart(5)} s] ${text}`);

  try {
    console.log(
      `\n== sign on ${os.cpus().length} cores (load average ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}), Node ${process.version}`,
    );
    console.log(`   ${CONNECTIONS} connections, ${SECONDS} s per run (after a ${WARMUP_SECONDS} s warm-up), web processes: ${WEB_WORKERS}`);

    // 1. A database, a Redis prefix and campaigns of our own.
    const testDb = await createTestDatabase("bench");
    bench.defer("drop database", () => testDb.drop());
    const prefix = uniquePrefix("bench");
    bench.defer("delete redis prefix", () => deletePrefix(prefix));
    const db = testDb.db;
    const warmCampaign = await createCampaign(db, { slug: `bench-warm-${randomBytes(3).toString("hex")}` });
    const campaign = await createCampaign(db, { slug: `bench-web-${randomBytes(3).toString("hex")}` });
    const baseCampaign = await createCampaign(db, { slug: `bench-base-${randomBytes(3).toString("hex")}` });
    step(`database ${testDb.name}, redis prefix ${prefix}`);

    // 2. An SMTP sink and the real web server, production build, as a child process.
    const smtp = await startSmtpSink();
    bench.defer("stop smtp sink", () => smtp.close());
    const webEnv: Record<string, string> = {
      NODE_ENV: "production",
      SESSION_SECRET: randomBytes(32).toString("base64url"),
      DATABASE_URL: testDb.url,
      REDIS_URL: SHARED_REDIS_URL,
      REDIS_PREFIX: prefix,
      LOG_LEVEL: process.env.LOG_LEVEL ?? "info",
      SMTP_URL: smtp.url,
      // The fraud defences at their production defaults, with the bench as the trusted proxy in
      // front (see nextClientAddress). Its addresses are all @example.org: exempt from the
      // per-domain limit, like the big mail providers that most real signers use.
      TRUSTED_PROXIES: "127.0.0.1",
      SIGN_RATE_PER_IP: "3/1m,10/10m",
      SIGN_RATE_PER_DOMAIN: "20/1m,100/1h",
      SIGN_RATE_DOMAIN_EXEMPT: "example.org",
      SIGN_MIN_FILL_SECONDS: "3",
    };
    const web = WEB_WORKERS > 1 ? await startClusterWeb({ ...webEnv, BENCH_WEB_WORKERS: String(WEB_WORKERS) }) : await startWeb(webEnv);
    bench.defer("stop web", async () => {
      const kill = setTimeout(() => void web.stop("SIGKILL"), 10_000);
      await web.stop("SIGTERM");
      clearTimeout(kill);
    });
    step(`web listening on ${web.url} (NODE_ENV=production${WEB_WORKERS > 1 ? `, cluster of ${WEB_WORKERS}` : ""})`);

    const probe = await fetch(`${web.url}/campaigns/${warmCampaign.slug}`, {
      method: "POST",
      redirect: "manual",
      headers: { ...FORM_HEADERS, "x-forwarded-for": nextClientAddress() },
      body: "name=Probe&email=probe%40example.org&country=PK&consent=on",
    });
    if (probe.status !== 303) throw new Error(`a signing POST answered ${probe.status}, not 303:\n${(await probe.text()).slice(0, 500)}\n${web.output()}`);

    // 3 and 4. Signing through HTTP, and the baseline: the same transaction through pg, with the
    // same concurrency and pool size. Both warm up first, then run alternately in SEGMENTS slices,
    // so that whatever else loads this machine meanwhile weighs on both alike.
    await driveSigning(bench, web.url, warmCampaign.slug, WARMUP_SECONDS, "warm");
    checkAborted();
    step("web warm-up done");
    const baselineRunner = createBaseline(bench, testDb.url, baseCampaign.slug);
    bench.defer("end baseline pool", () => baselineRunner.end());
    await baselineRunner.go(WARMUP_SECONDS);
    checkAborted();
    step("baseline warm-up done");

    const statementsBefore = await groupedStatements(web.url, "sign");
    const webTally = newTally();
    const base = newTally();
    const okEmails = new Set<string>();
    const statusCounts: Record<string, number> = {};
    let webErrors = 0;
    let webTimeouts = 0;
    let unanswered = 0;
    for (let segment = 0; segment < SEGMENTS; segment++) {
      const stopWebWatch = await watchCpu({ db, dbName: testDb.name, webPid: web.child.pid });
      const slice = await driveSigning(bench, web.url, campaign.slug, SECONDS / SEGMENTS, `web${segment}`);
      webTally.cpu = addCpu(webTally.cpu, await stopWebWatch());
      checkAborted();
      for (const email of slice.okEmails) okEmails.add(email);
      for (const [code, { count }] of Object.entries(slice.result.statusCodeStats)) statusCounts[code] = (statusCounts[code] ?? 0) + count;
      webTally.ok += slice.ok;
      webTally.elapsedMs += slice.elapsedMs;
      for (const latency of slice.latencies) webTally.latencies.push(latency);
      webErrors += slice.result.errors;
      webTimeouts += slice.result.timeouts;
      unanswered += slice.unanswered;

      const stopBaseWatch = await watchCpu({ db, dbName: testDb.name });
      await baselineRunner.go(SECONDS / SEGMENTS, base);
      base.cpu = addCpu(base.cpu, await stopBaseWatch()); // before the pool ends: its backends must still be there
      checkAborted();
      step(`slice ${segment + 1}/${SEGMENTS}: web ${fmt(slice.ok)} signatures, baseline ${fmt(base.ok)} so far`);
    }
    await baselineRunner.end();
    const webRate = (webTally.ok / webTally.elapsedMs) * 1000;
    const statementsAfter = await groupedStatements(web.url, "sign");
    const webStatements = statementsAfter.statements - statementsBefore.statements;
    const webStatementRows = statementsAfter.calls - statementsBefore.calls;

    // Through a share link (?ref=…&via=whatsapp&utm_…): the page's form posts to the bare page URL
    // with the attribution in hidden fields, so share traffic takes the same fast path.
    const shareCampaign = await createCampaign(db, { slug: `bench-share-${randomBytes(3).toString("hex")}` });
    const share = await driveSigning(bench, web.url, shareCampaign.slug, SECONDS / SEGMENTS, "share", "&ref=abcdefghjkmn&via=whatsapp");
    checkAborted();
    const shareRate = (share.ok / share.elapsedMs) * 1000;
    const shareRows = await db.selectFrom("signatures").select(sql<number>`count(*)::int`.as("n")).where("campaign_id", "=", shareCampaign.id).where("referral_channel", "=", "whatsapp").executeTakeFirstOrThrow();
    step(`share link: ${fmt(share.ok)} signatures (${fmt(shareRate)}/s), ${fmt(shareRows.n)} attributed to whatsapp`);
    const baseRate = (base.ok / base.elapsedMs) * 1000;
    const non303 = Object.entries(statusCounts)
      .filter(([code]) => code !== "303")
      .reduce((sum, [, count]) => sum + count, 0);
    webTally.latencies.sort((x, y) => x - y);
    base.latencies.sort((x, y) => x - y);

    // Nothing lost: every 303 is a row (with its outbox row), and there is no row without a 303.
    const rows = await db
      .selectFrom("signatures")
      .select(["id", "email"])
      .where("campaign_id", "=", campaign.id)
      .execute();
    const inDb = new Set(rows.map((r) => r.email));
    const missing = [...okEmails].filter((e) => !inDb.has(e)).length;
    const rowsWithout303 = rows.filter((r) => !okEmails.has(r.email ?? "")).length;
    const outboxRows = (
      await sql<{ n: number }>`
        SELECT count(*)::int AS n FROM outbox
        WHERE (payload->>'signatureId')::bigint IN (SELECT id FROM signatures WHERE campaign_id = ${campaign.id})`.execute(db)
    ).rows[0]!;
    const integrityOk = missing === 0 && rows.length === webTally.ok && outboxRows.n === webTally.ok && unanswered === 0;

    // 5. Confirmations through HTTP, with the worker folding the count ledger every 250 ms.
    const pending = await db
      .selectFrom("signatures")
      .select("id")
      .where("campaign_id", "=", campaign.id)
      .where("status", "=", "pending")
      .orderBy("id")
      .limit(CONFIRMATIONS)
      .execute();
    const tokens: string[] = [];
    for (let i = 0; i < pending.length; i += POOL_SIZE) {
      tokens.push(...(await Promise.all(pending.slice(i, i + POOL_SIZE).map((p) => issueVerificationToken(db, p.id)))));
    }
    // The relay would mail every signature made above; those emails are not what this measures.
    await db.deleteFrom("outbox").execute();
    const { startWorker } = await import("../workers/worker");
    const worker = await startWorker({
      databaseUrl: testDb.url,
      redisUrl: SHARED_REDIS_URL,
      redisPrefix: prefix,
      smtpUrl: smtp.url,
      mailFrom: "Banner bench <bench@localhost>",
      appUrl: web.url,
      foldEveryMs: 250,
    });
    bench.defer("stop worker", () => worker.stop());
    checkAborted();
    step(`${fmt(tokens.length)} verification tokens issued, worker started`);

    // The count API's first requests are slow (cold code); warm it so the settle time below is the fold's.
    for (let i = 0; i < 20; i++) await (await fetch(`${web.url}/api/v1/campaigns/${campaign.slug}`)).arrayBuffer();
    let next = 0;
    let confirmedAnswers = 0;
    let settling: Promise<Settle> | undefined;
    const stopConfirmWatch = await watchCpu({ db, dbName: testDb.name, webPid: web.child.pid });
    const confirmations = await drive(bench, {
      url: web.url,
      seconds: CONFIRM_SECONDS,
      amount: tokens.length,
      verifyBody: (body) => body.includes(CONFIRMED_MARK),
      request: {
        method: "POST",
        headers: FORM_HEADERS,
        body: "intent=confirm",
        setupRequest: (request) => ({ ...request, path: `/verify/${tokens[next++ % tokens.length]}` }),
        onResponse: (status, body) => {
          if (status === 200 && body.includes(CONFIRMED_MARK)) confirmedAnswers++;
        },
      },
      // Every confirmation is answered: start watching the public count at once.
      onAllAnswered: (lastResponseAt) => (settling = waitForCount(bench, web.url, campaign.slug, confirmedAnswers, lastResponseAt)),
    });
    settling ??= waitForCount(bench, web.url, campaign.slug, confirmedAnswers, confirmations.lastResponseAt);
    const confirmCpu = await stopConfirmWatch();
    const settle = await settling;
    checkAborted();
    const confirming = confirmations.result;
    const confirmElapsed = confirmations.elapsedMs;
    const confirmRate = (confirmedAnswers / confirmElapsed) * 1000;
    const confirmedInDb = await db
      .selectFrom("signatures")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("campaign_id", "=", campaign.id)
      .where("status", "=", "confirmed")
      .executeTakeFirstOrThrow();
    const confirmationsOk =
      confirmedInDb.n === confirmedAnswers &&
      confirming.errors === 0 &&
      confirming.mismatches === 0 &&
      confirmations.unanswered === 0 &&
      statusSummary(confirming.statusCodeStats, 200) === "none";
    step(`${fmt(confirmedAnswers)} confirmations in ${fmt(confirmElapsed / 1000, 2)} s; confirmed in DB: ${fmt(confirmedInDb.n)}`);
    step(
      settle.latencyMs === null
        ? `the API still shows ${settle.shown}, not ${confirmedAnswers}, ${COUNT_TIMEOUT_MS / 1000} s after the last confirmation`
        : `the API shows ${fmt(settle.shown)} ${fmt(settle.latencyMs)} ms after the last confirmation (${settle.seen.join("; ")})`,
    );
    const countLatencyMs = settle.latencyMs ?? NaN;
    const shownCount = settle.shown;

    // 6. Summary.
    const ratio = webRate / baseRate;
    const pct = (sorted: number[], p: number) => `p${p} ${fmt(percentile(sorted, p), 1)} ms`;
    const lines: [string, string][] = [
      ["web signing", `${fmt(webRate)} signatures/s  (${fmt(webTally.ok)} × 303 in ${fmt(webTally.elapsedMs / 1000, 2)} s)`],
      ["  latency", `${pct(webTally.latencies, 50)} · ${pct(webTally.latencies, 99)} · max ${fmt(webTally.latencies.at(-1) ?? NaN)} ms`],
      ["  non-303 responses", `${fmt(non303)}  (${statusSummary(Object.fromEntries(Object.entries(statusCounts).map(([k, count]) => [k, { count }])), 303)})`],
      ["  errors / timeouts", `${fmt(webErrors)} / ${fmt(webTimeouts)}`],
      ["  CPU", describeCpu(webTally.cpu, webTally.ok, "load generator")],
      [
        "  nothing lost",
        `${integrityOk ? "OK" : "FAILED"}: ${fmt(rows.length)} rows for ${fmt(webTally.ok)} × 303 · ${fmt(missing)} answered 303 but missing · ` +
          `${fmt(rowsWithout303)} rows without a 303 · ${fmt(outboxRows.n)} outbox rows · ${fmt(unanswered)} unanswered`,
      ],
      ["pg baseline", `${fmt(baseRate)} signatures/s  (${fmt(base.ok)} in ${fmt(base.elapsedMs / 1000, 2)} s · ${pct(base.latencies, 50)} · ${pct(base.latencies, 99)} · ${fmt(base.errors)} errors)`],
      ["  CPU", describeCpu(base.cpu, base.ok, "pg client")],
      ["web / baseline", `${fmt(ratio * 100, 1)} %`],
      [
        "  statements",
        `the web sent its ${fmt(webStatementRows)} signatures in ${fmt(webStatements)} statements (${fmt(webStatementRows / webStatements, 1)} per statement: those arriving together share one); the baseline one per signature`,
      ],
      [
        "confirmations",
        `${fmt(confirmRate)} /s  (${fmt(confirmedAnswers)} confirmed of ${fmt(tokens.length)} tokens in ${fmt(confirmElapsed / 1000, 2)} s · p50 ${fmt(confirming.latency.p50)} ms · p99 ${fmt(confirming.latency.p99)} ms · ` +
          `other ${statusSummary(confirming.statusCodeStats, 200)} · ${fmt(confirming.errors)} errors · ${fmt(confirming.mismatches)} bodies without "confirmed")`,
      ],
      ["  CPU", describeCpu(confirmCpu, confirmedAnswers, "load generator (+ worker)")],
      ["count visible after", Number.isNaN(countLatencyMs) ? `not within 15 s (API ${shownCount}, DB ${confirmedInDb.n})` : `${fmt(countLatencyMs)} ms (fold every 250 ms)`],
    ];
    const width = Math.max(...lines.map(([k]) => k.length));
    console.log("\n  sign benchmark");
    for (const [k, v] of lines) console.log(`  ${k.padEnd(width)}  ${v}`);
    const busiest = Math.max(otherShare(webTally.cpu), otherShare(base.cpu));
    if (busiest > 15) {
      console.log(
        `  Note: other processes used up to ${busiest.toFixed(0)} % of this machine's CPU during the measured runs; ` +
          "rates are lower than on a quiet machine (the CPU-ms per op are the steadier figures).",
      );
    }

    const signErrors = non303 + webErrors + webTimeouts;
    const goals: Goal[] = [
      { kind: "goal", name: "signatures/s", target: `≥ ${fmt(GOAL_RATE)}`, actual: fmt(webRate), ok: webRate >= GOAL_RATE },
      { kind: "goal", name: "signing errors", target: "0", actual: fmt(signErrors), ok: signErrors === 0 },
      { kind: "goal", name: "web / baseline", target: `≥ ${fmt(GOAL_RATIO * 100)} %`, actual: `${fmt(ratio * 100, 1)} %`, ok: ratio >= GOAL_RATIO },
      { kind: "check", name: "nothing lost", target: "rows = 303s", actual: `${fmt(rows.length)} = ${fmt(webTally.ok)}`, ok: integrityOk },
      {
        kind: "check",
        name: "confirmations",
        target: "DB = answers",
        actual: `${fmt(confirmedInDb.n)} = ${fmt(confirmedAnswers)}`,
        ok: confirmationsOk,
      },
      {
        kind: "check",
        name: "share-link signing",
        target: "≥ 80 % of plain, all attributed",
        actual: `${fmt(shareRate)}/s (${fmt(webRate > 0 ? (shareRate / webRate) * 100 : 0, 1)} %), ${fmt(shareRows.n)}/${fmt(share.ok)}`,
        ok: shareRate >= 0.8 * webRate && shareRows.n === share.ok,
      },
      { kind: "check", name: "count settles", target: "< 2 s", actual: Number.isNaN(countLatencyMs) ? "never" : `${fmt(countLatencyMs)} ms`, ok: countLatencyMs < 2_000 },
    ];
    return { name: "sign", goals, integrityOk: integrityOk && confirmationsOk };
  } finally {
    clearTimeout(budget);
    signal?.removeEventListener("abort", onAbort);
    step("cleaning up");
    await bench.cleanup();
  }
}
