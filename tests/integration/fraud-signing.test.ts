/**
 * The fraud defences of signing and confirming, over real HTTP: the built web server (twice: with
 * and without a trusted proxy), a database of this file's own, and real Redis with its own prefix.
 */
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FORM_STAMP_FIELD, HONEYPOT_FIELD } from "~/modules/fraud/fraud.fields";
import { issueFormStamp, readFormStamp } from "~/modules/fraud/form-screen.server";
import { issueVerificationToken } from "~/modules/signatures/signatures.queries.server";
import { env } from "~/utils/env.server";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { createCampaign, signer } from "../support/fixtures";
import { deletePrefix, uniquePrefix } from "../support/redis";
import { postForm, startWeb, type RunningProcess } from "../support/web";
import { signCampaign } from "~/modules/signatures/sign-campaign.server";

let tdb: TestDatabase;
/** the socket address is the client; X-Forwarded-For is not believed */
let direct: RunningProcess;
/** behind a proxy at 127.0.0.1, whose X-Forwarded-For is believed */
let proxied: RunningProcess;
let prefix: string;
// The web servers run with this process's SESSION_SECRET (the integration project's, from
// vitest.config.ts), so stamps made here are theirs.
const secret = env().SESSION_SECRET;
const MIN_FILL_SECONDS = 30;

beforeAll(async () => {
  prefix = uniquePrefix("fraudsign");
  tdb = await createTestDatabase("fraudsign");
  const common = {
    DATABASE_URL: tdb.url,
    REDIS_PREFIX: prefix,
    SIGN_RATE_PER_IP: "3/1m,5/10m",
    SIGN_RATE_PER_DOMAIN: "4/1m",
    SIGN_RATE_DOMAIN_EXEMPT: "gmail.com,googlemail.com",
    VERIFY_RATE_PER_TOKEN: "3/10m",
    SIGN_MIN_FILL_SECONDS: String(MIN_FILL_SECONDS),
  };
  // One after the other: two cold starts at once can outlast startWeb's patience on a busy machine.
  direct = await startWeb(common);
  proxied = await startWeb({ ...common, TRUSTED_PROXIES: "127.0.0.1" });
}, 120_000);

afterAll(async () => {
  await Promise.all([direct?.stop(), proxied?.stop()]);
  await tdb?.drop();
  if (prefix) await deletePrefix(prefix);
});

let n = 0;
// Each address on a domain of its own, so that only the limit under test can refuse it.
const form = (overrides: Record<string, string> = {}) => ({
  name: "Ayesha Khan",
  email: `fraud-${n}@example-${Date.now()}-${n++}.org`,
  country: "PK",
  consent: "on",
  ...overrides,
});
const sign = (web: RunningProcess, slug: string, fields: Record<string, string>, from?: string) =>
  postForm(`${web.url}/campaigns/${slug}`, fields, from ? { headers: { "X-Forwarded-For": from } } : {});

async function tally(campaignId: number) {
  const [signatures, outbox] = await Promise.all([
    tdb.db.selectFrom("signatures").select(sql<number>`count(*)::int`.as("n")).where("campaign_id", "=", campaignId).executeTakeFirstOrThrow(),
    tdb.db.selectFrom("outbox").select(sql<number>`count(*)::int`.as("n")).executeTakeFirstOrThrow(),
  ]);
  return { signatures: signatures.n, outbox: outbox.n };
}

async function expectRefused(res: Response, maxRetryAfter: number) {
  expect(res.status).toBe(429);
  const retry = Number(res.headers.get("retry-after"));
  expect(retry).toBeGreaterThan(0);
  expect(retry).toBeLessThanOrEqual(maxRetryAfter);
  expect(res.headers.get("cache-control")).toBe("no-store");
  const html = await res.text();
  expect(html).toMatch(/Too many signatures came from your connection or your email domain just now/);
  return retry;
}

describe("per-address signing limits", () => {
  it("refuse a burst beyond the first window with 429 and Retry-After, and write nothing", async () => {
    const campaign = await createCampaign(tdb.db);
    for (let i = 0; i < 3; i++) expect((await sign(direct, campaign.slug, form())).status).toBe(303);
    const before = await tally(campaign.id);
    await expectRefused(await sign(direct, campaign.slug, form()), 60);
    expect(await tally(campaign.id)).toEqual(before);
    // Another campaign has limits of its own.
    const other = await createCampaign(tdb.db);
    expect((await sign(direct, other.slug, form())).status).toBe(303);
  });

  it("keep refusing in the sustained window after the burst window has passed", async () => {
    const campaign = await createCampaign(tdb.db);
    for (let i = 0; i < 3; i++) expect((await sign(direct, campaign.slug, form())).status).toBe(303);
    await expectRefused(await sign(direct, campaign.slug, form()), 60);
    // The minute passes: its key expires (every attempt, refused ones too, counted in 10 minutes).
    await deleteKeys(`${prefix}:ratelimit:sign-ip-60s:${campaign.slug}:*`);
    expect((await sign(direct, campaign.slug, form())).status).toBe(303);
    const before = await tally(campaign.id);
    const retry = await expectRefused(await sign(direct, campaign.slug, form()), 600);
    expect(retry).toBeGreaterThan(60);
    expect(await tally(campaign.id)).toEqual(before);
  });
});

async function deleteKeys(pattern: string) {
  const { Redis } = await import("ioredis");
  const redis = new Redis(process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379");
  try {
    const keys = await redis.keys(pattern);
    expect(keys.length).toBeGreaterThan(0);
    await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}

describe("the client address", () => {
  it("ignores X-Forwarded-For without a trusted proxy: a forged header changes neither the limit nor the stored address", async () => {
    const campaign = await createCampaign(tdb.db);
    for (let i = 0; i < 3; i++) expect((await sign(direct, campaign.slug, form(), `203.0.113.${i + 1}`)).status).toBe(303);
    await expectRefused(await sign(direct, campaign.slug, form(), "203.0.113.99"), 60);
    const ips = await tdb.db.selectFrom("signatures").select("ip_address").where("campaign_id", "=", campaign.id).execute();
    expect(ips.map((r) => r.ip_address)).toEqual(["127.0.0.1", "127.0.0.1", "127.0.0.1"]);
  });

  it("believes X-Forwarded-For from a trusted proxy: each client has its own limit and its own stored address", async () => {
    const campaign = await createCampaign(tdb.db);
    for (let i = 0; i < 4; i++) expect((await sign(proxied, campaign.slug, form(), `198.51.100.${i + 1}`)).status).toBe(303);
    const ips = await tdb.db.selectFrom("signatures").select("ip_address").where("campaign_id", "=", campaign.id).orderBy("id").execute();
    expect(ips.map((r) => r.ip_address)).toEqual(["198.51.100.1", "198.51.100.2", "198.51.100.3", "198.51.100.4"]);
    // The same client through the proxy is still limited.
    for (let i = 0; i < 2; i++) expect((await sign(proxied, campaign.slug, form(), "198.51.100.1")).status).toBe(303);
    await expectRefused(await sign(proxied, campaign.slug, form(), "198.51.100.1"), 60);
  });
});

describe("per-domain signing limits", () => {
  it("refuse a fifth signature a minute from one domain, even from many addresses; subdomains count as the domain", async () => {
    const campaign = await createCampaign(tdb.db);
    const at = (i: number, domain: string) => form({ email: `person${i}@${domain}` });
    for (let i = 0; i < 4; i++) expect((await sign(proxied, campaign.slug, at(i, i % 2 ? "example.com" : "mail.example.com"), `192.0.2.${i + 1}`)).status).toBe(303);
    const before = await tally(campaign.id);
    await expectRefused(await sign(proxied, campaign.slug, at(9, "other.example.com"), "192.0.2.50"), 60);
    expect(await tally(campaign.id)).toEqual(before);
    // Another domain is unaffected.
    expect((await sign(proxied, campaign.slug, at(10, "example.net"), "192.0.2.51")).status).toBe(303);
  });

  it("leave exempt big providers alone", async () => {
    const campaign = await createCampaign(tdb.db);
    for (let i = 0; i < 6; i++) expect((await sign(proxied, campaign.slug, form({ email: `someone${i}@gmail.com` }), `192.0.2.${100 + i}`)).status).toBe(303);
    expect((await tally(campaign.id)).signatures).toBe(6);
  });
});

describe("confirmation attempts per link", () => {
  it("are limited: the fourth POST to one link is a 429 page and confirms nothing", async () => {
    const campaign = await createCampaign(tdb.db);
    await signCampaign(tdb.db, { campaignSlug: campaign.slug, input: signer(), locale: "en" });
    const signature = await tdb.db.selectFrom("signatures").select("id").where("campaign_id", "=", campaign.id).executeTakeFirstOrThrow();
    const token = await issueVerificationToken(tdb.db, signature.id);
    const url = `${direct.url}/verify/${token}`;
    for (let i = 0; i < 3; i++) expect((await postForm(url, { intent: "guess" })).status).toBe(400);
    const res = await postForm(url, { intent: "confirm" });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await res.text()).toMatch(/This link was tried too many times just now/);
    const row = await tdb.db.selectFrom("signatures").select("status").where("id", "=", signature.id).executeTakeFirstOrThrow();
    expect(row.status).toBe("pending");
    // Another link is not affected.
    const other = await signCampaign(tdb.db, { campaignSlug: campaign.slug, input: signer(), locale: "en" });
    expect(other.outcome).toBe("created");
  });
});

describe("bots", () => {
  it("the sign form carries a stamp of its rendering and a honeypot hidden from people and screen readers", async () => {
    const campaign = await createCampaign(tdb.db);
    const html = await (await fetch(`${direct.url}/campaigns/${campaign.slug}`)).text();
    const stamp = html.match(new RegExp(`name="${FORM_STAMP_FIELD}" value="([^"]+)"`))?.[1];
    expect(readFormStamp(secret, stamp)).not.toBeNull();
    expect(html).toMatch(new RegExp(`<div class="visually-hidden" aria-hidden="true"><label for="sign-${HONEYPOT_FIELD}">Leave this field empty</label><input type="text" id="sign-${HONEYPOT_FIELD}" name="${HONEYPOT_FIELD}" tabindex="-1" autocomplete="off"`, "i"));
  });

  it("a filled-in honeypot gets the same answer as a person, and nothing is stored", async () => {
    const campaign = await createCampaign(tdb.db);
    const before = await tally(campaign.id);
    const res = await sign(direct, campaign.slug, form({ [HONEYPOT_FIELD]: "https://cheap-pills.example" }));
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`/campaigns/${campaign.slug}/signed`);
    expect(await tally(campaign.id)).toEqual(before);
  });

  it("a form sent sooner than the minimum after rendering is stored, marked for the fraud view, and its email queued", async () => {
    const campaign = await createCampaign(tdb.db);
    const before = await tally(campaign.id);
    const res = await sign(direct, campaign.slug, form({ [FORM_STAMP_FIELD]: issueFormStamp(secret) }));
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`/campaigns/${campaign.slug}/signed`);
    expect(await tally(campaign.id)).toEqual({ signatures: before.signatures + 1, outbox: before.outbox + 1 });
    const row = await tdb.db.selectFrom("signatures").select("screen_flag").where("campaign_id", "=", campaign.id).executeTakeFirstOrThrow();
    expect(row.screen_flag).toBe("fast-form");
  });

  it("a person on a page served from a cache (an old stamp), or with no stamp at all, signs", async () => {
    const campaign = await createCampaign(tdb.db);
    const cached = issueFormStamp(secret, Date.now() - 10 * 60_000);
    expect((await sign(direct, campaign.slug, form({ [FORM_STAMP_FIELD]: cached }))).status).toBe(303);
    expect((await sign(direct, campaign.slug, form())).status).toBe(303);
    expect((await tally(campaign.id)).signatures).toBe(2);
  });

  it("a form re-rendered after an error keeps its first stamp, so a quick correction is not too fast", async () => {
    const campaign = await createCampaign(tdb.db);
    const old = issueFormStamp(secret, Date.now() - 60_000);
    const res = await sign(direct, campaign.slug, form({ [FORM_STAMP_FIELD]: old, consent: "" }));
    expect(res.status).toBe(400);
    expect(await res.text()).toContain(`name="${FORM_STAMP_FIELD}" value="${old}"`);
  });
});

describe("email addresses", () => {
  it("a disposable domain gets a field error and nothing is written", async () => {
    const campaign = await createCampaign(tdb.db);
    const before = await tally(campaign.id);
    const res = await sign(proxied, campaign.slug, form({ email: "someone@mailinator.com" }), "192.0.2.200");
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('id="sign-email-error"');
    expect(html).toContain("Addresses from disposable email services cannot sign.");
    expect(await tally(campaign.id)).toEqual(before);
  });

  it("Gmail variants (dots, +tags, googlemail.com, case) make one signature, sent to the address first typed", async () => {
    const campaign = await createCampaign(tdb.db);
    const variants = ["Ayesha.Khan+kashmir@gmail.com", "ayeshakhan@googlemail.com", "A.yesha.Khan@Gmail.com", "ayeshakhan+2@gmail.com"];
    for (const [i, email] of variants.entries()) expect((await sign(proxied, campaign.slug, form({ email }), `192.0.2.${210 + i}`)).status).toBe(303);
    const rows = await tdb.db.selectFrom("signatures").select(["email", "email_normalized"]).where("campaign_id", "=", campaign.id).execute();
    expect(rows).toEqual([{ email: "Ayesha.Khan+kashmir@gmail.com", email_normalized: "ayeshakhan@gmail.com" }]);
  });
});
