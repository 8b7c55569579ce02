import type { HeadersFunction, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { ProgressBar } from "~/components/progress-bar";
import { useTranslation } from "~/i18n/use-translation";
import { listPublicCampaigns } from "~/modules/campaigns/campaigns.queries.server";
import { getDb } from "~/services.server";
import { PUBLIC_CACHE } from "~/utils/http.server";

export const meta: MetaFunction = () => [{ title: "Banner: open campaigns" }];
export const headers: HeadersFunction = () => ({ "Cache-Control": PUBLIC_CACHE });

export async function loader() {
  const campaigns = await listPublicCampaigns(getDb(), { openOnly: true });
  return { campaigns: campaigns.map(({ slug, title, summary, goal, signatureCount }) => ({ slug, title, summary, goal, signatureCount })) };
}

export default function Home() {
  const { campaigns } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  return (
    <>
      <h1>{t("home.title")}</h1>
      <p className="lead">{t("home.intro")}</p>
      {campaigns.length === 0 ? (
        <p className="notice">{t("home.empty")}</p>
      ) : (
        <ul className="campaign-list">
          {campaigns.map((c) => (
            <li key={c.slug}>
              <article className="card">
                <h2>
                  <Link to={`/campaigns/${c.slug}`}>{c.title}</Link>
                </h2>
                <p className="muted">{c.summary}</p>
                <ProgressBar count={c.signatureCount} goal={c.goal} />
                <p>
                  <Link className="button secondary" to={`/campaigns/${c.slug}`}>
                    {t("home.readAndSign")}
                  </Link>
                </p>
              </article>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
