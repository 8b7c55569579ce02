import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { FormAlert } from "~/components/ui/form-field";
import { useTranslation } from "~/i18n/use-translation";
import type { MessageKey } from "~/i18n/i18n";
import { requireUser } from "~/modules/accounts/session-cookie.server";
import { reviewSchema } from "~/modules/campaigns/lifecycle.schema";
import { listReviewQueue, reviewCampaign } from "~/modules/campaigns/manage-campaigns.server";
import { getDb } from "~/services.server";
import { adminAnswer, throwPageError } from "~/utils/error-answers.server";
import { AppError, isAppError } from "~/utils/errors.server";
import { readForm } from "~/utils/forms.server";

export const meta: MetaFunction = () => [{ title: "Review queue · Banner" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  try {
    const queue = await listReviewQueue(getDb(), user);
    return data({ queue: queue.map((c) => ({ ...c, submitted_at: c.submitted_at?.toISOString() ?? null })) }, { headers: { "Cache-Control": "no-store" } });
  } catch (error) {
    throwPageError(error);
  }
}

type ActionData = { alert?: MessageKey; campaignId?: number };

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const form = await readForm(request);
  const id = z.coerce.number().int().positive().safeParse(form.get("campaignId"));
  const decision = reviewSchema.safeParse({ decision: form.get("decision"), note: form.get("note") ?? undefined });
  if (!id.success || !decision.success) return data<ActionData>({ alert: "errorPage.body" }, { status: 400 });
  try {
    await reviewCampaign(getDb(), user, id.data, decision.data);
    return data<ActionData>({});
  } catch (error) {
    // A campaign gone from the queue reads as one no longer waiting for review.
    const { alert, status } = adminAnswer(isAppError(error, "NOT_FOUND") ? new AppError("CAMPAIGN_WRONG_STATE") : error);
    return data<ActionData>({ alert, campaignId: id.data }, { status });
  }
}

export default function ReviewQueue() {
  const { queue } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const { t } = useTranslation();
  return (
    <div className="stack-page">
      <h1>{t("admin.reviewTitle")}</h1>
      <FormAlert message={result?.alert ? t(result.alert) : undefined} />
      {queue.length === 0 ? <p className="notice">{t("admin.reviewEmpty")}</p> : null}
      {queue.map((c) => (
        <article key={c.id} className="panel">
          <h2>{c.title}</h2>
          <p className="muted">
            {c.organisation} · <span dir="ltr">/campaigns/{c.slug}</span>
          </p>
          <p>{c.summary}</p>
          <p className="ask">{c.ask}</p>
          <div className="inline-form">
            <Form method="post">
              <input type="hidden" name="campaignId" value={c.id} />
              <input type="hidden" name="decision" value="publish" />
              <button type="submit" className="button">
                {t("admin.publish")}
              </button>
            </Form>
          </div>
          <Form method="post" className="stack">
            <input type="hidden" name="campaignId" value={c.id} />
            <input type="hidden" name="decision" value="reject" />
            <div className="field">
              <label htmlFor={`note-${c.id}`}>{t("admin.rejectReason")}</label>
              <textarea id={`note-${c.id}`} name="note" required maxLength={2000} />
            </div>
            <button type="submit" className="button secondary">
              {t("admin.reject")}
            </button>
          </Form>
        </article>
      ))}
    </div>
  );
}
