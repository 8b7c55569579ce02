import { ar } from "./messages/ar";
import { en, type MessageKey } from "./messages/en";
import { ms } from "./messages/ms";
import { tr } from "./messages/tr";
import { ur } from "./messages/ur";
import { formatNumber, NUMBERING_SYSTEM } from "./numbers";

export type { MessageKey };
// Number formatting lives apart from the catalogues, so the page script can use it without them.
export { formatNumber, formatPercent } from "./numbers";
export const LOCALES = ["en", "ur", "ar", "ms", "tr"] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = "en";

/** Each language named in its own script, for the language switcher (the same on every page). */
export const LOCALE_AUTONYMS: Record<Locale, string> = {
  en: "English",
  ur: "اردو",
  ar: "العربية",
  ms: "Bahasa Melayu",
  tr: "Türkçe",
};

const catalogues: Record<Locale, Record<MessageKey, string>> = { en, ur, ar, ms, tr };
const RTL_LOCALES: ReadonlySet<string> = new Set(["ar", "ur", "fa", "he"]);

export type MessageParams = Record<string, string | number>;
export type Translate = (key: MessageKey, params?: MessageParams) => string;

export function isLocale(value: unknown): value is Locale {
  return typeof value === "string" && (LOCALES as readonly string[]).includes(value);
}

export function direction(locale: string): "rtl" | "ltr" {
  return RTL_LOCALES.has(locale.split("-")[0] ?? locale) ? "rtl" : "ltr";
}

/** A calendar date (no time of day), read in UTC so that server and browser agree. */
export function formatDate(locale: Locale, date: Date | string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: "long", timeZone: "UTC", numberingSystem: NUMBERING_SYSTEM }).format(new Date(date));
}

/** A day and month, short ("27 Nov"), for chart axes; read in UTC like formatDate. */
export function formatDayMonth(locale: Locale, date: Date | string): string {
  return new Intl.DateTimeFormat(locale, { day: "numeric", month: "short", timeZone: "UTC", numberingSystem: NUMBERING_SYSTEM }).format(new Date(date));
}

/** A date and time of day in UTC, saying so. (dateStyle/timeStyle cannot be combined with timeZoneName: spelled out.) */
export function formatDateTime(locale: Locale, date: Date | string): string {
  return new Intl.DateTimeFormat(locale, {
    year: "numeric",
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    timeZone: "UTC",
    timeZoneName: "short",
    numberingSystem: NUMBERING_SYSTEM,
  }).format(new Date(date));
}

// First-strong isolate … pop directional isolate: keeps a Latin name or title (or a URL) inside a
// right-to-left sentence from reordering the punctuation around it.
const FSI = "\u2068";
const PDI = "\u2069";

/**
 * A translator for one locale. Numbers in params are formatted for that locale; in right-to-left
 * locales, text params are wrapped in Unicode isolates (left-to-right catalogues stay byte-exact).
 */
export function translator(locale: Locale): Translate {
  const catalogue = catalogues[locale];
  const isolate = direction(locale) === "rtl";
  return (key, params) => {
    const template = catalogue[key] ?? catalogues[DEFAULT_LOCALE][key];
    if (!params) return template;
    return template.replace(/\{(\w+)\}/g, (match, name: string) => {
      const value = params[name];
      if (value === undefined) return match;
      if (typeof value === "number") return formatNumber(locale, value);
      return isolate ? `${FSI}${value}${PDI}` : value;
    });
  };
}

/** A catalogue, for tests and tools. */
export function catalogue(locale: Locale): Readonly<Record<MessageKey, string>> {
  return catalogues[locale];
}
