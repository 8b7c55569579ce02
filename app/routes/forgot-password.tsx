import { data, type ActionFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData } from "@remix-run/react";
import { FormField } from "~/components/ui/form-field";
import { useTranslation } from "~/i18n/use-translation";
import { requestPasswordResetSchema } from "~/modules/accounts/accounts.schema";
import { requestPasswordReset } from "~/modules/accounts/reset-password.server";
import { getDb } from "~/services.server";
import { parseForm, readForm, type FieldErrors } from "~/utils/forms.server";

export const meta: MetaFunction = () => [{ title: "Reset your password · Banner" }];

type ActionData = { done: true } | { done?: false; errors: FieldErrors; values: Record<string, string> };

export async function action({ request }: ActionFunctionArgs) {
  const parsed = parseForm(requestPasswordResetSchema, await readForm(request), ["email"]);
  if (!parsed.ok) return data<ActionData>({ errors: parsed.errors, values: parsed.values }, { status: 400 });
  await requestPasswordReset(getDb(), parsed.data.email);
  return data<ActionData>({ done: true });
}

export default function ForgotPassword() {
  const result = useActionData<typeof action>();
  const { t } = useTranslation();
  return (
    <section className="panel centered">
      <h1>{t("auth.forgotTitle")}</h1>
      {result?.done ? (
        <p className="lead" role="status">
          {t("auth.forgotDone")}
        </p>
      ) : (
        <>
          <p>{t("auth.forgotIntro")}</p>
          <Form method="post" className="stack">
            <FormField name="email" type="email" dir="ltr" label={t("form.email")} autoComplete="email" required defaultValue={result?.values.email} error={result?.errors.email} params={{ max: 254 }} />
            <button type="submit" className="button">
              {t("auth.forgotSubmit")}
            </button>
          </Form>
        </>
      )}
    </section>
  );
}
