import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { CampaignForm, type CampaignFormValues } from "~/components/campaign-form";
import { Sparkline } from "~/components/sparkline";
import { FormAlert } from "~/components/ui/form-field";
import { useTranslation } from "~/i18n/use-translation";
import type { MessageKey } from "~/i18n/i18n";
import { requireUser } from "~/modules/accounts/session-cookie.server";
import { parseCampaignForm, previewCampaignForm, wantsPreview } from "~/modules/campaigns/campaign-form.server";
import { getCampaignNumbers } from "~/modules/campaigns/list-my-campaigns.server";
import { getCampaignForEditing, submitForReview, updateCampaign } from "~/modules/campaigns/manage-campaigns.server";
import { listCampaignUpdates } from "~/modules/updates/updates.server";
import { getDb } from "~/services.server";
import { routeId } from "~/utils/http.server";
import { formAnswer, throwPageError } from "~/utils/error-answers.server";
import { EDITABLE_CAMPAIGN_STATUSES, isIn, PUBLIC_CAMPAIGN_STATUSES } from "~/db/states";
import { readForm } from "~/utils/forms.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.campaign.title ?? "Campaign"} · Banner` }];


export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  try {
    const { campaign, targets, organisation, signed } = await getCampaignForEditing(getDb(), user, routeId(params.id));
    const [updates, numbers] = await Promise.all([
      campaign.organisation_id === null ? [] : listCampaignUpdates(getDb(), user, campaign.id).catch(() => []),
      getCampaignNumbers(getDb(), campaign.id),
    ]);
    return data(
      {
        numbers,
        closed: new URL(request.url).searchParams.get("closed") === "1" && campaign.status === "closed",
        updates: updates.map((u) => ({ id: u.id, subject: u.subject, status: u.status })),
        campaign: {
          id: campaign.id,
          status: campaign.status,
          title: campaign.title,
          slug: campaign.slug,
          reviewNote: campaign.review_note,
          goal: campaign.goal,
        },
        values: {
          slug: campaign.slug,
          title: campaign.title,
          summary: campaign.summary,
          ask: campaign.ask,
          addressedTo: campaign.addressed_to,
          argumentMd: campaign.argument_md,
          goal: campaign.goal,
          deadline: campaign.deadline_at ? campaign.deadline_at.toISOString().slice(0, 10) : "",
          targets,
        } satisfies CampaignFormValues,
        organisation: organisation ?? null,
        signedVersion: signed ? campaign.ask_version : null,
      },
      { headers: { "Cache-Control": "no-store" } },
    );
  } catch (error) {
    throwPageError(error);
  }
}

type ActionData = { errors?: Record<string, MessageKey>; values?: CampaignFormValues; alert?: MessageKey; saved?: boolean; preview?: string };

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const id = routeId(params.id);
  const form = await readForm(request, 128 * 1024);
  const db = getDb();
  if (wantsPreview(form)) {
    await getCampaignForEditing(db, user, id).catch(throwPageError);
    const shown = previewCampaignForm(form);
    return data<ActionData>({ values: shown.values as CampaignFormValues, errors: shown.errors, preview: shown.preview });
  }
  try {
    switch (form.get("intent")) {
      case "save": {
        const parsed = parseCampaignForm(form);
        if (!parsed.ok) return data<ActionData>({ errors: parsed.errors, values: parsed.values as CampaignFormValues }, { status: 400 });
        await updateCampaign(db, user, id, parsed.data);
        return data<ActionData>({ saved: true });
      }
      case "submit":
        await submitForReview(db, user, id);
        return data<ActionData>({});
      default:
        return data<ActionData>({ alert: "errorPage.body" }, { status: 400 });
    }
  } catch (error) {
    const { message, status } = formAnswer(error);
    return data<ActionData>({ alert: message }, { status });
  }
}

/** The campaign's other pages, linked under "more tools": the path below the campaign's, and its label. */
const CAMPAIGN_TOOLS = [
  ["translations", "translations.title"],
  ["preview", "preview.link"],
  ["image", "hero.link"],
  ["partners", "partners.link"],
  ["responses", "responses.link"],
  ["comments", "comments.link"],
  ["exports", "exports.open"],
  ["stats", "stats.link"],
  ["embed", "embedAdmin.link"],
] as const satisfies readonly (readonly [string, MessageKey])[];

export default function EditCampaign() {
  const { campaign, values, organisation, signedVersion, updates, numbers, closed } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const { t, n, percent } = useTranslation();
  const editable = isIn(EDITABLE_CAMPAIGN_STATUSES, campaign.status);
  const live = isIn(PUBLIC_CAMPAIGN_STATUSES, campaign.status);
  const base = `/dashboard/campaigns/${campaign.id}`;
  return (
    <div className="stack-page organiser-campaign">
      {organisation ? (
        <p>
          <Link to={`/dashboard/orgs/${organisation.slug}`}>{organisation.name}</Link>
        </p>
      ) : null}
      <h1>{campaign.title}</h1>
      <p>
        {t("campaigns.status")}: <strong data-testid="campaign-status">{t(`campaigns.status.${campaign.status}` as MessageKey)}</strong>
        {live ? (
          <>
            {" · "}
            <Link to={`/campaigns/${campaign.slug}`}>{t("campaigns.view")}</Link>
          </>
        ) : null}
      </p>
      {campaign.reviewNote && campaign.status === "draft" ? (
        <div className="notice">
          <strong>{t("campaigns.reviewNote")}:</strong> <span className="bidi">{campaign.reviewNote}</span>
        </div>
      ) : null}
      <FormAlert message={result?.alert ? t(result.alert) : undefined} />
      {result?.saved ? (
        <p className="notice" role="status">
          {t("campaigns.saved")}
        </p>
      ) : null}
      {closed ? (
        <p className="notice" role="status">
          {t("campaignPage.closedNotice")}
        </p>
      ) : null}

      <section aria-labelledby="numbers-title">
        <h2 id="numbers-title" className="visually-hidden">
          {t("campaignPage.numbers")}
        </h2>
        <dl className="stat-tiles" data-testid="campaign-numbers">
          <div className="stat-tile stat-main">
            <dt>{t("dashboard.campaigns.confirmed")}</dt>
            <dd data-testid="numbers-confirmed">{n(numbers.confirmed)}</dd>
            <dd className="muted">{t("campaignPage.ofGoal", { percent: percent(numbers.confirmed / campaign.goal), goal: n(campaign.goal) })}</dd>
          </div>
          <div className="stat-tile">
            <dt>{t("dashboard.campaigns.pending")}</dt>
            <dd data-testid="numbers-pending">{n(numbers.pending)}</dd>
          </div>
          <div className="stat-tile">
            <dt>{t("dashboard.campaigns.today")}</dt>
            <dd data-testid="numbers-today">{n(numbers.today)}</dd>
          </div>
          <div className="stat-tile">
            <dt>{t("dashboard.campaigns.trend")}</dt>
            <dd>
              <Sparkline values={numbers.trend} label={t("dashboard.campaigns.trendLabel", { days: numbers.trend.map(n).join(", ") })} scale={2} />
            </dd>
          </div>
        </dl>
        <p>
          <Link to={`${base}/stats`}>{t("stats.link")}</Link>
        </p>
      </section>

      <section className="panel" aria-labelledby="next-title">
        <h2 id="next-title">{t("campaignPage.next")}</h2>
        <ul className="next-steps">
          {campaign.status === "draft" ? (
            <>
              <li>
                <Form method="post">
                  <input type="hidden" name="intent" value="submit" />
                  <button type="submit" className="button">
                    {t("campaigns.submit")}
                  </button>
                </Form>
                <p className="muted">{t("campaignPage.submitHint")}</p>
              </li>
              <li>
                <Link className="button secondary" to={`${base}/preview`}>
                  {t("preview.link")}
                </Link>
              </li>
            </>
          ) : null}
          {campaign.status === "in_review" ? <li className="muted">{t("campaignPage.inReview")}</li> : null}
          {campaign.status === "published" ? (
            <>
              <li>
                <Link className="button" to={`${base}/updates/new`}>
                  {t("updates.new")}
                </Link>
                <p className="muted">{t("campaignPage.updateHint")}</p>
              </li>
              <li>
                <strong>{t("campaignPage.share")}</strong>
                <ul className="campaign-tools">
                  <li>
                    <Link to={`/campaigns/${campaign.slug}`}>{t("campaigns.view")}</Link>
                  </li>
                  <li>
                    <Link to={`/campaigns/${campaign.slug}/qr`}>{t("campaignPage.qr")}</Link>
                  </li>
                  <li>
                    <Link to={`${base}/embed`}>{t("embedAdmin.link")}</Link>
                  </li>
                  <li>
                    <Link to={`${base}/partners`}>{t("partners.link")}</Link>
                  </li>
                </ul>
              </li>
            </>
          ) : null}
          {live ? (
            <li>
              <Link className="button secondary" to={`${base}/exports`}>
                {t("exports.open")}
              </Link>
            </li>
          ) : null}
        </ul>
      </section>

      {live ? (
        <section className="panel">
          <h2>{t("updates.title")}</h2>
          {updates.length === 0 ? <p className="muted">{t("campaignPage.noUpdates")}</p> : null}
          <ul className="signers">
            {updates.map((u) => (
              <li key={u.id}>
                <Link to={`/dashboard/updates/${u.id}`}>{u.subject}</Link>
                <span className="muted">{t(`updates.status.${u.status}` as MessageKey)}</span>
              </li>
            ))}
          </ul>
          {campaign.status === "closed" ? (
            <p>
              <Link to={`${base}/updates/new`}>{t("updates.new")}</Link>
            </p>
          ) : null}
        </section>
      ) : null}

      <section className="panel" aria-labelledby="tools-title">
        <h2 id="tools-title">{t("campaignPage.moreTools")}</h2>
        <ul className="campaign-tools">
          {CAMPAIGN_TOOLS.map(([path, label]) => (
            <li key={path}>
              <Link to={`${base}/${path}`}>{t(label)}</Link>
            </li>
          ))}
        </ul>
      </section>

      {editable ? (
        <section className="panel">
          <h2>{t("campaigns.edit")}</h2>
          <CampaignForm
            values={result?.values ?? values}
            errors={result?.errors}
            preview={result?.preview ?? null}
            signedVersion={signedVersion}
            submitLabel={t("campaigns.save")}
          />
        </section>
      ) : null}

      {campaign.status === "published" ? (
        <section className="danger-zone" aria-labelledby="danger-title">
          <h2 id="danger-title">{t("campaignPage.closeTitle")}</h2>
          <p className="muted">{t("campaignPage.closeHint")}</p>
          <p>
            <Link to={`${base}/close`} className="quiet-danger">
              {t("campaignPage.closeLink")}
            </Link>
          </p>
        </section>
      ) : null}
    </div>
  );
}
