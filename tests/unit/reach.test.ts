import { describe, expect, it } from "vitest";
import { embedContentSecurityPolicy } from "~/modules/embeds/embed-policy.server";
import { embedOriginSchema } from "~/modules/embeds/embeds.schema";
import { cardFontFiles } from "~/modules/sharing/card-fonts.server";
import { countBucket } from "~/modules/sharing/count-bucket";
import { shareTargets } from "~/modules/sharing/share-links";
import { Measurer, socialCardSvg } from "~/modules/sharing/social-card.server";

const CAMPAIGN = "https://banner.example/ur/campaigns/kashmir";

describe("share links", () => {
  it("give every channel the campaign URL with the signer's code and the channel", () => {
    const targets = shareTargets({ campaignUrl: `${CAMPAIGN}?ref=someoneelse`, referralCode: "abc234def567", sentence: "Sign", subject: "Sign?", dir: "ltr" });
    expect(targets.map((t) => t.channel)).toEqual(["whatsapp", "telegram", "x", "facebook", "email", "link"]);
    const url = (channel: string) => `${CAMPAIGN}?ref=abc234def567&via=${channel}`;
    expect(targets.find((t) => t.channel === "link")!.href).toBe(url("link"));
    expect(new URL(targets.find((t) => t.channel === "facebook")!.href).searchParams.get("u")).toBe(url("facebook"));
    expect(new URL(targets.find((t) => t.channel === "telegram")!.href).searchParams.get("url")).toBe(url("telegram"));
    expect(new URL(targets.find((t) => t.channel === "x")!.href).searchParams.get("url")).toBe(url("x"));
    const mail = targets.find((t) => t.channel === "email")!.href;
    expect(mail.startsWith("mailto:?subject=Sign%3F&body=")).toBe(true);
    expect(decodeURIComponent(mail.split("body=")[1]!)).toBe(`Sign\n${url("email")}`);
  });

  it("without a signer, carry the channel only", () => {
    const link = shareTargets({ campaignUrl: CAMPAIGN, sentence: "s", subject: "s", dir: "ltr" }).find((t) => t.channel === "link")!;
    expect(link.href).toBe(`${CAMPAIGN}?via=link`);
  });

  it("start a right-to-left message with an RLM and keep the URL alone on its own line", () => {
    const whatsapp = shareTargets({ campaignUrl: CAMPAIGN, referralCode: null, sentence: "میں نے دستخط کر دیے", subject: "s", dir: "rtl" })[0]!;
    const text = new URL(whatsapp.href).searchParams.get("text")!;
    expect(text).toBe(`\u200Fمیں نے دستخط کر دیے\n${CAMPAIGN}?via=whatsapp`);
    const ltr = shareTargets({ campaignUrl: CAMPAIGN, sentence: "I signed", subject: "s", dir: "ltr" })[0]!;
    expect(new URL(ltr.href).searchParams.get("text")!.startsWith("I signed\n")).toBe(true);
  });
});

describe("the social card's count bucket", () => {
  it("is exact below 100 and two significant digits above", () => {
    expect(countBucket(0)).toEqual({ value: 0, approximate: false });
    expect(countBucket(99)).toEqual({ value: 99, approximate: false });
    expect(countBucket(100)).toEqual({ value: 100, approximate: false });
    expect(countBucket(1234)).toEqual({ value: 1200, approximate: true });
    expect(countBucket(1299)).toEqual({ value: 1200, approximate: true });
    expect(countBucket(12_345)).toEqual({ value: 12_000, approximate: true });
    expect(countBucket(1_000_000)).toEqual({ value: 1_000_000, approximate: false });
  });
});

describe("the social card's layout", () => {
  const wordsOf = async (title: string, locale: "ur" | "en") => {
    const svg = socialCardSvg({ title, titleLocale: locale, locale, count: 5, goal: 10 }, new Measurer({ font: { fontFiles: await cardFontFiles(), loadSystemFonts: false } }));
    // Arabic segments are wrapped in invisible Arabic letter marks; look them up without.
    return new Map([...svg.matchAll(/<text x="([\d.-]+)" y="([\d.-]+)"[^>]*>([^<]*)</g)].map((m) => [m[3]!.replace(/\u061C/g, ""), { x: Number(m[1]), y: Number(m[2]) }]));
  };

  it("lays an Urdu title out right to left, a Latin name inside it left to right", async () => {
    const words = await wordsOf("او آئی سی CFM Now کشمیر", "ur");
    const x = (w: string) => words.get(w)!.x;
    expect(x("او")).toBeGreaterThan(x("آئی"));
    expect(x("آئی")).toBeGreaterThan(x("سی"));
    expect(x("سی")).toBeGreaterThan(x("CFM"));
    expect(x("CFM")).toBeLessThan(x("Now")); // the Latin run reads left to right…
    expect(x("Now")).toBeGreaterThan(x("کشمیر")); // …and the line goes on to its left
  });

  it("puts punctuation next to Urdu words on their left, mirrored, and keeps a bracketed Latin name whole", async () => {
    const words = await wordsOf("سی: «کشمیر» (CFM)", "ur");
    const x = (w: string) => words.get(w)!.x;
    expect(x("سی")).toBeGreaterThan(x(":"));
    expect(x(":")).toBeGreaterThan(x("کشمیر"));
    // The opening guillemet, right of the word, is drawn mirrored (as bidi mirroring does).
    expect(x("»")).toBeGreaterThan(x("کشمیر"));
    expect(x("کشمیر")).toBeGreaterThan(x("«"));
    expect(x("«")).toBeGreaterThan(x("(CFM)"));
  });

  it("lays an English title out left to right", async () => {
    const words = await wordsOf("Convene the council", "en");
    expect(words.get("Convene")!.x).toBeLessThan(words.get("the")!.x);
    expect(words.get("the")!.x).toBeLessThan(words.get("council")!.x);
  });
});

describe("embed origins", () => {
  it("are normalised to scheme, host and port", () => {
    expect(embedOriginSchema.parse(" https://Partner.Example/ ")).toBe("https://partner.example");
    expect(embedOriginSchema.parse("http://localhost:8080")).toBe("http://localhost:8080");
    expect(embedOriginSchema.parse("https://partner.example:443")).toBe("https://partner.example");
  });

  it.each(["https://partner.example/page", "https://partner.example/?a=1", "https://partner.example/#x", "https://user:pw@partner.example", "ftp://partner.example", "javascript:alert(1)", "partner.example", "https://*.example", "https://partner.example 'unsafe-inline'", ""])(
    "refuse %j",
    (value) => {
      expect(embedOriginSchema.safeParse(value).success).toBe(false);
    },
  );
});

describe("the widget's Content-Security-Policy", () => {
  it("allows no inline script and frames only by the listed origins, or none", () => {
    const policy = embedContentSecurityPolicy(["https://a.example", "http://b.example:8080"]);
    expect(policy).toMatch(/(^|; )script-src 'self'(;|$)/);
    expect(policy).toMatch(/frame-ancestors https:\/\/a\.example http:\/\/b\.example:8080$/);
    expect(embedContentSecurityPolicy([])).toMatch(/frame-ancestors 'none'$/);
  });
});
