import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData } from "@remix-run/react";
import { FormField } from "~/components/ui/form-field";
import type { MessageKey } from "~/i18n/i18n";
import { useTranslation } from "~/i18n/use-translation";
import { requireUser } from "~/modules/accounts/session-cookie.server";
import { createOrganisationSchema, ORG_SLUG_MAX } from "~/modules/organisations/organisations.schema";
import { createOrganisation } from "~/modules/organisations/organisations.server";
import { getDb } from "~/services.server";
import { placedFormAnswer } from "~/utils/error-answers.server";
import { parseForm, readForm, type FieldErrors } from "~/utils/forms.server";

export const meta: MetaFunction = () => [{ title: "Create an organisation · Banner" }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requireUser(request);
  return null;
}

type ActionData = { errors: FieldErrors; alert?: MessageKey; values: Record<string, string> };

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const parsed = parseForm(createOrganisationSchema, await readForm(request), ["name", "slug"]);
  if (!parsed.ok) return data<ActionData>({ errors: parsed.errors, values: parsed.values }, { status: 400 });
  try {
    const org = await createOrganisation(getDb(), user, parsed.data);
    return redirect(`/dashboard/orgs/${org.slug}`, { status: 303 });
  } catch (error) {
    const { errors, alert, status } = placedFormAnswer(error);
    return data<ActionData>({ errors, alert, values: parsed.data }, { status });
  }
}

export default function NewOrganisation() {
  const result = useActionData<typeof action>();
  const { t } = useTranslation();
  return (
    <section className="panel centered">
      <h1>{t("org.createTitle")}</h1>
      <Form method="post" className="stack">
        <FormField name="name" label={t("org.name")} required maxLength={120} defaultValue={result?.values.name} error={result?.errors.name} params={{ max: 120 }} />
        <FormField name="slug" dir="ltr" label={t("org.slug")} hint={t("org.slugHint")} required maxLength={ORG_SLUG_MAX} pattern="[a-z0-9]+(-[a-z0-9]+)*" defaultValue={result?.values.slug} error={result?.errors.slug} params={{ max: ORG_SLUG_MAX }} />
        <button type="submit" className="button">
          {t("org.createSubmit")}
        </button>
      </Form>
    </section>
  );
}
