/**
 * Reach over HTTP: share links with referral codes, Open Graph tags, the social card, the QR code
 * page, the widget's framing policy and signing inside it. The built web server, a database of
 * this file's own, real Redis; no worker (outbox rows stay where the transactions wrote them).
 */
import QRCode from "qrcode";
import { sql } from "kysely";
import { beforeAll, describe, expect, it } from "vitest";
import { commitSessionCookie } from "~/modules/accounts/session-cookie.server";
import { createSession } from "~/modules/accounts/sessions.server";
import { issueVerificationToken } from "~/modules/signatures/signatures.queries.server";
import type { TestDatabase } from "../support/db";
import { createCampaign } from "../support/fixtures";
import { integrationStack, type WebServer } from "../support/stack";
import { postForm } from "../support/web";

const stack = integrationStack({ label: "httpreach", web: true });
let tdb: TestDatabase;
let web: WebServer;

beforeAll(() => {
  tdb = stack.database;
  web = stack.web;
});

let n = 0;
const fresh = (label: string) => `${label}-${Date.now()}-${n++}@example.org`;
const decode = (s: string) => s.replace(/&amp;/g, "&").replace(/&quot;/g, '"').replace(/&#x27;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">");

/** The content of each <meta property|name="key"> on a page, in document order. */
function metaTags(html: string): Record<string, string[]> {
  const tags: Record<string, string[]> = {};
  for (const m of html.matchAll(/<meta (?:property|name)="([^"]+)" content="([^"]*)"\/?>/g)) (tags[m[1]!] ??= []).push(decode(m[2]!));
  return tags;
}

async function signatureOf(email: string) {
  return tdb.db
    .selectFrom("signatures")
    .select(["id", "status", "referral_code", "referred_by", "referral_channel", "source", "partner_id", "locale", "opt_in_partner"])
    .where("email_normalized", "=", email.toLowerCase())
    .executeTakeFirstOrThrow();
}

const signFields = (email: string, extra: Record<string, string> = {}) => ({ name: "Amina Raza", email, country: "PK", consent: "on", ...extra });

/** Confirms like the emailed link does: a POST to /verify/:token. Returns the confirmation page. */
async function confirm(signatureId: number): Promise<string> {
  const token = await issueVerificationToken(tdb.db, signatureId);
  const res = await postForm(`${web.url}/verify/${token}`, { intent: "confirm" }, { headers: { Origin: web.url } });
  expect(res.status).toBe(200);
  return res.text();
}

async function partner(campaignId: number, code: string) {
  const org = await tdb.db.insertInto("organisations").values({ slug: `org-${code}`, name: `Partner ${code}` }).returning("id").executeTakeFirstOrThrow();
  return tdb.db
    .insertInto("campaign_partners")
    .values({ campaign_id: campaignId, organisation_id: org.id, share_code: code, status: "accepted" })
    .returning("id")
    .executeTakeFirstOrThrow();
}

describe("share links", () => {
  it("after confirming, signer A's links carry A's code and the channel; B signing through one is recorded as referred by A", async () => {
    const campaign = await createCampaign(tdb.db);
    const a = fresh("sharer");
    expect((await postForm(`${web.url}/campaigns/${campaign.slug}`, signFields(a), { headers: { Origin: web.url } })).status).toBe(303);
    const signerA = await signatureOf(a);

    const page = await confirm(signerA.id);
    const channels = [...page.matchAll(/data-channel="([a-z]+)"/g)].map((m) => m[1]);
    expect(channels).toEqual(["whatsapp", "telegram", "x", "facebook", "email"]);
    expect(page).toContain(`<input id="share-link" type="text" readonly="" dir="ltr" data-select-on-focus="true" value="${web.url}/campaigns/${campaign.slug}?ref=${signerA.referral_code}&amp;via=link"/>`);
    const whatsapp = decode(page.match(/href="(https:\/\/wa\.me\/\?text=[^"]+)"/)![1]!);
    const message = new URL(whatsapp).searchParams.get("text")!;
    const shared = message.split("\n").at(-1)!;
    expect(shared).toBe(`${web.url}/campaigns/${campaign.slug}?ref=${signerA.referral_code}&via=whatsapp`);

    // B opens A's link: the form carries the code and the channel back…
    const landing = await (await fetch(shared)).text();
    expect(landing).toContain(`<input type="hidden" name="ref" value="${signerA.referral_code}"/>`);
    expect(landing).toContain('<input type="hidden" name="via" value="whatsapp"/>');
    // …and B signs and confirms.
    const b = fresh("recruit");
    const signed = await postForm(shared, signFields(b, { ref: signerA.referral_code!, via: "whatsapp" }), { headers: { Origin: web.url } });
    expect(signed.status).toBe(303);
    await confirm((await signatureOf(b)).id);
    expect(await signatureOf(b)).toMatchObject({ status: "confirmed", referred_by: signerA.id, referral_channel: "whatsapp" });
  });

  it("on the campaign page, where no signer is known, share links carry the channel only; an Urdu message reads right to left", async () => {
    const campaign = await createCampaign(tdb.db);
    const page = await (await fetch(`${web.url}/ur/campaigns/${campaign.slug}`)).text();
    const whatsapp = decode(page.match(/href="(https:\/\/wa\.me\/\?text=[^"]+)"/)![1]!);
    const message = new URL(whatsapp).searchParams.get("text")!;
    expect(message.startsWith("\u200F")).toBe(true); // right-to-left mark
    expect(message.split("\n").at(-1)).toBe(`${web.url}/ur/campaigns/${campaign.slug}?via=whatsapp`);
    const links = [...page.matchAll(/data-channel="[a-z]+"|value="http[^"]*"/g)].length;
    expect(links).toBeGreaterThan(5);
    expect(page).not.toMatch(/[?&;]ref(=|%3D)/);
    expect(page).toContain(`href="/ur/campaigns/${campaign.slug}/qr"`);
  });
});

describe("Open Graph and Twitter cards", () => {
  it("describe the campaign in the page's language, with its card image and the other languages as alternates", async () => {
    const campaign = await createCampaign(tdb.db, { title: "Convene the council" });
    await tdb.db
      .insertInto("campaign_translations")
      .values({ campaign_id: campaign.id, locale: "ur", title: "کونسل کا اجلاس بلائیں", summary: "اردو خلاصہ", ask: "اجلاس بلائیں", addressed_to: "وزرائے خارجہ", argument_md: "دلیل" })
      .execute();

    const ur = metaTags(await (await fetch(`${web.url}/ur/campaigns/${campaign.slug}`)).text());
    expect(ur["og:title"]).toEqual(["کونسل کا اجلاس بلائیں"]);
    expect(ur["og:description"]).toEqual(["اردو خلاصہ"]);
    expect(ur["og:url"]).toEqual([`${web.url}/ur/campaigns/${campaign.slug}`]);
    expect(ur["og:locale"]).toEqual(["ur_PK"]);
    expect(ur["og:locale:alternate"]).toEqual(["en_GB"]);
    expect(ur["og:image"]).toEqual([`${web.url}/campaigns/${campaign.slug}/card.png?lang=ur&v=0`]);
    expect(ur["og:image:width"]).toEqual(["1200"]);
    expect(ur["og:image:height"]).toEqual(["630"]);
    expect(ur["og:image:alt"]![0]).toContain("کونسل کا اجلاس بلائیں");
    expect(ur["twitter:card"]).toEqual(["summary_large_image"]);

    const en = metaTags(await (await fetch(`${web.url}/campaigns/${campaign.slug}`, { headers: { "Accept-Language": "en" } })).text());
    expect(en["og:title"]).toEqual(["Convene the council"]);
    expect(en["og:locale"]).toEqual(["en_GB"]);
    expect(en["og:locale:alternate"]).toEqual(["ur_PK"]);
    expect(en["og:image"]).toEqual([`${web.url}/campaigns/${campaign.slug}/card.png?lang=en&v=0`]);
  });
});

describe("GET /campaigns/:slug/card.png", () => {
  const pngSize = (png: Buffer) => ({ width: png.readUInt32BE(16), height: png.readUInt32BE(20) });
  const cardRow = (campaignId: number, locale: string) =>
    tdb.db.selectFrom("social_cards").select(["fingerprint", "rendered_at"]).where("campaign_id", "=", campaignId).where("locale", "=", locale).executeTakeFirst();
  const setCount = (campaignId: number, confirmed: number) =>
    tdb.db
      .insertInto("campaign_counts")
      .values({ campaign_id: campaignId, confirmed, updated_at: sql`now()` })
      .onConflict((oc) => oc.column("campaign_id").doUpdateSet({ confirmed }))
      .execute();

  it("is a 1200×630 PNG, kept in Postgres and served from there until the count's bucket moves", async () => {
    const campaign = await createCampaign(tdb.db);
    const url = `${web.url}/campaigns/${campaign.slug}/card.png?lang=ur`;
    const first = await fetch(url);
    expect(first.status).toBe(200);
    expect(first.headers.get("content-type")).toBe("image/png");
    expect(first.headers.get("cache-control")).toMatch(/^public, max-age=\d+/);
    const png = Buffer.from(await first.arrayBuffer());
    expect(png.subarray(0, 8).toString("hex")).toBe("89504e470d0a1a0a");
    expect(pngSize(png)).toEqual({ width: 1200, height: 630 });
    const etag = first.headers.get("etag")!;
    const stored = (await cardRow(campaign.id, "ur"))!;
    expect(`"${stored.fingerprint}"`).toBe(etag);

    // Again: the stored card, not drawn anew; a conditional request gets a 304.
    const second = await fetch(url);
    expect(second.headers.get("etag")).toBe(etag);
    expect(Buffer.from(await second.arrayBuffer()).equals(png)).toBe(true);
    expect((await cardRow(campaign.id, "ur"))!.rendered_at).toEqual(stored.rendered_at);
    expect((await fetch(url, { headers: { "If-None-Match": etag } })).status).toBe(304);

    // The count moves: a new card.
    await setCount(campaign.id, 1234);
    const third = await fetch(url);
    const etag1234 = third.headers.get("etag")!;
    expect(etag1234).not.toBe(etag);
    expect(Buffer.from(await third.arrayBuffer()).equals(png)).toBe(false);
    expect(`"${(await cardRow(campaign.id, "ur"))!.fingerprint}"`).toBe(etag1234);

    // Within the same bucket (1,200+), the card stays.
    await setCount(campaign.id, 1260);
    expect((await fetch(url)).headers.get("etag")).toBe(etag1234);
    await setCount(campaign.id, 1300);
    expect((await fetch(url)).headers.get("etag")).not.toBe(etag1234);
  });

  it("keeps one card per language, and answers 404 for a campaign the public cannot see", async () => {
    const campaign = await createCampaign(tdb.db);
    const en = await fetch(`${web.url}/campaigns/${campaign.slug}/card.png?lang=en`);
    const ar = await fetch(`${web.url}/campaigns/${campaign.slug}/card.png?lang=ar`);
    expect(en.headers.get("etag")).not.toBe(ar.headers.get("etag"));
    const draft = await createCampaign(tdb.db, { status: "draft" });
    expect((await fetch(`${web.url}/campaigns/${draft.slug}/card.png`)).status).toBe(404);
    expect((await fetch(`${web.url}/campaigns/Not_A_Slug/card.png`)).status).toBe(404);
  });
});

describe("GET /campaigns/:slug/qr", () => {
  it("is a printable page with the campaign's link as a QR code, the title and the link written out", async () => {
    const campaign = await createCampaign(tdb.db, { title: "Print me" });
    const res = await fetch(`${web.url}/campaigns/${campaign.slug}/qr`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<h1 id="qr-title">Print me</h1>');
    const expected = await QRCode.toString(`${web.url}/campaigns/${campaign.slug}?via=qr`, { type: "svg", errorCorrectionLevel: "M", margin: 2 });
    expect(html).toContain(expected);
    expect(html).toContain(`${new URL(web.url).host}/campaigns/${campaign.slug}`);
    const css = await (await fetch(`${web.url}${html.match(/href="(\/assets\/app-[^"]+\.css)"/)![1]}`)).text();
    expect(css).toMatch(/@media print\{[^}]*\.site-header/);
  });
});

describe("framing", () => {
  it("no page but the widget may be framed", async () => {
    const campaign = await createCampaign(tdb.db);
    for (const path of ["/", `/campaigns/${campaign.slug}`, "/login", `/campaigns/${campaign.slug}/qr`]) {
      const res = await fetch(`${web.url}${path}`);
      expect(res.headers.get("x-frame-options"), path).toBe("DENY");
      // The framing rule and the script policy (server/security-headers.ts) are separate headers,
      // which fetch joins with ", ": every one of them must deny framing or leave it unsaid.
      const policies = res.headers.get("content-security-policy")!.split(", ");
      expect(policies, path).toContain("frame-ancestors 'none'");
      for (const policy of policies) expect(policy, path).not.toMatch(/frame-ancestors (?!'none')/);
    }
  });

  it("the widget may be framed by exactly the origins its organisers allowed, under a policy with no inline script", async () => {
    const campaign = await createCampaign(tdb.db);
    const url = `${web.url}/embed/campaigns/${campaign.slug}`;
    const before = await fetch(url);
    expect(before.status).toBe(200);
    expect(before.headers.get("x-frame-options")).toBeNull();
    expect(before.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");

    await tdb.db.insertInto("campaign_embed_origins").values([{ campaign_id: campaign.id, origin: "https://partner.example" }, { campaign_id: campaign.id, origin: "http://localhost:8080" }]).execute();
    const after = await fetch(url);
    const policy = after.headers.get("content-security-policy")!;
    const directives = Object.fromEntries(policy.split(/;\s*/).map((d) => [d.split(" ")[0], d.split(" ").slice(1)]));
    expect(directives["frame-ancestors"]).toEqual(["http://localhost:8080", "https://partner.example"]);
    expect(directives["default-src"]).toEqual(["'self'"]);
    expect(directives["script-src"]).toEqual(["'self'"]);
    expect(directives["style-src"]!.every((s: string) => s === "'self'" || s.startsWith("'sha256-"))).toBe(true);
    const html = await after.text();
    // Every <script> has a src on our origin; the page is a plain form (no Remix client scripts).
    const scripts = [...html.matchAll(/<script\b([^>]*)>/g)].map((m) => m[1]!);
    expect(scripts).toEqual([' src="/embed-frame.js" defer=""']);
    expect(html).not.toContain("window.__remixContext");
    // The only inline <style> (fonts, in ur/ar) is allowed by its hash.
    const urPage = await fetch(`${url}?lang=ur`);
    const urHtml = await urPage.text();
    const style = urHtml.match(/<style[^>]*>([^<]+)<\/style>/)![1]!;
    const { createHash } = await import("node:crypto");
    expect(urPage.headers.get("content-security-policy")).toContain(`'sha256-${createHash("sha256").update(decode(style)).digest("base64")}'`);
    expect(urHtml).toMatch(/<html lang="ur" dir="rtl">/);

    // Another campaign's widget keeps its own (empty) list; an unknown campaign's is denied too.
    const other = await createCampaign(tdb.db);
    expect((await fetch(`${web.url}/embed/campaigns/${other.slug}`)).headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    const missing = await fetch(`${web.url}/embed/campaigns/no-such-campaign`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get("content-security-policy")!.split(", ")[0]).toBe("frame-ancestors 'none'");
    expect(missing.headers.get("content-security-policy")).not.toMatch(/frame-ancestors (?!'none')/);
  });
});

describe("signing in the widget", () => {
  it("records the partner from the frame's URL and source 'widget', keeps the double opt-in, and shows check-your-inbox in the frame", async () => {
    const campaign = await createCampaign(tdb.db);
    const p = await partner(campaign.id, "widgetpartner");
    await tdb.db.insertInto("campaign_embed_origins").values({ campaign_id: campaign.id, origin: "https://partner.example" }).execute();
    const url = `${web.url}/embed/campaigns/${campaign.slug}?partner=widgetpartner&lang=ur`;
    const form = await (await fetch(url)).text();
    // The form posts back to the same URL (language and partner kept), from our own origin.
    expect(form).toMatch(new RegExp(`<form method="post" action="/embed/campaigns/${campaign.slug}\\?partner=widgetpartner&amp;lang=ur"`));

    // No cookies at all (a cross-site frame gets none); the POST comes from the frame, whose origin is ours.
    const email = fresh("widget");
    const res = await postForm(url, signFields(email, { optInPartner: "on" }), { headers: { Origin: web.url } });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`/embed/campaigns/${campaign.slug}/signed?partner=widgetpartner&lang=ur`);
    expect(res.headers.get("content-security-policy")).toContain("frame-ancestors https://partner.example");
    const row = await signatureOf(email);
    expect(row).toMatchObject({ status: "pending", source: "widget", partner_id: p.id, opt_in_partner: true, locale: "ur" });
    const outbox = await tdb.db.selectFrom("outbox").select("payload").where("topic", "=", "signature.verification").execute();
    expect(outbox.some((o) => (o.payload as { signatureId: number }).signatureId === row.id)).toBe(true);

    const signed = await fetch(`${web.url}${res.headers.get("location")}`);
    expect(signed.headers.get("content-security-policy")).toContain("frame-ancestors https://partner.example");
    const html = await signed.text();
    expect(html).toContain("<h1>اپنا ان باکس دیکھیں</h1>");
    expect(html).not.toContain('class="site-header"');
  });

  it("re-renders the form with errors, under the same policy, and stores nothing", async () => {
    const campaign = await createCampaign(tdb.db);
    const res = await postForm(`${web.url}/embed/campaigns/${campaign.slug}`, { name: "X", email: "not-an-address", country: "PK" }, { headers: { Origin: web.url } });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(await res.text()).toContain('id="sign-errors"');
    const count = await tdb.db.selectFrom("signatures").select(sql<number>`count(*)::int`.as("n")).where("campaign_id", "=", campaign.id).executeTakeFirstOrThrow();
    expect(count.n).toBe(0);
  });
});

describe("the organisers' embed page", () => {
  async function organiserOf(organisationId: number) {
    const email = fresh("org");
    const user = await tdb.db
      .insertInto("users")
      .values({ email, email_normalized: email, display_name: "Org", password_hash: "x", email_confirmed_at: sql`now()` })
      .returning("id")
      .executeTakeFirstOrThrow();
    await tdb.db.insertInto("memberships").values({ organisation_id: organisationId, user_id: user.id, role: "organiser" }).execute();
    return (await commitSessionCookie(await createSession(tdb.db, user.id))).split(";")[0]!;
  }
  const newOrg = async (slug: string) => tdb.db.insertInto("organisations").values({ slug, name: slug }).returning("id").executeTakeFirstOrThrow();

  it("lets the campaign's organisers allow and remove origins, normalised; refuses paths and other organisations", async () => {
    const org = await newOrg(`embed-org-${n++}`);
    const campaign = await createCampaign(tdb.db);
    await tdb.db.updateTable("campaigns").set({ organisation_id: org.id }).where("id", "=", campaign.id).execute();
    const cookie = await organiserOf(org.id);
    const page = `${web.url}/dashboard/campaigns/${campaign.id}/embed`;
    const post = (fields: Record<string, string>, who = cookie) => postForm(page, fields, { headers: { Origin: web.url, Cookie: who } });

    expect((await post({ intent: "allow", origin: "https://Partner.Example/" })).status).toBe(303);
    const html = await (await fetch(page, { headers: { Cookie: cookie } })).text();
    expect(html).toContain('<span dir="ltr">https://partner.example</span>');
    expect(decode(html)).toContain(`<iframe src="${web.url}/embed/campaigns/${campaign.slug}"`);
    expect((await fetch(`${web.url}/embed/campaigns/${campaign.slug}`)).headers.get("content-security-policy")).toMatch(/frame-ancestors https:\/\/partner\.example$/);

    const withPath = await post({ intent: "allow", origin: "https://partner.example/petition" });
    expect(withPath.status).toBe(400);
    expect(await withPath.text()).toContain("Enter a site address such as https://partner.example");

    const stranger = await organiserOf((await newOrg(`other-org-${n++}`)).id);
    expect((await post({ intent: "allow", origin: "https://evil.example" }, stranger)).status).toBe(404);
    expect((await fetch(page, { headers: { Cookie: stranger } })).status).toBe(404);

    const origins = () => tdb.db.selectFrom("campaign_embed_origins").select("origin").where("campaign_id", "=", campaign.id).execute();
    expect(await origins()).toEqual([{ origin: "https://partner.example" }]);
    const audit = await tdb.db.selectFrom("audit_log").select(["action", "subject"]).where("campaign_id", "=", campaign.id).execute();
    expect(audit).toEqual([{ action: "embed.origin.allow", subject: "https://partner.example" }]);

    expect((await post({ intent: "remove", origin: "https://partner.example" })).status).toBe(303);
    expect(await origins()).toEqual([]);
  });
});
