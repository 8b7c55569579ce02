import { data, redirect, type ActionFunctionArgs, type HeadersFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { ProgressBar } from "~/components/progress-bar";
import { SignForm } from "~/components/sign-form";
import { countryOptions } from "~/i18n/countries";
import { direction } from "~/i18n/i18n";
import { localeFor, negotiateLocale } from "~/i18n/locale.server";
import { localePath, useTranslation } from "~/i18n/use-translation";
import { findAcceptedPartner } from "~/modules/campaigns/campaigns.queries.server";
import { getCampaignCounts } from "~/modules/counts/counts.server";
import { embedHeaders } from "~/modules/embeds/embed-policy.server";
import { findEmbeddableCampaign } from "~/modules/embeds/embeds.server";
import { issueFormStamp } from "~/modules/fraud/form-screen.server";
import { screenAndSignCampaign } from "~/modules/signatures/screen-and-sign-campaign.server";
import type { SignFieldErrors } from "~/modules/signatures/signatures.fields";
import { NO_ATTRIBUTION, parseAttribution } from "~/modules/signatures/signatures.schema";
import type { RouteHandle } from "~/root";
import { RATE_LIMIT_BUDGET_MS } from "~/modules/fraud/rate-limits.server";
import { getDb, getReadyRedis } from "~/services.server";
import { env } from "~/utils/env.server";
import { readForm } from "~/utils/forms.server";
import { campaignSlugParam, clientAddress, PUBLIC_CACHE } from "~/utils/http.server";

/**
 * The embeddable widget: /embed/campaigns/:slug?partner=<share code>&lang=ur, framed by a partner
 * site. The count and the sign form only, as plain HTML without Remix's client scripts, under a
 * strict Content-Security-Policy whose frame-ancestors are the campaign's allowed origins. Signing
 * needs no cookie (a cross-site frame gets none): the form posts to this same origin and the
 * double opt-in is the site's own.
 */
export const handle: RouteHandle = { bare: true };

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data ? `${data.campaign.title} · Banner` : "Banner" }];

export const headers: HeadersFunction = (args) => embedHeaders(args);

export async function loader({ params, request }: LoaderFunctionArgs) {
  const slug = campaignSlugParam(params.slug);
  const db = getDb();
  const locale = localeFor(request);
  const found = await findEmbeddableCampaign(db, slug, locale);
  if (!found) throw data(null, { status: 404 });
  const { campaign, content } = found;
  const { partnerCode } = parseAttribution(new URL(request.url).searchParams);
  const [counts, partner] = await Promise.all([getCampaignCounts(db, campaign.id), findAcceptedPartner(db, campaign.id, partnerCode)]);
  // The whole campaign opens in a new tab, still crediting the partner.
  const full = new URL(`${env().APP_URL}${localePath(negotiateLocale(request).urlLocale, `/campaigns/${campaign.slug}`)}`);
  if (partner) full.searchParams.set("partner", partnerCode!);
  return data(
    {
      campaign: { title: content.title, contentLocale: content.locale, goal: campaign.goal, status: campaign.status },
      count: counts.total,
      countries: countryOptions(locale),
      partner: partner ? { code: partnerCode!, name: partner.name } : null,
      fullUrl: full.toString(),
      // The widget's form gets the same bot screen as the campaign page's.
      formStamp: issueFormStamp(env().SESSION_SECRET),
    },
    { headers: { "Cache-Control": PUBLIC_CACHE, "Content-Security-Policy": found.contentSecurityPolicy } },
  );
}

type EmbedActionData = { errors: SignFieldErrors; values: Record<string, string>; closed?: boolean; rateLimitedMinutes?: number };

export async function action({ params, request, context }: ActionFunctionArgs) {
  const slug = campaignSlugParam(params.slug);
  const db = getDb();
  const locale = localeFor(request);
  const found = await findEmbeddableCampaign(db, slug, locale);
  if (!found) throw data(null, { status: 404 });
  const headers = { "Cache-Control": "no-store", "Content-Security-Policy": found.contentSecurityPolicy };

  const form = await readForm(request, 32 * 1024);
  const url = new URL(request.url);
  const result = await screenAndSignCampaign({ db, redis: await getReadyRedis(RATE_LIMIT_BUDGET_MS) }, form, {
    campaignSlug: slug,
    locale,
    clientAddress: clientAddress(context),
    userAgent: request.headers.get("User-Agent"),
    source: "widget",
    // The partner is the site that framed us (named in the iframe's URL); the signer chooses the opt-in.
    attribution: { ...NO_ATTRIBUTION, partnerCode: parseAttribution(url.searchParams).partnerCode, optInPartner: parseAttribution(form).optInPartner },
  });
  switch (result.kind) {
    case "invalid":
      return data<EmbedActionData>({ errors: result.errors, values: result.values }, { status: 400, headers });
    case "rate-limited":
      return data<EmbedActionData>(
        { errors: {}, values: result.values, rateLimitedMinutes: Math.ceil(result.retryAfterSeconds / 60) },
        { status: 429, headers: { ...headers, "Retry-After": String(result.retryAfterSeconds) } },
      );
    case "closed":
      return data<EmbedActionData>({ errors: {}, values: {}, closed: true }, { status: 409, headers });
    case "not-found":
      throw data(null, { status: 404 });
    default:
      // The same answer whatever happened, inside the frame: nobody learns whether an address had signed.
      return redirect(`/embed/campaigns/${slug}/signed${url.search}`, { status: 303, headers });
  }
}

export default function EmbeddedCampaign() {
  const { campaign, count, countries, partner, fullUrl, formStamp } = useLoaderData<typeof loader>();
  const actionData = useActionData<EmbedActionData>();
  const { t, locale } = useTranslation();
  const open = campaign.status === "published" && !actionData?.closed;
  const contentLang = campaign.contentLocale !== locale ? { lang: campaign.contentLocale, dir: direction(campaign.contentLocale) } : {};
  return (
    <div className="embed">
      <h1 {...contentLang}>{campaign.title}</h1>
      <ProgressBar count={count} goal={campaign.goal} />
      {open ? (
        <SignForm countries={countries} actionData={actionData} attribution={{ partner, ref: null, via: null }} formStamp={formStamp} />
      ) : (
        <p className="notice">{t("campaign.closed", { count })}</p>
      )}
      <p className="small">
        <a href={fullUrl} target="_blank" rel="noopener">
          {t("embed.readMore")}
        </a>
      </p>
      <script src="/embed-frame.js" defer />
    </div>
  );
}
