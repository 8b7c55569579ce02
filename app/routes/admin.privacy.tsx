import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData } from "@remix-run/react";
import { DataTable } from "~/components/ui/data-table";
import { FormField } from "~/components/ui/form-field";
import type { SignatureStatus } from "~/db/schema";
import { formatDateTime } from "~/i18n/i18n";
import { useTranslation } from "~/i18n/use-translation";
import { ADMIN_HEADERS, requireAdminUser } from "~/modules/admin/admin-session.server";
import { eraseOnRequest, previewErasure } from "~/modules/admin/erasure.server";
import { erasureRequestSchema } from "~/modules/privacy/privacy.schema";
import { getDb } from "~/services.server";
import { parseForm, readForm, type FieldErrors } from "~/utils/forms.server";

export async function loader({ request }: LoaderFunctionArgs) {
  await requireAdminUser(request);
  return data(null, { headers: ADMIN_HEADERS });
}

type Match = {
  id: number;
  status: string;
  country: string;
  created_at: string;
  confirmed_at: string | null;
  consent_version: string;
  locale: string;
  consent_purposes: string[];
  campaign_slug: string;
  campaign_title: string;
};
type ActionData =
  | { view: "form"; errors: FieldErrors; values: Record<string, string> }
  | { view: "preview"; email: string; matches: Match[] }
  | { view: "erased"; erased: number; confirmed: number };

// The address travels in POST bodies only, never in a URL (and so never in an access log).
export async function action({ request }: ActionFunctionArgs) {
  const user = await requireAdminUser(request);
  const form = await readForm(request);
  const parsed = parseForm(erasureRequestSchema, form, ["email"]);
  if (!parsed.ok) return data<ActionData>({ view: "form", errors: parsed.errors, values: parsed.values }, { status: 400, headers: ADMIN_HEADERS });
  if (form.get("intent") === "erase") {
    const result = await eraseOnRequest(getDb(), user, parsed.data.email);
    return data<ActionData>({ view: "erased", ...result }, { headers: ADMIN_HEADERS });
  }
  const matches = await previewErasure(getDb(), user, parsed.data.email);
  return data<ActionData>(
    {
      view: "preview",
      email: parsed.data.email,
      matches: matches.map((m) => ({ ...m, created_at: m.created_at.toISOString(), confirmed_at: m.confirmed_at?.toISOString() ?? null })),
    },
    { headers: ADMIN_HEADERS },
  );
}

export default function AdminPrivacy() {
  const result = useActionData<typeof action>();
  const { t, locale } = useTranslation();
  const form = result?.view === "form" ? result : undefined;
  return (
    <div className="stack-page">
      <h1>{t("adminConsole.privacy.title")}</h1>
      <p>{t("adminConsole.privacy.intro")}</p>
      <Form method="post" className="stack">
        <input type="hidden" name="intent" value="preview" />
        <FormField
          name="email"
          type="email"
          dir="ltr"
          label={t("form.email")}
          required
          maxLength={254}
          defaultValue={form?.values.email ?? (result?.view === "preview" ? result.email : undefined)}
          error={form?.errors.email}
          params={{ max: 254 }}
        />
        <button type="submit" className="button secondary">
          {t("adminConsole.privacy.preview")}
        </button>
      </Form>
      {result?.view === "erased" ? (
        <p className="notice" role="status">
          {t("adminConsole.privacy.erased", { count: result.erased, confirmed: result.confirmed })}
        </p>
      ) : null}
      {result?.view === "preview" ? (
        <section className="panel stack-tight" aria-live="polite">
          <h2>{t("adminConsole.privacy.matches", { count: result.matches.length })}</h2>
          {result.matches.length > 0 ? (
            <>
              <DataTable
                columns={[
                  t("adminConsole.privacy.campaign"),
                  t("adminConsole.users.state"),
                  t("adminConsole.privacy.signedAt"),
                  t("adminConsole.privacy.consentVersion"),
                  t("adminConsole.privacy.language"),
                  t("adminConsole.privacy.purposes"),
                ]}
                rowCount={result.matches.length}
              >
                {result.matches.map((m) => (
                  <tr key={m.id} data-signature-id={m.id}>
                    <td>
                      <span className="bidi">{m.campaign_title}</span>
                    </td>
                    <td>{t(`adminConsole.privacy.status.${m.status as SignatureStatus}`)}</td>
                    <td>{formatDateTime(locale, m.created_at)}</td>
                    <td dir="ltr">{m.consent_version}</td>
                    <td dir="ltr">{m.locale}</td>
                    <td dir="ltr">{m.consent_purposes.join(", ")}</td>
                  </tr>
                ))}
              </DataTable>
              <Form method="post">
                <input type="hidden" name="intent" value="erase" />
                <input type="hidden" name="email" value={result.email} />
                <button type="submit" className="button danger">
                  {t("adminConsole.privacy.erase", { count: result.matches.length })}
                </button>
              </Form>
            </>
          ) : null}
        </section>
      ) : null}
    </div>
  );
}
