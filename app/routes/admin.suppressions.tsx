import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { ActionOutcome, SearchForm } from "~/components/admin/list-controls";
import { DataTable } from "~/components/ui/data-table";
import { PostButton } from "~/components/ui/post-button";
import { formatDate, type MessageKey } from "~/i18n/i18n";
import { useTranslation } from "~/i18n/use-translation";
import { listSuppressions, removeSuppression } from "~/mail/suppressions.server";
import { ADMIN_HEADERS, requireAdminUser } from "~/modules/admin/admin-session.server";
import { getDb } from "~/services.server";
import { adminAnswer } from "~/utils/error-answers.server";
import { readForm } from "~/utils/forms.server";

const searchSchema = z.object({ q: z.string().trim().max(200).catch("") });

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireAdminUser(request);
  const query = searchSchema.parse({ q: new URL(request.url).searchParams.get("q") ?? "" });
  const { rows, total } = await listSuppressions(getDb(), user, { search: query.q });
  return data(
    {
      q: query.q,
      total,
      rows: rows.map((r) => ({ email: r.email_normalized, reason: r.reason, smtpCode: r.smtp_code, kind: r.kind, createdAt: r.created_at.toISOString() })),
    },
    { headers: ADMIN_HEADERS },
  );
}

const liftSchema = z.object({ email: z.string().trim().min(3).max(320) });

type ActionData = { alert?: MessageKey; done?: MessageKey; email?: string };

/** Lifts one suppression (the address may be mailed again); the domain module checks the role and audits it. */
export async function action({ request }: ActionFunctionArgs) {
  const user = await requireAdminUser(request);
  const form = await readForm(request);
  const parsed = liftSchema.safeParse({ email: form.get("email") });
  if (!parsed.success) return data<ActionData>({ alert: "adminConsole.badRequest" }, { status: 400, headers: ADMIN_HEADERS });
  try {
    await removeSuppression(getDb(), user, parsed.data.email);
    return data<ActionData>({ done: "adminConsole.suppressions.lifted", email: parsed.data.email }, { headers: ADMIN_HEADERS });
  } catch (error) {
    const { alert, status } = adminAnswer(error);
    return data<ActionData>({ alert }, { status, headers: ADMIN_HEADERS });
  }
}

export default function AdminSuppressions() {
  const { rows, total, q } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const { t, locale } = useTranslation();
  return (
    <div className="stack-page">
      <h1>{t("adminConsole.suppressions.title")}</h1>
      <p>{t("adminConsole.suppressions.about")}</p>
      <ActionOutcome result={result} />
      <SearchForm id="suppression-search" label={t("adminConsole.suppressions.search")} q={q} />
      <p className="muted small">{t("adminConsole.suppressions.total", { count: String(total), shown: String(rows.length) })}</p>
      <DataTable
        columns={[
          t("adminConsole.suppressions.address"),
          t("adminConsole.suppressions.reason"),
          t("adminConsole.suppressions.code"),
          t("adminConsole.suppressions.kind"),
          t("adminConsole.suppressions.when"),
          t("adminConsole.actions"),
        ]}
        rowCount={rows.length}
        empty={t("adminConsole.suppressions.none")}
      >
        {rows.map((r) => (
          <tr key={r.email} data-suppressed={r.email}>
            <td dir="ltr">{r.email}</td>
            <td dir="ltr" className="small">
              {r.reason}
            </td>
            <td>{r.smtpCode ?? "—"}</td>
            <td dir="ltr">{r.kind}</td>
            <td>{formatDate(locale, r.createdAt)}</td>
            <td>
              <PostButton fields={{ email: r.email }} className="button secondary small">
                {t("adminConsole.suppressions.lift")}
              </PostButton>
            </td>
          </tr>
        ))}
      </DataTable>
    </div>
  );
}
