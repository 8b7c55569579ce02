import { data, type LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { DataTable } from "~/components/ui/data-table";
import { formatNumber } from "~/i18n/i18n";
import { useTranslation } from "~/i18n/use-translation";
import { ADMIN_HEADERS, requireAdminUser } from "~/modules/admin/admin-session.server";
import { listOrganisationsForAdmin } from "~/modules/admin/organisations.server";
import { getDb } from "~/services.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireAdminUser(request);
  const organisations = await listOrganisationsForAdmin(getDb(), user);
  return data({ organisations: organisations.map((o) => ({ ...o, created_at: o.created_at.toISOString() })) }, { headers: ADMIN_HEADERS });
}

export default function AdminOrganisations() {
  const { organisations } = useLoaderData<typeof loader>();
  const { t, locale } = useTranslation();
  return (
    <div className="stack-page">
      <h1>{t("adminConsole.orgs.title")}</h1>
      <DataTable columns={[t("adminConsole.orgs.name"), t("adminConsole.orgs.members"), t("adminConsole.orgs.campaigns")]} rowCount={organisations.length} empty={t("adminConsole.orgs.none")}>
        {organisations.map((o) => (
          <tr key={o.id} data-org={o.slug}>
            <td>
              <span className="bidi">{o.name}</span>
              <br />
              <span dir="ltr" className="small muted">
                {o.slug}
              </span>
            </td>
            <td data-testid="members">{formatNumber(locale, o.members)}</td>
            <td>
              {o.campaigns.length === 0 ? (
                <span className="muted">{t("adminConsole.orgs.noCampaigns")}</span>
              ) : (
                <ul className="stack-tight plain-list">
                  {o.campaigns.map((c) => (
                    <li key={c.id}>
                      <span className="bidi">{c.title}</span> <span className="muted small">({t(`campaigns.status.${c.status}`)})</span>
                    </li>
                  ))}
                </ul>
              )}
            </td>
          </tr>
        ))}
      </DataTable>
    </div>
  );
}
