import { describe, expect, it } from "vitest";
import { DEMO_CAMPAIGN, DEMO_CAMPAIGN_TRANSLATIONS } from "~/modules/campaigns/demo-campaign";

/**
 * The demo campaign must read true whenever it is read: the facts of 2019-2020 are dated,
 * and a person is named with the office they held then, never as if they still held it.
 */
const TEXTS = { en: DEMO_CAMPAIGN, ...DEMO_CAMPAIGN_TRANSLATIONS };
// The Foreign Minister's name as each language writes it.
const QURESHI = { en: "Shah Mehmood Qureshi", ur: "شاہ محمود قریشی", ar: "شاه محمود قريشي", ms: "Shah Mehmood Qureshi", tr: "Şah Mahmud Kureyşi" };

describe.each(Object.entries(TEXTS))("the demo campaign in %s", (locale, text) => {
  const paragraphs = text.argument_md.split(/\n\n+/);

  it("names the Foreign Minister with the years he held the office", () => {
    const naming = paragraphs.filter((p) => p.includes(QURESHI[locale as keyof typeof QURESHI]));
    expect(naming.length).toBe(1);
    expect(naming[0]).toMatch(/2018/);
    expect(naming[0]).toMatch(/2022/);
  });

  it("dates the claims about what had not happened yet and who had backed the call", () => {
    // The summary says when Pakistan asked; it does not claim the meeting is still missing today.
    expect(text.summary).toMatch(/2020/);
    const malaysia = { en: "Malaysia", ur: "ملائیشیا", ar: "ماليزيا", ms: "Malaysia", tr: "Malezya" }[locale]!;
    const backing = paragraphs.filter((p) => p.includes(`**${malaysia}**`));
    expect(backing.length).toBe(1);
    expect(backing[0]).toMatch(/2020/);
  });
});

it("calls Türkiye by its name since 2022 in English", () => {
  expect(DEMO_CAMPAIGN.argument_md).toContain("Türkiye");
  expect(DEMO_CAMPAIGN.argument_md).not.toMatch(/\bTurkey\b/);
});
