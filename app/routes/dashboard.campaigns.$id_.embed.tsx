import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { FormField } from "~/components/ui/form-field";
import type { MessageKey } from "~/i18n/i18n";
import { useTranslation } from "~/i18n/use-translation";
import { requireUser } from "~/modules/accounts/session-cookie.server";
import { embedOriginFormSchema, embedOriginSchema, MAX_EMBED_ORIGINS } from "~/modules/embeds/embeds.schema";
import { allowEmbedOrigin, getEmbedSettings, removeEmbedOrigin } from "~/modules/embeds/embeds.server";
import { getDb } from "~/services.server";
import { env } from "~/utils/env.server";
import { placedFormAnswer, throwPageError } from "~/utils/error-answers.server";
import { parseForm, readForm, type FieldErrors } from "~/utils/forms.server";
import { routeId } from "~/utils/http.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.campaign.title ?? "Campaign"} · Banner` }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  try {
    const { campaign, origins, partners } = await getEmbedSettings(getDb(), user, routeId(params.id));
    return data(
      { campaign: { id: campaign.id, slug: campaign.slug, title: campaign.title }, origins, partners, appUrl: env().APP_URL },
      { headers: { "Cache-Control": "no-store" } },
    );
  } catch (error) {
    throwPageError(error);
  }
}

type ActionData = { errors: FieldErrors; alert?: MessageKey; values: Record<string, string> };

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const id = routeId(params.id);
  const form = await readForm(request);
  try {
    if (form.get("intent") === "remove") {
      const origin = embedOriginSchema.safeParse(form.get("origin"));
      if (origin.success) await removeEmbedOrigin(getDb(), user, id, origin.data);
    } else {
      const parsed = parseForm(embedOriginFormSchema, form, ["origin"]);
      if (!parsed.ok) return data<ActionData>({ errors: parsed.errors, values: parsed.values }, { status: 400 });
      await allowEmbedOrigin(getDb(), user, id, parsed.data.origin);
    }
  } catch (error) {
    const { errors, alert, status } = placedFormAnswer(error);
    return data<ActionData>({ errors, alert, values: { origin: String(form.get("origin") ?? "") } }, { status });
  }
  return redirect(`/dashboard/campaigns/${id}/embed`, { status: 303 });
}

const attr = (value: string) => value.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");

/** The two ways to embed: an iframe, or the script that inserts one and sizes it. */
function snippets(appUrl: string, slug: string, title: string, partnerCode?: string) {
  const query = partnerCode ? `?partner=${partnerCode}` : "";
  return {
    iframe: `<iframe src="${appUrl}/embed/campaigns/${slug}${query}" title="${attr(title)}" style="border:0;width:100%;max-width:34rem;height:720px"></iframe>`,
    script: `<script src="${appUrl}/embed.js" data-campaign="${slug}"${partnerCode ? ` data-partner="${partnerCode}"` : ""} data-title="${attr(title)}" async></script>`,
  };
}

export default function CampaignEmbedSettings() {
  const { campaign, origins, partners, appUrl } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const { t } = useTranslation();
  const general = snippets(appUrl, campaign.slug, campaign.title);
  return (
    <div className="stack-page">
      <p>
        <Link to={`/dashboard/campaigns/${campaign.id}`}>{campaign.title}</Link>
      </p>
      <h1>{t("embedAdmin.title", { title: campaign.title })}</h1>
      <p>{t("embedAdmin.intro")}</p>
      <section className="panel" aria-labelledby="origins-heading">
        <h2 id="origins-heading">{t("embedAdmin.origins")}</h2>
        {origins.length === 0 ? (
          <p className="muted">{t("embedAdmin.none")}</p>
        ) : (
          <ul className="signers" data-testid="embed-origins">
            {origins.map((origin) => (
              <li key={origin}>
                <span dir="ltr">{origin}</span>
                <Form method="post">
                  <input type="hidden" name="intent" value="remove" />
                  <input type="hidden" name="origin" value={origin} />
                  <button type="submit" className="button secondary" aria-label={`${t("embedAdmin.remove")} ${origin}`}>
                    {t("embedAdmin.remove")}
                  </button>
                </Form>
              </li>
            ))}
          </ul>
        )}
        <Form method="post" className="stack">
          <input type="hidden" name="intent" value="allow" />
          <FormField
            name="origin"
            type="url"
            dir="ltr"
            required
            maxLength={200}
            label={t("embedAdmin.origin")}
            hint={t("embedAdmin.originHint")}
            defaultValue={result?.values.origin}
            error={result?.errors.origin as MessageKey | undefined}
            params={{ max: MAX_EMBED_ORIGINS }}
          />
          <button type="submit" className="button">
            {t("embedAdmin.add")}
          </button>
        </Form>
      </section>
      <section className="panel" aria-labelledby="snippet-heading">
        <h2 id="snippet-heading">{t("embedAdmin.snippet")}</h2>
        <p>{t("embedAdmin.snippetIframe")}</p>
        <pre dir="ltr" className="snippet">
          <code>{general.iframe}</code>
        </pre>
        <p>{t("embedAdmin.snippetScript")}</p>
        <pre dir="ltr" className="snippet">
          <code>{general.script}</code>
        </pre>
        {partners.map((p) => (
          <div key={p.shareCode}>
            <p>{t("embedAdmin.partnerSnippet", { partner: p.name })}</p>
            <pre dir="ltr" className="snippet">
              <code>{snippets(appUrl, campaign.slug, campaign.title, p.shareCode).script}</code>
            </pre>
          </div>
        ))}
      </section>
    </div>
  );
}
