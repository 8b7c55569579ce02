import { describe, expect, it } from "vitest";
import { COUNTRY_CODES, countryName, countryOptions, isCountryCode } from "~/i18n/countries";
import { direction, translator } from "~/i18n/i18n";
import { en } from "~/i18n/messages/en";
import { escapeHtml } from "~/mail/render";
import { verificationEmail } from "~/mail/templates/verification";
import { renderMarkdown } from "~/utils/markdown.server";
import { generateToken, hashToken, isWellFormedToken, tokenMatchesHash } from "~/utils/tokens.server";

describe("markdown", () => {
  it("shows raw HTML as text and never renders it", () => {
    const html = renderMarkdown('Hello <script>alert(1)</script> <img src=x onerror="alert(1)">');
    expect(html).not.toMatch(/<script|<img/);
    expect(html).toContain("&lt;script&gt;");
  });

  it("drops javascript: links and marks other links nofollow noopener", () => {
    expect(renderMarkdown("[x](javascript:alert(1))")).not.toContain("href");
    const html = renderMarkdown("[OIC](https://www.oic-oci.org/)");
    expect(html).toContain('href="https://www.oic-oci.org/"');
    expect(html).toContain('rel="nofollow noopener noreferrer ugc"');
  });
});

describe("markdown kept between renders", () => {
  it("answers the same text with the same HTML, an edited text with its own, and each heading offset apart", () => {
    const source = `## Why now\n\nThe ministers meet ${Math.random()}.`;
    expect(renderMarkdown(source, { headingOffset: 1 })).toContain("<h3>Why now</h3>");
    expect(renderMarkdown(source, { headingOffset: 1 })).toContain("<h3>Why now</h3>");
    expect(renderMarkdown(source, { headingOffset: 2 })).toContain("<h4>Why now</h4>");
    expect(renderMarkdown(source)).toContain("<h2>Why now</h2>");
    expect(renderMarkdown(source.replace("Why now", "Why today"), { headingOffset: 1 })).toContain("<h3>Why today</h3>");
  });
});

describe("country lists", () => {
  it("sorts each language's list by its own names, made once and shared read-only", () => {
    const en = countryOptions("en");
    expect(en).toBe(countryOptions("en"));
    expect(Object.isFrozen(en)).toBe(true);
    expect(en).toHaveLength(COUNTRY_CODES.length);
    const ar = countryOptions("ar");
    expect(ar).not.toBe(en);
    expect(ar.find((c) => c.code === "PK")!.name).toBe(countryName("PK", "ar"));
    const names = ar.map((c) => c.name);
    expect(names).toEqual([...names].sort(new Intl.Collator("ar").compare));
  });
});

describe("tokens", () => {
  it("are 256 random bits in URL-safe form, and only their hash matches", () => {
    const a = generateToken();
    const b = generateToken();
    expect(a).not.toBe(b);
    expect(Buffer.from(a, "base64url")).toHaveLength(32);
    expect(isWellFormedToken(a)).toBe(true);
    expect(isWellFormedToken("abc")).toBe(false);
    expect(isWellFormedToken(`${a}x`)).toBe(false);
    expect(hashToken(a)).toHaveLength(32);
    expect(tokenMatchesHash(a, hashToken(a))).toBe(true);
    expect(tokenMatchesHash(b, hashToken(a))).toBe(false);
  });
});

describe("messages", () => {
  it("fills parameters and formats numbers for the locale", () => {
    const t = translator("en");
    expect(t("campaign.countOfGoal", { count: 12345, goal: 100000 })).toBe("12,345 of 100,000 confirmed signatures");
    expect(direction("en")).toBe("ltr");
    expect(direction("ur")).toBe("rtl");
    expect(direction("ar-SA")).toBe("rtl");
  });

  it("has no empty message", () => {
    for (const [key, value] of Object.entries(en)) expect(value.trim(), key).not.toBe("");
  });

  it("knows all 249 ISO 3166-1 countries by name", () => {
    expect(COUNTRY_CODES).toHaveLength(249);
    expect(isCountryCode("PK")).toBe(true);
    expect(isCountryCode("XX")).toBe(false);
    expect(countryName("MY", "en")).toBe("Malaysia");
    expect(countryName("TR", "en")).toMatch(/T(ü|u)rk/);
  });
});

describe("the verification email", () => {
  it("has the confirm link, the not-me link, and escapes the signer's name", () => {
    const token = generateToken();
    const mail = verificationEmail({
      to: "a@example.org",
      name: 'Ayesha <b>"K"</b>',
      campaignTitle: "Test & campaign",
      token,
      appUrl: "https://banner.example",
      locale: "en",
    });
    expect(mail.text).toContain(`https://banner.example/verify/${token}\n`);
    expect(mail.text).toContain(`https://banner.example/verify/${token}?not-me`);
    expect(mail.html).toContain(`href="https://banner.example/verify/${token}"`);
    expect(mail.html).toContain(escapeHtml('Ayesha <b>"K"</b>'));
    expect(mail.html).not.toContain("<b>");
    expect(mail.subject).toBe("Confirm your signature: Test & campaign");
  });
});
