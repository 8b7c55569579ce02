import type { HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { CampaignCards } from "~/components/campaign-cards";
import { translator } from "~/i18n/i18n";
import { assertLanguageParam, localeFor, withLanguageVary } from "~/i18n/locale.server";
import { rootLocale } from "~/i18n/meta";
import { useTranslation } from "~/i18n/use-translation";
import { listPublicCampaigns } from "~/modules/campaigns/campaigns.queries.server";
import type { RouteHandle } from "~/root";
import { getDb } from "~/services.server";
import { PUBLIC_CACHE } from "~/utils/http.server";

/** Not hydrated: a first visit often lands here, and nothing on it needs React (ADR 0014). */
export const handle: RouteHandle = { hydrate: false };

export const meta: MetaFunction = ({ matches }) => {
  const t = translator(rootLocale(matches));
  return [{ title: `${t("home.title")} · ${t("site.name")}` }];
};
export const headers: HeadersFunction = ({ parentHeaders }) => withLanguageVary(parentHeaders, { "Cache-Control": PUBLIC_CACHE });

export async function loader({ params, request }: LoaderFunctionArgs) {
  assertLanguageParam(params);
  const campaigns = await listPublicCampaigns(getDb(), { openOnly: true, locale: localeFor(request) });
  return {
    campaigns: campaigns.map(({ slug, title, summary, contentLocale, goal, signatureCount }) => ({ slug, title, summary, contentLocale, goal, signatureCount })),
  };
}

export default function Home() {
  const { campaigns } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  return (
    <>
      <h1>{t("home.title")}</h1>
      <p className="lead">{t("home.intro")}</p>
      {campaigns.length === 0 ? (
        <p className="notice">{t("home.empty")}</p>
      ) : (
        <CampaignCards
          campaigns={campaigns}
          Heading="h2"
          footer={(link) => (
            <p>
              <Link className="button secondary" to={link}>
                {t("home.readAndSign")}
              </Link>
            </p>
          )}
        />
      )}
    </>
  );
}
