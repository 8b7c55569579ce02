import { data, redirect, type ActionFunctionArgs, type HeadersFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { CampaignView } from "~/components/campaign-view";
import { translator } from "~/i18n/i18n";
import { assertLanguageParam, localeFor, withLanguageVary } from "~/i18n/locale.server";
import { rootLocale } from "~/i18n/meta";
import { localePath } from "~/i18n/use-translation";
import { campaignPageData } from "~/modules/campaigns/campaign-page.server";
import { campaignContentLocales, findAcceptedPartner, findPublicCampaignInLocale } from "~/modules/campaigns/campaigns.queries.server";
import { signPetition } from "~/modules/signatures/sign-petition.server";
import type { SignFieldErrors } from "~/modules/signatures/signatures.fields";
import { parseAttribution, parseSignForm } from "~/modules/signatures/signatures.schema";
import { getDb } from "~/services.server";
import { env } from "~/utils/env.server";
import { isAppError } from "~/utils/errors.server";
import { clientAddress, PUBLIC_CACHE } from "~/utils/http.server";
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
  const { campaign } = found;
  // Share links carry ?partner=, ?ref= and ?via=; the form passes them on as hidden fields.
  const attribution = parseAttribution(new URL(request.url).searchParams);
  const [page, contentLocales, partner] = await Promise.all([
    campaignPageData(db, found, locale),
    campaignContentLocales(db, campaign),
    findAcceptedPartner(db, campaign.id, attribution.partnerCode),
  ]);
  const appUrl = env().APP_URL;
  return data(
    {
      ...page,
      alternates: [
        ...contentLocales.map((l) => ({ hrefLang: l, href: `${appUrl}/${l}/campaigns/${campaign.slug}` })),
        { hrefLang: "x-default", href: `${appUrl}/campaigns/${campaign.slug}` },
      ],
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
  const page = useLoaderData<typeof loader>();
  const actionData = useActionData<SignActionData>();
  return <CampaignView {...page} actionData={actionData} />;
}
