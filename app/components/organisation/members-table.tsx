import { Form } from "@remix-run/react";
import { DataTable } from "~/components/ui/data-table";
import { PostButton } from "~/components/ui/post-button";
import { useTranslation } from "~/i18n/use-translation";

type Member = { id: number; name: string; email: string; role: string };

/**
 * An organisation's members. Owners change roles and remove anyone; everyone else sees roles
 * and may remove only themselves (leave).
 */
export function MembersTable({ members, me, owner }: { members: Member[]; me: number; owner: boolean }) {
  const { t } = useTranslation();
  return (
    <section className="panel">
      <h2>{t("org.members")}</h2>
      <DataTable columns={owner ? [t("auth.displayName"), t("org.role"), ""] : [t("auth.displayName"), t("org.role")]} rowCount={members.length}>
        {members.map((m) => (
          <tr key={m.id}>
            <td>
              <span className="bidi">{m.name}</span>
              {m.id === me ? ` (${t("org.you")})` : null}
              <br />
              <span className="muted" dir="ltr">
                {m.email}
              </span>
            </td>
            <td>{owner ? <RoleForm member={m} /> : t(m.role === "owner" ? "org.role.owner" : "org.role.organiser")}</td>
            {owner || m.id === me ? (
              <td>
                <PostButton fields={{ intent: "remove", userId: m.id }}>{t("org.remove")}</PostButton>
              </td>
            ) : owner ? (
              <td />
            ) : null}
          </tr>
        ))}
      </DataTable>
    </section>
  );
}

function RoleForm({ member }: { member: Member }) {
  const { t } = useTranslation();
  return (
    <Form method="post" className="inline-form">
      <input type="hidden" name="intent" value="change-role" />
      <input type="hidden" name="userId" value={member.id} />
      <label className="visually-hidden" htmlFor={`role-${member.id}`}>
        {t("org.role")}
      </label>
      <select id={`role-${member.id}`} name="role" defaultValue={member.role}>
        <option value="owner">{t("org.role.owner")}</option>
        <option value="organiser">{t("org.role.organiser")}</option>
      </select>
      <button type="submit" className="button secondary">
        {t("org.changeRole")}
      </button>
    </Form>
  );
}
