import { Form } from "@remix-run/react";
import { FormField } from "~/components/ui/form-field";
import { PostButton } from "~/components/ui/post-button";
import type { MessageKey } from "~/i18n/i18n";
import { useTranslation } from "~/i18n/use-translation";

type Invitation = { id: number; email: string; role: string };

/** For owners: invite someone by email with a role, and revoke invitations not yet accepted. */
export function InvitePanel({ invitations, email, error }: { invitations: Invitation[]; email?: string; error?: MessageKey }) {
  const { t } = useTranslation();
  return (
    <section className="panel">
      <h2>{t("org.inviteTitle")}</h2>
      <Form method="post" className="stack">
        <input type="hidden" name="intent" value="invite" />
        <FormField name="email" type="email" dir="ltr" label={t("form.email")} required defaultValue={email} error={error} params={{ max: 254 }} />
        <div className="field">
          <label htmlFor="f-role">{t("org.role")}</label>
          <select id="f-role" name="role" defaultValue="organiser">
            <option value="organiser">{t("org.role.organiser")}</option>
            <option value="owner">{t("org.role.owner")}</option>
          </select>
        </div>
        <button type="submit" className="button">
          {t("org.inviteSubmit")}
        </button>
      </Form>
      {invitations.length > 0 ? (
        <>
          <h3>{t("org.pendingInvites")}</h3>
          <ul className="signers">
            {invitations.map((i) => (
              <li key={i.id}>
                <span dir="ltr">{i.email}</span>
                <span className="muted">{t(i.role === "owner" ? "org.role.owner" : "org.role.organiser")}</span>
                <PostButton fields={{ intent: "revoke-invite", invitationId: i.id }}>{t("org.revokeInvite")}</PostButton>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}
