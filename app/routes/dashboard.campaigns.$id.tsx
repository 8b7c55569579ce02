import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { CampaignForm, type CampaignFormValues } from "~/components/campaign-form";
import { FormAlert } from "~/components/ui/form-field";
import { EDITABLE_CAMPAIGN_STATUSES, isIn, PUBLIC_CAMPAIGN_STATUSES } from "~/db/states";
import { useTranslation } from "~/i18n/use-translation";
import type { MessageKey } from "~/i18n/i18n";
import { requireUser } from "~/modules/accounts/session-cookie.server";
import { parseCampaignForm } from "~/modules/campaigns/campaign-form.server";
import { closeCampaign, getCampaignForEditing, submitForReview, updateCampaign } from "~/modules/campaigns/manage-campaigns.server";
import { listCampaignUpdates } from "~/modules/updates/updates.server";
import { getDb } from "~/services.server";
import { routeId } from "~/utils/http.server";
import { formAnswer } from "~/utils/error-answers.server";
import { isAppError } from "~/utils/errors.server";
import { readForm } from "~/utils/forms.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.campaign.title ?? "Campaign"} · Banner` }];


export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  try {
    const { campaign, targets, organisation, signed } = await getCampaignForEditing(getDb(), user, routeId(params.id));
    const updates = campaign.organisation_id === null ? [] : await listCampaignUpdates(getDb(), user, campaign.id).catch(() => []);
    return data(
      {
        updates: updates.map((u) => ({ id: u.id, subject: u.subject, status: u.status })),
        campaign: {
          id: campaign.id,
          status: campaign.status,
          title: campaign.title,
          slug: campaign.slug,
          reviewNote: campaign.review_note,
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
    if (isAppError(error, "NOT_FOUND")) throw data(null, { status: 404 });
    throw error;
  }
}

type ActionData = { errors?: Record<string, MessageKey>; values?: CampaignFormValues; alert?: MessageKey; saved?: boolean };

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const id = routeId(params.id);
  const form = await readForm(request, 64 * 1024);
  const db = getDb();
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
      case "close":
        await closeCampaign(db, user, id);
        return data<ActionData>({});
      default:
        return data<ActionData>({ alert: "errorPage.body" }, { status: 400 });
    }
  } catch (error) {
    const { message, status } = formAnswer(error);
    return data<ActionData>({ alert: message }, { status });
  }
}

export default function EditCampaign() {
  const { campaign, values, organisation, signedVersion, updates } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const { t } = useTranslation();
  const editable = isIn(EDITABLE_CAMPAIGN_STATUSES, campaign.status);
  return (
    <div className="stack-page">
      {organisation ? (
        <p>
          <Link to={`/dashboard/orgs/${organisation.slug}`}>{organisation.name}</Link>
        </p>
      ) : null}
      <h1>{campaign.title}</h1>
      <p><Link to={`/dashboard/campaigns/${campaign.id}/translations`}>{t("translations.title")}</Link></p>
      <p><Link to={`/dashboard/campaigns/${campaign.id}/preview`}>{t("preview.link")}</Link></p>
      <p>
        {t("campaigns.status")}: <strong data-testid="campaign-status">{t(`campaigns.status.${campaign.status}` as MessageKey)}</strong>
        {isIn(PUBLIC_CAMPAIGN_STATUSES, campaign.status) ? (
          <>
            {" · "}
            <Link to={`/campaigns/${campaign.slug}`}>{t("campaigns.view")}</Link>
          </>
        ) : null}
      </p>
      <ul className="campaign-tools">
        <li>
          <Link to={`/dashboard/campaigns/${campaign.id}/partners`}>{t("partners.link")}</Link>
        </li>
        <li>
          <Link to={`/dashboard/campaigns/${campaign.id}/responses`}>{t("responses.link")}</Link>
        </li>
        <li>
          <Link to={`/dashboard/campaigns/${campaign.id}/comments`}>{t("comments.link")}</Link>
        </li>
        <li>
          <Link to={`/dashboard/campaigns/${campaign.id}/exports`}>{t("exports.open")}</Link>
        </li>
        <li>
          <Link to={`/dashboard/campaigns/${campaign.id}/stats`}>{t("stats.link")}</Link>
        </li>
        <li>
          <Link to={`/dashboard/campaigns/${campaign.id}/image`}>{t("hero.link")}</Link>
        </li>
        <li>
          <Link to={`/dashboard/campaigns/${campaign.id}/embed`}>{t("embedAdmin.link")}</Link>
        </li>
      </ul>
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
      <div className="inline-form">
        {campaign.status === "draft" ? (
          <Form method="post">
            <input type="hidden" name="intent" value="submit" />
            <button type="submit" className="button">
              {t("campaigns.submit")}
            </button>
          </Form>
        ) : null}
        {campaign.status === "published" ? (
          <Form method="post">
            <input type="hidden" name="intent" value="close" />
            <button type="submit" className="button danger">
              {t("campaigns.close")}
            </button>
          </Form>
        ) : null}
      </div>
      {isIn(PUBLIC_CAMPAIGN_STATUSES, campaign.status) ? (
        <section className="panel">
          <h2>{t("updates.title")}</h2>
          <ul className="signers">
            {updates.map((u) => (
              <li key={u.id}>
                <Link to={`/dashboard/updates/${u.id}`}>{u.subject}</Link>
                <span className="muted">{t(`updates.status.${u.status}` as MessageKey)}</span>
              </li>
            ))}
          </ul>
          <p>
            <Link className="button secondary" to={`/dashboard/campaigns/${campaign.id}/updates/new`}>
              {t("updates.new")}
            </Link>
          </p>
        </section>
      ) : null}
      {editable ? (
        <section className="panel">
          <h2>{t("campaigns.edit")}</h2>
          <CampaignForm values={result?.values ?? values} errors={result?.errors} signedVersion={signedVersion} submitLabel={t("campaigns.save")} />
        </section>
      ) : null}
    </div>
  );
}
