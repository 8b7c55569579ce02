import { randomBytes } from "node:crypto";
import type { Page, Request, Response } from "playwright-core";
import { describe, expect, it } from "vitest";
import { DEMO_CAMPAIGN } from "~/modules/campaigns/demo-campaign";
import { createCampaign, eventually } from "../support/fixtures";
import { verificationLink } from "../support/smtp";
import { artifactPath, recordProblems, waitForEnhancement } from "./browser";
import { e2eStack } from "./stack";

// The real demo campaign (realistic screenshots), a real SMTP server and the worker.
const stack = e2eStack({ label: "e2e", demoCampaign: true, mail: true });

const freshEmail = (label: string) => `e2e-${label}-${randomBytes(5).toString("hex")}@example.org`;

function signaturesOf(campaignId: number) {
  return stack.database.db.selectFrom("signatures").select(["id", "status", "confirmed_at", "email_normalized"]).where("campaign_id", "=", campaignId).execute();
}

async function fillSignForm(page: Page, fields: { name: string; email: string; country: string; consent: boolean }) {
  await page.fill("#sign-name", fields.name);
  await page.fill("#sign-email", fields.email);
  await page.selectOption("#sign-country", fields.country);
  await page.fill("#sign-postalCode", "54000");
  await page.fill("#sign-comment", "Signed from a real browser.");
  await page.check("#sign-publicName");
  if (fields.consent) await page.check("#sign-consent");
}

/** The confirmed count the campaign page shows, reloading until it equals `expected`. */
async function waitForShownCount(page: Page, slug: string, expected: number): Promise<void> {
  await page.goto(`${stack.web.url}/campaigns/${slug}`);
  await eventually(
    async () => {
      // A reload revalidates the page even inside its short public max-age.
      await page.reload();
      return (await page.getAttribute('[data-testid="signature-count"]', "data-count")) === String(expected);
    },
    8_000,
    `the campaign page to show ${expected} confirmed signature(s)`,
  );
  await expect(page.textContent('[data-testid="signature-count"]')).resolves.toContain(String(expected));
}

/** Signs `slug` in the browser, follows the emailed link, checks GET changes nothing, confirms. */
async function signAndConfirm(page: Page, slug: string, campaignId: number, email: string) {
  // The email arrives over real SMTP, with a link to this very server.
  const mail = await stack.smtp.waitFor((m) => m.to.includes(email), 10_000);
  expect(mail.subject).toContain("Confirm your signature");
  const link = verificationLink(mail);
  expect(link.startsWith(`${stack.web.url}/verify/`)).toBe(true);

  const [row] = await signaturesOf(campaignId);
  expect(row).toMatchObject({ status: "pending", confirmed_at: null, email_normalized: email });

  // Opening the link (what a mail scanner does) shows the button and confirms nothing.
  const opened = await page.goto(link);
  expect(opened?.status()).toBe(200);
  const confirmButton = page.getByRole("button", { name: "Confirm my signature" });
  await expect(confirmButton.count()).resolves.toBe(1);
  await expect(page.innerText("body")).resolves.not.toContain("your signature counts");
  await new Promise((r) => setTimeout(r, 700)); // two fold periods: a wrong GET-confirm would show by now
  expect((await signaturesOf(campaignId))[0]).toMatchObject({ status: "pending", confirmed_at: null });
  const counted = await stack.database.db.selectFrom("campaign_counts").select("confirmed").where("campaign_id", "=", campaignId).executeTakeFirst();
  expect(counted?.confirmed ?? 0).toBe(0);

  // Pressing the button confirms.
  const answered = page.waitForResponse((r) => r.request().method() === "POST" && r.url().includes("/verify/"));
  await confirmButton.click();
  const answer = await answered;
  await page.getByText("Thank you: your signature counts").waitFor({ timeout: 10_000 });
  // Chromium accepts brotli and gzip; the page comes as gzip stitched from pieces deflated once
  // (server/stitched-gzip.ts), and the browser reads all of it, the signer's own strings included.
  expect(answer.headers()["content-encoding"]).toBe("gzip");
  expect(await answer.text()).toMatch(/<\/html>/);
  await expect(page.getByText("You are the first confirmed signer.").count()).resolves.toBe(1);
  await expect(page.locator("#share-link").inputValue()).resolves.toMatch(/\?ref=[a-z2-9]{12}&via=link$/);
  const [confirmed] = await signaturesOf(campaignId);
  expect(confirmed!.status).toBe("confirmed");
  expect(confirmed!.confirmed_at).not.toBeNull();

  // The worker folds the count; the campaign page shows it within a few seconds.
  await waitForShownCount(page, slug, 1);
}

describe("signing a petition in a real browser", () => {
  it("with JavaScript on, a supporter signs without a page reload, confirms from the emailed link, and the page counts them", async () => {
    const campaign = await createCampaign(stack.database.db, { title: "E2E with JavaScript" });
    const page = await stack.newPage();
    const problems = recordProblems(page);
    const documentPosts: Request[] = [];
    page.on("request", (r) => {
      if (r.isNavigationRequest() && r.method() === "POST") documentPosts.push(r);
    });

    await page.goto(`${stack.web.url}/campaigns/${campaign.slug}`);
    await expect(page.getAttribute('[data-testid="signature-count"]', "data-count")).resolves.toBe("0");
    await waitForEnhancement(page, problems);
    // The page's own small script runs, not React and Remix (ADR 0014).
    await expect(page.evaluate(() => "__remixContext" in window)).resolves.toBe(false);
    const email = freshEmail("js");
    await fillSignForm(page, { name: "Ayesha Khan", email, country: "PK", consent: true });

    // A full page load would wipe this; the page script's submission keeps it.
    await page.evaluate(() => ((window as unknown as { __marker?: number }).__marker = 1));
    await page.getByRole("button", { name: "Sign the petition" }).click();
    await page.waitForURL(`${stack.web.url}/campaigns/${campaign.slug}/signed`);
    await page.getByRole("heading", { name: "Check your inbox" }).waitFor();
    await expect(page.evaluate(() => (window as unknown as { __marker?: number }).__marker)).resolves.toBe(1);
    expect(documentPosts).toHaveLength(0);
    // Focus moved to the new page's heading, as a screen reader expects after a page change.
    await expect(page.evaluate(() => document.activeElement?.tagName)).resolves.toBe("H1");
    expect(problems).toEqual([]);

    await signAndConfirm(page, campaign.slug, campaign.id, email);
  });

  it("with JavaScript off, the same flow works with plain form posts", async () => {
    const campaign = await createCampaign(stack.database.db, { title: "E2E without JavaScript" });
    const page = await stack.newPage({ javaScriptEnabled: false });
    const posts: { url: string; status: number }[] = [];
    page.on("response", (r: Response) => {
      if (r.request().method() === "POST") posts.push({ url: r.url(), status: r.status() });
    });

    await page.goto(`${stack.web.url}/campaigns/${campaign.slug}`);
    // Proof that the page really runs without scripts: nothing hydrates.
    await expect(page.evaluate(() => "__remixContext" in window && Object.keys(document.querySelector("form.stack")!).length)).resolves.toBeFalsy();
    const email = freshEmail("nojs");
    await fillSignForm(page, { name: "Mehmet Yılmaz", email, country: "TR", consent: true });
    await page.getByRole("button", { name: "Sign the petition" }).click();
    await page.waitForURL(`${stack.web.url}/campaigns/${campaign.slug}/signed`);
    await page.getByRole("heading", { name: "Check your inbox" }).waitFor();
    // The browser itself posted the form (no .data fetch) and followed a 303.
    expect(posts).toEqual([{ url: expect.stringMatching(new RegExp(`/campaigns/${campaign.slug}(\\?index)?$`)), status: 303 }]);

    await signAndConfirm(page, campaign.slug, campaign.id, email);
    expect(posts.map((p) => p.status)).toEqual([303, 200]);
    expect(posts[1]!.url).toMatch(/\/verify\/[A-Za-z0-9_-]{43}$/);
  });

  it("with JavaScript off, bad input re-renders the form with a 400, an error summary and field messages, and stores nothing", async () => {
    const campaign = await createCampaign(stack.database.db, { title: "E2E bad input" });
    const page = await stack.newPage({ javaScriptEnabled: false });
    let dialogs = 0;
    page.on("dialog", (d) => {
      dialogs++;
      void d.dismiss();
    });
    const hostile = "<script>alert(1)</script>";

    const outboxRows = () =>
      stack.database.db.selectFrom("outbox").select(({ fn }) => fn.countAll<string>().as("n")).executeTakeFirstOrThrow().then((r) => Number(r.n));
    const outboxBefore = await outboxRows();

    await page.goto(`${stack.web.url}/campaigns/${campaign.slug}`);
    await fillSignForm(page, { name: hostile, email: freshEmail("bad"), country: "MY", consent: false });
    // The browser's own validation stops a missing consent first...
    await page.getByRole("button", { name: "Sign the petition" }).click();
    await expect(page.evaluate(() => (document.querySelector("#sign-consent") as HTMLInputElement).validity.valueMissing)).resolves.toBe(true);
    expect(page.url()).toBe(`${stack.web.url}/campaigns/${campaign.slug}`);
    // ...so switch it off, as an old browser or a hand-made request would, to reach the server.
    await page.evaluate(() => ((document.querySelector("form.stack") as HTMLFormElement).noValidate = true));
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === "POST"),
      page.getByRole("button", { name: "Sign the petition" }).click(),
    ]);
    expect(response.status()).toBe(400);
    await page.waitForLoadState("load");

    const summary = page.getByRole("alert");
    await expect(summary.textContent()).resolves.toContain("Please correct the highlighted fields.");
    await expect(summary.locator("a").evaluateAll((as) => as.map((a) => a.getAttribute("href")))).resolves.toEqual(["#sign-name", "#sign-consent"]);
    await expect(page.textContent("#sign-name-error")).resolves.toBe("Use plain text: no control characters or HTML tags.");
    await expect(page.textContent("#sign-consent-error")).resolves.toBe("You need to agree to this to sign.");
    await expect(page.locator(".field-error").count()).resolves.toBe(2);
    await expect(page.getAttribute("#sign-name", "aria-invalid")).resolves.toBe("true");
    // The invalid field is marked in red (--danger), not only by its message.
    await expect(page.$eval("#sign-name", (el) => getComputedStyle(el).borderInlineStartColor)).resolves.toBe("rgb(179, 38, 30)");
    await expect(page.$eval("#sign-email", (el) => getComputedStyle(el).borderInlineStartColor)).resolves.not.toBe("rgb(179, 38, 30)");
    // The hostile text comes back as the field's value, never as markup.
    await expect(page.inputValue("#sign-name")).resolves.toBe(hostile);
    const html = await response.text();
    expect(html).not.toContain(hostile);
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;"); // the value attribute, escaped
    await expect(page.locator("script").evaluateAll((ss) => ss.filter((s) => s.textContent?.trim() === "alert(1)").length)).resolves.toBe(0);
    expect(dialogs).toBe(0);

    expect(await signaturesOf(campaign.id)).toEqual([]);
    expect(await outboxRows()).toBe(outboxBefore);
  });

  it("a 360 px wide phone shows the campaign page without horizontal scrolling", async () => {
    const slug = DEMO_CAMPAIGN.slug;
    const desktop = await stack.newPage({ viewport: { width: 1280, height: 900 } });
    await desktop.goto(`${stack.web.url}/campaigns/${slug}`);
    await desktop.screenshot({ path: await artifactPath("campaign-desktop-1280.png"), fullPage: true });

    const phone = await stack.newPage({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
    await phone.goto(`${stack.web.url}/campaigns/${slug}`);
    await phone.getByRole("button", { name: "Sign the petition" }).waitFor();
    await phone.screenshot({ path: await artifactPath("campaign-phone-360.png"), fullPage: true });
    const widths = await phone.evaluate(() => ({ scroll: document.scrollingElement!.scrollWidth, inner: window.innerWidth }));
    expect(widths.inner).toBe(360);
    expect(widths.scroll).toBeLessThanOrEqual(widths.inner);

    // The error state is the widest the form gets: it must fit too.
    await phone.evaluate(() => ((document.querySelector("form.stack") as HTMLFormElement).noValidate = true));
    await phone.getByRole("button", { name: "Sign the petition" }).click();
    await phone.getByRole("alert").waitFor();
    await phone.screenshot({ path: await artifactPath("campaign-phone-360-errors.png"), fullPage: true });
    const errorWidths = await phone.evaluate(() => ({ scroll: document.scrollingElement!.scrollWidth, inner: window.innerWidth }));
    expect(errorWidths.scroll).toBeLessThanOrEqual(errorWidths.inner);
  });
});
