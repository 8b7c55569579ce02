import { spawn, type ChildProcess } from "node:child_process";
import { createCookie } from "@remix-run/node";
import { Queue } from "bullmq";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRedisClient, queuePrefix, redisTarget, parseClusterNodes } from "~/jobs/redis.server";
import { createSession } from "~/modules/accounts/sessions.server";
import { createCampaign as createOrgCampaign, reviewCampaign, submitForReview } from "~/modules/campaigns/manage-campaigns.server";
import { createOrganisation } from "~/modules/organisations/organisations.server";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { createTestUser, eventually } from "../support/fixtures";
import { scrapeMetrics } from "../support/metrics";
import { freePort } from "../support/redis";
import { startSmtpServer, tokenOf, verificationLink, type TestSmtpServer } from "../support/smtp";
import { postForm, startWeb, workerEntry, type RunningProcess } from "../support/web";
import { clusterKeys, ROOT, startNginx, startPgBouncer, startRedisCluster, type Nginx, type PgBouncer, type RedisClusterEngines } from "./engines";

/**
 * The production shape on one machine: nginx (deploy/nginx.conf) in front of two web processes,
 * two worker processes, PgBouncer in transaction pooling in front of Postgres, a three-master
 * Redis Cluster and an SMTP server. A signer's whole path runs through nginx; then an update
 * fans out and an export is written. Counts must be exact and no email may arrive twice.
 */

const SESSION_SECRET = "topology-session-secret-of-32-chars-or-more";
const PREFIX = "topo";
const SIGNERS = 24;

let t: TestDatabase;
let bouncer: PgBouncer;
let cluster: RedisClusterEngines;
let smtp: TestSmtpServer;
let nginx: Nginx;
const webs: RunningProcess[] = [];
const workers: { child: ChildProcess; output: () => string }[] = [];

function startWorkerProcess(env: Record<string, string>) {
  const child = spawn(process.execPath, workerEntry(), {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: "test", LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d) => (out = (out + d).slice(-20_000)));
  child.stderr!.on("data", (d) => (out = (out + d).slice(-20_000)));
  return { child, output: () => out };
}

async function stopProcess(child: ChildProcess) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const closed = new Promise((r) => child.once("close", r));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await closed;
  clearTimeout(timer);
}

beforeAll(async () => {
  t = await createTestDatabase("scale");
  [bouncer, cluster, smtp] = await Promise.all([startPgBouncer({ poolSize: 4 }), startRedisCluster(), startSmtpServer()]);
  const nginxPort = await freePort();
  const appUrl = `http://127.0.0.1:${nginxPort}`;
  const shared = {
    DATABASE_URL: bouncer.url(t.name),
    DATABASE_DIRECT_URL: t.url,
    REDIS_CLUSTER_NODES: cluster.nodes,
    REDIS_URL: "redis://127.0.0.1:1", // never used: the cluster wins
    REDIS_PREFIX: PREFIX,
    SMTP_URL: smtp.url,
    APP_URL: appUrl,
    SESSION_SECRET,
    UPDATE_SEND_RATE: "1000",
    EXPORT_STREAM_MAX_ROWS: "0", // every export becomes a worker job
  };
  const started = await Promise.all([
    startWeb({ ...shared, TRUSTED_PROXIES: "127.0.0.1" }, { startTimeoutMs: 60_000 }),
    startWeb({ ...shared, TRUSTED_PROXIES: "127.0.0.1" }, { startTimeoutMs: 60_000 }),
  ]);
  webs.push(...started);
  workers.push(startWorkerProcess(shared), startWorkerProcess(shared));
  nginx = await startNginx(webs.map((w) => `127.0.0.1:${w.port}`), nginxPort);
});

afterAll(async () => {
  await Promise.allSettled([...webs.map((w) => w.stop()), ...workers.map((w) => stopProcess(w.child))]);
  await Promise.allSettled([nginx?.stop(), smtp?.close()]);
  await t?.drop();
  await Promise.allSettled([bouncer?.stop(), cluster?.stop()]);
});

async function sessionCookie(userId: number): Promise<string> {
  const token = await createSession(t.db, userId);
  const header = await createCookie("banner_session", { secrets: [SESSION_SECRET] }).serialize(token);
  return header.split(";")[0]!;
}

const diagnostics = () =>
  [...webs.map((w, i) => `web ${i}:\n${w.output().slice(-2_000)}`), ...workers.map((w, i) => `worker ${i}:\n${w.output().slice(-2_000)}`)].join("\n");

describe("two web and two worker processes behind nginx, on PgBouncer and a Redis Cluster", () => {
  it("sign → email → confirm → count → update → export, exactly once each", async () => {
    // An organisation with a published campaign.
    const owner = await createTestUser(t.db, "user", "owner");
    const admin = await createTestUser(t.db, "admin");
    const org = await createOrganisation(t.db, owner, { name: "Topology", slug: "topology" });
    const slug = "scale-out";
    const { id: campaignId } = await createOrgCampaign(t.db, owner, org.slug, {
      slug, title: "Scale out", summary: "s", ask: "a", addressedTo: "OIC", argumentMd: "b", goal: 100, deadline: null, targets: [],
    });
    await submitForReview(t.db, owner, campaignId);
    await reviewCampaign(t.db, admin, campaignId, { decision: "publish", note: null });
    const cookie = await sessionCookie(owner.id);

    // Ready means Postgres (through PgBouncer) and the Redis Cluster both answer.
    for (const web of webs) expect((await fetch(`${web.url}/readyz`)).status, web.output()).toBe(200);

    // The public page through nginx: the second request comes from nginx's cache.
    const page = await fetch(`${nginx.url}/campaigns/${slug}`);
    expect(page.status, diagnostics()).toBe(200);
    await page.arrayBuffer();
    const again = await fetch(`${nginx.url}/campaigns/${slug}`);
    await again.arrayBuffer();
    expect(again.headers.get("x-cache-status")).toBe("HIT");
    // A signed-in request is never answered from, nor stored in, the cache.
    const signedIn = await fetch(`${nginx.url}/campaigns/${slug}`, { headers: { Cookie: cookie } });
    await signedIn.arrayBuffer();
    expect(signedIn.headers.get("x-cache-status")).toBe("BYPASS");

    // Sign through nginx, all at once, spread over both web processes.
    const emails = Array.from({ length: SIGNERS }, (_, i) => `scale-${i}@example.org`);
    const signed = await Promise.all(
      emails.map((email, i) =>
        postForm(`${nginx.url}/campaigns/${slug}`, { name: `Signer ${i}`, email, country: i % 2 ? "PK" : "MY", consent: "on", ...(i % 2 ? { optIn: "on" } : {}) }),
      ),
    );
    expect(signed.map((r) => r.status).filter((s) => s >= 400), diagnostics()).toEqual([]);
    const addresses = await t.db.selectFrom("signatures").select(sql<string>`host(ip_address)`.as("ip")).where("campaign_id", "=", campaignId).execute();
    expect(addresses.map((a) => a.ip)).toEqual(emails.map(() => "127.0.0.1")); // X-Forwarded-For believed from nginx

    // One verification email each; confirm each through nginx.
    const tokens = await Promise.all(emails.map(async (email) => tokenOf(verificationLink(await smtp.waitFor((m) => m.to.includes(email), 30_000)))));
    const confirmed = await Promise.all(tokens.map((token) => postForm(`${nginx.url}/verify/${token}`, { intent: "confirm" })));
    expect(confirmed.map((r) => r.status).filter((s) => s >= 400)).toEqual([]);

    // The count API through nginx settles on the exact number.
    const api = await eventually(
      async () => {
        const body = (await (await fetch(`${nginx.url}/api/v1/campaigns/${slug}`)).json()) as { signatureCount: number; countries?: unknown };
        return body.signatureCount === SIGNERS ? body : undefined;
      },
      30_000,
      "the count to reach every signer",
    );
    expect(api.signatureCount).toBe(SIGNERS);

    // An update to the opted-in half, written and sent by the organiser through nginx.
    const subject = "Both workers, one email each";
    const composed = await postForm(`${nginx.url}/dashboard/campaigns/${campaignId}/updates/new`, { subject, bodyMd: "We are **past** the first step." }, { headers: { Cookie: cookie } });
    expect(composed.status, diagnostics()).toBe(303);
    const updatePage = composed.headers.get("location")!;
    const optedIn = emails.filter((_, i) => i % 2);
    // Sending asks once more, naming the number of recipients; the second press carries it.
    const sent = await postForm(`${nginx.url}${updatePage}`, { intent: "send", recipients: String(optedIn.length) }, { headers: { Cookie: cookie } });
    expect(sent.status).toBeLessThan(400);
    await eventually(async () => smtp.messages.filter((m) => m.subject === subject).length >= optedIn.length, 30_000, "the update to reach every opted-in signer");

    // An export, written by one of the two workers, once.
    const asked = await postForm(`${nginx.url}/dashboard/campaigns/${campaignId}/exports/signatures`, { scope: "signatures" }, { headers: { Cookie: cookie } });
    expect(asked.status, `${await asked.text()}\n${diagnostics()}`).toBe(303);
    const exportPage = asked.headers.get("location")!;
    await eventually(
      async () => (await (await fetch(`${nginx.url}${exportPage}`, { headers: { Cookie: cookie } })).text()).includes('data-testid="export-download"'),
      30_000,
      "the export to finish",
    );
    const file = await fetch(`${nginx.url}${exportPage}/file`, { headers: { Cookie: cookie, "Accept-Encoding": "identity" } });
    expect(file.status).toBe(200);
    expect(file.headers.get("x-cache-status")).toBe("BYPASS");
    expect((await file.text()).trim().split("\n")).toHaveLength(SIGNERS + 1);

    // Give a duplicate time to show up, then count everything once more.
    await new Promise((r) => setTimeout(r, 1_500));
    const perMessage = new Map<string, number>();
    for (const m of smtp.messages) perMessage.set(`${m.to} | ${m.subject}`, (perMessage.get(`${m.to} | ${m.subject}`) ?? 0) + 1);
    expect([...perMessage].filter(([, n]) => n > 1)).toEqual([]);
    expect(smtp.messages.filter((m) => m.subject === subject).map((m) => m.to).sort()).toEqual([...optedIn].sort());
    expect(smtp.messages).toHaveLength(SIGNERS + optedIn.length);

    const audit = await t.db.selectFrom("audit_log").select(sql<number>`count(*)::int`.as("n")).where("campaign_id", "=", campaignId).where("action", "=", "export.signatures").executeTakeFirstOrThrow();
    expect(audit.n).toBe(1);
    const exportRows = await t.db.selectFrom("exports").select(["status", "rows_done"]).where("campaign_id", "=", campaignId).execute();
    expect(exportRows).toEqual([{ status: "done", rows_done: SIGNERS }]);
    const counts = await t.db.selectFrom("campaign_counts").select("confirmed").where("campaign_id", "=", campaignId).executeTakeFirstOrThrow();
    expect(counts.confirmed).toBe(SIGNERS);

    // Every queue key lives under the hash-tagged prefix, and each schedule exists once however
    // many workers set it up.
    const keys = await clusterKeys(cluster.ports);
    expect(keys.length).toBeGreaterThan(0);
    // Rate-limit counters and worker heartbeats are single keys, so they need no hash tag.
    expect(keys.filter((k) => !k.startsWith(`{${PREFIX}}:`) && !k.startsWith(`${PREFIX}:ratelimit:`) && !k.startsWith(`${PREFIX}:heartbeat:`))).toEqual([]);
    // Signing's limits (per address and per email domain, keys in different slots) and
    // confirming's ran on the cluster: each kind has its counters, and no web process failed to
    // count one. (One that took longer than the budget on a loaded machine is let through by
    // design; Redis still counts it.)
    for (const rule of ["sign-ip", "sign-domain", "verify-token"]) {
      expect(keys.filter((k) => k.startsWith(`${PREFIX}:ratelimit:${rule}-`)).length, `${rule} counters in ${keys.join(" ")}\n${diagnostics()}`).toBeGreaterThan(0);
    }
    for (const web of webs) {
      const failed = [...(await scrapeMetrics(web.url))].filter(([series]) => series.startsWith("banner_rate_limit_skipped_total{") && series.includes(`reason="error"`));
      expect(failed, web.output()).toEqual([]);
    }
    const target = redisTarget({ REDIS_URL: "redis://unused", REDIS_CLUSTER_NODES: parseClusterNodes(cluster.nodes)! });
    const connection = createRedisClient(target, { maxRetriesPerRequest: 1 });
    const counts_ = new Queue("counts", { connection, prefix: queuePrefix(target, PREFIX) });
    try {
      const schedulers = await counts_.getJobSchedulers();
      expect(schedulers.map((s) => s.key).sort()).toEqual(["counts.fold", "counts.recount"]);
    } finally {
      await counts_.close();
      connection.disconnect();
    }
  });

  it("keeps serving the cached public page while every web process is down", async () => {
    const url = `${nginx.url}/api/v1/campaigns/scale-out`;
    await (await fetch(url)).arrayBuffer();
    await Promise.all(webs.map((w) => w.stop()));
    const stale = await fetch(url);
    expect(stale.status).toBe(200);
    expect(["STALE", "HIT", "UPDATING"]).toContain(stale.headers.get("x-cache-status"));
    expect(((await stale.json()) as { signatureCount: number }).signatureCount).toBe(SIGNERS);
  });
});
