/**
 * `npm run bench -- scale`: the production shape against the simplest one, in one run.
 *
 *   1. signing through nginx to two web processes on PgBouncer (transaction pooling) and a Redis
 *      Cluster, against signing straight to one web process on Postgres and one Redis;
 *   2. the public campaign page from nginx's cache, against bare `node:http` answering the same
 *      bytes (the fastest any server here could be);
 *   3. the same page from one web process, without nginx.
 *
 * Everything listens on 127.0.0.1 on free ports; engines are started and stopped by their PIDs.
 * Tunables: BENCH_SECONDS per run (10), BENCH_CONNECTIONS (50).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import autocannon, { type RequestSpec, type Result } from "autocannon";
import { sql } from "kysely";
import { createTestDatabase } from "../tests/support/db";
import { createCampaign } from "../tests/support/fixtures";
import { deletePrefix, freePort, SHARED_REDIS_URL, uniquePrefix } from "../tests/support/redis";
import { startWeb, type RunningProcess } from "../tests/support/web";
import { startNginx, startPgBouncer, startRedisCluster, type Nginx, type PgBouncer, type RedisClusterEngines } from "../tests/topology/engines";
import type { BenchOutcome, Goal } from "./sign";

const int = (name: string, fallback: number) => {
  const value = Number(process.env[name]);
  return Number.isInteger(value) && value > 0 ? value : fallback;
};
const SECONDS = int("BENCH_SECONDS", 10);
const CONNECTIONS = int("BENCH_CONNECTIONS", 50);

const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toLocaleString("en-GB", { maximumFractionDigits: digits, minimumFractionDigits: digits }) : "—");

let clientCounter = 0;
/** Each signer from an address of its own: the web trusts 127.0.0.1 (nginx, or the load generator) as its proxy. */
const nextClientAddress = () => {
  const n = ++clientCounter;
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
};

async function load(url: string, request: RequestSpec, onStatus?: (status: number) => void): Promise<Result> {
  return autocannon({
    url,
    connections: CONNECTIONS,
    duration: SECONDS,
    timeout: 10,
    requests: [{ ...request, onResponse: (status) => onStatus?.(status) }],
  });
}

async function signing(baseUrl: string, slug: string, label: string) {
  const tag = randomBytes(4).toString("hex");
  let n = 0;
  let ok = 0;
  let other = 0;
  const result = await load(
    baseUrl,
    {
      method: "POST",
      path: `/campaigns/${slug}`,
      headers: { "content-type": "application/x-www-form-urlencoded" },
      setupRequest: (request) => {
        n++;
        return {
          ...request,
          headers: { ...request.headers, origin: baseUrl, "x-forwarded-for": nextClientAddress() },
          body: `name=Bench+${n}&email=${label}-${tag}-${n}%40example.org&country=PK&consent=on`,
        };
      },
    },
    (status) => {
      if (status === 303) ok++;
      else other++;
    },
  );
  return { perSecond: ok / (result.duration || SECONDS), ok, errors: result.errors + result.timeouts, other };
}

async function reading(url: string, path: string, headers: Record<string, string> = {}) {
  let ok = 0;
  const result = await load(url, { method: "GET", path, headers }, (status) => {
    if (status === 200) ok++;
  });
  return { perSecond: ok / (result.duration || SECONDS), errors: result.errors + result.timeouts + result.non2xx, p99: result.latency.p99 };
}

export async function run(signal?: AbortSignal): Promise<BenchOutcome> {
  const step = (msg: string) => console.log(`  · ${msg}`);
  console.log(`\n== scale (${SECONDS} s per run, ${CONNECTIONS} connections)`);
  const t = await createTestDatabase("benchscale");
  const prefix = uniquePrefix("benchscale");
  let bouncer: PgBouncer | undefined;
  let cluster: RedisClusterEngines | undefined;
  let nginx: Nginx | undefined;
  let bare: ChildProcess | undefined;
  const webs: RunningProcess[] = [];
  const stopAll = async () => {
    await Promise.allSettled(webs.map((w) => w.stop()));
    bare?.kill();
    await Promise.allSettled([nginx?.stop()]);
    await t.drop().catch(() => undefined);
    await Promise.allSettled([bouncer?.stop(), cluster?.stop(), deletePrefix(prefix)]);
  };
  signal?.addEventListener("abort", () => void stopAll(), { once: true });
  try {
    const campaign = await createCampaign(t.db);
    step("starting PgBouncer, a three-node Redis Cluster, three web processes and nginx");
    [bouncer, cluster] = await Promise.all([startPgBouncer({ poolSize: 20 }), startRedisCluster()]);
    const common = { TRUSTED_PROXIES: "127.0.0.1", LOG_LEVEL: "warn", REDIS_PREFIX: prefix };
    const scaled = { ...common, DATABASE_URL: bouncer.url(t.name), DATABASE_DIRECT_URL: t.url, REDIS_CLUSTER_NODES: cluster.nodes };
    const [scaledA, scaledB, single] = await Promise.all([
      startWeb(scaled, { startTimeoutMs: 60_000 }),
      startWeb(scaled, { startTimeoutMs: 60_000 }),
      startWeb({ ...common, DATABASE_URL: t.url, REDIS_URL: SHARED_REDIS_URL }, { startTimeoutMs: 60_000 }),
    ]);
    webs.push(scaledA, scaledB, single);
    nginx = await startNginx([`127.0.0.1:${scaledA.port}`, `127.0.0.1:${scaledB.port}`]);

    // The page as nginx keeps it, served by bare node:http as the ceiling.
    const pagePath = `/campaigns/${campaign.slug}`;
    const sample = await fetch(`${single.url}${pagePath}`);
    const bytes = Buffer.from(await sample.arrayBuffer());
    const contentType = sample.headers.get("content-type") ?? "text/html";
    // In a process of its own, like nginx: in this one it would share an event loop with the load generator.
    const barePort = await freePort();
    const pageFile = path.join(tmpdir(), `banner-bench-page-${randomBytes(4).toString("hex")}.html`);
    writeFileSync(pageFile, bytes);
    bare = spawn(
      process.execPath,
      [
        "-e",
        `const b=require("fs").readFileSync(${JSON.stringify(pageFile)});require("http").createServer((q,s)=>{s.writeHead(200,{"Content-Type":${JSON.stringify(contentType)},"Content-Length":b.length});s.end(b)}).listen(${barePort},"127.0.0.1")`,
      ],
      { stdio: "ignore" },
    );
    for (let i = 0; i < 50; i++) {
      if (await fetch(`http://127.0.0.1:${barePort}/`).then((r) => r.ok, () => false)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    rmSync(pageFile, { force: true });

    step("signing through nginx → two web processes → PgBouncer, Redis Cluster");
    const signScaled = await signing(nginx.url, campaign.slug, "scaled");
    step("signing straight to one web process → Postgres, one Redis");
    const signSingle = await signing(single.url, campaign.slug, "single");
    step("the campaign page from nginx's cache");
    await fetch(`${nginx.url}${pagePath}`).then((r) => r.arrayBuffer());
    const cached = await reading(nginx.url, pagePath);
    step("the same bytes from bare node:http");
    const ceiling = await reading(`http://127.0.0.1:${barePort}`, pagePath);
    step("the page from one web process, no proxy");
    const uncached = await reading(single.url, pagePath);

    const rows = await sql<{ n: number }>`SELECT count(*)::int AS n FROM signatures WHERE campaign_id = ${campaign.id}`.execute(t.db);
    const answered = signScaled.ok + signSingle.ok;
    // autocannon stops with requests in flight: their rows exist but their 303s were never
    // counted. A lost signature is the other way round: a 303 without its row.
    const integrityOk = rows.rows[0]!.n >= answered;

    const lines: [string, string][] = [
      ["signing via nginx + PgBouncer", `${fmt(signScaled.perSecond)} signatures/s (${fmt(signScaled.errors)} errors, ${fmt(signScaled.other)} other answers)`],
      ["signing, one web, direct", `${fmt(signSingle.perSecond)} signatures/s (${fmt(signSingle.errors)} errors, ${fmt(signSingle.other)} other answers)`],
      ["  scaled / single", `${fmt((signScaled.perSecond / signSingle.perSecond) * 100, 1)} %`],
      ["page from nginx's cache", `${fmt(cached.perSecond)} /s (p99 ${fmt(cached.p99)} ms, ${fmt(cached.errors)} errors)`],
      ["same bytes, bare node:http", `${fmt(ceiling.perSecond)} /s (p99 ${fmt(ceiling.p99)} ms)`],
      ["  nginx cache / bare", `${fmt((cached.perSecond / ceiling.perSecond) * 100, 1)} %`],
      ["page from one web process", `${fmt(uncached.perSecond)} /s (p99 ${fmt(uncached.p99)} ms, ${fmt(uncached.errors)} errors)`],
      ["nothing lost", `${integrityOk ? "OK" : "FAILED"}: ${fmt(rows.rows[0]!.n)} rows for ${fmt(answered)} × 303`],
    ];
    const width = Math.max(...lines.map(([k]) => k.length));
    console.log("\n  scale benchmark (all processes share this machine's cores with the load generator)");
    for (const [k, v] of lines) console.log(`  ${k.padEnd(width)}  ${v}`);

    const goals: Goal[] = [
      { kind: "check", name: "scaled signing", target: "0 errors", actual: fmt(signScaled.errors), ok: signScaled.errors === 0 && signScaled.ok > 0 },
      { kind: "check", name: "cached page", target: "0 errors", actual: fmt(cached.errors), ok: cached.errors === 0 },
      { kind: "check", name: "nothing lost", target: "rows ≥ 303s", actual: `${fmt(rows.rows[0]!.n)} ≥ ${fmt(answered)}`, ok: integrityOk },
    ];
    return { name: "scale", goals, integrityOk };
  } finally {
    step("cleaning up");
    await stopAll();
  }
}
