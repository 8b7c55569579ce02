/**
 * The surge benchmark: the day a campaign goes viral, on one web process with its page
 * cache on (server/page-cache.ts) and the worker folding counts.
 *
 * 1. Page views alone: the campaign page in en, ur and ar with browsers' `Accept-Encoding: br, gzip`,
 *    against a bare `node:http` process serving the very same bytes, measured in turns.
 * 2. Uncached rendering: a second web process with its page cache off renders every view; pages/s
 *    per language, beside bare node:http serving that language's bytes.
 * 3. The mix, for SURGE_SECONDS: 80 % page views, 10 % count API, 5 % signing, 5 % confirming
 *    (connections shared out in that proportion), printing throughput and p50/p99 per kind; then
 *    checks nothing was lost (every 303 is a signature, every "confirmed" answer a confirmed row)
 *    and how long the public count takes to show the last confirmation while pages are still read.
 *
 * Both web processes run as production does: NODE_ENV=production (React's production build) and
 * the production log level, a request line per view.
 *
 * Tunables (environment): SURGE_SECONDS (30), SURGE_VIEW_SECONDS (10 per side), SURGE_RENDER_SECONDS
 * (5 per language and side, 10 connections), BENCH_CONNECTIONS (50).
 */
import autocannon, { type Options, type RequestSpec, type Result } from "autocannon";
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { sql } from "kysely";
import { seedDemoCampaign } from "~/modules/campaigns/seed-demo-campaign.server";
import { DEMO_CAMPAIGN } from "~/modules/campaigns/demo-campaign";
import { issueVerificationToken } from "~/modules/signatures/signatures.queries.server";
import { createTestDatabase } from "../tests/support/db";
import { deletePrefix, SHARED_REDIS_URL, uniquePrefix } from "../tests/support/redis";
import { postForm, startWeb } from "../tests/support/web";
import { describeCpu, watchCpu } from "./cpu";
import type { BenchOutcome, Goal } from "./sign";

const int = (name: string, fallback: number) => {
  const value = Number(process.env[name]);
  return Number.isInteger(value) && value > 0 ? value : fallback;
};
const SURGE_SECONDS = int("SURGE_SECONDS", 30);
const VIEW_SECONDS = int("SURGE_VIEW_SECONDS", 10);
const RENDER_SECONDS = int("SURGE_RENDER_SECONDS", 5);
/** Renders are CPU-bound: more connections than this only queue (and the warm-up's leftovers would eat the run). */
const RENDER_CONNECTIONS = 10;
const CONNECTIONS = int("BENCH_CONNECTIONS", 50);
const BROWSER = { "accept-encoding": "br, gzip", "user-agent": "Mozilla/5.0 (banner-bench)" };
const FORM = { "content-type": "application/x-www-form-urlencoded", "user-agent": "banner-bench/1" };
const slug = DEMO_CAMPAIGN.slug;
const PAGES = [`/campaigns/${slug}`, `/ur/campaigns/${slug}`, `/ar/campaigns/${slug}`];
const fmt = (n: number, digits = 0) => n.toLocaleString("en-GB", { minimumFractionDigits: digits, maximumFractionDigits: digits });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const run = async (opts: Options): Promise<Result> => await autocannon(opts);
const answered = (result: Result) => Object.values(result.statusCodeStats).reduce((sum, { count }) => sum + count, 0);

/** The bytes and headers web sends for a URL, as a browser asking for br/gzip gets them. */
function rawGet(url: string): Promise<{ headers: Record<string, string>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: BROWSER }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const headers: Record<string, string> = {};
          for (const name of ["content-type", "content-encoding", "cache-control", "vary", "etag"]) {
            const value = res.headers[name];
            if (typeof value === "string") headers[name] = value;
          }
          resolve({ headers, body: Buffer.concat(chunks) });
        });
      })
      .on("error", reject);
  });
}

/** A bare node:http process answering each path with the bytes web sent for it: the ceiling. */
async function startBare(pages: Record<string, { headers: Record<string, string>; body: Buffer }>): Promise<{ url: string; child: ChildProcess }> {
  const file = path.join(os.tmpdir(), `banner-surge-${randomBytes(4).toString("hex")}.json`);
  writeFileSync(file, JSON.stringify(Object.fromEntries(Object.entries(pages).map(([p, v]) => [p, { headers: v.headers, body: v.body.toString("base64") }]))));
  const code = `
    const pages = JSON.parse(require("fs").readFileSync(${JSON.stringify(file)}, "utf8"));
    for (const p of Object.values(pages)) { p.body = Buffer.from(p.body, "base64"); p.headers["content-length"] = p.body.length; }
    const server = require("http").createServer((req, res) => {
      const page = pages[req.url];
      if (!page) { res.writeHead(404); return res.end(); }
      res.writeHead(200, page.headers); res.end(page.body);
    });
    server.keepAliveTimeout = 65000;
    server.listen(0, "127.0.0.1", () => console.log(server.address().port));`;
  const child = spawn(process.execPath, ["-e", code], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<number>((resolve) => child.stdout!.once("data", (d) => resolve(Number(String(d).trim()))));
  return { url: `http://127.0.0.1:${port}`, child };
}

/** The page cache's counters from /metrics: how the views were answered. */
async function cacheCounters(url: string) {
  const text = await (await fetch(`${url}/metrics`)).text();
  const value = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? 0);
  return {
    hit: value(/^banner_page_cache_requests_total\{result="hit"\} (\d+)/m),
    stale: value(/^banner_page_cache_requests_total\{result="stale"\} (\d+)/m),
    miss: value(/^banner_page_cache_requests_total\{result="miss"\} (\d+)/m),
    renders: value(/^banner_page_cache_renders_total (\d+)/m),
  };
}

const views: RequestSpec[] = PAGES.map((p) => ({ method: "GET", path: p, headers: BROWSER }));

function line(label: string, result: Result, seconds: number) {
  const ok = answered(result) - result.non2xx;
  return `${label.padEnd(14)} ${fmt(answered(result) / seconds).padStart(7)} /s  p50 ${fmt(result.latency.p50)} ms · p99 ${fmt(result.latency.p99)} ms · ${fmt(ok)} ok · ${fmt(result.non2xx)} non-2xx · ${fmt(result.errors)} errors`;
}

export async function run_(signal?: AbortSignal): Promise<BenchOutcome> {
  const prefix = uniquePrefix("benchsurge");
  const testDb = await createTestDatabase("benchsurge");
  const cleanups: (() => Promise<unknown>)[] = [() => testDb.drop(), () => deletePrefix(prefix)];
  const goals: Goal[] = [];
  try {
    await seedDemoCampaign(testDb.db);
    // As production runs: React's production build, a request line per view.
    const production = { NODE_ENV: "production", SESSION_SECRET: randomBytes(32).toString("base64url"), LOG_LEVEL: "info", DATABASE_URL: testDb.url, REDIS_PREFIX: prefix };
    const [web, uncached] = await Promise.all([
      startWeb({ ...production, PAGE_CACHE: "on" }, { startTimeoutMs: 60_000 }),
      startWeb({ ...production, PAGE_CACHE: "off" }, { startTimeoutMs: 60_000 }),
    ]);
    cleanups.unshift(() => web.stop());
    cleanups.unshift(() => uncached.stop());
    const { startWorker } = await import("../workers/worker");
    const worker = await startWorker({ databaseUrl: testDb.url, redisUrl: SHARED_REDIS_URL, redisPrefix: prefix, mailFrom: "Banner bench <bench@localhost>", appUrl: web.url, foldEveryMs: 250 });
    cleanups.unshift(() => worker.stop());
    console.log(`\nsurge: one web process (page cache on), ${os.cpus().length} cores, ${CONNECTIONS} connections`);

    // 1. Page views against bare node:http serving the same bytes, after both have warmed up.
    const pages = Object.fromEntries(await Promise.all(PAGES.map(async (p) => [p, await rawGet(`${web.url}${p}`)] as const)));
    const bare = await startBare(pages);
    cleanups.unshift(async () => void bare.child.kill());
    await run({ url: web.url, connections: CONNECTIONS, duration: 3, requests: views });
    await run({ url: bare.url, connections: CONNECTIONS, duration: 3, requests: views });
    if (signal?.aborted) throw new Error("aborted");
    const cacheBefore = await cacheCounters(web.url);
    const webViews = await run({ url: web.url, connections: CONNECTIONS, duration: VIEW_SECONDS, requests: views });
    const cacheAfter = await cacheCounters(web.url);
    const bareViews = await run({ url: bare.url, connections: CONNECTIONS, duration: VIEW_SECONDS, requests: views });
    const ratio = webViews.requests.average / bareViews.requests.average;
    console.log(line("web views", webViews, VIEW_SECONDS));
    console.log(line("bare node", bareViews, VIEW_SECONDS));
    const delta = (name: keyof typeof cacheAfter) => fmt(cacheAfter[name] - cacheBefore[name]);
    console.log(`               page cache: ${delta("hit")} hits, ${delta("stale")} stale, ${delta("miss")} waited for a render, ${delta("renders")} renders`);
    goals.push({ kind: "goal", name: "page views vs bare node:http", target: "≥ 50 %", actual: `${fmt(ratio * 100, 1)} %`, ok: ratio >= 0.5 });
    goals.push({ kind: "goal", name: `page view p99 at ${CONNECTIONS} connections`, target: "≤ 20 ms", actual: `${fmt(webViews.latency.p99)} ms`, ok: webViews.latency.p99 <= 20 });

    // 2. Uncached rendering, each language in turn, beside bare node:http serving its bytes.
    {
      console.log(`uncached rendering (a second web process, page cache off), ${RENDER_CONNECTIONS} connections, ${RENDER_SECONDS} s per language and side:`);
      let slowest = Infinity;
      // The process warms up on every language first: measured straight after start-up, the first
      // language read 15-20 % below the same page measured later in the same run.
      for (const page of PAGES) await run({ url: uncached.url, connections: RENDER_CONNECTIONS, duration: 2, requests: [{ method: "GET", path: page, headers: BROWSER }] });
      for (const page of PAGES) {
        const one: RequestSpec[] = [{ method: "GET", path: page, headers: BROWSER }];
        await run({ url: uncached.url, connections: RENDER_CONNECTIONS, duration: 2, requests: one });
        const cpu = await watchCpu({ db: testDb.db, dbName: testDb.name, webPid: uncached.child.pid });
        const rendered = await run({ url: uncached.url, connections: RENDER_CONNECTIONS, duration: RENDER_SECONDS, requests: one });
        const used = await cpu();
        const ceiling = await run({ url: bare.url, connections: RENDER_CONNECTIONS, duration: RENDER_SECONDS, requests: one });
        const perSecond = answered(rendered) / RENDER_SECONDS;
        slowest = Math.min(slowest, rendered.non2xx || rendered.errors ? 0 : perSecond);
        console.log(`${line(`  ${page.split("/")[1] === "campaigns" ? "en" : page.split("/")[1]} rendered`, rendered, RENDER_SECONDS)}`);
        // What a view costs, steadier than views/s on a machine whose speed moves from minute to minute.
        console.log(`                 ${describeCpu(used, answered(rendered), "load generator")}`);
        console.log(`${line("     bare node", ceiling, RENDER_SECONDS)}  (rendered ${fmt((perSecond / (answered(ceiling) / RENDER_SECONDS)) * 100, 1)} % of it)`);
      }
      goals.push({ kind: "goal", name: "uncached rendering, slowest language", target: "≥ 300 pages/s", actual: `${fmt(slowest)} pages/s`, ok: slowest >= 300 });
    }
    bare.child.kill();
    await uncached.stop();

    // 3. The mix. Pending signatures to confirm are made up front, through the real sign form.
    const confirmConns = Math.max(1, Math.round(CONNECTIONS * 0.05));
    const signConns = Math.max(1, Math.round(CONNECTIONS * 0.05));
    const apiConns = Math.max(1, Math.round(CONNECTIONS * 0.1));
    const viewConns = Math.max(1, CONNECTIONS - confirmConns - signConns - apiConns);
    const campaign = await testDb.db.selectFrom("campaigns").select("id").where("slug", "=", slug).executeTakeFirstOrThrow();
    // Enough links for the confirming connections to press one the whole run (about 200 a second
    // each here); the run also stops them at the last link rather than run dry.
    const pendingCount = 6000 * Math.ceil(SURGE_SECONDS / 30);
    const run_id = randomBytes(3).toString("hex");
    // Through the real sign form, 20 at a time.
    for (let i = 0; i < pendingCount; i += 20) {
      await Promise.all(
        Array.from({ length: Math.min(20, pendingCount - i) }, (_, j) =>
          postForm(`${web.url}/campaigns/${slug}`, { name: "Pending Signer", email: `p${i + j}-${run_id}@example.org`, country: "MY", consent: "on" }).then((r) => r.arrayBuffer()),
        ),
      );
    }
    const pending = { rows: await testDb.db.selectFrom("signatures").select("id").where("email", "like", `p%-${run_id}@example.org`).execute() };
    const tokens: string[] = [];
    for (let i = 0; i < pending.rows.length; i += 20) {
      tokens.push(...(await Promise.all(pending.rows.slice(i, i + 20).map((row) => issueVerificationToken(testDb.db, row.id)))));
    }
    await testDb.db.deleteFrom("outbox").execute();

    const confirmedBefore = (
      await testDb.db.selectFrom("signatures").select(sql<number>`count(*)::int`.as("n")).where("campaign_id", "=", campaign.id).where("status", "=", "confirmed").executeTakeFirstOrThrow()
    ).n;
    let signed = 0;
    let signCounter = 0;
    let confirmed = 0;
    let nextToken = 0;
    const seconds = SURGE_SECONDS;
    const [mixViews, mixApi, mixSign, mixConfirm] = await Promise.all([
      run({ url: web.url, connections: viewConns, duration: seconds + 2, requests: views }),
      run({ url: web.url, connections: apiConns, duration: seconds, requests: [{ method: "GET", path: `/api/v1/campaigns/${slug}`, headers: BROWSER }] }),
      run({
        url: web.url,
        connections: signConns,
        duration: seconds,
        requests: [
          {
            method: "POST",
            path: `/campaigns/${slug}`,
            headers: FORM,
            setupRequest: (request: RequestSpec) => ({ ...request, body: `name=Surge+Signer&email=s${signCounter++}-${run_id}%40example.org&country=TR&consent=on` }),
            onResponse: (status: number) => void (status === 303 && signed++),
          },
        ],
      }),
      run({
        url: web.url,
        connections: confirmConns,
        duration: seconds,
        // Each connection stops at its share of the links: autocannon fails a connection whose
        // first request after a reconnect finds none left.
        maxOverallRequests: tokens.length,
        requests: [
          {
            method: "POST",
            // As a browser presses the button on the page the email's link opened (`?lang=` when
            // the signer read another language), with its Origin and Accept-Encoding: the request
            // server/verify-form-post.ts answers. Each token once, so every 200 is a confirmation.
            headers: { ...BROWSER, ...FORM, origin: web.url },
            body: "intent=confirm",
            setupRequest: (request: RequestSpec) => {
              if (nextToken >= tokens.length) return null;
              const n = nextToken++;
              return { ...request, path: `/verify/${tokens[n]}${["", "?lang=ur", "?lang=ar"][n % 3]}` };
            },
            onResponse: (status: number) => void (status === 200 && confirmed++),
          },
        ],
      }),
    ]);
    // The views ran 2 s longer: the count is watched while they still run.
    const after = Date.now();
    const expected = await testDb.db.selectFrom("signatures").select(sql<number>`count(*)::int`.as("n")).where("campaign_id", "=", campaign.id).where("status", "=", "confirmed").executeTakeFirstOrThrow();
    let shownAt = NaN;
    while (Date.now() - after < 10_000) {
      const body = (await (await fetch(`${web.url}/api/v1/campaigns/${slug}`)).json()) as { signatureCount: number };
      if (body.signatureCount === expected.n) {
        shownAt = Date.now() - after;
        break;
      }
      await sleep(25);
    }
    const signedRows = await testDb.db.selectFrom("signatures").select(sql<number>`count(*)::int`.as("n")).where("email", "like", `s%-${run_id}@example.org`).executeTakeFirstOrThrow();
    console.log(`mix for ${seconds} s (${viewConns} view, ${apiConns} API, ${signConns} sign, ${confirmConns} confirm connections):`);
    console.log(line("  page views", mixViews, seconds + 2));
    console.log(line("  count API", mixApi, seconds));
    console.log(line("  signing", mixSign, seconds));
    console.log(line("  confirming", mixConfirm, seconds));
    console.log(`  links pressed ${fmt(nextToken)} of ${fmt(tokens.length)} made up front${nextToken >= tokens.length ? " (all: the confirming ran out before the end)" : ""}`);
    console.log(`  signed (303) ${fmt(signed)} · rows ${fmt(signedRows.n)} · confirmed answers ${fmt(confirmed)} · newly confirmed rows ${fmt(expected.n - confirmedBefore)}`);
    console.log(`  the count API showed all ${fmt(expected.n)} confirmations ${Number.isNaN(shownAt) ? "not within 10 s" : `${fmt(shownAt)} ms`} after the last (fold every 250 ms, pages still read)`);
    // autocannon stops with requests in flight: those may have been done without being counted as
    // answered, so a row may exceed the answers by at most one per connection, never fall short.
    const nothingLost = signedRows.n >= signed && signedRows.n <= signed + signConns && expected.n - confirmedBefore >= confirmed && expected.n - confirmedBefore <= Math.min(nextToken, confirmed + confirmConns);
    goals.push({ kind: "check", name: "nothing lost in the mix", target: "rows = answers", actual: `signed ${fmt(signedRows.n)}/${fmt(signed)}, confirmed ${fmt(expected.n - confirmedBefore)}/${fmt(confirmed)}`, ok: nothingLost });
    goals.push({ kind: "goal", name: "count freshness under the surge", target: "≤ 1,000 ms", actual: Number.isNaN(shownAt) ? "> 10 s" : `${fmt(shownAt)} ms`, ok: shownAt <= 1000 });
    return { name: "surge", goals, integrityOk: nothingLost };
  } finally {
    for (const cleanup of cleanups) await cleanup().catch((error) => console.error(`cleanup failed: ${String(error)}`));
  }
}

export { run_ as run };
