/**
 * A real person's signature is never silently dropped. A form sent sooner than
 * the minimum fill time (autofill, a quick hand) is stored, marked for the fraud view and its
 * confirmation queued; only the honeypot stays a silent drop. And the "check your inbox" page
 * never promises an email that a confirmed signer signing again will not get.
 */
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FORM_STAMP_FIELD, HONEYPOT_FIELD } from "~/modules/fraud/fraud.fields";
import { issueFormStamp } from "~/modules/fraud/form-screen.server";
import { createCampaign } from "../support/fixtures";
import { TEST_SESSION_SECRET } from "../support/organisers";
import { postForm } from "../support/web";
import { startSecurityStack, type SecurityStack } from "./stack";

let stack: SecurityStack;

beforeAll(async () => {
  stack = await startSecurityStack("secsign", { SIGN_MIN_FILL_SECONDS: "30" });
});
afterAll(async () => stack?.stop());

const form = (overrides: Record<string, string> = {}) => ({
  name: "Nadia Rahman",
  email: `nadia-${Math.random().toString(36).slice(2)}@example.org`,
  country: "MY",
  consent: "on",
  ...overrides,
});

async function tally(campaignId: number) {
  const rows = await stack.tdb.db.selectFrom("signatures").select(["id", "screen_flag", "status"]).where("campaign_id", "=", campaignId).execute();
  const outbox = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM outbox o JOIN signatures s ON s.id = (o.payload->>'signatureId')::bigint
    WHERE s.campaign_id = ${campaignId} AND o.topic = 'signature.verification'`.execute(stack.tdb.db);
  return { rows, mails: outbox.rows[0]!.n };
}

describe("a fast form (autofill) is a person until the email says otherwise", () => {
  it("a form sent one second after the page rendered is stored, flagged, and its confirmation queued", async () => {
    const campaign = await createCampaign(stack.tdb.db);
    const stamp = issueFormStamp(TEST_SESSION_SECRET, Date.now() - 1000);
    const res = await postForm(`${stack.web.url}/campaigns/${campaign.slug}`, form({ [FORM_STAMP_FIELD]: stamp }));
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`/campaigns/${campaign.slug}/signed`);
    const { rows, mails } = await tally(campaign.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.screen_flag).toBe("fast-form");
    expect(mails).toBe(1);
  });

  it("the enhanced (JavaScript) post of a fast form is stored too", async () => {
    const campaign = await createCampaign(stack.tdb.db);
    const stamp = issueFormStamp(TEST_SESSION_SECRET, Date.now() - 500);
    const res = await postForm(`${stack.web.url}/campaigns/${campaign.slug}.data`, form({ [FORM_STAMP_FIELD]: stamp }));
    expect(res.status).toBeLessThan(400);
    expect((await tally(campaign.id)).rows).toHaveLength(1);
  });

  it("a filled-in honeypot still gets the same answer and stores nothing", async () => {
    const campaign = await createCampaign(stack.tdb.db);
    const res = await postForm(`${stack.web.url}/campaigns/${campaign.slug}`, form({ [HONEYPOT_FIELD]: "http://spam.example" }));
    expect(res.status).toBe(303);
    expect(await tally(campaign.id)).toEqual({ rows: [], mails: 0 });
  });

  it("the fraud view counts the flagged forms", async () => {
    const { signedInUser } = await import("../support/organisers");
    const admin = await signedInUser(stack.tdb.db, { role: "admin" });
    const campaign = await createCampaign(stack.tdb.db);
    const stamp = issueFormStamp(TEST_SESSION_SECRET, Date.now() - 1000);
    await postForm(`${stack.web.url}/campaigns/${campaign.slug}`, form({ [FORM_STAMP_FIELD]: stamp }));
    await postForm(`${stack.web.url}/campaigns/${campaign.slug}`, form({ [FORM_STAMP_FIELD]: stamp }));
    const html = await (await fetch(`${stack.web.url}/admin/fraud/${campaign.id}`, { headers: { Cookie: admin.cookie } })).text();
    expect(html).toMatch(/data-testid="fast-forms">[^<]*: 2 \(0 confirmed\)/);
  });
});

describe("signing again after confirming", () => {
  it("the page after signing does not promise a new email to someone who confirmed already", async () => {
    const campaign = await createCampaign(stack.tdb.db);
    const fields = form();
    expect((await postForm(`${stack.web.url}/campaigns/${campaign.slug}`, fields)).status).toBe(303);
    await stack.tdb.db.updateTable("signatures").set({ status: "confirmed", confirmed_at: new Date() }).where("campaign_id", "=", campaign.id).execute();
    const before = await tally(campaign.id);
    const again = await postForm(`${stack.web.url}/campaigns/${campaign.slug}`, fields);
    expect(again.status).toBe(303);
    // Nothing new is sent to a confirmed signer...
    expect((await tally(campaign.id)).mails).toBe(before.mails);
    // ...and the page says so rather than claiming a link was sent.
    const page = await (await fetch(new URL(again.headers.get("location")!, stack.web.url))).text();
    expect(page).not.toContain("We have sent a confirmation link");
    expect(page).toContain("Already confirmed your signature here before? Then it counts already and no new email is sent.");
  });
});
