import { DEFAULT_LOCALE, isLocale, type Locale } from "./i18n";

/** The page's locale inside a route's `meta` function, from the root loader's data. */
export function rootLocale(matches: readonly { id: string; data?: unknown }[]): Locale {
  const root = matches.find((m) => m.id === "root")?.data as { locale?: unknown } | undefined;
  return isLocale(root?.locale) ? root.locale : DEFAULT_LOCALE;
}
