/**
 * A page opened from a share link posts its sign form to the bare page URL (the
 * fast path in server/sign-form-post.ts takes no query string); the attribution travels in hidden
 * fields and is still recorded.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCampaign } from "../support/fixtures";
import { postForm } from "../support/web";
import { startSecurityStack, type SecurityStack } from "./stack";

let stack: SecurityStack;

beforeAll(async () => {
  stack = await startSecurityStack("secshare");
});
afterAll(async () => stack?.stop());

const formOf = (html: string) => /<form[^>]*data-enhance="sign-form"[^>]*>/.exec(html)?.[0] ?? /<form[^>]*method="post"[^>]*>/.exec(html)![0];

describe("the sign form on a page opened from a share link", () => {
  it("posts to the page URL without its query, with ref and via as hidden fields", async () => {
    const campaign = await createCampaign(stack.tdb.db);
    for (const prefix of ["", "/ur"]) {
      const res = await fetch(`${stack.web.url}${prefix}/campaigns/${campaign.slug}?ref=abcdefghjkmn&via=whatsapp&fbclid=XYZ&utm_source=wa`);
      const html = await res.text();
      const form = formOf(html);
      expect(form).toContain(`action="${prefix}/campaigns/${campaign.slug}"`);
      expect(form).not.toContain("?");
      expect(html).toContain('<input type="hidden" name="via" value="whatsapp"/>');
      expect(html).toContain('<input type="hidden" name="ref" value="abcdefghjkmn"/>');
    }
  });

  it("a post of that form to the bare URL signs with the channel recorded", async () => {
    const campaign = await createCampaign(stack.tdb.db);
    const res = await postForm(`${stack.web.url}/campaigns/${campaign.slug}`, { name: "Omar", email: "omar-share@example.org", country: "TR", consent: "on", via: "whatsapp" });
    expect(res.status).toBe(303);
    const row = await stack.tdb.db.selectFrom("signatures").select("referral_channel").where("campaign_id", "=", campaign.id).executeTakeFirstOrThrow();
    expect(row.referral_channel).toBe("whatsapp");
  });
});
