/**
 * Export benchmark: BENCH_EXPORT_N (1,000,000) confirmed signatures exported to CSV through
 * Banner's own path (the worker's use case, in this process: COPY … TO STDOUT → gzip → ~1 MB
 * chunks in PostgreSQL), and, in the same run, `psql -c "\copy (…) to 'file'"` of the same
 * SELECT as the baseline. While Banner's export runs, a web server started for the purpose is
 * asked for /healthz and the campaign page, to show it keeps answering.
 *
 * Self-contained: its own database and Redis prefix, removed at the end. Traffic goes to
 * 127.0.0.1 only. Tunables (environment): BENCH_EXPORT_N (1000000).
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { sql } from "kysely";
import type { Actor } from "~/modules/access/actor.server";
import { commitSessionCookie } from "~/modules/accounts/session-cookie.server";
import { createSession } from "~/modules/accounts/sessions.server";
import { createOrganisation } from "~/modules/organisations/organisations.server";
import { requestExport } from "~/modules/exports/request-export.server";
import { runExport } from "~/modules/exports/run-export.server";
import { signatureExportSelect } from "~/modules/exports/signature-rows.server";
import { createTestDatabase } from "../tests/support/db";
import { deletePrefix, uniquePrefix } from "../tests/support/redis";
import { startWeb } from "../tests/support/web";
import type { BenchOutcome, Goal } from "./sign";

const int = (name: string, fallback: number) => {
  const value = Number(process.env[name]);
  return Number.isInteger(value) && value > 0 ? value : fallback;
};

const N = int("BENCH_EXPORT_N", 1_000_000);
const GOAL_RATIO = 1.5;
const GOAL_RSS_MB = 100;
const PROBE_EVERY_MS = 250;

const fmt = (n: number, digits = 0) => n.toLocaleString("en-GB", { minimumFractionDigits: digits, maximumFractionDigits: digits });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mb = (bytes: number) => bytes / (1024 * 1024);

/** psql's \copy of `select` into `file`; resolves with COPY's row count and the time it took. */
function psqlCopy(url: string, select: string, file: string): Promise<{ rows: number; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    // \copy must be on one line.
    const command = `\\copy (${select.replace(/\s+/g, " ")}) to '${file}' with (format csv)`;
    const child = spawn("psql", [url, "-X", "-v", "ON_ERROR_STOP=1", "-c", command], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("error", reject);
    child.on("exit", (code) => {
      const ms = performance.now() - started;
      const match = /COPY (\d+)/.exec(out);
      if (code !== 0 || !match) return reject(new Error(`psql failed (${code}): ${out}`));
      resolve({ rows: Number(match[1]), ms });
    });
  });
}

/** Samples this process's resident set size until stopped; returns the peak. */
function watchRss(everyMs = 20) {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), everyMs);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage().rss);
    },
  };
}

/** Times GET requests to `paths` in turn until stopped. */
function probeWeb(baseUrl: string, paths: string[]) {
  const samples: { path: string; ms: number; status: number }[] = [];
  let running = true;
  const loop = (async () => {
    for (let i = 0; running; i++) {
      const path = paths[i % paths.length]!;
      const started = performance.now();
      let status: number;
      try {
        const res = await fetch(`${baseUrl}${path}`, { signal: AbortSignal.timeout(10_000) });
        await res.arrayBuffer();
        status = res.status;
      } catch {
        status = 0; // no answer within 10 s
      }
      samples.push({ path, ms: performance.now() - started, status });
      await sleep(PROBE_EVERY_MS);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return samples;
    },
  };
}

const percentile = (values: number[], p: number) => {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};

export async function run(signal?: AbortSignal): Promise<BenchOutcome> {
  const cleanups: { label: string; fn: () => Promise<unknown> }[] = [];
  const defer = (label: string, fn: () => Promise<unknown>) => cleanups.push({ label, fn });
  const checkAborted = () => {
    if (signal?.aborted) throw new Error("aborted");
  };
  const t0 = performance.now();
  const step = (text: string) => console.log(`  [${fmt((performance.now() - t0) / 1000, 1).padStart(5)} s] ${text}`);

  try {
    console.log(`\n== export on ${os.cpus().length} cores (load average ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}), Node ${process.version}`);
    console.log(`   ${fmt(N)} confirmed signatures to CSV; baseline: psql \\copy of the same SELECT to a file`);

    const testDb = await createTestDatabase("benchexport");
    defer("drop database", () => testDb.drop());
    const prefix = uniquePrefix("bench-export");
    defer("delete redis prefix", () => deletePrefix(prefix));
    const tmp = await mkdtemp(path.join(os.tmpdir(), "banner-bench-export-"));
    defer("remove temporary files", () => rm(tmp, { recursive: true, force: true }));
    const db = testDb.db;

    const email = "owner@bench.example.org";
    const owner: Actor = await db
      .insertInto("users")
      .values({ email, email_normalized: email, display_name: "Owner", password_hash: "scrypt$x", email_confirmed_at: new Date() })
      .returning(["id", "email", "role"])
      .executeTakeFirstOrThrow();
    const org = await createOrganisation(db, owner, { name: "Bench org", slug: "bench-org" });
    const partnerOrg = await createOrganisation(db, owner, { name: "Partner org", slug: "partner-org" });
    const campaign = await db
      .insertInto("campaigns")
      .values({ slug: "bench-export", title: "Convene the CFM", summary: "s", ask: "a", addressed_to: "OIC", argument_md: "b", goal: N, status: "published", locale: "en", organisation_id: org.id, published_at: sql`now()` })
      .returning(["id", "slug"])
      .executeTakeFirstOrThrow();
    const partner = await db
      .insertInto("campaign_partners")
      .values({ campaign_id: campaign.id, organisation_id: partnerOrg.id, share_code: "benchpartner", status: "accepted" })
      .returning("id")
      .executeTakeFirstOrThrow();
    // Rows like real ones: a tenth with a comment (some needing quotes), some from the partner.
    await sql`
      INSERT INTO signatures (campaign_id, status, name, email, email_normalized, country, postal_code, comment, public_name, opt_in,
                              consent_version, locale, confirmed_at, partner_id, opt_in_partner, consent_purposes)
      SELECT ${campaign.id}, 'confirmed', 'Bench Signer ' || n, 'bench-' || n || '@example.org', 'bench-' || n || '@example.org',
             (ARRAY['PK','MY','TR','GB','ID','SA','EG','NG'])[1 + n % 8], CASE WHEN n % 3 = 0 THEN lpad((n % 99999)::text, 5, '0') END,
             CASE WHEN n % 10 = 0 THEN 'I sign because the meeting is overdue, "and it matters".' END, false, n % 2 = 0,
             '2026-11', (ARRAY['en','ur','ar','ms','tr'])[1 + n % 5], now() - make_interval(secs => n),
             CASE WHEN n % 5 = 0 THEN ${partner.id}::bigint END, n % 5 = 0,
             CASE WHEN n % 2 = 0 THEN '{petition,updates:host}'::text[] ELSE '{petition}'::text[] END
      FROM generate_series(1, ${N}::int) AS n`.execute(db);
    await sql`ANALYZE signatures`.execute(db);
    step(`database ${testDb.name}: ${fmt(N)} confirmed signatures`);
    checkAborted();

    // The baseline, twice around a warm-up, keeping the faster run: the table is then in cache for both.
    const select = signatureExportSelect(campaign.id, null);
    const baselineFile = path.join(tmp, "baseline.csv");
    await psqlCopy(testDb.url, select, baselineFile);
    const base = await psqlCopy(testDb.url, select, baselineFile);
    const baseBytes = (await stat(baselineFile)).size;
    step(`baseline: psql \\copy ${fmt(base.rows)} rows in ${fmt(base.ms / 1000, 2)} s (${fmt(mb(baseBytes), 1)} MB)`);
    checkAborted();

    // A web server of the app's own, asked for pages while the export runs.
    // On a busy machine tsx takes a while to load the server: give it two minutes.
    const web = await startWeb({ DATABASE_URL: testDb.url, REDIS_PREFIX: prefix }, { startTimeoutMs: 120_000 });
    defer("stop web", () => web.stop());
    for (let i = 0; i < 5; i++) await fetch(`${web.url}/campaigns/${campaign.slug}`).then((r) => r.arrayBuffer());
    step(`web server on ${web.url}`);

    // Banner's path: the request (count in a snapshot, then a job), then the worker's use case here.
    const requested = await requestExport(db, owner, campaign.id, { kind: "signatures" }, { streamMaxRows: 10_000, linkTtlHours: 1, bom: false });
    if (requested.kind !== "job") throw new Error("expected a job for a large export");
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    const rss = watchRss();
    const probe = probeWeb(web.url, ["/healthz", `/campaigns/${campaign.slug}`]);
    const started = performance.now();
    await runExport(db, requested.exportId);
    const exportMs = performance.now() - started;
    const samples = await probe.stop();
    const rssPeak = rss.stop();
    const written = await db.selectFrom("exports").select(["status", "rows_done", "byte_size"]).where("id", "=", requested.exportId).executeTakeFirstOrThrow();
    step(`banner: ${fmt(written.rows_done)} rows in ${fmt(exportMs / 1000, 2)} s, stored ${fmt(mb(written.byte_size ?? 0), 1)} MB gzip in PostgreSQL`);

    // And the file back out through the web server, as an organiser's browser without gzip would get it.
    const cookie = (await commitSessionCookie(await createSession(db, owner.id))).split(";")[0]!;
    const downloadStarted = performance.now();
    const download = await fetch(`${web.url}/exports/${requested.token}/file`, { headers: { Cookie: cookie, "Accept-Encoding": "identity" } });
    let downloadBytes = 0;
    let downloadLines = 0;
    for await (const chunk of download.body as unknown as AsyncIterable<Uint8Array>) {
      downloadBytes += chunk.length;
      for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) downloadLines++;
    }
    const downloadMs = performance.now() - downloadStarted;
    step(`download through the web server: ${fmt(mb(downloadBytes), 1)} MB, ${fmt(downloadLines)} lines in ${fmt(downloadMs / 1000, 2)} s (status ${download.status})`);

    const ratio = exportMs / base.ms;
    const rssGrowth = mb(rssPeak - rssBefore);
    const ok = samples.filter((s) => s.status === 200);
    const latencies = ok.map((s) => s.ms);
    // The CSV is the header plus one line per row (the bench's comments hold no line breaks).
    const sameRows = written.status === "done" && written.rows_done === N && base.rows === N && downloadLines === N + 1 && downloadBytes === baseBytes + "name,email,country,postal_code,comment,confirmed_at,language,ask_version,partner,consent_version,consent_purposes\n".length;

    const lines: [string, string][] = [
      ["banner export", `${fmt((N / exportMs) * 1000)} rows/s  (${fmt(N)} in ${fmt(exportMs / 1000, 2)} s: COPY → gzip → chunks in PostgreSQL)`],
      ["psql \\copy baseline", `${fmt((base.rows / base.ms) * 1000)} rows/s  (${fmt(base.rows)} in ${fmt(base.ms / 1000, 2)} s to a file)`],
      ["time ratio", `${fmt(ratio, 2)} × the baseline's time`],
      ["peak RSS growth", `${fmt(rssGrowth, 1)} MB  (rss ${fmt(mb(rssBefore))} → peak ${fmt(mb(rssPeak))} MB)`],
      ["web during export", `${ok.length}/${samples.length} answered 200; median ${fmt(percentile(latencies, 50), 1)} ms, p95 ${fmt(percentile(latencies, 95), 1)} ms, max ${fmt(Math.max(...latencies), 1)} ms`],
      ["download", `${fmt(mb(downloadBytes), 1)} MB in ${fmt(downloadMs / 1000, 2)} s (${fmt(((downloadLines - 1) / downloadMs) * 1000)} rows/s)`],
    ];
    const width = Math.max(...lines.map(([k]) => k.length));
    console.log("\n  export benchmark");
    for (const [k, v] of lines) console.log(`  ${k.padEnd(width)}  ${v}`);

    const goals: Goal[] = [
      { kind: "goal", name: "time / baseline", target: `≤ ${GOAL_RATIO} ×`, actual: `${fmt(ratio, 2)} ×`, ok: ratio <= GOAL_RATIO },
      { kind: "goal", name: "RSS growth", target: `≤ ${GOAL_RSS_MB} MB`, actual: `${fmt(rssGrowth, 1)} MB`, ok: rssGrowth <= GOAL_RSS_MB },
      { kind: "check", name: "web answered", target: "all 200", actual: `${ok.length}/${samples.length}`, ok: samples.length > 0 && ok.length === samples.length },
      { kind: "check", name: "same rows", target: `= ${fmt(N)}`, actual: `${fmt(written.rows_done)} / ${fmt(base.rows)} / ${fmt(downloadLines - 1)}`, ok: sameRows },
    ];
    return { name: "export", goals, integrityOk: sameRows };
  } finally {
    step("cleaning up");
    for (const { label, fn } of cleanups.reverse()) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error("timed out after 15 s")), 15_000)));
      await Promise.race([fn(), timeout])
        .catch((error) => console.error(`  cleanup "${label}" failed: ${String(error)}`))
        .finally(() => clearTimeout(timer));
    }
  }
}
