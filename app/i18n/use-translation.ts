import { useRouteLoaderData } from "@remix-run/react";
import { DEFAULT_LOCALE, formatDate, formatNumber, formatPercent, isLocale, translator, type Locale, type Translate } from "./i18n";

export interface PageTranslation {
  t: Translate;
  locale: Locale;
  /** The language named by the URL, if any: links inside the page keep it. */
  urlLocale: Locale | null;
  n: (value: number) => string;
  percent: (ratio: number) => string;
  date: (value: Date | string) => string;
  /** A path inside the site that keeps the page's language prefix: "/campaigns/x" → "/ur/campaigns/x". */
  href: (path: string) => string;
}

/** The page's locale and translator, from the root loader. */
export function useTranslation(): PageTranslation {
  const data = useRouteLoaderData<{ locale: string; urlLocale: string | null }>("root");
  const locale = data && isLocale(data.locale) ? data.locale : DEFAULT_LOCALE;
  const urlLocale = data && isLocale(data.urlLocale) ? data.urlLocale : null;
  return {
    t: translator(locale),
    locale,
    urlLocale,
    n: (value) => formatNumber(locale, value),
    percent: (ratio) => formatPercent(locale, ratio),
    date: (value) => formatDate(locale, value),
    href: (path) => localePath(urlLocale, path),
  };
}

export function localePath(urlLocale: Locale | null, path: string): string {
  if (!urlLocale) return path;
  return path === "/" ? `/${urlLocale}` : `/${urlLocale}${path}`;
}
