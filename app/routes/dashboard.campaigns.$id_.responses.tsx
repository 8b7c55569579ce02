import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { FormField } from "~/components/ui/form-field";
import { formatDate } from "~/i18n/i18n";
import { useTranslation } from "~/i18n/use-translation";
import { requireUser } from "~/modules/accounts/session-cookie.server";
import { targetResponseSchema } from "~/modules/campaigns/target-responses.schema";
import { listTargetResponses, recordTargetResponse } from "~/modules/campaigns/target-responses.server";
import { getDb } from "~/services.server";
import { throwPageError } from "~/utils/error-answers.server";
import { parseForm, readForm, type FieldErrors } from "~/utils/forms.server";
import { routeId } from "~/utils/http.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.campaign.title ?? "Responses"} · Banner` }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  try {
    const { campaign, targets } = await listTargetResponses(getDb(), user, routeId(params.id));
    return data({ campaign: { id: campaign.id, title: campaign.title }, targets }, { headers: { "Cache-Control": "no-store" } });
  } catch (error) {
    throwPageError(error);
  }
}

type ActionData = { targetId?: string; errors?: FieldErrors; values?: Record<string, string>; saved?: boolean };

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const campaignId = routeId(params.id);
  const form = await readForm(request, 32 * 1024);
  const parsed = parseForm(targetResponseSchema, form, ["targetId", "respondedOn", "summary", "link"]);
  const targetId = String(form.get("targetId") ?? "");
  if (!parsed.ok) return data<ActionData>({ targetId, errors: parsed.errors, values: parsed.values }, { status: 400 });
  try {
    await recordTargetResponse(getDb(), user, campaignId, parsed.data);
  } catch (error) {
    // Another organisation's campaign, or a target of another campaign: both do not exist here.
    throwPageError(error);
  }
  return data<ActionData>({ targetId, saved: true });
}

export default function TargetResponses() {
  const { campaign, targets } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const { t, locale } = useTranslation();
  return (
    <div className="stack-page">
      <p>
        <Link to={`/dashboard/campaigns/${campaign.id}`}>{campaign.title}</Link>
      </p>
      <h1>{t("responses.title")}</h1>
      {targets.length === 0 ? <p className="muted">{t("responses.none")}</p> : null}
      {targets.map((target) => {
        const mine = result?.targetId === String(target.id);
        const errors = mine ? result?.errors : undefined;
        const values = mine && result?.values ? result.values : undefined;
        const field = (name: string) => `${name}-${target.id}`;
        return (
          <section key={target.id} className="panel stack-tight" aria-labelledby={`target-${target.id}`}>
            <h2 id={`target-${target.id}`} className="bidi">
              {target.name}
              {target.role ? <span className="muted"> · {target.role}</span> : null}
            </h2>
            <p>
              {target.response
                ? t("campaign.respondedOn", { date: formatDate(locale, `${target.response.respondedOn}T12:00:00Z`) })
                : t("campaign.notYetResponded")}
            </p>
            {mine && result?.saved ? (
              <p className="notice" role="status">
                {t("responses.saved")}
              </p>
            ) : null}
            <Form method="post" className="stack">
              <input type="hidden" name="targetId" value={target.id} />
              <FormField
                name="respondedOn"
                id={`f-${field("respondedOn")}`}
                label={t("responses.date")}
                type="date"
                required
                defaultValue={values?.respondedOn ?? target.response?.respondedOn}
                error={errors?.respondedOn}
              />
              <div className="field">
                <label htmlFor={`f-${field("summary")}`}>{t("responses.summary")}</label>
                <textarea
                  id={`f-${field("summary")}`}
                  name="summary"
                  required
                  maxLength={2000}
                  defaultValue={values?.summary ?? target.response?.summary}
                  aria-invalid={errors?.summary ? true : undefined}
                  aria-describedby={errors?.summary ? `f-${field("summary")}-error` : undefined}
                />
                {errors?.summary ? (
                  <span className="field-error" id={`f-${field("summary")}-error`}>
                    {t(errors.summary)}
                  </span>
                ) : null}
              </div>
              <FormField
                name="link"
                id={`f-${field("link")}`}
                label={t("responses.url")}
                type="url"
                dir="ltr"
                maxLength={2000}
                defaultValue={values?.link ?? target.response?.link ?? ""}
                error={errors?.link}
              />
              <button type="submit" className="button">
                {t("responses.save")}
              </button>
            </Form>
          </section>
        );
      })}
    </div>
  );
}
