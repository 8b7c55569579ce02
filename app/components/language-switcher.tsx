import { useLocation, useMatches } from "@remix-run/react";
import { isLocale, LOCALE_AUTONYMS, LOCALES, type Locale } from "~/i18n/i18n";
import { useTranslation } from "~/i18n/use-translation";

/** Routes whose file name starts with the optional language segment have a prefixed URL. */
const PREFIXABLE = /^routes\/\(\$lang\)/;

/**
 * The same page in each language: plain links (no JavaScript needed), each language named in its
 * own script. Pages with a language prefix switch prefix; the others (/verify, /dev/outbox, a 404)
 * take `?lang=`. Either way the new URL names the language, so following it sets the cookie.
 */
export function LanguageSwitcher() {
  const { t, locale } = useTranslation();
  const { pathname, search } = useLocation();
  const prefixable = useMatches().some((m) => PREFIXABLE.test(m.id));
  const segments = pathname.split("/");
  const rest = isLocale(segments[1]) ? `/${segments.slice(2).join("/")}` : pathname;
  const query = new URLSearchParams(search);
  query.delete("lang");

  const hrefFor = (target: Locale) => {
    if (prefixable) {
      const qs = query.toString();
      return `/${target}${rest === "/" ? "" : rest}${qs ? `?${qs}` : ""}`;
    }
    const withLang = new URLSearchParams(query);
    withLang.set("lang", target);
    // URLSearchParams writes "not-me=" for a bare flag; keep the link as the email wrote it.
    return `${rest}?${withLang.toString().replace(/=(?=&|$)/g, "")}`;
  };

  return (
    <nav className="languages" aria-label={t("site.languages")}>
      <ul>
        {LOCALES.map((l) => (
          <li key={l}>
            <a href={hrefFor(l)} lang={l} hrefLang={l} aria-current={l === locale ? "true" : undefined}>
              {LOCALE_AUTONYMS[l]}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
