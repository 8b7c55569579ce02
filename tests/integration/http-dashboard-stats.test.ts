/**
 * The campaign dashboard's numbers and the public signers' map, over HTTP against the built
 * server: the figures equal the public API's, the chart is an accessible SVG with a table, other
 * organisations cannot see them, and the public map never shows a country with fewer than 10.
 */
import { sql } from "kysely";
import { beforeAll, describe, expect, it } from "vitest";
import type { CountryCode } from "~/i18n/countries";
import { foldAllCountChanges, recountCampaigns } from "~/modules/counts/counts.server";
import { confirmSignature } from "~/modules/signatures/confirm-signature.server";
import { signCampaign } from "~/modules/signatures/sign-campaign.server";
import { issueVerificationToken } from "~/modules/signatures/signatures.queries.server";
import type { SignAttribution } from "~/modules/signatures/signatures.schema";
import type { TestDatabase } from "../support/db";
import { createCampaign, signer } from "../support/fixtures";
import { createOrganisation, signedInUser } from "../support/organisers";
import { integrationStack, type WebServer } from "../support/stack";
import { publicCountsByCountry } from "~/modules/stats/public-countries";

// A server and database of its own: it folds and recounts every campaign's ledger
// (foldAllCountChanges, recountCampaigns), which would move other files' counts in a shared one.
const stack = integrationStack({ label: "dashstats", web: {} });
let t: TestDatabase;
let web: WebServer;

beforeAll(() => {
  t = stack.database;
  web = stack.web;
});

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${web.url}${path}`, { headers, redirect: "manual" });
const NO_ATTRIBUTION: SignAttribution = { partnerCode: null, referralCode: null, channel: null, optInPartner: false };

/** Signs one person up; confirms them unless `pending`. Returns their own share code. */
async function sign(slug: string, country: CountryCode, opts: { pending?: boolean; attribution?: Partial<SignAttribution> } = {}) {
  const input = signer({ country });
  await signCampaign(t.db, { campaignSlug: slug, input, locale: "en", attribution: { ...NO_ATTRIBUTION, ...opts.attribution } });
  const row = await t.db.selectFrom("signatures").select(["id", "referral_code"]).where("email", "=", input.email).executeTakeFirstOrThrow();
  if (!opts.pending) await confirmSignature(t.db, await issueVerificationToken(t.db, row.id));
  return row;
}

/** A number as the English pages print it ("1,234"). */
const num = (text: string) => Number(text.replace(/[^0-9]/g, ""));
const cell = (html: string, testId: string) => num(html.match(new RegExp(`data-testid="${testId}">([^<]+)<`))![1]!);
/** The rows of one table: data-<attr>="key" … last cell's number. */
function tableRows(html: string, testId: string, attr: string): Record<string, number> {
  const table = html.match(new RegExp(`data-testid="${testId}"[\\s\\S]*?</table>`))![0];
  return Object.fromEntries([...table.matchAll(new RegExp(`<tr[^>]*data-${attr}="([^"]*)"[^>]*>[\\s\\S]*?<td class="num">([^<]+)</td></tr>`, "g"))].map((m) => [m[1]!, num(m[2]!)]));
}

describe("campaign dashboard numbers", () => {
  let campaign: { id: number; slug: string };
  let orgId: number;

  beforeAll(async () => {
    const org = await createOrganisation(t.db);
    orgId = org.id;
    campaign = await createCampaign(t.db);
    await t.db.updateTable("campaigns").set({ organisation_id: org.id }).where("id", "=", campaign.id).execute();
    const partnerOrg = await createOrganisation(t.db, "Partner Kuala Lumpur");
    await t.db.insertInto("campaign_partners").values({ campaign_id: campaign.id, organisation_id: partnerOrg.id, share_code: "klpartner", status: "accepted" }).execute();

    const first = await sign(campaign.slug, "PK");
    for (let i = 0; i < 11; i++) await sign(campaign.slug, "PK", i < 3 ? { attribution: { referralCode: first.referral_code, channel: "whatsapp" } } : {});
    for (let i = 0; i < 3; i++) await sign(campaign.slug, "MY", { attribution: { partnerCode: "klpartner" } });
    await sign(campaign.slug, "TR", { attribution: { referralCode: first.referral_code, channel: "telegram" } });
    await sign(campaign.slug, "TR", { pending: true });
    await sign(campaign.slug, "GB", { pending: true });
    await foldAllCountChanges(t.db);
    // Spread the confirmations over three days; the recount (the counts' safety net) follows.
    await sql`UPDATE signatures SET confirmed_at = confirmed_at - interval '2 days' WHERE campaign_id = ${campaign.id} AND country = 'MY'`.execute(t.db);
    await sql`UPDATE signatures SET confirmed_at = confirmed_at - interval '1 day' WHERE campaign_id = ${campaign.id} AND country = 'TR'`.execute(t.db);
    await recountCampaigns(t.db, campaign.id);
  });

  it("equal the public API: confirmed total and counts by country; pending from the signatures", async () => {
    const organiser = await signedInUser(t.db, { organisationId: orgId });
    const res = await get(`/dashboard/campaigns/${campaign.id}/stats`, { Cookie: organiser.cookie });
    expect(res.status).toBe(200);
    const html = await res.text();
    const api = (await (await get(`/api/v1/campaigns/${campaign.slug}`)).json()) as { signatureCount: number; countsByCountry: Record<string, number>; otherCountries: number };
    expect(api.signatureCount).toBe(16);
    expect(cell(html, "stats-confirmed")).toBe(api.signatureCount);
    // Exact for the organiser; the public API folds countries under the map's threshold.
    expect(publicCountsByCountry(tableRows(html, "stats-countries", "country"))).toEqual({ countsByCountry: api.countsByCountry, otherCountries: api.otherCountries });
    expect(cell(html, "stats-pending")).toBe(2);
    // Per day: three days whose sum is the total.
    const days = tableRows(html, "stats-days", "day");
    expect(Object.values(days)).toEqual([3, 1, 12]);
    expect(Object.values(days).reduce((a, b) => a + b, 0)).toBe(api.signatureCount);
  });

  it("break the total down by partner and by share-link channel, without naming any sharer", async () => {
    const organiser = await signedInUser(t.db, { organisationId: orgId });
    const html = await (await get(`/dashboard/campaigns/${campaign.id}/stats`, { Cookie: organiser.cookie })).text();
    expect(html).toMatch(/Partner Kuala Lumpur<\/td><td class="num">3</);
    expect(html).toMatch(/Without a partner \(your own page and links\)<\/td><td class="num">13</);
    expect(tableRows(html, "stats-channels", "channel")).toEqual({ whatsapp: 3, telegram: 1 });
    // One sharer brought four signers; their share code appears nowhere.
    expect(tableRows(html, "stats-recruiters", "bucket")).toEqual({ "1": 0, "2-4": 1, "5-9": 0, "10+": 0 });
    const codes = await t.db.selectFrom("signatures").select("referral_code").where("campaign_id", "=", campaign.id).execute();
    for (const { referral_code } of codes) expect(html).not.toContain(referral_code!);
  });

  it("draw confirmations per day as an SVG with a title, a description and a table, running right to left in Urdu", async () => {
    const organiser = await signedInUser(t.db, { organisationId: orgId });
    const en = await (await get(`/dashboard/campaigns/${campaign.id}/stats`, { Cookie: organiser.cookie })).text();
    const chart = en.match(/<svg class="daily-chart"[\s\S]*?<\/svg>/)![0];
    expect(chart).toMatch(/role="img"/);
    const labelledBy = chart.match(/aria-labelledby="([^"]+)"/)![1]!.split(" ");
    expect(chart).toContain(`<title id="${labelledBy[0]}">Confirmations per day</title>`);
    expect(chart).toMatch(new RegExp(`<desc id="${labelledBy[1]}">16 confirmations from .+ The busiest day was .+, with 12.</desc>`));
    expect(en).toMatch(/<table data-testid="stats-days">/);
    const barX = (svg: string) => [...svg.matchAll(/<rect x="([0-9.]+)"/g)].map((m) => Number(m[1]));
    const ltr = barX(chart);
    expect(ltr).toHaveLength(3);
    expect(ltr[0]).toBeLessThan(ltr[2]!); // the earliest day on the left…

    const ur = await (await get(`/dashboard/campaigns/${campaign.id}/stats`, { Cookie: `${organiser.cookie}; lang=ur` })).text();
    expect(ur).toMatch(/<html[^>]+dir="rtl"/);
    const rtl = barX(ur.match(/<svg class="daily-chart"[\s\S]*?<\/svg>/)![0]);
    expect(rtl[0]).toBeGreaterThan(rtl[2]!); // …and on the right in Urdu
  });

  it("are for the campaign's organisation and admins only: anyone else gets a 404, nobody a 500", async () => {
    const outsider = await signedInUser(t.db, { organisationId: (await createOrganisation(t.db)).id });
    const admin = await signedInUser(t.db, { role: "admin" });
    expect((await get(`/dashboard/campaigns/${campaign.id}/stats`, { Cookie: outsider.cookie })).status).toBe(404);
    expect((await get(`/dashboard/campaigns/${campaign.id}/stats`, { Cookie: admin.cookie })).status).toBe(200);
    expect((await get(`/dashboard/campaigns/${campaign.id}/stats`)).status).toBe(302); // to the log-in page
    expect((await get(`/dashboard/campaigns/999999/stats`, { Cookie: admin.cookie })).status).toBe(404);
    expect((await get(`/dashboard/campaigns/abc/stats`, { Cookie: admin.cookie })).status).toBe(404);
  });
});

describe("the public signers' map", () => {
  it("shows countries with at least 10 confirmed signers and groups the rest, in the map and in the table", async () => {
    const campaign = await createCampaign(t.db);
    for (let i = 0; i < 12; i++) await sign(campaign.slug, "PK");
    for (let i = 0; i < 3; i++) await sign(campaign.slug, "MY");
    for (let i = 0; i < 9; i++) await sign(campaign.slug, "TR", { pending: true }); // pending never shows
    await foldAllCountChanges(t.db);
    const html = await (await get(`/campaigns/${campaign.slug}`)).text();
    const section = html.match(/<section class="signers-map"[\s\S]*?<\/section>/)![0];
    expect(section).toMatch(/<tr data-country="PK"><th scope="row">Pakistan<\/th><td class="num">12<\/td><\/tr>/);
    expect(section).toMatch(/<tr data-country="other"><th scope="row">Other countries \(fewer than 10 signers each\)<\/th><td class="num">3<\/td><\/tr>/);
    expect(section).not.toContain("Malaysia");
    expect(section).not.toContain('data-country="MY"');
    // The map: one labelled image; Pakistan's tile and no other country's.
    const map = section.match(/<svg[\s\S]*?<\/svg>/)![0];
    expect(map).toMatch(/role="img" aria-labelledby="[^"]+"/);
    expect([...map.matchAll(/<rect /g)]).toHaveLength(1);
    expect(map).toContain("<title>Pakistan: 12</title>");
    // Light: the whole map is a few kilobytes of markup.
    expect(map.length).toBeLessThan(6_000);
  });
});
