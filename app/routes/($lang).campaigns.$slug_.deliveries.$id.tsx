import { data, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { translator } from "~/i18n/i18n";
import { assertLanguageParam } from "~/i18n/locale.server";
import { rootLocale } from "~/i18n/meta";
import { useTranslation } from "~/i18n/use-translation";
import { getPublicDeliveryBundle } from "~/modules/exports/export-overview.server";
import { getDb } from "~/services.server";
import { throwPageError } from "~/utils/error-answers.server";
import { PUBLIC_CACHE, routeId } from "~/utils/http.server";

export const meta: MetaFunction<typeof loader> = ({ data, matches }) => {
  const t = translator(rootLocale(matches));
  return [{ title: data ? `${t("delivery.title", { target: data.targetName })} · ${t("site.name")}` : t("errorPage.notFoundTitle") }];
};

export const headers = () => ({ "Cache-Control": PUBLIC_CACHE });

/** The public record of a delivered list: count, date, final hash, and how anyone can check it. */
export async function loader({ params }: LoaderFunctionArgs) {
  assertLanguageParam(params);
  try {
    const bundle = await getPublicDeliveryBundle(getDb(), params.slug ?? "", routeId(params.id));
    return data(
      {
        slug: bundle.slug,
        title: bundle.title,
        targetName: bundle.target_name,
        targetRole: bundle.target_role,
        rowCount: bundle.row_count,
        finalHash: bundle.final_hash,
        createdAt: bundle.created_at.toISOString(),
        manifest: bundle.manifest,
      },
      { headers: { "Cache-Control": PUBLIC_CACHE } },
    );
  } catch (error) {
    throwPageError(error);
  }
}

export default function DeliveryRecord() {
  const bundle = useLoaderData<typeof loader>();
  const { t, n, date, href } = useTranslation();
  return (
    <article className="panel stack" aria-labelledby="delivery-title">
      <h1 id="delivery-title">{t("delivery.title", { target: bundle.targetName })}</h1>
      <p>{t("delivery.intro", { title: bundle.title, count: bundle.rowCount, target: bundle.targetName, date: date(bundle.createdAt) })}</p>
      <dl>
        <dt>{t("delivery.target")}</dt>
        <dd className="bidi">
          {bundle.targetName}
          {bundle.targetRole ? ` · ${bundle.targetRole}` : ""}
        </dd>
        <dt>{t("delivery.count")}</dt>
        <dd data-testid="delivery-count">{n(bundle.rowCount)}</dd>
        <dt>{t("delivery.date")}</dt>
        <dd>
          <time dateTime={bundle.createdAt}>{bundle.createdAt}</time>
        </dd>
        <dt>{t("delivery.hash")}</dt>
        <dd>
          <code dir="ltr" data-testid="delivery-hash" style={{ overflowWrap: "anywhere" }}>
            {bundle.finalHash}
          </code>
        </dd>
      </dl>
      <h2>{t("delivery.verifyTitle")}</h2>
      <ol>
        <li>{t("delivery.verifyRows")}</li>
        <li>
          {t("delivery.verifyStart")} <code dir="ltr">["banner-delivery/1", campaign, target name, target role, snapshotAt]</code>
        </li>
        <li>
          {t("delivery.verifyChain")} <code dir="ltr">h_i = SHA-256(h_(i-1) ‖ UTF-8(JSON.stringify([name, country])))</code>
        </li>
        <li>
          {t("delivery.verifyScript")} <code dir="ltr">npx tsx scripts/verify-delivery.ts list.csv manifest.json {bundle.finalHash}</code>
        </li>
      </ol>
      <h2>{t("delivery.manifest")}</h2>
      <pre dir="ltr" style={{ overflowX: "auto" }}>
        {JSON.stringify(bundle.manifest, null, 2)}
      </pre>
      <p>
        <Link to={href(`/campaigns/${bundle.slug}`)}>{bundle.title}</Link>
      </p>
    </article>
  );
}
