import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useSearchParams } from "@remix-run/react";
import { FormAlert, FormField } from "~/components/ui/form-field";
import { useTranslation } from "~/i18n/use-translation";
import type { MessageKey } from "~/i18n/i18n";
import { logInSchema, PASSWORD_MAX } from "~/modules/accounts/accounts.schema";
import { logIn } from "~/modules/accounts/log-in.server";
import { commitSessionCookie, currentUser } from "~/modules/accounts/session-cookie.server";
import { getDb, getReadyRedis } from "~/services.server";
import { env } from "~/utils/env.server";
import { retryFormAnswer } from "~/utils/error-answers.server";
import { parseForm, readForm, safeNext, type FieldErrors } from "~/utils/forms.server";
import { clientAddress, viaHttps } from "~/utils/http.server";

export const meta: MetaFunction = () => [{ title: "Log in · Banner" }];

export async function loader({ request }: LoaderFunctionArgs) {
  if (await currentUser(request)) throw redirect(safeNext(new URL(request.url).searchParams.get("next")));
  return null;
}

type ActionData = { errors: FieldErrors; values: Record<string, string>; alert?: MessageKey; minutes?: number };

/** How the log-in form words each refusal. */
const LOG_IN_ERRORS = {
  INVALID_CREDENTIALS: "auth.invalidCredentials",
  EMAIL_NOT_CONFIRMED: "auth.notConfirmed",
  ACCOUNT_DISABLED: "auth.disabled",
  RATE_LIMITED: "auth.rateLimited",
  REDIS_UNAVAILABLE: "auth.unavailable",
} as const;

export async function action({ request, context }: ActionFunctionArgs) {
  const parsed = parseForm(logInSchema, await readForm(request), ["email", "password"]);
  if (!parsed.ok) return data<ActionData>({ errors: parsed.errors, values: parsed.values }, { status: 400 });
  // Worked out before the session exists: a target that cannot be sent must not leave a session behind.
  const next = safeNext(new URL(request.url).searchParams.get("next"));
  try {
    const { token } = await logIn({ db: getDb(), redis: await getReadyRedis(), redisPrefix: env().REDIS_PREFIX }, parsed.data, {
      ipAddress: clientAddress(context),
      userAgent: request.headers.get("User-Agent"),
    });
    return redirect(next, { status: 303, headers: { "Set-Cookie": await commitSessionCookie(token, { secure: viaHttps(context) }) } });
  } catch (error) {
    const { message, status, minutes, headers } = retryFormAnswer(error, LOG_IN_ERRORS);
    return data<ActionData>({ errors: {}, values: { email: parsed.data.email }, alert: message, minutes }, { status, headers });
  }
}

export default function LogIn() {
  const result = useActionData<typeof action>();
  const [params] = useSearchParams();
  const { t } = useTranslation();
  const next = params.get("next");
  return (
    <section className="panel centered">
      <h1>{t("auth.logInTitle")}</h1>
      <FormAlert message={result?.alert ? t(result.alert, { minutes: result.minutes ?? 1 }) : undefined} />
      <Form method="post" className="stack" action={next ? `/login?next=${encodeURIComponent(next)}` : "/login"}>
        <FormField name="email" type="email" dir="ltr" label={t("form.email")} autoComplete="email" required defaultValue={result?.values.email} error={result?.errors.email} params={{ max: 254 }} />
        <FormField name="password" type="password" dir="ltr" label={t("auth.password")} autoComplete="current-password" required maxLength={PASSWORD_MAX} error={result?.errors.password} params={{ max: PASSWORD_MAX }} />
        <button type="submit" className="button">
          {t("auth.logInSubmit")}
        </button>
      </Form>
      <p>
        <Link to="/forgot-password">{t("auth.forgotLink")}</Link>
      </p>
      <p>
        <Link to="/signup">{t("auth.noAccountLink")}</Link>
      </p>
    </section>
  );
}
