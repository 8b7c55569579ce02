/**
 * Confirming benchmark: the real web server (production build, child process) under concurrent
 * presses of the verification link's confirm button (`POST /verify/:token`, as the email's link
 * opens it: no language, `?lang=ur`, `?lang=ar`), each token once, with browsers'
 * `Accept-Encoding: br, gzip`; against a baseline of the same statement (confirmStatement(), the
 * whole confirmation, as the web process sends it for a lone link) sent straight through `pg`, a
 * link per statement, prepared under the same name, with the same concurrency and pool size. The
 * web process puts the confirmations that arrive together in one statement (confirmingGroup); the
 * report says how many its statements carried. The two alternate in slices so the machine's other load weighs on both.
 *
 * Checks nothing is lost or doubled: every 200 is one confirmed signature with one ledger row,
 * every token was answered once, and the fast path answered each of them (its /metrics counter).
 *
 * Self-contained: its own database and Redis prefix, removed at the end. Tunables (environment):
 * BENCH_SECONDS (10), BENCH_CONNECTIONS (50), BENCH_WARMUP_SECONDS (10).
 */
import { randomBytes } from "node:crypto";
import os from "node:os";
import { performance } from "node:perf_hooks";
import { sql, type Kysely } from "kysely";
import pg from "pg";
import type { DB } from "~/db/schema";
import { CONFIRM_STATEMENT, confirmStatement } from "~/modules/signatures/confirm-signature.server";
import { generateToken, hashToken } from "~/utils/tokens.server";
import { createTestDatabase } from "../tests/support/db";
import { createCampaign } from "../tests/support/fixtures";
import { fastPathCounts, groupedStatements } from "../tests/support/metrics";
import { deletePrefix, SHARED_REDIS_URL, uniquePrefix } from "../tests/support/redis";
import { startWeb } from "../tests/support/web";
import { describeCpu, otherShare, watchCpu, type CpuReport } from "./cpu";
import { addCpu, drive, fmt, percentile, Run, statusSummary, type BenchOutcome, type Goal } from "./sign";

const int = (name: string, fallback: number) => {
  const value = Number(process.env[name]);
  return Number.isInteger(value) && value > 0 ? value : fallback;
};

const SECONDS = int("BENCH_SECONDS", 10);
/** As in bench/sign.ts: the web process's CPU per request falls for the first ~15 s of traffic (V8 tiering up). */
const WARMUP_SECONDS = int("BENCH_WARMUP_SECONDS", 10);
const CONNECTIONS = int("BENCH_CONNECTIONS", 50);
const SEGMENTS = 2;
/** The baseline's pool: 20 connections, as the ratio goal was set with (the web process has 40, app/services.server.ts). */
const POOL_SIZE = 20;
/** Tokens minted per run, more than either side confirms in its time (a run ends early if they run out). */
const PER_SECOND_CAP = 4_000;
const BUDGET_MS = 150_000;
const GOAL_RATE = 1_000;
const GOAL_RATIO = 0.5;
const USER_AGENT = "banner-bench/1 (autocannon)";
/** How the email's links open the page: the default language, and two right-to-left ones. */
const LINK_QUERIES = ["", "?lang=ur", "?lang=ar"];

interface Tally {
  ok: number;
  errors: number;
  elapsedMs: number;
  latencies: number[];
  cpu: CpuReport | null;
}
const newTally = (): Tally => ({ ok: 0, errors: 0, elapsedMs: 0, latencies: [], cpu: null });

/** `n` pending signatures on a campaign, each with a fresh verification token; returns the tokens. */
async function mintTokens(db: Kysely<DB>, campaignId: number, n: number): Promise<string[]> {
  const tag = randomBytes(4).toString("hex");
  const tokens: string[] = [];
  for (let from = 0; from < n; from += 5_000) {
    const size = Math.min(5_000, n - from);
    const ids = await sql<{ id: number }>`
      INSERT INTO signatures (campaign_id, name, email, email_normalized, country, public_name, opt_in, consent_version, locale, referral_code)
      SELECT ${campaignId}, 'Bench Signer', e, e, 'PK', false, false, 'bench', 'en', ${`b${tag}`} || g
      FROM generate_series(${from + 1}::int, ${from + size}::int) g, LATERAL (SELECT 'c-' || ${tag} || '-' || g || '@example.org' AS e) x
      RETURNING id`.execute(db);
    const batch = ids.rows.map(() => generateToken());
    await sql`
      INSERT INTO signature_tokens (signature_id, purpose, token_hash, expires_at)
      SELECT unnest(${ids.rows.map((r) => r.id)}::bigint[]), 'verify', unnest(${batch.map((t) => hashToken(t))}::bytea[]), now() + interval '7 days'`.execute(db);
    tokens.push(...batch);
  }
  return tokens;
}

/** The confirming statement straight through pg: CONNECTIONS loops over `tokens`, each once. */
function createBaseline(run: Run, db: Kysely<DB>, url: string) {
  const pool = new pg.Pool({ connectionString: url, max: POOL_SIZE, application_name: "banner-bench-confirm-baseline" });
  pool.on("error", () => undefined);
  const go = async (tokens: string[], seconds: number, tally?: Tally) => {
    let next = 0;
    const started = performance.now();
    const deadline = started + seconds * 1000;
    const loop = async () => {
      while (!run.aborted && performance.now() < deadline && next < tokens.length) {
        const token = tokens[next++]!;
        const t0 = performance.now();
        try {
          // Hashed here as the web process hashes it; prepared under its name, as executePrepared() does.
          const statement = confirmStatement(hashToken(token), "en").compile(db);
          const row = (await pool.query<{ confirmed_now: boolean }>({ name: CONFIRM_STATEMENT, text: statement.sql, values: statement.parameters as unknown[] })).rows[0];
          if (!row?.confirmed_now) throw new Error("not confirmed");
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

const countConfirmed = async (db: Kysely<DB>, campaignId: number) => {
  const signatures = await db
    .selectFrom("signatures")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("campaign_id", "=", campaignId)
    .where("status", "=", "confirmed")
    .executeTakeFirstOrThrow();
  const ledger = await db
    .selectFrom("signature_count_changes")
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number>("delta"), eb.lit(0)).as("n"))
    .where("campaign_id", "=", campaignId)
    .executeTakeFirstOrThrow();
  return { signatures: Number(signatures.n), ledger: Number(ledger.n) };
};

export async function run(signal?: AbortSignal): Promise<BenchOutcome> {
  const bench = new Run();
  const onAbort = () => bench.abort();
  signal?.addEventListener("abort", onAbort);
  const budget = setTimeout(() => {
    console.error(`\nconfirm: over the ${BUDGET_MS / 1000} s budget, stopping`);
    bench.abort();
  }, BUDGET_MS - 15_000);
  const checkAborted = () => {
    if (bench.aborted) throw new Error("aborted");
  };
  const t0 = performance.now();
  const step = (text: string) => console.log(`  [${fmt((performance.now() - t0) / 1000, 1).padStart(5)} s] ${text}`);

  try {
    console.log(`\n== confirm on ${os.cpus().length} cores (load average ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}), Node ${process.version}`);
    console.log(`   ${CONNECTIONS} connections, ${SECONDS} s per side (after a ${WARMUP_SECONDS} s warm-up each), one web process`);

    const testDb = await createTestDatabase("benchconfirm");
    bench.defer("drop database", () => testDb.drop());
    const prefix = uniquePrefix("benchconfirm");
    bench.defer("delete redis prefix", () => deletePrefix(prefix));
    const db = testDb.db;
    const newCampaign = (what: string) => createCampaign(db, { slug: `bench-confirm-${what}-${randomBytes(3).toString("hex")}` });
    const [warmCampaign, campaign, baseCampaign] = await Promise.all([newCampaign("warm"), newCampaign("web"), newCampaign("base")]);
    const perRun = (seconds: number) => Math.ceil(seconds * PER_SECOND_CAP);
    const [warmTokens, baseWarmTokens] = await Promise.all([mintTokens(db, warmCampaign.id, perRun(WARMUP_SECONDS)), mintTokens(db, baseCampaign.id, perRun(WARMUP_SECONDS))]);
    const webSlices: string[][] = [];
    const baseSlices: string[][] = [];
    for (let i = 0; i < SEGMENTS; i++) {
      webSlices.push(await mintTokens(db, campaign.id, perRun(SECONDS / SEGMENTS)));
      baseSlices.push(await mintTokens(db, baseCampaign.id, perRun(SECONDS / SEGMENTS)));
    }
    await sql`ANALYZE`.execute(db);
    step(`database ${testDb.name}: ${fmt(warmTokens.length + baseWarmTokens.length + SEGMENTS * 2 * perRun(SECONDS / SEGMENTS))} pending signatures with tokens`);

    const web = await startWeb({
      NODE_ENV: "production",
      SESSION_SECRET: randomBytes(32).toString("base64url"),
      DATABASE_URL: testDb.url,
      REDIS_URL: SHARED_REDIS_URL,
      REDIS_PREFIX: prefix,
      LOG_LEVEL: process.env.LOG_LEVEL ?? "info",
      // The attempt limit per link at its production value (each token is pressed once here).
      VERIFY_RATE_PER_TOKEN: "5/10m",
    });
    bench.defer("stop web", async () => {
      const kill = setTimeout(() => void web.stop("SIGKILL"), 10_000);
      await web.stop("SIGTERM");
      clearTimeout(kill);
    });
    step(`web listening on ${web.url} (NODE_ENV=production)`);

    /** Presses each token's button once, in turn, through the three link shapes. */
    const press = (tokens: string[], seconds: number) => {
      let next = 0;
      return drive(bench, {
        url: web.url,
        seconds,
        amount: tokens.length,
        request: {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded", "user-agent": USER_AGENT, origin: web.url, "accept-encoding": "br, gzip" },
          body: "intent=confirm",
          setupRequest: (request) => {
            const n = next++;
            return { ...request, path: `/verify/${tokens[n % tokens.length]}${LINK_QUERIES[n % LINK_QUERIES.length]}` };
          },
        },
      });
    };

    await press(warmTokens, WARMUP_SECONDS);
    checkAborted();
    step("web warm-up done");
    const baseline = createBaseline(bench, db, testDb.url);
    bench.defer("end baseline pool", () => baseline.end());
    await baseline.go(baseWarmTokens, WARMUP_SECONDS);
    checkAborted();
    step("baseline warm-up done");

    const countsBefore = await fastPathCounts(web.url);
    const groupedBefore = await groupedStatements(web.url, "confirm");
    const webTally = newTally();
    const base = newTally();
    const statusCounts: Record<string, { count: number }> = {};
    let errors = 0;
    let unanswered = 0;
    for (let segment = 0; segment < SEGMENTS; segment++) {
      const stopWebWatch = await watchCpu({ db, dbName: testDb.name, webPid: web.child.pid });
      const slice = await press(webSlices[segment]!, SECONDS / SEGMENTS);
      webTally.cpu = addCpu(webTally.cpu, await stopWebWatch());
      checkAborted();
      for (const [code, { count }] of Object.entries(slice.result.statusCodeStats)) statusCounts[code] = { count: (statusCounts[code]?.count ?? 0) + count };
      webTally.ok += slice.result.statusCodeStats["200"]?.count ?? 0;
      webTally.elapsedMs += slice.elapsedMs;
      webTally.latencies.push(...slice.latencies);
      errors += slice.result.errors + slice.result.timeouts;
      unanswered += slice.unanswered;

      const stopBaseWatch = await watchCpu({ db, dbName: testDb.name });
      await baseline.go(baseSlices[segment]!, SECONDS / SEGMENTS, base);
      base.cpu = addCpu(base.cpu, await stopBaseWatch());
      checkAborted();
      step(`slice ${segment + 1}/${SEGMENTS}: web ${fmt(webTally.ok)} confirmations, baseline ${fmt(base.ok)} so far`);
    }
    await baseline.end();
    const countsAfter = await fastPathCounts(web.url);
    const groupedAfter = await groupedStatements(web.url, "confirm");
    const webStatements = groupedAfter.statements - groupedBefore.statements;
    const webStatementCalls = groupedAfter.calls - groupedBefore.calls;

    // Nothing lost, nothing doubled: every 200 a confirmed signature with its one +1 in the ledger,
    // every request answered, each by the fast path.
    const webRows = await countConfirmed(db, campaign.id);
    const baseRows = await countConfirmed(db, baseCampaign.id);
    const answeredFast = countsAfter.answered - countsBefore.answered;
    const passed = countsAfter.passed - countsBefore.passed;
    const non200 = Object.entries(statusCounts).filter(([code]) => code !== "200").reduce((sum, [, { count }]) => sum + count, 0);
    const webOk = webRows.signatures === webTally.ok && webRows.ledger === webTally.ok && non200 === 0 && errors === 0 && unanswered === 0 && answeredFast === webTally.ok;
    const baseWarm = baseWarmTokens.length; // every warm-up token the baseline used is confirmed too
    const baseOk = base.errors === 0 && baseRows.signatures === baseRows.ledger && baseRows.signatures >= base.ok && baseRows.signatures <= base.ok + baseWarm;

    const webRate = (webTally.ok / webTally.elapsedMs) * 1000;
    const baseRate = (base.ok / base.elapsedMs) * 1000;
    const ratio = webRate / baseRate;
    webTally.latencies.sort((x, y) => x - y);
    base.latencies.sort((x, y) => x - y);
    const pct = (sorted: number[], p: number) => `p${p} ${fmt(percentile(sorted, p), 1)} ms`;
    const lines: [string, string][] = [
      ["web confirming", `${fmt(webRate)} confirmations/s  (${fmt(webTally.ok)} × 200 in ${fmt(webTally.elapsedMs / 1000, 2)} s)`],
      ["  latency", `${pct(webTally.latencies, 50)} · ${pct(webTally.latencies, 99)} · max ${fmt(webTally.latencies.at(-1) ?? NaN)} ms`],
      ["  other answers", `${statusSummary(statusCounts, 200)} · ${fmt(errors)} errors/timeouts · ${fmt(unanswered)} unanswered`],
      ["  fast path", `${fmt(answeredFast)} answered before Express, ${fmt(passed)} passed to Remix`],
      ["  CPU", describeCpu(webTally.cpu, webTally.ok, "load generator")],
      ["  nothing lost", `${webOk ? "OK" : "FAILED"}: ${fmt(webRows.signatures)} confirmed, ledger +${fmt(webRows.ledger)}, for ${fmt(webTally.ok)} × 200`],
      ["pg baseline", `${fmt(baseRate)} confirmations/s  (${fmt(base.ok)} in ${fmt(base.elapsedMs / 1000, 2)} s · ${pct(base.latencies, 50)} · ${pct(base.latencies, 99)} · ${fmt(base.errors)} errors)`],
      ["  CPU", describeCpu(base.cpu, base.ok, "pg client")],
      ["web / baseline", `${fmt(ratio * 100, 1)} %`],
      [
        "  statements",
        `the web confirmed its ${fmt(webStatementCalls)} links in ${fmt(webStatements)} statements (${fmt(webStatementCalls / webStatements, 1)} per statement: those arriving together share one); the baseline one per link`,
      ],
    ];
    const width = Math.max(...lines.map(([k]) => k.length));
    console.log("\n  confirm benchmark");
    for (const [k, v] of lines) console.log(`  ${k.padEnd(width)}  ${v}`);
    const busiest = Math.max(otherShare(webTally.cpu), otherShare(base.cpu));
    if (busiest > 15) {
      console.log(`  Note: other processes used up to ${busiest.toFixed(0)} % of this machine's CPU during the measured runs; the CPU-ms per confirmation are the steadier figures.`);
    }
    const goals: Goal[] = [
      { kind: "goal", name: "confirmations/s", target: `≥ ${fmt(GOAL_RATE)}`, actual: fmt(webRate), ok: webRate >= GOAL_RATE },
      { kind: "goal", name: "web / baseline", target: `≥ ${GOAL_RATIO * 100} %`, actual: `${fmt(ratio * 100, 1)} %`, ok: ratio >= GOAL_RATIO },
      { kind: "check", name: "each token confirmed once", target: "rows = ledger = 200s", actual: `${fmt(webRows.signatures)} = ${fmt(webRows.ledger)} = ${fmt(webTally.ok)}`, ok: webOk },
      { kind: "check", name: "baseline confirmed once", target: "rows = ledger", actual: `${fmt(baseRows.signatures)} = ${fmt(baseRows.ledger)}`, ok: baseOk },
    ];
    return { name: "confirm", goals, integrityOk: webOk && baseOk };
  } finally {
    clearTimeout(budget);
    signal?.removeEventListener("abort", onAbort);
    step("cleaning up");
    await bench.cleanup();
  }
}
