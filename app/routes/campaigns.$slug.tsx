import { data, redirect, type ActionFunctionArgs, type HeadersFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { ProgressBar } from "~/components/progress-bar";
import { SignForm } from "~/components/sign-form";
import { countryName, countryOptions } from "~/i18n/countries";
import { localeFor } from "~/i18n/locale.server";
import { useTranslation } from "~/i18n/use-translation";
import { findPublicCampaignBySlug, recentPublicSigners } from "~/modules/campaigns/campaigns.queries.server";
import { getCampaignCounts } from "~/modules/counts/counts.server";
import { signPetition } from "~/modules/signatures/sign-petition.server";
import type { SignFieldErrors } from "~/modules/signatures/signatures.fields";
import { parseSignForm } from "~/modules/signatures/signatures.schema";
import { getDb } from "~/services.server";
import { isAppError } from "~/utils/errors.server";
import { clientAddress, PUBLIC_CACHE } from "~/utils/http.server";
import { renderMarkdown } from "~/utils/markdown.server";
import { metrics } from "~/utils/metrics.server";

const SLUG = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const MAX_FORM_BYTES = 32 * 1024;

export const meta: MetaFunction<typeof loader> = ({ data }) =>
  data ? [{ title: `${data.campaign.title} · Banner` }, { name: "description", content: data.campaign.summary }] : [];

export const headers: HeadersFunction = ({ loaderHeaders, actionHeaders }) =>
  actionHeaders.get("Cache-Control") ? { "Cache-Control": "no-store" } : { "Cache-Control": loaderHeaders.get("Cache-Control") ?? PUBLIC_CACHE };

export async function loader({ params, request }: LoaderFunctionArgs) {
  const slug = params.slug ?? "";
  if (!SLUG.test(slug) || slug.length > 80) throw data(null, { status: 404 });
  const db = getDb();
  const campaign = await findPublicCampaignBySlug(db, slug);
  if (!campaign) throw data(null, { status: 404 });
  const locale = localeFor(request);
  const [counts, signers] = await Promise.all([getCampaignCounts(db, campaign.id), recentPublicSigners(db, campaign.id)]);
  return data(
    {
      campaign: {
        slug: campaign.slug,
        title: campaign.title,
        summary: campaign.summary,
        ask: campaign.ask,
        addressedTo: campaign.addressed_to,
        goal: campaign.goal,
        status: campaign.status,
        argumentHtml: renderMarkdown(campaign.argument_md, { headingOffset: 1 }),
      },
      count: counts.total,
      signers: signers.map((s) => ({ firstName: s.firstName, country: countryName(s.country, locale) })),
      countries: countryOptions(locale),
    },
    { headers: { "Cache-Control": PUBLIC_CACHE } },
  );
}

export type SignActionData = { errors: SignFieldErrors; values: Record<string, string>; closed?: boolean };

export async function action({ params, request, context }: ActionFunctionArgs) {
  const slug = params.slug ?? "";
  if (!SLUG.test(slug) || slug.length > 80) throw data(null, { status: 404 });
  const noStore = { "Cache-Control": "no-store" };

  const length = Number(request.headers.get("Content-Length") ?? 0);
  let form: FormData;
  try {
    if (length > MAX_FORM_BYTES) throw new Error("too large");
    form = await request.formData();
  } catch {
    // Not a form, or far too big: answer like any other invalid submission.
    return data<SignActionData>({ errors: { name: "error.name.required" }, values: {} }, { status: 400, headers: noStore });
  }

  const parsed = parseSignForm(form);
  if (!parsed.ok) return data<SignActionData>({ errors: parsed.errors, values: parsed.values }, { status: 400, headers: noStore });

  try {
    const { outcome } = await signPetition(getDb(), {
      campaignSlug: slug,
      input: parsed.data,
      locale: localeFor(request),
      ipAddress: clientAddress(context),
      userAgent: request.headers.get("User-Agent"),
    });
    metrics.signaturesCreated.inc({ outcome });
  } catch (error) {
    if (isAppError(error, "CAMPAIGN_NOT_OPEN"))
      return data<SignActionData>({ errors: {}, values: {}, closed: true }, { status: 409, headers: noStore });
    if (isAppError(error, "NOT_FOUND")) throw data(null, { status: 404 });
    throw error;
  }
  // The same answer whatever happened: nobody learns whether an address had signed.
  return redirect(`/campaigns/${slug}/signed`, { status: 303 });
}

export default function CampaignPage() {
  const { campaign, count, signers, countries } = useLoaderData<typeof loader>();
  const actionData = useActionData<SignActionData>();
  const { t } = useTranslation();
  const open = campaign.status === "published" && !actionData?.closed;
  return (
    <article className="campaign">
      <header className="campaign-intro">
        <h1>{campaign.title}</h1>
        <p className="lead">{campaign.summary}</p>
        <p className="addressed">
          {t("campaign.addressedTo")}: <strong className="bidi">{campaign.addressedTo}</strong>
        </p>
        <h2>{t("campaign.theAsk")}</h2>
        <p className="ask">{campaign.ask}</p>
        <ProgressBar count={count} goal={campaign.goal} liveUrl={`/api/v1/campaigns/${campaign.slug}`} />
      </header>
      <aside className="sign" aria-labelledby="sign-heading">
        <div className="panel">
          <h2 id="sign-heading" style={{ marginBlockStart: 0 }}>
            {t("campaign.signHeading")}
          </h2>
          {open ? (
            <SignForm countries={countries} actionData={actionData} />
          ) : (
            <p className="notice">{t("campaign.closed", { count })}</p>
          )}
        </div>
        <section className="panel" style={{ marginBlockStart: "1rem" }} aria-labelledby="signers-heading">
          <h2 id="signers-heading" style={{ marginBlockStart: 0 }}>
            {t("campaign.recentSigners")}
          </h2>
          {signers.length === 0 ? (
            <p className="muted">{t("campaign.noSigners")}</p>
          ) : (
            <ul className="signers">
              {signers.map((s, i) => (
                <li key={i}>
                  <span className="bidi">{s.firstName}</span>
                  <span className="muted">{s.country}</span>
                </li>
              ))}
            </ul>
          )}
        </section>
      </aside>
      <section className="campaign-argument" aria-labelledby="why-heading">
        <h2 id="why-heading">{t("campaign.why")}</h2>
        <div className="argument" dangerouslySetInnerHTML={{ __html: campaign.argumentHtml }} />
      </section>
    </article>
  );
}
