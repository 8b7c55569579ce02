/**
 * A supporter erases their data in a real Chromium: signs, confirms from the emailed link, asks
 * at /privacy, follows the erasure link from the email (real SMTP), confirms, and the campaign's
 * count stays as it was.
 */
import { randomBytes } from "node:crypto";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { countConfirmedFromScratch } from "~/modules/counts/counts.server";
import { createCampaign, eventually } from "../support/fixtures";
import { verificationLink } from "../support/smtp";
import { recordProblems, waitForEnhancement } from "./browser";
import { e2eStack } from "./stack";

const stack = e2eStack({ label: "e2epriv", mail: true });

/** The count the campaign page shows, reloading until it equals `expected`. */
async function waitForShownCount(page: Page, slug: string, expected: number) {
  await page.goto(`${stack.web.url}/campaigns/${slug}`);
  await eventually(
    async () => {
      await page.reload();
      return (await page.getAttribute('[data-testid="signature-count"]', "data-count")) === String(expected);
    },
    8_000,
    `the campaign page to show ${expected}`,
  );
}

describe("a supporter erasing their data in a real browser", () => {
  it("signs, confirms, asks at /privacy, confirms from the emailed link, and the count stays", async () => {
    const campaign = await createCampaign(stack.database.db, { title: "E2E erasure" });
    const email = `e2e-erase-${randomBytes(5).toString("hex")}@example.org`;
    const page = await stack.newPage();
    const problems = recordProblems(page);

    // Sign and confirm.
    await page.goto(`${stack.web.url}/campaigns/${campaign.slug}`);
    await waitForEnhancement(page, problems);
    await page.fill("#sign-name", "Farah Aziz");
    await page.fill("#sign-email", email);
    await page.selectOption("#sign-country", "MY");
    await page.fill("#sign-postalCode", "50000");
    await page.fill("#sign-comment", "Please erase me later.");
    await page.check("#sign-consent");
    await page.getByRole("button", { name: "Sign the petition" }).click();
    await page.getByRole("heading", { name: "Check your inbox" }).waitFor();
    await page.goto(verificationLink(await stack.smtp.waitFor((m) => m.to.includes(email) && m.text.includes("/verify/"))));
    await page.getByRole("button", { name: "Confirm my signature" }).click();
    await page.getByText("Thank you: your signature counts").waitFor();
    await waitForShownCount(page, campaign.slug, 1);

    // Ask for erasure: the page answers without saying whether the address signed.
    await page.goto(`${stack.web.url}/privacy`);
    await waitForEnhancement(page, problems);
    await page.getByLabel("Email").fill(email);
    await page.getByRole("button", { name: "Email me the link" }).click();
    await page.getByText("If this address has signed any petition here").waitFor();

    // Follow the link from the email: the page only asks; nothing is erased yet.
    const mail = await stack.smtp.waitFor((m) => m.to.includes(email) && m.text.includes("/privacy/erase/"));
    expect(mail.subject).toBe("Confirm that you want your data erased");
    const link = mail.text.match(/https?:\/\/\S+\/privacy\/erase\/[A-Za-z0-9_-]{43}/)![0];
    expect(link.startsWith(`${stack.web.url}/privacy/erase/`)).toBe(true);
    const opened = await page.goto(link);
    expect(opened?.status()).toBe(200);
    const row = () => stack.database.db.selectFrom("signatures").selectAll().where("campaign_id", "=", campaign.id).executeTakeFirstOrThrow();
    expect(await row()).toMatchObject({ email, name: "Farah Aziz", erased_at: null });

    await waitForEnhancement(page, problems);
    const [erasing] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === "POST"),
      page.getByRole("button", { name: "Erase my data" }).click(),
    ]);
    expect(erasing.status()).toBe(200);
    await page.getByRole("heading", { name: "Your data is erased" }).waitFor();
    expect(problems).toEqual([]);

    const erased = await row();
    expect(erased).toMatchObject({ status: "confirmed", name: null, email: null, email_normalized: null, postal_code: null, comment: null, ip_address: null, user_agent: null });
    expect(erased.erased_at).not.toBeNull();

    // The count stays: on the page, and in a recount from scratch.
    await waitForShownCount(page, campaign.slug, 1);
    expect((await countConfirmedFromScratch(stack.database.db, campaign.id)).total).toBe(1);
  });
});
