import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { ErrorSummary, FormAlert } from "~/components/ui/form-field";
import { direction, isLocale, type MessageKey } from "~/i18n/i18n";
import { useTranslation } from "~/i18n/use-translation";
import { requireUser } from "~/modules/accounts/session-cookie.server";
import { CAMPAIGN_LIMITS, TRANSLATION_FIELDS, translationFormSchema } from "~/modules/campaigns/lifecycle.schema";
import { listCampaignTranslations, saveCampaignTranslation } from "~/modules/campaigns/save-campaign-translation.server";
import { getDb } from "~/services.server";
import { formAnswer, throwPageError } from "~/utils/error-answers.server";
import { parseForm, readForm, type FieldErrors } from "~/utils/forms.server";
import { NO_STORE, routeId } from "~/utils/http.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.campaign.title ?? "Campaign"} · Banner` }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  try {
    const { campaign, languages, editable } = await listCampaignTranslations(getDb(), user, routeId(params.id));
    // The language being edited: ?locale=, else the first one that needs work.
    const asked = new URL(request.url).searchParams.get("locale");
    const selected = languages.find((l) => l.locale === asked) ?? languages.find((l) => l.state !== "current") ?? languages[0]!;
    return data(
      {
        campaign: {
          id: campaign.id,
          title: campaign.title,
          locale: campaign.locale,
          askVersion: campaign.ask_version,
          original: { title: campaign.title, summary: campaign.summary, ask: campaign.ask, addressedTo: campaign.addressed_to },
        },
        languages: languages.map((l) => ({ locale: l.locale, state: l.state, askVersion: l.askVersion })),
        selected,
        editable,
      },
      { headers: { "Cache-Control": NO_STORE } },
    );
  } catch (error) {
    throwPageError(error);
  }
}

type ActionData = { errors?: FieldErrors; values?: Record<string, string>; alert?: MessageKey; saved?: string };

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const id = routeId(params.id);
  const parsed = parseForm(translationFormSchema, await readForm(request, 64 * 1024), TRANSLATION_FIELDS);
  if (!parsed.ok) return data<ActionData>({ errors: parsed.errors, values: parsed.values }, { status: 400 });
  try {
    const saved = await saveCampaignTranslation(getDb(), user, { campaignId: id, input: parsed.data });
    return data<ActionData>({ saved: saved.locale });
  } catch (error) {
    const { message, status } = formAnswer(error, { CAMPAIGN_NOT_EDITABLE: "translations.notEditable" });
    return data<ActionData>({ alert: message, values: parsed.data as Record<string, string> }, { status });
  }
}

const FIELDS = [
  { name: "title", label: "campaigns.field.title", max: CAMPAIGN_LIMITS.title, multiline: false },
  { name: "summary", label: "campaigns.field.summary", max: CAMPAIGN_LIMITS.summary, multiline: false },
  { name: "ask", label: "campaigns.field.ask", max: CAMPAIGN_LIMITS.ask, multiline: true },
  { name: "addressedTo", label: "campaigns.field.addressedTo", max: CAMPAIGN_LIMITS.addressedTo, multiline: false },
  { name: "argumentMd", label: "campaigns.field.argument", max: CAMPAIGN_LIMITS.argument, multiline: true },
] as const satisfies readonly { name: (typeof TRANSLATION_FIELDS)[number]; label: MessageKey; max: number; multiline: boolean }[];

export default function CampaignTranslations() {
  const { campaign, languages, selected, editable } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const { t } = useTranslation();
  const language = (l: string) => (isLocale(l) ? t(`language.${l}` as MessageKey) : l);
  const stateText = (l: (typeof languages)[number]) =>
    l.state === "outdated" ? t("translations.state.outdated", { version: l.askVersion ?? 0 }) : t(`translations.state.${l.state}` as MessageKey);
  const errors = result?.errors ?? {};
  const values: Record<string, string> = result?.values ?? { ...(selected.texts ?? {}) };
  const target = selected.locale;
  // What the organiser types is in the target language: its fields take that language and direction.
  const textLang = { lang: target, dir: direction(target) };
  const described = (name: string, hint: boolean) => [hint ? `tr-${name}-hint` : "", errors[name] ? `tr-${name}-error` : ""].filter(Boolean).join(" ") || undefined;
  const original = campaign.original as Record<string, string>;

  return (
    <div className="stack-page">
      <p>
        <Link to={`/dashboard/campaigns/${campaign.id}`}>{campaign.title}</Link>
      </p>
      <h1>{t("translations.title")}</h1>
      <p>{t("translations.intro", { language: language(campaign.locale), version: campaign.askVersion })}</p>
      <table>
        <caption className="visually-hidden">{t("translations.title")}</caption>
        <thead>
          <tr>
            <th scope="col">{t("translations.language")}</th>
            <th scope="col">{t("translations.state")}</th>
          </tr>
        </thead>
        <tbody>
          {languages.map((l) => (
            <tr key={l.locale} data-locale={l.locale} data-state={l.state}>
              <th scope="row">
                <Link to={`?locale=${l.locale}`} aria-current={l.locale === target ? "true" : undefined}>
                  {language(l.locale)}
                </Link>
              </th>
              <td>{stateText(l)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <FormAlert message={result?.alert ? t(result.alert) : undefined} />
      {result?.saved ? (
        <p className="notice" role="status">
          {t("translations.saved")}
        </p>
      ) : null}
      {editable ? (
        <section className="panel" aria-labelledby="translation-heading">
          <h2 id="translation-heading" className="panel-heading">
            {t("translations.formHeading", { language: language(target) })}
          </h2>
          <Form method="post" className="stack" key={`${target}-${JSON.stringify(result?.values ?? null)}`}>
            <ErrorSummary
              id="translation-errors"
              heading={t("form.errorSummary")}
              items={FIELDS.filter((f) => errors[f.name]).map((f) => ({ href: `#tr-${f.name}`, text: `${t(f.label)}: ${t(errors[f.name]!)}` }))}
              focusKey={result}
            />
            <input type="hidden" name="locale" value={target} />
            {FIELDS.map((f) => {
              const props = {
                id: `tr-${f.name}`,
                name: f.name,
                required: true,
                maxLength: f.max,
                defaultValue: values[f.name] ?? "",
                "aria-invalid": errors[f.name] ? true : undefined,
                "aria-describedby": described(f.name, f.name in original),
                ...textLang,
              };
              return (
                <div className="field" key={f.name}>
                  <label htmlFor={`tr-${f.name}`}>{t(f.label)}</label>
                  {f.name in original ? (
                    <span className="hint" id={`tr-${f.name}-hint`}>
                      {t("translations.original")}{" "}
                      <span className="bidi" lang={campaign.locale} dir={direction(campaign.locale)}>
                        {original[f.name]}
                      </span>
                    </span>
                  ) : null}
                  {f.multiline ? <textarea {...props} rows={f.name === "argumentMd" ? 12 : 3} /> : <input type="text" {...props} />}
                  {errors[f.name] ? (
                    <span className="field-error" id={`tr-${f.name}-error`}>
                      {t(errors[f.name]!)}
                    </span>
                  ) : null}
                </div>
              );
            })}
            <button type="submit" className="button">
              {t("translations.save")}
            </button>
          </Form>
        </section>
      ) : (
        <p className="notice">{t("translations.notEditable")}</p>
      )}
    </div>
  );
}
