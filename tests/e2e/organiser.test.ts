/**
 * An organiser's journey in a real Chromium, JavaScript off (every step is a plain form): sign up,
 * confirm from the email, log in, create an organisation and a campaign, submit it; an admin
 * publishes it from the review queue; a supporter signs and confirms; the organiser sees the count.
 */
import { randomBytes } from "node:crypto";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { createTestUser, eventually } from "../support/fixtures";
import { verificationLink } from "../support/smtp";
import { e2eStack } from "./stack";

const stack = e2eStack({ label: "e2eorg", mail: true });
/** Every step of this journey is a plain form: JavaScript off. */
const newPage = () => stack.newPage({ javaScriptEnabled: false });
const PASSWORD = "a passphrase long enough";

async function logIn(page: Page, email: string) {
  await page.goto(`${stack.web.url}/login`);
  await page.fill("#f-email", email);
  await page.fill("#f-password", PASSWORD);
  await Promise.all([page.waitForURL(/\/dashboard$/), page.click("button[type=submit]")]);
}

describe("an organiser", () => {
  it("signs up, launches a campaign an admin publishes, and sees a supporter's confirmed signature counted", async () => {
    const email = `organiser-${randomBytes(4).toString("hex")}@example.org`;
    const organiser = await newPage();

    await organiser.goto(`${stack.web.url}/signup`);
    await organiser.fill("#f-displayName", "Amina Organiser");
    await organiser.fill("#f-email", email);
    await organiser.fill("#f-password", PASSWORD);
    await organiser.click("button[type=submit]");
    await expect.poll(() => organiser.textContent("h1")).toContain("Confirm your address");

    const mail = await stack.smtp.waitFor((m) => m.to.includes(email));
    const confirmUrl = mail.text.match(/http:\/\/\S+\/account\/confirm\/[A-Za-z0-9_-]{43}/)![0];
    await organiser.goto(confirmUrl);
    const user = await stack.database.db.selectFrom("users").select(["email_confirmed_at"]).where("email", "=", email).executeTakeFirstOrThrow();
    expect(user.email_confirmed_at).toBeNull(); // opening the link confirmed nothing
    // Confirming signs the organiser in and goes on to the dashboard: no second log-in.
    await Promise.all([organiser.waitForURL(/\/dashboard$/), organiser.click("button[type=submit]")]);
    await expect.poll(() => organiser.textContent("header")).toContain("Log out");
    await organiser.click("text=Create an organisation");
    const orgSlug = `e2e-${randomBytes(3).toString("hex")}`;
    await organiser.fill("#f-name", "Kashmir Solidarity Network");
    await organiser.fill("#f-slug", orgSlug);
    await Promise.all([organiser.waitForURL(new RegExp(`/dashboard/orgs/${orgSlug}$`)), organiser.click("button[type=submit]")]);

    await organiser.click("text=New campaign");
    const slug = `e2e-campaign-${randomBytes(3).toString("hex")}`;
    await organiser.fill("#c-slug", slug);
    await organiser.fill("#c-title", "Convene the foreign ministers");
    await organiser.fill("#c-summary", "The OIC should meet on Kashmir.");
    await organiser.fill("#c-ask", "Convene the Council of Foreign Ministers on Kashmir.");
    await organiser.fill("#c-addressedTo", "The OIC");
    await organiser.fill("#target-0-name", "OIC Secretary-General");
    await organiser.fill("#c-argumentMd", "## Why\n\nBecause it is overdue.");
    await organiser.fill("#c-goal", "100");
    await Promise.all([organiser.waitForURL(/\/dashboard\/campaigns\/\d+$/), organiser.click("form:has(#c-slug) button.button[type=submit]:not([value=preview])")]);
    await organiser.click("text=Submit for review");
    await expect.poll(() => organiser.textContent("[data-testid=campaign-status]")).toBe("In review");

    // An admin (an existing account given the role) publishes it from the review queue.
    const { email: adminEmail } = await createTestUser(stack.database.db, "admin", "admin", { password: PASSWORD, displayName: "Admin" });
    const admin = await newPage();
    await logIn(admin, adminEmail);
    await admin.goto(`${stack.web.url}/admin/reviews`);
    await admin.click(`article:has-text("Convene the foreign ministers") button:has-text("Publish")`);
    await expect.poll(() => admin.textContent("main")).toContain("Nothing is waiting for review");

    // A supporter signs and confirms.
    const supporter = await newPage();
    const supporterEmail = `supporter-${randomBytes(4).toString("hex")}@example.org`;
    await supporter.goto(`${stack.web.url}/campaigns/${slug}`);
    await supporter.fill("#sign-name", "Bilal Supporter");
    await supporter.fill("#sign-email", supporterEmail);
    await supporter.selectOption("#sign-country", "MY");
    await supporter.check("#sign-optIn");
    await supporter.check("#sign-consent");
    await supporter.click("form:has(#sign-name) button[type=submit]");
    const verify = await stack.smtp.waitFor((m) => m.to.includes(supporterEmail));
    await supporter.goto(verificationLink(verify));
    await supporter.click("button[type=submit]");
    await expect.poll(() => supporter.textContent("h1")).toContain("your signature counts");

    // The organiser's organisation page shows it as confirmed.
    await eventually(
      async () => {
        await organiser.goto(`${stack.web.url}/dashboard/orgs/${orgSlug}`);
        return (await organiser.textContent("main"))?.includes("Confirmed: 1");
      },
      15_000,
      "the confirmed count on the organisation page",
    );

    // The organiser sends an update; the supporter gets it and unsubscribes in one click.
    await organiser.click("text=Convene the foreign ministers");
    await organiser.click("text=New update");
    await organiser.fill("#u-subject", "The petition is on its way");
    await organiser.fill("#u-bodyMd", "Thank you. We deliver it **next week**.");
    await Promise.all([organiser.waitForURL(/\/dashboard\/updates\/\d+$/), organiser.click("form:has(#u-subject) button[type=submit]")]);
    await expect.poll(() => organiser.textContent("main")).toContain("It will go to 1 confirmed signer who asked for updates.");
    // Sending asks once more, naming how many will get it; nothing is sent before the second press.
    await organiser.click("button:has-text('Send to signers')");
    await expect.poll(() => organiser.textContent("[data-testid=confirm-send] h2")).toBe("Send “The petition is on its way” to 1 signer?");
    expect(await organiser.textContent("[data-testid=update-status]")).toBe("Draft");
    await organiser.click("button:has-text('Yes, send it to 1 signer')");
    const update = await stack.smtp.waitFor((m) => m.to.includes(supporterEmail) && m.subject === "The petition is on its way");
    expect(update.html).toContain("<strong>next week</strong>");
    expect(update.text).toContain("Thank you. We deliver it next week.");
    const unsubscribeUrl = update.rawHeader("List-Unsubscribe")!.slice(1, -1);
    await supporter.goto(unsubscribeUrl);
    await supporter.click("button[type=submit]");
    await expect.poll(() => supporter.textContent("main")).toContain("you will get no more updates");
    const row = await stack.database.db.selectFrom("signatures").select("unsubscribed_at").where("email", "=", supporterEmail).executeTakeFirstOrThrow();
    expect(row.unsubscribed_at).not.toBeNull();
    await eventually(
      async () => {
        await organiser.reload();
        return (await organiser.textContent("[data-testid=update-status]")) === "Sent";
      },
      10_000,
      "the update to show as sent",
    );
  });
});
