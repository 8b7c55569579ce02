/**
 * Privacy: self-service erasure over real HTTP (the built server, a worker sending real mail to an
 * SMTP server of this file's own), the admin's erasure on request, and the retention policy.
 */
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eraseOnRequest, previewErasure } from "~/modules/admin/erasure.server";
import { countConfirmedFromScratch, foldAllCountChanges, getCampaignCounts } from "~/modules/counts/counts.server";
import { emailDigest } from "~/modules/privacy/erase-signatures.server";
import { applyRetention, retentionPolicy } from "~/modules/privacy/retention.server";
import { ERASURE_PER_ADDRESS, ERASURE_PER_IP, requestErasure } from "~/modules/privacy/self-service-erasure.server";
import { confirmSignature } from "~/modules/signatures/confirm-signature.server";
import { signCampaign } from "~/modules/signatures/sign-campaign.server";
import { issueVerificationToken } from "~/modules/signatures/signatures.queries.server";
import { generateToken, hashToken } from "~/utils/tokens.server";
import { isAppError } from "~/utils/errors.server";
import type { RunningWorker } from "../../workers/worker";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { createCampaign, eventually, signer } from "../support/fixtures";
import { deletePrefix, SHARED_REDIS_URL, uniquePrefix } from "../support/redis";
import { startSmtpServer, type CapturedMail, type TestSmtpServer } from "../support/smtp";
import { postForm, startWeb, type RunningProcess } from "../support/web";
import { startTestWorker } from "../support/worker";

let t: TestDatabase;
let smtp: TestSmtpServer;
let web: RunningProcess;
let worker: RunningWorker;
let redis: Redis;
const prefix = uniquePrefix("privacy");

beforeAll(async () => {
  t = await createTestDatabase("privacy");
  smtp = await startSmtpServer();
  redis = new Redis(SHARED_REDIS_URL, { maxRetriesPerRequest: 1 });
  web = await startWeb({ DATABASE_URL: t.url, REDIS_PREFIX: prefix });
  worker = await startTestWorker({ databaseUrl: t.url, redisPrefix: prefix, smtpUrl: smtp.url, appUrl: web.url });
});
afterAll(async () => {
  await worker?.stop();
  await web?.stop();
  await smtp?.close();
  redis?.disconnect();
  await t?.drop();
  await deletePrefix(prefix);
});

const freshEmail = (label: string) => `${label}-${randomBytes(5).toString("hex")}@example.org`;
const get = (path: string) => fetch(`${web.url}${path}`, { redirect: "manual" });
const post = (path: string, fields: Record<string, string> = {}) => postForm(`${web.url}${path}`, fields);

/** Signs `campaign` as `email` with every personal field filled; confirms it if asked. */
async function sign(campaignSlug: string, email: string, { confirm }: { confirm: boolean }) {
  await signCampaign(t.db, {
    campaignSlug,
    input: signer({ email, name: "Zainab Malik", postalCode: "54000", comment: "For Kashmir.", publicName: true, optIn: true }),
    locale: "ur",
    ipAddress: "203.0.113.7",
    userAgent: "Test/1.0",
  });
  const row = await t.db.selectFrom("signatures").select("id").where("email_normalized", "=", email).where("campaign_id", "in", t.db.selectFrom("campaigns").select("id").where("slug", "=", campaignSlug)).executeTakeFirstOrThrow();
  if (confirm) await confirmSignature(t.db, await issueVerificationToken(t.db, row.id));
  return row.id;
}

const signaturesOf = (ids: number[]) =>
  t.db.selectFrom("signatures").selectAll().where("id", "in", ids).orderBy("id").execute();

/** The erasure email to `email` (the worker also sends it verification emails). */
const erasureMail = (email: string) => smtp.waitFor((m) => m.to.includes(email) && m.text.includes("/privacy/erase/"));

function eraseLink(mail: CapturedMail): string {
  const match = mail.text.match(/https?:\/\/\S+\/privacy\/erase\/[A-Za-z0-9_-]{43}(\?lang=\w+)?(?=\s)/);
  if (!match) throw new Error(`no erasure link in:\n${mail.text}`);
  return new URL(match[0]).pathname + new URL(match[0]).search;
}

/** Waits until every email job so far has run (the outbox is empty and no email job waits or runs). */
async function emailJobsSettled() {
  await eventually(async () => {
    const outbox = await t.db.selectFrom("outbox").select("id").limit(1).executeTakeFirst();
    if (outbox) return false;
    const counts = await worker.queues.email.getJobCounts("waiting", "active", "delayed");
    return Object.values(counts).every((n) => n === 0);
  }, 10_000, "email jobs to finish");
}

/** Strips what differs between two renders of the same page (asset hashes never do; nonces might). */
const pageText = async (res: Response) => (await res.text()).replace(/nonce="[^"]*"/g, "");

describe("self-service erasure", () => {
  it("answers a request the same whether or not the address signed, and emails a link only to a signer", async () => {
    const campaign = await createCampaign(t.db);
    const signed = freshEmail("signed");
    const stranger = freshEmail("stranger");
    await sign(campaign.slug, signed, { confirm: true });

    const a = await post("/privacy", { email: signed.toUpperCase() });
    const b = await post("/privacy", { email: stranger });
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    const [textA, textB] = [await pageText(a), await pageText(b)];
    expect(textA).toContain("If this address has signed any petition here");
    expect(textA.replace(signed.toUpperCase(), "X")).toBe(textB.replace(stranger, "X"));

    const mail = await erasureMail(signed);
    expect(mail.subject).toBe("Confirm that you want your data erased");
    expect(eraseLink(mail)).toMatch(/^\/privacy\/erase\/[A-Za-z0-9_-]{43}$/);
    await emailJobsSettled();
    expect(smtp.messages.filter((m) => m.to.includes(stranger))).toEqual([]);
    expect(smtp.messages.filter((m) => m.to.includes(signed) && m.text.includes("/privacy/erase/"))).toHaveLength(1);
    // Only the link's hash is stored.
    const token = eraseLink(mail).split("/").pop()!;
    const stored = await t.db.selectFrom("erasure_requests").select("token_hash").where("token_hash", "=", hashToken(token)).executeTakeFirst();
    expect(stored).toBeDefined();
  });

  it("rejects a bad address with a 400 and field message, storing nothing", async () => {
    const before = await t.db.selectFrom("erasure_requests").select(sql<number>`count(*)::int`.as("n")).executeTakeFirstOrThrow();
    for (const email of ["", "not-an-email", `${"x".repeat(260)}@example.org`]) {
      const res = await post("/privacy", { email });
      expect(res.status, email).toBe(400);
      expect(await res.text()).toContain("field-error");
    }
    const after = await t.db.selectFrom("erasure_requests").select(sql<number>`count(*)::int`.as("n")).executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });

  it("GET on the link changes nothing; POST erases every signature of the address and keeps every count", async () => {
    const [one, two] = [await createCampaign(t.db), await createCampaign(t.db)];
    const email = freshEmail("erase");
    const bystander = freshEmail("bystander");
    const confirmedId = await sign(one.slug, email, { confirm: true });
    const pendingId = await sign(two.slug, email, { confirm: false });
    const bystanderId = await sign(one.slug, bystander, { confirm: true });
    // An update went to the confirmed signature: its unsubscribe link must keep working.
    const update = await t.db.insertInto("updates").values({ campaign_id: one.id, subject: "News", body_md: "Hello" }).returning("id").executeTakeFirstOrThrow();
    const unsubscribeToken = generateToken();
    const delivery = await t.db.insertInto("update_deliveries").values({ update_id: update.id, signature_id: confirmedId, status: "sent" }).returning("id").executeTakeFirstOrThrow();
    await t.db.insertInto("update_unsubscribe_tokens").values({ delivery_id: delivery.id, token_hash: hashToken(unsubscribeToken) }).execute();
    await foldAllCountChanges(t.db);
    const countsBefore = [await getCampaignCounts(t.db, one.id), await getCampaignCounts(t.db, two.id)];
    expect(countsBefore.map((c) => c.total)).toEqual([2, 0]);
    expect((await countConfirmedFromScratch(t.db, one.id)).total).toBe(2);

    expect((await post("/privacy", { email })).status).toBe(200);
    const link = eraseLink(await erasureMail(email));

    // A mail scanner opening the link erases nothing.
    const shown = await get(link);
    expect(shown.status).toBe(200);
    expect(shown.headers.get("cache-control")).toBe("no-store");
    expect(await shown.text()).toContain("Erase my data</button>");
    const untouched = await signaturesOf([confirmedId, pendingId]);
    expect(untouched.map((s) => [s.email, s.name, s.erased_at])).toEqual([
      [email, "Zainab Malik", null],
      [email, "Zainab Malik", null],
    ]);

    const done = await post(link);
    expect(done.status).toBe(200);
    expect(await done.text()).toContain("Your data is erased");

    const [confirmed, pending] = await signaturesOf([confirmedId, pendingId]);
    for (const s of [confirmed!, pending!]) {
      expect(s).toMatchObject({ name: null, email: null, email_normalized: null, postal_code: null, comment: null, ip_address: null, user_agent: null, public_name: false, opt_in: false });
      expect(s.erased_at).not.toBeNull();
      // The consent record stays: version, language, time and purposes say nothing about who.
      expect(s.consent_version).toBeTruthy();
      expect(s.locale).toBe("ur");
      expect(s.consent_purposes).toContain("petition");
    }
    expect(confirmed).toMatchObject({ status: "confirmed", country: "PK" });
    expect(confirmed!.confirmed_at).not.toBeNull();
    expect(pending!.status).toBe("disowned");
    expect(await t.db.selectFrom("signature_tokens").select("id").where("signature_id", "in", [confirmedId, pendingId]).execute()).toEqual([]);
    // Someone else's signature is untouched.
    expect((await signaturesOf([bystanderId]))[0]).toMatchObject({ email: bystander, name: "Zainab Malik" });

    // Counts: unchanged, and equal to a recount from scratch.
    await foldAllCountChanges(t.db);
    const countsAfter = [await getCampaignCounts(t.db, one.id), await getCampaignCounts(t.db, two.id)];
    expect(countsAfter.map((c) => [c.total, c.byCountry])).toEqual(countsBefore.map((c) => [c.total, c.byCountry]));
    expect((await countConfirmedFromScratch(t.db, one.id)).total).toBe(countsAfter[0]!.total);
    expect((await countConfirmedFromScratch(t.db, two.id)).total).toBe(0);

    // The address is kept nowhere; the audit log has its hash only.
    expect(await t.db.selectFrom("erasure_requests").select("id").where("email_normalized", "=", email).execute()).toEqual([]);
    const audit = await t.db.selectFrom("audit_log").selectAll().where("action", "=", "privacy.erase").orderBy("id", "desc").executeTakeFirstOrThrow();
    expect(audit.details).toMatchObject({ emailSha256: emailDigest(email), via: "self-service" });
    expect(Number(audit.row_count)).toBe(2);
    expect(JSON.stringify(audit)).not.toContain(email);

    // The erased signer's unsubscribe link still works.
    expect((await get(`/unsubscribe/${unsubscribeToken}`)).status).toBe(200);
    expect((await post(`/unsubscribe/${unsubscribeToken}`)).status).toBe(200);
    expect((await signaturesOf([confirmedId]))[0]!.unsubscribed_at).not.toBeNull();

    // Pressing again is harmless.
    const again = await post(link);
    expect(again.status).toBe(200);
    expect(await again.text()).toContain("Your data is erased");
  });

  it("shows a clear page for an unknown, malformed or expired link, and erases nothing", async () => {
    const unknown = await get(`/privacy/erase/${generateToken()}`);
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toContain("This link is not valid");
    expect((await post(`/privacy/erase/${generateToken()}`)).status).toBe(404);
    expect((await get("/privacy/erase/short")).status).toBe(404);

    const campaign = await createCampaign(t.db);
    const email = freshEmail("expired");
    const id = await sign(campaign.slug, email, { confirm: true });
    const token = generateToken();
    await t.db
      .insertInto("erasure_requests")
      .values({ email_normalized: email, locale: "en", token_hash: hashToken(token), expires_at: sql<Date>`now() - interval '1 minute'` })
      .execute();
    const expired = await get(`/privacy/erase/${token}`);
    expect(expired.status).toBe(410);
    expect(await expired.text()).toContain("This link has expired");
    expect((await post(`/privacy/erase/${token}`)).status).toBe(410);
    expect((await signaturesOf([id]))[0]!.email).toBe(email);
  });

  it("limits requests per client address and per email address", async () => {
    const deps = { db: t.db, redis, redisPrefix: prefix };
    const limited = async (email: string, ipAddress: string) => {
      try {
        await requestErasure(deps, { email, locale: "en", ipAddress });
        return false;
      } catch (error) {
        if (isAppError(error, "RATE_LIMITED")) return true;
        throw error;
      }
    };
    const address = freshEmail("limit");
    const perAddress = [];
    for (let i = 0; i <= ERASURE_PER_ADDRESS.limit; i++) perAddress.push(await limited(address, `198.51.100.${i + 1}`));
    expect(perAddress).toEqual([...Array(ERASURE_PER_ADDRESS.limit).fill(false), true]);

    const perIp = [];
    for (let i = 0; i <= ERASURE_PER_IP.limit; i++) perIp.push(await limited(freshEmail("ip"), "198.51.100.200"));
    expect(perIp).toEqual([...Array(ERASURE_PER_IP.limit).fill(false), true]);

    // Over HTTP a limited request gets a clear 429 page.
    let res: Response | undefined;
    const crowded = freshEmail("http");
    for (let i = 0; i <= ERASURE_PER_ADDRESS.limit; i++) res = await post("/privacy", { email: crowded });
    expect(res!.status).toBe(429);
    expect(res!.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(await res!.text()).toContain("Too many requests");
  });

  it("is translated and right-to-left in Urdu, and the emailed link opens in the requester's language", async () => {
    const page = await get("/ur/privacy");
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('dir="rtl"');
    expect(html).toContain("میرا ڈیٹا مٹا دیں");

    const campaign = await createCampaign(t.db);
    const email = freshEmail("urdu");
    await sign(campaign.slug, email, { confirm: true });
    expect((await post("/ur/privacy", { email })).status).toBe(200);
    const mail = await erasureMail(email);
    expect(mail.subject).toBe("تصدیق کریں کہ آپ اپنا ڈیٹا مٹوانا چاہتے ہیں");
    const link = eraseLink(mail);
    expect(link).toMatch(/\?lang=ur$/);
    expect(await (await get(link)).text()).toContain('dir="rtl"');
  });
});

describe("erasure on request, by an admin", () => {
  const admin = { id: 0, email: "privacy-admin@example.org", role: "admin" as const };
  beforeAll(async () => {
    const row = await t.db
      .insertInto("users")
      .values({ email: admin.email, email_normalized: admin.email, display_name: "Admin", password_hash: "x", role: "admin" })
      .returning("id")
      .executeTakeFirstOrThrow();
    admin.id = row.id;
  });

  it("previews the address's signatures with their consent record, erases them, and logs both by hash only", async () => {
    const campaign = await createCampaign(t.db);
    const email = freshEmail("byadmin");
    const confirmedId = await sign(campaign.slug, email, { confirm: true });
    await foldAllCountChanges(t.db);
    const before = await countConfirmedFromScratch(t.db, campaign.id);

    const preview = await previewErasure(t.db, admin, email.toUpperCase());
    expect(preview).toHaveLength(1);
    expect(preview[0]).toMatchObject({ id: confirmedId, status: "confirmed", locale: "ur", campaign_slug: campaign.slug });
    expect(preview[0]!.consent_version).toBeTruthy();
    expect(preview[0]!.consent_purposes).toEqual(expect.arrayContaining(["petition", "updates:host"]));
    expect((await signaturesOf([confirmedId]))[0]!.email).toBe(email); // looking changes nothing

    const result = await eraseOnRequest(t.db, admin, email);
    expect(result).toEqual({ erased: 1, confirmed: 1 });
    expect((await signaturesOf([confirmedId]))[0]).toMatchObject({ email: null, name: null, status: "confirmed" });
    await foldAllCountChanges(t.db);
    expect(await countConfirmedFromScratch(t.db, campaign.id)).toEqual(before);
    expect((await getCampaignCounts(t.db, campaign.id)).total).toBe(before.total);

    const entries = await t.db.selectFrom("audit_log").selectAll().where("actor_label", "=", admin.email).orderBy("id").execute();
    expect(entries.map((e) => e.action)).toEqual(["privacy.lookup", "privacy.erase"]);
    for (const e of entries) {
      expect(e.details).toMatchObject({ emailSha256: emailDigest(email) });
      expect(JSON.stringify(e)).not.toContain(email);
    }
  });

  it("refuses anyone who is not an admin", async () => {
    const organiser = { id: 2, email: "organiser@example.org", role: "user" as const };
    await expect(previewErasure(t.db, organiser, "someone@example.org")).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(eraseOnRequest(t.db, organiser, "someone@example.org")).rejects.toMatchObject({ code: "FORBIDDEN" });
  });
});

describe("retention", () => {
  it("drops network data after the configured fraud window, keeps newer data, never changes a count, and deletes expired erasure requests", async () => {
    const campaign = await createCampaign(t.db);
    const aged = async (days: number) => {
      const id = await sign(campaign.slug, freshEmail("aged"), { confirm: true });
      await sql`UPDATE signatures SET created_at = now() - make_interval(days => ${days}) WHERE id = ${id}`.execute(t.db);
      return id;
    };
    const eightDays = await aged(8);
    const sixDays = await aged(6);
    await t.db.insertInto("erasure_requests").values({ email_normalized: "gone@example.org", locale: "en", expires_at: sql<Date>`now() - interval '1 hour'` }).execute();
    await t.db.insertInto("erasure_requests").values({ email_normalized: "open@example.org", locale: "en", expires_at: sql<Date>`now() + interval '1 hour'` }).execute();
    await foldAllCountChanges(t.db);
    const before = await getCampaignCounts(t.db, campaign.id);

    const result = await applyRetention(t.db, retentionPolicy(7));
    expect(result.erasureRequestsDeleted).toBeGreaterThanOrEqual(1);

    const [old, recent] = await signaturesOf([eightDays, sixDays]);
    expect(old).toMatchObject({ ip_address: null, user_agent: null, status: "confirmed" });
    expect(old!.email).not.toBeNull();
    expect(recent).toMatchObject({ ip_address: "203.0.113.7", user_agent: "Test/1.0" });
    const addresses = (await t.db.selectFrom("erasure_requests").select("email_normalized").execute()).map((r) => r.email_normalized);
    expect(addresses).toContain("open@example.org");
    expect(addresses).not.toContain("gone@example.org");

    await foldAllCountChanges(t.db);
    expect(await getCampaignCounts(t.db, campaign.id)).toMatchObject({ total: before.total, byCountry: before.byCountry });
    expect((await countConfirmedFromScratch(t.db, campaign.id)).total).toBe(before.total);
  });
});
