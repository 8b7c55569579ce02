import { Form, useLocation, useNavigation } from "@remix-run/react";
import { EMBED_PATH_PREFIX } from "~/modules/embeds/framing";
import type { ReactNode } from "react";
import { ErrorSummary } from "~/components/ui/form-field";
import { useTranslation } from "~/i18n/use-translation";
import type { MessageKey } from "~/i18n/i18n";
import { FORM_STAMP_FIELD, HONEYPOT_FIELD } from "~/modules/fraud/fraud.fields";
import { FIELD_MESSAGE_PARAMS, SIGN_FIELDS, SIGNATURE_LIMITS, type SignField, type SignFieldErrors } from "~/modules/signatures/signatures.fields";

/**
 * The country list's options as markup, placeholder first: made once per language on the server
 * (app/i18n/country-options-markup.server.tsx) from the very elements CountrySelect renders, for
 * the public campaign page, whose every uncached view would otherwise render 250 options again.
 */
export interface CountryOptionsMarkup {
  optionsHtml: string;
}

export type CountryList = readonly { code: string; name: string }[] | CountryOptionsMarkup;

export interface SignFormProps {
  countries: CountryList;
  actionData?: { errors: SignFieldErrors; values: Record<string, string>; rateLimitedMinutes?: number };
  /** from the share link the page was opened with: sent back as hidden fields */
  attribution?: { partner: { code: string; name: string } | null; ref: string | null; via: string | null };
  /** when the page was rendered (signed by the server): the minimum time to fill the form counts from it */
  formStamp?: string;
  /** Shown but not sendable (the organisers' preview). */
  disabled?: boolean;
}

/**
 * A plain HTML form: it works without JavaScript; with it, it is sent without a reload, by Remix
 * where the page is hydrated, else by the page script (app/enhance/, which finds it by
 * `data-enhance="sign-form"` and shows `data-busy-label` while sending).
 */
export function SignForm({ countries, actionData, attribution, formStamp, disabled = false }: SignFormProps) {
  const { t } = useTranslation();
  const navigation = useNavigation();
  const { pathname } = useLocation();
  // Share links open the page with ?ref=…&via=…&fbclid=…&utm_…; what counts of that travels in the
  // hidden fields below, so the form posts to the bare page URL, which server/sign-form-post.ts
  // takes on its fast path. The widget keeps its query (?lang=, ?partner=), as it always has.
  const action = pathname.startsWith(EMBED_PATH_PREFIX) ? undefined : pathname;
  const submitting = navigation.state === "submitting";
  const errors = actionData?.errors ?? {};
  const values = actionData?.values ?? {};
  const errorText = (field: SignField) => {
    const key = errors[field];
    return key ? t(key as MessageKey, FIELD_MESSAGE_PARAMS[field]) : undefined;
  };
  const invalid = SIGN_FIELDS.filter((f) => errors[f]);
  // Re-key the form after each failed submit so the browser shows the values we send back.
  const formKey = JSON.stringify(values);

  const field = (name: SignField, label: string, control: ReactNode, hint?: string) => (
    <div className="field">
      <label htmlFor={`sign-${name}`}>{label}</label>
      {hint ? (
        <span className="hint" id={`sign-${name}-hint`}>
          {hint}
        </span>
      ) : null}
      {control}
      {errors[name] ? (
        <span className="field-error" id={`sign-${name}-error`}>
          {errorText(name)}
        </span>
      ) : null}
    </div>
  );
  const describedBy = (name: SignField, hint = false) =>
    [hint ? `sign-${name}-hint` : "", errors[name] ? `sign-${name}-error` : ""].filter(Boolean).join(" ") || undefined;
  const check = (name: "publicName" | "optIn" | "consent", label: string) => (
    <div className="field">
      <div className="check">
        <input
          type="checkbox"
          id={`sign-${name}`}
          name={name}
          defaultChecked={values[name] !== undefined && !errors[name]}
          required={name === "consent"}
          aria-invalid={errors[name] ? true : undefined}
          aria-describedby={describedBy(name)}
        />
        <label htmlFor={`sign-${name}`} style={{ fontWeight: name === "consent" ? 600 : 400 }}>
          {label}
        </label>
      </div>
      {errors[name] ? (
        <span className="field-error" id={`sign-${name}-error`}>
          {errorText(name)}
        </span>
      ) : null}
    </div>
  );

  const fields = (
    <>
      <ErrorSummary id="sign-errors" heading={t("form.errorSummary")} items={invalid.map((f) => ({ href: `#sign-${f}`, text: errorText(f)! }))} focusKey={actionData} />
      {actionData?.rateLimitedMinutes ? (
        <div className="error-summary" role="alert">
          {t("sign.rateLimited", { minutes: actionData.rateLimitedMinutes })}
        </div>
      ) : null}
      {/* A re-rendered form keeps its first stamp (sent back in values). */}
      <input type="hidden" name={FORM_STAMP_FIELD} value={values[FORM_STAMP_FIELD] ?? formStamp ?? ""} />
      {/* The honeypot: out of sight, out of the tab order and hidden from screen readers; bots fill it in. */}
      <div className="visually-hidden" aria-hidden="true">
        <label htmlFor={`sign-${HONEYPOT_FIELD}`}>{t("form.honeypot")}</label>
        <input type="text" id={`sign-${HONEYPOT_FIELD}`} name={HONEYPOT_FIELD} tabIndex={-1} autoComplete="off" defaultValue="" />
      </div>
      {field(
        "name",
        t("form.name"),
        <input id="sign-name" name="name" type="text" autoComplete="name" required maxLength={SIGNATURE_LIMITS.name} defaultValue={values.name} aria-invalid={errors.name ? true : undefined} aria-describedby={describedBy("name")} />,
      )}
      {field(
        "email",
        t("form.email"),
        <input id="sign-email" name="email" type="email" autoComplete="email" required maxLength={SIGNATURE_LIMITS.email} defaultValue={values.email} dir="ltr" aria-invalid={errors.email ? true : undefined} aria-describedby={describedBy("email", true)} />,
        t("form.emailHint"),
      )}
      {field(
        "country",
        t("form.country"),
        <CountrySelect countries={countries} placeholder={t("form.chooseCountry")} value={values.country ?? ""} invalid={Boolean(errors.country)} describedBy={describedBy("country")} />,
      )}
      {field(
        "postalCode",
        t("form.postalCode"),
        <input id="sign-postalCode" name="postalCode" type="text" autoComplete="postal-code" maxLength={SIGNATURE_LIMITS.postalCode} defaultValue={values.postalCode} aria-invalid={errors.postalCode ? true : undefined} aria-describedby={describedBy("postalCode")} />,
      )}
      {field(
        "comment",
        t("form.comment"),
        <textarea id="sign-comment" name="comment" maxLength={SIGNATURE_LIMITS.comment} defaultValue={values.comment} aria-invalid={errors.comment ? true : undefined} aria-describedby={describedBy("comment")} />,
      )}
      {check("publicName", t("form.publicName"))}
      {check("optIn", t("form.optIn"))}
      {attribution?.partner ? (
        <div className="field">
          <div className="check">
            <input type="hidden" name="partner" value={attribution.partner.code} />
            <input type="checkbox" id="sign-optInPartner" name="optInPartner" defaultChecked={values.optInPartner !== undefined} />
            <label htmlFor="sign-optInPartner" style={{ fontWeight: 400 }}>
              {t("form.optInPartner", { partner: attribution.partner.name })}
            </label>
          </div>
        </div>
      ) : null}
      {attribution?.ref ? <input type="hidden" name="ref" value={attribution.ref} /> : null}
      {attribution?.via ? <input type="hidden" name="via" value={attribution.via} /> : null}
      {check("consent", t("form.consent"))}
      <button type="submit" className="button full" disabled={submitting} data-busy-label={t("form.submitting")}>
        {submitting ? t("form.submitting") : t("form.submit")}
      </button>
    </>
  );

  return (
    <Form method="post" action={action} className="stack" key={formKey} aria-describedby={invalid.length ? "sign-errors" : undefined} data-enhance="sign-form">
      {disabled ? (
        <fieldset disabled className="stack plain-fieldset">
          {fields}
        </fieldset>
      ) : (
        fields
      )}
    </Form>
  );
}

/** The placeholder and the countries, as options of the sign form's country list. */
export function countrySelectOptions(placeholder: string, countries: readonly { code: string; name: string }[]) {
  return (
    <>
      <option value="">{placeholder}</option>
      {countries.map((c) => (
        <option key={c.code} value={c.code}>
          {c.name}
        </option>
      ))}
    </>
  );
}

/**
 * The options markup with `value` chosen, as React marks a select's default value: `selected=""`
 * on the one option whose value it is (none when no option has it), the placeholder when empty.
 */
export function withChosenCountry(optionsHtml: string, value: string): string {
  if (value === "") return optionsHtml;
  const unchosen = optionsHtml.replace('<option value="" selected="">', '<option value="">');
  // Only a country code can be an option's value; anything else chooses none, as in React.
  return /^[A-Z]{2}$/.test(value) ? unchosen.replace(`<option value="${value}">`, `<option value="${value}" selected="">`) : unchosen;
}

export function CountrySelect({ countries, placeholder, value, invalid, describedBy }: { countries: CountryList; placeholder: string; value: string; invalid: boolean; describedBy: string | undefined }) {
  const common = { id: "sign-country", name: "country", required: true, autoComplete: "country", defaultValue: value, "aria-invalid": invalid ? true : undefined, "aria-describedby": describedBy };
  if ("optionsHtml" in countries) return <select {...common} dangerouslySetInnerHTML={{ __html: withChosenCountry(countries.optionsHtml, value) }} />;
  return <select {...common}>{countrySelectOptions(placeholder, countries)}</select>;
}
