/**
 * Fan-out benchmark: one update to BENCH_FANOUT_N (100,000) confirmed, opted-in signers, sent by the
 * real worker (in this process: relay → fan-out job → drain jobs → nodemailer pool) to a local SMTP
 * sink; and, in the same run, the same number of similar messages sent straight through a nodemailer
 * pool (5 connections, as the worker's) as the baseline.
 *
 * Self-contained: its own database, its own Redis prefix, its own SMTP sink, all removed at the end.
 * Traffic goes to 127.0.0.1 only. Tunables (environment): BENCH_FANOUT_N (100000),
 * BENCH_FANOUT_TIMEOUT_S (600: how long to wait for the worker before giving up).
 */
import type { AddressInfo } from "node:net";
import os from "node:os";
import { performance } from "node:perf_hooks";
import { sql } from "kysely";
import nodemailer from "nodemailer";
import { SMTPServer } from "smtp-server";
import { emailLayout, escapeHtml } from "~/mail/render";
import type { Actor } from "~/modules/access/actor.server";
import { createCampaign, reviewCampaign, submitForReview } from "~/modules/campaigns/manage-campaigns.server";
import { createOrganisation } from "~/modules/organisations/organisations.server";
import { createUpdate, requestUpdateFanOut } from "~/modules/updates/updates.server";
import { renderMarkdown } from "~/utils/markdown.server";
import { createTestDatabase } from "../tests/support/db";
import { deletePrefix, SHARED_REDIS_URL, uniquePrefix } from "../tests/support/redis";
import type { BenchOutcome, Goal } from "./sign";

const int = (name: string, fallback: number) => {
  const value = Number(process.env[name]);
  return Number.isInteger(value) && value > 0 ? value : fallback;
};

const N = int("BENCH_FANOUT_N", 100_000);
const TIMEOUT_MS = int("BENCH_FANOUT_TIMEOUT_S", 600) * 1000;
/** sendMail calls in flight in the baseline */
const BASELINE_IN_FLIGHT = 20;
const GOAL_RATE = 500;
const GOAL_RATIO = 0.7;
const APP_URL = "http://127.0.0.1:9"; // only written into the messages; nothing connects to it

const SUBJECT = "Bench update: the petition reached the ministry";
const BODY_MD = [
  "## What happened this week",
  "",
  "Thank you for signing. On Monday we delivered **all the signatures** to the ministry, together with a letter",
  "from the families affected. The minister's office has agreed to meet us in two weeks, and we will report back.",
  "",
  "- The delivery was covered by three newspapers and one television channel.",
  "- Two members of parliament have asked questions about the plan.",
  "- The consultation is open until the end of the month: [read it here](https://example.org/consultation).",
  "",
  "What you can do now: share the petition with two friends, and write to your own representative. A short,",
  "personal letter counts for more than a long one. We have put a few pointers on the campaign page.",
  "",
  "With thanks, the organisers",
].join("\n");

const cpuMs = (usage: NodeJS.CpuUsage) => (usage.user + usage.system) / 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fmt = (n: number, digits = 0) => n.toLocaleString("en-GB", { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** The update's recipients are bench-<n>@example.org (the baseline's base-<n>@example.org); anything else (an organiser's milestone notice) is not the update. */
const SIGNER_ADDRESS = /^(bench|base)-\d+@example\.org$/;

/**
 * An SMTP server that accepts every message, keeps none, and counts them per recipient. Messages to
 * other addresses than the signers' are counted apart (`others`): they are not part of the fan-out.
 */
async function startSmtpSink() {
  const state = { messages: 0, others: 0, recipients: new Map<string, number>() };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, session, callback) {
      stream.on("end", () => {
        const rcpts = session.envelope.rcptTo.map((r) => r.address);
        if (rcpts.length > 0 && rcpts.every((a) => !SIGNER_ADDRESS.test(a))) {
          state.others++;
          return callback();
        }
        state.messages++;
        for (const address of rcpts) state.recipients.set(address, (state.recipients.get(address) ?? 0) + 1);
        callback();
      });
      stream.resume();
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    state,
    reset() {
      state.messages = 0;
      state.others = 0;
      state.recipients = new Map();
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * A message like the worker's (same layout, body and headers), for the baseline. The body is
 * rendered once, as the worker renders it once per language: the baseline is nodemailer's own
 * cost per message, not Markdown's.
 */
const baselineParts = (() => {
  const TOKEN = "\u0000token\u0000";
  const unsubscribeUrl = `${APP_URL}/unsubscribe/${TOKEN}`;
  const why = "You receive this because you signed “Convene the CFM” and asked for updates.";
  const text = [BODY_MD, "", "--", why, "Unsubscribe:", unsubscribeUrl].join("\n");
  const html = emailLayout({
    lang: "en",
    dir: "ltr",
    title: SUBJECT,
    body: `${renderMarkdown(BODY_MD, { headingOffset: 1 })}
<hr style="border:none;border-top:1px solid #e2ddd5">
<p style="font-size:12px;color:#7a746c">${escapeHtml(why)}<br>Unsubscribe: <a href="${escapeHtml(unsubscribeUrl)}">${escapeHtml(unsubscribeUrl)}</a></p>`,
  });
  return { text: text.split(TOKEN), html: html.split(TOKEN), unsubscribeUrl: unsubscribeUrl.split(TOKEN) };
})();

function baselineMessage(n: number) {
  const token = `bench-token-${n.toString().padStart(37, "0")}`;
  const unsubscribeUrl = baselineParts.unsubscribeUrl.join(token);
  return {
    from: "Banner bench <bench@localhost>",
    to: `base-${n}@example.org`,
    subject: SUBJECT,
    html: baselineParts.html.join(token),
    text: baselineParts.text.join(token),
    headers: { "List-Unsubscribe": `<${unsubscribeUrl}>`, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" },
  };
}

async function runBaseline(port: number, count: number, aborted: () => boolean): Promise<{ elapsedMs: number; errors: number }> {
  const transport = nodemailer.createTransport({ host: "127.0.0.1", port, secure: false, ignoreTLS: true, pool: true, maxConnections: 5, maxMessages: Infinity });
  let next = 0;
  let errors = 0;
  const started = performance.now();
  try {
    await Promise.all(
      Array.from({ length: BASELINE_IN_FLIGHT }, async () => {
        while (next < count && !aborted()) {
          const n = next++;
          try {
            await transport.sendMail(baselineMessage(n));
          } catch {
            errors++;
          }
        }
      }),
    );
    return { elapsedMs: performance.now() - started, errors };
  } finally {
    transport.close();
  }
}

export async function run(signal?: AbortSignal): Promise<BenchOutcome> {
  const cleanups: { label: string; fn: () => Promise<unknown> }[] = [];
  const defer = (label: string, fn: () => Promise<unknown>) => cleanups.push({ label, fn });
  const aborted = () => signal?.aborted ?? false;
  const checkAborted = () => {
    if (aborted()) throw new Error("aborted");
  };
  const t0 = performance.now();
  const step = (text: string) => console.log(`  [${fmt((performance.now() - t0) / 1000, 1).padStart(5)} s] ${text}`);

  try {
    console.log(
      `\n== fan-out on ${os.cpus().length} cores (load average ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}), Node ${process.version}`,
    );
    console.log(`   ${fmt(N)} recipients; worker: 4 drains, SMTP pool of 5; baseline: nodemailer pool of 5, ${BASELINE_IN_FLIGHT} sendMail in flight`);

    // 1. A database, a Redis prefix, an organisation with a published campaign and N signers.
    const testDb = await createTestDatabase("benchfanout");
    defer("drop database", () => testDb.drop());
    const prefix = uniquePrefix("bench-fanout");
    defer("delete redis prefix", () => deletePrefix(prefix));
    const db = testDb.db;
    const user = (label: string, role: "user" | "admin"): Promise<Actor> => {
      const email = `${label}@bench.example.org`;
      return db
        .insertInto("users")
        .values({ email, email_normalized: email, display_name: label, password_hash: "scrypt$x", email_confirmed_at: new Date(), role })
        .returning(["id", "email", "role"])
        .executeTakeFirstOrThrow();
    };
    const owner = await user("owner", "user");
    const admin = await user("admin", "admin");
    const org = await createOrganisation(db, owner, { name: "Bench org", slug: "bench-org" });
    const { id: campaignId } = await createCampaign(db, owner, org.slug, {
      slug: "bench-fan-out",
      title: "Convene the CFM",
      summary: "s",
      ask: "a",
      addressedTo: "OIC",
      argumentMd: "b",
      goal: 100,
      deadline: null,
      targets: [],
    });
    await submitForReview(db, owner, campaignId);
    await reviewCampaign(db, admin, campaignId, { decision: "publish", note: null });
    await sql`
      INSERT INTO signatures (campaign_id, status, name, email, email_normalized, country, public_name, opt_in, consent_version, locale, confirmed_at)
      SELECT ${campaignId}, 'confirmed', 'Bench ' || n, 'bench-' || n || '@example.org', 'bench-' || n || '@example.org', 'PK', false, true, 'x', 'en', now()
      FROM generate_series(1, ${N}::int) AS n`.execute(db);
    await sql`ANALYZE signatures`.execute(db);
    // Whatever the setup queued (e.g. review notices) is not what this measures.
    await db.deleteFrom("outbox").execute();
    step(`database ${testDb.name}, redis prefix ${prefix}, ${fmt(N)} confirmed signers`);

    // 2. The SMTP sink; the baseline first (it also warms the sink up).
    const smtp = await startSmtpSink();
    defer("stop smtp sink", () => smtp.close());
    // CPU time of this process (sender and sink alike) per phase: on a shared machine the wall
    // clock of two phases run one after the other can see very different loads; CPU per message
    // moves much less.
    const baseCpu = process.cpuUsage();
    const base = await runBaseline(smtp.port, N, aborted);
    const baseCpuMs = cpuMs(process.cpuUsage(baseCpu));
    checkAborted();
    const baseDelivered = smtp.state.messages;
    const baseRate = (baseDelivered / base.elapsedMs) * 1000;
    step(`baseline: ${fmt(baseDelivered)} messages in ${fmt(base.elapsedMs / 1000, 2)} s (${fmt(baseRate)}/s, ${fmt(base.errors)} errors)`);
    smtp.reset();

    // 3. The worker, in this process, and the update.
    const { startWorker } = await import("../workers/worker");
    const worker = await startWorker({
      databaseUrl: testDb.url,
      redisUrl: SHARED_REDIS_URL,
      redisPrefix: prefix,
      smtpUrl: smtp.url,
      mailFrom: "Banner bench <bench@localhost>",
      appUrl: APP_URL,
      relayIntervalMs: 50,
      updateSendRate: 100_000,
    });
    defer("stop worker", () => worker.stop());
    const { id: updateId } = await createUpdate(db, owner, campaignId, { subject: SUBJECT, bodyMd: BODY_MD, countries: null });
    step("worker started, update created; requesting the fan-out");

    const started = performance.now();
    const workerCpu = process.cpuUsage();
    await requestUpdateFanOut(db, owner, updateId);
    let status = "sending";
    let lastReport = started;
    let timedOut = false;
    for (;;) {
      checkAborted();
      // The database only once the sink has them all: polling it all along would load the worker's
      // process (and its Postgres) with the bench's own queries.
      if (smtp.state.messages >= N) {
        status = (await db.selectFrom("updates").select("status").where("id", "=", updateId).executeTakeFirstOrThrow()).status;
        if (status === "sent") break;
      }
      const now = performance.now();
      if (now - started > TIMEOUT_MS) {
        timedOut = true;
        break;
      }
      if (now - lastReport >= 10_000) {
        lastReport = now;
        const rate = (smtp.state.messages / (now - started)) * 1000;
        step(`worker: ${fmt(smtp.state.messages)} of ${fmt(N)} at the sink (${fmt(rate)}/s so far, status ${status})`);
      }
      await sleep(20);
    }
    const workerMs = performance.now() - started;
    const workerCpuMs = cpuMs(process.cpuUsage(workerCpu));
    const delivered = smtp.state.messages;
    const workerRate = (delivered / workerMs) * 1000;
    step(
      timedOut
        ? `worker: gave up after ${fmt(TIMEOUT_MS / 1000)} s with ${fmt(delivered)} of ${fmt(N)} delivered (status ${status})`
        : `worker: ${fmt(delivered)} messages in ${fmt(workerMs / 1000, 2)} s (${fmt(workerRate)}/s)`,
    );
    if (workerMs > 120_000) console.log(`  Note: the worker took ${fmt(workerMs / 1000)} s for ${fmt(N)} messages (over 2 minutes).`);

    // 4. Exactly once: every delivery row sent, every recipient got one message, nobody two.
    await sleep(200); // let any straggler arrive at the sink before counting
    const rows = await db
      .selectFrom("update_deliveries")
      .select(["status", sql<number>`count(*)::int`.as("n")])
      .where("update_id", "=", updateId)
      .groupBy("status")
      .execute();
    const byStatus: Record<string, number> = Object.fromEntries(rows.map((r) => [r.status, r.n]));
    const sentRows = byStatus.sent ?? 0;
    const totalRows = rows.reduce((sum, r) => sum + r.n, 0);
    const distinct = smtp.state.recipients.size;
    const twice = [...smtp.state.recipients.values()].filter((c) => c > 1).length;
    const exactlyN = smtp.state.messages === N && distinct === N && sentRows === N && totalRows === N;
    const noneTwice = twice === 0 && smtp.state.messages === distinct;
    const ratio = workerRate / baseRate;

    const lines: [string, string][] = [
      ["worker", `${fmt(workerRate)} messages/s  (${fmt(delivered)} in ${fmt(workerMs / 1000, 2)} s, from requestUpdateFanOut to status 'sent')`],
      ["nodemailer baseline", `${fmt(baseRate)} messages/s  (${fmt(baseDelivered)} in ${fmt(base.elapsedMs / 1000, 2)} s, ${fmt(base.errors)} errors)`],
      ["worker / baseline", `${fmt(ratio * 100, 1)} %`],
      [
        "CPU per message",
        `worker ${fmt(workerCpuMs / Math.max(1, delivered), 2)} ms, baseline ${fmt(baseCpuMs / Math.max(1, baseDelivered), 2)} ms (this process; the worker's Postgres work is not counted): baseline / worker ${fmt((baseCpuMs / Math.max(1, baseDelivered) / (workerCpuMs / Math.max(1, delivered))) * 100, 1)} %`,
      ],
      [
        "deliveries",
        `${Object.entries(byStatus)
          .map(([s, n]) => `${s} ${fmt(n)}`)
          .join(" · ")} · at the sink ${fmt(smtp.state.messages)} messages to ${fmt(distinct)} addresses, ${fmt(twice)} twice`,
      ],
      ["other messages", `${fmt(smtp.state.others)} (not to signers: e.g. the organiser's goal-milestone notice)`],
    ];
    const width = Math.max(...lines.map(([k]) => k.length));
    console.log("\n  fan-out benchmark");
    for (const [k, v] of lines) console.log(`  ${k.padEnd(width)}  ${v}`);

    const goals: Goal[] = [
      { kind: "goal", name: "messages/s", target: `≥ ${fmt(GOAL_RATE)}`, actual: fmt(workerRate), ok: !timedOut && workerRate >= GOAL_RATE },
      { kind: "goal", name: "worker / base", target: `≥ ${GOAL_RATIO * 100} %`, actual: `${fmt(ratio * 100, 1)} %`, ok: !timedOut && ratio >= GOAL_RATIO },
      { kind: "check", name: "exactly N sent", target: `= ${fmt(N)}`, actual: `${fmt(smtp.state.messages)} / ${fmt(sentRows)} rows`, ok: exactlyN },
      { kind: "check", name: "none twice", target: "0", actual: fmt(twice), ok: noneTwice },
      { kind: "check", name: "baseline", target: `= ${fmt(N)}, 0 errors`, actual: `${fmt(baseDelivered)}, ${fmt(base.errors)}`, ok: baseDelivered === N && base.errors === 0 },
    ];
    return { name: "fan-out", goals, integrityOk: exactlyN && noneTwice };
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
