import { data, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { ShareLinks } from "~/components/share-links";
import { direction, translator } from "~/i18n/i18n";
import { assertLanguageParam, localeFor } from "~/i18n/locale.server";
import { rootLocale } from "~/i18n/meta";
import { useTranslation } from "~/i18n/use-translation";
import { findPublicCampaignInLocale } from "~/modules/campaigns/campaigns.queries.server";
import { getCampaignCounts } from "~/modules/counts/counts.server";
import type { RouteHandle } from "~/root";
import { getDb } from "~/services.server";
import { env } from "~/utils/env.server";

/** Not hydrated, like the campaign page the signer comes from (ADR 0014). */
export const handle: RouteHandle = { hydrate: false };

export const meta: MetaFunction = ({ matches }) => {
  const t = translator(rootLocale(matches));
  return [{ title: `${t("signed.title")} · ${t("site.name")}` }, { name: "robots", content: "noindex" }];
};

export async function loader({ params, request }: LoaderFunctionArgs) {
  assertLanguageParam(params);
  const found = await findPublicCampaignInLocale(getDb(), params.slug ?? "", localeFor(request));
  if (!found) throw data(null, { status: 404 });
  const counts = await getCampaignCounts(getDb(), found.campaign.id);
  return { slug: found.campaign.slug, title: found.content.title, titleLocale: found.content.locale, appUrl: env().APP_URL, confirmedCount: counts.total };
}

export default function Signed() {
  const { slug, title, titleLocale, appUrl, confirmedCount } = useLoaderData<typeof loader>();
  const { t, locale, href } = useTranslation();
  return (
    <section className="panel centered" aria-labelledby="signed-title">
      <h1 id="signed-title" tabIndex={-1}>
        {t("signed.title")}
      </h1>
      <p className="lead">{t("signed.body")}</p>
      <p className="thanks-count" data-testid="signed-count">
        {t("signed.count", { count: confirmedCount })}
      </p>
      <p className="muted">{t("signed.noEmail")}</p>
      <p>
        <Link to={href(`/campaigns/${slug}`)}>
          {t("signed.back")}:{" "}
          <span className="bidi" lang={titleLocale !== locale ? titleLocale : undefined} dir={titleLocale !== locale ? direction(titleLocale) : undefined}>
            {title}
          </span>
        </Link>
      </p>
      {/* Right after signing is when people share most; the links carry only the channel. */}
      <ShareLinks campaignUrl={`${appUrl}${href(`/campaigns/${slug}`)}`} title={title} intro={t("signed.shareIntro")} />
    </section>
  );
}
