import type { LinksFunction, LoaderFunctionArgs } from "@remix-run/node";
import {
  isRouteErrorResponse,
  Link,
  Links,
  Meta,
  Outlet,
  Scripts,
  ScrollRestoration,
  useRouteLoaderData,
  useRouteError,
} from "@remix-run/react";
import type { ReactNode } from "react";
import { direction, DEFAULT_LOCALE, translator } from "~/i18n/i18n";
import { localeFor } from "~/i18n/locale.server";
import { useTranslation } from "~/i18n/use-translation";
import stylesUrl from "~/styles/app.css?url";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: stylesUrl },
  { rel: "icon", href: "/favicon.svg", type: "image/svg+xml" },
];

export async function loader({ request }: LoaderFunctionArgs) {
  const locale = localeFor(request);
  return { locale, dir: direction(locale) };
}

export function Layout({ children }: { children: ReactNode }) {
  const data = useRouteLoaderData<typeof loader>("root");
  const locale = data?.locale ?? DEFAULT_LOCALE;
  const t = translator(DEFAULT_LOCALE);
  return (
    <html lang={locale} dir={data?.dir ?? direction(locale)}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light" />
        <Meta />
        <Links />
      </head>
      <body>
        <a className="skip-link" href="#main">
          {t("site.skipToContent")}
        </a>
        <header className="site-header">
          <div className="wrap">
            <Link to="/" className="brand">
              <span aria-hidden="true" className="brand-mark" />
              {t("site.name")}
            </Link>
          </div>
        </header>
        <main id="main" className="wrap">
          {children}
        </main>
        <footer className="site-footer">
          <div className="wrap">{t("site.footer")}</div>
        </footer>
        <ScrollRestoration />
        <Scripts />
      </body>
    </html>
  );
}

export default function App() {
  return <Outlet />;
}

export function ErrorBoundary() {
  const error = useRouteError();
  const { t } = useTranslation();
  const notFound = isRouteErrorResponse(error) && error.status === 404;
  const limited = isRouteErrorResponse(error) && error.status === 429;
  return (
    <section className="panel">
      <h1>{notFound ? t("errorPage.notFoundTitle") : t("errorPage.title")}</h1>
      <p>{notFound ? t("errorPage.notFoundBody") : limited ? t("errorPage.rateLimited") : t("errorPage.body")}</p>
      <p>
        <Link to="/">{t("errorPage.home")}</Link>
      </p>
    </section>
  );
}
