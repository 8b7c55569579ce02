/**
 * The campaign's story continues on its page, over real HTTP against the built server:
 * updates sent to signers are published on the campaign page unless the organiser unticks the box,
 * newest first; supporters who chose to show their name have their reason for signing shown, and
 * the campaign's organisers (only they) can hide it. No JavaScript is involved anywhere.
 */
import { randomBytes } from "node:crypto";
import { sql } from "kysely";
import { beforeAll, describe, expect, it } from "vitest";
import { catalogue } from "~/i18n/i18n";
import type { TestDatabase } from "../support/db";
import { createCampaign } from "../support/fixtures";
import { createOrganisation, signedInUser } from "../support/organisers";
import { integrationStack, type WebServer } from "../support/stack";
import { postForm } from "../support/web";

const stack = integrationStack({ label: "httpstory", web: true });
let t: TestDatabase;
let web: WebServer;

beforeAll(() => {
  t = stack.database;
  web = stack.web;
});

const page = async (path: string) => {
  const res = await fetch(`${web.url}${path}`);
  expect(res.status, path).toBe(200);
  return res.text();
};

/** A published campaign hosted by a new organisation, and a signed-in organiser of it. */
async function hostedCampaign() {
  const campaign = await createCampaign(t.db);
  const org = await createOrganisation(t.db, `Story org ${randomBytes(3).toString("hex")}`);
  await t.db.updateTable("campaigns").set({ organisation_id: org.id }).where("id", "=", campaign.id).execute();
  const organiser = await signedInUser(t.db, { organisationId: org.id });
  return { campaign, org, organiser };
}

async function sentUpdate(campaignId: number, subject: string, opts: { queuedAt: Date; published?: boolean; status?: "draft" | "sending" | "sent"; countries?: string[] }) {
  await t.db
    .insertInto("updates")
    .values({
      campaign_id: campaignId,
      subject,
      body_md: `The story of **${subject}**.`,
      status: opts.status ?? "sent",
      countries: opts.countries ?? null,
      queued_at: opts.status === "draft" ? null : opts.queuedAt,
      published_on_page: opts.published ?? true,
    })
    .execute();
}

async function confirmedSigner(campaignId: number, name: string, fields: { comment: string | null; publicName: boolean; country?: string }) {
  const email = `s-${randomBytes(5).toString("hex")}@example.org`;
  return t.db
    .insertInto("signatures")
    .values({
      campaign_id: campaignId,
      status: "confirmed",
      name,
      email,
      email_normalized: email,
      country: fields.country ?? "MY",
      comment: fields.comment,
      public_name: fields.publicName,
      opt_in: false,
      consent_version: "test",
      locale: "en",
      confirmed_at: sql`now()`,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
}

describe("updates on the campaign page", () => {
  it("shows sent updates the organiser published, newest first, and nothing else", async () => {
    const { campaign } = await hostedCampaign();
    await sentUpdate(campaign.id, "Older news", { queuedAt: new Date("2026-11-01T10:00:00Z") });
    await sentUpdate(campaign.id, "Newer news", { queuedAt: new Date("2026-11-20T10:00:00Z") });
    await sentUpdate(campaign.id, "Kept private", { queuedAt: new Date("2026-11-21T10:00:00Z"), published: false });
    await sentUpdate(campaign.id, "Still a draft", { queuedAt: new Date(), status: "draft" });
    await sentUpdate(campaign.id, "Only for Malaysia", { queuedAt: new Date("2026-11-22T10:00:00Z"), countries: ["MY"] });

    const html = await page(`/campaigns/${campaign.slug}`);
    expect(html).toContain(catalogue("en")["campaign.updates"]);
    expect(html).toContain("The story of <strong>Newer news</strong>.");
    expect(html.indexOf("Newer news")).toBeLessThan(html.indexOf("Older news"));
    expect(html).toContain("Sent on November 20, 2026");
    for (const hidden of ["Kept private", "Still a draft", "Only for Malaysia"]) expect(html).not.toContain(hidden);

    // In Urdu: the page's own words in Urdu, the update as it was written.
    const ur = await page(`/ur/campaigns/${campaign.slug}`);
    expect(ur).toContain(catalogue("ur")["campaign.updates"]);
    expect(ur).toContain("Newer news");
  });

  it("a campaign without published updates has no news section", async () => {
    const { campaign } = await hostedCampaign();
    await expect(page(`/campaigns/${campaign.slug}`)).resolves.not.toContain(catalogue("en")["campaign.updates"]);
  });

  it("the update form ticks 'publish on the page' by default and stores the organiser's choice", async () => {
    const { campaign, organiser } = await hostedCampaign();
    const form = await fetch(`${web.url}/dashboard/campaigns/${campaign.id}/updates/new`, { headers: { Cookie: organiser.cookie } });
    expect(form.status).toBe(200);
    expect(await form.text()).toMatch(/<input type="checkbox" id="u-publishOnPage" name="publishOnPage" aria-describedby="u-publishOnPage-hint" checked=""/);

    const headers = { headers: { Cookie: organiser.cookie }, redirect: "manual" as const };
    const ticked = await postForm(`${web.url}/dashboard/campaigns/${campaign.id}/updates/new`, { subject: "Public one", bodyMd: "Hello", publishOnPage: "on" }, headers);
    const unticked = await postForm(`${web.url}/dashboard/campaigns/${campaign.id}/updates/new`, { subject: "Private one", bodyMd: "Hello" }, headers);
    expect([ticked.status, unticked.status]).toEqual([303, 303]);
    const rows = await t.db.selectFrom("updates").select(["subject", "published_on_page"]).where("campaign_id", "=", campaign.id).orderBy("id").execute();
    expect(rows).toEqual([
      { subject: "Public one", published_on_page: true },
      { subject: "Private one", published_on_page: false },
    ]);
  });
});

describe("supporters' reasons on the campaign page", () => {
  it("shows the first name, country and comment of those who chose to be named; never the others", async () => {
    const { campaign } = await hostedCampaign();
    await confirmedSigner(campaign.id, "Aminah Binti Yusof", { comment: "For my grandparents' village.", publicName: true });
    await confirmedSigner(campaign.id, "Private Person", { comment: "Please keep this to yourselves.", publicName: false });
    const html = await page(`/campaigns/${campaign.slug}`);
    expect(html).toContain(catalogue("en")["campaign.reasons"]);
    expect(html).toContain("For my grandparents&#x27; village.");
    expect(html).toMatch(/Aminah<\/span>, (<!-- -->)?Malaysia/);
    expect(html).not.toContain("Yusof");
    expect(html).not.toContain("keep this to yourselves");
  });

  it("an organiser of the campaign hides a reason and shows it again; nobody else can", async () => {
    const { campaign, organiser } = await hostedCampaign();
    const { id } = await confirmedSigner(campaign.id, "Deniz", { comment: "Something the organisers would rather not show.", publicName: true, country: "TR" });
    const url = `${web.url}/dashboard/campaigns/${campaign.id}/comments`;
    const as = (cookie: string) => ({ headers: { Cookie: cookie }, redirect: "manual" as const });

    // Listed for the organiser, with a Hide button.
    const list = await fetch(url, as(organiser.cookie));
    expect(list.status).toBe(200);
    expect(await list.text()).toContain(catalogue("en")["comments.hide"]);

    // Someone from another organisation, and someone with no organisation: not found, nothing changes.
    const other = await hostedCampaign();
    const stranger = await signedInUser(t.db);
    for (const cookie of [other.organiser.cookie, stranger.cookie]) {
      expect((await fetch(url, as(cookie))).status).toBe(404);
      expect((await postForm(url, { signatureId: String(id), intent: "hide" }, as(cookie))).status).toBe(404);
    }
    // A signature of another campaign cannot be hidden through this one.
    const elsewhere = await confirmedSigner(other.campaign.id, "Elif", { comment: "Mine.", publicName: true });
    expect((await postForm(url, { signatureId: String(elsewhere.id), intent: "hide" }, as(organiser.cookie))).status).toBe(404);
    // Bad input: a clear 400, nothing changes.
    const badForms: Record<string, string>[] = [{ signatureId: "x", intent: "hide" }, { signatureId: String(id), intent: "delete" }, {}];
    for (const fields of badForms) {
      expect((await postForm(url, fields, as(organiser.cookie))).status).toBe(400);
    }
    await expect(page(`/campaigns/${campaign.slug}`)).resolves.toContain("Something the organisers would rather not show.");

    expect((await postForm(url, { signatureId: String(id), intent: "hide" }, as(organiser.cookie))).status).toBe(303);
    await expect(page(`/campaigns/${campaign.slug}`)).resolves.not.toContain("Something the organisers would rather not show.");
    const audit = await t.db.selectFrom("audit_log").select(["action", "campaign_id"]).where("campaign_id", "=", campaign.id).execute();
    expect(audit).toEqual([{ action: "comments.hide", campaign_id: campaign.id }]);

    expect((await postForm(url, { signatureId: String(id), intent: "show" }, as(organiser.cookie))).status).toBe(303);
    await expect(page(`/campaigns/${campaign.slug}`)).resolves.toContain("Something the organisers would rather not show.");
  });
});
