import { Form } from "@remix-run/react";
import { FormField } from "~/components/ui/form-field";
import { useTranslation } from "~/i18n/use-translation";
import { INVALIDATION_FIELDS } from "~/modules/fraud/fraud.fields";
import type { InvalidationFormResult } from "~/modules/fraud/invalidation-form.server";

type Previewed = Extract<InvalidationFormResult, { kind: "preview" }>;

/**
 * Criteria → preview → apply. The apply button carries the previewed numbers, so nothing is
 * applied if the signatures changed in between; `values` fill the form in (from the last post, or
 * from a trend's link).
 */
export function InvalidationForm({ values, previewed }: { values: Record<string, string | undefined>; previewed?: Previewed }) {
  const { t } = useTranslation();
  const errors = previewed?.errors ?? {};
  const preview = previewed?.preview;
  return (
    <section className="panel stack" id="invalidate" aria-labelledby="invalidate-heading">
      <h2 id="invalidate-heading">{t("fraud.invalidate")}</h2>
      <p className="muted">{t("fraud.invalidateHelp")}</p>
      {/* Keyed by the values, so a new post or trend link fills the fields in afresh. */}
      <Form method="post" className="stack" key={JSON.stringify(values)}>
        <FormField name="ipRange" dir="ltr" label={t("fraud.ipRange")} hint={t("fraud.ipRangeHint")} defaultValue={values.ipRange} error={errors.ipRange} maxLength={50} />
        <FormField name="emailDomain" dir="ltr" label={t("fraud.emailDomain")} hint={t("fraud.emailDomainHint")} defaultValue={values.emailDomain} error={errors.emailDomain} maxLength={253} />
        <FormField name="from" type="datetime-local" label={t("fraud.from")} defaultValue={values.from} error={errors.from} />
        <FormField name="to" type="datetime-local" label={t("fraud.to")} defaultValue={values.to} error={errors.to} />
        <FormField name="note" label={t("fraud.note")} defaultValue={previewed?.values.note} error={errors.note} maxLength={500} params={{ max: 500 }} />
        <button type="submit" name="intent" value="preview" className="button secondary">
          {t("fraud.preview")}
        </button>
      </Form>
      {previewed && preview ? (
        <div className="notice stack" role="status">
          <p>{t("fraud.previewResult", { count: preview.signatures, confirmed: preview.confirmed })}</p>
          {preview.signatures > 0 ? (
            <Form method="post">
              {INVALIDATION_FIELDS.map((f) => (
                <input key={f} type="hidden" name={f} value={previewed.values[f] ?? ""} />
              ))}
              <input type="hidden" name="note" value={previewed.values.note ?? ""} />
              <input type="hidden" name="expectedSignatures" value={preview.signatures} />
              <input type="hidden" name="expectedConfirmed" value={preview.confirmed} />
              <button type="submit" name="intent" value="apply" className="button danger">
                {t("fraud.apply", { count: preview.signatures })}
              </button>
            </Form>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}
