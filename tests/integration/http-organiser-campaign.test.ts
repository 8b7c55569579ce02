/**
 * A campaign's organiser page and its form over HTTP, no JavaScript: numbers first, closing only
 * through a confirmation, the Markdown preview, the web address derived from the title, and the
 * picture chosen in the same form that creates the campaign.
 */
import { sql } from "kysely";
import { beforeAll, describe, expect, it } from "vitest";
import type { TestDatabase } from "../support/db";
import { createCampaign } from "../support/fixtures";
import { createOrganisation, signedInUser, TEST_SESSION_SECRET } from "../support/organisers";
import { integrationStack } from "../support/stack";
import { postForm, type RunningProcess } from "../support/web";
import { recountCampaigns } from "~/modules/counts/counts.server";

const stack = integrationStack({ label: "orgcampaign", web: { SESSION_SECRET: TEST_SESSION_SECRET } });
let t: TestDatabase;
let web: RunningProcess;

beforeAll(() => {
  t = stack.database;
  web = stack.web;
});

async function campaignOfNewOrganisation(status: "draft" | "published" = "published") {
  const org = await createOrganisation(t.db);
  const campaign = await createCampaign(t.db, { status, goal: 200 });
  await t.db.updateTable("campaigns").set({ organisation_id: org.id }).where("id", "=", campaign.id).execute();
  const organiser = await signedInUser(t.db, { organisationId: org.id });
  return { org, campaign, organiser };
}

const get = (path: string, cookie: string) => fetch(`${web.url}${path}`, { headers: { Cookie: cookie }, redirect: "manual" });
const statusOf = async (id: number) => (await t.db.selectFrom("campaigns").select("status").where("id", "=", id).executeTakeFirstOrThrow()).status;
const textOf = (html: string) => html.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ");

async function signatures(campaignId: number, statuses: ("confirmed" | "pending")[]) {
  await t.db
    .insertInto("signatures")
    .values(
      statuses.map((status, i) => ({
        campaign_id: campaignId,
        status,
        name: "Signer",
        email: `s-${campaignId}-${i}@example.org`,
        email_normalized: `s-${campaignId}-${i}@example.org`,
        country: "PK",
        public_name: false,
        opt_in: false,
        consent_version: "2026-11",
        locale: "en",
        confirmed_at: status === "confirmed" ? sql<Date>`now()` : null,
      })),
    )
    .execute();
  await recountCampaigns(t.db, campaignId);
}

describe("a campaign's organiser page", () => {
  it("leads with its numbers and next steps, and puts closing last, as a link to a confirmation", async () => {
    const { campaign, organiser } = await campaignOfNewOrganisation();
    await signatures(campaign.id, ["confirmed", "confirmed", "confirmed", "pending"]);
    const html = await (await get(`/dashboard/campaigns/${campaign.id}`, organiser.cookie)).text();
    const text = textOf(html);
    expect(text).toMatch(/Confirmed 3 1.5% of the goal of 200 Awaiting confirmation 1 Today 3 Last 7 days/);
    const order = ["campaign-numbers", "Next steps", "New update", "Export counts and signatures", "More tools", "Edit campaign", "Close the campaign…"].map((s) => html.indexOf(s));
    expect(order.every((at) => at > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    // No button on this page closes anything: closing is a link to its own page.
    expect(html).not.toMatch(/name="intent" value="close"/);
    expect(html).toContain(`href="/dashboard/campaigns/${campaign.id}/close"`);
  });

  it("closes only after the confirmation box is ticked, by POST; the old one-click close changes nothing", async () => {
    const { campaign, organiser } = await campaignOfNewOrganisation();
    const oneClick = await postForm(`${web.url}/dashboard/campaigns/${campaign.id}`, { intent: "close" }, { headers: { Cookie: organiser.cookie } });
    expect(oneClick.status).toBe(400);
    expect(await statusOf(campaign.id)).toBe("published");

    const page = await get(`/dashboard/campaigns/${campaign.id}/close`, organiser.cookie);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("A closed campaign cannot be reopened.");
    expect(html).toContain('<input id="close-confirm" type="checkbox" name="confirm" required="" value="yes"/>');
    expect(await statusOf(campaign.id)).toBe("published");

    const unticked = await postForm(`${web.url}/dashboard/campaigns/${campaign.id}/close`, {}, { headers: { Cookie: organiser.cookie } });
    expect(unticked.status).toBe(400);
    expect(await unticked.text()).toContain("Tick the box to confirm that you want to close the campaign.");
    const wrong = await postForm(`${web.url}/dashboard/campaigns/${campaign.id}/close`, { confirm: ["yes", "yes"] }, { headers: { Cookie: organiser.cookie } });
    expect(wrong.status).toBe(400);
    expect(await statusOf(campaign.id)).toBe("published");

    const outsider = await signedInUser(t.db, { organisationId: (await createOrganisation(t.db)).id });
    expect((await postForm(`${web.url}/dashboard/campaigns/${campaign.id}/close`, { confirm: "yes" }, { headers: { Cookie: outsider.cookie } })).status).toBe(404);
    expect(await statusOf(campaign.id)).toBe("published");

    const closed = await postForm(`${web.url}/dashboard/campaigns/${campaign.id}/close`, { confirm: "yes" }, { headers: { Cookie: organiser.cookie } });
    expect(closed.status).toBe(303);
    expect(closed.headers.get("location")).toBe(`/dashboard/campaigns/${campaign.id}?closed=1`);
    expect(await statusOf(campaign.id)).toBe("closed");
    expect(await (await get(closed.headers.get("location")!, organiser.cookie)).text()).toContain("The campaign is closed. Its count is final.");
    const again = await postForm(`${web.url}/dashboard/campaigns/${campaign.id}/close`, { confirm: "yes" }, { headers: { Cookie: organiser.cookie } });
    expect(again.status).toBe(409);
  });
});
