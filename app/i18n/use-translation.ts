import { useRouteLoaderData } from "@remix-run/react";
import { DEFAULT_LOCALE, formatNumber, isLocale, translator, type Locale, type Translate } from "./i18n";

/** The page's locale and translator, from the root loader. */
export function useTranslation(): { t: Translate; locale: Locale; n: (value: number) => string } {
  const data = useRouteLoaderData<{ locale: string }>("root");
  const locale = data && isLocale(data.locale) ? data.locale : DEFAULT_LOCALE;
  return { t: translator(locale), locale, n: (value) => formatNumber(locale, value) };
}
