import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { DataTable } from "~/components/ui/data-table";
import { FormAlert } from "~/components/ui/form-field";
import { PostButton } from "~/components/ui/post-button";
import { formatDateTime, formatNumber, type MessageKey } from "~/i18n/i18n";
import { useTranslation } from "~/i18n/use-translation";
import { QUEUE_NAMES } from "~/jobs/definitions";
import { ADMIN_HEADERS, requireAdminUser } from "~/modules/admin/admin-session.server";
import { queueOverview, retryFailedJob } from "~/modules/admin/queues.server";
import { getDb, getProducer } from "~/services.server";
import { adminAnswer, errorStatus } from "~/utils/error-answers.server";
import { isAppError } from "~/utils/errors.server";
import { readForm } from "~/utils/forms.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireAdminUser(request);
  try {
    return data({ queues: await queueOverview(getProducer().queues, user) }, { headers: ADMIN_HEADERS });
  } catch (error) {
    if (!isAppError(error, "REDIS_UNAVAILABLE")) throw error;
    // Queues whose first handshake failed stay broken: start afresh for the next visit.
    await getProducer().reset().catch(() => undefined);
    return data({ queues: null }, { status: errorStatus(error.code), headers: ADMIN_HEADERS });
  }
}

const retrySchema = z.object({ queue: z.enum(QUEUE_NAMES), jobId: z.string().min(1).max(200) });

type ActionData = { alert?: MessageKey; done?: boolean };

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireAdminUser(request);
  const form = await readForm(request);
  const parsed = retrySchema.safeParse({ queue: form.get("queue"), jobId: form.get("jobId") });
  if (!parsed.success) return data<ActionData>({ alert: "adminConsole.badRequest" }, { status: 400, headers: ADMIN_HEADERS });
  try {
    await retryFailedJob(getDb(), getProducer().queues, user, parsed.data);
    return data<ActionData>({ done: true }, { headers: ADMIN_HEADERS });
  } catch (error) {
    const { alert, status } = adminAnswer(error);
    return data<ActionData>({ alert }, { status, headers: ADMIN_HEADERS });
  }
}

const STATES = ["waiting", "active", "delayed", "failed", "completed"] as const;

export default function AdminQueues() {
  const { queues } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const { t, locale } = useTranslation();
  return (
    <div className="stack-page">
      <h1>{t("adminConsole.queues.title")}</h1>
      <FormAlert message={result?.alert ? t(result.alert) : undefined} />
      {result?.done ? (
        <p className="notice" role="status">
          {t("adminConsole.queues.retried")}
        </p>
      ) : null}
      {queues === null ? (
        <p className="notice">{t("adminConsole.queues.unavailable")}</p>
      ) : (
        <>
          <DataTable columns={[t("adminConsole.queues.queue"), ...STATES.map((s) => t(`adminConsole.queues.state.${s}`))]} rowCount={queues.length}>
            {queues.map((q) => (
              <tr key={q.name} data-queue={q.name}>
                <th scope="row" dir="ltr">
                  {q.name}
                </th>
                {STATES.map((s) => (
                  <td key={s} data-state={s}>
                    {formatNumber(locale, q.counts[s])}
                  </td>
                ))}
              </tr>
            ))}
          </DataTable>
          {queues.map((q) =>
            q.failed.length === 0 ? null : (
              <section key={q.name} className="panel stack-tight">
                <h2>{t("adminConsole.queues.failedIn", { queue: q.name })}</h2>
                <ul className="stack-tight plain-list">
                  {q.failed.map((job) => (
                    <li key={job.id} data-job-id={job.id} className="failed-job">
                      <p>
                        <code dir="ltr">{job.name}</code> · <span dir="ltr">{job.id}</span> ·{" "}
                        {t("adminConsole.queues.attempts", { count: job.attemptsMade })}
                        {job.finishedOn ? ` · ${formatDateTime(locale, new Date(job.finishedOn))}` : ""}
                      </p>
                      <p className="field-error wrap-anywhere" dir="ltr">
                        {job.failedReason}
                      </p>
                      <p className="small muted wrap-anywhere" dir="ltr">
                        <code>{job.data}</code>
                      </p>
                      <PostButton fields={{ queue: q.name, jobId: job.id }} className="button secondary small">
                        {t("adminConsole.queues.retry")}
                      </PostButton>
                    </li>
                  ))}
                </ul>
              </section>
            ),
          )}
        </>
      )}
    </div>
  );
}
