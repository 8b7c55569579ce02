/**
 * Partners, responses, ask versions and logos over real HTTP: the built web server with a database
 * and Redis prefix of this file's own. Organisers log in through /login; supporters sign through
 * the campaign page's own form.
 */
import sharp from "sharp";
import { beforeAll, describe, expect, it } from "vitest";
import { formatDate } from "~/i18n/i18n";
import type { CampaignInput } from "~/modules/campaigns/lifecycle.schema";
import { createCampaign, reviewCampaign, submitForReview } from "~/modules/campaigns/manage-campaigns.server";
import { createOrganisation } from "~/modules/organisations/organisations.server";
import type { TestDatabase } from "../support/db";
import { createTestUser } from "../support/fixtures";
import { fieldsOfPostForm } from "../support/html-forms";
import { integrationStack, type WebServer } from "../support/stack";
import { postForm } from "../support/web";

const stack = integrationStack({ label: "httppartners", web: true });
let tdb: TestDatabase;
let web: WebServer;
const PASSWORD = "a long enough passphrase";

beforeAll(async () => {
  tdb = stack.database;
  web = stack.web;
});

let n = 0;
const unique = (label: string) => `${label}-${Date.now().toString(36)}-${n++}`;
const get = (path: string, cookie = "") => fetch(`${web.url}${path}`, { headers: { Cookie: cookie }, redirect: "manual" });
const post = (path: string, fields: Record<string, string>, cookie = "") => postForm(`${web.url}${path}`, fields, { headers: { Cookie: cookie } });

/** An organiser with an organisation of their own, logged in over HTTP. */
async function organiser(label: string) {
  const user = await createTestUser(tdb.db, "user", label.toLowerCase(), { password: PASSWORD, displayName: label });
  const org = await createOrganisation(tdb.db, user, { name: `${label} org`, slug: unique(label.toLowerCase()) });
  const res = await post("/login", { email: user.email, password: PASSWORD });
  expect(res.status).toBe(303);
  return { user, org, cookie: (res.headers.get("set-cookie") ?? "").split(";")[0]! };
}

type Organiser = Awaited<ReturnType<typeof organiser>>;

async function publishedCampaign(host: Organiser) {
  const admin = await createTestUser(tdb.db, "admin");
  const input: CampaignInput = {
    slug: unique("campaign"),
    title: "Convene the CFM",
    summary: "Ask the OIC.",
    ask: "Convene the Council of Foreign Ministers on Kashmir.",
    addressedTo: "The OIC",
    argumentMd: "Because.",
    goal: 1000,
    deadline: null,
    targets: [
      { name: "OIC Secretary-General", role: "Secretary-General", country: "SA" },
      { name: "Chair of the CFM", role: "Chair", country: null },
    ],
  };
  const { id } = await createCampaign(tdb.db, host.user, host.org.slug, input);
  await submitForReview(tdb.db, host.user, id);
  await reviewCampaign(tdb.db, admin, id, { decision: "publish", note: null });
  return { id, input, slug: input.slug };
}

/** The sign form's fields as the page renders them: hidden inputs, and whether the partner opt-in is offered. */
function signFormOf(html: string) {
  const partner = html.match(/<input type="hidden" name="partner" value="([a-z0-9]+)"/)?.[1];
  return { partner, offersPartnerOptIn: html.includes('name="optInPartner"') };
}

async function signThroughPage(path: string, extra: { optInPartner?: boolean } = {}) {
  const page = await get(path);
  expect(page.status).toBe(200);
  const form = signFormOf(await page.text());
  const email = `${unique("signer")}@example.org`;
  const fields: Record<string, string> = { name: "Ayesha Khan", email, country: "PK", consent: "on" };
  if (form.partner) fields.partner = form.partner;
  if (extra.optInPartner && form.offersPartnerOptIn) fields.optInPartner = "on";
  const res = await postForm(`${web.url}${path.replace(/\?.*$/, "")}`, fields);
  expect(res.status).toBe(303);
  return { form, signature: await tdb.db.selectFrom("signatures").selectAll().where("email", "=", email).executeTakeFirstOrThrow() };
}

async function partnerIdOn(dashboardHtml: string) {
  return Number(dashboardHtml.match(/data-partnership="(\d+)"/)?.[1]);
}

describe("partners over HTTP", () => {
  it("invite → accept → share link → the real sign form records the partner and the partner opt-in; a removed partner stops", async () => {
    const alice = await organiser("Alice");
    const bob = await organiser("Bob");
    const carol = await organiser("Carol");
    const { id, slug } = await publishedCampaign(alice);
    const partnersPath = `/dashboard/campaigns/${id}/partners`;

    expect((await get(`/dashboard/campaigns/${id}`, alice.cookie)).status).toBe(200);
    expect(await (await get(`/dashboard/campaigns/${id}`, alice.cookie)).text()).toContain(`href="${partnersPath}"`);
    const unknown = await post(partnersPath, { intent: "invite", organisation: "no-such-org" }, alice.cookie);
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toContain("No organisation on Banner has that web address.");
    const self = await post(partnersPath, { intent: "invite", organisation: alice.org.slug }, alice.cookie);
    expect(self.status).toBe(400);
    expect(await self.text()).toContain("Your own organisation hosts this campaign.");
    expect((await post(partnersPath, { intent: "invite", organisation: bob.org.slug }, alice.cookie)).status).toBe(200);

    // Carol's organisation is not part of it: not by URL, not by form field.
    expect((await get(partnersPath, carol.cookie)).status).toBe(404);
    expect((await post(partnersPath, { intent: "invite", organisation: carol.org.slug }, carol.cookie)).status).toBe(404);
    const bobDashboard = await (await get("/dashboard", bob.cookie)).text();
    expect(bobDashboard).toContain("invites Bob org to join");
    const partnerId = await partnerIdOn(bobDashboard);
    expect(partnerId).toBeGreaterThan(0);
    expect(await (await get("/dashboard", carol.cookie)).text()).not.toContain(`data-partnership="${partnerId}"`);
    expect((await post("/dashboard?index", { partnerId: String(partnerId), decision: "accept" }, carol.cookie)).status).toBe(404);
    expect((await post("/dashboard?index", { partnerId: String(partnerId), decision: "accept" }, alice.cookie)).status).toBe(404);
    expect((await post("/dashboard?index", { partnerId: "x", decision: "accept" }, bob.cookie)).status).toBe(400);
    expect((await tdb.db.selectFrom("campaign_partners").select("status").where("id", "=", partnerId).executeTakeFirstOrThrow()).status).toBe("invited");

    expect((await post("/dashboard?index", { partnerId: String(partnerId), decision: "accept" }, bob.cookie)).status).toBe(200);

    // Both organisations see the same share link.
    const shareLink = (await (await get(partnersPath, alice.cookie)).text()).match(/value="(http[^"]+\?partner=[a-z0-9]+)"/)?.[1];
    expect(shareLink).toBe(`${web.url}/campaigns/${slug}?partner=${shareLink?.split("=")[1]}`);
    expect(await (await get("/dashboard", bob.cookie)).text()).toContain(shareLink!);
    const sharePath = new URL(shareLink!).pathname + new URL(shareLink!).search;

    const page = await (await get(sharePath)).text();
    expect(page).toContain("Partner organisations");
    expect(page).toContain("Bob org");
    const optedIn = await signThroughPage(sharePath, { optInPartner: true });
    expect(optedIn.form.offersPartnerOptIn).toBe(true);
    expect(optedIn.signature).toMatchObject({ partner_id: partnerId, opt_in_partner: true });
    expect(optedIn.signature.consent_purposes).toContain("updates:partner");
    const notOptedIn = await signThroughPage(sharePath);
    expect(notOptedIn.signature).toMatchObject({ partner_id: partnerId, opt_in_partner: false });
    const direct = await signThroughPage(`/campaigns/${slug}`);
    expect(direct.form.offersPartnerOptIn).toBe(false);
    expect(direct.signature.partner_id).toBeNull();

    expect((await post(partnersPath, { intent: "remove", partnerId: String(partnerId) }, carol.cookie)).status).toBe(404);
    // Removed as the partner list's button posts it.
    const list = await (await get(partnersPath, alice.cookie)).text();
    const remove = fieldsOfPostForm(list, `name="partnerId" value="${partnerId}"`);
    expect(remove).toEqual({ intent: "remove", partnerId: String(partnerId) });
    expect((await post(partnersPath, remove, alice.cookie)).status).toBe(200);
    const afterRemoval = await signThroughPage(sharePath, { optInPartner: true });
    expect(afterRemoval.form.offersPartnerOptIn).toBe(false);
    expect(afterRemoval.signature).toMatchObject({ partner_id: null, opt_in_partner: false });
    // Even a form that still carries the code (an old page) attributes nothing.
    const email = `${unique("stale")}@example.org`;
    const code = sharePath.split("partner=")[1]!;
    await postForm(`${web.url}/campaigns/${slug}`, { name: "Old Page", email, country: "MY", consent: "on", partner: code, optInPartner: "on" });
    expect(await tdb.db.selectFrom("signatures").select(["partner_id", "opt_in_partner"]).where("email", "=", email).executeTakeFirstOrThrow()).toEqual({
      partner_id: null,
      opt_in_partner: false,
    });
    expect(await (await get(`/campaigns/${slug}`)).text()).not.toContain("Bob org");
  });

  it("a declined partner's link attributes nothing and offers no opt-in", async () => {
    const alice = await organiser("Alice");
    const bob = await organiser("Bob");
    const { id, slug } = await publishedCampaign(alice);
    await post(`/dashboard/campaigns/${id}/partners`, { intent: "invite", organisation: bob.org.slug }, alice.cookie);
    const partnerId = await partnerIdOn(await (await get("/dashboard", bob.cookie)).text());
    expect((await post("/dashboard?index", { partnerId: String(partnerId), decision: "decline" }, bob.cookie)).status).toBe(200);
    const { share_code } = await tdb.db.selectFrom("campaign_partners").select("share_code").where("id", "=", partnerId).executeTakeFirstOrThrow();
    const signed = await signThroughPage(`/campaigns/${slug}?partner=${share_code}`, { optInPartner: true });
    expect(signed.form.offersPartnerOptIn).toBe(false);
    expect(signed.signature.partner_id).toBeNull();
  });
});

describe("decision-makers' responses over HTTP", () => {
  it("are recorded by the host's organisers, shown on the public page, and closed to other organisations", async () => {
    const alice = await organiser("Alice");
    const carol = await organiser("Carol");
    const { id, slug } = await publishedCampaign(alice);
    const carols = await publishedCampaign(carol);
    const path = `/dashboard/campaigns/${id}/responses`;
    const targets = await tdb.db.selectFrom("campaign_targets").select(["id", "campaign_id"]).where("campaign_id", "in", [id, carols.id]).orderBy("position").execute();
    const mine = targets.find((x) => x.campaign_id === id)!.id;
    const theirs = targets.find((x) => x.campaign_id === carols.id)!.id;
    const response = { targetId: String(mine), respondedOn: "2026-11-20", summary: "The Secretary-General will raise it with the chair.", link: "https://oic-oci.org/statement/1" };

    expect(await (await get(`/campaigns/${slug}`)).text()).not.toContain('data-target-response="responded"');
    const bad = await post(path, { ...response, link: "http://oic-oci.org/statement/1" }, alice.cookie);
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("Enter a link that starts with https://.");
    expect((await get(path, carol.cookie)).status).toBe(404);
    expect((await post(path, response, carol.cookie)).status).toBe(404);
    expect((await post(path, { ...response, targetId: String(theirs) }, alice.cookie)).status).toBe(404);
    expect(await tdb.db.selectFrom("campaign_target_responses").select("target_id").execute()).toEqual([]);

    expect((await post(path, response, alice.cookie)).status).toBe(200);
    const page = await (await get(`/campaigns/${slug}`)).text();
    expect(page).toContain("Have the decision-makers responded?");
    expect(page).toContain(`Responded on ${formatDate("en", "2026-11-20T12:00:00Z")}`);
    expect(page).toContain(response.summary);
    expect(page).toContain(`href="${response.link}"`);
    expect(page.match(/data-target-response="(\w+)"/g)).toEqual(['data-target-response="responded"', 'data-target-response="waiting"']);
    expect(page).toContain("No response yet");
  });
});

describe("ask versions over HTTP", () => {
  it("editing the ask after signatures publishes version 2: new signatures record it, old ones keep 1, the page shows the history", async () => {
    const alice = await organiser("Alice");
    const { id, input, slug } = await publishedCampaign(alice);
    const before = await signThroughPage(`/ur/campaigns/${slug}`);
    expect(await (await get(`/campaigns/${slug}`)).text()).not.toContain('class="ask-history"');

    const newAsk = "Convene the Council of Foreign Ministers on Kashmir before the next summit.";
    const fields = {
      intent: "save",
      slug,
      title: input.title,
      summary: input.summary,
      ask: newAsk,
      addressedTo: input.addressedTo,
      argumentMd: "A longer argument.",
      goal: "1000",
      "target-0-name": "OIC Secretary-General",
      "target-0-role": "Secretary-General",
      "target-0-country": "SA",
    };
    expect((await post(`/dashboard/campaigns/${id}`, { ...fields, slug: unique("moved") }, alice.cookie)).status).toBe(409);
    const saved = await post(`/dashboard/campaigns/${id}`, fields, alice.cookie);
    expect(saved.status).toBe(200);
    expect(await saved.text()).toContain("The ask is now at version 2");

    const after = await signThroughPage(`/tr/campaigns/${slug}`);
    expect(before.signature).toMatchObject({ ask_version: 1, locale: "ur" });
    expect((await tdb.db.selectFrom("signatures").select("ask_version").where("id", "=", before.signature.id).executeTakeFirstOrThrow()).ask_version).toBe(1);
    expect(after.signature).toMatchObject({ ask_version: 2, locale: "tr" });

    const page = await (await get(`/campaigns/${slug}`)).text();
    const history = page.slice(page.indexOf('<details class="ask-history">'), page.indexOf("</details>"));
    expect(history).toContain("Earlier versions of the ask");
    expect(history).toMatch(/Version 1 · /);
    expect(history).toMatch(/Version 2 · /);
    expect(history).toContain(input.ask);
    expect(history).toContain(newAsk);
    expect(history).toContain("Chair of the CFM"); // version 1's targets
  });
});

describe("organisation logos over HTTP", () => {
  it("are uploaded by owners, served as immutable WebP, shown with accepted partners; bad or oversized uploads change nothing", async () => {
    const alice = await organiser("Alice");
    const bob = await organiser("Bob");
    const carol = await organiser("Carol");
    const { id, slug } = await publishedCampaign(alice);
    const upload = (bytes: Buffer, cookie: string, type = "image/png") => {
      const form = new FormData();
      form.append("logo", new Blob([new Uint8Array(bytes)], { type }), "logo.png");
      return fetch(`${web.url}/dashboard/orgs/${bob.org.slug}/logo`, { method: "POST", body: form, headers: { Cookie: cookie }, redirect: "manual" });
    };
    const png = await sharp({ create: { width: 800, height: 400, channels: 4, background: "#c0392b" } }).png().toBuffer();

    expect((await upload(png, carol.cookie)).status).toBe(404);
    const tooBig = await upload(Buffer.concat([png, Buffer.alloc(1024 * 1024)]), bob.cookie);
    expect(tooBig.status).toBe(400);
    expect(await tooBig.text()).toContain("Choose a PNG, JPEG or WebP image of at most 1 MB.");
    expect((await upload(Buffer.from("<svg xmlns='http://www.w3.org/2000/svg'/>"), bob.cookie, "image/svg+xml")).status).toBe(400);
    expect((await tdb.db.selectFrom("organisations").select("logo_hash").where("id", "=", bob.org.id).executeTakeFirstOrThrow()).logo_hash).toBeNull();

    expect((await upload(png, bob.cookie)).status).toBe(200);
    const { logo_hash } = await tdb.db.selectFrom("organisations").select("logo_hash").where("id", "=", bob.org.id).executeTakeFirstOrThrow();
    const logoPath = `/media/org-logos/${bob.org.id}-${logo_hash}.webp`;
    const served = await get(logoPath);
    expect(served.status).toBe(200);
    expect(served.headers.get("content-type")).toBe("image/webp");
    expect(served.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(await sharp(Buffer.from(await served.arrayBuffer())).metadata()).toMatchObject({ format: "webp", width: 256, height: 128 });
    expect((await get(`/media/org-logos/${bob.org.id}-0000000000000000.webp`)).status).toBe(404);
    expect((await get(`/media/org-logos/../../etc-passwd`)).status).toBe(404);

    await post(`/dashboard/campaigns/${id}/partners`, { intent: "invite", organisation: bob.org.slug }, alice.cookie);
    expect(await (await get(`/campaigns/${slug}`)).text()).not.toContain(logoPath); // invited is not yet a partner
    const partnerId = await partnerIdOn(await (await get("/dashboard", bob.cookie)).text());
    await post("/dashboard?index", { partnerId: String(partnerId), decision: "accept" }, bob.cookie);
    expect(await (await get(`/campaigns/${slug}`)).text()).toContain(`src="${logoPath}"`);
  });
});
