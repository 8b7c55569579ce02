import { data, type ActionFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData } from "@remix-run/react";
import { FormAlert, FormField } from "~/components/ui/form-field";
import { useTranslation } from "~/i18n/use-translation";
import type { MessageKey } from "~/i18n/i18n";
import { PASSWORD_MAX, PASSWORD_MIN, signUpSchema } from "~/modules/accounts/accounts.schema";
import { signUp } from "~/modules/accounts/sign-up.server";
import { limitAccountMailRequest } from "~/modules/accounts/account-limits.server";
import { getDb, getReadyRedis } from "~/services.server";
import { env } from "~/utils/env.server";
import { retryFormAnswer } from "~/utils/error-answers.server";
import { clientAddress } from "~/utils/http.server";
import { parseForm, readForm, type FieldErrors } from "~/utils/forms.server";

export const meta: MetaFunction = () => [{ title: "Sign up · Banner" }];

type ActionData = { done: true } | { done?: false; errors: FieldErrors; values: Record<string, string>; alert?: MessageKey; minutes?: number };

export async function action({ request, context }: ActionFunctionArgs) {
  const parsed = parseForm(signUpSchema, await readForm(request), ["displayName", "email", "password"]);
  if (!parsed.ok) return data<ActionData>({ errors: parsed.errors, values: parsed.values }, { status: 400 });
  try {
    // Before the password hash and the mail: both are what a flood would cost us.
    await limitAccountMailRequest({ redis: await getReadyRedis(), redisPrefix: env().REDIS_PREFIX }, "sign-up", { email: parsed.data.email, clientAddress: clientAddress(context) });
  } catch (error) {
    const { message, status, minutes, headers } = retryFormAnswer(error, { RATE_LIMITED: "auth.rateLimited", REDIS_UNAVAILABLE: "auth.unavailable" });
    return data<ActionData>({ errors: {}, values: { displayName: parsed.data.displayName, email: parsed.data.email }, alert: message, minutes }, { status, headers });
  }
  await signUp(getDb(), parsed.data);
  // The same answer whether or not the address already had an account.
  return data<ActionData>({ done: true });
}

export default function SignUp() {
  const result = useActionData<typeof action>();
  const { t } = useTranslation();
  if (result?.done) {
    return (
      <section className="panel centered">
        <h1>{t("auth.signUpDoneTitle")}</h1>
        <p className="lead">{t("auth.signUpDoneBody")}</p>
      </section>
    );
  }
  const errors = result && !result.done ? result.errors : {};
  const values = result && !result.done ? result.values : {};
  const params = { min: PASSWORD_MIN, max: PASSWORD_MAX };
  return (
    <section className="panel centered">
      <h1>{t("auth.signUpTitle")}</h1>
      <p>{t("auth.signUpIntro")}</p>
      <FormAlert message={result && !result.done && result.alert ? t(result.alert, { minutes: result.minutes ?? 1 }) : undefined} />
      <Form method="post" className="stack">
        <FormField name="displayName" label={t("auth.displayName")} autoComplete="name" required maxLength={100} defaultValue={values.displayName} error={errors.displayName} params={{ max: 100 }} />
        <FormField name="email" type="email" dir="ltr" label={t("form.email")} autoComplete="email" required defaultValue={values.email} error={errors.email} params={{ max: 254 }} />
        <FormField name="password" type="password" dir="ltr" label={t("auth.password")} hint={t("auth.passwordHint", { min: PASSWORD_MIN })} autoComplete="new-password" required minLength={PASSWORD_MIN} maxLength={PASSWORD_MAX} error={errors.password} params={params} />
        <button type="submit" className="button">
          {t("auth.signUpSubmit")}
        </button>
      </Form>
      <p>
        <Link to="/login">{t("auth.logInTitle")}</Link>
      </p>
    </section>
  );
}
