/**
 * Reach in a real Chromium: the widget framed by a page on another origin (localhost vs the
 * server's 127.0.0.1, so another site), signing inside it; a page on an origin the organisers did
 * not allow cannot frame it; a confirmed signer's share link brings a signature referred by them.
 */
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import { afterAll, describe, expect, it } from "vitest";
import { issueVerificationToken } from "~/modules/signatures/signatures.queries.server";
import { createCampaign, eventually } from "../support/fixtures";
import { freePort } from "../support/redis";
import { artifactPath, recordProblems } from "./browser";
import { e2eStack } from "./stack";

const stack = e2eStack({ label: "e2ereach" });
const partnerSites: Server[] = [];

afterAll(async () => {
  await Promise.allSettled(partnerSites.map((s) => new Promise((resolve) => s.close(resolve))));
});

/** A partner's web site on http://localhost:<port>: one page with the given HTML body. */
async function partnerSite(body: string): Promise<string> {
  const port = await freePort();
  const server = createServer((_req, res) => {
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" }).end(`<!doctype html><html lang="en"><head><title>Partner</title></head><body><h1>Our partner page</h1>${body}</body></html>`);
  });
  partnerSites.push(server);
  await new Promise<void>((resolve) => server.listen(port, resolve));
  return `http://localhost:${port}`;
}

const freshEmail = (label: string) => `e2e-${label}-${randomBytes(5).toString("hex")}@example.org`;
const signatureOf = (email: string) =>
  stack.database.db.selectFrom("signatures").select(["id", "status", "source", "partner_id", "referred_by", "referral_channel", "referral_code", "locale"]).where("email_normalized", "=", email).executeTakeFirst();

async function partnerOf(campaignId: number, code: string) {
  const org = await stack.database.db.insertInto("organisations").values({ slug: `org-${code}`, name: `Partner ${code}` }).returning("id").executeTakeFirstOrThrow();
  return stack.database.db.insertInto("campaign_partners").values({ campaign_id: campaignId, organisation_id: org.id, share_code: code, status: "accepted" }).returning("id").executeTakeFirstOrThrow();
}

describe("the widget on another site", () => {
  it("signs inside the frame on an allowed origin, records the partner, and is refused by a site that was not allowed", async () => {
    const campaign = await createCampaign(stack.database.db, { title: "Framed campaign" });
    const partner = await partnerOf(campaign.id, "framepartner");
    const allowed = await partnerSite(
      `<script src="${stack.web.url}/embed.js" data-campaign="${campaign.slug}" data-partner="framepartner" data-lang="ur" data-title="Petition" async></script>`,
    );
    const other = await partnerSite(`<iframe src="${stack.web.url}/embed/campaigns/${campaign.slug}" title="Petition"></iframe>`);
    await stack.database.db.insertInto("campaign_embed_origins").values({ campaign_id: campaign.id, origin: allowed }).execute();

    const page = await stack.newPage();
    const problems = recordProblems(page);
    const violations: string[] = [];
    page.on("console", (m) => {
      if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
    });
    await page.goto(allowed);
    const frame = page.frameLocator("iframe");
    await frame.locator("#sign-name").waitFor();
    // The frame keeps the language it was asked for, right to left.
    expect(await frame.locator("html").getAttribute("dir")).toBe("rtl");
    // embed.js sizes the iframe from the height the frame posts (only from Banner's origin): the
    // whole form shows, down to its button, without a scrollbar in the frame.
    const widget = page.frames().find((f) => f !== page.mainFrame())!;
    await eventually(async () => {
      const content = await widget.evaluate(() => document.documentElement.scrollHeight);
      const box = await page.evaluate(() => document.querySelector("iframe")!.getBoundingClientRect().height);
      return Math.abs(box - content) <= 1;
    }, 10_000, "the iframe to fit the widget");
    // For looking at: Chromium paints a frame only inside the viewport, so make room for all of it.
    await page.setViewportSize({ width: 800, height: 1500 });
    await page.screenshot({ path: await artifactPath("widget-ur.png") });

    const email = freshEmail("widget");
    await frame.locator("#sign-name").fill("Bilal Ahmed");
    await frame.locator("#sign-email").fill(email);
    await frame.locator("#sign-country").selectOption("PK");
    await frame.locator("#sign-optInPartner").check();
    await frame.locator("#sign-consent").check();
    await frame.locator('button[type="submit"]').click();
    // "Check your inbox", inside the frame; the partner's page stays where it is.
    await frame.locator('[data-testid="embed-signed"]').waitFor();
    expect(page.url()).toBe(`${allowed}/`);
    const row = await eventually(() => signatureOf(email), 10_000, "the widget's signature");
    expect(row).toMatchObject({ status: "pending", source: "widget", partner_id: partner.id, locale: "ur" });
    expect(problems).toEqual([]);
    // Nothing on the widget's pages broke its own policy (fonts, styles, the resizer script).
    expect(violations).toEqual([]);

    // A site that is not on the list: Chromium refuses to show the widget in its frame.
    const refused = await stack.newPage();
    const consoleErrors: string[] = [];
    refused.on("console", (m) => consoleErrors.push(m.text()));
    await refused.goto(other);
    await refused.waitForLoadState("load");
    const child = refused.frames().find((f) => f !== refused.mainFrame())!;
    expect(await child.locator("#sign-name").count()).toBe(0);
    expect(consoleErrors.some((m) => /frame-ancestors/.test(m))).toBe(true);
  });
});

describe("share links", () => {
  it("a confirmed signer's WhatsApp link brings a signature that records them as the referrer", async () => {
    const campaign = await createCampaign(stack.database.db);
    const a = freshEmail("sharer");
    const sharer = await stack.newPage();
    await sharer.goto(`${stack.web.url}/campaigns/${campaign.slug}`);
    await sharer.fill("#sign-name", "Sana Mir");
    await sharer.fill("#sign-email", a);
    await sharer.selectOption("#sign-country", "PK");
    await sharer.check("#sign-consent");
    await sharer.getByRole("button", { name: "Sign the petition" }).click();
    await sharer.getByRole("heading", { name: "Check your inbox" }).waitFor();

    const signerA = (await eventually(() => signatureOf(a), 10_000, "A's signature"))!;
    await sharer.goto(`${stack.web.url}/verify/${await issueVerificationToken(stack.database.db, signerA.id)}`);
    await sharer.getByRole("button", { name: "Confirm my signature" }).click();
    await sharer.locator('[data-testid="confirmed"]').waitFor();
    const whatsapp = await sharer.locator('a[data-channel="whatsapp"]').getAttribute("href");
    const shared = new URL(whatsapp!).searchParams.get("text")!.split("\n").at(-1)!;
    expect(shared).toBe(`${stack.web.url}/campaigns/${campaign.slug}?ref=${signerA.referral_code}&via=whatsapp`);
    expect(await sharer.locator("#share-link").inputValue()).toBe(`${stack.web.url}/campaigns/${campaign.slug}?ref=${signerA.referral_code}&via=link`);

    // A friend opens the link from WhatsApp and signs.
    const b = freshEmail("friend");
    const friend = await stack.newPage();
    await friend.goto(shared);
    await friend.fill("#sign-name", "Omar Farooq");
    await friend.fill("#sign-email", b);
    await friend.selectOption("#sign-country", "MY");
    await friend.check("#sign-consent");
    await friend.getByRole("button", { name: "Sign the petition" }).click();
    await friend.getByRole("heading", { name: "Check your inbox" }).waitFor();
    const signerB = await eventually(() => signatureOf(b), 10_000, "B's signature");
    expect(signerB).toMatchObject({ referred_by: signerA.id, referral_channel: "whatsapp" });
  });
});
