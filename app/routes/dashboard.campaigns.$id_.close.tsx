import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { FormAlert } from "~/components/ui/form-field";
import type { MessageKey } from "~/i18n/i18n";
import { useTranslation } from "~/i18n/use-translation";
import { requireUser } from "~/modules/accounts/session-cookie.server";
import { requireCampaignOrganiser } from "~/modules/access/guards.server";
import { closeCampaign } from "~/modules/campaigns/manage-campaigns.server";
import { getDb } from "~/services.server";
import { isAppError } from "~/utils/errors.server";
import { parseForm, readForm } from "~/utils/forms.server";
import { formAnswer, throwPageError } from "~/utils/error-answers.server";
import { NO_STORE, routeId } from "~/utils/http.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.campaign.title ?? "Campaign"} · Banner` }];

/**
 * Closing is final, so it is a page of its own: it says what closing does, and the POST closes
 * only with the box ticked. A stray click on the campaign page cannot end a campaign.
 */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const campaign = await requireCampaignOrganiser(getDb(), user, routeId(params.id), { allowAdmin: true }).catch(throwPageError);
  return data({ campaign: { id: campaign.id, title: campaign.title, status: campaign.status } }, { headers: { "Cache-Control": NO_STORE } });
}

const closeSchema = z.object({ confirm: z.literal("yes", { error: "close.confirmRequired" }) });

type ActionData = { error?: MessageKey; alert?: MessageKey };

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const id = routeId(params.id);
  const parsed = parseForm(closeSchema, await readForm(request), ["confirm"]);
  if (!parsed.ok) return data<ActionData>({ error: "close.confirmRequired" }, { status: 400 });
  try {
    await closeCampaign(getDb(), user, id);
  } catch (error) {
    if (isAppError(error, "CAMPAIGN_WRONG_STATE")) {
      const { message, status } = formAnswer(error, { CAMPAIGN_WRONG_STATE: "close.notOpen" });
      return data<ActionData>({ alert: message }, { status });
    }
    throwPageError(error);
  }
  return redirect(`/dashboard/campaigns/${id}?closed=1`, { status: 303 });
}

export default function CloseCampaign() {
  const { campaign } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const { t } = useTranslation();
  const back = `/dashboard/campaigns/${campaign.id}`;
  return (
    <div className="stack-page">
      <p>
        <Link to={back}>{t("stats.back")}</Link>
      </p>
      <h1>{t("close.title", { title: campaign.title })}</h1>
      <FormAlert message={result?.alert ? t(result.alert) : undefined} />
      {campaign.status !== "published" ? (
        <p className="notice">{t("close.notOpen")}</p>
      ) : (
        <section className="panel stack">
          <p>{t("close.body")}</p>
          <Form method="post" className="stack">
            <div className="field">
              <div className="check">
                <input
                  id="close-confirm"
                  type="checkbox"
                  name="confirm"
                  value="yes"
                  required
                  aria-invalid={result?.error ? true : undefined}
                  aria-describedby={result?.error ? "close-confirm-error" : undefined}
                />
                <label htmlFor="close-confirm">{t("close.confirm")}</label>
              </div>
              {result?.error ? (
                <span className="field-error" id="close-confirm-error">
                  {t(result.error)}
                </span>
              ) : null}
            </div>
            <div className="inline-form">
              <button type="submit" className="button danger">
                {t("campaigns.close")}
              </button>
              <Link to={back}>{t("close.keep")}</Link>
            </div>
          </Form>
        </section>
      )}
    </div>
  );
}
