import { data, type HeadersFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { CampaignCards, type CampaignCardSummary } from "~/components/campaign-cards";
import { translator } from "~/i18n/i18n";
import { assertLanguageParam, localeFor, withLanguageVary } from "~/i18n/locale.server";
import { rootLocale } from "~/i18n/meta";
import { useTranslation } from "~/i18n/use-translation";
import { organisationSlugParam } from "~/modules/organisations/organisations.schema";
import { findPublicOrganisation } from "~/modules/organisations/public-organisation.server";
import type { RouteHandle } from "~/root";
import { getDb } from "~/services.server";
import { PUBLIC_CACHE } from "~/utils/http.server";

/** Not hydrated, like the campaign pages that link here (ADR 0014). */
export const handle: RouteHandle = { hydrate: false };

export const meta: MetaFunction<typeof loader> = ({ data, matches }) => {
  const t = translator(rootLocale(matches));
  if (!data) return [{ title: t("errorPage.notFoundTitle") }];
  return [{ title: `${data.organisation.name} · ${t("site.name")}` }];
};

export const headers: HeadersFunction = ({ parentHeaders }) => withLanguageVary(parentHeaders, { "Cache-Control": PUBLIC_CACHE });

export async function loader({ params, request }: LoaderFunctionArgs) {
  assertLanguageParam(params);
  const slug = organisationSlugParam.safeParse(params.slug);
  if (!slug.success) throw data(null, { status: 404 });
  const found = await findPublicOrganisation(getDb(), slug.data, localeFor(request));
  if (!found) throw data(null, { status: 404 });
  return data(found, { headers: { "Cache-Control": PUBLIC_CACHE } });
}

export default function OrganisationPage() {
  const { organisation, open, closed } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  return (
    <>
      <header className="host-header">
        {organisation.logoUrl ? <img src={organisation.logoUrl} alt="" width={64} height={64} /> : null}
        <h1 className="bidi">{organisation.name}</h1>
      </header>
      <p className="lead">{t("organisation.intro")}</p>
      {open.length === 0 && closed.length === 0 ? <p className="notice">{t("organisation.none")}</p> : null}
      {open.length > 0 ? <CampaignList id="open-heading" heading={t("organisation.open")} campaigns={open} /> : null}
      {closed.length > 0 ? <CampaignList id="closed-heading" heading={t("organisation.closed")} campaigns={closed} /> : null}
    </>
  );
}

function CampaignList({ id, heading, campaigns }: { id: string; heading: string; campaigns: CampaignCardSummary[] }) {
  return (
    <section aria-labelledby={id}>
      <h2 id={id}>{heading}</h2>
      <CampaignCards campaigns={campaigns} Heading="h3" />
    </section>
  );
}
