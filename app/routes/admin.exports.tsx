import { data, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { DataTable } from "~/components/ui/data-table";
import type { MessageKey } from "~/i18n/i18n";
import { useTranslation } from "~/i18n/use-translation";
import { requireUser } from "~/modules/accounts/session-cookie.server";
import { listCampaignsForExport } from "~/modules/exports/export-overview.server";
import { getDb } from "~/services.server";
import { throwPageError } from "~/utils/error-answers.server";

export const meta: MetaFunction = () => [{ title: "Exports · Banner" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const campaigns = await listCampaignsForExport(getDb(), user).catch(throwPageError);
  return data({ campaigns }, { headers: { "Cache-Control": "no-store" } });
}

/** Every campaign with direct links to its counts and to its full exports page. */
export default function AdminExports() {
  const { campaigns } = useLoaderData<typeof loader>();
  const { t, n } = useTranslation();
  return (
    <div className="stack-page">
      <h1>{t("admin.exports.title")}</h1>
      <p className="muted">{t("admin.exports.intro")}</p>
      <DataTable columns={[t("admin.exports.campaign"), t("campaigns.status"), t("admin.exports.count"), t("admin.exports.actions")]} rowCount={campaigns.length}>
        {campaigns.map((c) => (
          <tr key={c.id} data-campaign={c.slug}>
            <td>
              <span className="bidi">{c.title}</span>
              {c.organisation ? (
                <>
                  <br />
                  <span className="muted bidi">{c.organisation}</span>
                </>
              ) : null}
            </td>
            <td>{t(`campaigns.status.${c.status}` as MessageKey)}</td>
            <td>{n(c.confirmed ?? 0)}</td>
            <td className="inline-form">
              <a href={`/dashboard/campaigns/${c.id}/exports/counts?by=country&format=csv`} download>
                {t("admin.exports.countsCsv")}
              </a>
              <a href={`/dashboard/campaigns/${c.id}/exports/counts?by=country&format=json`} download>
                {t("admin.exports.countsJson")}
              </a>
              <Link to={`/dashboard/campaigns/${c.id}/exports`}>{t("admin.exports.more")}</Link>
            </td>
          </tr>
        ))}
      </DataTable>
    </div>
  );
}
