import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { PartnershipList } from "~/components/partnership-list";
import { useTranslation } from "~/i18n/use-translation";
import type { MessageKey } from "~/i18n/i18n";
import { requireUser } from "~/modules/accounts/session-cookie.server";
import { listMyCampaigns, TREND_DAYS } from "~/modules/campaigns/list-my-campaigns.server";
import { listMyOrganisations } from "~/modules/organisations/organisations.server";
import { partnerDecisionSchema, partnerShareLink } from "~/modules/partners/partners.schema";
import { answerPartnerInvitation, listMyPartnerships } from "~/modules/partners/partners.server";
import { getDb } from "~/services.server";
import { env } from "~/utils/env.server";
import { throwPageError } from "~/utils/error-answers.server";
import { readForm } from "~/utils/forms.server";
import { Sparkline } from "~/components/sparkline";

export const meta: MetaFunction = () => [{ title: "Dashboard · Banner" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const [organisations, partnerships, campaigns] = await Promise.all([
    listMyOrganisations(getDb(), user),
    listMyPartnerships(getDb(), user),
    listMyCampaigns(getDb(), user),
  ]);
  const appUrl = env().APP_URL;
  return data(
    {
      organisations,
      campaigns,
      trendDays: TREND_DAYS,
      partnerships: partnerships.map(({ share_code, ...p }) => ({
        ...p,
        shareLink: p.status === "accepted" ? partnerShareLink(appUrl, p.campaignSlug, share_code) : null,
      })),
    },
    { headers: { "Cache-Control": "no-store" } },
  );
}

/** Owners of an invited organisation accept or decline a partnership here. */
export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const form = await readForm(request);
  const parsed = partnerDecisionSchema.safeParse({ partnerId: form.get("partnerId"), decision: form.get("decision") });
  if (!parsed.success) throw data(null, { status: 400 });
  try {
    await answerPartnerInvitation(getDb(), user, parsed.data.partnerId, parsed.data.decision);
  } catch (error) {
    throwPageError(error);
  }
  return data({ answered: parsed.data.decision });
}

export default function Dashboard() {
  const { organisations, partnerships, campaigns } = useLoaderData<typeof loader>();
  const { t, n } = useTranslation();
  return (
    <>
      <h1>{t("dashboard.campaigns.title")}</h1>
      {campaigns.length === 0 ? (
        <p className="notice">{t("dashboard.campaigns.none")}</p>
      ) : (
        <div className="table-scroll">
          <table className="dashboard-campaigns" data-testid="my-campaigns">
            <thead>
              <tr>
                <th scope="col">{t("dashboard.campaigns.campaign")}</th>
                <th scope="col">{t("campaigns.status")}</th>
                <th scope="col" className="num">{t("dashboard.campaigns.confirmed")}</th>
                <th scope="col" className="num">{t("dashboard.campaigns.pending")}</th>
                <th scope="col" className="num">{t("dashboard.campaigns.today")}</th>
                <th scope="col">{t("dashboard.campaigns.trend")}</th>
              </tr>
            </thead>
            <tbody>
              {campaigns.map((c) => (
                <tr key={c.id} data-campaign={c.slug}>
                  <th scope="row">
                    <Link to={`/dashboard/campaigns/${c.id}`}>{c.title}</Link>
                    <br />
                    <span className="muted small">{c.organisationName}</span>
                  </th>
                  <td data-label={t("campaigns.status")}>{t(`campaigns.status.${c.status}` as MessageKey)}</td>
                  <td className="num" data-testid="confirmed" data-label={t("dashboard.campaigns.confirmed")}>{n(c.confirmed)}</td>
                  <td className="num" data-testid="pending" data-label={t("dashboard.campaigns.pending")}>{n(c.pending)}</td>
                  <td className="num" data-testid="today" data-label={t("dashboard.campaigns.today")}>{n(c.today)}</td>
                  <td data-label={t("dashboard.campaigns.trend")}>
                    <Sparkline values={c.trend} label={t("dashboard.campaigns.trendLabel", { days: c.trend.map(n).join(", ") })} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h2>{t("org.listTitle")}</h2>
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
      <PartnershipList partnerships={partnerships} />
    </>
  );
}
