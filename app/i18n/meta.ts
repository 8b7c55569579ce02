import { DEFAULT_LOCALE, isLocale, makeTranslator, type Catalogue, type Locale, type Translate } from "./i18n";

/** The page's locale inside a route's `meta` function, from the root loader's data. */
export function rootLocale(matches: readonly { id: string; data?: unknown }[]): Locale {
  const root = matches.find((m) => m.id === "root")?.data as { locale?: unknown } | undefined;
  return isLocale(root?.locale) ? root.locale : DEFAULT_LOCALE;
}

/** The page's translator inside a route's `meta` function, over the catalogue the root loader sent. */
export function rootTranslator(matches: readonly { id: string; data?: unknown }[]): Translate {
  const root = matches.find((m) => m.id === "root")?.data as { messages?: Partial<Catalogue> } | undefined;
  return makeTranslator(rootLocale(matches), root?.messages ?? {});
}
