import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { FormAlert, FormField } from "~/components/ui/form-field";
import { PostButton } from "~/components/ui/post-button";
import { useTranslation } from "~/i18n/use-translation";
import type { MessageKey } from "~/i18n/i18n";
import { changePasswordSchema, PASSWORD_MAX, PASSWORD_MIN } from "~/modules/accounts/accounts.schema";
import { changePassword } from "~/modules/accounts/reset-password.server";
import { requireUser } from "~/modules/accounts/session-cookie.server";
import { listActiveSessions, revokeSession } from "~/modules/accounts/sessions.server";
import { getDb } from "~/services.server";
import { placedFormAnswer } from "~/utils/error-answers.server";
import { parseForm, readForm, type FieldErrors } from "~/utils/forms.server";

export const meta: MetaFunction = () => [{ title: "Account · Banner" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const sessions = await listActiveSessions(getDb(), user.id);
  return data(
    {
      user: { displayName: user.displayName, email: user.email },
      sessions: sessions.map((s) => ({ id: s.id, current: s.id === user.sessionId, lastSeen: s.last_seen_at.toISOString(), userAgent: s.user_agent ?? "" })),
    },
    { headers: { "Cache-Control": "no-store" } },
  );
}

type ActionData = { errors?: FieldErrors; notice?: MessageKey; alert?: MessageKey };

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const form = await readForm(request);
  const intent = form.get("intent");
  if (intent === "revoke-session") {
    const parsed = z.object({ sessionId: z.coerce.number().int().positive() }).safeParse({ sessionId: form.get("sessionId") });
    if (!parsed.success) return data<ActionData>({ alert: "errorPage.body" }, { status: 400 });
    // Only this user's own sessions: the id is looked up among them.
    const own = (await listActiveSessions(getDb(), user.id)).some((s) => s.id === parsed.data.sessionId);
    if (own) await revokeSession(getDb(), parsed.data.sessionId);
    return data<ActionData>({});
  }
  const parsed = parseForm(changePasswordSchema, form, ["currentPassword", "newPassword"]);
  if (!parsed.ok) return data<ActionData>({ errors: parsed.errors }, { status: 400 });
  try {
    await changePassword(getDb(), { id: user.id, sessionId: user.sessionId }, parsed.data);
  } catch (error) {
    const { errors, alert, status } = placedFormAnswer(error, { INVALID_CREDENTIALS: "auth.wrongPassword" });
    return data<ActionData>({ errors, alert }, { status });
  }
  return data<ActionData>({ notice: "auth.changeDone" });
}

export default function Account() {
  const { user, sessions } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const { t } = useTranslation();
  return (
    <div className="centered stack-page">
      <h1>{user.displayName}</h1>
      <p className="muted" dir="ltr">
        {user.email}
      </p>
      <section className="panel">
        <h2>{t("auth.changeTitle")}</h2>
        <FormAlert message={result?.alert ? t(result.alert) : undefined} />
        {result?.notice ? (
          <p className="notice" role="status">
            {t(result.notice)}
          </p>
        ) : null}
        <Form method="post" className="stack">
          <input type="hidden" name="intent" value="change-password" />
          <FormField name="currentPassword" type="password" dir="ltr" label={t("auth.currentPassword")} autoComplete="current-password" required error={result?.errors?.currentPassword} params={{ max: PASSWORD_MAX }} />
          <FormField name="newPassword" type="password" dir="ltr" label={t("auth.newPassword")} hint={t("auth.passwordHint", { min: PASSWORD_MIN })} autoComplete="new-password" required minLength={PASSWORD_MIN} maxLength={PASSWORD_MAX} error={result?.errors?.newPassword} params={{ min: PASSWORD_MIN, max: PASSWORD_MAX }} />
          <button type="submit" className="button">
            {t("auth.changeSubmit")}
          </button>
        </Form>
      </section>
      <section className="panel">
        <h2>{t("auth.sessionsTitle")}</h2>
        <ul className="signers">
          {sessions.map((s) => (
            <li key={s.id}>
              <span>
                {s.current ? <strong>{t("auth.sessionCurrent")}</strong> : <span dir="ltr">{s.userAgent.slice(0, 60)}</span>}
                <br />
                <span className="muted">
                  {t("auth.lastSeen")}: <time dateTime={s.lastSeen}>{s.lastSeen.slice(0, 16).replace("T", " ")}</time>
                </span>
              </span>
              {s.current ? null : (
                <PostButton fields={{ intent: "revoke-session", sessionId: s.id }}>{t("auth.sessionRevoke")}</PostButton>
              )}
            </li>
          ))}
        </ul>
      </section>
      <Form method="post" action="/logout">
        <button type="submit" className="button secondary">
          {t("nav.logOut")}
        </button>
      </Form>
    </div>
  );
}
