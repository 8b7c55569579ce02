import { parse, TYPE, type MessageFormatElement } from "@formatjs/icu-messageformat-parser";
import { describe, expect, it } from "vitest";
import { catalogue, direction, formatDate, formatNumber, formatPercent, translator, LOCALES, type Locale } from "~/i18n/i18n";
import { isPrefixablePage, langCookie, matchAcceptLanguage, negotiateLocale, parseAcceptLanguage, pathLocale } from "~/i18n/locale.server";
import { en, type MessageKey } from "~/i18n/messages/en";
import { verificationEmail } from "~/mail/templates/verification";
import { DEMO_CAMPAIGN, DEMO_CAMPAIGN_TRANSLATIONS } from "~/modules/campaigns/demo-campaign";

const keysOf = (record: object) => Object.keys(record).sort();

/** The arguments of an ICU message, by name, and which of them choose a plural form. */
function argumentsOf(message: string): { names: string[]; plural: string[]; pluralOptions: Record<string, string[]> } {
  const names = new Set<string>();
  const plural = new Set<string>();
  const pluralOptions: Record<string, string[]> = {};
  const walk = (elements: MessageFormatElement[]) => {
    for (const element of elements) {
      if (element.type === TYPE.literal || element.type === TYPE.pound) continue;
      if (element.type === TYPE.tag) {
        walk(element.children);
        continue;
      }
      names.add(element.value);
      if (element.type === TYPE.plural) {
        plural.add(element.value);
        pluralOptions[element.value] = Object.keys(element.options).sort();
      }
      if (element.type === TYPE.plural || element.type === TYPE.select) for (const option of Object.values(element.options)) walk(option.value);
    }
  };
  walk(parse(message, { ignoreTag: true }));
  return { names: [...names].sort(), plural: [...plural].sort(), pluralOptions };
}

describe("the message catalogues", () => {
  it("are en, ur, ar, ms and tr", () => {
    expect(LOCALES).toEqual(["en", "ur", "ar", "ms", "tr"]);
  });

  it.each(LOCALES.filter((l) => l !== "en"))("%s has exactly the keys of en, none of them empty", (locale) => {
    const messages = catalogue(locale);
    const missing = keysOf(en).filter((k) => !(k in messages));
    const extra = keysOf(messages).filter((k) => !(k in en));
    expect({ missing, extra }).toEqual({ missing: [], extra: [] });
    for (const [key, value] of Object.entries(messages)) expect(value.trim(), `${locale} ${key}`).not.toBe("");
  });

  it.each(LOCALES)("%s: every message is valid ICU MessageFormat", (locale) => {
    const broken = Object.entries(catalogue(locale)).flatMap(([key, message]) => {
      try {
        argumentsOf(message);
        return [];
      } catch (error) {
        return [`${key}: ${String(error)}`];
      }
    });
    expect(broken).toEqual([]);
  });

  it.each(LOCALES.filter((l) => l !== "en"))("%s uses the same {arguments} as en in every message, and a plural wherever en has one", (locale) => {
    const messages = catalogue(locale);
    const mismatched = (Object.keys(en) as MessageKey[]).flatMap((key) => {
      const [theirs, ours] = [argumentsOf(messages[key]), argumentsOf(en[key])];
      const problems: string[] = [];
      if (JSON.stringify(theirs.names) !== JSON.stringify(ours.names)) problems.push(`${key}: en ${ours.names.join(",")} vs ${theirs.names.join(",")}`);
      for (const name of ours.plural) if (!theirs.plural.includes(name)) problems.push(`${key}: {${name}} is a plural in en but not here`);
      return problems;
    });
    expect(mismatched).toEqual([]);
  });

  it.each(LOCALES)("%s: every plural gives each form the language has (Arabic all six), and nothing it lacks", (locale) => {
    const categories = new Intl.PluralRules(locale).resolvedOptions().pluralCategories.slice().sort();
    if (locale === "ar") expect(categories).toEqual(["few", "many", "one", "other", "two", "zero"]);
    const wrong = Object.entries(catalogue(locale)).flatMap(([key, message]) =>
      Object.entries(argumentsOf(message).pluralOptions)
        .filter(([, options]) => JSON.stringify(options.filter((o) => !o.startsWith("="))) !== JSON.stringify(categories))
        .map(([name, options]) => `${key} {${name}}: ${options.join(",")}`),
    );
    expect(wrong).toEqual([]);
  });

  // Words that are spelled the same in that language: the brand, and loanwords Malay and Turkish share.
  const SAME_AS_ENGLISH: Record<"ur" | "ar" | "ms" | "tr", MessageKey[]> = {
    ur: ["site.name"],
    ar: ["site.name"],
    ms: ["site.name", "language.ur", "campaigns.status", "logo.title", "exports.format", "fraud.domain"],
    tr: ["site.name", "logo.title"],
  };

  it("really are translated: every message differs from English but for listed words", () => {
    for (const locale of ["ur", "ar", "ms", "tr"] as const) {
      const messages = catalogue(locale);
      const same = (Object.keys(en) as MessageKey[]).filter(
        (key) => messages[key] === en[key] && !/\{\w+[},]/.test(en[key]) && !SAME_AS_ENGLISH[locale].includes(key),
      );
      expect(same, `${locale} messages left in English`).toEqual([]);
    }
    expect(catalogue("ur")["form.submit"]).toMatch(/[\u0600-\u06FF]/);
    expect(catalogue("ar")["form.submit"]).toMatch(/[\u0600-\u06FF]/);
  });
});

describe("direction", () => {
  it("is right-to-left for Urdu and Arabic, with or without a region, and left-to-right otherwise", () => {
    expect(["ur", "ar", "ur-PK", "ar-SA"].map(direction)).toEqual(["rtl", "rtl", "rtl", "rtl"]);
    expect(["en", "ms", "tr", "en-GB"].map(direction)).toEqual(["ltr", "ltr", "ltr", "ltr"]);
  });
});

describe("numbers, percentages and dates", () => {
  it("use Latin digits in every language, with each language's separators", () => {
    expect(formatNumber("en", 12345)).toBe("12,345");
    expect(formatNumber("tr", 12345)).toBe("12.345");
    expect(formatNumber("ur", 12345)).toBe("12,345");
    expect(formatNumber("ar", 1234567)).toMatch(/^1.234.567$/);
    for (const locale of LOCALES) expect(formatNumber(locale, 9876543), locale).not.toMatch(/[\u0660-\u0669\u06F0-\u06F9]/);
  });

  it("write percentages the way each language does", () => {
    expect(formatPercent("en", 0.125)).toBe("12.5%");
    expect(formatPercent("tr", 0.125)).toBe("%12,5");
    expect(formatPercent("ar", 0.5)).toMatch(/^50.?%.?$/u);
  });

  it("name the month in the page's language", () => {
    const day = new Date("2019-08-05T12:00:00Z");
    expect(formatDate("en", day)).toBe("August 5, 2019");
    expect(formatDate("tr", day)).toBe("5 Ağustos 2019");
    expect(formatDate("ms", day)).toBe("5 Ogos 2019");
    expect(formatDate("ur", day)).toContain("اگست");
    expect(formatDate("ar", day)).toContain("2019");
  });

  it("fill messages with numbers for the language, and isolate text inside right-to-left sentences", () => {
    expect(translator("tr")("campaign.countOfGoal", { count: 12345, goal: 100000 })).toBe("12.345 onaylı imza (hedef: 100.000)");
    const ur = translator("ur")("verify.body", { title: "OIC: convene" });
    expect(ur).toContain("\u2068OIC: convene\u2069");
    // Left-to-right catalogues stay byte-exact.
    expect(translator("en")("verify.body", { title: "X" })).toBe("Press the button to confirm your signature on “X”.");
  });
});

describe("plural forms, by each language's rules", () => {
  const counts = [0, 1, 2, 3, 11, 100];
  const forms = (locale: Locale, key: MessageKey, name = "count") => counts.map((count) => translator(locale)(key, { [name]: count, title: "T", confirmed: 0 }));

  it("en: one signature, otherwise signatures", () => {
    expect(forms("en", "campaign.count")).toEqual([
      "0 confirmed signatures",
      "1 confirmed signature",
      "2 confirmed signatures",
      "3 confirmed signatures",
      "11 confirmed signatures",
      "100 confirmed signatures",
    ]);
    expect(forms("en", "auth.rateLimited", "minutes")[1]).toBe("Too many attempts. Please wait 1 minute and try again.");
    expect(forms("en", "auth.rateLimited", "minutes")[2]).toBe("Too many attempts. Please wait 2 minutes and try again.");
  });

  it("ur: one for 1, the other form for 0, 2, 3, 11 and 100", () => {
    expect(forms("ur", "exports.rows")).toEqual(["0 قطاریں", "1 قطار", "2 قطاریں", "3 قطاریں", "11 قطاریں", "100 قطاریں"]);
    expect(forms("ur", "error.name.tooLong", "max").map((m) => m.includes(" حرف ") ? "one" : "other")).toEqual(["other", "one", "other", "other", "other", "other"]);
  });

  it("ar: six forms: zero, one, two, few (3–10), many (11–99), other (100…)", () => {
    expect(forms("ar", "exports.rows")).toEqual(["0 صف", "صف واحد", "صفان", "3 صفوف", "11 صفًا", "100 صف"]);
    expect(forms("ar", "campaign.count")).toEqual([
      "لا توقيعات مؤكَّدة بعد",
      "توقيع واحد مؤكَّد",
      "توقيعان مؤكَّدان",
      "3 توقيعات مؤكَّدة",
      "11 توقيعًا مؤكَّدًا",
      "100 توقيع مؤكَّد",
    ]);
    expect(forms("ar", "auth.rateLimited", "minutes").map((m) => m.replace(/^.*انتظر (.*) ثم.*$/u, "$1"))).toEqual([
      "0 دقيقة",
      "دقيقة واحدة",
      "دقيقتين",
      "3 دقائق",
      "11 دقيقة",
      "100 دقيقة",
    ]);
  });

  it("ms: one form for every number", () => {
    expect(forms("ms", "campaign.count")).toEqual(counts.map((c) => `${c} tandatangan disahkan`));
  });

  it("tr: the noun stays singular after every number", () => {
    expect(forms("tr", "exports.rows")).toEqual(counts.map((c) => `${c} satır`));
    expect(forms("tr", "auth.rateLimited", "minutes")[1]).toBe("Çok fazla deneme yapıldı. Lütfen 1 dakika bekleyip yeniden deneyin.");
  });

  it("writes large numbers with the language's separators inside a plural, in Latin digits", () => {
    expect(translator("tr")("exports.rows", { count: 12345 })).toBe("12.345 satır");
    expect(translator("ar")("exports.rows", { count: 1234567 })).toMatch(/^1.234.567 صفًا$/u);
    expect(translator("ar")("exports.rows", { count: 1234500 })).toMatch(/^1.234.500 صف$/u);
    expect(translator("en")("card.imageAltAtLeast", { title: "X", count: 1000 })).toBe("“X”: at least 1,000 confirmed signatures");
  });

  it("leaves a plain argument that was not given as {name}, for the page script to fill in", () => {
    expect(translator("en")("campaign.countOfGoal", { goal: 1 })).toBe("{count} of 1 confirmed signature");
    expect(translator("ar")("campaign.countOfGoal", { goal: 2 })).toBe("{count} من أصل توقيعين مؤكَّدين");
  });
});

describe("Accept-Language", () => {
  it("is parsed into ranges by quality, keeping the header's order for ties", () => {
    expect(parseAcceptLanguage("ms;q=0.5, ur-PK, tr;q=0.8, *;q=0.1")).toEqual([
      { tag: "ur-pk", q: 1 },
      { tag: "tr", q: 0.8 },
      { tag: "ms", q: 0.5 },
      { tag: "*", q: 0.1 },
    ]);
    expect(parseAcceptLanguage("")).toEqual([]);
    expect(parseAcceptLanguage("en;q=nonsense, <script>, ar")).toEqual([{ tag: "en", q: 1 }, { tag: "ar", q: 1 }]);
  });

  it("picks the best language we have, matching region subtags to their language", () => {
    expect(matchAcceptLanguage("ur-PK,ur;q=0.9,en;q=0.8")).toBe("ur");
    expect(matchAcceptLanguage("ar-SA")).toBe("ar");
    expect(matchAcceptLanguage("de-DE, fr;q=0.9, ms-MY;q=0.3")).toBe("ms");
    expect(matchAcceptLanguage("de, en;q=0.2, tr;q=0.7")).toBe("tr");
    expect(matchAcceptLanguage("ar;q=0, tr;q=0.1")).toBe("tr");
    expect(matchAcceptLanguage("de, fr")).toBeNull();
    expect(matchAcceptLanguage("*")).toBeNull();
    expect(matchAcceptLanguage(null)).toBeNull();
  });
});

describe("negotiation", () => {
  const request = (path: string, headers: Record<string, string> = {}) => new Request(`http://banner.test${path}`, { headers });

  it("takes the URL first, then the cookie, then Accept-Language, then English", () => {
    const all = { Cookie: "lang=ar", "Accept-Language": "tr" };
    expect(negotiateLocale(request("/ur/campaigns/x", all))).toEqual({ locale: "ur", source: "path", urlLocale: "ur" });
    expect(negotiateLocale(request("/verify/t?lang=ms", all))).toEqual({ locale: "ms", source: "query", urlLocale: "ms" });
    expect(negotiateLocale(request("/login", all))).toMatchObject({ locale: "ar", source: "cookie", urlLocale: null });
    expect(negotiateLocale(request("/login", { "Accept-Language": "tr-TR" }))).toMatchObject({ locale: "tr", source: "header" });
    expect(negotiateLocale(request("/login"))).toMatchObject({ locale: "en", source: "default" });
  });

  it("takes a public page's language from its URL alone: a shared cache may keep it", () => {
    const all = { Cookie: "lang=ar", "Accept-Language": "tr" };
    for (const path of ["/", "/campaigns/x", "/campaigns/x/", "/campaigns/x/signed", "/campaigns/x/qr", "/campaigns/x/deliveries/3", "/privacy"]) {
      expect(negotiateLocale(request(path, all)), path).toEqual({ locale: "en", source: "default", urlLocale: null });
      expect(isPrefixablePage(path), path).toBe(true);
      expect(isPrefixablePage(`/ur${path === "/" ? "" : path}`), path).toBe(true);
    }
    expect(negotiateLocale(request("/campaigns/x?lang=ur", all))).toMatchObject({ locale: "ur", source: "query" });
    for (const path of ["/login", "/dashboard", "/verify/t", "/campaigns/x/card.png", "/embed/campaigns/x"]) expect(isPrefixablePage(path), path).toBe(false);
  });

  it("ignores languages we do not have in the URL and the cookie", () => {
    expect(negotiateLocale(request("/de/campaigns/x", { Cookie: "other=1; lang=xx", "Accept-Language": "ms" }))).toMatchObject({ locale: "ms" });
    expect(negotiateLocale(request("/campaigns/x?lang=fr"))).toMatchObject({ locale: "en" });
    expect(pathLocale("/urdu")).toBeNull();
    expect(pathLocale("/tr")).toBe("tr");
  });

  it("remembers a choice for a year, for the whole site, and is sent on links from other sites", () => {
    expect(langCookie("ur")).toBe("lang=ur; Path=/; Max-Age=31536000; SameSite=Lax");
  });
});

describe("the verification email", () => {
  const args = { to: "a@example.org", name: "Ayesha", campaignTitle: "OIC: convene", token: "t".repeat(43), appUrl: "https://banner.example" };

  it("is right-to-left in Urdu and Arabic, with the language on the links to the site", () => {
    for (const locale of ["ur", "ar"] as const) {
      const mail = verificationEmail({ ...args, locale });
      expect(mail.html).toContain(`<html lang="${locale}" dir="rtl">`);
      expect(mail.text).toContain(`https://banner.example/verify/${"t".repeat(43)}?lang=${locale}\n`);
      expect(mail.text).toContain(`?not-me&lang=${locale}`);
      expect(mail.subject).toContain(catalogue(locale)["email.verify.subject"].split(":")[0]!);
    }
    expect(verificationEmail({ ...args, locale: "ur" }).html).toContain("Nastaliq");
  });

  it("is left-to-right in the other languages, and English links carry no language", () => {
    expect(verificationEmail({ ...args, locale: "tr" }).html).toContain('<html lang="tr" dir="ltr">');
    expect(verificationEmail({ ...args, locale: "en" }).text).toContain(`/verify/${"t".repeat(43)}\n`);
  });
});

describe("the demo campaign", () => {
  it("ships in all five languages, each text written out, with the same facts", () => {
    expect(Object.keys(DEMO_CAMPAIGN_TRANSLATIONS).sort()).toEqual(["ar", "ms", "tr", "ur"]);
    for (const [locale, texts] of Object.entries(DEMO_CAMPAIGN_TRANSLATIONS)) {
      for (const [field, value] of Object.entries(texts)) expect(value.trim(), `${locale}.${field}`).not.toBe("");
      expect(texts.argument_md, locale).toContain("2019");
      expect(texts.argument_md, locale).toContain("370");
      expect(texts.argument_md, locale).toContain("BDS");
      expect(texts.title).not.toBe(DEMO_CAMPAIGN.title);
    }
  });
});
