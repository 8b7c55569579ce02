import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { FormAlert, FormField } from "~/components/ui/form-field";
import { useTranslation } from "~/i18n/use-translation";
import type { MessageKey } from "~/i18n/i18n";
import { requireUser } from "~/modules/accounts/session-cookie.server";
import { API_KEY_NAME_MAX, apiKeyIdSchema, createApiKeySchema } from "~/modules/api-keys/api-keys.schema";
import { createApiKey, listApiKeys, revokeApiKey } from "~/modules/api-keys/api-keys.server";
import { getDb } from "~/services.server";
import { throwPageError } from "~/utils/error-answers.server";
import { parseForm, readForm, type FieldErrors } from "~/utils/forms.server";

export const meta: MetaFunction = () => [{ title: "API keys · Banner" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  try {
    const { organisation, keys } = await listApiKeys(getDb(), user, params.slug ?? "");
    return data(
      {
        organisation: { slug: organisation.slug, name: organisation.name },
        keys: keys.map((k) => ({
          id: k.id,
          name: k.name,
          scope: k.scope,
          hint: k.hint,
          createdAt: k.created_at.toISOString(),
          lastUsedAt: k.last_used_at?.toISOString() ?? null,
          revokedAt: k.revoked_at?.toISOString() ?? null,
        })),
      },
      { headers: { "Cache-Control": "no-store" } },
    );
  } catch (error) {
    throwPageError(error);
  }
}

type ActionData = { errors?: FieldErrors; values?: Record<string, string>; alert?: MessageKey; created?: { name: string; key: string } };

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const slug = params.slug ?? "";
  const form = await readForm(request);
  try {
    switch (form.get("intent")) {
      case "create": {
        const parsed = parseForm(createApiKeySchema, form, ["name", "scope"]);
        if (!parsed.ok) return data<ActionData>({ errors: parsed.errors, values: parsed.values }, { status: 400 });
        const { key } = await createApiKey(getDb(), user, slug, parsed.data);
        // The key is in this one response and nowhere else: the database keeps only its hash.
        return data<ActionData>({ created: { name: parsed.data.name, key } }, { headers: { "Cache-Control": "no-store" } });
      }
      case "revoke": {
        const parsed = apiKeyIdSchema.safeParse(form.get("keyId"));
        if (!parsed.success) return data<ActionData>({ alert: "errorPage.body" }, { status: 400 });
        await revokeApiKey(getDb(), user, slug, parsed.data);
        return data<ActionData>({});
      }
      default:
        return data<ActionData>({ alert: "errorPage.body" }, { status: 400 });
    }
  } catch (error) {
    throwPageError(error);
  }
}

export default function ApiKeysPage() {
  const { organisation, keys } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const { t, date } = useTranslation();
  return (
    <div className="stack-page">
      <p>
        <Link to={`/dashboard/orgs/${organisation.slug}`}>{organisation.name}</Link>
      </p>
      <h1>{t("apiKeys.title")}</h1>
      <p>{t("apiKeys.intro")}</p>
      <p className="muted">{t("apiKeys.consentNote")}</p>
      <FormAlert message={result?.alert ? t(result.alert) : undefined} />
      {result?.created ? (
        <div className="notice" role="status">
          <p>{t("apiKeys.created", { name: result.created.name })}</p>
          <p>
            <code dir="ltr" className="api-key">
              {result.created.key}
            </code>
          </p>
        </div>
      ) : null}
      <section className="panel">
        <h2>{t("apiKeys.newTitle")}</h2>
        <Form method="post" className="stack">
          <input type="hidden" name="intent" value="create" />
          <FormField name="name" label={t("apiKeys.name")} required maxLength={API_KEY_NAME_MAX} defaultValue={result?.values?.name} error={result?.errors?.name} params={{ max: API_KEY_NAME_MAX }} />
          <fieldset className="field">
            <legend>{t("apiKeys.scope")}</legend>
            {(["read", "write"] as const).map((scope) => (
              <label key={scope} className="check">
                <input type="radio" name="scope" value={scope} defaultChecked={(result?.values?.scope ?? "read") === scope} aria-describedby={result?.errors?.scope ? "f-scope-error" : undefined} />
                {t(scope === "read" ? "apiKeys.scope.read" : "apiKeys.scope.write")}
              </label>
            ))}
            {result?.errors?.scope ? (
              <span className="field-error" id="f-scope-error">
                {t(result.errors.scope)}
              </span>
            ) : null}
          </fieldset>
          <button type="submit" className="button">
            {t("apiKeys.create")}
          </button>
        </Form>
      </section>
      <section className="panel">
        <h2>{t("apiKeys.listTitle")}</h2>
        {keys.length === 0 ? <p className="muted">{t("apiKeys.none")}</p> : null}
        <ul className="signers">
          {keys.map((k) => (
            <li key={k.id}>
              <span>
                <strong className="bidi">{k.name}</strong> <code dir="ltr">{k.hint}…</code>
                <br />
                <span className="muted">
                  {t(k.scope === "read" ? "apiKeys.scope.read" : "apiKeys.scope.write")} · {t("apiKeys.createdOn", { date: date(k.createdAt) })} ·{" "}
                  {k.lastUsedAt ? t("apiKeys.lastUsed", { date: date(k.lastUsedAt) }) : t("apiKeys.neverUsed")}
                </span>
              </span>
              {k.revokedAt ? (
                <span className="muted">{t("apiKeys.revoked", { date: date(k.revokedAt) })}</span>
              ) : (
                <Form method="post">
                  <input type="hidden" name="intent" value="revoke" />
                  <input type="hidden" name="keyId" value={k.id} />
                  <button type="submit" className="button secondary" aria-label={t("apiKeys.revokeNamed", { name: k.name })}>
                    {t("apiKeys.revoke")}
                  </button>
                </Form>
              )}
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}
