import { useTranslation } from "~/i18n/use-translation";
import type { MessageKey } from "~/i18n/i18n";

/** Subject, Markdown body and an optional country filter: the fields of an update. */
export function UpdateFields({ values = {}, errors = {} }: { values?: Record<string, string>; errors?: Record<string, MessageKey> }) {
  const { t } = useTranslation();
  const error = (field: string) =>
    errors[field] ? (
      <span className="field-error" id={`u-${field}-error`}>
        {t(errors[field]!)}
      </span>
    ) : null;
  return (
    <>
      <div className="field">
        <label htmlFor="u-subject">{t("updates.subject")}</label>
        <input id="u-subject" name="subject" type="text" required maxLength={200} defaultValue={values.subject} aria-invalid={errors.subject ? true : undefined} aria-describedby={errors.subject ? "u-subject-error" : undefined} />
        {error("subject")}
      </div>
      <div className="field">
        <label htmlFor="u-bodyMd">{t("updates.body")}</label>
        <textarea id="u-bodyMd" name="bodyMd" required rows={12} maxLength={50_000} defaultValue={values.bodyMd} aria-invalid={errors.bodyMd ? true : undefined} aria-describedby={errors.bodyMd ? "u-bodyMd-error" : undefined} />
        {error("bodyMd")}
      </div>
      <div className="field">
        <label htmlFor="u-countries">{t("updates.countries")}</label>
        <input id="u-countries" name="countries" type="text" dir="ltr" maxLength={800} defaultValue={values.countries} aria-invalid={errors.countries ? true : undefined} aria-describedby={errors.countries ? "u-countries-error" : undefined} />
        {error("countries")}
      </div>
    </>
  );
}

