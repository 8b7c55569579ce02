/**
 * Start-up benchmark: how long the web process takes from spawn to its first answer, and how much
 * memory it holds, run as production runs it (`node build/web.js`, the bundle `npm run build`
 * makes) against the way it ran before that bundle existed (`node --import tsx server/index.ts`,
 * TypeScript compiled in memory at start), in one run, alternating.
 *
 * Each start is timed to the first 200 from /healthz; then 200 views of the campaign page (page
 * cache off, so each is rendered) and the resident set size (RSS, from /proc) is read. Median of
 * STARTUP_RUNS (5) starts per way. Self-contained: its own database, its own Redis prefix.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { DEMO_CAMPAIGN } from "~/modules/campaigns/demo-campaign";
import { seedDemoCampaign } from "~/modules/campaigns/seed-demo-campaign.server";
import { createTestDatabase } from "../tests/support/db";
import { deletePrefix, freePort, SHARED_REDIS_URL, uniquePrefix } from "../tests/support/redis";
import type { BenchOutcome, Goal } from "./sign";

const ROOT = path.resolve(import.meta.dirname, "..");
const RUNS = Math.max(1, Number(process.env.STARTUP_RUNS) || 5);
const VIEWS = 200;

const WAYS = {
  compiled: ["build/web.js"],
  "tsx (before)": ["--import", "tsx", "server/index.ts"],
} as const;
type Way = keyof typeof WAYS;

interface Start {
  readyMs: number;
  rssReadyMb: number;
  rssAfterViewsMb: number;
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

async function startOnce(way: Way, env: Record<string, string>, slug: string): Promise<Start> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const began = performance.now();
  const child = spawn(process.execPath, [...WAYS[way]], {
    cwd: ROOT,
    env: { ...process.env, ...env, APP_URL: url, PORT: String(port) },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let err = "";
  child.stderr!.on("data", (d) => (err += d));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`web (${way}) exited with ${child.exitCode}: ${err}`);
      const ok = await fetch(`${url}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      if (performance.now() - began > 90_000) throw new Error(`web (${way}) did not start: ${err}`);
      await sleep(10);
    }
    const readyMs = performance.now() - began;
    const rssReadyMb = rssMb(child.pid!);
    for (let i = 0; i < VIEWS; i += 10) {
      await Promise.all(Array.from({ length: 10 }, () => fetch(`${url}/campaigns/${slug}`, { headers: { "accept-encoding": "br, gzip" } }).then((r) => r.arrayBuffer())));
    }
    return { readyMs, rssReadyMb, rssAfterViewsMb: rssMb(child.pid!) };
  } finally {
    child.kill("SIGTERM");
    await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once("exit", resolve)));
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (n: number, digits = 0) => n.toLocaleString("en-GB", { maximumFractionDigits: digits, minimumFractionDigits: digits });

export async function run(signal?: AbortSignal): Promise<BenchOutcome> {
  const prefix = uniquePrefix("benchstart");
  const testDb = await createTestDatabase("benchstart");
  try {
    await seedDemoCampaign(testDb.db);
    const slug = DEMO_CAMPAIGN.slug;
    const env = {
      NODE_ENV: "production",
      SESSION_SECRET: randomBytes(32).toString("base64url"),
      LOG_LEVEL: "warn",
      DATABASE_URL: testDb.url,
      REDIS_URL: SHARED_REDIS_URL,
      REDIS_PREFIX: prefix,
      PAGE_CACHE: "off",
    };
    const starts: Record<Way, Start[]> = { compiled: [], "tsx (before)": [] };
    console.log(`\nstartup: the web process, ${RUNS} starts each way, alternating; then ${VIEWS} rendered campaign pages`);
    for (let i = 0; i < RUNS && !signal?.aborted; i++) {
      for (const way of Object.keys(WAYS) as Way[]) starts[way].push(await startOnce(way, env, slug));
    }
    const summary = (way: Way) => ({
      readyMs: median(starts[way].map((s) => s.readyMs)),
      rssReadyMb: median(starts[way].map((s) => s.rssReadyMb)),
      rssAfterViewsMb: median(starts[way].map((s) => s.rssAfterViewsMb)),
    });
    const compiled = summary("compiled");
    const before = summary("tsx (before)");
    for (const [way, s] of [
      ["node build/web.js", compiled],
      ["tsx server/index.ts", before],
    ] as const) {
      console.log(`  ${way.padEnd(20)} ready in ${fmt(s.readyMs).padStart(6)} ms · RSS ${fmt(s.rssReadyMb)} MB when ready, ${fmt(s.rssAfterViewsMb)} MB after ${VIEWS} pages`);
    }
    console.log(`  compiled / tsx       start-up ${fmt((compiled.readyMs / before.readyMs) * 100, 1)} % · memory after pages ${fmt((compiled.rssAfterViewsMb / before.rssAfterViewsMb) * 100, 1)} %`);
    const goals: Goal[] = [
      { kind: "check", name: "compiled start-up", target: "< tsx's", actual: `${fmt(compiled.readyMs)} ms vs ${fmt(before.readyMs)} ms`, ok: compiled.readyMs < before.readyMs },
      { kind: "check", name: "compiled memory", target: "≤ tsx's", actual: `${fmt(compiled.rssAfterViewsMb)} MB vs ${fmt(before.rssAfterViewsMb)} MB`, ok: compiled.rssAfterViewsMb <= before.rssAfterViewsMb },
    ];
    return { name: "startup", goals, integrityOk: true };
  } finally {
    await testDb.drop().catch(() => undefined);
    await deletePrefix(prefix).catch(() => undefined);
  }
}
