import { data, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { DataTable } from "~/components/ui/data-table";
import { formatDateTime, formatNumber } from "~/i18n/i18n";
import { useTranslation } from "~/i18n/use-translation";
import { ADMIN_HEADERS, requireAdminUser } from "~/modules/admin/admin-session.server";
import { readAuditLog } from "~/modules/admin/audit-log.server";
import { getDb } from "~/services.server";

// Filters from the query string: a value that does not fit is dropped, not an error page.
const filterSchema = z.object({
  actor: z.string().trim().max(254).catch(""),
  action: z.string().trim().max(64).regex(/^[a-z0-9_.-]*$/).catch(""),
  campaign: z.string().trim().max(80).catch(""),
  before: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional().catch(undefined),
});

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireAdminUser(request);
  const params = new URL(request.url).searchParams;
  const filter = filterSchema.parse({
    actor: params.get("actor") ?? "",
    action: params.get("action") ?? "",
    campaign: params.get("campaign") ?? "",
    before: params.get("before") ?? undefined,
  });
  const { entries, nextBefore } = await readAuditLog(getDb(), user, {
    actor: filter.actor || undefined,
    action: filter.action || undefined,
    campaign: filter.campaign || undefined,
    before: filter.before,
  });
  return data(
    {
      filter,
      nextBefore,
      entries: entries.map((e) => ({ ...e, created_at: e.created_at.toISOString(), details: JSON.stringify(e.details) })),
    },
    { headers: ADMIN_HEADERS },
  );
}

export default function AdminAudit() {
  const { filter, entries, nextBefore } = useLoaderData<typeof loader>();
  const { t, locale } = useTranslation();
  const filters = Object.fromEntries(Object.entries({ actor: filter.actor, action: filter.action, campaign: filter.campaign }).filter(([, v]) => v));
  return (
    <div className="stack-page">
      <h1>{t("adminConsole.audit.title")}</h1>
      <Form method="get" className="inline-form">
        <div className="field">
          <label htmlFor="audit-actor">{t("adminConsole.audit.actor")}</label>
          <input id="audit-actor" type="email" dir="ltr" name="actor" defaultValue={filter.actor} maxLength={254} />
        </div>
        <div className="field">
          <label htmlFor="audit-action">{t("adminConsole.audit.action")}</label>
          <input id="audit-action" type="text" dir="ltr" name="action" defaultValue={filter.action} maxLength={64} placeholder="user." />
        </div>
        <div className="field">
          <label htmlFor="audit-campaign">{t("adminConsole.audit.campaign")}</label>
          <input id="audit-campaign" type="text" dir="ltr" name="campaign" defaultValue={filter.campaign} maxLength={80} />
        </div>
        <button type="submit" className="button secondary">
          {t("adminConsole.audit.filter")}
        </button>
      </Form>
      <DataTable
        columns={[
          t("adminConsole.audit.when"),
          t("adminConsole.audit.actor"),
          t("adminConsole.audit.action"),
          t("adminConsole.audit.campaign"),
          t("adminConsole.audit.subject"),
          t("adminConsole.audit.rows"),
          t("adminConsole.audit.details"),
        ]}
        rowCount={entries.length}
        empty={t("adminConsole.audit.none")}
      >
        {entries.map((e) => (
          <tr key={e.id} data-audit-id={e.id}>
            <td>{formatDateTime(locale, e.created_at)}</td>
            <td dir="ltr">{e.actor_label}</td>
            <td dir="ltr">
              <code>{e.action}</code>
            </td>
            <td dir="ltr">{e.campaign_slug ?? ""}</td>
            <td dir="ltr" className="wrap-anywhere">
              {e.subject ?? ""}
            </td>
            <td>{e.row_count === null ? "" : formatNumber(locale, Number(e.row_count))}</td>
            <td dir="ltr" className="wrap-anywhere small">
              <code>{e.details}</code>
            </td>
          </tr>
        ))}
      </DataTable>
      {nextBefore ? (
        <p>
          <Link to={`?${new URLSearchParams({ ...filters, before: String(nextBefore) })}`}>{t("adminConsole.audit.older")}</Link>
        </p>
      ) : null}
    </div>
  );
}
