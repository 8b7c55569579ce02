import { describe, expect, it } from "vitest";
import { formatDateTime, LOCALES } from "~/i18n/i18n";

describe("formatDateTime", () => {
  it("formats a moment in every language, in UTC and saying so, with Latin digits", () => {
    const moment = new Date("2026-11-26T19:05:00Z");
    for (const locale of LOCALES) {
      const text = formatDateTime(locale, moment);
      expect(text, locale).toMatch(/2026/);
      expect(text, locale).toMatch(/UTC|GMT|TSİ|غرينتش/);
    }
    expect(formatDateTime("en", moment.toISOString())).toBe("Nov 26, 2026, 07:05 PM UTC");
  });
});
