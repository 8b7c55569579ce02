import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { ActionOutcome, Pager, SearchForm } from "~/components/admin/list-controls";
import { DataTable } from "~/components/ui/data-table";
import { PostButton } from "~/components/ui/post-button";
import { formatDate, type MessageKey } from "~/i18n/i18n";
import { useTranslation } from "~/i18n/use-translation";
import { ADMIN_HEADERS, requireAdminUser } from "~/modules/admin/admin-session.server";
import { changeUser, listUsers, USER_CHANGES } from "~/modules/admin/users.server";
import { getDb } from "~/services.server";
import { adminAnswer } from "~/utils/error-answers.server";
import { readForm } from "~/utils/forms.server";

const searchSchema = z.object({
  q: z.string().trim().max(200).catch(""),
  page: z.coerce.number().int().min(1).max(10_000).catch(1),
});

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireAdminUser(request);
  const params = new URL(request.url).searchParams;
  const query = searchSchema.parse({ q: params.get("q") ?? "", page: params.get("page") ?? 1 });
  const result = await listUsers(getDb(), user, { search: query.q, page: query.page });
  return data(
    {
      me: user.id,
      q: query.q,
      page: result.page,
      hasMore: result.hasMore,
      users: result.users.map((u) => ({ ...u, disabled: Boolean(u.disabled_at), confirmed: Boolean(u.email_confirmed_at), created_at: u.created_at.toISOString() })),
    },
    { headers: ADMIN_HEADERS },
  );
}

const changeSchema = z.object({ userId: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER), change: z.enum(USER_CHANGES) });

type ActionData = { alert?: MessageKey; done?: MessageKey; userId?: number };

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireAdminUser(request);
  const form = await readForm(request);
  const parsed = changeSchema.safeParse({ userId: form.get("userId"), change: form.get("change") });
  if (!parsed.success) return data<ActionData>({ alert: "adminConsole.badRequest" }, { status: 400, headers: ADMIN_HEADERS });
  try {
    await changeUser(getDb(), user, parsed.data);
    return data<ActionData>({ done: `adminConsole.users.done.${parsed.data.change}`, userId: parsed.data.userId }, { headers: ADMIN_HEADERS });
  } catch (error) {
    const { alert, status } = adminAnswer(error);
    return data<ActionData>({ alert, userId: parsed.data.userId }, { status, headers: ADMIN_HEADERS });
  }
}

function ChangeButton({ userId, change, label, danger }: { userId: number; change: string; label: string; danger?: boolean }) {
  return (
    <PostButton fields={{ userId, change }} className={danger ? "button danger small" : "button secondary small"}>
      {label}
    </PostButton>
  );
}

export default function AdminUsers() {
  const { users, me, q, page, hasMore } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const { t, locale } = useTranslation();
  const pageLink = (p: number) => `?${new URLSearchParams({ ...(q ? { q } : {}), page: String(p) })}`;
  return (
    <div className="stack-page">
      <h1>{t("adminConsole.users.title")}</h1>
      <ActionOutcome result={result} />
      <SearchForm id="user-search" label={t("adminConsole.users.search")} q={q} />
      <DataTable
        columns={[t("adminConsole.users.user"), t("adminConsole.users.role"), t("adminConsole.users.state"), t("adminConsole.users.since"), t("adminConsole.actions")]}
        rowCount={users.length}
        empty={t("adminConsole.users.none")}
      >
        {users.map((u) => (
          <tr key={u.id} data-user-id={u.id}>
            <td>
              <span className="bidi">{u.display_name}</span>
              <br />
              <span dir="ltr" className="small muted">
                {u.email}
              </span>
            </td>
            <td>{t(u.role === "admin" ? "adminConsole.users.roleAdmin" : "adminConsole.users.roleUser")}</td>
            <td>{t(u.disabled ? "adminConsole.users.disabled" : u.confirmed ? "adminConsole.users.active" : "adminConsole.users.unconfirmed")}</td>
            <td>{formatDate(locale, u.created_at)}</td>
            <td>
              {u.id === me ? (
                <span className="muted small">{t("adminConsole.users.you")}</span>
              ) : (
                <div className="inline-form">
                  {u.role === "admin" ? (
                    <ChangeButton userId={u.id} change="demote" label={t("adminConsole.users.demote")} />
                  ) : (
                    <ChangeButton userId={u.id} change="promote" label={t("adminConsole.users.promote")} />
                  )}
                  {u.disabled ? (
                    <ChangeButton userId={u.id} change="enable" label={t("adminConsole.users.enable")} />
                  ) : (
                    <ChangeButton userId={u.id} change="disable" label={t("adminConsole.users.disable")} danger />
                  )}
                </div>
              )}
            </td>
          </tr>
        ))}
      </DataTable>
      <Pager page={page} hasMore={hasMore} link={pageLink} />
    </div>
  );
}
