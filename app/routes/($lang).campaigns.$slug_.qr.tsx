import { data, type HeadersFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import QRCode from "qrcode";
import { direction, translator } from "~/i18n/i18n";
import { assertLanguageParam, localeFor, negotiateLocale, withLanguageVary } from "~/i18n/locale.server";
import { rootLocale } from "~/i18n/meta";
import { localePath, useTranslation } from "~/i18n/use-translation";
import { findPublicCampaignInLocale } from "~/modules/campaigns/campaigns.queries.server";
import { campaignShareUrl } from "~/modules/sharing/share-links";
import type { RouteHandle } from "~/root";
import { getDb } from "~/services.server";
import { env } from "~/utils/env.server";
import { campaignSlugParam, PUBLIC_CACHE } from "~/utils/http.server";

/** Not hydrated: a printable page with nothing for React to do (ADR 0014). */
export const handle: RouteHandle = { hydrate: false };

export const meta: MetaFunction<typeof loader> = ({ data, matches }) => {
  const t = translator(rootLocale(matches));
  return [{ title: data ? `${t("qr.pageTitle")} · ${data.title}` : t("errorPage.notFoundTitle") }];
};

export const headers: HeadersFunction = ({ loaderHeaders, parentHeaders }) =>
  withLanguageVary(parentHeaders, { "Cache-Control": loaderHeaders.get("Cache-Control") ?? PUBLIC_CACHE });

/**
 * A printable page for offline events: the campaign's link as a large QR code (vector SVG, sharp
 * at any print size), with the title and the link written out for people without a scanner.
 * The code's link says `via=qr`, so signatures from posters show up as their own channel.
 */
export async function loader({ params, request }: LoaderFunctionArgs) {
  assertLanguageParam(params);
  const slug = campaignSlugParam(params.slug);
  const found = await findPublicCampaignInLocale(getDb(), slug, localeFor(request));
  if (!found) throw data(null, { status: 404 });
  const page = `${env().APP_URL}${localePath(negotiateLocale(request).urlLocale, `/campaigns/${slug}`)}`;
  const qrSvg = await QRCode.toString(campaignShareUrl(page, "qr"), { type: "svg", errorCorrectionLevel: "M", margin: 2 });
  return data(
    { title: found.content.title, titleLocale: found.content.locale, shortUrl: page.replace(/^https?:\/\//, ""), qrSvg },
    { headers: { "Cache-Control": PUBLIC_CACHE } },
  );
}

export default function CampaignQrCode() {
  const { title, titleLocale, shortUrl, qrSvg } = useLoaderData<typeof loader>();
  const { t, locale } = useTranslation();
  const other = titleLocale !== locale ? { lang: titleLocale, dir: direction(titleLocale) } : {};
  return (
    <section className="qr-page" aria-labelledby="qr-title">
      <h1 id="qr-title" {...other}>
        {title}
      </h1>
      {/* The SVG is our own output from the qrcode package: paths only, no text from users. */}
      <div className="qr-code" role="img" aria-label={`${t("qr.scan")}: ${shortUrl}`} dangerouslySetInnerHTML={{ __html: qrSvg }} />
      <p className="qr-scan">{t("qr.scan")}</p>
      <p className="qr-url" dir="ltr">
        {shortUrl}
      </p>
      <p className="no-print muted">{t("qr.print")}</p>
    </section>
  );
}
