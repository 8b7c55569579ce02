import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useRevalidator } from "@remix-run/react";
import { useEffect } from "react";
import { FormAlert } from "~/components/ui/form-field";
import { UpdateFields } from "~/components/update-fields";
import { useTranslation } from "~/i18n/use-translation";
import type { MessageKey } from "~/i18n/i18n";
import { requireUser } from "~/modules/accounts/session-cookie.server";
import { composeUpdateSchema } from "~/modules/updates/updates.schema";
import { editUpdate, getUpdateOverview, requestUpdateFanOut, sendTestUpdate } from "~/modules/updates/updates.server";
import { getDb } from "~/services.server";
import { routeId } from "~/utils/http.server";
import { formAnswer, throwPageError } from "~/utils/error-answers.server";
import { parseForm, readForm, type FieldErrors } from "~/utils/forms.server";
import { renderMarkdown } from "~/utils/markdown.server";

export const meta: MetaFunction = () => [{ title: "Update · Banner" }];


export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  try {
    const { update, campaign, progress, failures, audience } = await getUpdateOverview(getDb(), user, routeId(params.id));
    return data(
      {
        update: {
          id: update.id,
          status: update.status,
          subject: update.subject,
          bodyMd: update.body_md,
          countries: (update.countries ?? []).join(", "),
          publishedOnPage: update.published_on_page,
          html: renderMarkdown(update.body_md, { headingOffset: 1 }),
        },
        campaign: { id: campaign.id, title: campaign.title },
        progress,
        failures,
        audience,
      },
      { headers: { "Cache-Control": "no-store" } },
    );
  } catch (error) {
    throwPageError(error);
  }
}

type ActionData = { errors?: FieldErrors; values?: Record<string, string>; alert?: MessageKey; notice?: MessageKey; confirmSend?: number };

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const id = routeId(params.id);
  const form = await readForm(request, 128 * 1024);
  const db = getDb();
  try {
    switch (form.get("intent")) {
      case "save": {
        const parsed = parseForm(composeUpdateSchema, form, ["subject", "bodyMd", "countries", "publishOnPage"]);
        if (!parsed.ok) return data<ActionData>({ errors: parsed.errors, values: parsed.values }, { status: 400 });
        await editUpdate(db, user, id, parsed.data);
        return data<ActionData>({ notice: "campaigns.saved" });
      }
      case "test":
        await sendTestUpdate(db, user, id);
        return data<ActionData>({ notice: "updates.testQueued" });
      case "review-send": {
        // Sending cannot be undone: first ask once more, naming how many people will get it.
        const { audience } = await getUpdateOverview(db, user, id);
        return data<ActionData>({ confirmSend: audience });
      }
      case "send": {
        // The confirmation names a number; if the audience changed since, ask again with the new one.
        const { audience } = await getUpdateOverview(db, user, id);
        if (form.get("recipients") !== String(audience)) return data<ActionData>({ confirmSend: audience, alert: "updates.confirmSend.changed" }, { status: 409 });
        await requestUpdateFanOut(db, user, id);
        return data<ActionData>({});
      }
      default:
        return data<ActionData>({ alert: "errorPage.body" }, { status: 400 });
    }
  } catch (error) {
    const { message, status } = formAnswer(error);
    return data<ActionData>({ alert: message }, { status });
  }
}

export default function UpdatePage() {
  const { update, campaign, progress, failures, audience } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const { t } = useTranslation();
  const revalidator = useRevalidator();
  // While it is sending, follow the progress (without JavaScript, reloading the page does the same).
  useEffect(() => {
    if (update.status !== "sending") return;
    const timer = setInterval(() => revalidator.state === "idle" && revalidator.revalidate(), 2_000);
    return () => clearInterval(timer);
  }, [update.status, revalidator]);

  return (
    <div className="stack-page">
      <p>
        <Link to={`/dashboard/campaigns/${campaign.id}`}>{campaign.title}</Link>
      </p>
      <h1>{update.subject}</h1>
      <p>
        <strong data-testid="update-status">{t(`updates.status.${update.status}` as MessageKey)}</strong>
        {update.status !== "draft" ? (
          <span data-testid="update-progress" aria-live="polite">
            {" · "}
            {t("updates.progress", progress)}
          </span>
        ) : null}
      </p>
      <FormAlert message={result?.alert ? t(result.alert) : undefined} />
      {result?.notice ? (
        <p className="notice" role="status">
          {t(result.notice)}
        </p>
      ) : null}
      <section className="panel">
        <h2>{t("updates.preview")}</h2>
        <div className="argument" dangerouslySetInnerHTML={{ __html: update.html }} />
      </section>
      {update.status === "draft" ? (
        <>
          <p>{t("updates.audience", { count: audience })}</p>
          {result?.confirmSend !== undefined ? (
            <section className="panel confirm-panel" aria-labelledby="confirm-send-heading" data-testid="confirm-send">
              <h2 id="confirm-send-heading">{t("updates.confirmSend.title", { subject: update.subject, count: result.confirmSend })}</h2>
              <p>{t("updates.confirmSend.body")}</p>
              <div className="inline-form">
                <Form method="post">
                  <input type="hidden" name="intent" value="send" />
                  <input type="hidden" name="recipients" value={result.confirmSend} />
                  <button type="submit" className="button">
                    {t("updates.confirmSend.yes", { count: result.confirmSend })}
                  </button>
                </Form>
                <Link to="." className="button secondary">
                  {t("updates.confirmSend.no")}
                </Link>
              </div>
            </section>
          ) : null}
          <div className="inline-form">
            <Form method="post">
              <input type="hidden" name="intent" value="test" />
              <button type="submit" className="button secondary">
                {t("updates.sendTest")}
              </button>
            </Form>
            <Form method="post">
              <input type="hidden" name="intent" value="review-send" />
              <button type="submit" className="button">
                {t("updates.send")}
              </button>
            </Form>
          </div>
          <section className="panel">
            <Form method="post" className="stack">
              <input type="hidden" name="intent" value="save" />
              <UpdateFields
                values={result?.values ?? { subject: update.subject, bodyMd: update.bodyMd, countries: update.countries }}
                errors={result?.errors}
                published={result?.values ? "publishOnPage" in result.values : update.publishedOnPage}
              />
              <button type="submit" className="button secondary">
                {t("updates.save")}
              </button>
            </Form>
          </section>
        </>
      ) : null}
      {failures.length > 0 ? (
        <section className="panel">
          <h2>{t("updates.failures")}</h2>
          <table>
            <tbody>
              {failures.map((f) => (
                <tr key={f.id}>
                  <td dir="ltr">{f.email ?? "—"}</td>
                  <td>{f.error}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ) : null}
    </div>
  );
}
