import { Form, useFetcher } from "@remix-run/react";
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "~/i18n/use-translation";
import type { MessageKey } from "~/i18n/i18n";
import { CAMPAIGN_LIMITS } from "~/modules/campaigns/lifecycle.schema";
import { HERO_ALT_MAX } from "~/modules/media/hero-image";
import { SLUG_MAX, slugFromTitle } from "~/modules/campaigns/slug";

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
  alt?: string;
}

/** How long typing must pause before the live preview asks the server to render the argument. */
const PREVIEW_DELAY_MS = 400;

/**
 * The organiser's campaign form. Plain HTML first: without JavaScript the Preview button sends
 * the form back rendered with the argument's preview and every value kept, and an empty web
 * address is made from the title on the server. With JavaScript the preview follows typing
 * (rendered by the same server code, so it shows exactly what the page will) and the address is
 * suggested from the title until the organiser edits it.
 */
export function CampaignForm({
  values,
  errors = {},
  signedVersion = null,
  submitLabel,
  preview = null,
  withPicture = false,
}: {
  values: CampaignFormValues;
  errors?: Record<string, MessageKey>;
  /** the ask version people have signed, once anyone has: the address locks, the ask gets versioned */
  signedVersion?: number | null;
  submitLabel: string;
  /** the argument rendered by the server, after the Preview button */
  preview?: string | null;
  /** the picture fields, for the form that creates a campaign (multipart) */
  withPicture?: boolean;
}) {
  const { t } = useTranslation();
  const slugLocked = signedVersion !== null;
  const [slug, setSlug] = useState(String(values.slug ?? ""));
  // An address the organiser typed (or one already saved) is theirs: the title no longer changes it.
  const slugOwned = useRef(slug !== "");
  const livePreview = useFetcher<{ preview?: string }>();
  const timer = useRef<ReturnType<typeof setTimeout>>();
  useEffect(() => () => clearTimeout(timer.current), []);
  const shownPreview = livePreview.data?.preview ?? preview;

  const err = (field: string) =>
    errors[field] ? (
      <span className="field-error" id={`c-${field}-error`}>
        {t(errors[field]!)}
      </span>
    ) : null;
  const described = (field: string, hint = false) => [hint ? `c-${field}-hint` : "", errors[field] ? `c-${field}-error` : ""].filter(Boolean).join(" ") || undefined;
  const text = (field: "title" | "summary" | "addressedTo", label: string, max: number, onInput?: (value: string) => void) => (
    <div className="field">
      <label htmlFor={`c-${field}`}>{label}</label>
      <input
        id={`c-${field}`}
        name={field}
        type="text"
        required
        maxLength={max}
        defaultValue={String(values[field] ?? "")}
        onChange={onInput ? (e) => onInput(e.currentTarget.value) : undefined}
        aria-invalid={errors[field] ? true : undefined}
        aria-describedby={described(field)}
      />
      {err(field)}
    </div>
  );
  const targets = [...(values.targets ?? [])];
  while (targets.length < Math.min(CAMPAIGN_LIMITS.targets, (values.targets?.length ?? 0) + 2)) targets.push({ name: "", role: "", country: "" });

  return (
    <Form method="post" className="stack campaign-form" encType={withPicture ? "multipart/form-data" : undefined}>
      {/* Enter in a field submits with the form's first submit button, which would be Preview (it
          sits by the argument). This one comes first so Enter saves, as the button at the end does;
          it is out of sight and out of the tab order, so people and screen readers meet that one. */}
      <button type="submit" className="visually-hidden" tabIndex={-1} aria-hidden="true" data-testid="enter-saves">
        {submitLabel}
      </button>
      <input type="hidden" name="intent" value="save" />
      {signedVersion ? <p className="notice">{t("campaigns.askVersionNotice", { version: signedVersion, next: signedVersion + 1 })}</p> : null}
      {text("title", t("campaigns.field.title"), CAMPAIGN_LIMITS.title, (title) => {
        if (!slugOwned.current && !slugLocked) setSlug(slugFromTitle(title));
      })}
      <div className="field">
        <label htmlFor="c-slug">{t("campaigns.field.slug")}</label>
        <input
          id="c-slug"
          name="slug"
          type="text"
          maxLength={SLUG_MAX}
          value={slug}
          onChange={(e) => {
            slugOwned.current = e.currentTarget.value !== "";
            setSlug(e.currentTarget.value);
          }}
          readOnly={slugLocked}
          dir="ltr"
          aria-invalid={errors.slug ? true : undefined}
          aria-describedby={described("slug", !slugLocked)}
        />
        {slugLocked ? null : (
          <span className="hint" id="c-slug-hint">
            {t("campaigns.field.slugHint")}
          </span>
        )}
        {err("slug")}
      </div>
      {text("summary", t("campaigns.field.summary"), CAMPAIGN_LIMITS.summary)}
      <div className="field">
        <label htmlFor="c-ask">{t("campaigns.field.ask")}</label>
        <textarea id="c-ask" name="ask" required maxLength={CAMPAIGN_LIMITS.ask} defaultValue={values.ask ?? ""} aria-invalid={errors.ask ? true : undefined} aria-describedby={described("ask")} />
        {err("ask")}
      </div>
      {text("addressedTo", t("campaigns.field.addressedTo"), CAMPAIGN_LIMITS.addressedTo)}
      <fieldset className="field targets">
        <legend>{t("campaigns.targets")}</legend>
        <p className="hint">{t("campaigns.targets.hint")}</p>
        {targets.map((target, i) => (
          <div key={i} className="target-row" role="group" aria-label={t("campaigns.target.group", { number: i + 1 })}>
            <div className="field">
              <label htmlFor={`target-${i}-name`}>{t("campaigns.target.name")}</label>
              <input id={`target-${i}-name`} name={`target-${i}-name`} type="text" defaultValue={target.name} maxLength={200} />
            </div>
            <div className="field">
              <label htmlFor={`target-${i}-role`}>{t("campaigns.target.role")}</label>
              <input id={`target-${i}-role`} name={`target-${i}-role`} type="text" defaultValue={target.role} maxLength={200} />
            </div>
            <div className="field target-country">
              <label htmlFor={`target-${i}-country`}>{t("campaigns.target.country")}</label>
              <input
                id={`target-${i}-country`}
                name={`target-${i}-country`}
                type="text"
                dir="ltr"
                defaultValue={target.country ?? ""}
                maxLength={2}
                autoCapitalize="characters"
                aria-describedby="c-country-hint"
              />
            </div>
          </div>
        ))}
        <span className="hint" id="c-country-hint">
          {t("campaigns.target.countryHint")}
        </span>
        {err("targets")}
      </fieldset>
      <div className="field">
        <label htmlFor="c-argumentMd">{t("campaigns.field.argument")}</label>
        <textarea
          id="c-argumentMd"
          name="argumentMd"
          required
          rows={14}
          maxLength={CAMPAIGN_LIMITS.argument}
          defaultValue={values.argumentMd ?? ""}
          onChange={(e) => {
            const argumentMd = e.currentTarget.value;
            clearTimeout(timer.current);
            timer.current = setTimeout(() => livePreview.submit({ intent: "preview", argumentMd }, { method: "post" }), PREVIEW_DELAY_MS);
          }}
          aria-invalid={errors.argumentMd ? true : undefined}
          aria-describedby={described("argumentMd", true)}
        />
        <span className="hint" id="c-argumentMd-hint">
          {t("campaigns.field.argumentHint")}
        </span>
        {err("argumentMd")}
        <div>
          <button type="submit" name="intent" value="preview" className="button secondary" formNoValidate>
            {t("campaigns.preview")}
          </button>
        </div>
      </div>
      {shownPreview !== null ? (
        <section className="md-preview" aria-labelledby="c-preview-title" aria-live="polite" data-testid="argument-preview">
          <h2 id="c-preview-title">{t("campaigns.previewTitle")}</h2>
          <div className="argument" dangerouslySetInnerHTML={{ __html: shownPreview }} />
        </section>
      ) : null}
      <div className="form-row">
        <div className="field">
          <label htmlFor="c-goal">{t("campaigns.field.goal")}</label>
          <input
            id="c-goal"
            name="goal"
            type="number"
            inputMode="numeric"
            min={1}
            max={100_000_000}
            required
            defaultValue={String(values.goal ?? "")}
            aria-invalid={errors.goal ? true : undefined}
            aria-describedby={described("goal")}
          />
          {err("goal")}
        </div>
        <div className="field">
          <label htmlFor="c-deadline">{t("campaigns.field.deadline")}</label>
          <input id="c-deadline" name="deadline" type="date" defaultValue={values.deadline ?? ""} aria-invalid={errors.deadline ? true : undefined} aria-describedby={described("deadline")} />
          {err("deadline")}
        </div>
      </div>
      {withPicture ? (
        <fieldset className="field">
          <legend>{t("hero.title")}</legend>
          <p className="hint">{t("hero.intro")}</p>
          <div className="field">
            <label htmlFor="c-image">{t("hero.file")}</label>
            <input id="c-image" name="image" type="file" accept="image/jpeg,image/png,image/webp" aria-invalid={errors.image ? true : undefined} aria-describedby={described("image")} />
            {err("image")}
          </div>
          <div className="field">
            <label htmlFor="c-alt">{t("hero.alt")}</label>
            <input id="c-alt" name="alt" type="text" maxLength={HERO_ALT_MAX} defaultValue={values.alt ?? ""} aria-invalid={errors.alt ? true : undefined} aria-describedby={described("alt", true)} />
            <span className="hint" id="c-alt-hint">
              {t("hero.alt.hint")}
            </span>
            {err("alt")}
          </div>
        </fieldset>
      ) : null}
      <div>
        <button type="submit" className="button">
          {submitLabel}
        </button>
      </div>
    </Form>
  );
}
