/**
 * The public JSON API, health, readiness, metrics and the dev outbox, over real HTTP against the
 * built server. No worker runs: the count ledger is folded here by calling the fold directly.
 */
import { randomBytes } from "node:crypto";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countConfirmedFromScratch, foldAllCountChanges } from "~/modules/counts/counts.server";
import { issueVerificationToken } from "~/modules/signatures/signatures.queries.server";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { createCampaign } from "../support/fixtures";
import { groupedStatements, parseMetrics } from "../support/metrics";
import { deletePrefix, freePort, uniquePrefix } from "../support/redis";
import { postForm, startWeb, type RunningProcess } from "../support/web";
import { publicCountsByCountry } from "~/modules/stats/public-countries";

let tdb: TestDatabase;
/** The ordinary web process. */
let web: RunningProcess;
/** A web process whose REDIS_URL points at a closed port. */
let noRedis: RunningProcess;
/** A web process with NODE_ENV=production. */
let prod: RunningProcess;
let prefix: string;

beforeAll(async () => {
  prefix = uniquePrefix("httpapi");
  tdb = await createTestDatabase("httpapi");
  const closedPort = await freePort();
  // Three processes on one database, started together to keep the file fast.
  [web, noRedis, prod] = await Promise.all([
    startWeb({ DATABASE_URL: tdb.url, REDIS_PREFIX: prefix }),
    startWeb({ DATABASE_URL: tdb.url, REDIS_PREFIX: prefix, REDIS_URL: `redis://127.0.0.1:${closedPort}` }),
    startWeb({ DATABASE_URL: tdb.url, REDIS_PREFIX: prefix, NODE_ENV: "production", SESSION_SECRET: randomBytes(32).toString("hex") }),
  ]);
});

afterAll(async () => {
  await Promise.all([web?.stop(), noRedis?.stop(), prod?.stop()]);
  await tdb?.drop();
  if (prefix) await deletePrefix(prefix);
});

async function sign(baseUrl: string, slug: string, country: string) {
  const email = `api-${randomBytes(5).toString("hex")}@example.org`;
  const res = await postForm(`${baseUrl}/campaigns/${slug}`, { name: "Api Signer", email, country, consent: "on" });
  expect(res.status).toBe(303);
  const { id } = await tdb.db.selectFrom("signatures").select("id").where("email_normalized", "=", email).executeTakeFirstOrThrow();
  return { id, email };
}

/** Signs through the form, then confirms through the link: the whole path a supporter takes. */
async function signAndConfirm(slug: string, country: string) {
  const { id } = await sign(web.url, slug, country);
  const token = await issueVerificationToken(tdb.db, id);
  expect((await postForm(`${web.url}/verify/${token}`, { intent: "confirm" })).status).toBe(200);
  return { id, token };
}

const getJson = async (path: string) => {
  const res = await fetch(`${web.url}${path}`);
  return { res, body: (await res.json()) as Record<string, unknown> };
};

describe("GET /api/v1/campaigns/:slug", () => {
  it("answers exactly the public fields, cacheable, counting only confirmed signatures once the ledger is folded", async () => {
    const campaign = await createCampaign(tdb.db, { goal: 500, title: "Count me" });
    await signAndConfirm(campaign.slug, "PK");
    await signAndConfirm(campaign.slug, "PK");
    await signAndConfirm(campaign.slug, "MY");

    // Pending: signed, never confirmed.
    await sign(web.url, campaign.slug, "TR");
    // Disowned: "this wasn't me".
    const disowned = await sign(web.url, campaign.slug, "TR");
    const disownToken = await issueVerificationToken(tdb.db, disowned.id);
    expect((await postForm(`${web.url}/verify/${disownToken}`, { intent: "not-me" })).status).toBe(200);
    expect((await postForm(`${web.url}/verify/${disownToken}`, { intent: "confirm" })).status).toBe(404);
    // Invalidated as fraud before it was confirmed: its link no longer confirms.
    const fraud = await sign(web.url, campaign.slug, "TR");
    const fraudToken = await issueVerificationToken(tdb.db, fraud.id);
    await tdb.db.updateTable("signatures").set({ status: "invalidated" }).where("id", "=", fraud.id).execute();
    expect((await postForm(`${web.url}/verify/${fraudToken}`, { intent: "confirm" })).status).toBe(404);

    // Before the fold, the confirmations are in the ledger only.
    const unfolded = await getJson(`/api/v1/campaigns/${campaign.slug}`);
    expect(unfolded.body.signatureCount).toBe(0);

    await foldAllCountChanges(tdb.db);
    const { res, body } = await getJson(`/api/v1/campaigns/${campaign.slug}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    const cacheControl = res.headers.get("cache-control") ?? "";
    expect(cacheControl).toMatch(/(^|[ ,])max-age=\d+/);
    expect(cacheControl).toMatch(/(^|[ ,])stale-while-revalidate=\d+/);
    expect(cacheControl).not.toMatch(/private|no-store/);

    expect(Object.keys(body).sort()).toEqual(["countsByCountry", "goal", "otherCountries", "signatureCount", "slug", "status", "title", "updatedAt"]);
    expect(body).toMatchObject({ slug: campaign.slug, title: "Count me", status: "published", goal: 500, signatureCount: 3 });
    // Fewer signers than the public map's threshold: folded into otherCountries, so the API never
    // singles out a signer from a small country.
    expect(body.countsByCountry).toEqual({});
    expect(body.otherCountries).toBe(3);
    expect(new Date(body.updatedAt as string).toISOString()).toBe(body.updatedAt);

    // The folded aggregate is the truth recomputed from the signatures.
    const truth = await countConfirmedFromScratch(tdb.db, campaign.id);
    expect(body.signatureCount).toBe(truth.total);
    expect({ countsByCountry: body.countsByCountry, otherCountries: body.otherCountries }).toEqual(publicCountsByCountry(truth.byCountry));
  });

  it("answers 404 problem+json for an unknown slug and for a draft", async () => {
    const draft = await createCampaign(tdb.db, { status: "draft" });
    for (const slug of ["no-such-campaign", draft.slug]) {
      const { res, body } = await getJson(`/api/v1/campaigns/${slug}`);
      expect(res.status).toBe(404);
      expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
      expect(body).toMatchObject({ status: 404, title: "Not Found" });
      expect(typeof body.detail).toBe("string");
    }
  });

  it.each([["Not_A_Slug"], ["double--dash"], ["-leading"], ["x".repeat(81)], ["%3Cscript%3E"]])("answers 400 problem+json for the malformed slug %s", async (slug) => {
    const { res, body } = await getJson(`/api/v1/campaigns/${slug}`);
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(body).toMatchObject({ status: 400, title: "Bad Request" });
  });
});

describe("GET /api/v1/campaigns", () => {
  it("lists published and closed campaigns, never drafts", async () => {
    const [open, closed, draft] = await Promise.all([
      createCampaign(tdb.db, { status: "published" }),
      createCampaign(tdb.db, { status: "closed" }),
      createCampaign(tdb.db, { status: "draft" }),
    ]);
    const { res, body } = await getJson("/api/v1/campaigns");
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toMatch(/stale-while-revalidate=\d+/);
    const campaigns = body.campaigns as { slug: string; status: string; signatureCount: number; url: string }[];
    const slugs = campaigns.map((c) => c.slug);
    expect(slugs).toContain(open.slug);
    expect(slugs).toContain(closed.slug);
    expect(slugs).not.toContain(draft.slug);
    expect(campaigns.every((c) => c.status === "published" || c.status === "closed")).toBe(true);
    expect(campaigns.find((c) => c.slug === open.slug)).toMatchObject({ status: "published", signatureCount: 0, url: `/api/v1/campaigns/${open.slug}` });
  });
});

describe("health, readiness and metrics", () => {
  it("/healthz answers 200 and /readyz answers 200 with Postgres and Redis ok", async () => {
    const health = await fetch(`${web.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok" });
    const ready = await getJson("/readyz");
    expect(ready.res.status).toBe(200);
    expect(ready.res.headers.get("cache-control")).toBe("no-store");
    expect(ready.body).toEqual({ status: "ready", checks: { postgres: "ok", redis: "ok" } });
  });

  it("/metrics exposes Prometheus text with the signing, outbox, queue and email series", async () => {
    const campaign = await createCampaign(tdb.db);
    const { id } = await sign(web.url, campaign.slug, "PK");
    await tdb.db.insertInto("sent_emails").values({ dedupe_key: `test:${id}`, kind: "signature.verification", signature_id: id, status: "sent", message_id: "<m@test>", error: null }).execute();
    const backlog = await sql<{ n: number }>`SELECT count(*)::int AS n FROM outbox`.execute(tdb.db);
    const sentCount = await sql<{ n: number }>`SELECT count(*)::int AS n FROM sent_emails WHERE kind = 'signature.verification' AND status = 'sent'`.execute(tdb.db);

    const res = await fetch(`${web.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain;/);
    expect(res.headers.get("content-type")).toMatch(/version=0\.0\.4/);
    const text = await res.text();
    const samples = parseMetrics(text);
    const value = (series: string) => {
      expect(samples.has(series), `no sample for ${series}`).toBe(true);
      return samples.get(series)!;
    };
    expect(text).toContain("# TYPE banner_signatures_created_total counter");
    expect(value('banner_signatures_created_total{outcome="created"}')).toBeGreaterThanOrEqual(1);
    expect(value("banner_outbox_backlog")).toBe(backlog.rows[0]!.n);
    expect(value("banner_outbox_backlog")).toBeGreaterThanOrEqual(1);
    expect(value('banner_queue_jobs{queue="email",state="waiting"}')).toBe(0);
    expect(value('banner_queue_jobs{queue="counts",state="failed"}')).toBe(0);
    expect(value('banner_emails{kind="signature.verification",status="sent"}')).toBe(sentCount.rows[0]!.n);
  });

  it("/metrics counts the signing and confirming statements and the calls they carried (ADR 0024)", async () => {
    const campaign = await createCampaign(tdb.db);
    const before = { sign: await groupedStatements(web.url, "sign"), confirm: await groupedStatements(web.url, "confirm") };
    await signAndConfirm(campaign.slug, "PK");
    const after = { sign: await groupedStatements(web.url, "sign"), confirm: await groupedStatements(web.url, "confirm") };
    // One signature, alone: one statement carrying one call; the same for its confirmation.
    for (const what of ["sign", "confirm"] as const) {
      expect({ statements: after[what].statements - before[what].statements, calls: after[what].calls - before[what].calls }, what).toEqual({ statements: 1, calls: 1 });
    }
  });
});

describe("a web process whose database connections are closed under it", () => {
  it("stays up and signs again (a Postgres restart or failover closes idle connections)", async () => {
    const campaign = await createCampaign(tdb.db);
    await sign(web.url, campaign.slug, "PK"); // the pool holds open connections now
    const closed = await sql<{ n: number }>`
      SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
      WHERE datname = current_database() AND application_name = 'banner-web'`.execute(tdb.db);
    expect(closed.rows[0]!.n).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 200));
    expect(web.child.exitCode).toBeNull();
    expect((await fetch(`${web.url}/healthz`)).status).toBe(200);
    await sign(web.url, campaign.slug, "PK");
  });
});

describe("a web process whose Redis is down", () => {
  it("is live but not ready, and still takes signatures with their outbox row (signing never needs Redis)", async () => {
    const campaign = await createCampaign(tdb.db);
    const timed = { signal: AbortSignal.timeout(5_000) };
    const [health, ready, metrics, signed] = await Promise.all([
      fetch(`${noRedis.url}/healthz`, timed),
      fetch(`${noRedis.url}/readyz`, timed),
      // Metrics answer promptly too: the queue gauge gives up on Redis rather than waiting forever.
      fetch(`${noRedis.url}/metrics`, timed),
      (async () => {
        const started = Date.now();
        const result = await sign(noRedis.url, campaign.slug, "MY");
        return { ...result, ms: Date.now() - started };
      })(),
    ]);

    expect(health.status).toBe(200);
    expect(ready.status).toBe(503);
    const body = (await ready.json()) as { status: string; checks: Record<string, string> };
    expect(body.status).toBe("unavailable");
    expect(body.checks.postgres).toBe("ok");
    expect(body.checks.redis).toMatch(/^error/);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain("banner_outbox_backlog");

    // The signature and its email's outbox row are in Postgres, without waiting on Redis.
    expect(signed.ms).toBeLessThan(5_000);
    const row = await tdb.db.selectFrom("signatures").select(["status"]).where("id", "=", signed.id).executeTakeFirstOrThrow();
    expect(row.status).toBe("pending");
    const outbox = await tdb.db.selectFrom("outbox").select(["topic", "payload"]).execute();
    expect(outbox.filter((o) => (o.payload as { signatureId?: number }).signatureId === signed.id)).toEqual([
      { topic: "signature.verification", payload: { signatureId: signed.id } },
    ]);

    // Nothing holds up a graceful shutdown either.
    expect(await noRedis.stop()).toBe(0);
  });
});

describe("/dev/outbox", () => {
  it("answers 200 outside production", async () => {
    const res = await fetch(`${web.url}/dev/outbox`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("<h1>Development outbox</h1>");
  });

  it("does not exist when NODE_ENV=production", async () => {
    const res = await fetch(`${prod.url}/dev/outbox`);
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain("<h1>Development outbox</h1>");
    // The rest of the site is there: the 404 is this page's, not a broken server.
    expect((await fetch(`${prod.url}/api/v1/campaigns`)).status).toBe(200);
  });
});
