import { data, type HeadersFunction, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import {
  isRouteErrorResponse,
  Link,
  Links,
  Meta,
  Outlet,
  Scripts,
  ScrollRestoration,
  useMatches,
  useRouteLoaderData,
  useRouteError,
  type ShouldRevalidateFunction,
} from "@remix-run/react";
import type { ReactNode } from "react";
import { LanguageSwitcher } from "~/components/language-switcher";
import { ScriptFonts } from "~/components/script-fonts";
import { direction, DEFAULT_LOCALE, isLocale, translator } from "~/i18n/i18n";
import { localeHeaders, negotiateLocale } from "~/i18n/locale.server";
import { localePath, useTranslation } from "~/i18n/use-translation";
import { currentUser } from "~/modules/accounts/session-cookie.server";
import publicPageScript from "~/enhance/public-page?script";
import stylesUrl from "~/styles/app.css?url";
import { useNonce } from "~/utils/nonce";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: stylesUrl },
  { rel: "icon", href: "/favicon.svg", type: "image/svg+xml" },
];

/**
 * Every page needs a title (screen readers announce it first): pages without their own, and
 * error pages (a 404 rendered by the boundary here), get one that says what happened.
 */
export const meta: MetaFunction<typeof loader> = ({ data, error }) => {
  const t = translator(data && isLocale(data.locale) ? data.locale : DEFAULT_LOCALE);
  const title = !error ? null : isRouteErrorResponse(error) && error.status === 404 ? t("errorPage.notFoundTitle") : t("errorPage.title");
  return [{ title: title ? `${title} · ${t("site.name")}` : t("site.name") }];
};

export async function loader({ request }: LoaderFunctionArgs) {
  const choice = negotiateLocale(request);
  // Only look the session up when there is a cookie: anonymous pages stay one query cheaper.
  const user = request.headers.get("Cookie")?.includes("banner_session=") ? await currentUser(request) : undefined;
  return data(
    {
      locale: choice.locale,
      urlLocale: choice.urlLocale,
      dir: direction(choice.locale),
      user: user ? { displayName: user.displayName, admin: user.role === "admin" } : null,
    },
    { headers: localeHeaders(request, choice) },
  );
}

/** Pages without a `headers` export (and error pages) still say what they vary on. */
export const headers: HeadersFunction = ({ loaderHeaders }) => {
  const vary = loaderHeaders.get("Vary");
  return vary ? { Vary: vary } : new Headers();
};

// The root's data is the language: fetch it again whenever the URL's language may have changed.
export const shouldRevalidate: ShouldRevalidateFunction = ({ currentParams, nextParams, currentUrl, nextUrl, defaultShouldRevalidate }) =>
  currentParams.lang !== nextParams.lang || currentUrl.searchParams.get("lang") !== nextUrl.searchParams.get("lang") || defaultShouldRevalidate;

/**
 * A route whose `handle` says `{ bare: true }` (the embeddable widget) gets the document without
 * the site's header and footer and without Remix's client scripts: it is a plain HTML page that
 * works under a Content-Security-Policy allowing no inline script.
 */
export interface RouteHandle {
  bare?: boolean;
  /**
   * `false`: React does not hydrate this page. It is sent as server-rendered HTML with one small
   * script of its own (app/enhance/public-page.ts) instead of React, Remix and the message
   * catalogues: the public pages a first visit lands on, which must stay within the 60 KB page budget (ADR 0013).
   */
  hydrate?: false;
}

/**
 * Whether the document gets Remix's client scripts. In the browser the answer is always yes: if
 * React is rendering there, this document was hydrated, and a client-side navigation into a page
 * marked `hydrate: false` (from the dashboard, say) renders it with React like any other.
 */
function useHydrated(): boolean {
  const light = useMatches().some((m) => (m.handle as RouteHandle | undefined)?.hydrate === false);
  return typeof document !== "undefined" || !light;
}

/** The same <head> for the full site and for bare pages (the embeddable widget). */
function DocumentHead({ locale }: { locale: string }) {
  return (
    <head>
      <meta charSet="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <meta name="color-scheme" content="light" />
      <Meta />
      <Links />
      <ScriptFonts locale={locale} />
    </head>
  );
}

export function Layout({ children }: { children: ReactNode }) {
  const data = useRouteLoaderData<typeof loader>("root");
  const locale = data && isLocale(data.locale) ? data.locale : DEFAULT_LOCALE;
  const urlLocale = data && isLocale(data.urlLocale) ? data.urlLocale : null;
  const t = translator(locale);
  const bare = useMatches().some((m) => (m.handle as RouteHandle | undefined)?.bare);
  const hydrated = useHydrated();
  const nonce = useNonce();
  if (bare) {
    return (
      <html lang={locale} dir={direction(locale)}>
        <DocumentHead locale={locale} />
        <body className="bare">
          <main id="main">{children}</main>
        </body>
      </html>
    );
  }
  return (
    <html lang={locale} dir={direction(locale)}>
      <DocumentHead locale={locale} />
      <body>
        <a className="skip-link" href="#main">
          {t("site.skipToContent")}
        </a>
        <header className="site-header">
          <div className="wrap">
            <Link to={localePath(urlLocale, "/")} className="brand">
              <span aria-hidden="true" className="brand-mark" />
              {t("site.name")}
            </Link>
            {data?.user ? (
              <nav className="account-nav" aria-label={t("nav.account")}>
                <Link to="/dashboard">{t("nav.dashboard")}</Link>
                {data.user.admin ? <Link to="/admin">{t("adminConsole.title")}</Link> : null}
                <Link to="/account">{t("nav.account")}</Link>
                {/* Logging out changes state: a form with a POST, which also works without JavaScript.
                    The button submits by default; no type="submit" attribute, so that "the page's
                    submit button" in tests and scripts (button[type=submit]) stays the one in <main>. */}
                <form method="post" action="/logout" className="account-nav-form">
                  <button className="account-nav-button">
                    {t("nav.logOut")}
                  </button>
                </form>
              </nav>
            ) : null}
            <LanguageSwitcher />
          </div>
        </header>
        <main id="main" className="wrap">
          {children}
        </main>
        <footer className="site-footer">
          <div className="wrap">
            {t("site.footer")} <Link to={localePath(urlLocale, "/privacy")}>{t("privacy.title")}</Link>
            {data?.user ? null : (
              <>
                {" · "}
                <Link to="/login">{t("nav.logIn")}</Link> · <Link to="/signup">{t("nav.signUp")}</Link>
              </>
            )}
          </div>
        </footer>
        {hydrated ? (
          <>
            <ScrollRestoration nonce={nonce} />
            <Scripts nonce={nonce} />
          </>
        ) : (
          <script type="module" src={publicPageScript} />
        )}
      </body>
    </html>
  );
}

export default function App() {
  return <Outlet />;
}

export function ErrorBoundary() {
  const error = useRouteError();
  const { t, href } = useTranslation();
  const notFound = isRouteErrorResponse(error) && error.status === 404;
  const limited = isRouteErrorResponse(error) && error.status === 429;
  return (
    <section className="panel">
      <h1>{notFound ? t("errorPage.notFoundTitle") : t("errorPage.title")}</h1>
      <p>{notFound ? t("errorPage.notFoundBody") : limited ? t("errorPage.rateLimited") : t("errorPage.body")}</p>
      <p>
        <Link to={href("/")}>{t("errorPage.home")}</Link>
      </p>
    </section>
  );
}
