import { DEFAULT_LOCALE, type Locale } from "./i18n";

/** English only for now; the URL prefix, cookie and Accept-Language come with more languages. */
export function localeFor(_request: Request): Locale {
  return DEFAULT_LOCALE;
}
