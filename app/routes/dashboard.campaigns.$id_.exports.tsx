import { data, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { formatDateTime, type MessageKey } from "~/i18n/i18n";
import { useTranslation } from "~/i18n/use-translation";
import { requireUser } from "~/modules/accounts/session-cookie.server";
import { getExportOverview } from "~/modules/exports/export-overview.server";
import { COUNTS_BREAKDOWNS } from "~/modules/exports/exports.schema";
import { getDb } from "~/services.server";
import { throwPageError } from "~/utils/error-answers.server";
import { routeId } from "~/utils/http.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.campaign.title ?? "Exports"} · Banner` }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  try {
    const overview = await getExportOverview(getDb(), user, routeId(params.id));
    return data(
      {
        campaign: { id: overview.campaign.id, slug: overview.campaign.slug, title: overview.campaign.title, status: overview.campaign.status },
        everything: overview.everything,
        partners: overview.partners,
        targets: overview.targets,
        recent: overview.recent.map((e) => ({ ...e, at: e.at.toISOString() })),
        bundles: overview.bundles.map((b) => ({ ...b, created_at: b.created_at.toISOString() })),
      },
      { headers: { "Cache-Control": "no-store" } },
    );
  } catch (error) {
    throwPageError(error);
  }
}

function BomField({ id }: { id: string }) {
  const { t } = useTranslation();
  return (
    <label htmlFor={id} className="inline-form">
      <input type="checkbox" id={id} name="bom" value="1" /> {t("exports.bom")}
    </label>
  );
}

export default function CampaignExports() {
  const { campaign, everything, partners, targets, recent, bundles } = useLoaderData<typeof loader>();
  const { t, date, n, locale } = useTranslation();
  const base = `/dashboard/campaigns/${campaign.id}/exports`;
  // Plain HTML forms (not Remix's <Form>): the browser itself downloads the file or follows the redirect.
  return (
    <div className="stack-page">
      <p>
        <Link to={`/dashboard/campaigns/${campaign.id}`}>{campaign.title}</Link>
      </p>
      <h1>{t("exports.title")}</h1>

      {everything ? (
        <section className="panel stack" aria-labelledby="counts-title">
          <h2 id="counts-title">{t("exports.counts.title")}</h2>
          <p className="muted">{t("exports.counts.intro")}</p>
          <form method="get" action={`${base}/counts`} className="inline-form">
            <div className="field">
              <label htmlFor="counts-by">{t("exports.counts.by")}</label>
              <select id="counts-by" name="by" defaultValue="country">
                {COUNTS_BREAKDOWNS.map((by) => (
                  <option key={by} value={by}>
                    {t(`exports.by.${by}` as MessageKey)}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor="counts-format">{t("exports.format")}</label>
              <select id="counts-format" name="format" defaultValue="csv">
                <option value="csv">CSV</option>
                <option value="json">JSON</option>
              </select>
            </div>
            <BomField id="counts-bom" />
            <button type="submit" className="button">
              {t("exports.download")}
            </button>
          </form>
        </section>
      ) : null}

      {everything ? (
        <section className="panel stack" aria-labelledby="signatures-title">
          <h2 id="signatures-title">{t("exports.signatures.title")}</h2>
          <p className="muted">{t("exports.signatures.intro")}</p>
          <form method="post" action={`${base}/signatures`} className="inline-form">
            <input type="hidden" name="scope" value="signatures" />
            <BomField id="signatures-bom" />
            <button type="submit" className="button">
              {t("exports.signatures.button")}
            </button>
          </form>
        </section>
      ) : null}

      {partners.length > 0 ? (
        <section className="panel stack" aria-labelledby="partners-title">
          <h2 id="partners-title">{t("exports.partner.title")}</h2>
          <p className="muted">{t("exports.partner.intro")}</p>
          {partners.map((p) => (
            <form key={p.id} method="post" action={`${base}/signatures`} className="inline-form">
              <input type="hidden" name="scope" value="partner" />
              <input type="hidden" name="partnerId" value={p.id} />
              <BomField id={`partner-bom-${p.id}`} />
              <button type="submit" className="button secondary">
                {t("exports.partner.button", { partner: p.name })}
              </button>
            </form>
          ))}
        </section>
      ) : null}

      {everything ? (
        <section className="panel stack" aria-labelledby="delivery-title">
          <h2 id="delivery-title">{t("exports.delivery.title")}</h2>
          <p className="muted">{t("exports.delivery.intro")}</p>
          {targets.length === 0 ? <p>{t("exports.delivery.noTargets")}</p> : null}
          {targets.map((target) => (
            <form key={target.id} method="post" action={`${base}/signatures`}>
              <input type="hidden" name="scope" value="delivery" />
              <input type="hidden" name="targetId" value={target.id} />
              <button type="submit" className="button secondary">
                {t("exports.delivery.button", { target: target.name })}
              </button>
            </form>
          ))}
          {bundles.length > 0 ? (
            <ul className="signers">
              {bundles.map((b) => (
                <li key={b.id}>
                  <Link to={`/campaigns/${campaign.slug}/deliveries/${b.id}`}>
                    <span className="bidi">{b.target_name}</span> · {date(b.created_at)}
                  </Link>
                  <span className="muted">{t("exports.rows", { count: b.row_count })}</span>
                </li>
              ))}
            </ul>
          ) : null}
        </section>
      ) : null}

      <section className="panel" aria-labelledby="recent-title">
        <h2 id="recent-title">{t("exports.recent")}</h2>
        {recent.length === 0 ? (
          <p>{t("exports.recent.none")}</p>
        ) : (
          <div className="table-scroll">
            <table data-testid="export-history">
              <thead>
                <tr>
                  <th scope="col">{t("exports.col.what")}</th>
                  <th scope="col">{t("exports.col.who")}</th>
                  <th scope="col">{t("exports.col.when")}</th>
                  <th scope="col">{t("exports.col.rows")}</th>
                  <th scope="col">{t("exports.col.file")}</th>
                </tr>
              </thead>
              <tbody>
                {recent.map((e) => (
                  <tr key={e.key}>
                    <td>
                      {t(`exports.kind.${e.what}` as MessageKey)}
                      {e.by ? ` (${t(`exports.by.${e.by}` as MessageKey)})` : null}
                    </td>
                    <td>
                      <span className="bidi" dir="ltr">
                        {e.who}
                      </span>
                    </td>
                    <td>{formatDateTime(locale, e.at)}</td>
                    <td>{e.rows === null ? "" : n(e.rows)}</td>
                    <td>
                      {e.exportId !== null ? (
                        <a href={`${base}/${e.exportId}`} download>
                          {t("exports.download")}
                        </a>
                      ) : (
                        <span className="muted">{t(`exports.state.${e.state}` as MessageKey)}</span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
