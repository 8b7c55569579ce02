import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { InvalidationForm } from "~/components/fraud/invalidation-form";
import { InvalidationHistory } from "~/components/fraud/invalidation-history";
import { TrendingSources } from "~/components/fraud/trending-sources";
import { FormAlert } from "~/components/ui/form-field";
import { translator } from "~/i18n/i18n";
import { localeFor } from "~/i18n/locale.server";
import { rootLocale } from "~/i18n/meta";
import { useTranslation } from "~/i18n/use-translation";
import { requireUser } from "~/modules/accounts/session-cookie.server";
import { invalidationsForPage, trendsForPage } from "~/modules/fraud/campaign-fraud-page.server";
import { INVALIDATION_FIELDS } from "~/modules/fraud/fraud.fields";
import { trendWindowSchema } from "~/modules/fraud/fraud.schema";
import { submitInvalidationForm, type InvalidationFormResult } from "~/modules/fraud/invalidation-form.server";
import { getDb } from "~/services.server";
import { env } from "~/utils/env.server";
import { readForm } from "~/utils/forms.server";
import { throwPageError } from "~/utils/error-answers.server";
import { routeId } from "~/utils/http.server";

export const meta: MetaFunction = ({ matches }) => [{ title: `${translator(rootLocale(matches))("fraud.title")} · Banner` }];

const noStore = { "Cache-Control": "no-store" };

export async function loader({ params, request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const campaignId = routeId(params.campaignId);
  const hours = trendWindowSchema.parse(new URL(request.url).searchParams.get("hours") ?? undefined);
  const threshold = env().FRAUD_TREND_PER_HOUR;
  const locale = localeFor(request);
  try {
    const db = getDb();
    const [trends, invalidations] = await Promise.all([trendsForPage(db, user, campaignId, { hours, threshold, locale }), invalidationsForPage(db, user, campaignId, locale)]);
    return data({ ...trends, hours, threshold, invalidations }, { headers: noStore });
  } catch (error) {
    throwPageError(error);
  }
}

export async function action({ params, request }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const campaignId = routeId(params.campaignId);
  const form = await readForm(request);
  try {
    const { result, status } = await submitInvalidationForm(getDb(), user, campaignId, form);
    return data<InvalidationFormResult>(result, { status, headers: noStore });
  } catch (error) {
    throwPageError(error);
  }
}

export default function FraudCampaign() {
  const { campaign, hours, threshold, addresses, domains, fastForms, invalidations } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const [search] = useSearchParams();
  const { t } = useTranslation();
  const previewed = result?.kind === "preview" ? result : undefined;
  // A trend's link fills the form in through the query string.
  const values = previewed?.values ?? Object.fromEntries(INVALIDATION_FIELDS.map((f) => [f, search.get(f) ?? ""]));

  return (
    <div className="stack-page">
      <p>
        <Link to="/admin/fraud">{t("fraud.title")}</Link>
      </p>
      <h1>{t("fraud.campaignTitle", { title: campaign.title })}</h1>
      {result?.kind === "alert" ? <FormAlert message={t(result.alert)} /> : null}
      {previewed?.alert ? <FormAlert message={t(previewed.alert)} /> : null}
      {result?.kind === "applied" ? (
        <p className="notice" role="status">
          {t("fraud.applied", { count: result.result.signatures, confirmed: result.result.confirmed })}
        </p>
      ) : null}
      {result?.kind === "undone" ? (
        <p className="notice" role="status">
          {t("fraud.undone", { count: result.result.signatures, confirmed: result.result.confirmed })}
        </p>
      ) : null}
      <TrendingSources hours={hours} threshold={threshold} addresses={addresses} domains={domains} fastForms={fastForms} />
      <InvalidationForm values={values} previewed={previewed} />
      <InvalidationHistory invalidations={invalidations} />
    </div>
  );
}
