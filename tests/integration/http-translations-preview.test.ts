/**
 * The organisers' translations screen and the preview of the public page, over real HTTP: only
 * the campaign's own organisers (and, to look, admins) get in; other organisations see a 404.
 */
import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "~/modules/access/actor.server";
import { createCampaign } from "~/modules/campaigns/manage-campaigns.server";
import { listCampaignTranslations, saveCampaignTranslation } from "~/modules/campaigns/save-campaign-translation.server";
import { createOrganisation } from "~/modules/organisations/organisations.server";
import type { TestDatabase } from "../support/db";
import { createTestUser } from "../support/fixtures";
import { integrationStack, type WebServer } from "../support/stack";
import { postForm } from "../support/web";

const PASSWORD = "a passphrase long enough";
const stack = integrationStack({ label: "httptrans", web: true });
let tdb: TestDatabase;
let web: WebServer;

beforeAll(() => {
  tdb = stack.database;
  web = stack.web;
});

async function user(role: "user" | "admin" = "user"): Promise<Actor & { cookie: string }> {
  const row = await createTestUser(tdb.db, role, "u", { password: PASSWORD, displayName: "Someone" });
  const res = await postForm(`${web.url}/login`, { email: row.email, password: PASSWORD });
  return { ...row, cookie: (res.headers.get("set-cookie") ?? "").split(";")[0]! };
}

async function organisationWithDraft(owner: Actor, title = "Convene the ministers") {
  const org = await createOrganisation(tdb.db, owner, { name: `Org ${randomBytes(2).toString("hex")}`, slug: `org-${randomBytes(4).toString("hex")}` });
  const { id } = await createCampaign(tdb.db, owner, org.slug, {
    slug: `c-${randomBytes(4).toString("hex")}`,
    title,
    summary: "Ministers should meet.",
    ask: "Convene the Council of Foreign Ministers.",
    addressedTo: "The OIC",
    argumentMd: "## Why\n\nBecause **it is overdue**.",
    goal: 500,
    deadline: null,
    targets: [],
  });
  return id;
}

const get = (path: string, cookie: string) => fetch(`${web.url}${path}`, { headers: { Cookie: cookie }, redirect: "manual" });
const post = (path: string, fields: Record<string, string>, cookie: string) => postForm(`${web.url}${path}`, fields, { headers: { Cookie: cookie } });
const malay = { locale: "ms", title: "Himpunkan para menteri", summary: "Para menteri patut bersidang.", ask: "Adakan Majlis Menteri Luar.", addressedTo: "OIC", argumentMd: "Kerana sudah lama tertangguh." };

describe("the translations screen", () => {
  it("lets the campaign's organisers add a translation, and shows which languages are missing", async () => {
    const alice = await user();
    const id = await organisationWithDraft(alice);

    const page = await get(`/dashboard/campaigns/${id}/translations`, alice.cookie);
    expect(page.status).toBe(200);
    const html = await page.text();
    for (const locale of ["ur", "ar", "ms", "tr"]) expect(html).toContain(`data-locale="${locale}" data-state="missing"`);
    expect(html).not.toContain('data-locale="en"'); // the campaign's own language is edited on the campaign

    const saved = await post(`/dashboard/campaigns/${id}/translations?locale=ms`, malay, alice.cookie);
    expect(saved.status).toBe(200);
    expect(await saved.text()).toContain("Translation saved.");
    const after = await (await get(`/dashboard/campaigns/${id}/translations?locale=ms`, alice.cookie)).text();
    expect(after).toContain('data-locale="ms" data-state="current"');
    expect(after).toContain('lang="ms" dir="ltr"'); // the fields take the target language
    expect(after).toContain("Himpunkan para menteri");
    const row = await tdb.db.selectFrom("campaign_translations").select(["title", "ask_version"]).where("campaign_id", "=", id).executeTakeFirstOrThrow();
    expect(row).toEqual({ title: "Himpunkan para menteri", ask_version: 1 });
  });

  it("marks a translation written for an older ask version as outdated", async () => {
    const alice = await user();
    const id = await organisationWithDraft(alice);
    await saveCampaignTranslation(tdb.db, alice, { campaignId: id, input: { ...malay, locale: "ms" } });
    await saveCampaignTranslation(tdb.db, alice, { campaignId: id, input: { ...malay, locale: "tr", title: "Bakanları toplayın" } });
    // The ask moves on to a new version; the Turkish text is redone for it, the Malay one is not.
    await tdb.db.updateTable("campaigns").set({ ask_version: 2, ask: "A new ask." }).where("id", "=", id).execute();
    await saveCampaignTranslation(tdb.db, alice, { campaignId: id, input: { ...malay, locale: "tr", title: "Bakanları toplayın", ask: "Yeni talep." } });

    const { languages } = await listCampaignTranslations(tdb.db, alice, id);
    expect(languages.map((l) => [l.locale, l.state, l.askVersion])).toEqual([
      ["ur", "missing", null],
      ["ar", "missing", null],
      ["ms", "outdated", 1],
      ["tr", "current", 2],
    ]);
    const html = await (await get(`/dashboard/campaigns/${id}/translations`, alice.cookie)).text();
    expect(html).toContain('data-locale="ms" data-state="outdated"');
    expect(html).toContain("Outdated: written for ask version 1");
  });

  it("is a 404 to organisers of another organisation, by URL and by form, and changes nothing", async () => {
    const alice = await user();
    const mallory = await user();
    await organisationWithDraft(mallory, "Mallory's own");
    const id = await organisationWithDraft(alice);

    expect((await get(`/dashboard/campaigns/${id}/translations`, mallory.cookie)).status).toBe(404);
    expect((await post(`/dashboard/campaigns/${id}/translations`, malay, mallory.cookie)).status).toBe(404);
    await expect(saveCampaignTranslation(tdb.db, mallory, { campaignId: id, input: { ...malay, locale: "ms" } })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(listCampaignTranslations(tdb.db, mallory, id)).rejects.toMatchObject({ code: "NOT_FOUND" });
    // Admins may look, but translating is the organisers' work.
    const admin = await user("admin");
    expect((await get(`/dashboard/campaigns/${id}/translations`, admin.cookie)).status).toBe(200);
    await expect(saveCampaignTranslation(tdb.db, admin, { campaignId: id, input: { ...malay, locale: "ms" } })).rejects.toMatchObject({ code: "NOT_FOUND" });
    // Signed out: to the log-in page.
    expect((await get(`/dashboard/campaigns/${id}/translations`, "")).status).toBe(302);
    expect(await tdb.db.selectFrom("campaign_translations").select("locale").where("campaign_id", "=", id).execute()).toEqual([]);
  });

  it("re-renders bad input with field errors and a 400, and stores nothing", async () => {
    const alice = await user();
    const id = await organisationWithDraft(alice);
    const bad = await post(`/dashboard/campaigns/${id}/translations`, { ...malay, title: "  ", summary: "<script>x</script>" }, alice.cookie);
    expect(bad.status).toBe(400);
    const html = await bad.text();
    expect(html).toContain('id="tr-title-error"');
    expect(html).toContain('aria-describedby="tr-title-hint tr-title-error"');
    expect(html).toContain('href="#tr-title"');
    expect((await post(`/dashboard/campaigns/${id}/translations`, { ...malay, locale: "xx" }, alice.cookie)).status).toBe(400);
    // The campaign's own language is written on the campaign, not translated.
    const own = await post(`/dashboard/campaigns/${id}/translations`, { ...malay, locale: "en" }, alice.cookie);
    expect(own.status).toBe(400);
    expect(await own.text()).toContain('<div class="error-summary" role="alert">Choose one of the languages listed.</div>');
    expect(await tdb.db.selectFrom("campaign_translations").select("locale").where("campaign_id", "=", id).execute()).toEqual([]);
  });
});

describe("the preview", () => {
  it("renders a draft as the public page, in the language asked, with a banner, a form that cannot be sent, and no caching or indexing", async () => {
    const alice = await user();
    const id = await organisationWithDraft(alice, "A draft nobody else sees");
    await saveCampaignTranslation(tdb.db, alice, { campaignId: id, input: { ...malay, locale: "ms" } });
    const slug = (await tdb.db.selectFrom("campaigns").select("slug").where("id", "=", id).executeTakeFirstOrThrow()).slug;
    expect((await fetch(`${web.url}/campaigns/${slug}`)).status).toBe(404); // not public

    const res = await get(`/dashboard/campaigns/${id}/preview`, alice.cookie);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("private, no-store");
    expect(res.headers.get("x-robots-tag")).toBe("noindex");
    const html = await res.text();
    expect(html).toContain('<meta name="robots" content="noindex"/>');
    expect(html).toContain('data-testid="preview-banner"');
    expect(html).toContain("A draft nobody else sees");
    expect(html).toContain("<strong>it is overdue</strong>"); // the argument rendered as on the public page
    expect(html).toContain('<fieldset disabled="" class="stack plain-fieldset">');
    expect(html).toContain('id="sign-name"');

    const inMalay = await (await get(`/dashboard/campaigns/${id}/preview?lang=ms`, alice.cookie)).text();
    expect(inMalay).toContain('<html lang="ms" dir="ltr">');
    expect(inMalay).toContain("Himpunkan para menteri");
    expect(inMalay).not.toContain('data-testid="content-language-notice"');
    // Urdu has no translation: the preview falls back and says so, as the public page would.
    const inUrdu = await (await get(`/dashboard/campaigns/${id}/preview?lang=ur`, alice.cookie)).text();
    expect(inUrdu).toContain('<html lang="ur" dir="rtl">');
    expect(inUrdu).toContain('data-testid="content-language-notice"');
    expect(inUrdu).toContain('<h1 lang="en" dir="ltr">A draft nobody else sees</h1>');
  });

  it("is a 404 to other organisations and a log-in redirect to strangers; admins see it", async () => {
    const alice = await user();
    const mallory = await user();
    await organisationWithDraft(mallory);
    const id = await organisationWithDraft(alice, "Reviewed by an admin");
    const other = await get(`/dashboard/campaigns/${id}/preview`, mallory.cookie);
    expect(other.status).toBe(404);
    expect(await other.text()).not.toContain("Reviewed by an admin");
    expect((await get(`/dashboard/campaigns/${id}/preview`, "")).status).toBe(302);
    expect((await get(`/dashboard/campaigns/999999999/preview`, alice.cookie)).status).toBe(404);
    expect((await get(`/dashboard/campaigns/not-a-number/preview`, alice.cookie)).status).toBe(404);
    const admin = await user("admin");
    const seen = await get(`/dashboard/campaigns/${id}/preview`, admin.cookie);
    expect(seen.status).toBe(200);
    expect(await seen.text()).toContain("Reviewed by an admin");
  });
});
