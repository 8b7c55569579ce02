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
import { integrationStack, type WebServer } from "../support/stack";
import { postForm } from "../support/web";
import { recountCampaigns } from "~/modules/counts/counts.server";

const stack = integrationStack({ label: "orgcampaign", web: { SESSION_SECRET: TEST_SESSION_SECRET } });
let t: TestDatabase;
let web: WebServer;

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

describe("the campaign form without JavaScript", () => {
  const fields = (overrides: Record<string, string> = {}) => ({
    intent: "save",
    slug: "",
    title: "Şimdi Konuşun: Kashmir",
    summary: "The OIC should meet.",
    ask: "Convene the Council of Foreign Ministers.",
    addressedTo: "The OIC",
    "target-0-name": "Hissein Brahim Taha",
    "target-0-role": "Secretary-General",
    "target-0-country": "sa",
    argumentMd: "## Why now\n\nIt is **overdue**. <script>alert(1)</script> [evil](javascript:alert(1))",
    goal: "5000",
    deadline: "",
    ...overrides,
  });
  const newCampaignUrl = (slug: string) => `${web.url}/dashboard/orgs/${slug}/campaigns/new`;

  it("Preview renders the argument sanitised and keeps every value entered, saving nothing", async () => {
    const { org, organiser } = await campaignOfNewOrganisation();
    const before = await t.db.selectFrom("campaigns").select((eb) => eb.fn.countAll<string>().as("n")).executeTakeFirstOrThrow();
    const res = await postForm(newCampaignUrl(org.slug), { ...fields(), intent: ["save", "preview"] } as never, { headers: { Cookie: organiser.cookie } });
    expect(res.status).toBe(200);
    const html = await res.text();
    const preview = html.match(/<section class="md-preview"[\s\S]*?<\/section>/)?.[0] ?? "";
    expect(preview).toContain("<h3>Why now</h3>");
    expect(preview).toContain("<strong>overdue</strong>");
    expect(preview).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(preview).not.toContain("<script>");
    expect(preview).not.toContain('href="javascript:');
    for (const kept of ['value="Şimdi Konuşun: Kashmir"', 'value="Hissein Brahim Taha"', 'value="Secretary-General"', 'value="sa"', 'value="5000"', "## Why now"]) expect(html).toContain(kept);
    const after = await t.db.selectFrom("campaigns").select((eb) => eb.fn.countAll<string>().as("n")).executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });

  it("the campaign page's form previews too, changing nothing", async () => {
    const { campaign, organiser } = await campaignOfNewOrganisation("draft");
    const res = await postForm(`${web.url}/dashboard/campaigns/${campaign.id}`, { ...fields({ slug: campaign.slug }), intent: ["save", "preview"] } as never, { headers: { Cookie: organiser.cookie } });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("<strong>overdue</strong>");
    const row = await t.db.selectFrom("campaigns").select(["title", "argument_md"]).where("id", "=", campaign.id).executeTakeFirstOrThrow();
    expect(row.title).toBe(campaign.title);
  });

  it("an empty web address is made from the title; a title with no Latin letters asks for one", async () => {
    const { org, organiser } = await campaignOfNewOrganisation();
    const res = await postForm(newCampaignUrl(org.slug), fields(), { headers: { Cookie: organiser.cookie } });
    expect(res.status).toBe(303);
    const created = await t.db.selectFrom("campaigns").select(["slug", "title"]).where("id", "=", Number(res.headers.get("location")!.split("/").pop())).executeTakeFirstOrThrow();
    expect(created).toEqual({ slug: "simdi-konusun-kashmir", title: "Şimdi Konuşun: Kashmir" });

    const urdu = await postForm(newCampaignUrl(org.slug), fields({ title: "کشمیر پر اجلاس بلائیں" }), { headers: { Cookie: organiser.cookie } });
    expect(urdu.status).toBe(400);
    const html = await urdu.text();
    expect(html).toContain("No web address could be made from this title: type one");
    expect(html).toContain('value="کشمیر پر اجلاس بلائیں"');
    expect(await t.db.selectFrom("campaigns").select("id").where("title", "=", "کشمیر پر اجلاس بلائیں").execute()).toEqual([]);
  });

  it("creates the campaign with its picture in one multipart form; a bad picture is a field error and creates nothing", async () => {
    const { org, organiser } = await campaignOfNewOrganisation();
    const sharp = (await import("sharp")).default;
    const png = await sharp({ create: { width: 1200, height: 600, channels: 3, background: { r: 10, g: 120, b: 80 } } }).png().toBuffer();
    const multipart = (image: { bytes: Buffer; type: string } | null, overrides: Record<string, string> = {}) => {
      const form = new FormData();
      for (const [k, v] of Object.entries(fields(overrides))) form.append(k, v);
      form.append("image", image ? new Blob([new Uint8Array(image.bytes)], { type: image.type }) : new Blob([]), image ? "picture.png" : "");
      form.append("alt", "Marchers with a banner in Muzaffarabad");
      return fetch(newCampaignUrl(org.slug), { method: "POST", body: form, headers: { Cookie: organiser.cookie }, redirect: "manual" });
    };

    const bad = await multipart({ bytes: Buffer.from("not a picture at all"), type: "image/png" }, { slug: "with-a-bad-picture" });
    expect(bad.status).toBe(400);
    const badHtml = await bad.text();
    expect(badHtml).toContain('id="c-image-error"');
    expect(badHtml).toContain("choose the picture again before saving");
    expect(badHtml).toContain('value="Marchers with a banner in Muzaffarabad"');
    expect(await t.db.selectFrom("campaigns").select("id").where("slug", "=", "with-a-bad-picture").execute()).toEqual([]);

    const good = await multipart({ bytes: png, type: "image/png" }, { slug: "with-a-picture" });
    expect(good.status).toBe(303);
    const id = Number(good.headers.get("location")!.split("/").pop());
    const hero = await t.db.selectFrom("campaign_heroes").select("alt").where("campaign_id", "=", id).executeTakeFirstOrThrow();
    expect(hero.alt).toBe("Marchers with a banner in Muzaffarabad");
    const widths = await t.db.selectFrom("campaign_images").select("width").where("campaign_id", "=", id).orderBy("width").execute();
    expect(widths.map((w) => w.width)).toEqual([480, 960, 1200]);

    const without = await multipart(null, { slug: "without-a-picture" });
    expect(without.status).toBe(303);
    expect(await t.db.selectFrom("campaign_heroes").select("alt").where("campaign_id", "=", Number(without.headers.get("location")!.split("/").pop())).execute()).toEqual([]);
  });
});
