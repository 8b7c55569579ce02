import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { InvitePanel } from "~/components/organisation/invite-panel";
import { MembersTable } from "~/components/organisation/members-table";
import { FormAlert, FormField } from "~/components/ui/form-field";
import { useTranslation } from "~/i18n/use-translation";
import type { MessageKey } from "~/i18n/i18n";
import { requireUser } from "~/modules/accounts/session-cookie.server";
import { changeRoleSchema, contactEmailSchema, inviteMemberSchema, memberIdSchema } from "~/modules/organisations/organisations.schema";
import { listOrganisationCampaigns } from "~/modules/campaigns/manage-campaigns.server";
import { changeMemberRole, getOrganisationOverview, inviteMember, removeMember, revokeInvitation, setOrganisationContact } from "~/modules/organisations/organisations.server";
import { getDb } from "~/services.server";
import { formAnswer, throwPageError } from "~/utils/error-answers.server";
import { parseForm, readForm, type FieldErrors } from "~/utils/forms.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.organisation.name ?? "Organisation"} · Banner` }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  try {
    const overview = await getOrganisationOverview(getDb(), user, params.slug ?? "");
    const campaigns = await listOrganisationCampaigns(getDb(), user, overview.organisation.slug);
    return data(
      {
        me: user.id,
        campaigns,
        organisation: overview.organisation,
        contactEmail: overview.contactEmail,
        members: overview.members.map((m) => ({ id: m.id, name: m.display_name, email: m.email, role: m.role })),
        invitations: overview.invitations.map((i) => ({ id: i.id, email: i.email, role: i.role })),
      },
      { headers: { "Cache-Control": "no-store" } },
    );
  } catch (error) {
    // Not a member: exactly like an organisation that does not exist.
    throwPageError(error);
  }
}

type ActionData = { errors?: FieldErrors; values?: Record<string, string>; alert?: MessageKey; notice?: { key: MessageKey; email: string }; contactSaved?: boolean };


export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const slug = params.slug ?? "";
  const form = await readForm(request);
  const db = getDb();
  try {
    switch (form.get("intent")) {
      case "invite": {
        const parsed = parseForm(inviteMemberSchema, form, ["email", "role"]);
        if (!parsed.ok) return data<ActionData>({ errors: parsed.errors, values: parsed.values }, { status: 400 });
        await inviteMember(db, user, slug, parsed.data);
        return data<ActionData>({ notice: { key: "org.invited", email: parsed.data.email } });
      }
      case "contact": {
        const parsed = parseForm(contactEmailSchema, form, ["contactEmail"]);
        if (!parsed.ok) return data<ActionData>({ errors: parsed.errors, values: parsed.values }, { status: 400 });
        await setOrganisationContact(db, user, slug, { contactEmail: parsed.data.contactEmail || null });
        return data<ActionData>({ contactSaved: true });
      }
      case "change-role": {
        const parsed = changeRoleSchema.safeParse({ userId: form.get("userId"), role: form.get("role") });
        if (!parsed.success) return data<ActionData>({ alert: "error.role.invalid" }, { status: 400 });
        await changeMemberRole(db, user, slug, parsed.data);
        return data<ActionData>({});
      }
      case "remove": {
        const parsed = memberIdSchema.safeParse({ userId: form.get("userId") });
        if (!parsed.success) return data<ActionData>({ alert: "errorPage.body" }, { status: 400 });
        await removeMember(db, user, slug, parsed.data.userId);
        return data<ActionData>({});
      }
      case "revoke-invite": {
        const parsed = z.coerce.number().int().positive().safeParse(form.get("invitationId"));
        if (!parsed.success) return data<ActionData>({ alert: "errorPage.body" }, { status: 400 });
        await revokeInvitation(db, user, slug, parsed.data);
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

export default function OrganisationPage() {
  const { me, organisation, contactEmail, members, invitations, campaigns } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const { t, n } = useTranslation();
  const owner = organisation.role === "owner";
  return (
    <div className="stack-page">
      <h1>{organisation.name}</h1>
      {owner ? (
        <p className="account-nav">
          <Link to={`/dashboard/orgs/${organisation.slug}/logo`}>{t("logo.title")}</Link>
          <Link to={`/dashboard/orgs/${organisation.slug}/api-keys`}>{t("apiKeys.link")}</Link>
        </p>
      ) : null}
      <FormAlert message={result?.alert ? t(result.alert) : undefined} />
      {result?.notice ? (
        <p className="notice" role="status">
          {t(result.notice.key, { email: result.notice.email })}
        </p>
      ) : null}
      {owner ? (
        <Form method="post" className="panel stack">
          <input type="hidden" name="intent" value="contact" />
          <FormField
            name="contactEmail"
            type="email"
            dir="ltr"
            label={t("org.contactEmail")}
            hint={t("org.contactEmailHint")}
            maxLength={254}
            defaultValue={result?.values?.contactEmail ?? contactEmail ?? ""}
            error={result?.values && "contactEmail" in result.values ? result?.errors?.contactEmail : undefined}
            params={{ max: 254 }}
          />
          {result?.contactSaved ? (
            <p className="notice" role="status">
              {t("org.contactSaved")}
            </p>
          ) : null}
          <button type="submit" className="button">
            {t("org.contactSave")}
          </button>
        </Form>
      ) : null}
      <section className="panel">
        <h2>{t("campaigns.title")}</h2>
        {campaigns.length === 0 ? <p className="muted">{t("campaigns.none")}</p> : null}
        <ul className="signers">
          {campaigns.map((c) => (
            <li key={c.id}>
              <span>
                <Link to={`/dashboard/campaigns/${c.id}`}>{c.title}</Link>
                <br />
                <span className="muted">{t(`campaigns.status.${c.status}` as MessageKey)}</span>
              </span>
              <span className="muted">
                {t("campaigns.confirmed")}: {n(c.confirmed)} · {t("campaigns.pending")}: {n(c.pending)}
              </span>
            </li>
          ))}
        </ul>
        <p>
          <Link className="button secondary" to={`/dashboard/orgs/${organisation.slug}/campaigns/new`}>
            {t("campaigns.new")}
          </Link>
        </p>
      </section>
      <MembersTable members={members} me={me} owner={owner} />
      {owner ? <InvitePanel invitations={invitations} email={result?.values?.email} error={result?.errors?.email} /> : null}
    </div>
  );
}
