import { data, redirect, type ActionFunctionArgs, type HeadersFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { ContentLanguageNotice } from "~/components/content-language";
import { HeroPicture } from "~/components/hero-picture";
import { ProgressBar } from "~/components/progress-bar";
import { ScriptFonts } from "~/components/script-fonts";
import { ShareLinks } from "~/components/share-links";
import { SignForm } from "~/components/sign-form";
import { SignersMap } from "~/components/signers-map";
import { countryName, countryOptions } from "~/i18n/countries";
import { direction, formatDate, translator } from "~/i18n/i18n";
import { assertLanguageParam, localeFor, withLanguageVary } from "~/i18n/locale.server";
import { rootLocale } from "~/i18n/meta";
import { localePath, useTranslation } from "~/i18n/use-translation";
import { campaignContentLocales, findAcceptedPartner, findPublicCampaignInLocale, recentPublicSigners } from "~/modules/campaigns/campaigns.queries.server";
import { listAskVersions } from "~/modules/campaigns/ask-versions.server";
import { listPublicTargetResponses } from "~/modules/campaigns/target-responses.server";
import { getCampaignCounts } from "~/modules/counts/counts.server";
import { getHeroImage } from "~/modules/media/hero-image.server";
import { listPublicPartners } from "~/modules/partners/partners.server";
import { groupSmallCountries, PUBLIC_COUNTRY_MIN } from "~/modules/stats/public-countries";
import { issueFormStamp } from "~/modules/fraud/form-screen.server";
import { openGraphFor, openGraphTags } from "~/modules/sharing/open-graph";
import type { SignFieldErrors } from "~/modules/signatures/signatures.fields";
import { parseAttribution } from "~/modules/signatures/signatures.schema";
import { signWithDefences } from "~/modules/signatures/sign-with-defences.server";
import { getDb, getReadyRedis } from "~/services.server";
import { env } from "~/utils/env.server";
import { campaignSlugParam, clientAddress, PUBLIC_CACHE } from "~/utils/http.server";
import { renderMarkdown } from "~/utils/markdown.server";

const MAX_FORM_BYTES = 32 * 1024;

export const meta: MetaFunction<typeof loader> = ({ data, matches }) => {
  if (!data) return [{ title: translator(rootLocale(matches))("errorPage.notFoundTitle") }];
  return [
    { title: `${data.campaign.title} · Banner` },
    { name: "description", content: data.campaign.summary },
    // The same campaign in each language it has current content in (search engines, readers).
    ...data.alternates.map((a) => ({ tagName: "link", rel: "alternate", hrefLang: a.hrefLang, href: a.href })),
    // Link previews (WhatsApp, Telegram, Facebook, X…) in the page's language.
    ...openGraphTags(data.openGraph),
  ];
};

export const headers: HeadersFunction = ({ loaderHeaders, actionHeaders, parentHeaders }) => {
  const retryAfter = actionHeaders.get("Retry-After");
  return withLanguageVary(parentHeaders, {
    "Cache-Control": actionHeaders.get("Cache-Control") ? "no-store" : (loaderHeaders.get("Cache-Control") ?? PUBLIC_CACHE),
    ...(retryAfter ? { "Retry-After": retryAfter } : {}),
  });
};

export async function loader({ params, request }: LoaderFunctionArgs) {
  assertLanguageParam(params);
  const slug = campaignSlugParam(params.slug);
  const db = getDb();
  const locale = localeFor(request);
  const found = await findPublicCampaignInLocale(db, slug, locale);
  if (!found) throw data(null, { status: 404 });
  const { campaign, content } = found;
  // Share links carry ?partner=, ?ref= and ?via=; the form passes them on as hidden fields.
  const attribution = parseAttribution(new URL(request.url).searchParams);
  const [counts, signers, contentLocales, partner, partners, targets, askVersions, hero] = await Promise.all([
    getCampaignCounts(db, campaign.id),
    recentPublicSigners(db, campaign.id),
    campaignContentLocales(db, campaign),
    findAcceptedPartner(db, campaign.id, attribution.partnerCode),
    listPublicPartners(db, campaign.id),
    listPublicTargetResponses(db, campaign.id),
    listAskVersions(db, campaign.id),
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
      defaultLocale: campaign.locale,
      alternates: [
        ...contentLocales.map((l) => ({ hrefLang: l, href: `${appUrl}/${l}/campaigns/${campaign.slug}` })),
        { hrefLang: "x-default", href: `${appUrl}/campaigns/${campaign.slug}` },
      ],
      count: counts.total,
      hero,
      map: { shown: byCountry.shown.map((c) => ({ ...c, name: countryName(c.country, locale) })), other: byCountry.other, min: PUBLIC_COUNTRY_MIN },
      appUrl,
      openGraph: openGraphFor({
        appUrl,
        locale,
        slug: campaign.slug,
        title: content.title,
        summary: content.summary,
        count: counts.total,
        contentLocales,
      }),
      signers: signers.map((s) => ({ firstName: s.firstName, country: countryName(s.country, locale) })),
      countries: countryOptions(locale),
      partners,
      targets: targets.map((target) => ({
        id: target.id,
        name: target.name,
        role: target.role,
        country: target.country ? countryName(target.country, locale) : null,
        response: target.response
          ? { date: formatDate(locale, `${target.response.respondedOn}T12:00:00Z`), summary: target.response.summary, link: target.response.link }
          : null,
      })),
      // The history matters only once the ask has changed; it is in the campaign's own language.
      askHistory:
        askVersions.length > 1
          ? askVersions.map((v) => ({
              version: v.version,
              date: formatDate(locale, v.createdAt),
              ask: v.ask,
              addressedTo: v.addressedTo,
              targets: v.targets.map((target) => [target.name, target.role].filter(Boolean).join(", ")),
            }))
          : [],
      // Shared by everyone who gets this cached page: a cached copy only makes it older, never "too fast".
      formStamp: issueFormStamp(env().SESSION_SECRET),
      attribution: {
        partner: partner ? { code: attribution.partnerCode!, name: partner.name } : null,
        ref: attribution.referralCode,
        via: attribution.channel,
      },
    },
    { headers: { "Cache-Control": PUBLIC_CACHE } },
  );
}

export type SignActionData = {
  errors: SignFieldErrors;
  values: Record<string, string>;
  closed?: boolean;
  /** too many signatures from this connection or domain: minutes to wait */
  rateLimitedMinutes?: number;
};

export async function action({ params, request, context }: ActionFunctionArgs) {
  const urlLocale = assertLanguageParam(params);
  const slug = campaignSlugParam(params.slug);
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

  const result = await signWithDefences({ db: getDb(), redis: await getReadyRedis(250) }, form, {
    campaignSlug: slug,
    locale: localeFor(request),
    clientAddress: clientAddress(context),
    userAgent: request.headers.get("User-Agent"),
    attribution: parseAttribution(form),
    source: "web",
  });
  switch (result.kind) {
    case "invalid":
      return data<SignActionData>({ errors: result.errors, values: result.values }, { status: 400, headers: noStore });
    case "rate-limited":
      return data<SignActionData>(
        { errors: {}, values: result.values, rateLimitedMinutes: Math.ceil(result.retryAfterSeconds / 60) },
        { status: 429, headers: { ...noStore, "Retry-After": String(result.retryAfterSeconds) } },
      );
    case "closed":
      return data<SignActionData>({ errors: {}, values: {}, closed: true }, { status: 409, headers: noStore });
    case "not-found":
      throw data(null, { status: 404 });
    default:
      // Signed or screened out as a bot: the same answer, so nobody learns whether an address had
      // signed, and no bot learns it was caught.
      return redirect(localePath(urlLocale, `/campaigns/${slug}/signed`), { status: 303 });
  }
}

export default function CampaignPage() {
  const { campaign, count, signers, countries, attribution, formStamp, partners, targets, askHistory, defaultLocale, appUrl, hero, map } =
    useLoaderData<typeof loader>();
  const actionData = useActionData<SignActionData>();
  const { t, locale, href } = useTranslation();
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
        {askHistory.length > 0 ? (
          <details className="ask-history">
            <summary>{t("campaign.versionHistory")}</summary>
            <ol lang={defaultLocale} dir={direction(defaultLocale)}>
              {askHistory.map((v) => (
                <li key={v.version}>
                  <strong>{t("campaign.versionLabel", { version: v.version, date: v.date })}</strong>
                  <p className="bidi">{v.ask}</p>
                  <p className="muted small bidi">
                    {v.addressedTo}
                    {v.targets.length > 0 ? ` — ${v.targets.join("; ")}` : null}
                  </p>
                </li>
              ))}
            </ol>
          </details>
        ) : null}
        <ProgressBar count={count} goal={campaign.goal} liveUrl={`/api/v1/campaigns/${campaign.slug}`} />
        {campaign.openSince ? <p className="muted small">{t("campaign.openSince", { date: campaign.openSince })}</p> : null}
        {/* No signer is known here: the links carry only the channel. */}
        <ShareLinks campaignUrl={`${appUrl}${href(`/campaigns/${campaign.slug}`)}`} title={campaign.title} />
        <p className="small">
          <Link to={href(`/campaigns/${campaign.slug}/qr`)}>{t("share.qrLink")}</Link>
        </p>
      </header>
      <aside className="sign" aria-labelledby="sign-heading">
        <div className="panel">
          <h2 id="sign-heading" style={{ marginBlockStart: 0 }}>
            {t("campaign.signHeading")}
          </h2>
          {open ? (
            <SignForm countries={countries} actionData={actionData} attribution={attribution} formStamp={formStamp} />
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
      <div className="campaign-argument stack-page">
        <section aria-labelledby="why-heading">
          <h2 id="why-heading">{t("campaign.why")}</h2>
          <div className="argument" {...contentLang} dangerouslySetInnerHTML={{ __html: campaign.argumentHtml }} />
        </section>
        <SignersMap {...map} />
        {targets.length > 0 ? (
          <section aria-labelledby="responses-heading">
            <h2 id="responses-heading">{t("campaign.responses")}</h2>
            <ul className="stack-tight" style={{ listStyle: "none", padding: 0 }} lang={defaultLocale} dir={direction(defaultLocale)}>
              {targets.map((target) => (
                <li key={target.id} className="panel" data-target-response={target.response ? "responded" : "waiting"}>
                  <strong className="bidi">{target.name}</strong>
                  {target.role || target.country ? <span className="muted"> · {[target.role, target.country].filter(Boolean).join(", ")}</span> : null}
                  {target.response ? (
                    <>
                      <p className="small">{t("campaign.respondedOn", { date: target.response.date })}</p>
                      <p className="bidi">{target.response.summary}</p>
                      {target.response.link ? (
                        <p>
                          <a href={target.response.link} rel="nofollow noopener noreferrer" dir="ltr">
                            {t("campaign.responseLink")}
                          </a>
                        </p>
                      ) : null}
                    </>
                  ) : (
                    <p className="small muted">{t("campaign.notYetResponded")}</p>
                  )}
                </li>
              ))}
            </ul>
          </section>
        ) : null}
        {partners.length > 0 ? (
          <section aria-labelledby="partners-heading">
            <h2 id="partners-heading">{t("campaign.partners")}</h2>
            <ul className="partners">
              {partners.map((p) => (
                <li key={p.name}>
                  {p.logoUrl ? <img src={p.logoUrl} alt="" width={48} height={48} loading="lazy" /> : null}
                  <span className="bidi">{p.name}</span>
                </li>
              ))}
            </ul>
          </section>
        ) : null}
      </div>
    </article>
  );
}
