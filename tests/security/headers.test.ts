/**
 * Security headers on every response; fingerprinted assets and media stay
 * publicly cacheable with a session cookie; X-Forwarded-* believed only from TRUSTED_PROXIES; the
 * session cookie Secure whenever the request came over https.
 */
import { readdirSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCampaign } from "../support/fixtures";
import { signedInUser, TEST_SESSION_SECRET } from "../support/organisers";
import { postForm, startWeb } from "../support/web";
import { createAccount, startSecurityStack, type SecurityStack } from "./stack";

let plain: SecurityStack;
/** behind a TLS-ending proxy at 127.0.0.1 */
let proxied: SecurityStack;

beforeAll(async () => {
  plain = await startSecurityStack("sechead");
  proxied = await startSecurityStack("secheadp", { TRUSTED_PROXIES: "127.0.0.1" });
}, 120_000);
afterAll(async () => Promise.all([plain?.stop(), proxied?.stop()]));

const cspOf = (res: Response) => res.headers.get("content-security-policy") ?? "";

describe("security headers", () => {
  it("every kind of response carries nosniff, a referrer policy, a permissions policy and a script policy", async () => {
    const campaign = await createCampaign(plain.tdb.db);
    for (const page of ["/", `/campaigns/${campaign.slug}`, "/login", "/healthz", "/favicon.svg", "/no-such-page", `/api/v1/campaigns/${campaign.slug}`]) {
      const res = await fetch(`${plain.web.url}${page}`);
      expect(res.headers.get("x-content-type-options"), page).toBe("nosniff");
      expect(res.headers.get("referrer-policy"), page).toBe("same-origin");
      expect(res.headers.get("permissions-policy"), page).toMatch(/camera=\(\)/);
      expect(cspOf(res), page).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]{24}'/);
      expect(cspOf(res), page).toMatch(/frame-ancestors 'none'/);
      expect(cspOf(res), page).toMatch(/object-src 'none'/);
      // No HSTS on a plain-http site.
      expect(res.headers.get("strict-transport-security")).toBeNull();
    }
  });

  it("token pages send no referrer", async () => {
    for (const page of ["/verify/abc", "/exports/abc", "/reset-password/abc", "/unsubscribe/abc"]) {
      const res = await fetch(`${plain.web.url}${page}`);
      // One policy, and one that never sends the token's URL to another site.
      expect(res.headers.get("referrer-policy"), page).toMatch(/^(no-referrer|same-origin)$/);
    }
  });

  it("every inline script on a hydrated page carries the response's nonce", async () => {
    const res = await fetch(`${plain.web.url}/login`);
    const nonce = /'nonce-([^']+)'/.exec(cspOf(res))![1]!;
    const html = await res.text();
    const scripts = [...html.matchAll(/<script\b([^>]*)>/g)].map((m) => m[1]!);
    expect(scripts.length).toBeGreaterThan(0);
    for (const attrs of scripts) {
      if (/\bsrc=/.test(attrs)) continue;
      expect(attrs).toContain(`nonce="${nonce}"`);
    }
    // A new nonce per response.
    const again = await fetch(`${plain.web.url}/login`);
    expect(/'nonce-([^']+)'/.exec(cspOf(again))![1]).not.toBe(nonce);
  });

  it("HSTS when APP_URL is https", async () => {
    const web = await startWeb({ NODE_ENV: "production", DATABASE_URL: plain.tdb.url, REDIS_PREFIX: plain.prefix, SESSION_SECRET: TEST_SESSION_SECRET, APP_URL: "https://banner.example" });
    try {
      for (const page of ["/healthz", "/login"]) {
        const res = await fetch(`${web.url}${page}`);
        expect(res.headers.get("strict-transport-security"), page).toMatch(/^max-age=\d{7,}/);
      }
    } finally {
      await web.stop();
    }
  });

  it("fingerprinted assets stay public and immutable with a session cookie", async () => {
    const user = await signedInUser(plain.tdb.db);
    const css = readdirSync(path.resolve(import.meta.dirname, "../../build/client/assets")).find((f) => f.endsWith(".css"))!;
    const res = await fetch(`${plain.web.url}/assets/${css}`, { headers: { Cookie: user.cookie } });
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toMatch(/public.*immutable|immutable.*public/);
    // A signed-in page is still private.
    const dashboard = await fetch(`${plain.web.url}/dashboard`, { headers: { Cookie: user.cookie } });
    expect(dashboard.headers.get("cache-control")).toBe("private, no-store");
  });
});

describe("proxy headers", () => {
  it("X-Forwarded-Host from a client that is not a trusted proxy cannot make a cross-site form look same-site", async () => {
    const campaign = await createCampaign(plain.tdb.db);
    const res = await postForm(
      `${plain.web.url}/campaigns/${campaign.slug}`,
      { name: "A", email: "a@example.org", country: "PK", consent: "on" },
      { headers: { Origin: "http://evil.example", "X-Forwarded-Host": "evil.example" } },
    );
    expect(res.status).toBe(403);
    // From the trusted proxy, its X-Forwarded-Host is the host the browser saw.
    const ok = await postForm(
      `${proxied.web.url}/campaigns/${campaign.slug}`,
      { name: "A", email: "a@example.org", country: "PK", consent: "on" },
      { headers: { Origin: "https://banner.example", "X-Forwarded-Host": "banner.example" } },
    );
    expect(ok.status).not.toBe(403);
  });

  it("the session cookie is Secure when a trusted proxy says the request came over https, and only then", async () => {
    const { email, password } = await createAccount(proxied.tdb);
    const viaTls = await postForm(`${proxied.web.url}/login`, { email, password }, { headers: { "X-Forwarded-Proto": "https" } });
    expect(viaTls.status).toBe(303);
    expect(viaTls.headers.get("set-cookie")).toMatch(/;\s*Secure/i);
    const plainHttp = await postForm(`${proxied.web.url}/login`, { email, password });
    expect(plainHttp.headers.get("set-cookie")).not.toMatch(/;\s*Secure/i);

    // A client that is not a trusted proxy cannot claim https (its own word proves nothing either way).
    const other = await createAccount(plain.tdb);
    const forged = await postForm(`${plain.web.url}/login`, other, { headers: { "X-Forwarded-Proto": "https" } });
    expect(forged.status).toBe(303);
    expect(forged.headers.get("set-cookie")).not.toMatch(/;\s*Secure/i);
  });
});
