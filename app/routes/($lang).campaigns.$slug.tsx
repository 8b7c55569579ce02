import { data, redirect, type ActionFunctionArgs, type AppLoadContext, type HeadersFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { CampaignView } from "~/components/campaign-view";
import { countryOptionsMarkup } from "~/i18n/country-options-markup.server";
import { translator } from "~/i18n/i18n";
import { assertLanguageParam, localeFor, withLanguageVary } from "~/i18n/locale.server";
import { rootLocale } from "~/i18n/meta";
import { localePath } from "~/i18n/use-translation";
import { campaignPageData } from "~/modules/campaigns/campaign-page.server";
import { findAcceptedPartner, findPublicCampaignInLocale } from "~/modules/campaigns/campaigns.queries.server";
import { issueFormStamp } from "~/modules/fraud/form-screen.server";
import { openGraphFor, openGraphTags } from "~/modules/sharing/open-graph";
import type { SignFieldErrors } from "~/modules/signatures/signatures.fields";
import { parseAttribution } from "~/modules/signatures/signatures.schema";
import { MAX_SIGN_FORM_BYTES, screenAndSignFromCampaignPage, UNREADABLE_SIGN_FORM } from "~/modules/signatures/screen-and-sign-campaign.server";
import type { RouteHandle } from "~/root";
import { RATE_LIMIT_BUDGET_MS } from "~/modules/fraud/rate-limits.server";
import { getDb, getReadyRedis } from "~/services.server";
import { env } from "~/utils/env.server";
import { campaignSlugParam, clientAddress, presignedSign, PUBLIC_CACHE } from "~/utils/http.server";

/** Not hydrated: the page and its small script stay within the 60 KB page budget (ADR 0014). */
export const handle: RouteHandle = { hydrate: false };

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
  const { campaign, content, contentLocales } = found;
  // Share links carry ?partner=, ?ref= and ?via=; the form passes them on as hidden fields.
  const attribution = parseAttribution(new URL(request.url).searchParams);
  const [page, partner] = await Promise.all([campaignPageData(db, found, locale), findAcceptedPartner(db, campaign.id, attribution.partnerCode)]);
  const appUrl = env().APP_URL;
  return data(
    {
      ...page,
      // The 250 options as markup made once per language, not a list to render (and to encode
      // into the page's data) on every view.
      countries: countryOptionsMarkup(locale),
      alternates: [
        ...contentLocales.map((l) => ({ hrefLang: l, href: `${appUrl}/${l}/campaigns/${campaign.slug}` })),
        { hrefLang: "x-default", href: `${appUrl}/campaigns/${campaign.slug}` },
      ],
      openGraph: openGraphFor({
        appUrl,
        locale,
        slug: campaign.slug,
        title: content.title,
        summary: content.summary,
        count: page.count,
        contentLocales,
      }),
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

  // A plain form post was signed before Remix saw it (server/sign-form-post.ts); only its outcomes
  // that re-render the page come here, with the result. Everything else signs here.
  const result = presignedSign(context) ?? (await signFromRequest(request, slug, context));
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

async function signFromRequest(request: Request, slug: string, context: AppLoadContext) {
  const length = Number(request.headers.get("Content-Length") ?? 0);
  let form: FormData;
  try {
    if (length > MAX_SIGN_FORM_BYTES) throw new Error("too large");
    form = await request.formData();
  } catch {
    // Not a form, or far too big: answer like any other invalid submission.
    return UNREADABLE_SIGN_FORM;
  }
  return screenAndSignFromCampaignPage({ db: getDb(), redis: await getReadyRedis(RATE_LIMIT_BUDGET_MS) }, form, {
    campaignSlug: slug,
    locale: localeFor(request),
    clientAddress: clientAddress(context),
    userAgent: request.headers.get("User-Agent"),
  });
}

export default function CampaignPage() {
  const page = useLoaderData<typeof loader>();
  const actionData = useActionData<SignActionData>();
  return <CampaignView {...page} actionData={actionData} />;
}
