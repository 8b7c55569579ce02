import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { FormField } from "~/components/ui/form-field";
import { useTranslation } from "~/i18n/use-translation";
import { PASSWORD_MAX, PASSWORD_MIN, resetPasswordSchema } from "~/modules/accounts/accounts.schema";
import { checkPasswordResetToken, resetPassword } from "~/modules/accounts/reset-password.server";
import { clearSessionCookie } from "~/modules/accounts/session-cookie.server";
import { getDb } from "~/services.server";
import { linkAnswer } from "~/utils/error-answers.server";
import { parseForm, readForm, type FieldErrors } from "~/utils/forms.server";

export const meta: MetaFunction = () => [{ title: "Choose a new password · Banner" }, { name: "robots", content: "noindex" }];
const noStore = { "Cache-Control": "no-store", "Referrer-Policy": "same-origin" };
export const headers = () => noStore;

type View = { state: "form" | "done" | "invalid"; errors?: FieldErrors };

export async function loader({ params }: LoaderFunctionArgs) {
  try {
    await checkPasswordResetToken(getDb(), params.token ?? "");
    return data<View>({ state: "form" }, { headers: noStore });
  } catch (error) {
    return data<View>({ state: "invalid" }, { status: linkAnswer(error).status, headers: noStore });
  }
}

export async function action({ params, request }: ActionFunctionArgs) {
  const parsed = parseForm(resetPasswordSchema, await readForm(request), ["password"]);
  if (!parsed.ok) return data<View>({ state: "form", errors: parsed.errors }, { status: 400, headers: noStore });
  try {
    await resetPassword(getDb(), params.token ?? "", parsed.data.password);
    // Every session ended, this browser's too.
    return data<View>({ state: "done" }, { status: 200, headers: { ...noStore, "Set-Cookie": await clearSessionCookie() } });
  } catch (error) {
    return data<View>({ state: "invalid" }, { status: linkAnswer(error).status, headers: noStore });
  }
}

export default function ResetPassword() {
  const view = (useActionData<typeof action>() ?? useLoaderData<typeof loader>()) as View;
  const { t } = useTranslation();
  return (
    <section className="panel centered">
      <h1>{t("auth.resetTitle")}</h1>
      {view.state === "form" ? (
        <Form method="post" className="stack">
          <FormField name="password" type="password" dir="ltr" label={t("auth.newPassword")} hint={t("auth.passwordHint", { min: PASSWORD_MIN })} autoComplete="new-password" required minLength={PASSWORD_MIN} maxLength={PASSWORD_MAX} error={view.errors?.password} params={{ min: PASSWORD_MIN, max: PASSWORD_MAX }} />
          <button type="submit" className="button">
            {t("auth.resetSubmit")}
          </button>
        </Form>
      ) : view.state === "done" ? (
        <>
          <p className="lead" role="status">
            {t("auth.resetDone")}
          </p>
          <p>
            <Link className="button" to="/login">
              {t("auth.logInTitle")}
            </Link>
          </p>
        </>
      ) : (
        <p className="lead">{t("auth.tokenInvalid")}</p>
      )}
    </section>
  );
}
