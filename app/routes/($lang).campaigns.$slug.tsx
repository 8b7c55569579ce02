import { data, redirect, type ActionFunctionArgs, type HeadersFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { ContentLanguageNotice } from "~/components/content-language";
import { HeroPicture } from "~/components/hero-picture";
import { ProgressBar } from "~/components/progress-bar";
import { ScriptFonts } from "~/components/script-fonts";
import { SignForm } from "~/components/sign-form";
import { SignersMap } from "~/components/signers-map";
import { countryName, countryOptions } from "~/i18n/countries";
import { direction, formatDate, translator } from "~/i18n/i18n";
import { assertLanguageParam, localeFor, withLanguageVary } from "~/i18n/locale.server";
import { rootLocale } from "~/i18n/meta";
import { localePath, useTranslation } from "~/i18n/use-translation";
import { campaignContentLocales, findAcceptedPartner, findPublicCampaignInLocale, recentPublicSigners } from "~/modules/campaigns/campaigns.queries.server";
import { getCampaignCounts } from "~/modules/counts/counts.server";
import { getHeroImage } from "~/modules/media/hero-image.server";
import { signPetition } from "~/modules/signatures/sign-petition.server";
import type { SignFieldErrors } from "~/modules/signatures/signatures.fields";
import { groupSmallCountries, PUBLIC_COUNTRY_MIN } from "~/modules/stats/public-countries";
import { parseAttribution, parseSignForm } from "~/modules/signatures/signatures.schema";
import { getDb } from "~/services.server";
import { env } from "~/utils/env.server";
import { isAppError } from "~/utils/errors.server";
import { clientAddress, PUBLIC_CACHE } from "~/utils/http.server";
import { renderMarkdown } from "~/utils/markdown.server";
import { metrics } from "~/utils/metrics.server";

const SLUG = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const MAX_FORM_BYTES = 32 * 1024;

export const meta: MetaFunction<typeof loader> = ({ data, matches }) => {
  if (!data) return [{ title: translator(rootLocale(matches))("errorPage.notFoundTitle") }];
  return [
    { title: `${data.campaign.title} · Banner` },
    { name: "description", content: data.campaign.summary },
    // The same campaign in each language it has current content in (search engines, readers).
    ...data.alternates.map((a) => ({ tagName: "link", rel: "alternate", hrefLang: a.hrefLang, href: a.href })),
  ];
};

export const headers: HeadersFunction = ({ loaderHeaders, actionHeaders, parentHeaders }) =>
  withLanguageVary(parentHeaders, {
    "Cache-Control": actionHeaders.get("Cache-Control") ? "no-store" : (loaderHeaders.get("Cache-Control") ?? PUBLIC_CACHE),
  });

export async function loader({ params, request }: LoaderFunctionArgs) {
  assertLanguageParam(params);
  const slug = params.slug ?? "";
  if (!SLUG.test(slug) || slug.length > 80) throw data(null, { status: 404 });
  const db = getDb();
  const locale = localeFor(request);
  const found = await findPublicCampaignInLocale(db, slug, locale);
  if (!found) throw data(null, { status: 404 });
  const { campaign, content } = found;
  // Share links carry ?partner=, ?ref= and ?via=; the form passes them on as hidden fields.
  const attribution = parseAttribution(new URL(request.url).searchParams);
  const [counts, signers, contentLocales, partner, hero] = await Promise.all([
    getCampaignCounts(db, campaign.id),
    recentPublicSigners(db, campaign.id),
    campaignContentLocales(db, campaign),
    findAcceptedPartner(db, campaign.id, attribution.partnerCode),
    getHeroImage(db, campaign.id),
  ]);
  const byCountry = groupSmallCountries(counts.byCountry);
  const appUrl = env().APP_URL;
  return data(
    {
      campaign: {
        slug: campaign.slug,
        title: content.title,
        summary: content.summary,
        ask: content.ask,
        addressedTo: content.addressedTo,
        contentLocale: content.locale,
        goal: campaign.goal,
        status: campaign.status,
        // Formatted here, once: the browser's ICU may word a date differently from Node's.
        openSince: campaign.published_at ? formatDate(locale, campaign.published_at) : null,
        argumentHtml: renderMarkdown(content.argumentMd, { headingOffset: 1 }),
      },
      alternates: [
        ...contentLocales.map((l) => ({ hrefLang: l, href: `${appUrl}/${l}/campaigns/${campaign.slug}` })),
        { hrefLang: "x-default", href: `${appUrl}/campaigns/${campaign.slug}` },
      ],
      count: counts.total,
      hero,
      map: { shown: byCountry.shown.map((c) => ({ ...c, name: countryName(c.country, locale) })), other: byCountry.other, min: PUBLIC_COUNTRY_MIN },
      signers: signers.map((s) => ({ firstName: s.firstName, country: countryName(s.country, locale) })),
      countries: countryOptions(locale),
      attribution: {
        partner: partner ? { code: attribution.partnerCode!, name: partner.name } : null,
        ref: attribution.referralCode,
        via: attribution.channel,
      },
    },
    { headers: { "Cache-Control": PUBLIC_CACHE } },
  );
}

export type SignActionData = { errors: SignFieldErrors; values: Record<string, string>; closed?: boolean };

export async function action({ params, request, context }: ActionFunctionArgs) {
  const urlLocale = assertLanguageParam(params);
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
      attribution: parseAttribution(form),
    });
    metrics.signaturesCreated.inc({ outcome });
  } catch (error) {
    if (isAppError(error, "CAMPAIGN_NOT_OPEN"))
      return data<SignActionData>({ errors: {}, values: {}, closed: true }, { status: 409, headers: noStore });
    if (isAppError(error, "NOT_FOUND")) throw data(null, { status: 404 });
    throw error;
  }
  // The same answer whatever happened: nobody learns whether an address had signed.
  return redirect(localePath(urlLocale, `/campaigns/${slug}/signed`), { status: 303 });
}

export default function CampaignPage() {
  const { campaign, count, signers, countries, attribution, hero, map } = useLoaderData<typeof loader>();
  const actionData = useActionData<SignActionData>();
  const { t, locale } = useTranslation();
  const open = campaign.status === "published" && !actionData?.closed;
  // Untranslated content says which language it is in, so screen readers switch voice.
  const other = campaign.contentLocale !== locale;
  const contentLang = other ? { lang: campaign.contentLocale, dir: direction(campaign.contentLocale) } : {};
  return (
    <article className="campaign">
      <header className="campaign-intro">
        {other ? (
          <>
            <ContentLanguageNotice contentLocale={campaign.contentLocale} />
            <ScriptFonts locale={campaign.contentLocale} />
          </>
        ) : null}
        {hero ? <HeroPicture hero={hero} sizes="(min-width: 70rem) 44rem, (min-width: 60rem) calc(100vw - 28rem), 100vw" /> : null}
        <h1 {...contentLang}>{campaign.title}</h1>
        <p className="lead" {...contentLang}>
          {campaign.summary}
        </p>
        <p className="addressed">
          {t("campaign.addressedTo")}:{" "}
          <strong className="bidi" {...contentLang}>
            {campaign.addressedTo}
          </strong>
        </p>
        <h2>{t("campaign.theAsk")}</h2>
        <p className="ask" {...contentLang}>
          {campaign.ask}
        </p>
        <ProgressBar count={count} goal={campaign.goal} liveUrl={`/api/v1/campaigns/${campaign.slug}`} />
        {campaign.openSince ? <p className="muted small">{t("campaign.openSince", { date: campaign.openSince })}</p> : null}
      </header>
      <aside className="sign" aria-labelledby="sign-heading">
        <div className="panel">
          <h2 id="sign-heading" style={{ marginBlockStart: 0 }}>
            {t("campaign.signHeading")}
          </h2>
          {open ? (
            <SignForm countries={countries} actionData={actionData} attribution={attribution} />
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
        <div className="argument" {...contentLang} dangerouslySetInnerHTML={{ __html: campaign.argumentHtml }} />
        <SignersMap {...map} />
      </section>
    </article>
  );
}
