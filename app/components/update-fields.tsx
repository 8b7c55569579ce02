import { useTranslation } from "~/i18n/use-translation";
import type { MessageKey } from "~/i18n/i18n";

/**
 * Subject, Markdown body, an optional country filter and whether the update is also published on
 * the campaign page (`published`: the box's state; ticked unless the organiser untick it).
 */
export function UpdateFields({ values = {}, errors = {}, published = true }: { values?: Record<string, string>; errors?: Record<string, MessageKey>; published?: boolean }) {
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
      <div className="field">
        <div className="check">
          <input type="checkbox" id="u-publishOnPage" name="publishOnPage" defaultChecked={published} aria-describedby="u-publishOnPage-hint" />
          <label htmlFor="u-publishOnPage">{t("updates.publishOnPage")}</label>
        </div>
        <span className="hint" id="u-publishOnPage-hint">
          {t("updates.publishOnPageHint")}
        </span>
      </div>
    </>
  );
}

