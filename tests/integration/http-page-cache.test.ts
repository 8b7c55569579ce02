/**
 * Public pages from memory (server/page-cache.ts) over real HTTP: the built web server with its
 * cache on, a database of this file's own, real Redis. Counts are folded in-process the way the
 * worker folds them.
 */
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { catalogue } from "~/i18n/i18n";
import { foldAllCountChanges } from "~/modules/counts/counts.server";
import { issueVerificationToken } from "~/modules/signatures/signatures.queries.server";
import { COUNT_API_CACHE, PUBLIC_CACHE } from "~/utils/http.server";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { createCampaign } from "../support/fixtures";
import { scrapeMetrics } from "../support/metrics";
import { signedInUser, TEST_SESSION_SECRET } from "../support/organisers";
import { deletePrefix, uniquePrefix } from "../support/redis";
import { postForm, startWeb, type RunningProcess } from "../support/web";

let tdb: TestDatabase;
let web: RunningProcess;
const prefix = uniquePrefix("httppagecache");
let campaign: { id: number; slug: string; title: string };

beforeAll(async () => {
  tdb = await createTestDatabase("httppagecache");
  [web, campaign] = await Promise.all([
    startWeb({ DATABASE_URL: tdb.url, REDIS_PREFIX: prefix, SESSION_SECRET: TEST_SESSION_SECRET, PAGE_CACHE: "on" }),
    createCampaign(tdb.db, { title: "Cache me" }),
  ]);
});

afterAll(async () => {
  await web?.stop();
  await tdb?.drop();
  await deletePrefix(prefix);
});

const BROWSER = { "Accept-Encoding": "br, gzip, deflate" };
const get = (path: string, headers: Record<string, string> = {}) => fetch(`${web.url}${path}`, { headers, redirect: "manual" });
const htmlLang = (html: string) => /<html lang="([^"]+)"/.exec(html)?.[1];

/** The raw bytes, as sent: node's fetch would decode them, so this asks by node:http. */
async function raw(path: string, headers: Record<string, string> = {}, method = "GET") {
  const http = await import("node:http");
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }>((resolve, reject) => {
    const req = http.request(`${web.url}${path}`, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on("error", reject);
    req.end();
  });
}

/** The cache's counters from /metrics. */
async function cacheMetrics() {
  const samples = await scrapeMetrics(web.url);
  const value = (series: string) => samples.get(series) ?? 0;
  return {
    renders: value("banner_page_cache_renders_total"),
    fromMemory: value('banner_page_cache_requests_total{result="hit"}') + value('banner_page_cache_requests_total{result="stale"}'),
  };
}

async function confirmOneSignature() {
  const email = `cache-${randomBytes(5).toString("hex")}@example.org`;
  const signed = await postForm(`${web.url}/campaigns/${campaign.slug}`, { name: "Amina Khan", email, country: "PK", consent: "on" });
  expect(signed.status).toBe(303);
  const { id } = await tdb.db.selectFrom("signatures").select("id").where("email_normalized", "=", email).executeTakeFirstOrThrow();
  const token = await issueVerificationToken(tdb.db, id);
  const confirmed = await postForm(`${web.url}/verify/${token}`, { intent: "confirm" });
  expect(confirmed.status).toBeLessThan(400);
}

describe("the in-process cache of public pages", () => {
  it("serves the campaign page compressed as asked, with the same bytes, Vary: Accept-Encoding and CDN headers", async () => {
    const path = `/campaigns/${campaign.slug}`;
    // The three encodings of one copy (a re-render between them would change the form's stamp).
    let [br, gz, plain] = await Promise.all([raw(path, BROWSER), raw(path, { "Accept-Encoding": "gzip" }), raw(path)]);
    for (let i = 0; i < 5 && !(br.headers["etag"] === `${String(plain.headers["etag"]).slice(0, -1)}-br"` && gz.headers["etag"] === `${String(plain.headers["etag"]).slice(0, -1)}-gzip"`); i++) {
      [br, gz, plain] = await Promise.all([raw(path, BROWSER), raw(path, { "Accept-Encoding": "gzip" }), raw(path)]);
    }
    expect(br.status).toBe(200);
    expect(br.headers["content-encoding"]).toBe("br");
    expect(gz.headers["content-encoding"]).toBe("gzip");
    expect(plain.headers["content-encoding"]).toBeUndefined();
    const html = plain.body.toString("utf8");
    expect(html).toContain("Cache me");
    expect(brotliDecompressSync(br.body).toString("utf8")).toBe(html);
    expect(gunzipSync(gz.body).toString("utf8")).toBe(html);
    for (const res of [br, gz, plain]) {
      expect(res.headers["vary"]).toBe("Accept-Encoding");
      expect(res.headers["cache-control"]).toBe(PUBLIC_CACHE);
      expect(res.headers["cache-control"]).toMatch(/s-maxage=1, stale-while-revalidate=\d+, stale-if-error=\d+/);
      expect(res.headers["set-cookie"]).toBeUndefined();
      expect(Number(res.headers["content-length"])).toBe(res.body.length);
      // Framing is refused as for every page.
      expect(res.headers["x-frame-options"]).toBe("DENY");
    }
    // Each encoding has its own validator, and a matching one gets a 304 without a body.
    expect(new Set([br, gz, plain].map((r) => r.headers["etag"])).size).toBe(3);
    // (A re-render in between makes a new copy with a new validator: then the body comes again.)
    let notModified = false;
    for (let i = 0; i < 5 && !notModified; i++) {
      const current = await raw(path, BROWSER);
      const again = await raw(path, { ...BROWSER, "If-None-Match": String(current.headers["etag"]) });
      if (again.status === 304) {
        notModified = true;
        expect(again.body.length).toBe(0);
      } else {
        expect(again.status).toBe(200);
        expect(again.headers["etag"]).not.toBe(current.headers["etag"]);
      }
    }
    expect(notModified, "no 304 for a matching If-None-Match").toBe(true);
    let [head, get_] = await Promise.all([raw(path, BROWSER, "HEAD"), raw(path, BROWSER)]);
    for (let i = 0; i < 5 && head.headers["etag"] !== get_.headers["etag"]; i++) [head, get_] = await Promise.all([raw(path, BROWSER, "HEAD"), raw(path, BROWSER)]);
    expect(head.status).toBe(200);
    expect(head.headers["content-length"]).toBe(get_.headers["content-length"]);
    expect(head.body.length).toBe(0);

    const api = await raw(`/api/v1/campaigns/${campaign.slug}`, BROWSER);
    expect(api.status).toBe(200);
    expect(api.headers["cache-control"]).toBe(COUNT_API_CACHE);
    expect(api.headers["vary"]).toBe("Accept-Encoding");
    expect(api.headers["access-control-allow-origin"]).toBe("*");
    const list = await raw("/api/v1/campaigns", BROWSER);
    expect(list.status).toBe(200);
    expect(list.headers["cache-control"]).toBe(COUNT_API_CACHE);
  });

  it("sends a copy from memory with the site's security headers, and a script policy with no nonce since the page has no inline script", async () => {
    const path = `/ar/campaigns/${campaign.slug}`;
    await raw(path, BROWSER);
    // (On a busy machine the copy may expire in between: then the next one is from memory.)
    let res = await raw(path, BROWSER);
    for (let i = 0; i < 5; i++) {
      const before = await cacheMetrics();
      res = await raw(path, BROWSER);
      if ((await cacheMetrics()).fromMemory > before.fromMemory) break;
    }
    expect(res.headers["x-content-type-options"]).toBe("nosniff");
    expect(res.headers["referrer-policy"]).toBe("same-origin");
    expect(res.headers["permissions-policy"]).toMatch(/camera=\(\)/);
    expect(res.headers["x-frame-options"]).toBe("DENY");
    const csp = String(res.headers["content-security-policy"]);
    expect(csp).toMatch(/frame-ancestors 'none'/);
    expect(csp).toMatch(/object-src 'none'/);
    // One copy for every visitor: a nonce in it would be everyone's, so none, and no inline script.
    expect(csp).toMatch(/script-src 'self'(;|,|$)/);
    expect(csp).not.toContain("nonce-");
    const html = brotliDecompressSync(res.body).toString("utf8");
    const scripts = [...html.matchAll(/<script\b([^>]*)>/g)].map((m) => m[1]!);
    expect(scripts.length).toBeGreaterThan(0);
    for (const attrs of scripts) expect(attrs).toMatch(/\bsrc=/);
  });

  it("renders a page once for many concurrent first views, and serves the rest from memory", async () => {
    const path = `/ur/campaigns/${campaign.slug}?ref=${randomBytes(4).toString("hex")}`;
    const before = await cacheMetrics();
    const responses = await Promise.all(Array.from({ length: 40 }, () => raw(path, BROWSER)));
    const afterBurst = await cacheMetrics();
    expect(responses.map((r) => r.status)).toEqual(responses.map(() => 200));
    // One render for the burst; on a busy machine the burst may outlast the copy's 400 ms of
    // freshness, and then one more (in the background) is right. Without one render per key at a
    // time, it would be 40.
    const rendered = afterBurst.renders - before.renders;
    expect(rendered).toBeGreaterThanOrEqual(1);
    expect(rendered).toBeLessThanOrEqual(2);
    expect(new Set(responses.map((r) => r.headers["etag"])).size).toBeLessThanOrEqual(rendered);
    // The views that follow come from memory.
    for (let i = 0; i < 5; i++) await raw(path, BROWSER);
    expect((await cacheMetrics()).fromMemory - afterBurst.fromMemory).toBeGreaterThanOrEqual(1);
  });

  it("shows a confirmation on the page and in the API within a second of its fold, while the page is being read", async () => {
    const api = `/api/v1/campaigns/${campaign.slug}`;
    const page = `/campaigns/${campaign.slug}`;
    const countOf = async () => ((await (await get(api, BROWSER)).json()) as { signatureCount: number }).signatureCount;
    await foldAllCountChanges(tdb.db);
    const start = await countOf();
    // Readers keep the copies warm (so this measures the cache, not a first render).
    let reading = true;
    const readers = Array.from({ length: 4 }, async () => {
      while (reading) await Promise.all([get(api, BROWSER).then((r) => r.arrayBuffer()), get(page, BROWSER).then((r) => r.arrayBuffer())]);
    });
    try {
      await new Promise((r) => setTimeout(r, 300));
      await confirmOneSignature();
      await foldAllCountChanges(tdb.db);
      const folded = Date.now();
      let apiSeenAt = 0;
      let pageSeenAt = 0;
      const expected = start + 1;
      // When the request that first showed it was sent: how old the copy was, not how slow this
      // busy machine was to answer.
      while ((!apiSeenAt || !pageSeenAt) && Date.now() - folded < 3000) {
        const sentAt = Date.now();
        const [count, html] = await Promise.all([countOf(), get(page, BROWSER).then((r) => r.text())]);
        if (!apiSeenAt && count === expected) apiSeenAt = sentAt;
        if (!pageSeenAt && html.includes(`data-count="${expected}"`)) pageSeenAt = sentAt;
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(apiSeenAt, "the API never showed the confirmation").toBeGreaterThan(0);
      expect(pageSeenAt, "the page never showed the confirmation").toBeGreaterThan(0);
      expect(apiSeenAt - folded).toBeLessThanOrEqual(1000);
      expect(pageSeenAt - folded).toBeLessThanOrEqual(1000);
    } finally {
      reading = false;
      await Promise.all(readers);
    }
  });

  it("shows an edit of the campaign within a second, in the page and the list", async () => {
    const path = `/tr/campaigns/${campaign.slug}`;
    expect(await (await get(path, BROWSER)).text()).toContain("Cache me");
    expect(await (await get(path, BROWSER)).text()).toContain("Cache me"); // now from memory
    await tdb.db.updateTable("campaigns").set({ title: "Cache me, edited" }).where("id", "=", campaign.id).execute();
    const edited = Date.now();
    let seenAt = 0;
    while (!seenAt && Date.now() - edited < 3000) {
      const sentAt = Date.now();
      const [page, list] = await Promise.all([get(path, BROWSER).then((r) => r.text()), get("/api/v1/campaigns", BROWSER).then((r) => r.text())]);
      if (page.includes("Cache me, edited") && list.includes("Cache me, edited")) seenAt = sentAt;
      else await new Promise((r) => setTimeout(r, 20));
    }
    expect(seenAt, "the edit never showed").toBeGreaterThan(0);
    expect(seenAt - edited).toBeLessThanOrEqual(1000);
    await tdb.db.updateTable("campaigns").set({ title: "Cache me" }).where("id", "=", campaign.id).execute();
  });

  it("never keeps or serves a signed-in response", async () => {
    const user = await signedInUser(tdb.db);
    const path = `/ms/campaigns/${campaign.slug}?fresh=${randomBytes(4).toString("hex")}`;
    // The signed-in view comes first, on a key nobody has asked for: a naive cache would keep it.
    const mine = await get(path, { ...BROWSER, Cookie: user.cookie });
    expect(mine.status).toBe(200);
    expect(mine.headers.get("cache-control")).toBe("private, no-store");
    // Signed in, the header links to the account; nobody else may be shown that.
    expect(await mine.text()).toContain('href="/account"');
    for (let i = 0; i < 3; i++) {
      const anonymous = await get(path, BROWSER);
      expect(anonymous.headers.get("cache-control")).toBe(PUBLIC_CACHE);
      expect(await anonymous.text()).not.toContain('href="/account"');
    }
    // And a cached copy is never what a signed-in visitor gets.
    const again = await get(path, { ...BROWSER, Cookie: `lang=ur; ${user.cookie}` });
    expect(again.headers.get("cache-control")).toBe("private, no-store");
    expect(await again.text()).toContain('href="/account"');
  });

  it("renders in a thread of lower priority than the one answering views (Linux: a thread's own nice value)", async () => {
    expect((await get(`/campaigns/${campaign.slug}?nice=${randomBytes(4).toString("hex")}`, BROWSER)).status).toBe(200);
    // Field 19 of /proc/<pid>/task/<tid>/stat is the thread's nice value; the command name in
    // field 2 may hold spaces, so fields are counted after its closing parenthesis.
    const niceOf = (tid: string) => {
      const stat = readFileSync(`/proc/${web.child.pid}/task/${tid}/stat`, "utf8");
      return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16]);
    };
    const threads = readdirSync(`/proc/${web.child.pid}/task`);
    const nices = threads.map(niceOf);
    // The main thread (its id is the process id) answers at the process's own priority (whatever
    // the test run was started with); one thread, the renderer, runs ten steps below it.
    const base = niceOf(String(web.child.pid));
    expect(base).toBeLessThan(19);
    expect(nices.filter((n) => n === Math.min(19, base + 10))).toHaveLength(1);
    expect(nices.filter((n) => n !== base)).toHaveLength(1);
  });

  it("leaves what is not cacheable to Remix: an unknown campaign is a 404 every time", async () => {
    for (let i = 0; i < 3; i++) {
      const res = await get("/campaigns/no-such-campaign-here", BROWSER);
      expect(res.status).toBe(404);
      expect(res.headers.get("cache-control") ?? "").not.toMatch(/public/);
    }
    const api = await get("/api/v1/campaigns/Not_A_Slug", BROWSER);
    expect(api.status).toBe(400);
  });
});

describe("a public page's language is in its URL", () => {
  it("serves the unprefixed URL in the default language whatever the cookie or Accept-Language, varying by encoding only", async () => {
    const choices: Record<string, string>[] = [{}, { Cookie: "lang=ur" }, { "Accept-Language": "ar-SA,ar;q=0.9" }, { Cookie: "lang=tr", "Accept-Language": "ms" }];
    for (const headers of choices) {
      for (const path of [`/campaigns/${campaign.slug}`, "/"]) {
        const res = await get(path, { ...BROWSER, ...headers });
        expect(res.status, path).toBe(200);
        expect(htmlLang(await res.text()), `${path} ${JSON.stringify(headers)}`).toBe("en");
        expect(res.headers.get("vary"), path).toBe("Accept-Encoding");
        expect(res.headers.get("set-cookie"), path).toBeNull();
      }
    }
  });

  it("serves a prefixed URL in its language, setting no cookie", async () => {
    for (const lang of ["ur", "ar", "ms", "tr", "en"]) {
      const res = await get(`/${lang}/campaigns/${campaign.slug}`, { ...BROWSER, Cookie: "lang=ar", "Accept-Language": "tr" });
      expect(res.status).toBe(200);
      const html = await res.text();
      expect(htmlLang(html)).toBe(lang);
      expect(html).toContain(catalogue(lang as "ur")["form.submit"].replace(/&/g, "&amp;").replace(/'/g, "&#x27;"));
      expect(res.headers.get("vary")).toBe("Accept-Encoding");
      expect(res.headers.get("set-cookie")).toBeNull();
    }
  });
});
