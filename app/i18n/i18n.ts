import IntlMessageFormat from "intl-messageformat";
import {
  isArgumentElement,
  isDateElement,
  isNumberElement,
  isPluralElement,
  isSelectElement,
  isTagElement,
  isTimeElement,
  type MessageFormatElement,
} from "@formatjs/icu-messageformat-parser";
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
  let format = dateFormats.get(locale);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, { dateStyle: "long", timeZone: "UTC", numberingSystem: NUMBERING_SYSTEM });
    dateFormats.set(locale, format);
  }
  return format.format(new Date(date));
}

/** Making an Intl.DateTimeFormat costs far more than using one; a page formats several dates. */
const dateFormats = new Map<string, Intl.DateTimeFormat>();

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
 * One compiled message and what its arguments are: a plain `{name}` is filled in by us (numbers
 * formatted for the locale, text isolated in right-to-left locales); a `{n, plural, …}` or
 * `{x, select, …}` argument goes to intl-messageformat as it is, so the rules see the number.
 */
interface CompiledMessage {
  format: IntlMessageFormat;
  plain: string[];
  ruled: string[];
}

const compiled = new Map<string, CompiledMessage>();

function argumentsOf(elements: MessageFormatElement[], plain: Set<string>, ruled: Set<string>): void {
  for (const element of elements) {
    if (isArgumentElement(element)) plain.add(element.value);
    else if (isPluralElement(element) || isSelectElement(element)) {
      ruled.add(element.value);
      for (const option of Object.values(element.options)) argumentsOf(option.value, plain, ruled);
    } else if (isNumberElement(element) || isDateElement(element) || isTimeElement(element)) ruled.add(element.value);
    else if (isTagElement(element)) argumentsOf(element.children, plain, ruled);
  }
}

/** Compiled once per locale and key, then kept: parsing is the costly part of formatting. */
function compile(locale: Locale, key: MessageKey): CompiledMessage {
  const cacheKey = `${locale}\u0000${key}`;
  let message = compiled.get(cacheKey);
  if (!message) {
    const source = catalogues[locale][key] ?? catalogues[DEFAULT_LOCALE][key];
    // `-u-nu-latn`: the `#` of a plural is written in Latin digits like every other number (numbers.ts).
    // ignoreTag: messages are text, and a "<" in one is a character, not markup.
    const format = new IntlMessageFormat(source, `${locale}-u-nu-${NUMBERING_SYSTEM}`, undefined, { ignoreTag: true });
    const plain = new Set<string>();
    const ruled = new Set<string>();
    argumentsOf(format.getAst(), plain, ruled);
    message = { format, plain: [...plain].filter((name) => !ruled.has(name)), ruled: [...ruled] };
    compiled.set(cacheKey, message);
  }
  return message;
}

/**
 * A translator for one locale. Messages are ICU MessageFormat (plural and select by the locale's
 * rules). Numbers in plain arguments are formatted for that locale; in right-to-left locales, text
 * arguments are wrapped in Unicode isolates (left-to-right catalogues stay byte-exact). A plain
 * argument left out stays as `{name}`, for the page script to fill in later (progress-bar.tsx).
 */
export function translator(locale: Locale): Translate {
  const isolate = direction(locale) === "rtl";
  return (key, params) => {
    const message = compile(locale, key);
    if (message.plain.length === 0 && message.ruled.length === 0) return catalogues[locale][key] ?? catalogues[DEFAULT_LOCALE][key];
    const values: Record<string, string | number> = {};
    for (const name of message.plain) {
      const value = params?.[name];
      if (value === undefined) values[name] = `{${name}}`;
      else if (typeof value === "number") values[name] = formatNumber(locale, value);
      else values[name] = isolate ? `${FSI}${value}${PDI}` : value;
    }
    for (const name of message.ruled) {
      const value = params?.[name];
      // A rule needs its value: a missing one is a bug in the caller, shown rather than thrown.
      values[name] = value ?? "";
    }
    return String(message.format.format(values));
  };
}

/** A catalogue, for tests and tools. */
export function catalogue(locale: Locale): Readonly<Record<MessageKey, string>> {
  return catalogues[locale];
}
