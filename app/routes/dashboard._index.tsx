import { data, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "~/i18n/use-translation";
import { requireUser } from "~/modules/accounts/session-cookie.server";
import { listMyOrganisations } from "~/modules/organisations/organisations.server";
import { getDb } from "~/services.server";

export const meta: MetaFunction = () => [{ title: "Dashboard · Banner" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const organisations = await listMyOrganisations(getDb(), user);
  return data({ organisations }, { headers: { "Cache-Control": "no-store" } });
}

export default function Dashboard() {
  const { organisations } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  return (
    <>
      <h1>{t("org.listTitle")}</h1>
      {organisations.length === 0 ? <p className="notice">{t("org.none")}</p> : null}
      <ul className="campaign-list">
        {organisations.map((o) => (
          <li key={o.id}>
            <article className="card">
              <h2>
                <Link to={`/dashboard/orgs/${o.slug}`}>{o.name}</Link>
              </h2>
              <p className="muted">{t(o.role === "owner" ? "org.role.owner" : "org.role.organiser")}</p>
            </article>
          </li>
        ))}
      </ul>
      <p>
        <Link className="button" to="/dashboard/orgs/new">
          {t("org.createTitle")}
        </Link>
      </p>
    </>
  );
}
