import { data, type ActionFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData } from "@remix-run/react";
import { FormAlert, FormField } from "~/components/ui/form-field";
import { useTranslation } from "~/i18n/use-translation";
import type { MessageKey } from "~/i18n/i18n";
import { requestPasswordResetSchema } from "~/modules/accounts/accounts.schema";
import { requestPasswordReset } from "~/modules/accounts/reset-password.server";
import { limitAccountMailRequest } from "~/modules/accounts/account-limits.server";
import { getDb, getReadyRedis } from "~/services.server";
import { env } from "~/utils/env.server";
import { retryFormAnswer } from "~/utils/error-answers.server";
import { clientAddress } from "~/utils/http.server";
import { parseForm, readForm, type FieldErrors } from "~/utils/forms.server";

export const meta: MetaFunction = () => [{ title: "Reset your password · Banner" }];

type ActionData = { done: true } | { done?: false; errors: FieldErrors; values: Record<string, string>; alert?: MessageKey; minutes?: number };

export async function action({ request, context }: ActionFunctionArgs) {
  const parsed = parseForm(requestPasswordResetSchema, await readForm(request), ["email"]);
  if (!parsed.ok) return data<ActionData>({ errors: parsed.errors, values: parsed.values }, { status: 400 });
  try {
    // Before the password hash and the mail: both are what a flood would cost us.
    await limitAccountMailRequest({ redis: await getReadyRedis(), redisPrefix: env().REDIS_PREFIX }, "reset-password", { email: parsed.data.email, clientAddress: clientAddress(context) });
  } catch (error) {
    const { message, status, minutes, headers } = retryFormAnswer(error, { RATE_LIMITED: "auth.rateLimited", REDIS_UNAVAILABLE: "auth.unavailable" });
    return data<ActionData>({ errors: {}, values: { email: parsed.data.email }, alert: message, minutes }, { status, headers });
  }
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
          <FormAlert message={result && !result.done && result.alert ? t(result.alert, { minutes: result.minutes ?? 1 }) : undefined} />
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
