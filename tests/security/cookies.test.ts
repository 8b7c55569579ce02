/**
 * A malformed cookie or header (say `Cookie: lang=%E0%A4`) is ignored, never a 5xx.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCampaign } from "../support/fixtures";
import { startSecurityStack, type SecurityStack } from "./stack";

let stack: SecurityStack;

beforeAll(async () => {
  stack = await startSecurityStack("seccookie");
});
afterAll(async () => stack?.stop());

const BAD_COOKIES = [
  "lang=%E0%A4",
  "lang=%",
  "lang=%%%; banner_session=%E0%A4",
  "banner_session=%E0%A4",
  "banner_session=not.signed",
  "banner_session=\"unterminated",
  "=; ==; lang",
  `lang=${"x".repeat(4000)}`,
];

describe("malformed cookies", () => {
  it("every kind of page answers normally with a broken cookie", async () => {
    const campaign = await createCampaign(stack.tdb.db);
    const pages = ["/", `/campaigns/${campaign.slug}`, `/ur/campaigns/${campaign.slug}`, "/login", "/privacy", `/api/v1/campaigns/${campaign.slug}`, "/dashboard"];
    for (const cookie of BAD_COOKIES) {
      for (const page of pages) {
        const res = await fetch(`${stack.web.url}${page}`, { headers: { Cookie: cookie }, redirect: "manual" });
        expect(res.status, `${page} with ${cookie.slice(0, 40)}`).toBeLessThan(500);
        await res.arrayBuffer();
      }
    }
  });

  it("odd Accept-Language, Origin and Content-Type headers are ignored, not a 5xx", async () => {
    const campaign = await createCampaign(stack.tdb.db);
    const headers: Record<string, string>[] = [
      { "Accept-Language": "%E0%A4;q=x, *;q=-1, ur-;q=1.5" },
      { Origin: "http://[::1" },
      { Origin: "null" },
      { "Content-Type": "multipart/form-data; boundary=" },
      { "Content-Type": "application/x-www-form-urlencoded; charset=nonsense" },
    ];
    for (const h of headers) {
      const get = await fetch(`${stack.web.url}/campaigns/${campaign.slug}`, { headers: h });
      expect(get.status, JSON.stringify(h)).toBeLessThan(500);
      const post = await fetch(`${stack.web.url}/campaigns/${campaign.slug}`, { method: "POST", headers: h, body: "name=%E0%A4", redirect: "manual" });
      expect(post.status, JSON.stringify(h)).toBeLessThan(500);
    }
  });
});
