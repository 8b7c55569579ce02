import { data, type ActionFunctionArgs, type HeadersFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData } from "@remix-run/react";
import { FormAlert, FormField } from "~/components/ui/form-field";
import { translator, type MessageKey } from "~/i18n/i18n";
import { assertLanguageParam, localeFor, withLanguageVary } from "~/i18n/locale.server";
import { rootLocale } from "~/i18n/meta";
import { useTranslation } from "~/i18n/use-translation";
import { erasureRequestSchema } from "~/modules/privacy/privacy.schema";
import { requestErasure } from "~/modules/privacy/self-service-erasure.server";
import { getDb, getReadyRedis } from "~/services.server";
import { env } from "~/utils/env.server";
import { retryFormAnswer } from "~/utils/error-answers.server";
import { parseForm, readForm, type FieldErrors } from "~/utils/forms.server";
import { clientAddress } from "~/utils/http.server";
import type { RouteHandle } from "~/root";

/** A public page signers open on their phones (most from an email): server HTML and the public pages' small script, no React (ADR 0014). */
export const handle: RouteHandle = { hydrate: false };

export const meta: MetaFunction = ({ matches }) => {
  const t = translator(rootLocale(matches));
  return [{ title: `${t("privacy.title")} · ${t("site.name")}` }];
};

export async function loader({ params }: LoaderFunctionArgs) {
  assertLanguageParam(params);
  return null;
}

type ActionData = { done: true } | { done?: false; errors: FieldErrors; values: Record<string, string>; alert?: MessageKey; minutes?: number };

const noStore = { "Cache-Control": "no-store" };
// Without this export Remix drops the action's headers (Cache-Control, Retry-After).
export const headers: HeadersFunction = ({ actionHeaders, parentHeaders }) => withLanguageVary(parentHeaders, Object.fromEntries(actionHeaders));

// The answer is the same whether or not the address ever signed: only its inbox learns that.
export async function action({ request, params, context }: ActionFunctionArgs) {
  assertLanguageParam(params);
  const parsed = parseForm(erasureRequestSchema, await readForm(request), ["email"]);
  if (!parsed.ok) return data<ActionData>({ errors: parsed.errors, values: parsed.values }, { status: 400, headers: noStore });
  try {
    await requestErasure(
      { db: getDb(), redis: await getReadyRedis(), redisPrefix: env().REDIS_PREFIX },
      { email: parsed.data.email, locale: localeFor(request), ipAddress: clientAddress(context) },
    );
    return data<ActionData>({ done: true }, { headers: noStore });
  } catch (error) {
    const { message, status, minutes, headers } = retryFormAnswer(error, { RATE_LIMITED: "privacy.rateLimited", REDIS_UNAVAILABLE: "privacy.unavailable" }, 60);
    return data<ActionData>({ errors: {}, values: { email: parsed.data.email }, alert: message, minutes }, { status, headers: { ...noStore, ...headers } });
  }
}

export default function Privacy() {
  const result = useActionData<typeof action>();
  const { t } = useTranslation();
  return (
    <section className="panel centered">
      <h1>{t("privacy.title")}</h1>
      <p>{t("privacy.intro")}</p>
      <p>{t("privacy.keep")}</p>
      <h2>{t("privacy.eraseTitle")}</h2>
      {result?.done ? (
        <p className="lead" role="status">
          {t("privacy.requested")}
        </p>
      ) : (
        <>
          <p>{t("privacy.eraseIntro")}</p>
          <FormAlert message={result?.alert ? t(result.alert, { minutes: result.minutes ?? 1 }) : undefined} />
          <Form method="post" className="stack">
            <FormField name="email" type="email" dir="ltr" label={t("form.email")} autoComplete="email" required maxLength={254} defaultValue={result?.values.email} error={result?.errors.email} params={{ max: 254 }} />
            <button type="submit" className="button">
              {t("privacy.eraseSubmit")}
            </button>
          </Form>
        </>
      )}
    </section>
  );
}
