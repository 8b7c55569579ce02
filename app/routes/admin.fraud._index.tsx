import { data, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { DataTable } from "~/components/ui/data-table";
import { translator } from "~/i18n/i18n";
import { rootLocale } from "~/i18n/meta";
import { useTranslation } from "~/i18n/use-translation";
import { requireUser } from "~/modules/accounts/session-cookie.server";
import { listFraudCampaigns } from "~/modules/fraud/trends.server";
import { getDb } from "~/services.server";
import { throwPageError } from "~/utils/error-answers.server";

export const meta: MetaFunction = ({ matches }) => [{ title: `${translator(rootLocale(matches))("fraud.title")} · Banner` }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const campaigns = await listFraudCampaigns(getDb(), user).catch(throwPageError);
  return data({ campaigns }, { headers: { "Cache-Control": "no-store" } });
}

export default function FraudCampaigns() {
  const { campaigns } = useLoaderData<typeof loader>();
  const { t, n } = useTranslation();
  return (
    <div className="stack-page">
      <h1>{t("fraud.title")}</h1>
      <p className="muted">{t("fraud.intro")}</p>
      <DataTable columns={[t("fraud.campaign"), t("campaigns.status"), t("fraud.lastDay")]} rowCount={campaigns.length} empty={t("fraud.noCampaigns")}>
        {campaigns.map((c) => (
          <tr key={c.id}>
            <td>
              <Link to={`/admin/fraud/${c.id}`}>{c.title}</Link>
            </td>
            <td>{t(`campaigns.status.${c.status}`)}</td>
            <td>{n(c.lastDay)}</td>
          </tr>
        ))}
      </DataTable>
    </div>
  );
}
