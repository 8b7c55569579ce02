import { data, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { CampaignView } from "~/components/campaign-view";
import { useTranslation } from "~/i18n/use-translation";
import { localeFor } from "~/i18n/locale.server";
import { requireUser } from "~/modules/accounts/session-cookie.server";
import { previewCampaignPage } from "~/modules/campaigns/campaign-page.server";
import { getDb } from "~/services.server";
import { throwPageError } from "~/utils/error-answers.server";
import { routeId } from "~/utils/http.server";

// A draft is nobody's business but its organisers': never indexed, never kept by any cache.
const PRIVATE = { "Cache-Control": "private, no-store", "X-Robots-Tag": "noindex" };
export const headers = () => PRIVATE;

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.page.campaign.title ?? "Campaign"} · Banner` },
  { name: "robots", content: "noindex" },
];

/** The public campaign page of any campaign, as it will look, in the language of ?lang=. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const id = routeId(params.id);
  try {
    const page = await previewCampaignPage(getDb(), user, id, localeFor(request));
    return data({ id, page }, { headers: PRIVATE });
  } catch (error) {
    throwPageError(error, PRIVATE);
  }
}

export default function CampaignPreview() {
  const { id, page } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  return (
    <div className="stack-page">
      <div className="preview-banner" role="note" data-testid="preview-banner">
        <strong>{t("preview.banner")}</strong> <Link to={`/dashboard/campaigns/${id}`}>{t("preview.back")}</Link>
      </div>
      <CampaignView {...page} preview />
    </div>
  );
}
