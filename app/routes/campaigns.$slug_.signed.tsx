import { data, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "~/i18n/use-translation";
import { findPublicCampaignBySlug } from "~/modules/campaigns/campaigns.queries.server";
import { getDb } from "~/services.server";

export const meta: MetaFunction = () => [{ title: "Check your inbox · Banner" }, { name: "robots", content: "noindex" }];

export async function loader({ params }: LoaderFunctionArgs) {
  const campaign = await findPublicCampaignBySlug(getDb(), params.slug ?? "");
  if (!campaign) throw data(null, { status: 404 });
  return { slug: campaign.slug, title: campaign.title };
}

export default function Signed() {
  const { slug, title } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  return (
    <section className="panel centered" aria-labelledby="signed-title">
      <h1 id="signed-title" tabIndex={-1}>
        {t("signed.title")}
      </h1>
      <p className="lead">{t("signed.body")}</p>
      <p className="muted">{t("signed.noEmail")}</p>
      <p>
        <Link to={`/campaigns/${slug}`}>
          {t("signed.back")}: {title}
        </Link>
      </p>
    </section>
  );
}
