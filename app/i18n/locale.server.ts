import { data } from "@remix-run/node";
import { DEFAULT_LOCALE, isLocale, type Locale } from "./i18n";

export const LANG_COOKIE = "lang";
const ONE_YEAR_SECONDS = 365 * 24 * 60 * 60;

export type LocaleSource = "path" | "query" | "cookie" | "header" | "default";

export interface LocaleChoice {
  locale: Locale;
  source: LocaleSource;
  /** The language the URL itself names (path prefix or `?lang=`); links on the page keep it. */
  urlLocale: Locale | null;
}

/** The first path segment when it names a language: "/ur/campaigns/x" → "ur". */
export function pathLocale(pathname: string): Locale | null {
  const first = pathname.split("/")[1] ?? "";
  return isLocale(first) ? first : null;
}

/**
 * The public pages that also exist under a language prefix (the `($lang)` routes): home, a
 * campaign and its signed, QR and delivery pages, privacy. Shared caches keep them, so their
 * language is the URL's alone: without a prefix (or `?lang=`) they are in the default language,
 * whatever the cookie or Accept-Language say.
 */
const PREFIXABLE_PAGE = /^\/(?:campaigns\/[^/]+(?:\/(?:signed|qr|deliveries\/[^/]+))?\/?|privacy\/?)?$/;

/** True for a public page's path, with or without its language prefix. */
export function isPrefixablePage(pathname: string): boolean {
  const prefix = pathLocale(pathname);
  return PREFIXABLE_PAGE.test(prefix ? pathname.slice(prefix.length + 1) || "/" : pathname);
}

/**
 * The page's language: the URL first (a path prefix such as /ur/…, or `?lang=ur` on pages that
 * have no prefixed form, like the emailed /verify link); on public pages nothing else (see
 * isPrefixablePage); on the others the `lang` cookie, then Accept-Language; else the default.
 */
export function negotiateLocale(request: Request): LocaleChoice {
  return negotiateLocaleOf(new URL(request.url), (name) => request.headers.get(name));
}

/** negotiateLocale() for a request that is not a fetch Request (server/sign-form-post.ts). */
export function negotiateLocaleOf(url: URL, header: (name: "Cookie" | "Accept-Language") => string | null): LocaleChoice {
  const fromPath = pathLocale(url.pathname);
  if (fromPath) return { locale: fromPath, source: "path", urlLocale: fromPath };
  const fromQuery = url.searchParams.get("lang");
  if (isLocale(fromQuery)) return { locale: fromQuery, source: "query", urlLocale: fromQuery };
  if (PREFIXABLE_PAGE.test(url.pathname)) return { locale: DEFAULT_LOCALE, source: "default", urlLocale: null };
  const fromCookie = readCookie(header("Cookie"), LANG_COOKIE);
  if (isLocale(fromCookie)) return { locale: fromCookie, source: "cookie", urlLocale: null };
  const fromHeader = matchAcceptLanguage(header("Accept-Language"));
  if (fromHeader) return { locale: fromHeader, source: "header", urlLocale: null };
  return { locale: DEFAULT_LOCALE, source: "default", urlLocale: null };
}

export function localeFor(request: Request): Locale {
  return negotiateLocale(request).locale;
}

/**
 * The headers a page adds for its language: the cookie when the URL chose a language the cookie
 * does not hold yet, and `Vary` so that a shared cache keeps one copy per language.
 */
export function localeHeaders(request: Request, choice: LocaleChoice): Headers {
  const headers = new Headers();
  // A public page depends on its URL only: no cookie to set, nothing to vary on but the encoding.
  if (isPrefixablePage(new URL(request.url).pathname)) return headers;
  if (choice.urlLocale) {
    // The language is in the URL; the response differs only by whether it sets the cookie.
    headers.set("Vary", "Cookie");
    if (readCookie(request.headers.get("Cookie"), LANG_COOKIE) !== choice.urlLocale) {
      headers.append("Set-Cookie", langCookie(choice.urlLocale));
    }
  } else {
    headers.set("Vary", "Cookie, Accept-Language");
  }
  return headers;
}

export function langCookie(locale: Locale): string {
  // Not HttpOnly: it holds no secret, only a language choice.
  return `${LANG_COOKIE}=${locale}; Path=/; Max-Age=${ONE_YEAR_SECONDS}; SameSite=Lax`;
}

/**
 * Routes with an optional language segment call this: "/xx/campaigns/…" is a 404, not a page
 * in some language.
 */
export function assertLanguageParam(params: { lang?: string }): Locale | null {
  if (params.lang === undefined) return null;
  if (!isLocale(params.lang)) throw data(null, { status: 404 });
  return params.lang;
}

function readCookie(header: string | null, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    // A value that is not valid percent-encoding (say "%E0%A4") is ignored like an absent cookie.
    try {
      return decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      return null;
    }
  }
  return null;
}

export interface LanguageRange {
  tag: string;
  q: number;
}

/** Parses Accept-Language (RFC 9110 §12.5.4) into ranges, highest q first; q=0 means "not this". */
export function parseAcceptLanguage(header: string | null | undefined): LanguageRange[] {
  if (!header) return [];
  const ranges: (LanguageRange & { order: number })[] = [];
  header
    .slice(0, 1000)
    .split(",")
    .forEach((item, order) => {
      const [rawTag, ...rawParams] = item.trim().split(";");
      const tag = rawTag?.trim().toLowerCase() ?? "";
      if (!/^([a-z]{1,8}(-[a-z0-9]{1,8})*|\*)$/.test(tag)) return;
      let q = 1;
      for (const param of rawParams) {
        const match = /^\s*q\s*=\s*([01](\.\d{0,3})?)\s*$/i.exec(param);
        if (match) q = Math.min(1, Number(match[1]));
      }
      ranges.push({ tag, q, order });
    });
  return ranges
    .sort((a, b) => b.q - a.q || a.order - b.order)
    .map(({ tag, q }) => ({ tag, q }));
}

/**
 * The best of our languages for an Accept-Language header, or null. A region or script subtag
 * still matches its language ("ur-PK" → ur, "ar-SA" → ar, "ms-MY" → ms); "*" takes no stand.
 */
export function matchAcceptLanguage(header: string | null | undefined): Locale | null {
  for (const { tag, q } of parseAcceptLanguage(header)) {
    const primary = tag.split("-")[0]!;
    if (q > 0 && isLocale(primary)) return primary;
  }
  return null;
}

/** A page's own headers plus the `Vary` the root set for its language (see root.tsx `headers`). */
export function withLanguageVary(parentHeaders: Headers, own: Record<string, string>): Headers {
  const headers = new Headers(own);
  const vary = parentHeaders.get("Vary");
  if (vary) headers.set("Vary", vary);
  return headers;
}
