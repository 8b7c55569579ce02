import { Form } from "@remix-run/react";
import { useTranslation } from "~/i18n/use-translation";
import type { MessageKey } from "~/i18n/i18n";
import { CAMPAIGN_LIMITS } from "~/modules/campaigns/lifecycle.schema";

export interface CampaignFormValues {
  slug?: string;
  title?: string;
  summary?: string;
  ask?: string;
  addressedTo?: string;
  argumentMd?: string;
  goal?: string | number;
  deadline?: string;
  targets?: { name: string; role: string; country: string | null }[];
}

/** The organiser's campaign form: plain HTML, works without JavaScript. */
export function CampaignForm({
  values,
  errors = {},
  signedVersion = null,
  submitLabel,
}: {
  values: CampaignFormValues;
  errors?: Record<string, MessageKey>;
  /** the ask version people have signed, once anyone has: the address locks, the ask gets versioned */
  signedVersion?: number | null;
  submitLabel: string;
}) {
  const { t } = useTranslation();
  const err = (field: string) =>
    errors[field] ? (
      <span className="field-error" id={`c-${field}-error`}>
        {t(errors[field]!)}
      </span>
    ) : null;
  const described = (field: string) => (errors[field] ? `c-${field}-error` : undefined);
  const text = (field: keyof CampaignFormValues, label: string, max: number, extra: { locked?: boolean; dir?: string } = {}) => (
    <div className="field">
      <label htmlFor={`c-${field}`}>{label}</label>
      <input
        id={`c-${field}`}
        name={field}
        type="text"
        required
        maxLength={max}
        defaultValue={String(values[field] ?? "")}
        readOnly={extra.locked}
        dir={extra.dir}
        aria-invalid={errors[field] ? true : undefined}
        aria-describedby={described(field)}
      />
      {err(field)}
    </div>
  );
  const targets = [...(values.targets ?? [])];
  while (targets.length < Math.min(CAMPAIGN_LIMITS.targets, (values.targets?.length ?? 0) + 2)) targets.push({ name: "", role: "", country: "" });

  return (
    <Form method="post" className="stack">
      <input type="hidden" name="intent" value="save" />
      {signedVersion ? <p className="notice">{t("campaigns.askVersionNotice", { version: signedVersion, next: signedVersion + 1 })}</p> : null}
      {text("slug", t("campaigns.field.slug"), 80, { locked: signedVersion !== null, dir: "ltr" })}
      {text("title", t("campaigns.field.title"), CAMPAIGN_LIMITS.title)}
      {text("summary", t("campaigns.field.summary"), CAMPAIGN_LIMITS.summary)}
      <div className="field">
        <label htmlFor="c-ask">{t("campaigns.field.ask")}</label>
        <textarea id="c-ask" name="ask" required maxLength={CAMPAIGN_LIMITS.ask} defaultValue={values.ask ?? ""} aria-invalid={errors.ask ? true : undefined} aria-describedby={described("ask")} />
        {err("ask")}
      </div>
      {text("addressedTo", t("campaigns.field.addressedTo"), CAMPAIGN_LIMITS.addressedTo, {})}
      <fieldset className="field">
        <legend>{t("campaigns.targets")}</legend>
        {targets.map((target, i) => (
          <div key={i} className="inline-form">
            <label className="visually-hidden" htmlFor={`target-${i}-name`}>
              {t("campaigns.target.name")} {i + 1}
            </label>
            <input id={`target-${i}-name`} name={`target-${i}-name`} type="text" placeholder={t("campaigns.target.name")} defaultValue={target.name} maxLength={200} />
            <label className="visually-hidden" htmlFor={`target-${i}-role`}>
              {t("campaigns.target.role")} {i + 1}
            </label>
            <input id={`target-${i}-role`} name={`target-${i}-role`} type="text" placeholder={t("campaigns.target.role")} defaultValue={target.role} maxLength={200} />
            <label className="visually-hidden" htmlFor={`target-${i}-country`}>
              {t("campaigns.target.country")} {i + 1}
            </label>
            <input id={`target-${i}-country`} name={`target-${i}-country`} type="text" placeholder="PK" size={3} dir="ltr" defaultValue={target.country ?? ""} maxLength={2} style={{ inlineSize: "5rem" }} />
          </div>
        ))}
        {err("targets")}
      </fieldset>
      <div className="field">
        <label htmlFor="c-argumentMd">{t("campaigns.field.argument")}</label>
        <textarea id="c-argumentMd" name="argumentMd" required rows={14} maxLength={CAMPAIGN_LIMITS.argument} defaultValue={values.argumentMd ?? ""} aria-invalid={errors.argumentMd ? true : undefined} aria-describedby={described("argumentMd")} />
        {err("argumentMd")}
      </div>
      <div className="field">
        <label htmlFor="c-goal">{t("campaigns.field.goal")}</label>
        <input id="c-goal" name="goal" type="number" min={1} max={100_000_000} required defaultValue={String(values.goal ?? "")} aria-invalid={errors.goal ? true : undefined} aria-describedby={described("goal")} />
        {err("goal")}
      </div>
      <div className="field">
        <label htmlFor="c-deadline">{t("campaigns.field.deadline")}</label>
        <input id="c-deadline" name="deadline" type="date" defaultValue={values.deadline ?? ""} aria-invalid={errors.deadline ? true : undefined} aria-describedby={described("deadline")} />
        {err("deadline")}
      </div>
      <button type="submit" className="button">
        {submitLabel}
      </button>
    </Form>
  );
}
