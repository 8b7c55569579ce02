import { data, type HeadersFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { translator } from "~/i18n/i18n";
import { localeFor } from "~/i18n/locale.server";
import { rootLocale } from "~/i18n/meta";
import { useTranslation } from "~/i18n/use-translation";
import { embedHeaders } from "~/modules/embeds/embed-policy.server";
import { findEmbeddableCampaign } from "~/modules/embeds/embeds.server";
import type { RouteHandle } from "~/root";
import { getDb } from "~/services.server";
import { campaignSlugParam, PUBLIC_CACHE } from "~/utils/http.server";

/** After signing in the widget: "check your inbox", inside the same frame and under the same policy. */
export const handle: RouteHandle = { bare: true };

export const meta: MetaFunction = ({ matches }) => {
  const t = translator(rootLocale(matches));
  return [{ title: `${t("signed.title")} · ${t("site.name")}` }, { name: "robots", content: "noindex" }];
};

export const headers: HeadersFunction = (args) => embedHeaders(args);

export async function loader({ params, request }: LoaderFunctionArgs) {
  const slug = campaignSlugParam(params.slug);
  const found = await findEmbeddableCampaign(getDb(), slug, localeFor(request));
  if (!found) throw data(null, { status: 404 });
  // Back to the form with the same language and partner.
  const back = `/embed/campaigns/${slug}${new URL(request.url).search}`;
  return data({ back }, { headers: { "Cache-Control": PUBLIC_CACHE, "Content-Security-Policy": found.contentSecurityPolicy } });
}

export default function EmbeddedSigned() {
  const { back } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  return (
    <div className="embed" data-testid="embed-signed">
      <h1>{t("signed.title")}</h1>
      <p>{t("signed.body")}</p>
      <p className="muted small">{t("signed.noEmail")}</p>
      <p>
        <Link to={back}>{t("embed.back")}</Link>
      </p>
      <script src="/embed-frame.js" defer />
    </div>
  );
}
