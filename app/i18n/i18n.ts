import { en, type MessageKey } from "./messages/en";

export type { MessageKey };
export const LOCALES = ["en"] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = "en";

const catalogues: Record<Locale, Record<MessageKey, string>> = { en };
const RTL_LOCALES: ReadonlySet<string> = new Set(["ar", "ur", "fa", "he"]);

export type MessageParams = Record<string, string | number>;
export type Translate = (key: MessageKey, params?: MessageParams) => string;

export function isLocale(value: string): value is Locale {
  return (LOCALES as readonly string[]).includes(value);
}

export function direction(locale: string): "rtl" | "ltr" {
  return RTL_LOCALES.has(locale.split("-")[0] ?? locale) ? "rtl" : "ltr";
}

/** A translator for one locale; numbers in params are formatted for that locale. */
export function translator(locale: Locale): Translate {
  const catalogue = catalogues[locale];
  const numbers = new Intl.NumberFormat(locale);
  return (key, params) => {
    const template = catalogue[key] ?? catalogues[DEFAULT_LOCALE][key];
    if (!params) return template;
    return template.replace(/\{(\w+)\}/g, (match, name: string) => {
      const value = params[name];
      if (value === undefined) return match;
      return typeof value === "number" ? numbers.format(value) : value;
    });
  };
}

export function formatNumber(locale: Locale, value: number): string {
  return new Intl.NumberFormat(locale).format(value);
}
