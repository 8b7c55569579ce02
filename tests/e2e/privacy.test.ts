/**
 * A supporter erases their data in a real Chromium: signs, confirms from the emailed link, asks
 * at /privacy, follows the erasure link from the email (real SMTP), confirms, and the campaign's
 * count stays as it was.
 */
import { randomBytes } from "node:crypto";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countConfirmedFromScratch } from "~/modules/counts/counts.server";
import type { RunningWorker } from "../../workers/worker";
import { createTestDatabase, type TestDatabase } from "../support/db";
import { createCampaign, eventually } from "../support/fixtures";
import { deletePrefix, SHARED_REDIS_URL, uniquePrefix } from "../support/redis";
import { startSmtpServer, verificationLink, type TestSmtpServer } from "../support/smtp";
import { startWeb, type RunningProcess } from "../support/web";
import { startTestWorker } from "../support/worker";
import { launchChromium, recordProblems, waitForEnhancement } from "./browser";

let database: TestDatabase;
let smtp: TestSmtpServer;
let web: RunningProcess;
let worker: RunningWorker;
let browser: Browser;
const redisPrefix = uniquePrefix("e2epriv");
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  database = await createTestDatabase("e2epriv");
  smtp = await startSmtpServer();
  [web, browser] = await Promise.all([
    startWeb({ DATABASE_URL: database.url, REDIS_URL: SHARED_REDIS_URL, REDIS_PREFIX: redisPrefix, SMTP_URL: smtp.url }),
    launchChromium(),
  ]);
  worker = await startTestWorker({ databaseUrl: database.url, redisPrefix, smtpUrl: smtp.url, appUrl: web.url, foldEveryMs: 300 });
});

afterAll(async () => {
  await Promise.allSettled(contexts.map((c) => c.close()));
  await browser?.close().catch(() => undefined);
  await worker?.stop().catch(() => undefined);
  await web?.stop().catch(() => undefined);
  await smtp?.close().catch(() => undefined);
  await database?.drop().catch(() => undefined);
  await deletePrefix(redisPrefix).catch(() => undefined);
});

async function newPage(): Promise<Page> {
  const context = await browser.newContext({ locale: "en-GB" });
  contexts.push(context);
  return context.newPage();
}

/** The count the campaign page shows, reloading until it equals `expected`. */
async function waitForShownCount(page: Page, slug: string, expected: number) {
  await page.goto(`${web.url}/campaigns/${slug}`);
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
    const campaign = await createCampaign(database.db, { title: "E2E erasure" });
    const email = `e2e-erase-${randomBytes(5).toString("hex")}@example.org`;
    const page = await newPage();
    const problems = recordProblems(page);

    // Sign and confirm.
    await page.goto(`${web.url}/campaigns/${campaign.slug}`);
    await waitForEnhancement(page, problems);
    await page.fill("#sign-name", "Farah Aziz");
    await page.fill("#sign-email", email);
    await page.selectOption("#sign-country", "MY");
    await page.fill("#sign-postalCode", "50000");
    await page.fill("#sign-comment", "Please erase me later.");
    await page.check("#sign-consent");
    await page.getByRole("button", { name: "Sign the petition" }).click();
    await page.getByRole("heading", { name: "Check your inbox" }).waitFor();
    await page.goto(verificationLink(await smtp.waitFor((m) => m.to.includes(email) && m.text.includes("/verify/"))));
    await page.getByRole("button", { name: "Confirm my signature" }).click();
    await page.getByText("Thank you: your signature counts").waitFor();
    await waitForShownCount(page, campaign.slug, 1);

    // Ask for erasure: the page answers without saying whether the address signed.
    await page.goto(`${web.url}/privacy`);
    await waitForEnhancement(page, problems);
    await page.getByLabel("Email").fill(email);
    await page.getByRole("button", { name: "Email me the link" }).click();
    await page.getByText("If this address has signed any petition here").waitFor();

    // Follow the link from the email: the page only asks; nothing is erased yet.
    const mail = await smtp.waitFor((m) => m.to.includes(email) && m.text.includes("/privacy/erase/"));
    expect(mail.subject).toBe("Confirm that you want your data erased");
    const link = mail.text.match(/https?:\/\/\S+\/privacy\/erase\/[A-Za-z0-9_-]{43}/)![0];
    expect(link.startsWith(`${web.url}/privacy/erase/`)).toBe(true);
    const opened = await page.goto(link);
    expect(opened?.status()).toBe(200);
    const row = () => database.db.selectFrom("signatures").selectAll().where("campaign_id", "=", campaign.id).executeTakeFirstOrThrow();
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
    expect((await countConfirmedFromScratch(database.db, campaign.id)).total).toBe(1);
  });
});
