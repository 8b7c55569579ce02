/**
 * Languages over real HTTP: the built web server, a database of this file's own with the demo
 * campaign in all five languages, real Redis, and (for the email) the worker in-process with a
 * real SMTP server.
 */
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { catalogue } from "~/i18n/i18n";
import { DEMO_CAMPAIGN, DEMO_CAMPAIGN_TRANSLATIONS } from "~/modules/campaigns/demo-campaign";
import { saveCampaignTranslation } from "~/modules/campaigns/save-campaign-translation.server";
import { seedDemoCampaign } from "~/modules/campaigns/seed-demo-campaign.server";
import type { RunningWorker } from "../../workers/worker";
import { startTestWorker } from "../support/worker";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { createCampaign, organiserOf } from "../support/fixtures";
import { deletePrefix, uniquePrefix } from "../support/redis";
import { startSmtpServer, type TestSmtpServer } from "../support/smtp";
import { postForm, startWeb, type RunningProcess } from "../support/web";

let tdb: TestDatabase;
let web: RunningProcess;
let smtp: TestSmtpServer;
let worker: RunningWorker;
const prefix = uniquePrefix("httpi18n");
const demo = DEMO_CAMPAIGN.slug;

beforeAll(async () => {
  tdb = await createTestDatabase("httpi18n");
  await seedDemoCampaign(tdb.db);
  smtp = await startSmtpServer();
  web = await startWeb({ DATABASE_URL: tdb.url, REDIS_PREFIX: prefix });
  worker = await startTestWorker({
    databaseUrl: tdb.url,
    redisPrefix: prefix,
    smtpUrl: smtp.url,
    appUrl: web.url,
  });
});

afterAll(async () => {
  await worker?.stop();
  await web?.stop();
  await smtp?.close();
  await tdb?.drop();
  await deletePrefix(prefix);
});

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${web.url}${path}`, { headers, redirect: "manual" });
const htmlTag = (html: string) => /<html lang="([^"]+)" dir="([^"]+)"/.exec(html)?.slice(1, 3);
const escaped = (text: string) => text.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/'/g, "&#x27;");

/** Page bodies are long: a failure names the snippet, not the whole page. */
function expectInPage(html: string, snippet: string, present = true) {
  expect(html.includes(snippet), `the page ${present ? "lacks" : "contains"} ${JSON.stringify(snippet)}`).toBe(present);
}

describe("the page's language", () => {
  it("is the URL's on public pages: the prefix, else English, whatever the cookie or Accept-Language say", async () => {
    const cookieAr = { Cookie: "lang=ar", "Accept-Language": "tr-TR,tr;q=0.9" };
    const cases: [string, Record<string, string>, [string, string]][] = [
      [`/ur/campaigns/${demo}`, cookieAr, ["ur", "rtl"]],
      [`/ms/campaigns/${demo}`, cookieAr, ["ms", "ltr"]],
      [`/campaigns/${demo}`, cookieAr, ["en", "ltr"]],
      [`/campaigns/${demo}`, { "Accept-Language": "tr-TR,tr;q=0.9,en;q=0.8" }, ["en", "ltr"]],
      [`/campaigns/${demo}`, { Cookie: "lang=xx", "Accept-Language": "ar-SA" }, ["en", "ltr"]],
      [`/campaigns/${demo}`, {}, ["en", "ltr"]],
    ];
    for (const [path, headers, expected] of cases) {
      const res = await get(path, headers);
      expect(res.status, path).toBe(200);
      expect(htmlTag(await res.text()), `${path} ${JSON.stringify(headers)}`).toEqual(expected);
    }
  });

  it("comes from the cookie, then Accept-Language, on pages that have no prefixed form", async () => {
    const cases: [Record<string, string>, [string, string]][] = [
      [{ Cookie: "lang=ar", "Accept-Language": "tr-TR,tr;q=0.9" }, ["ar", "rtl"]],
      [{ "Accept-Language": "de-DE, ur-PK;q=0.4" }, ["ur", "rtl"]],
      [{ "Accept-Language": "de-DE, fr;q=0.5" }, ["en", "ltr"]],
    ];
    for (const [headers, expected] of cases) {
      const res = await get("/login", headers);
      expect(res.status).toBe(200);
      expect(htmlTag(await res.text()), JSON.stringify(headers)).toEqual(expected);
    }
  });

  it("renders the whole page in it: labels, the count, the switcher, the demo campaign's own text", async () => {
    const html = await (await get(`/ur/campaigns/${demo}`)).text();
    const ur = catalogue("ur");
    for (const key of ["form.name", "form.email", "form.submit", "campaign.theAsk", "campaign.signHeading"] as const) expectInPage(html, escaped(ur[key]));
    expectInPage(html, escaped(DEMO_CAMPAIGN_TRANSLATIONS.ur.title));
    expectInPage(html, DEMO_CAMPAIGN_TRANSLATIONS.ur.ask);
    expectInPage(html, DEMO_CAMPAIGN.ask, false);
    expectInPage(html, 'data-testid="content-language-notice"', false);
    // The switcher: plain links to the same page in each language, each named in its own script.
    for (const [lang, name] of [["en", "English"], ["ur", "اردو"], ["ar", "العربية"], ["ms", "Bahasa Melayu"], ["tr", "Türkçe"]])
      expect(html).toMatch(new RegExp(`<a href="/${lang}/campaigns/${demo}" lang="${lang}" hrefLang="${lang}"[^>]*>${name}</a>`, "i"));
    // Urdu's font: the device's copy first, else ours from this origin; never preloaded, since a
    // preload would fetch it on the phones that have it (ADR 0014).
    expect(html).toMatch(/src:local\("Noto Nastaliq Urdu Regular"\),[^;]*url\(\/assets\/noto-nastaliq-urdu-400-[\w-]+\.woff2\) format\("woff2"\)/);
    expectInPage(html, 'rel="preload" as="font"', false);
    expectInPage(html, "fonts.googleapis", false);
  });

  it("loads the Nastaliq and Naskh fonts only on Urdu and Arabic pages", async () => {
    const pages = await Promise.all(["/ur", "/ar", "/", "/ms", "/tr"].map(async (p) => (await get(p)).text()));
    const [ur, ar, en, ms, tr] = pages.map((html) => ({ nastaliq: html.includes("noto-nastaliq-urdu"), naskh: html.includes("noto-naskh-arabic") }));
    expect(ur).toEqual({ nastaliq: true, naskh: false });
    expect(ar).toEqual({ nastaliq: false, naskh: true });
    for (const other of [en, ms, tr]) expect(other).toEqual({ nastaliq: false, naskh: false });
    const font = /url\((\/assets\/noto-nastaliq-urdu-400-[\w-]+\.woff2)\)/.exec(pages[0]!)![1]!;
    const res = await get(font);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/font\/woff2/);
  });

  it("keeps the unprefixed URLs working, and every prefixed page too", async () => {
    for (const path of ["/", `/campaigns/${demo}`, `/campaigns/${demo}/signed`, "/ur", "/ar/", `/ar/campaigns/${demo}/signed`, `/tr/campaigns/${demo}`, "/en"]) {
      expect((await get(path)).status, path).toBe(200);
    }
  });

  it("answers 404 for a prefix that is not one of our languages, and never takes it as one", async () => {
    for (const path of [`/xx/campaigns/${demo}`, "/de", "/fr/", `/urdu/campaigns/${demo}`, `/xx/campaigns/${demo}/signed`, "/UR"]) {
      const res = await get(path);
      expect(res.status, path).toBe(404);
      expect(res.headers.get("set-cookie"), path).toBeNull();
    }
    // A page that does not exist under a real prefix is a 404 too, in that language.
    const missing = await get("/ur/no-such-page");
    expect(missing.status).toBe(404);
    expect(htmlTag(await missing.text())).toEqual(["ur", "rtl"]);
    const before = await tdb.db.selectFrom("signatures").select(sql<number>`count(*)::int`.as("n")).executeTakeFirstOrThrow();
    const res = await postForm(`${web.url}/xx/campaigns/${demo}`, { name: "A", email: "a@example.org", country: "PK", consent: "on" });
    expect(res.status).toBe(404);
    const after = await tdb.db.selectFrom("signatures").select(sql<number>`count(*)::int`.as("n")).executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });

  it("sets no cookie on a public page, which varies by nothing but its encoding", async () => {
    for (const [path, headers] of [
      [`/ur/campaigns/${demo}`, {}],
      [`/ur/campaigns/${demo}`, { Cookie: "lang=ar" }],
      [`/campaigns/${demo}`, { "Accept-Language": "ar" }],
      ["/ar", { Cookie: "lang=ur" }],
    ] as const) {
      const res = await get(path, { "Accept-Encoding": "br, gzip", ...headers });
      expect(res.headers.get("set-cookie"), path).toBeNull();
      expect(res.headers.get("vary"), path).toBe("Accept-Encoding");
      expect(res.headers.get("cache-control"), path).toMatch(/public/);
    }
  });

  it("lists every language the campaign can be read in as an alternate of its page", async () => {
    const html = await (await get(`/campaigns/${demo}`)).text();
    for (const lang of ["en", "ur", "ar", "ms", "tr"])
      expectInPage(html, `<link rel="alternate" hrefLang="${lang}" href="${web.url}/${lang}/campaigns/${demo}"/>`);
    expectInPage(html, `<link rel="alternate" hrefLang="x-default" href="${web.url}/campaigns/${demo}"/>`);
  });
});

describe("campaign content in the page's language", () => {
  it("falls back to the default language, says so in the page's language, and marks the fallback's language", async () => {
    const campaign = await createCampaign(tdb.db, { title: "Only in English" });
    const html = await (await get(`/ms/campaigns/${campaign.slug}`)).text();
    expect(htmlTag(html)).toEqual(["ms", "ltr"]);
    expectInPage(html, "Kempen ini belum tersedia dalam bahasa Melayu; versi bahasa Inggeris dipaparkan.");
    expectInPage(html, '<h1 lang="en" dir="ltr">Only in English</h1>');
    expectInPage(html, '<p class="ask" lang="en" dir="ltr">Do the right thing.</p>');
    expectInPage(html, catalogue("ms")["form.name"]);

    const urdu = await (await get(`/ur/campaigns/${campaign.slug}`)).text();
    expectInPage(urdu, catalogue("ur")["campaign.fallbackNotice"].split("{language}")[0]!);
    expectInPage(urdu, '<h1 lang="en" dir="ltr">Only in English</h1>');
    // Only the page's languages are listed as alternates: the campaign exists only in English.
    expectInPage(urdu, `href="${web.url}/ur/campaigns/${campaign.slug}"`, false);
    expectInPage(urdu, `<link rel="alternate" hrefLang="en" href="${web.url}/en/campaigns/${campaign.slug}"/>`);
  });

  it("uses a translation written for the current ask, and never one written for an older ask", async () => {
    const campaign = await createCampaign(tdb.db, { title: "Ask versions" });
    const organiser = await organiserOf(tdb.db, campaign.id);
    await saveCampaignTranslation(tdb.db, organiser, {
      campaignId: campaign.id,
      input: { locale: "tr", title: "Talep sürümleri", summary: "Bir test kampanyası.", ask: "Eski talep metni.", addressedTo: "Karar verenler", argumentMd: "Çünkü **önemli**." },
    });
    const translated = await (await get(`/tr/campaigns/${campaign.slug}`)).text();
    expectInPage(translated, "<h1>Talep sürümleri</h1>");
    expectInPage(translated, "Eski talep metni.");
    expectInPage(translated, 'data-testid="content-language-notice"', false);
    expectInPage(await (await get("/tr")).text(), "Talep sürümleri");

    // The ask changes (as the organisers' editor does when people have signed: a new ask version): the Turkish text is
    // now of a different version, so Turkish readers get the current English ask, and are told.
    await tdb.db.updateTable("campaigns").set({ ask: "The new ask.", ask_version: 2 }).where("id", "=", campaign.id).execute();
    const stale = await (await get(`/tr/campaigns/${campaign.slug}`)).text();
    expectInPage(stale, "Eski talep metni.", false);
    expectInPage(stale, "Talep sürümleri", false);
    expectInPage(stale, '<p class="ask" lang="en" dir="ltr">The new ask.</p>');
    expectInPage(stale, "Bu kampanyanın henüz Türkçe çevirisi yok; İngilizce metin gösteriliyor.");
    const home = await (await get("/tr")).text();
    expectInPage(home, "Talep sürümleri", false);
    expectInPage(home, "Ask versions");

    // Translating it again for the new ask brings it back.
    await saveCampaignTranslation(tdb.db, organiser, {
      campaignId: campaign.id,
      input: { locale: "tr", title: "Talep sürümleri", summary: "Bir test kampanyası.", ask: "Yeni talep metni.", addressedTo: "Karar verenler", argumentMd: "Çünkü." },
    });
    const fresh = await (await get(`/tr/campaigns/${campaign.slug}`)).text();
    expectInPage(fresh, "Yeni talep metni.");
    expectInPage(fresh, 'data-testid="content-language-notice"', false);
  });
});

describe("signing in a language", () => {
  it("keeps the prefix, stores the language, and the email comes in it, right-to-left, linking back in it", async () => {
    const email = `urdu-${Math.random().toString(36).slice(2)}@example.org`;
    const res = await postForm(`${web.url}/ur/campaigns/${demo}`, { name: "عائشہ خان", email, country: "PK", consent: "on" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`/ur/campaigns/${demo}/signed`);
    const row = await tdb.db.selectFrom("signatures").select(["locale"]).where("email", "=", email).executeTakeFirstOrThrow();
    expect(row.locale).toBe("ur");

    const signed = await (await get(`/ur/campaigns/${demo}/signed`)).text();
    expect(htmlTag(signed)).toEqual(["ur", "rtl"]);
    expectInPage(signed, catalogue("ur")["signed.title"]);
    expectInPage(signed, `href="/ur/campaigns/${demo}"`);

    const mail = await smtp.waitFor((m) => m.to.includes(email), 15_000);
    expect(mail.html).toContain('<html lang="ur" dir="rtl">');
    expect(mail.subject).toBe(`اپنے دستخط کی تصدیق کریں: \u2068${DEMO_CAMPAIGN_TRANSLATIONS.ur.title}\u2069`);
    expect(mail.text).toContain("آداب \u2068عائشہ خان\u2069،");
    const link = /https?:\/\/\S+\/verify\/[A-Za-z0-9_-]{43}\?lang=ur(?=\s)/.exec(mail.text)?.[0];
    expect(link, mail.text).toBeDefined();

    // The link opens the confirmation page in Urdu, whatever this browser would have picked.
    const page = await get(link!.replace(/^https?:\/\/[^/]+/, ""), { "Accept-Language": "en-GB", Cookie: "lang=tr" });
    const html = await page.text();
    expect(htmlTag(html)).toEqual(["ur", "rtl"]);
    expectInPage(html, escaped(catalogue("ur")["verify.button"]));
    expectInPage(html, DEMO_CAMPAIGN_TRANSLATIONS.ur.title);
    // The confirm button posts back to the same URL, language included, and answers in Urdu.
    const path = new URL(link!).pathname;
    expect(html).toMatch(new RegExp(`<form method="post" action="${path}\\?lang=ur"`));
    const confirmed = await postForm(`${web.url}${path}?lang=ur`, { intent: "confirm" });
    expect(confirmed.status).toBe(200);
    const done = await confirmed.text();
    expect(htmlTag(done)).toEqual(["ur", "rtl"]);
    expectInPage(done, catalogue("ur")["verify.confirmedTitle"]);
    expectInPage(done, `href="/ur/campaigns/${demo}"`);
  });

  it("without a prefix, stores the page's language, English, whatever Accept-Language says", async () => {
    const email = `arabic-${Math.random().toString(36).slice(2)}@example.org`;
    const res = await postForm(`${web.url}/campaigns/${demo}`, { name: "Layla", email, country: "SA", consent: "on" }, { headers: { "Accept-Language": "ar-SA,ar;q=0.9" } });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`/campaigns/${demo}/signed`);
    const row = await tdb.db.selectFrom("signatures").select(["locale"]).where("email", "=", email).executeTakeFirstOrThrow();
    expect(row.locale).toBe("en");
    const mail = await smtp.waitFor((m) => m.to.includes(email), 15_000);
    expect(mail.html).toContain('<html lang="en" dir="ltr">');
  });

});
